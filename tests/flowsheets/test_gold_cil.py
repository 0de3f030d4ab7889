"""The shipped gold CIL plant solves from the file alone, and its figures sit in the
published ranges (Marsden & House, The Chemistry of Gold Extraction, 2nd ed. (2006))."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow
from polyflow.chem.elements import atomic_weight

PLANT = Path(__file__).parents[2] / "flowsheets" / "gold_cil.toml"
F = 96485.33212


@pytest.fixture(scope="module")
def plant():
    return polyflow.load(PLANT).solve()


def test_converges_and_closes(plant):
    assert plant.converged
    assert max(plant.closure.values()) < 1e-9


def test_gold_recovery_in_the_published_range(plant):
    """CIL plants on free-milling ore recover 90-95 % (Marsden & House 2006, ch. 7)."""
    rec = plant.recovery["Au"]
    assert 0.90 < rec["gold"] < 0.95
    assert sum(rec.values()) == pytest.approx(1.0, abs=1e-9)
    # the product is the Faraday figure of the tankhouse current
    au = 2 * 186 * 0.30 / F * 3.6 * atomic_weight("Au")            # kg/h
    assert plant.flow_kg_h("gold_cathode")["Au(s)"] == pytest.approx(au, rel=1e-9)
    assert plant.energy["ew"]["cathode_kg/h"] / plant.energy["elution"]["eluate_Au_kg/h"] \
        == pytest.approx(0.989, abs=0.01)


def test_circuit_figures(plant):
    cil = plant.energy["cil"]
    assert 2000 < cil["loaded_carbon_Au_g/t"] < 5000       # Marsden & House, ch. 7
    assert cil["barren_solution_Au_mg/L"] < 0.02
    assert 90 < cil["Au_extraction_%"] < 96
    assert 5 < cil["carbon_t/d"] < 15
    el = plant.energy["elution"]
    assert 20 < el["barren_carbon_Au_g/t"] < 100
    assert 4 < el["bed_volumes"] < 15


def test_reagents_per_tonne(plant):
    r = plant.reagents
    nacn = sum(v for feed in r.values() for k, v in feed.items()
               if k == "NaCN(aq) [kg/t ore]")
    lime = sum(v for name, feed in r.items() for k, v in feed.items()
               if k == "Ca(OH)2(s) [kg/t ore]" and name == "lime")
    assert 0.3 <= nacn <= 1.0
    assert 1.0 <= lime <= 2.0
    assert plant.energy["preleach"]["NaCN_consumed_kg/t"] == pytest.approx(0.25, rel=0.01)


def test_cyanide_destruction(plant):
    """INCO SO2/air: 3-5 g SO2 per g CN fed, residual CN below 1 mg/L."""
    cn = 26.018 / 49.007
    tail = plant.flow_kg_h("cil_tailing")["NaCN(aq)"] * cn
    so2 = plant.flow_kg_h("so2_add")["SO2(g)"]
    assert 3.0 <= so2 / tail <= 5.0
    out = plant.flow_kg_h("detox_discharge")
    vol = plant.solution_volume_m3_h("detox_discharge")
    assert out["NaCN(aq)"] * cn * 1000 / vol < 1.0              # mg/L CN
    assert out.get("H2SO4(aq)", 0.0) == pytest.approx(0.0, abs=1e-9)
    assert out.get("SO2(g)", 0.0) == pytest.approx(0.0, abs=1e-9)


def test_grinding_circuit(plant):
    """Ball mill in closed circuit to the leach feed size (P80 75 µm is typical of CIL
    feeds, Marsden & House 2006 ch. 7). The mill is sized by its equipment: its power is
    Rowland's for 5.5 m × 8.5 m, 35 % balls, 75 % of critical (Rowland & Kjos 1980), and
    the circuit grinds as Bond's law says an ore of Wi 15 kWh/t should,
    W = 10 Wi (1/√P80 − 1/√F80), within 2 %."""
    from polyflow.comminution import rowland_ball_mill_power

    mill = plant.energy["ball_mill"]
    p80 = plant.p80_um("cyclone_overflow")
    assert 65 < p80 < 90
    assert mill["power_kW"] == pytest.approx(rowland_ball_mill_power(5.5, 8.5, 0.35, 0.75),
                                             rel=1e-12)
    assert mill["specific_energy_kWh/t"] == pytest.approx(
        10 * 15 * (1 / p80 ** 0.5 - 1 / 2000 ** 0.5), rel=0.02)
    assert mill["operating_work_index_kWh/t"] == pytest.approx(15.0, rel=0.02)
    load = plant.phase_kg_h("cyclone_underflow")["s"] / plant.phase_kg_h("ore_feed")["s"]
    assert 2.0 < load < 4.0                 # circulating load 200-400 % (Wills 8th ed. ch. 9)
    cyc = plant.energy["cyclones"]
    assert plant.power_by_area["grinding"]["power_kW"] == pytest.approx(
        mill["power_kW"] + cyc["pump_power_kW"])
