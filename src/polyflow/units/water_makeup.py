"""Fresh-water make-up to a process-water tank: the rate the plant solves so that a
consumer receives its design water flow whatever the reclaim water supplies."""

from __future__ import annotations

import numpy as np

from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._solved_feed import SolvedFeed
from polyflow.units.base import Param
from polyflow.units.feed import FEED_CATEGORIES

__all__ = ["WaterMakeup"]


class WaterMakeup(SolvedFeed):
    """Fresh water whose rate is solved: the liquid water in ``target_stream`` equals
    ``target_water``. Put it on a process-water tank (a mixer) with the reclaim water
    (thickener overflows, tailings return) and name the tank's outlet, or the consumer's
    feed stream, as the target: the make-up is the design water demand less what the
    reclaim supplies, so a consumer keeps its pulp density when reclaim water is added.

    .. math::  n_{out,H_2O} = q, \\qquad M_{H_2O}\\,n_{target,H_2O} = \\rho\\,Q^*

    (``q`` the make-up [kmol/h], an internal unknown; ``Q*`` the target [m3/h]; ρ the
    water density). Both rows are linear, so the design variable costs nothing in the
    solve. A negative ``q`` in the result means the reclaim water alone exceeds the
    demand: bleed more of it (a splitter before the tank) or lower the reclaim.

    Source: the design specification ("controller") of equation-oriented simulators,
    Westerberg et al., *Process Flowsheeting*, Cambridge (1979), ch. 5; process-water
    (reclaim plus make-up) circuits as in Wills & Finch, *Wills' Mineral Processing
    Technology*, 8th ed. (2016), ch. 15 (dewatering: thickener overflow returned as
    process water).

    Example: a mill that needs 100 m3/h of water gets 70 t/h from a thickener overflow;
    the make-up is the other 30 m3/h.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Mixer, Product
    >>> fs = Flowsheet(["H2O", "Na2SO4"])
    >>> _ = fs.add(Feed("reclaim", flows={"H2O": "70 t/h", "Na2SO4": "0.2 t/h"}))
    >>> _ = fs.add(WaterMakeup("fresh", target_stream="mill_water", target_water="100 m3/h"))
    >>> _ = fs.add(Mixer("tank")); _ = fs.add(Product("mill"))
    >>> fs.connect("r", "reclaim", "tank"); fs.connect("m", "fresh", "tank")
    >>> fs.connect("mill_water", "tank", "mill")
    >>> r = fs.solve()
    >>> round(r.flow_kg_h("m")["H2O(l)"] / 1000, 9)
    30.0
    """

    model = "water_makeup"
    params = {
        "target_stream": Param(None, "the stream whose water flow is held at the target",
                               required=True, stream=True),
        "target_water": Param("volume_flow", "liquid water in the target stream",
                              required=True, bounds=(0.0, 1e7)),
        "water_density": Param("density", "density converting target_water to a mass",
                               default=1000.0, bounds=(900.0, 1100.0)),
        "temperature": Param("temperature", "make-up water temperature", default=298.15,
                             bounds=(273.15, 373.15)),
        "category": Param.choice("feed category (water: counted as fresh water)",
                                 FEED_CATEGORIES, default="water"),
    }

    def bind(self, species) -> None:
        self._species = species
        if "H2O(l)" not in species.index:
            raise self.fail("a water make-up needs liquid water among the species",
                            hint="add 'H2O' to the flowsheet's species list")
        self.water = species.idx("H2O(l)")

    def equations(self, eq) -> None:
        out, t = self.solved_feed_rows(eq, self.water, "makeup_kmol_h")
        mw = float(eq.species.mw[self.water])
        eq.linear_rows(1, out, ROW_INTERNAL, np.zeros(1, int),
                       np.array([eq.flows(t)[self.water]]), np.array([mw]),
                       rhs=np.array([self.p["target_water"] * self.p["water_density"]]))
