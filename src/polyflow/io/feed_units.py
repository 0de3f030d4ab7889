"""The feed unit of a ``[feeds.NAME]`` table: a fixed feed, or a feed whose rate the
plant solves (``model = "lime_dose"``). Apart from the reader so that the solver's specs
can rebuild a feed at a new value without importing the reader."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from polyflow.errors import InputError, did_you_mean
from polyflow.io.feeds import feed_flows
from polyflow.io.lines import LineIndex
from polyflow.units.feed import Feed
from polyflow.units.registry import model_registry

__all__ = ["build_feed"]


def _solved_feed(name: str, spec: Mapping, registry, file: Path, index: LineIndex):
    """A feed given by a model whose rate is solved (``model = "lime_dose"``)."""
    model = spec["model"]
    if model == "feed" or model not in registry or registry[model].role != "feed":
        feeds = [m for m, c in registry.items() if c.role == "feed" and m != "feed"]
        raise InputError(f"unknown feed model {model!r}", file=str(file),
                         line=index.line("feeds", name, "model"), unit=name, field="model",
                         hint=did_you_mean(model, feeds))
    params = {k: v for k, v in spec.items() if k not in ("model", "area")}
    return registry[model](name, **params)


def build_feed(species, name: str, spec: Mapping, density_aq: float,
               file: Path | None = None, index: LineIndex | None = None):
    """The feed unit of a ``[feeds.NAME]`` table (not yet added to a flowsheet)."""
    if "model" in spec:     # a feed whose rate the plant solves (lime_dose)
        unit = _solved_feed(name, spec, model_registry(), file or Path("."),
                            index or LineIndex(""))
    else:
        flows = feed_flows(species, spec, density_aq)
        category = spec.get("category", "ore" if spec.get("kind") == "ore" else "other")
        unit = Feed(name, flows_kg_h=flows, category=category,
                    temperature=spec.get("temperature", "25 degC"))
    unit.area = str(spec.get("area", name))
    return unit
