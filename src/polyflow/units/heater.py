"""Heater or cooler: outlet temperature or heat duty given."""

from __future__ import annotations

import numpy as np

from polyflow.solve.batch import pass_through
from polyflow.units.base import Param, Unit

__all__ = ["Heater"]


class Heater(Unit):
    """Heats or cools a stream (or the mix of its inlets); give exactly one of
    ``temperature`` (the duty follows)
    or ``duty`` (heat added, kW; negative to cool; the temperature follows).

    .. math::  n_{out,i} = n_{in,i}, \\qquad H_{out} = H_{in} + Q

    Source: Felder & Rousseau, *Elementary Principles of Chemical Processes*, 4th ed.
    (2015), §7.4 (open-system energy balance).

    Example: heating 10 t/h of water (555.1 kmol/h) from 25 to 65 °C takes
    555.1 kmol/h × 75.291 kJ/(kmol K) × 40 K / 3600 s/h = 464.4 kW.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O"])
    >>> _ = fs.add(Feed("w", flows={"H2O": "10 t/h"}, temperature="25 degC"))
    >>> _ = fs.add(Heater("hx", temperature="65 degC")); _ = fs.add(Product("out"))
    >>> fs.connect("cold", "w", "hx"); fs.connect("hot", "hx", "out")
    >>> round(fs.solve().energy["hx"]["duty_kW"], 1)
    464.4
    """

    model = "heater"
    inlets = ("in*",)
    params = {
        "temperature": Param("temperature", "outlet temperature", bounds=(150.0, 2500.0)),
        "duty": Param("power", "heat added (negative to cool)"),
    }

    def validate(self) -> None:
        given = [k for k in ("temperature", "duty") if self.p[k] is not None]
        if len(given) != 1:
            kind = "over" if given else "under"
            raise self.misspecified(f"{kind}-specified: give exactly one of 'temperature' "
                                    "or 'duty'",
                            given[-1] if given else "temperature")

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        ins = eq.all_inlets
        eq.species_map(out, [(s, 1.0) for s in ins])
        if self.p["temperature"] is not None:
            eq.temperature_fixed(out, self.p["temperature"])
        else:
            eq.energy_balance(ins, [out], primary=out, duty_kW=self.p["duty"])

    @classmethod
    def equations_batch(cls, units, eq) -> None:
        """All heaters at once (the same rows as ``equations``)."""
        T = np.array([np.nan if u.p["temperature"] is None else u.p["temperature"]
                      for u in units], dtype=float)
        duty = np.array([u.p["duty"] or 0.0 for u in units], dtype=float)
        pass_through(eq, np.ones(len(units)), T, duty)
