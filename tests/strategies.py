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
        lowest = i + 1 if kinds[i] == "thickener" else 0
        target = draw(st.integers(-1, k - 1)) if lowest < k else -1
        if target < lowest:
            fs.add(Product(f"p{n}"))
            fs.connect(f"r{n}", f"u{i}.{port}", f"p{n}")
        else:
            fs.connect(f"r{n}", f"u{i}.{port}", f"u{target}")
    return fs


#: unit kinds of :func:`random_acid_plant`: the generic ones, an acid leach that can run
#: short of acid, a cooler that can take more heat than its stream holds, and thickeners
ACID_KINDS = (*KINDS, "leach", "cooler", "thickener")


@st.composite
def random_acid_plant(draw) -> dict:
    """The recipe of a plant like :func:`random_plant`'s, with units whose specification
    can be infeasible: a leach ``CuO + H2SO4 -> CuSO4 + H2O`` at a given conversion of
    CuO (short of acid when the acid reaching it is less than the CuO it dissolves), a
    cooler with a fixed duty (colder than any liquor when its stream is small), and
    thickeners (their overflow to a product or forward: sent back, its liquor would have
    no exit). Valid input all the same: every field is in range; only the plant as a
    whole may be infeasible. :func:`build_acid_plant` makes the flowsheet."""
    k = draw(st.integers(2, 8))
    kinds = draw(st.lists(st.sampled_from(ACID_KINDS), min_size=k, max_size=k))
    feed = {"H2O": draw(st.floats(1e3, 1e5)), "CuSO4": draw(st.floats(0.0, 50.0)),
            "H2SO4": draw(st.floats(0.0, 2000.0)), "CuO": draw(st.floats(0.0, 2000.0)),
            "SiO2": draw(st.floats(1e3, 5e4))}
    units = []
    for kind in kinds:
        if kind in ("splitter", "separator", "reactor", "leach"):
            value = draw(fraction)
        elif kind == "cooler":
            value = -draw(st.floats(1.0, 3000.0))
        elif kind == "thickener":
            value = draw(st.floats(0.3, 0.7))
        elif kind == "heater":
            value = draw(st.floats(10, 95))
        else:
            value = None
        extra = draw(fraction) if kind == "separator" else None
        units.append((kind, value, extra))
    targets = []
    for i, kind in enumerate(kinds):
        if kind in ("splitter", "separator", "thickener"):
            lowest = i + 1 if kind == "thickener" else 0
            target = draw(st.integers(-1, k - 1)) if lowest < k else -1
            targets.append((i, target if target >= lowest else -1))
    return {"feed": feed, "T": draw(st.floats(5, 90)), "units": units, "second": targets}


def build_acid_plant(recipe: dict, duties: bool = True) -> Flowsheet:
    """The flowsheet of a :func:`random_acid_plant` recipe; without ``duties`` the
    coolers are plain mixers (the same material balance without the energy one)."""
    from polyflow.units.thickener import Thickener

    fs = Flowsheet(SPECIES, name="random acid plant")
    fs.add(Feed("feed", flows_kg_h=recipe["feed"], temperature=f"{recipe['T']} degC"))
    port = {"splitter": "b", "separator": "b", "thickener": "overflow"}
    kinds = [u[0] for u in recipe["units"]]
    for i, (kind, value, extra) in enumerate(recipe["units"]):
        name = f"u{i}"
        if kind == "mixer" or (kind == "cooler" and not duties):
            fs.add(Mixer(name))
        elif kind == "splitter":
            fs.add(Splitter(name, fractions={"a": "rest", "b": value}))
        elif kind == "separator":
            fs.add(Separator(name, split={"b": {"solids": value, "solution": extra}},
                             rest="a"))
        elif kind in ("reactor", "leach"):
            eqn, key = (("CuSO4 + H2O -> CuO + H2SO4", "CuSO4") if kind == "reactor"
                        else ("CuO + H2SO4 -> CuSO4 + H2O", "CuO"))
            fs.add(Reactor(name, reactions=[{"equation": eqn, "key": key,
                                             "conversion": value}]))
        elif kind == "cooler":
            fs.add(Heater(name, duty=f"{value} kW"))
        elif kind == "thickener":
            fs.add(Thickener(name, underflow_solids=value))
        else:
            fs.add(Heater(name, temperature=f"{value} degC"))
    k = len(kinds)
    fs.add(Product("end"))
    fs.connect("s_feed", "feed", "u0")
    for i, kind in enumerate(kinds):
        main = {"splitter": f"u{i}.a", "separator": f"u{i}.a",
                "thickener": f"u{i}.underflow"}.get(kind, f"u{i}")
        fs.connect(f"s{i}", main, f"u{i + 1}" if i + 1 < k else "end")
    for n, (i, target) in enumerate(recipe["second"]):
        if target < 0:
            fs.add(Product(f"p{n}"))
            fs.connect(f"r{n}", f"u{i}.{port[kinds[i]]}", f"p{n}")
        else:
            fs.connect(f"r{n}", f"u{i}.{port[kinds[i]]}", f"u{target}")
    return fs
