"""The shipped copper leach - CCD - SX - EW plant solves from the file alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow
from polyflow.report.water import water_balance

PLANT = Path(__file__).parents[2] / "flowsheets" / "copper_sx_ew.toml"


@pytest.fixture(scope="module")
def plant():
    return polyflow.load(PLANT).solve()


def test_converges_and_closes(plant):
    assert plant.converged
    assert max(plant.closure.values()) < 1e-9


def test_copper_to_cathode_is_fixed_by_the_tankhouse_current(plant):
    """Faraday: 72 cells × 300 A/m2 × 110 m2 × 92 % / (2F) of copper."""
    cu = 72 * 300 * 110 * 0.92 / (2 * 96485.33212) * 3.6 * 63.546      # kg/h
    assert plant.flow_kg_h("cathode_copper")["Cu(s)"] == pytest.approx(cu, rel=1e-6)
    rec = plant.recovery["Cu"]
    assert rec["cathode"] == pytest.approx(cu / 3000.0, rel=1e-6)
    assert sum(rec.values()) == pytest.approx(1.0, abs=1e-9)


def test_report_figures(plant):
    ew = plant.energy["ew"]
    assert ew["specific_energy_kWh/t"] == pytest.approx(2.0 * 2 * 96485.33 / (0.92 * 63.546)
                                                        / 3.6, rel=1e-5)
    acid = sum(v for feed in plant.reagents.values() for k, v in feed.items()
               if k == "H2SO4(aq) [kg/t ore]")
    assert 10 < acid < 60                      # kg/t ore, oxide-ore range
    w = water_balance(plant)
    assert w["fresh_water_m3_per_t_ore"] == pytest.approx(1.0, rel=1e-9)   # 250 m3/h wash
    assert w["recycled_t_h"] > 100
