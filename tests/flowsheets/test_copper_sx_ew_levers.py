"""The copper SX-EW plant responds to its levers (issue #14): the head grade and the
calcite vary with the tankhouse and the acid following (the plant's specs), less acid or a
colder leach lowers the extraction, and every variant converges with its elements closed."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow

PLANT = Path(__file__).parents[2] / "flowsheets" / "copper_sx_ew.toml"


def solve(overrides=None, keep_acid_spec=True):
    fs = polyflow.load(PLANT, overrides or {})
    if not keep_acid_spec:
        fs.specs.pop("leach_free_acid", None)
    r = fs.solve()
    assert r.converged and max(r.closure.values()) < 1e-9
    return r


def extraction(r) -> float:
    """Copper leached [%]: the mean of the two minerals' last-tank conversions weighted by
    their copper (60 % malachite, 40 % tenorite)."""
    e = r.energy["leach"]
    return 0.6 * e["X_Cu2_tank4_%"] + 0.4 * e["X_CuO_tank4_%"]


@pytest.fixture(scope="module")
def base():
    return solve()


def current_density(r) -> float:
    return float(r.specs["spent_electrolyte_copper"]["value"].split()[0])


@pytest.mark.parametrize("grade", [0.8, 1.0, 1.4, 1.6])
def test_head_grade_variants_converge_with_the_tankhouse_following(base, grade):
    """0.8-1.6 % Cu (issue #14: 1.0 and 1.5 % failed with the current fixed): the current
    follows the copper arriving (35 g/L spent), so the current density scales with the
    copper plated, itself near proportional to the grade (the extraction moves by under
    one point)."""
    r = solve({"ore.grades.Cu": f"{grade} %"})
    assert r.specs["spent_electrolyte_copper"]["achieved"] == pytest.approx(35.0)
    assert r.specs["leach_free_acid"]["achieved"] == pytest.approx(7.0)
    cu = r.energy["ew"]["cathode_kg/h"] / base.energy["ew"]["cathode_kg/h"]
    assert cu == pytest.approx(grade / 1.2, rel=0.03)
    assert current_density(r) / current_density(base) == pytest.approx(cu, rel=1e-6)
    assert abs(extraction(r) - extraction(base)) < 1.5


@pytest.mark.parametrize("calcite", [1.0, 2.0, 3.0])
def test_calcite_variants_converge_with_the_acid_following(base, calcite):
    """1-3 % calcite (3 % failed before): the acid addition rises by what the calcite
    takes, 0.95 × 2.5 t/h × 98.07/100.09 = 2.33 t/h of H2SO4 per % of calcite at 250 t/h
    (CaCO3 + H2SO4 -> CaSO4·2H2O + CO2 at 95 %), to within what the warmer slurry
    leaches more."""
    r = solve({"ore.grades.CaCO3(s)": f"{calcite} %"})
    acid = float(r.specs["leach_free_acid"]["value"].split()[0])
    acid0 = float(base.specs["leach_free_acid"]["value"].split()[0])
    assert acid - acid0 == pytest.approx(2.33 * (calcite - 1.5), abs=0.1)


def test_less_acid_lowers_the_extraction(base):
    """17 % less acid (3.0 t/h for the 3.6 t/h the free-acid spec finds; issue #14 saw no
    change): the leach runs at less free acid and, with the rate of order 0.81 in it
    (Bai et al. 2018), extracts 3-8 points less copper."""
    acid0 = float(base.specs["leach_free_acid"]["value"].split()[0])
    full = solve({"acid.flows.H2SO4": f"{acid0} t/h"}, keep_acid_spec=False)
    cut = solve({"acid.flows.H2SO4": f"{0.83 * acid0} t/h"}, keep_acid_spec=False)
    assert extraction(full) == pytest.approx(extraction(base), abs=1e-6)
    assert 3.0 < extraction(full) - extraction(cut) < 8.0
    assert cut.recovery["Cu"]["cathode"] < full.recovery["Cu"]["cathode"]


def test_leach_temperature_moves_the_extraction(base):
    """45.28 kJ/mol (Bai et al. 2018): the leach held at 20 °C extracts less than the
    adiabatic plant (31.5 °C), at 40 °C more; direction and size as in the sulfuric acid
    leaching of malachite, 94 % at 25 °C and 99 % at 80 °C in 3 h (Bingöl & Canbazoğlu,
    Hydrometallurgy 72 (2004) 159)."""
    cold = extraction(solve({"leach.temperature": "20 degC"}))
    hot = extraction(solve({"leach.temperature": "40 degC"}))
    assert cold < extraction(base) < hot
    assert 2.0 < extraction(base) - cold < 8.0
    assert 0.5 < hot - extraction(base) < 4.0
