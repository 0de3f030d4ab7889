"""The shipped antimony plant (alkaline sulphide leach - filter - membrane-cell EW, spent
catholyte recycle) solves from the file alone and its figures hold."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow

PLANT = Path(__file__).parents[2] / "flowsheets" / "antimony_alkaline.toml"
F = 96485.33212


@pytest.fixture(scope="module")
def plant():
    return polyflow.load(PLANT).solve()


def test_converges_and_closes(plant):
    assert plant.converged
    assert max(plant.closure.values()) < 1e-9


def test_cathode_antimony_follows_faraday(plant):
    """40 cells × 9.2 kA × 80 % / (3F) of antimony (z = 3)."""
    sb = 40 * 9200 * 0.80 / (3 * F) * 3.6 * 121.76           # kg/h
    assert plant.flow_kg_h("cathode")["Sb(s)"] == pytest.approx(sb, rel=1e-6)
    rec = plant.recovery["Sb"]
    assert rec["cathode_antimony"] == pytest.approx(sb / 500.0, rel=1e-4)
    assert sum(rec.values()) == pytest.approx(1.0, abs=1e-9)
    # 95 % leached (Anderson 2012: 90-98 %), the unleached stibnite goes to the residue
    assert 0.04 < rec["leach_residue"] < 0.06


def test_electrolyte_and_reagent_figures(plant):
    g = plant.solution_g_L("pregnant_electrolyte")
    assert 30 < g["Sb"] < 60                  # g/L Sb to the cells
    ew = plant.energy["ew"]
    assert ew["specific_energy_kWh/t"] == pytest.approx(3 * F * 2.5 / (0.8 * 121.76) / 3.6,
                                                        rel=1e-6)
    naoh = plant.reagents["caustic"]["NaOH(aq) [kg/t ore]"]
    assert naoh == pytest.approx(550.0)
    # free caustic left in the spent catholyte (keeps Na2S from hydrolysing)
    assert plant.flow_kg_h("spent_catholyte")["NaOH(aq)"] > 100.0


def test_feeds_and_products_are_categorised():
    fs = polyflow.load(PLANT)
    text = PLANT.read_text()
    assert text.count('category = "reagent"') == 2
    assert {"cathode_antimony", "leach_residue", "electrolyte_bleed", "anode_gas"} <= set(
        fs.units)
