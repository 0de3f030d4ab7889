"""CCD mixing (stage) efficiency: ideal at 1, a hand-worked single thickener, and the
direction and size of the lever on a six-stage train."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.chem.species import load_database
from polyflow.units import Feed, Product
from polyflow.units.ccd import CCD, ideal_washing_loss, washing_train


def ccd(n, R, e, liquor=1000.0, solute=50.0, solids=2000.0):
    fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    fs.add(Feed("slurry", flows_kg_h={"SiO2": solids, "H2O": liquor - solute,
                                      "CuSO4": solute}))
    fs.add(Feed("wash", flows_kg_h={"H2O": R * liquor}))
    fs.add(CCD("ccd", stages=n, underflow_solids=solids / (solids + liquor),
               mixing_efficiency=e))
    fs.add(Product("washed"))
    fs.add(Product("pls"))
    fs.connect("feed", "slurry", "ccd.feed")
    fs.connect("water", "wash", "ccd.wash_water")
    fs.connect("uf", "ccd.underflow", "washed")
    fs.connect("of", "ccd.overflow", "pls")
    r = fs.solve()
    assert r.closed
    return r.flow_kg_h("uf")["CuSO4(aq)"] / solute


def test_one_thickener_by_hand():
    """One thickener, the feed's 1 t/h of liquor (50 kg/h CuSO4) with 2 t/h of water: its
    underflow keeps 1 t/h of liquor, 1 − e of it the feed liquor unmixed (5 % CuSO4),
    e of it the mixed 3 t/h (1.667 %): lost = (1 − e) + e/3 of the solute; at e = 0.8,
    0.2 + 0.2667 = 0.4667 (ideal: 1/3)."""
    assert ccd(1, 2.0, 0.8) == pytest.approx(0.2 + 0.8 / 3, rel=1e-8)
    assert ccd(1, 2.0, 1.0) == pytest.approx(1 / 3, rel=1e-8)


def test_efficiency_one_is_the_ideal_train_and_less_loses_more():
    """At e = 1 the ideal CCD (R − 1)/(R^(n+1) − 1); six stages at R = 2 lose 1/127 =
    0.79 % of the solute; at e = 0.95, 0.9, 0.8 the unmixed share of each underflow
    carries solute forward: 1.21, 1.77 and 3.43 % (4.4 times the ideal loss at 0.8)."""
    ideal = ccd(6, 2.0, 1.0)
    assert ideal == pytest.approx(ideal_washing_loss(2.0, 6), rel=1e-8)
    losses = [ccd(6, 2.0, e) for e in (1.0, 0.95, 0.9, 0.8)]
    assert all(a < b for a, b in itertools.pairwise(losses))
    assert losses[-1] == pytest.approx(0.034345, rel=1e-4)


def test_washing_train_closes_every_species():
    """The start profile solves the train's balances: feed + wash = underflow_n +
    overflow_1 for every species, at any efficiency."""
    sp = load_database().subset(["H2O", "CuSO4", "SiO2"])
    mw = sp.mw
    solids, liquor = sp.mask("s"), sp.mask(("aq", "l"))
    feed = np.zeros(len(sp))
    feed[sp.idx("SiO2(s)")] = 2000 / mw[sp.idx("SiO2(s)")]
    feed[sp.idx("H2O(l)")] = 950 / mw[sp.idx("H2O(l)")]
    feed[sp.idx("CuSO4(aq)")] = 50 / mw[sp.idx("CuSO4(aq)")]
    wash = np.zeros(len(sp))
    wash[sp.idx("H2O(l)")] = 2000 / mw[sp.idx("H2O(l)")]
    for e in (1.0, 0.7):
        under, over, _, _ = washing_train(feed, wash, 4, 0.5, mw, solids, liquor, e)
        np.testing.assert_allclose(under[-1] + over[0], feed + wash, rtol=1e-12)
        assert np.all(under >= -1e-12) and np.all(over >= -1e-12)
        liquor_uf = float(mw[liquor] @ under[-1][liquor])
        assert liquor_uf == pytest.approx(0.5 * 2000.0, rel=1e-12)
