"""Plant water accounting beyond Result.water: fresh water by category, water made or
used by reactions, water recycled inside the plant, and fresh water per tonne of ore.

>>> from polyflow import load
>>> w = water_balance(load("flowsheets/copper_sx_ew.toml").solve())   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from polyflow.report.layout import recycle_streams, topology

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["WaterBalance", "water_accounts", "water_balance"]


@dataclass
class WaterBalance:
    """Liquid water of a plant [t/h]: in by feed category (``water`` is fresh water),
    out by product kind, made (+) or used (−) by reactions (out − in), recycled inside
    the plant, and fresh water per tonne of dry ore [m3/t at 1 t/m3] (``None`` without
    ore)."""

    in_by_category: dict[str, float] = field(default_factory=dict)
    out_by_kind: dict[str, float] = field(default_factory=dict)
    made_by_reactions: float = 0.0
    recycled: float = 0.0
    fresh_per_t_ore: float | None = None

    @property
    def fresh(self) -> float:
        return self.in_by_category.get("water", 0.0)

    def as_json(self) -> dict[str, float]:
        """The JSON document's ``water_balance``: ``in_<category>_t_h``,
        ``out_<kind>_t_h``, ``made_by_reactions_t_h``, ``recycled_t_h``,
        ``fresh_water_m3_per_t_ore``."""
        out = {f"in_{c}_t_h": v for c, v in self.in_by_category.items()}
        out |= {f"out_{k}_t_h": v for k, v in self.out_by_kind.items()}
        out["made_by_reactions_t_h"] = self.made_by_reactions
        out["recycled_t_h"] = self.recycled
        if self.fresh_per_t_ore is not None:
            out["fresh_water_m3_per_t_ore"] = self.fresh_per_t_ore
        return out


def water_accounts(result: Result, recycled: list[str] | None = None) -> WaterBalance | None:
    """The plant's :class:`WaterBalance` (``None`` without liquid water): recycled is
    the water in the ``recycled`` streams, by default the solutions (streams without
    solids) that close a loop of the solved plant
    (:func:`~polyflow.report.layout.recycle_streams`: found from the feeds along the
    ore's path, so they do not depend on names); a grinding circuit's circulating load is
    slurry, not recycled water."""
    i = result.species.index.get("H2O(l)")
    if i is None:
        return None
    units = result.units
    m = result.mass_flows[:, i] / 1000.0
    w = WaterBalance()
    total_in = total_out = 0.0
    for k, s in enumerate(result.streams):
        u = units[s.src]
        if u.role == "feed":
            c = u.params.get("category", "other")
            w.in_by_category[c] = w.in_by_category.get(c, 0.0) + float(m[k])
            total_in += float(m[k])
    for prod, s in result.products.items():
        kind = units[prod].params["kind"]
        w.out_by_kind[kind] = w.out_by_kind.get(kind, 0.0) + float(m[result.stream_index(s)])
        total_out += float(m[result.stream_index(s)])
    w.made_by_reactions = total_out - total_in
    if recycled is None:      # solutions returned; a circulating load of slurry is not
        top = topology(result)
        recycled = sorted(k for _, _, k in recycle_streams(top) if k not in top.slurries)
    loops = recycled
    w.recycled = float(sum(m[result.stream_index(s)] for s in loops))
    if result.ore_t_h > 0:
        w.fresh_per_t_ore = w.fresh / result.ore_t_h
    return w


def water_balance(result: Result, recycled: list[str] | None = None) -> dict[str, float]:
    """The water balance as the JSON document writes it (:meth:`WaterBalance.as_json`;
    ``{}`` without liquid water)."""
    w = water_accounts(result, recycled)
    return w.as_json() if w is not None else {}
