"""Fresh-water make-up to a process-water tank fed by thickener overflow (reclaim)."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Mixer, Product
from polyflow.units.thickener import Thickener
from polyflow.units.water_makeup import WaterMakeup


def reclaim_loop(demand_m3_h: float, underflow_solids: str = "60 %"):
    """Ore (100 t/h dry, 1 t/h of salt) repulped with process water, thickened; the
    overflow returns to the process-water tank, topped up with fresh water."""
    fs = Flowsheet(["H2O", "SiO2(s)", "Na2SO4"])
    fs.add(Feed("ore", flows={"SiO2(s)": "100 t/h", "Na2SO4": "1 t/h"}))
    fs.add(WaterMakeup("fresh", target_stream="process_water",
                       target_water=f"{demand_m3_h} m3/h"))
    fs.add(Mixer("repulp"))
    fs.add(Thickener("thickener", underflow_solids=underflow_solids))
    fs.add(Mixer("tank"))
    fs.add(Product("tails", kind="residue"))
    fs.connect("ore_in", "ore", "repulp")
    fs.connect("process_water", "tank", "repulp")
    fs.connect("pulp", "repulp", "thickener")
    fs.connect("underflow", "thickener.underflow", "tails")
    fs.connect("reclaim_recycle", "thickener.overflow", "tank")
    fs.connect("makeup", "fresh", "tank")
    return fs.solve()


def test_makeup_is_the_water_that_leaves_with_the_underflow():
    """Steady state of a closed process-water loop (Wills & Finch, Wills' Mineral
    Processing Technology, 8th ed., ch. 15: a thickener at underflow solids φ sends
    M_s(1 − φ)/φ of liquor to the tailings). The only water exit is the underflow, so
    the make-up is that liquor less the dissolved salt, whatever the demand: at φ = 60 %,
    100 × 0.4/0.6 = 66.667 t/h of liquor, 1 t/h of it salt (all the salt must leave
    there too): 65.667 t/h of fresh water."""
    makeup = 100_000.0 * 0.4 / 0.6 - 1000.0
    for demand in (150.0, 400.0):
        r = reclaim_loop(demand)
        assert r.flow_kg_h("makeup")["H2O(l)"] == pytest.approx(makeup, rel=1e-9)
        assert r.flow_kg_h("process_water")["H2O(l)"] == pytest.approx(demand * 1000,
                                                                         rel=1e-12)
        reclaim = r.flow_kg_h("reclaim_recycle")["H2O(l)"]
        assert reclaim == pytest.approx(demand * 1000 - makeup, rel=1e-9)
        assert r.closed


def test_salt_builds_up_in_the_loop_to_what_the_underflow_can_carry():
    """All 1 t/h of salt leaves in 66.667 t/h of underflow liquor, so the liquor holds
    1/66.667 = 1.5 % salt in the thickener and its overflow (it does not separate
    solutes), a figure set by the underflow alone; the make-up dilutes it at the tank."""
    r = reclaim_loop(400.0)
    pw = r.flow_kg_h("reclaim_recycle")
    assert pw["Na2SO4(aq)"] / (pw["Na2SO4(aq)"] + pw["H2O(l)"]) == pytest.approx(
        1000.0 / (100_000.0 * 0.4 / 0.6), rel=1e-9)


def test_a_target_that_is_not_a_stream_is_named_with_the_fix():
    from polyflow.errors import InputError

    fs = Flowsheet(["H2O", "SiO2(s)"])
    fs.add(WaterMakeup("fresh", target_stream="mill_watr", target_water="10 m3/h"))
    fs.add(Mixer("tank"))
    fs.add(Product("mill"))
    fs.connect("m", "fresh", "tank")
    fs.connect("mill_water", "tank", "mill")
    with pytest.raises(InputError, match=r"target_stream 'mill_watr' is not a stream of the "
                                         r"plant.*did you mean 'mill_water'"):
        fs.solve()
