"""Mixer: streams combined adiabatically."""

from __future__ import annotations

from polyflow.units.base import Unit

__all__ = ["Mixer"]


class Mixer(Unit):
    """Adiabatic mixer of any number of inlet streams.

    Equations: the species balance and the energy balance on the formation-enthalpy
    basis, which fixes the outlet temperature:

    .. math::

        n_{out,i} = \\sum_k n_{k,i}, \\qquad
        \\sum_k \\sum_i n_{k,i}\\, h_i(T_k) = \\sum_i n_{out,i}\\, h_i(T_{out})

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
    inlets = ("in*",)
    outlets = ("out",)

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        ins = eq.all_inlets
        eq.species_map(out, [(s, 1.0) for s in ins])
        eq.energy_balance(ins, [out], primary=out)
