"""Closed-form checks of the plant solver: recycle loops, CCD washing, mixing."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Mixer, Product
from tests.conftest import ccd_cascade, recycle_loop


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
    water at 20 °C. Energy balance with constant Cp (NBS 1982: quartz 44.43, water
    75.291 J/(mol K)): T = Σ m·cp·T / Σ m·cp on a molar basis."""
    fs = Flowsheet(["H2O", "SiO2"])
    fs.add(Feed("solids", flows={"SiO2": "1 t/h"}, temperature="80 degC"))
    fs.add(Feed("water", flows={"H2O": "3 t/h"}, temperature="20 degC"))
    fs.add(Mixer("tank"))
    fs.add(Product("out"))
    fs.connect("s", "solids", "tank")
    fs.connect("w", "water", "tank")
    fs.connect("slurry", "tank", "out")
    r = fs.solve()
    n_q, n_w = 1000 / 60.0843, 3000 / 18.0153      # kmol/h, M from IUPAC 2021 weights
    cp_q, cp_w = 44.43, 75.291
    T = (n_q * cp_q * 80 + n_w * cp_w * 20) / (n_q * cp_q + n_w * cp_w)
    assert r.temperature_C("slurry") == pytest.approx(T, abs=1e-3)
