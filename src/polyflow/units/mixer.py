"""Mixer: streams combined adiabatically."""

from __future__ import annotations

import numpy as np

from polyflow.chem.dilution import dissolution_matrix
from polyflow.errors import DataError, InputError
from polyflow.solve.batch import pass_through
from polyflow.units.base import Param, Unit

__all__ = ["Mixer"]


class Mixer(Unit):
    """Adiabatic mixer of any number of inlet streams.

    Equations: the species balance and the energy balance on the formation-enthalpy
    basis, which fixes the outlet temperature:

    .. math::

        n_{out,i} = \\sum_k n_{k,i}, \\qquad
        \\sum_k \\sum_i n_{k,i}\\, h_i(T_k) = \\sum_i n_{out,i}\\, h_i(T_{out})

    Delivered reagents dissolve in the mixer (``dissolve = true``, the default): a species
    with a ``dissolves_to`` entry in the species tables (``H2SO4(l)``, ``NaOH(s)``,
    ``Na2CO3(s)``, ``NaCN(s)``, ``Na2S(s)``) leaves as its aqueous form, ``n_out = D Σ_k
    n_k`` (:func:`polyflow.chem.dilution.dissolution_matrix`), so its heat of solution,
    with the finite-dilution correction of :mod:`polyflow.chem.dilution`, is released
    here and raises the outlet temperature.

    Source: Felder & Rousseau, *Elementary Principles of Chemical Processes*, 4th ed.
    (2015), §8.3 (adiabatic mixing).

    Example: 1 t/h of water at 20 °C and 3 t/h at 60 °C give 4 t/h at 50 °C
    (constant heat capacity, so the outlet is the mass-weighted mean).

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O"])
    >>> for name, t, T in [("cold", "1 t/h", "20 degC"), ("hot", "3 t/h", "60 degC")]:
    ...     _ = fs.add(Feed(name, flows={"H2O": t}, temperature=T))
    >>> _ = fs.add(Mixer("tank")); _ = fs.add(Product("out"))
    >>> fs.connect("c", "cold", "tank"); fs.connect("h", "hot", "tank")
    >>> fs.connect("mixed", "tank", "out")
    >>> round(fs.solve().temperature_C("mixed"), 6)
    50.0
    """

    model = "mixer"
    D = None
    inlets = ("in*",)
    outlets = ("out",)
    params = {
        "dissolve": Param(None, "dissolve delivered reagents (solids and pure liquids with "
                          "a dissolves_to species) into the aqueous outlet", default=True,
                          parse=lambda v: _flag(v, "dissolve")),
    }

    def bind(self, species) -> None:
        try:
            self.D = dissolution_matrix(species) if self.p["dissolve"] else None
        except DataError as err:
            raise self.fail(err.message, field="dissolve",
                            hint=f"{err.hint}, or set dissolve = false") from None
        if self.D is not None and "H2O(l)" not in species.index:
            raise self.fail("a mixer that dissolves reagents needs water (H2O) in the "
                            "flowsheet's species", field="dissolve",
                            hint="add H2O to [flowsheet] species, or set dissolve = false")

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        ins = eq.all_inlets
        M = 1.0 if self.D is None else self.D
        eq.species_map(out, [(s, M) for s in ins])
        eq.energy_balance(ins, [out], primary=out)

    def batchable(self) -> bool:
        return self.D is None          # dissolving: a full species matrix, one at a time

    @classmethod
    def equations_batch(cls, units, eq) -> None:
        """All plain mixers at once (the same rows as ``equations``)."""
        n = len(units)
        pass_through(eq, np.ones(n), np.full(n, np.nan), np.zeros(n))


def _flag(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InputError(f"{field} must be true or false", value=value)
