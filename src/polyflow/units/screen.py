"""Vibrating screen: efficiency (partition) curve about a cut size near the aperture."""

from __future__ import annotations

from polyflow.units.base import Param, Unit
from polyflow.units.hydrocyclone import partition_vector
from polyflow.units.separator import distribute

__all__ = ["Screen"]


class Screen(Unit):
    """Screen: each size class splits to the oversize by Whiten's efficiency curve about
    the cut size ``d50`` (the aperture unless given; wear and near-size particles put it
    a little below), plus a bypass of fines carried over with the oversize; water and
    solutes split by ``water_to_oversize``.

    .. math::

        E(x) = \\frac{e^{\\alpha x} - 1}{e^{\\alpha x} + e^{\\alpha} - 2},\\quad
        x = \\frac{d}{d_{50}},\\qquad
        E_{oversize} = R_f + (1 - R_f)\\,E

    Linear in the flows for a fixed cut size. Solids without sizes follow the water.

    Source: the efficiency-curve screen model of Napier-Munn, Morrell, Morrison &
    Kojovic, *Mineral Comminution Circuits*, JKMRC (1996), ch. 9 (Whiten's curve, as for
    classifiers); Wills & Finch, *Wills' Mineral Processing Technology*, 8th ed. (2016),
    ch. 8 (screen efficiency and partition curves).

    Example: a 12 mm screen (α = 8, no bypass) sends the class between the 25.5 and
    18 mm sieves (size √(25.46 × 18) = 21.4 mm, x = 1.784) to the oversize with
    E = (e^14.27 − 1)/(e^14.27 + e^8 − 2) = 0.998:

    >>> import numpy as np
    >>> from polyflow.chem.species import load_database
    >>> sp = load_database().subset(["SiO2"]).sized([18e-3 * np.sqrt(2), 18e-3])
    >>> s = Screen("screen", aperture="12 mm", alpha=8.0)
    >>> s.bind(sp)
    >>> round(float(s.fractions["oversize"][0]), 3)
    0.998
    """

    model = "screen"
    inlets = ("in*",)
    outlets = ("oversize", "undersize")
    params = {
        "aperture": Param("length", "screen aperture", required=True, bounds=(1e-6, 1.0)),
        "d50": Param("length", "cut size of the efficiency curve (default: the aperture)",
                     bounds=(1e-6, 1.0)),
        "alpha": Param("ratio", "sharpness α of the efficiency curve", default=6.0,
                       bounds=(0.05, 100.0)),
        "bypass": Param("fraction", "fines carried to the oversize, every size",
                        default=0.0, bounds=(0.0, 1.0)),
        "water_to_oversize": Param("fraction", "water split to the oversize", default=0.0,
                                   bounds=(0.0, 1.0)),
    }
    outlet_kinds = {"oversize": "coarse", "undersize": "fine"}

    def bind(self, species) -> None:
        d50 = self.p["d50"] if self.p["d50"] is not None else self.p["aperture"]
        o = partition_vector(self, species, d50, self.p["alpha"], self.p["bypass"],
                             self.p["water_to_oversize"], {})
        self.fractions = {"oversize": o, "undersize": 1.0 - o}

    def equations(self, eq) -> None:
        distribute(eq, self.fractions)
