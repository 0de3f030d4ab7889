"""CCD trains that wash well converge from the cold start and match the ideal-stage loss.

Ideal counter-current washing (McCabe, Smith & Harriott, *Unit Operations of Chemical
Engineering*, 7th ed. (2005), ch. 20, counter-current washing with constant underflow;
Gupta & Mukherjee, *Hydrometallurgy in Extraction Processes*, vol. II (1990), ch. 1):
with every underflow carrying the same liquor mass ``L_u`` and wash liquor ``W``, the
wash ratio is ``R = W/L_u`` and the fraction of the feed solute leaving with the washed
underflow of ``n`` thickeners is ``(R − 1)/(R^(n+1) − 1)``.

Feed-liquor basis of that formula: the slurry enters thickener 1 already at the underflow
density (its liquor equals ``L_u``), so every overflow but the first carries ``W`` and
the first ``W`` too. Here: 100 t/h of quartz at 2/3 solids (``L_u`` = 50 t/h) with
45 t/h of water and 5 t/h of CuSO4 (50 t/h of liquor), washed with ``50 R`` t/h of water.

Before the start profile of the train (`polyflow.units.ccd.ideal_train`), 31 of these 60
trains did not converge: every liquor split started at 0.5.
"""

from __future__ import annotations

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Product
from polyflow.units.ccd import CCD, ideal_train, ideal_washing_loss

RATIOS = [1.2, 1.5, 2.0, 3.0, 5.0, 8.0]


def _train(n: int, R: float) -> Flowsheet:
    fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "45 t/h", "CuSO4": "5 t/h"}))
    fs.add(Feed("water", flows={"H2O": f"{50.0 * R} t/h"}))
    fs.add(CCD("ccd", stages=n, underflow_solids=2 / 3))
    fs.add(Product("residue"))
    fs.add(Product("pls"))
    fs.connect("feed", "slurry", "ccd.feed")
    fs.connect("wash", "water", "ccd.wash_water")
    fs.connect("washed", "ccd.underflow", "residue")
    fs.connect("of", "ccd.overflow", "pls")
    return fs


@pytest.mark.parametrize("n", range(3, 13))
def test_trains_converge_to_the_ideal_loss(n):
    for R in RATIOS:
        r = _train(n, R).solve()
        loss = r.flow_kg_h("washed")["CuSO4(aq)"] / 5000.0
        assert loss == pytest.approx(ideal_washing_loss(R, n), rel=1e-8), (n, R)
        assert r.iterations <= 8, (n, R, r.iterations)


def test_the_two_trains_of_the_issue():
    """6 thickeners at R = 3 and 8 at R = 2 lose below 0.2 % of the solute."""
    for n, R in ((6, 3.0), (8, 2.0)):
        r = _train(n, R).solve()
        assert r.flow_kg_h("washed")["CuSO4(aq)"] / 5000.0 < 2e-3


def test_start_profile_is_the_trains_solution():
    """`ideal_train` solves the train's own equations: balances close and the overflow
    liquor of every stage but the first is the wash (constant underflow)."""
    fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    sp = fs.species
    mw = sp.mw
    solids = sp.mask("s")
    liquor = ~(solids | sp.mask("g"))
    feed = np.zeros(len(sp))
    feed[sp.idx("SiO2")] = 100e3 / mw[sp.idx("SiO2")]
    feed[sp.idx("H2O")] = 45e3 / mw[sp.idx("H2O")]
    feed[sp.idx("CuSO4")] = 5e3 / mw[sp.idx("CuSO4")]
    wash = np.zeros(len(sp))
    wash[sp.idx("H2O")] = 150e3 / mw[sp.idx("H2O")]
    U, Ov, f = ideal_train(feed, wash, 6, 0.5, mw, solids, liquor)
    assert np.allclose(U[-1] + Ov[0], feed + wash, rtol=1e-12)
    assert np.allclose(mw[liquor] @ Ov[1:, liquor].T, 150e3, rtol=1e-12)
    assert np.allclose(mw[liquor] @ U[:, liquor].T, 50e3, rtol=1e-12)
    assert U[-1, sp.idx("CuSO4")] / feed[sp.idx("CuSO4")] == pytest.approx(
        ideal_washing_loss(3.0, 6), rel=1e-12)
    # too little liquor for the underflows: no profile (NaN), Newton keeps its iterate
    U, _, f = ideal_train(feed, wash * 0, 2, 10.0, mw, solids, liquor)
    assert np.all(np.isnan(f))
