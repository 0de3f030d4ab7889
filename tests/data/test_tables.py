"""Checksums of the small data tables (as chemicals checks each of its tables): the row
count and a column sum, so that a truncated or corrupted file cannot pass; update both
numbers on a deliberate edit of the table."""

from __future__ import annotations

import pytest

from polyflow.chem.elements import read_data_csv
from polyflow.comminution import SHORT_TON_FACTOR
from polyflow.quantity import DIMENSIONS, parse_quantity

#: elements.csv: H to U (Z = 1-92) less the six elements without entries (Po, At, Rn,
#: Fr, Ra, Ac: no standard atomic weight)
ELEMENT_ROWS = 86
ATOMIC_WEIGHT_SUM = 8993.6278       # g/mol, summed over the rows
NUMBER_SUM = 3759                   # Σ Z over the rows
UNIT_ROWS = 105
FACTOR_SUM = 255397.93738


def test_elements_table_shape_and_column_sums():
    rows = read_data_csv("elements.csv")
    assert len(rows) == ELEMENT_ROWS
    assert list(rows[0]) == ["number", "symbol", "name", "atomic_weight"]
    assert round(sum(float(r["atomic_weight"]) for r in rows), 4) == \
        pytest.approx(ATOMIC_WEIGHT_SUM, abs=5e-5)
    assert sum(int(r["number"]) for r in rows) == NUMBER_SUM
    numbers = [int(r["number"]) for r in rows]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert len({r["symbol"] for r in rows}) == len(rows)


@pytest.mark.parametrize(("symbol", "weight"), [
    ("O", 15.999), ("Cu", 63.546), ("Sb", 121.76), ("W", 183.84), ("Au", 196.97),
    ("La", 138.91), ("Nd", 144.24), ("Y", 88.906),
])
def test_elements_spot_values_are_the_abridged_ciaaw_2021_weights(symbol, weight):
    """Abridged standard atomic weights, Prohaska et al., Pure Appl. Chem. 94 (2022)
    573-600, Table 2."""
    row = next(r for r in read_data_csv("elements.csv") if r["symbol"] == symbol)
    assert float(row["atomic_weight"]) == weight


def test_units_of_measure_table_shape_and_factor_sum():
    rows = read_data_csv("units_of_measure.csv")
    assert len(rows) == UNIT_ROWS
    assert round(sum(float(r["factor"]) for r in rows), 6) == pytest.approx(FACTOR_SUM,
                                                                             abs=5e-7)
    assert len({(r["symbol"], r["dimension"]) for r in rows}) == len(rows)
    assert {r["dimension"] for r in rows} == set(DIMENSIONS)


def test_short_ton_and_kilocalorie_rows():
    """1 short ton = 2000 lb = 907.18474 kg; 1 cal (thermochemical) = 4.184 J (NIST SP
    811 (2008), B.8)."""
    assert parse_quantity("1 kWh/st", "specific_energy") == SHORT_TON_FACTOR
    assert parse_quantity("13 kWh/short ton", "specific_energy") == pytest.approx(14.330047,
                                                                                  rel=1e-7)
    assert parse_quantity("10 kcal/mol", "molar_energy") == pytest.approx(41.84, rel=1e-15)
    assert parse_quantity("45000 J/mol", "molar_energy") == pytest.approx(45.0, rel=1e-15)


@pytest.mark.parametrize(("text", "dimension", "internal"), [
    # NIST SP 811 (2008), Appendix B.8, and the definitions they rest on
    ("212 degF", "temperature", 373.15),            # water boils: 100 °C
    ("32 °F", "temperature", 273.15),
    ("1000 st/h", "mass_flow", 907184.74),          # short ton = 2000 lb = 907.18474 kg
    ("2204.62262 lb/h", "mass_flow", 1000.0),       # 1 t/h
    ("4.402867 gpm", "volume_flow", 1.0),           # 1 m3/h = 4.402867 US gal/min
    ("14.6959488 psi", "pressure", 101.325),        # one standard atmosphere
    ("1341.0221 hp", "power", 1000.0),              # 1 MW
    ("11 kWh/st", "specific_energy", 12.125424),    # Bond work index, per short ton
    ("3 wt%", "fraction", 0.03),
    ("8.76 Mtpa", "mass_flow", 1.0e6),              # 1,000 t/h over 8,760 h
    ("12 ft", "length", 3.6576),
])
def test_imperial_and_mining_units_convert_by_their_definitions(text, dimension, internal):
    assert parse_quantity(text, dimension) == pytest.approx(internal, rel=2e-7)
