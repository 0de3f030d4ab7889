"""A variant of a loaded plant: the base flowsheet with ``--set`` overrides, rebuilding
only the units and feeds they touch (the others are shared with the base).

Reading a flowsheet file is the slow part of a run of a big plant (the integrated
refinery: about 2 s to read, 0.05 s to solve warm), so a study reads its plant once and
makes each point from it. The overrides are applied to the unit's table as written
exactly as :func:`polyflow.io.reader.load` applies ``--set`` (the same function), and
the unit is rebuilt from that table as the reader builds it; the study's tests check
that a point equals a run with ``--set`` to 1e-9. An override of anything but a unit's
or feed's table (none today) falls back to reading the file again.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polyflow.errors import PolyflowError
from polyflow.io.reader import _take_overrides, load

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet

__all__ = ["variant"]


def variant(base: Flowsheet, overrides: dict[str, Any], file: str | Path | None = None
            ) -> Flowsheet:
    """``base`` with ``overrides`` (``{"unit.param[.key]": value}`` as ``--set`` takes
    them); raises the unit's :class:`PolyflowError` when a value is wrong."""
    if not overrides:
        return base
    by_unit: dict[str, dict[str, Any]] = {}
    for key, value in overrides.items():
        by_unit.setdefault(key.partition(".")[0], {})[key] = value
    units = base.units
    if any(n not in units or units[n].role == "product" or
           (n not in base.tables and not hasattr(units[n], "raw")) for n in by_unit):
        if file is None:
            file = base.source
        return load(file, overrides)          # the reader names what is wrong
    new = copy.copy(base)
    new.graph = base.graph.copy()
    new.tables = dict(base.tables)
    new.specs = {k: s for k, s in base.specs.items() if s.vary not in overrides}
    for name, mine in by_unit.items():
        unit0 = units[name]
        try:
            unit, table = _rebuild(base, name, unit0, mine)
            unit.bind(base.species)
        except PolyflowError as err:
            raise base._err(err.located(unit=name), f"unit:{name}") from None
        if table is not None:
            new.tables[name] = table
        new.graph.nodes[name]["unit"] = unit
    return new


def _rebuild(base: Flowsheet, name: str, unit0, mine: dict[str, Any]):
    from polyflow.io.feed_units import build_feed

    if name in base.tables:
        table = base.tables[name]
        table = {**table, **_take_overrides(dict(mine), name, table)}
        unit = build_feed(base.species, name, table,
                          base.options.get("density", {}).get("aq", 1000.0))
    else:
        table = None
        params = dict(unit0.raw)
        params.update(_take_overrides(dict(mine), name, params))
        unit = type(unit0)(name, **params)
    unit.area = unit0.area
    return unit, table
