"""Test units that make the solve fail, and a one-unit line to put them in (shared by
the tests of failures raised and failures returned as data)."""

from __future__ import annotations

from polyflow import Flowsheet
from polyflow.units import Feed, Product
from polyflow.units.base import Unit

__all__ = ["FreeInternal", "NoRoot", "line_of"]


class NoRoot(Unit):
    """Test unit: outlet = inlet, plus an internal unknown z with z² + 1 = 0, which has
    no real root, so Newton cannot converge.

    Source: a textbook non-convergent case (no real solution).
    """

    model = "test_no_root"

    def equations(self, eq) -> None:
        out, (inlet,) = eq.outlets["out"], eq.all_inlets
        eq.species_map(out, [(inlet, 1.0)])
        eq.temperature_equal(out, inlet)
        (z,) = eq.internal(["z"], [0.5])
        eq.nonlinear([z], 1, lambda v: (v**2 + 1.0, v**2 + 1.0), labels=["z^2 + 1 = 0"])


class FreeInternal(Unit):
    """Test unit: an internal unknown no equation touches, and an outlet temperature
    fixed twice (structurally singular).

    Source: a constructed case for the structural degrees-of-freedom check.
    """

    model = "test_free_internal"

    def equations(self, eq) -> None:
        out, (inlet,) = eq.outlets["out"], eq.all_inlets
        eq.species_map(out, [(inlet, 1.0)])
        eq.temperature_equal(out, inlet)
        eq.internal(["lonely"], [0.0])
        eq.temperature_fixed(out, 300.0)


def line_of(unit: Unit) -> Flowsheet:
    fs = Flowsheet(["H2O"])
    fs.add(Feed("feed", flows={"H2O": "1 t/h"}))
    fs.add(unit)
    fs.add(Product("out"))
    fs.connect("a", "feed", unit.name)
    fs.connect("b", unit.name, "out")
    return fs
