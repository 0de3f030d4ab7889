"""Closed-form checks of the plant solver: recycle loops, CCD washing, mixing."""

from __future__ import annotations

import pytest
from tests.conftest import ccd_cascade, recycle_loop

from polyflow import Flowsheet
from polyflow.units import Feed, Mixer, Product


@pytest.mark.parametrize("s", [0.0, 0.3, 0.75, 0.95, 0.999])
def test_recycle_equals_feed_times_s_over_one_minus_s(s):
    """Mixer-splitter loop with recycle fraction s: at steady state the recycle is
    R = F·s/(1−s) (Felder & Rousseau, Elementary Principles of Chemical Processes,
    4th ed., §4.5, recycle balance: F + R = M, R = s·M)."""
    r = recycle_loop(s).solve()
    feed = r.flow_kg_h("fresh")["H2O(l)"]
    recycle = r.flow_kg_h("recycle")["H2O(l)"]
    assert recycle == pytest.approx(feed * s / (1 - s), rel=1e-12, abs=1e-12)
    assert r.flow_kg_h("exit")["H2O(l)"] == pytest.approx(feed, rel=1e-13)
    assert r.iterations <= 3  # linear balance, temperatures uniform


@pytest.mark.parametrize(("n", "R"), [(1, 2.0), (3, 1.5), (4, 2.0), (6, 3.0), (10, 1.2)])
def test_ccd_washing_loss_matches_ideal_stage_formula(n, R):
    """Counter-current washing with n ideal stages and wash ratio R (overflow over
    underflow liquor): the fraction of the feed's solute lost with the washed underflow
    is (R − 1)/(R^(n+1) − 1), the Kremser form for washing (McCabe, Smith & Harriott,
    Unit Operations of Chemical Engineering, 7th ed., ch. 20 'Leaching', ideal stages in
    countercurrent washing; Gupta & Mukherjee, Hydrometallurgy in Extraction Processes,
    vol. II (1990), CCD washing)."""
    r = ccd_cascade(n, R).solve()
    lost = r.flow_kg_h(f"uf{n - 1}")["CuSO4(aq)"] / 50.0
    assert lost == pytest.approx((R - 1) / (R ** (n + 1) - 1), rel=1e-10)
    assert max(r.closure.values()) < 1e-12


@pytest.mark.parametrize("solute_kg_h", [50.0, 1e-6, 1e-9])
def test_trace_solute_is_solved_to_its_own_precision(solute_kg_h):
    """Scale spread (DESIGN): a solute at 1e-12 of the water (gold at mg/L beside tonnes
    of water) must follow the washing formula as exactly as a major one: the solver
    scales each species by its own magnitude."""
    n, R = 6, 1.8
    r = ccd_cascade(n, R, solute_kg_h=solute_kg_h).solve()
    lost = r.flow_kg_h(f"uf{n - 1}")["CuSO4(aq)"] / solute_kg_h
    assert lost == pytest.approx((R - 1) / (R ** (n + 1) - 1), rel=1e-9)


def test_ccd_wash_ratio_one_gives_one_over_n_plus_one():
    """Limit R -> 1 of the washing formula: loss = 1/(n+1) (same sources)."""
    lost = ccd_cascade(5, 1.0).solve().flow_kg_h("uf4")["CuSO4(aq)"] / 50.0
    assert lost == pytest.approx(1 / 6, rel=1e-10)


def test_adiabatic_mixing_temperature_by_hand():
    """Water 2 t/h at 10 °C + 1 t/h at 85 °C -> (2·10 + 1·85)/3 = 35 °C: constant
    Cp of liquid water, 75.291 J/(mol K) (NBS 1982), cancels (Felder & Rousseau §8.3)."""
    fs = Flowsheet(["H2O"])
    fs.add(Feed("cold", flows={"H2O": "2 t/h"}, temperature="10 degC"))
    fs.add(Feed("hot", flows={"H2O": "1 t/h"}, temperature="85 degC"))
    fs.add(Mixer("tank"))
    fs.add(Product("out"))
    fs.connect("c", "cold", "tank")
    fs.connect("h", "hot", "tank")
    fs.connect("mixed", "tank", "out")
    r = fs.solve()
    assert r.temperature_C("mixed") == pytest.approx(35.0, abs=1e-9)
    assert r.energy["tank"]["duty_kW"] == 0.0


def test_adiabatic_mixing_of_water_and_silica_by_hand():
    """Mixing streams of different heat capacity: 1 t/h quartz at 80 °C into 3 t/h of
    water at 20 °C. The outlet temperature solves Σ n_i [h_i(T) − h_i(T_i)] = 0 with the
    tabulated heat-capacity fits (quartz: Robie & Hemingway 1995 / NBS 1982; water: NBS
    1982); here by bisection on each species' own h(T), independently of the solver."""
    from scipy.optimize import brentq

    from polyflow.chem.species import load_database

    fs = Flowsheet(["H2O", "SiO2"])
    fs.add(Feed("solids", flows={"SiO2": "1 t/h"}, temperature="80 degC"))
    fs.add(Feed("water", flows={"H2O": "3 t/h"}, temperature="20 degC"))
    fs.add(Mixer("tank"))
    fs.add(Product("out"))
    fs.connect("s", "solids", "tank")
    fs.connect("w", "water", "tank")
    fs.connect("slurry", "tank", "out")
    r = fs.solve()
    db = load_database()
    quartz, water = db["SiO2"], db["H2O"]
    n_q, n_w = 1000 / quartz.molar_mass, 3000 / water.molar_mass      # kmol/h

    def imbalance(T):
        return (n_q * (quartz.h(T) - quartz.h(353.15)) + n_w * (water.h(T) - water.h(293.15)))

    T = brentq(imbalance, 293.15, 353.15, xtol=1e-12)
    # converged to 1e-10 of the enthalpy flows (formation basis): ~1e-7 K here
    assert r.T_K[r.stream_index("slurry")] == pytest.approx(T, abs=1e-6)
    # and the closed form for constant Cp at 25 °C is within 0.3 K of it
    cq, cw = quartz.cp_at(298.15), water.cp_at(298.15)
    T_const = (n_q * cq * 353.15 + n_w * cw * 293.15) / (n_q * cq + n_w * cw)
    assert pytest.approx(T_const, abs=0.3) == T
