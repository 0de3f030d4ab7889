"""The shipped tungsten plant (digestion - acidification - amine SX - APT crystallisation
with mother-liquor recycle - calcination) solves from the file alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow
from polyflow.units.tungsten_amine_sx import kremser_unextracted

PLANT = Path(__file__).parents[2] / "flowsheets" / "tungsten_apt.toml"


@pytest.fixture(scope="module")
def plant():
    return polyflow.load(PLANT).solve()


def test_converges_and_closes(plant):
    assert plant.converged
    assert max(plant.closure.values()) < 1e-9


def test_tungsten_recovery_is_the_product_of_the_stage_recoveries(plant):
    """WO3 recovery = digestion × filter × SX (Kremser) × crystallisation loop
    Y/(1 − (1 − Y)(1 − b)), each checked separately."""
    rec = plant.recovery["W"]
    assert sum(rec.values()) == pytest.approx(1.0, abs=1e-9)
    sx = 1 - kremser_unextracted(15, 0.5, 3)
    loop = 0.9 / (1 - 0.1 * 0.95)
    to_sx = rec["tungsten_trioxide"] + rec["mother_liquor_bleed"] + rec["raffinate"]
    assert rec["raffinate"] / to_sx == pytest.approx(1 - sx, rel=1e-6)
    assert rec["tungsten_trioxide"] / (rec["tungsten_trioxide"]
                                       + rec["mother_liquor_bleed"]) == pytest.approx(
        loop, rel=1e-9)
    assert 0.96 < rec["tungsten_trioxide"] < 0.99          # plant practice: 95-98 %


def test_product_is_wo3_from_apt(plant):
    wo3 = plant.flow_kg_h("wo3")
    assert {k for k, v in wo3.items() if v > 1e-9} == {"WO3(s)"}
    apt = plant.flow_kg_h("apt")["(NH4)10[H2W12O42]*4H2O(s)"]
    assert wo3["WO3(s)"] == pytest.approx(apt * 12 * 231.84 / 3132.5, rel=2e-4)


def test_reagent_figures(plant):
    r = plant.reagents
    assert r["soda_ash"]["Na2CO3(s) [kg/t ore]"] == pytest.approx(650.0)   # solid soda ash
    assert r["acid"]["H2SO4(aq) [kg/t ore]"] == pytest.approx(900.0)
    # the SX feed keeps free acid and the strip liquor free ammonia
    sx = plant.energy["sx"]
    assert sx["raffinate_acid_left_kg/h"] > 0 and sx["strip_base_left_kg/h"] > 0
    assert sx["extraction_%"] > 99.5
