"""Hypothesis strategies: random flowsheets of generic units with random recycles."""

from __future__ import annotations

from hypothesis import strategies as st

from polyflow import Flowsheet
from polyflow.units import Feed, Heater, Mixer, Product, Separator, Splitter
from polyflow.units import StoichiometricReactor as Reactor

SPECIES = ["H2O", "CuSO4", "H2SO4", "CuO", "SiO2"]
KINDS = ("mixer", "splitter", "separator", "reactor", "heater")
fraction = st.floats(min_value=0.0, max_value=0.95, allow_nan=False)


@st.composite
def random_plant(draw) -> Flowsheet:
    """A line of 2-8 units; each splitting unit's second outlet goes to any unit
    (a recycle when upstream) or to a product. Splits are by phase, so the aqueous
    species keep their ratio and the precipitation CuSO4 + H2O -> CuO + H2SO4 can never
    run short of water."""
    k = draw(st.integers(2, 8))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=k, max_size=k))
    fs = Flowsheet(SPECIES, name="random plant")
    fs.add(Feed("feed", flows_kg_h={
        "H2O": draw(st.floats(1e3, 1e5)), "CuSO4": draw(st.floats(0.0, 50.0)),
        "H2SO4": draw(st.floats(0.0, 100.0)), "CuO": draw(st.floats(0.0, 20.0)),
        "SiO2": draw(st.floats(0.0, 5e4))}, temperature=f"{draw(st.floats(5, 90))} degC"))
    second: list[tuple[int, str]] = []
    for i, kind in enumerate(kinds):
        name = f"u{i}"
        if kind == "mixer":
            fs.add(Mixer(name))
        elif kind == "splitter":
            fs.add(Splitter(name, fractions={"a": "rest", "b": draw(fraction)}))
            second.append((i, "b"))
        elif kind == "separator":
            fs.add(Separator(name, split={"b": {"solids": draw(fraction),
                                                "solution": draw(fraction)}}, rest="a"))
            second.append((i, "b"))
        elif kind == "reactor":
            energy = draw(st.sampled_from([{}, {"temperature": "40 degC"},
                                           {"duty": "-2 kW"}, {"duty": "50 kW"}]))
            fs.add(Reactor(name, reactions=[{"equation": "CuSO4 + H2O -> CuO + H2SO4",
                                             "key": "CuSO4", "conversion": draw(fraction)}],
                           **energy))
        else:
            fs.add(Heater(name, temperature=f"{draw(st.floats(10, 95))} degC"))
    fs.add(Product("end"))
    fs.connect("s_feed", "feed", "u0")
    for i, kind in enumerate(kinds):
        main = f"u{i}.a" if kind in ("splitter", "separator") else f"u{i}"
        fs.connect(f"s{i}", main, f"u{i + 1}" if i + 1 < k else "end")
    for n, (i, port) in enumerate(second):
        target = draw(st.integers(-1, k - 1))
        if target < 0:
            fs.add(Product(f"p{n}"))
            fs.connect(f"r{n}", f"u{i}.{port}", f"p{n}")
        else:
            fs.connect(f"r{n}", f"u{i}.{port}", f"u{target}")
    return fs
