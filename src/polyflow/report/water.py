"""Plant water accounting beyond Result.water: fresh water by category, water made or
used by reactions, water recycled inside the plant, and fresh water per tonne of ore.

>>> from polyflow import load
>>> w = water_balance(load("flowsheets/copper_sx_ew.toml").solve())   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from polyflow.report.layout import loop_streams

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["water_balance"]


def water_balance(result: Result, recycled: list[str] | None = None) -> dict[str, float]:
    """Liquid water [t/h]: in by feed category (``water``, ``ore``, ``reagent``, ...),
    out by product kind (``residue``, ``effluent``, ...), made (+) or used (−) by
    reactions (out − in), recycled (water in the ``recycled`` streams; by default the
    streams inside a recycle loop whose name says "recycle"), and fresh water
    (category ``water``) per tonne of dry ore [m3/t at 1 t/m3]."""
    i = result.species.index.get("H2O(l)")
    out: dict[str, float] = {}
    if i is None:
        return out
    units = result.units
    m = result.mass_flows[:, i] / 1000.0
    total_in = total_out = 0.0
    for s in result.streams:
        u = units[s.src]
        if u.role == "feed":
            key = f"in_{u.params.get('category', 'other')}_t_h"
            out[key] = out.get(key, 0.0) + float(m[result._s(s.name)])
            total_in += float(m[result._s(s.name)])
    for prod, s in result.products.items():
        key = f"out_{units[prod].params['kind']}_t_h"
        out[key] = out.get(key, 0.0) + float(m[result._s(s)])
        total_out += float(m[result._s(s)])
    out["made_by_reactions_t_h"] = total_out - total_in
    loops = recycled if recycled is not None else \
        [s for s in loop_streams(result) if "recycle" in s]
    out["recycled_t_h"] = float(sum(m[result._s(s)] for s in loops))
    if result.ore_t_h > 0:
        out["fresh_water_m3_per_t_ore"] = out.get("in_water_t_h", 0.0) / result.ore_t_h
    return out
