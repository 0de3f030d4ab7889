"""Leach tanks against Levenspiel's shrinking-core results for mixed flow."""

from __future__ import annotations

import math

import pytest

from polyflow import Flowsheet
from polyflow.errors import InputError
from polyflow.units import Feed, Product
from polyflow.units.leach_tanks import LeachTanks, shrinking_core_cstr_series

RX = "CuO + H2SO4 -> CuSO4 + H2O"


def leach(reaction, tanks=1, acid="20 kmol/h", **kw):
    fs = Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O", "SiO2", "CaCO3(s)", "CaSO4*2H2O(s)",
                    "CO2(g)"])
    fs.add(Feed("ore", flows={"CuO": "10 kmol/h", "SiO2": "10 t/h", "H2SO4": acid,
                              "H2O": "20 t/h", "CaCO3(s)": "1 kmol/h"}))
    if "tank_volume" not in kw:
        kw.setdefault("residence_time", "4 h")
    kw.setdefault("temperature", "40 degC")
    fs.add(LeachTanks("leach", tanks=tanks, reactions=[
        {"equation": RX, "key": "CuO", **reaction},
        {"equation": "CaCO3(s) + H2SO4 + H2O -> CaSO4*2H2O(s) + CO2(g)", "key": "CaCO3(s)",
         "conversion": "90 %"}], **kw))
    fs.add(Product("slurry"))
    fs.add(Product("gas"))
    fs.connect("f", "ore", "leach")
    fs.connect("d", "leach.discharge", "slurry")
    fs.connect("v", "leach.vent", "gas")
    return fs.solve()


@pytest.mark.parametrize("s", [0.25, 1.0, 3.0])
def test_chemical_control_in_one_tank_is_levenspiels_mixed_flow_result(s):
    """Levenspiel (1999) ch. 25, mixed flow of one particle size, reaction control:
    X̄ = 3s − 6s² + 6s³(1 − e^(−1/s)), s = τ̄/τ (τ the time for complete conversion)."""
    X = 3 * s - 6 * s**2 + 6 * s**3 * (1 - math.exp(-1 / s))
    assert shrinking_core_cstr_series(1.0, s, 1, "chemical") == pytest.approx(X, rel=1e-9)


@pytest.mark.parametrize("ratio", [0.1, 0.3])
def test_diffusion_control_in_one_tank_is_levenspiels_series(ratio):
    """Levenspiel (1999) ch. 25, mixed flow, ash-layer diffusion control, for τ/τ̄ small:
    1 − X̄ = τ/(5τ̄) − 19/420 (τ/τ̄)² + 41/4620 (τ/τ̄)³ − 0.00149 (τ/τ̄)⁴."""
    r = ratio
    series = r / 5 - 19 / 420 * r**2 + 41 / 4620 * r**3 - 0.00149 * r**4
    X = shrinking_core_cstr_series(1.0 / r, 1.0, 1, "diffusion")
    assert pytest.approx(series, rel=1e-3) == 1 - X


def test_many_tanks_approach_plug_flow():
    """N CSTRs → plug flow as N grows: X = 1 − (1 − t/τ)³ at t = τ/2 (0.875)."""
    X_pf = 1 - (1 - 0.5) ** 3
    X = [shrinking_core_cstr_series(1.0, 0.5 / n, n, "chemical") for n in (1, 4, 100)]
    assert X[0] < X[1] < X[2] < X_pf
    assert X[2] == pytest.approx(X_pf, abs=0.01)


