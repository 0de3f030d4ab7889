"""Precipitation, crystallisation and lime neutralisation against hand balances."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Product
from polyflow.units.lime_dose import LimeDose
from polyflow.units.neutraliser import Neutraliser, free_acid_g_L
from polyflow.units.precipitator import Precipitator

NEUTRAL = ["H2O", "H2SO4", "CuSO4", "CaO", "Ca(OH)2", "CaCO3(s)", "CaSO4*2H2O(s)",
           "CO2(g)", "Cu(OH)2(s)"]


def crystalliser(na2co3_t_h, solubility="300 g/L"):
    fs = Flowsheet(["H2O", "Na2CO3(aq)", "Na2CO3(s)"])
    fs.add(Feed("liquor", flows={"H2O": f"{10 - na2co3_t_h} t/h",
                                 "Na2CO3(aq)": f"{na2co3_t_h} t/h"}))
    fs.add(Precipitator("cryst", temperature="25 degC", reactions=[
        {"equation": "Na2CO3(aq) -> Na2CO3(s)", "key": "Na2CO3(aq)",
         "solubility": solubility}]))
    fs.add(Product("slurry"))
    fs.connect("f", "liquor", "cryst")
    fs.connect("s", "cryst", "slurry")
    return fs.solve()


def test_crystalliser_yield_from_solubility():
    """McCabe, Smith & Harriott (2005) §27.2: anhydrous crystals x from a liquor of mass L
    holding m of solute, saturated at C: m − x = C (L − x)/ρ, x = (m − C L/ρ)/(1 − C/ρ)."""
    for m in (4.0, 3.5):
        x = (m * 1000 - 0.3 * 10000) / (1 - 0.3)
        r = crystalliser(m)
        assert r.flow_kg_h("s")["Na2CO3(s)"] == pytest.approx(x, rel=1e-9)


def test_undersaturated_liquor_precipitates_nothing():
    """The complementarity: below saturation the yield is zero, not negative."""
    r = crystalliser(2.0)
    assert r.flow_kg_h("s")["Na2CO3(s)"] == pytest.approx(0.0, abs=1e-9)


def test_stoichiometric_precipitation():
    fs = Flowsheet(NEUTRAL)
    fs.add(Feed("liquor", flows={"H2O": "10 t/h", "CuSO4": "1 kmol/h", "Ca(OH)2": "1 kmol/h"}))
    fs.add(Precipitator("p", reactions=[
        {"equation": "CuSO4 + Ca(OH)2 + 2 H2O -> Cu(OH)2(s) + CaSO4*2H2O(s)",
         "key": "CuSO4", "conversion": "95 %"}]))
    fs.add(Product("slurry"))
    fs.connect("f", "liquor", "p")
    fs.connect("s", "p", "slurry")
    r = fs.solve()
    assert r.flow_kg_h("s")["Cu(OH)2(s)"] == pytest.approx(0.95 * 97.56, rel=1e-3)


@pytest.mark.parametrize(("agent", "mw", "co2"), [("CaO", 56.077, 0.0),
                                                   ("Ca(OH)2", 74.092, 0.0),
                                                   ("CaCO3", 100.086, 1.0)])
def test_lime_dose_to_a_free_acid_target(agent, mw, co2):
    """Stoichiometry 1 mol Ca per mol H2SO4 (gypsum): the agent to bring 2 kmol/h of
    acid to 2 g/L in the outlet liquor V: q = (2 − 2·V/98.07)/u."""
    fs = Flowsheet(NEUTRAL)
    fs.add(Feed("bleed", flows={"H2O": "20 t/h", "H2SO4": "2 kmol/h"}))
    fs.add(LimeDose("lime", agent=agent, target_stream="neutralised",
                    target_free_acid="2 g/L"))
    fs.add(Neutraliser("neut", agent=agent, utilisation="90 %", target_free_acid="2 g/L"))
    for p in ("tails", "vent"):
        fs.add(Product(p))
    fs.connect("b", "bleed", "neut.feed")
    fs.connect("l", "lime", "neut.lime")
    fs.connect("neutralised", "neut.slurry", "tails")
    fs.connect("g", "neut.vent", "vent")
    r = fs.solve()
    e = r.energy["neut"]
    assert e["residual_free_acid_g/L"] == pytest.approx(2.0, rel=1e-9)
    acid_left = r.flow_kg_h("neutralised")["H2SO4(aq)"] / 98.072
    q = (2.0 - acid_left) / 0.9
    assert r.flow_kg_h("l")[f"{agent}(s)"] == pytest.approx(q * mw, rel=1e-4)
    assert e["agent_demand_to_target_kg/h"] == pytest.approx(q * mw, rel=1e-4)
    assert r.flow_kg_h("g").get("CO2(g)", 0.0) == pytest.approx(co2 * 0.9 * q * 44.009,
                                                                rel=1e-3)
    assert r.reagents["lime"][f"{agent}(s) [kg/h]"] == pytest.approx(q * mw, rel=1e-4)
    assert r.closed


def test_ph_proxy():
    assert free_acid_g_L(None, 2.0) == pytest.approx(0.005 * 98.0785)
