"""Shared fixtures: small flowsheets built in code."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Mixer, Product, Separator, Splitter

WATER_COPPER = ["H2O", "CuSO4", "H2SO4", "SiO2", "CuO"]


def recycle_loop(s: float, feed_kg_h: float = 1000.0) -> Flowsheet:
    """feed -> mixer -> splitter; fraction s back to the mixer, the rest to product."""
    fs = Flowsheet(["H2O", "CuSO4"], name="recycle loop")
    fs.add(Feed("feed", flows_kg_h={"H2O": feed_kg_h, "CuSO4": 10.0}))
    fs.add(Mixer("mix"))
    fs.add(Splitter("split", fractions={"recycle": s, "out": "rest"}))
    fs.add(Product("product"))
    fs.connect("fresh", "feed", "mix")
    fs.connect("mixed", "mix", "split")
    fs.connect("recycle", "split.recycle", "mix")
    fs.connect("exit", "split.out", "product")
    return fs


def ccd_cascade(n: int, wash_ratio: float, liquor_kg_h: float = 1000.0,
                solute_kg_h: float = 50.0) -> Flowsheet:
    """n ideal thickeners in counter-current: the feed slurry (solids and liquor U)
    enters thickener 1, wash water R·U enters thickener n, every underflow carries
    liquor U and every overflow R·U."""
    fs = Flowsheet(["H2O", "CuSO4", "SiO2"], name=f"CCD {n} stages")
    fs.add(Feed("slurry", flows_kg_h={"SiO2": 2000.0, "H2O": liquor_kg_h - solute_kg_h,
                                      "CuSO4": solute_kg_h}))
    fs.add(Feed("wash", flows_kg_h={"H2O": wash_ratio * liquor_kg_h}))
    fs.add(Product("washed", kind="residue"))
    fs.add(Product("pls"))
    for k in range(n):
        fs.add(Mixer(f"m{k}"))
        fs.add(Separator(f"t{k}", split={"underflow": {"solids": 1.0,
                                                       "solution": 1 / (1 + wash_ratio)}},
                         rest="overflow"))
        fs.connect(f"feed{k}", f"m{k}", f"t{k}")
    fs.connect("feed", "slurry", "m0")
    fs.connect("water", "wash", f"m{n - 1}")
    for k in range(n):
        fs.connect(f"uf{k}", f"t{k}.underflow", f"m{k + 1}" if k < n - 1 else "washed")
        fs.connect(f"of{k}", f"t{k}.overflow", f"m{k - 1}" if k > 0 else "pls")
    return fs


@pytest.fixture
def loop():
    return recycle_loop


#: helper modules imported by tests as ``tests.solve.failing_units``: not collected as
#: doctest modules too, which would import them a second time under another name and
#: register their test units twice
collect_ignore = ["solve/failing_units.py"]
