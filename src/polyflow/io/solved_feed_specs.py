"""The solved feeds of a flowsheet file as design specifications.

A ``[feeds.NAME]`` table with ``model = "lime_dose"`` or ``model = "water_makeup"`` is
read as a plain feed of its agent (or of water) whose rate is the input of a spec named
after the feed (``docs/specs.md``):

* ``lime_dose`` → ``vary = "NAME.flows.AGENT"``, ``target = "streams.T.g_L.H2SO4"``,
  ``value`` = the target free acid (g/L; a ``target_pH`` is the proxy of
  :func:`polyflow.units.neutraliser.free_acid_g_L`);
* ``water_makeup`` → ``vary = "NAME.flows.H2O"``, ``target =
  "streams.T.mass_kg_h.H2O(l)"``, ``value`` = ρ·Q* (kg/h).

The spec's target row is the solved feed's own row (m_H2SO4 − (C*/ρ)·L = 0; M·n_H2O =
ρ·Q*: both are the linear form ``a·x − v·b·x`` of the measure, solve/measures.py), so the
solution is the same to round-off and the feed's rate enters the JSON ``specs`` with
the text ``--set NAME.flows.AGENT=...`` accepts; ``--set`` of that input fixes the feed
and drops the spec. The file syntax is unchanged. Not translated (the unit models stay):
a lime dose to electroneutrality (``target = "charge"``, no measure reads a charge), one
whose ``solution_density`` differs from the plant's (the measure converts with the
plant's), and every solved feed built in Python (``LimeDose``, ``WaterMakeup``).

Source: the design specification ("controller") of equation-oriented simulators,
Westerberg et al., *Process Flowsheeting*, Cambridge (1979), ch. 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from polyflow.io.spec_tables import Spec

__all__ = ["SOLVED_FEED_MODELS", "as_spec"]

#: the feed models read as a plain feed and a spec
SOLVED_FEED_MODELS = ("lime_dose", "water_makeup")


def as_spec(name: str, table: Mapping[str, Any], density_aq: float, file: str | None = None,
            line: int | None = None) -> tuple[dict[str, Any], Spec | None] | None:
    """``(feed table, spec)`` for a solved feed's table (the spec ``None`` when ``--set``
    fixed the feed's rate: ``NAME.flows.X``), or ``None`` when the table is not one that
    translates (the unit model is then built as written, and checks it)."""
    model = table.get("model")
    if model not in SOLVED_FEED_MODELS:
        return None
    fixed = table.get("flows")          # --set NAME.flows.X=...: a fixed feed, no spec
    params = {k: v for k, v in table.items() if k not in ("model", "area", "flows")}
    from polyflow.errors import PolyflowError
    from polyflow.units.registry import model_registry

    try:
        unit = model_registry()[model](name, **params)
        unit.validate()
    except PolyflowError:
        return None                     # built as written: the unit says what is wrong
    p = unit.p
    start = "0 t/h"
    if model == "lime_dose":
        if p["target"] == "charge" or abs(p["solution_density"] - density_aq) > 1e-9:
            return None
        from polyflow.units.neutraliser import free_acid_g_L

        species = str(p["agent"])
        target = f"streams.{p['target_stream']}.g_L.H2SO4"
        value = free_acid_g_L(p["target_free_acid"], p["target_pH"])
    else:
        species = "H2O"
        target = f"streams.{p['target_stream']}.mass_kg_h.H2O(l)"
        value = p["target_water"] * p["water_density"]
        # Newton's first step holds the input at its start: the whole demand (the plant
        # has no reclaim water yet), as the solved feed's row gave it
        start = f"{value / 1000.0!r} t/h"
    feed = {"kind": "stream", "category": p["category"],
            "flows": dict(fixed) if isinstance(fixed, Mapping) else {species: start},
            "temperature": f"{p['temperature']!r} K"}
    if "area" in table:
        feed["area"] = table["area"]
    if fixed is not None:
        return feed, None
    return feed, Spec(name, f"{name}.flows.{species}", target, float(value), None, file, line)
