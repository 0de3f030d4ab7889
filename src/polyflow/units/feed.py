"""Feed: a stream entering the plant at fixed species flows and temperature."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity
from polyflow.units.base import Param, Unit

__all__ = ["FEED_CATEGORIES", "Feed"]


def _flow_table(value: object) -> dict[str, float]:
    """``{species: "10 t/h" | "2 kmol/h"}`` -> ``{species: ("kg"|"kmol", value)}``."""
    if not isinstance(value, Mapping):
        raise InputError("expected a table of species flows such as {H2O = '100 t/h'}",
                         value=value)
    out = {}
    for k, v in value.items():
        try:
            out[k] = ("kg", parse_quantity(v, "mass_flow"))
        except InputError:
            try:
                out[k] = ("kmol", parse_quantity(v, "molar_flow"))
            except InputError:
                raise InputError(f"flow of {k!r} must be a mass or molar flow such as "
                                 f"'10 t/h' or '2 kmol/h'", value=v) from None
    return out


FEED_CATEGORIES = ("ore", "reagent", "water", "other")


class Feed(Unit):
    """A plant feed: fixed flow of every species and a fixed temperature.

    Equations (one per unknown of the outlet stream):

    .. math::  n_{out,i} = n_{feed,i}, \\qquad T_{out} = T_{feed}

    Parameters: ``flows`` (species -> mass or molar flow, e.g. ``"10 t/h"``) or
    ``flows_kg_h`` (species -> kg/h as numbers, for the Python API), ``temperature``.
    Ores and solutions given by grade or concentration are turned into ``flows_kg_h`` by
    :mod:`polyflow.io.feeds`.

    Source: a feed is a boundary condition of the steady-state balance, Felder &
    Rousseau, *Elementary Principles of Chemical Processes*, 4th ed. (2015), ch. 4.

    Example: 100 t/h of water at 25 °C is 5550.9 kmol/h (M = 18.015 kg/kmol).

    >>> from polyflow.chem.species import load_database
    >>> f = Feed("water", flows={"H2O": "100 t/h"}, temperature="25 degC")
    >>> f.bind(load_database().subset(["H2O"]))
    >>> round(float(f.feed_flows()[0]), 1)
    5550.9
    """

    model = "feed"
    role = "feed"
    inlets = ()
    outlets = ("out",)
    params = {
        "flows": Param(None, "species -> mass or molar flow ('10 t/h', '2 kmol/h')",
                       default={}, parse=_flow_table),
        "flows_kg_h": Param(None, "species -> kg/h as plain numbers (Python API)", default={}),
        "temperature": Param("temperature", "feed temperature", default=298.15,
                             bounds=(150.0, 2500.0)),
        "category": Param.choice("ore, reagent, water or other: ore feeds are the tonnage "
                                 "basis of kg/t figures, reagent feeds are reported per "
                                 "tonne", FEED_CATEGORIES, default="other"),
    }

    def bind(self, species) -> None:
        n = np.zeros(len(species))
        for key, (kind, v) in self.p["flows"].items():
            i = species.idx(key)
            n[i] += v / species.mw[i] if kind == "kg" else v
        for key, v in dict(self.p["flows_kg_h"]).items():
            i = species.idx(key)
            if not np.isfinite(v) or v < 0:
                raise self.fail(f"flow of {key!r} must be a non-negative number of kg/h",
                                "flows_kg_h", value=v)
            n[i] += float(v) / species.mw[i]
        if np.any(n < 0):
            raise self.fail("feed flows must not be negative", "flows")
        self._n = n

    def feed_flows(self) -> np.ndarray:
        """Species flows of the feed [kmol/h]."""
        return self._n

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        eq.fixed_flows(out, self._n)
        eq.temperature_fixed(out, self.p["temperature"])
