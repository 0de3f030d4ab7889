"""Electrowinning against Faraday's law and a published tankhouse figure."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.errors import InputError, SpecificationError
from polyflow.units import Feed, Product
from polyflow.units.electrowinning import Electrowinning

SPECIES = ["H2O", "CuSO4", "H2SO4", "Cu(s)", "O2(g)"]


def tankhouse(cu_t_h="1 t/h", **kw):
    fs = Flowsheet(SPECIES)
    fs.add(Feed("electrolyte", flows={"H2O": "100 t/h", "CuSO4": cu_t_h, "H2SO4": "18 t/h"},
                temperature="45 degC"))
    fs.add(Electrowinning("ew", **kw))
    for p in ("cathode", "spent", "oxygen"):
        fs.add(Product(p))
    fs.connect("e", "electrolyte", "ew")
    fs.connect("cu", "ew.cathode", "cathode")
    fs.connect("s", "ew.spent_electrolyte", "spent")
    fs.connect("o", "ew.anode_gas", "oxygen")
    return fs


def test_faraday_one_kiloampere_hour_plates_1_1855_kg_copper():
    """Faraday: m = I t M/(zF) = 1000 × 3600 × 63.546/(2 × 96485.33) = 1185.5 g."""
    r = tankhouse(current="1 kA", current_efficiency="100 %", cell_voltage="2 V").solve()
    assert r.flow_kg_h("cu")["Cu(s)"] == pytest.approx(1.1855, abs=5e-5)
    # acid regenerated and oxygen evolved in the stoichiometric ratio of the cell reaction
    e = r.energy["ew"]
    n_cu = 1000 * 3600 / (2 * 96485.33212) / 1000        # kmol/h
    assert e["acid_regenerated_kg/h"] == pytest.approx(n_cu * 98.0785, rel=1e-4)
    assert e["oxygen_kg/h"] == pytest.approx(n_cu * 0.5 * 31.998, rel=1e-4)


def test_specific_energy_of_a_copper_tankhouse():
    """Beukes & Badenhorst, J. SAIMM 109 (2009): cells at about 2.0 V and 90 % current
    efficiency use about 1.9 kWh per kg of cathode copper (zFU/(η M) = 1874 kWh/t)."""
    r = tankhouse(current_density="300 A/m2", cathode_area="100 m2", cells=10,
                  cell_voltage="2.0 V", current_efficiency="90 %",
                  temperature="45 degC").solve()
    e = r.energy["ew"]
    assert e["specific_energy_kWh/t"] == pytest.approx(1874.5, abs=0.5)
    assert e["specific_energy_kWh/t"] / 1000 == pytest.approx(1.9, abs=0.05)
    assert e["power_kW"] == pytest.approx(300 * 100 * 10 * 2.0 / 1000)
    # held at 45 degC: the power not stored chemically (U − 1.146 V) leaves as heat
    stored = (e["cathode_kg/h"] / 63.546 * 1000 * 2 * 96485.33   # kW
              * e["thermoneutral_voltage_V"] / 3.6e6)
    assert -e["duty_kW"] == pytest.approx(e["power_kW"] - stored, rel=2e-3)


def test_adiabatic_cell_heats_the_electrolyte():
    r = tankhouse(current="30 kA", cells=5, cell_voltage="2.0 V").solve()
    assert r.temperature_C("s") > 45.0
    assert r.energy["ew"]["duty_kW"] == 0.0


def test_current_beyond_the_copper_in_the_electrolyte_is_refused():
    fs = tankhouse("10 kg/h", current="35 kA", cells=50, cell_voltage="2 V")
    with pytest.raises(SpecificationError, match=r"negative flow of CuSO4\(aq\).*'ew'"):
        fs.solve()


def test_current_must_be_given_once():
    with pytest.raises(InputError, match="give the cell current"):
        Electrowinning("ew", cell_voltage="2 V")
    with pytest.raises(SpecificationError, match="over-specified"):
        Electrowinning("ew", current="1 kA", current_density="300 A/m2", cathode_area="1 m2",
                       cell_voltage="2 V")


def test_antimony_three_electrons_reuses_the_model():
    """Sb: M = 121.760, z = 3: 1 kA h at 100 % plates 1000·3600·121.76/(3·96485.33) g."""
    fs = Flowsheet(["H2O", "Na3SbS3(aq)", "Na2S(aq)", "Sb(s)", "S(s)"])
    ew = Electrowinning("ew", metal="Sb(s)", electrons=3, current="1 kA",
                        current_efficiency="100 %", cell_voltage="2.5 V",
                        reaction="Na3SbS3(aq) -> Sb(s) + 1.5 Na2S(aq) + 1.5 S(s)")
    ew.bind(fs.species)
    assert ew.metal_kmol_h() * 121.760 == pytest.approx(1000 * 3600 * 121.760
                                                        / (3 * 96485.33212) / 1000, rel=1e-9)
