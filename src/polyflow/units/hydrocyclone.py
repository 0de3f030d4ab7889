"""Hydrocyclone: Whiten's efficiency curve with a corrected d50c and water bypass."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from polyflow.comminution import whiten_efficiency
from polyflow.errors import InputError, PolyflowError
from polyflow.psd import representative_sizes, require_sizes
from polyflow.quantity import parse_quantity
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.separator import distribute

__all__ = ["Hydrocyclone", "read_sizes_by_mineral"]


def read_sizes_by_mineral(value: object) -> dict[str, float]:
    """``{mineral = "45 um"}`` -> ``{mineral: 4.5e-5}`` (metres)."""
    if not isinstance(value, Mapping):
        raise InputError("expected a table {mineral = size}, e.g. {'Au(s)' = '20 um'}",
                         value=value)
    out = {}
    for k, v in value.items():
        try:
            out[str(k)] = parse_quantity(v, "length")
        except InputError as err:
            raise InputError(f"size of {k!r}: {err.message}", hint=err.hint) from None
        if not out[str(k)] > 0:
            raise InputError(f"size of {k!r} must be above zero", value=v)
    return out


def partition_vector(unit: Unit, species, d50: float, alpha: float, bypass: float,
                     liquid: float, by_mineral: dict[str, float]) -> np.ndarray:
    """Fraction of each species to the coarse product: ``Rf + (1 − Rf)·E(d/d50)`` for the
    size classes (``d50`` per mineral where given), ``liquid`` for water, solutes and
    solids without sizes, 0 for gases."""
    sieves = require_sizes(unit, species)
    d = representative_sizes(sieves)
    f = np.where(species.mask("g"), 0.0, liquid)
    sized = species.size_index >= 0
    d50s = np.full(len(species), d50)
    for key, size in by_mineral.items():
        try:
            d50s[species.components(key)] = size
        except PolyflowError as err:
            raise unit.fail(f"{err.message}", "d50c_minerals", hint=err.hint) from None
    k = species.size_index[sized]
    f[sized] = bypass + (1.0 - bypass) * whiten_efficiency(d[k] / d50s[sized], alpha)
    return f


class Hydrocyclone(Unit):
    """Hydrocyclone classifier: a partition curve with a corrected cut size d50c,
    sharpness α and the water split to underflow, which carries a bypass of every size
    (Lynch & Rao's form with Whiten's efficiency curve).

    .. math::

        E_{c}(x) = \\frac{e^{\\alpha x} - 1}{e^{\\alpha x} + e^{\\alpha} - 2},\\quad
        x = \\frac{d}{d_{50c}},\\qquad
        E_a = R_f + (1 - R_f)\\,E_c

    ``E_a`` is the fraction of each size class to the underflow; water and solutes go to
    the underflow in the fraction ``water_to_underflow`` (Rf), which is also the bypass
    unless ``bypass`` is given. For fixed d50c the split is linear in the flows. Denser
    minerals classify finer (Stokes: d50c ∝ 1/√(ρs − ρl)): ``d50c_minerals`` gives a
    mineral its own cut size. Solids without sizes follow the water.

    Source: Lynch & Rao, "Modelling and scale-up of hydrocyclone classifiers", Proc. 11th
    Int. Mineral Processing Congress, Cagliari (1975) 245–269; Plitt, "A mathematical
    model of the hydrocyclone classifier", CIM Bulletin 69 (1976) 114–123; Napier-Munn,
    Morrell, Morrison & Kojovic, *Mineral Comminution Circuits*, JKMRC (1996), ch. 10;
    Wills & Finch, *Wills' Mineral Processing Technology*, 8th ed. (2016), ch. 9.

    Example: at the corrected cut size E_c = 1/2, so with 30 % of the water to the
    underflow the class between the 150 and 106 µm sieves (size √(150 × 106) = 126.1 µm)
    splits 0.3 + 0.7 × 0.5 = 65 % to the underflow when d50c = 126.1 µm; the next,
    at 89.2 µm (x = 0.707, E_c = 0.278 with α = 3), 0.3 + 0.7 × 0.278 = 49.4 %:

    >>> from polyflow.chem.species import load_database
    >>> sp = load_database().subset(["H2O", "SiO2"]).sized([150e-6, 106e-6, 75e-6])
    >>> c = Hydrocyclone("cyc", d50c="126.1 um", alpha=3.0, water_to_underflow="30 %")
    >>> c.bind(sp)
    >>> c.fractions["underflow"].round(3).tolist()   # water, then the three classes
    [0.3, 0.65, 0.494, 0.408]
    """

    model = "hydrocyclone"
    inlets = ("in*",)
    outlets = ("underflow", "overflow")
    params = {
        "d50c": Param("length", "corrected cut size (50 % of a size to underflow, bypass "
                                "excluded)", required=True, bounds=(1e-7, 0.1)),
        "alpha": Param("ratio", "sharpness α of the efficiency curve (2.5–4 typical)",
                       default=3.0, bounds=(0.05, 50.0)),
        "water_to_underflow": Param("fraction", "water split to the underflow Rf",
                                    required=True, bounds=(0.0, 1.0)),
        "bypass": Param("fraction", "solids of every size short-circuited to underflow "
                                    "(default: Rf)", bounds=(0.0, 1.0)),
        "d50c_minerals": Param(None, "mineral -> its own d50c (denser minerals cut finer)",
                               default={}, parse=read_sizes_by_mineral),
    }
    results = {
        "d50c": Reported("um", "corrected cut size"),
        "underflow_solids": Reported("%", "solids in the underflow slurry, by mass"),
    }
    outlet_kinds = {"underflow": "coarse", "overflow": "fine"}

    def bind(self, species) -> None:
        rf = self.p["water_to_underflow"]
        bypass = rf if self.p["bypass"] is None else self.p["bypass"]
        u = partition_vector(self, species, self.p["d50c"], self.p["alpha"], bypass, rf,
                             self.p["d50c_minerals"])
        self.fractions = {"underflow": u, "overflow": 1.0 - u}
        self.species = species

    def equations(self, eq) -> None:
        distribute(eq, self.fractions)

    def report(self, sol) -> dict[str, float]:
        n, _ = sol.outlets["underflow"]
        m = n * self.species.mw
        solids = float(m[self.species.mask("s")].sum())
        slurry = solids + float(m[self.species.mask(("aq", "l"))].sum())
        return {"d50c": self.p["d50c"] * 1e6,
                "underflow_solids": 100.0 * solids / slurry if slurry > 0 else 0.0}
