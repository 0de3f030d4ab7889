"""Scale spread: a trace species beside tonnes of water does not slow or stall Newton."""

from __future__ import annotations

from polyflow import Flowsheet
from polyflow.units import Feed, Heater, Product, Separator, Splitter


def plant_with_a_trace():
    """A plant Hypothesis once found: recycles, heaters, and tenorite at 1e-200 of the
    water. Without per-species scaling of the linear solve, round-off of the water
    flows swamps the trace rows and Newton crawls (17 iterations) or stalls."""
    fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "CuO", "SiO2"])
    fs.add(Feed("feed", flows_kg_h={"H2O": 99999.0, "CuSO4": 30.86, "H2SO4": 17.29,
                                    "CuO": 7e-196, "SiO2": 37775.8}, temperature="30.3 degC"))
    fs.add(Heater("u0", temperature="41.5 degC"))
    fs.add(Separator("u1", split={"b": {"solids": 0.905, "solution": 0.851}}, rest="a"))
    fs.add(Splitter("u2", fractions={"a": "rest", "b": 0.607}))
    fs.add(Splitter("u3", fractions={"a": "rest", "b": 1.4e-45}))
    fs.add(Separator("u4", split={"b": {"solids": 0.465, "solution": 0.700}}, rest="a"))
    fs.add(Heater("u5", temperature="91.4 degC"))
    fs.add(Splitter("u6", fractions={"a": "rest", "b": 0.622}))
    fs.add(Separator("u7", split={"b": {"solids": 0.812, "solution": 0.367}}, rest="a"))
    fs.add(Product("end"))
    fs.add(Product("p3"))
    for name, a, b in [("s_feed", "feed", "u0"), ("s0", "u0", "u1"), ("s1", "u1.a", "u2"),
                       ("s2", "u2.a", "u3"), ("s3", "u3.a", "u4"), ("s4", "u4.a", "u5"),
                       ("s5", "u5", "u6"), ("s6", "u6.a", "u7"), ("s7", "u7.a", "end"),
                       ("r0", "u1.b", "u2"), ("r1", "u2.b", "u3"), ("r2", "u3.b", "u5"),
                       ("r3", "u4.b", "p3"), ("r4", "u6.b", "u3"), ("r5", "u7.b", "u0")]:
        fs.connect(name, a, b)
    return fs


def test_trace_species_converges_in_a_few_newton_iterations():
    r = plant_with_a_trace().solve()
    assert r.iterations <= 4
    assert max(r.closure.values()) < 1e-12
