"""Thickener, filter and CCD against closed-form washing balances."""

from __future__ import annotations

import pytest
from tests.conftest import ccd_cascade

from polyflow import Flowsheet
from polyflow.units import Feed, Product
from polyflow.units.ccd import CCD, ideal_washing_loss
from polyflow.units.filter import Filter
from polyflow.units.thickener import Thickener


def _ccd(n, R, liquor=1000.0, solute=50.0, solids=2000.0):
    fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    fs.add(Feed("slurry", flows_kg_h={"SiO2": solids, "H2O": liquor - solute, "CuSO4": solute}))
    fs.add(Feed("wash", flows_kg_h={"H2O": R * liquor}))
    fs.add(CCD("ccd", stages=n, underflow_solids=solids / (solids + liquor)))
    fs.add(Product("washed"))
    fs.add(Product("pls"))
    fs.connect("feed", "slurry", "ccd.feed")
    fs.connect("water", "wash", "ccd.wash_water")
    fs.connect("uf", "ccd.underflow", "washed")
    fs.connect("of", "ccd.overflow", "pls")
    return fs.solve()


@pytest.mark.parametrize(("n", "R"), [(1, 2.0), (3, 1.5), (5, 2.5), (4, 1.0)])
def test_ccd_loss_equals_ideal_washing_formula(n, R):
    """McCabe, Smith & Harriott (2005) ch. 20; Gupta & Mukherjee (1990): fraction of the
    solute lost with the washed underflow = (R − 1)/(R^(n+1) − 1) (1/(n+1) at R = 1)."""
    r = _ccd(n, R)
    lost = r.flow_kg_h("uf")["CuSO4(aq)"] / 50.0
    assert lost == pytest.approx(ideal_washing_loss(R, n), rel=1e-8)
    assert r.closed


def test_ccd_unit_matches_the_cascade_of_generic_units():
    """The same train built from mixers and fixed-split separators (tests/conftest.py)."""
    ref = ccd_cascade(4, 2.0).solve()
    r = _ccd(4, 2.0)
    assert r.flow_kg_h("of")["CuSO4(aq)"] == pytest.approx(ref.flow_kg_h("of0")["CuSO4(aq)"],
                                                           rel=1e-8)


def test_thickener_underflow_density_and_solids_loss():
    """Wills (2016) §15.2: an underflow of w solids carries (1 − w)/w t of liquor per t
    of solids; the overflow takes the rest and the lost solids."""
    fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "380 t/h", "CuSO4": "20 t/h"}))
    fs.add(Thickener("t", underflow_solids="55 %", overflow_solids="1 %"))
    fs.add(Product("uf"))
    fs.add(Product("of"))
    fs.connect("f", "slurry", "t")
    fs.connect("u", "t.underflow", "uf")
    fs.connect("o", "t.overflow", "of")
    r = fs.solve()
    u = r.flow_kg_h("u")
    assert u["SiO2(s)"] == pytest.approx(99000.0, rel=1e-10)
    liquor = u["H2O(l)"] + u["CuSO4(aq)"]
    assert liquor == pytest.approx(99000.0 * 45 / 55, rel=1e-9)
    assert u["CuSO4(aq)"] / liquor == pytest.approx(20 / 400, rel=1e-9)   # no solute split
    assert r.flow_kg_h("o")["SiO2(s)"] == pytest.approx(1000.0, rel=1e-9)


def test_filter_wash_efficiency_closed_form():
    """Wakeman & Tarleton (2005) ch. 6: solute left in the cake = (1 − E) L_cake / L_feed."""
    for E in (None, 0.5, 0.9):
        fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
        fs.add(Feed("slurry", flows={"SiO2": "50 t/h", "H2O": "45 t/h", "CuSO4": "5 t/h"}))
        kw = {} if E is None else {"wash_efficiency": E}
        fs.add(Filter("filter", cake_moisture="15 %", **kw))
        fs.add(Product("cake"))
        fs.add(Product("filtrate"))
        fs.connect("f", "slurry", "filter.feed")
        if E is not None:
            fs.add(Feed("water", flows={"H2O": "20 t/h"}))
            fs.connect("w", "water", "filter.wash_water")
        fs.connect("c", "filter.cake", "cake")
        fs.connect("l", "filter.filtrate", "filtrate")
        r = fs.solve()
        L_cake = 50.0 * 0.15 / 0.85
        kept = r.flow_kg_h("c")["CuSO4(aq)"] / 5000.0
        assert kept == pytest.approx((1 - (E or 0.0)) * L_cake / 50.0, rel=1e-9)
        c = r.flow_kg_h("c")
        assert (c["H2O(l)"] + c["CuSO4(aq)"]) / 1000 == pytest.approx(L_cake, rel=1e-9)


def test_too_thick_feed_is_reported():
    fs = Flowsheet(["H2O", "SiO2"])
    fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "20 t/h"}))
    fs.add(Thickener("t", underflow_solids="50 %"))
    fs.add(Product("uf"))
    fs.add(Product("of"))
    fs.connect("f", "slurry", "t")
    fs.connect("u", "t.underflow", "uf")
    fs.connect("o", "t.overflow", "of")
    with pytest.raises(Exception, match=r"negative flow of H2O\(l\) in stream 'o'"):
        fs.solve()
