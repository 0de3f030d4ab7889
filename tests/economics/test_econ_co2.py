"""Scope 1 CO2 of a known calcination, read from the balance, against the
stoichiometry by hand: CaCO3 -> CaO + CO2, 1 t/h of calcite releases
1000 M(CO2)/M(CaCO3) kg/h of CO2 (IUPAC 2021 atomic weights)."""

from __future__ import annotations

import pytest

import polyflow
from polyflow.economics import economics_of
from polyflow.economics.sustainability import CO2_PER_C

FLOWSHEET = """
[flowsheet]
name = "limestone calcination"
species = ["CaCO3(s)", "CaO(s)", "CO2(g)"]

[feeds.limestone]
kind = "stream"
category = "ore"
flows = { "CaCO3(s)" = "1 t/h" }

[units.kiln]
model = "stoichiometric_reactor"
temperature = "900 degC"
reactions = [{ equation = "CaCO3(s) -> CaO(s) + CO2(g)", key = "CaCO3(s)", conversion = "100 %" }]

[units.offgas]
model = "separator"
split = { gas = { gas = "100 %" } }
rest = "lime"

[products.lime]
kind = "residue"

[products.stack]
kind = "gas"

[streams]
feed = "limestone -> kiln"
calcined = "kiln -> offgas"
lime_out = "offgas.lime -> lime"
gas_out = "offgas.gas -> stack"

[economics]
prices = "PRICES"

[economics.finance]
operating_hours = { value = "8000 h/y", source = "test" }
discount_rate = { value = "8 %", source = "test" }
tax_rate = { value = "0 %", source = "test" }
life = { value = "10 y", source = "test" }
depreciation_life = { value = "10 y", source = "test" }

[economics.schedule]
source = "test"
2026 = "100 %"

[economics.capital]
lang_factor = { value = 3.1, source = "test" }
contingency = { value = "0 %", source = "test" }
cepci = { value = 798.8, source = "test" }

[economics.operating]
maintenance = { value = "0 %", source = "test" }
labour = { value = "0 MUSD/y", source = "test" }
"""

CA, C, OX = 40.078, 12.011, 15.999     # Ca, C, O: IUPAC 2021 standard atomic weights


def test_co2_of_limestone_calcination(tmp_path):
    from pathlib import Path

    prices = Path(__file__).resolve().parents[2] / "flowsheets" / "economics" / \
        "prices_2026.toml"
    path = tmp_path / "kiln.toml"
    path.write_text(FLOWSHEET.replace("PRICES", prices.as_posix()), encoding="utf-8")
    result = polyflow.load(path).solve()
    econ = economics_of(path, result)
    co2_kg_h = 1000.0 * (C + 2 * OX) / (CA + C + 3 * OX)          # 439.7 kg/h
    assert co2_kg_h == pytest.approx(439.71, abs=0.01)
    process = econ.footprint_by_line["(shared)"]["co2_scope1_process_kg_h"]
    assert process == pytest.approx(co2_kg_h, rel=1e-6)
    # the kiln's heat comes from fuel: its CO2 is the rest of scope 1
    fuel = econ.footprint_by_line["(shared)"]["co2_scope1_fuel_kg_h"]
    duty = result.units["kiln"].duty_kW
    assert duty > 0
    assert fuel == pytest.approx(duty * 3.6e-3 / 0.85 * 56.1, rel=1e-12)
    assert econ.co2_t_y["scope1"] == pytest.approx((co2_kg_h + fuel) * 8000 / 1000,
                                                   rel=1e-6)
    assert econ.co2_t_y["scope2"] == 0.0


def test_co2_per_kg_carbon():
    assert pytest.approx((C + 2 * OX) / C, rel=1e-6) == CO2_PER_C