def test_plant_unit_carries_conversion_tank_to_tank():
    r = leach({"kinetics": "chemical", "k": "0.25 1/h"}, tanks=4)
    e = r.energy["leach"]
    X = [e[f"X_CuO_tank{k}_%"] / 100 for k in range(1, 5)]
    for k, x in enumerate(X, start=1):
        assert x == pytest.approx(shrinking_core_cstr_series(0.25, 1.0, k, "chemical"),
                                  rel=1e-9)
    assert r.flow_kg_h("d")["CuO(s)"] == pytest.approx(10 * (1 - X[-1]) * 79.545, rel=1e-4)
    # acid: 1 per CuO and 0.9 per CaCO3, per tonne of solids fed
    solids_t = (10 * 79.545 + 10000 + 100.09) / 1000
    acid = (10 * X[-1] + 0.9) * 98.07 / solids_t
    assert e["H2SO4_consumed_kg/t"] == pytest.approx(acid, rel=1e-3)
    assert r.flow_kg_h("v")["CO2(g)"] == pytest.approx(0.9 * 44.01, rel=1e-3)
    assert e["heat_of_reaction_kW"] < 0      # exothermic (NBS 1982 enthalpies)


def test_rate_law_per_tank_balance():
    """Rate law in each CSTR: X_k − X_(k−1) = k τ C_k (1 − X_k)^(2/3), C_k in g/L."""
    r = leach({"kinetics": "rate_law", "k": "0.01 1/h", "reagent": "H2SO4", "order": 1},
              tanks=3, residence_time="6 h")
    e = r.energy["leach"]
    X = [0.0] + [e[f"X_CuO_tank{k}_%"] / 100 for k in range(1, 4)]
    liquor_m3 = (20000 + 20 * 98.07) / 1000
    for k in range(1, 4):
        acid_kmol = 20 - 0.9 - 10 * X[k]
        C = acid_kmol * 98.07 / liquor_m3
        assert X[k] - X[k - 1] == pytest.approx(0.01 * 2.0 * C * (1 - X[k]) ** (2 / 3),
                                                rel=2e-3)


def test_tank_volume_sets_the_residence_time_and_arrhenius_raises_k():
    base = leach({"kinetics": "chemical", "k": "0.25 1/h"}, tanks=2)
    vol = leach({"kinetics": "chemical", "k": "0.25 1/h"}, tanks=2,
                tank_volume="50 m3")
    Q = (20000 + 20 * 98.07) / 1000 + (10 * 79.545 + 10000 + 100.09) / 2700
    assert vol.energy["leach"]["residence_time_per_tank_h"] == pytest.approx(50 / Q, rel=1e-5)
    hot = leach({"kinetics": "chemical", "k": "0.25 1/h", "activation_energy": "40 kJ/mol",
                 "k_temperature": "25 degC"}, tanks=2)
    assert hot.energy["leach"]["X_CuO_tank2_%"] > base.energy["leach"]["X_CuO_tank2_%"]


def test_kinetics_need_a_residence_time():
    with pytest.raises(InputError, match="need the residence time"):
        LeachTanks("leach", reactions=[{"equation": RX, "key": "CuO",
                                        "kinetics": "chemical", "k": "0.2 1/h"}])


def test_first_guess_of_the_conversions_is_the_closed_form():
    """Under chemical or diffusion control with a given residence time the conversions do
    not depend on the liquor (Levenspiel (1999) ch. 25), so the unit's initial guess is
    the answer: the start-up Newton step leaches what the plant will leach (a tankhouse
    downstream whose current is fixed then starts feasible)."""
    lt = LeachTanks("leach", tanks=3, residence_time="6 h", temperature="40 degC",
                    reactions=[{"equation": RX, "key": "CuO", "kinetics": "diffusion",
                                "k": "0.2 1/h"}])
    it = {"kinetics": "diffusion", "k": 0.2, "Ea": 0.0}
    lt._tau = 2.0
    guess = lt._conversion_guess(it, 3, 313.15)
    assert guess == pytest.approx([shrinking_core_cstr_series(0.2, 2.0, n, "diffusion")
                                   for n in (1, 2, 3)], rel=1e-12)
    r = leach({"kinetics": "diffusion", "k": "0.2 1/h"}, tanks=3, residence_time="6 h")
    last = r.energy["leach"]["X_CuO_tank3_%"] / 100
    assert last == pytest.approx(guess[-1], rel=1e-9)
    assert r.iterations <= 4
