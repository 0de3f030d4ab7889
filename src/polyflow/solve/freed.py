"""Freed parameters: a number of a unit or feed made an unknown of the plant's system.

A spec (``solve/specs.py``) frees one input ``p`` (any ``NAME.FIELD`` that ``--set``
accepts, or ``NAME.FIELD.KEY`` inside a table such as a feed's grades). No unit is
rewritten for it: the owning unit's equations are rebuilt at ``p`` (its own
``equations(eq)`` into a private builder), and its rows become one nonlinear block on
(its columns, ``p``):

* residual: the rebuilt rows at the current ``p``, evaluated at ``x``;
* Jacobian: the unit's own entries at ``p``, and ``∂F/∂p`` by central differences (exact
  for the many rows that are linear in ``p``, such as a feed's flows);
* sparsity: the union of the unit's patterns at several values of ``p`` (a species map
  skips exact zeros, so the pattern at one value may miss entries at another), and, in the
  ``p`` column, the rows whose coefficients change with ``p`` (every nonlinear row of the
  unit counts as changing).

A unit without nonlinear rows whose coefficients are affine in ``p`` (a feed's flow, a
split fraction, a tankhouse current: checked at a third value) is built at two values
only, and ``F(x, p)`` interpolates them, exactly; any other unit is rebuilt at ``p`` and
``p ± h`` in each Newton iteration.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from polyflow.errors import InputError, PolyflowError, did_you_mean
from polyflow.quantity import _QUANTITY, parse_quantity, unit_table

__all__ = ["Freed", "format_value", "freed_parameter"]

#: dimensions whose values cannot be negative (a freed one is kept at or above zero)
NON_NEGATIVE = {"mass_flow", "molar_flow", "volume_flow", "temperature", "fraction",
                "concentration", "length", "time", "area", "volume", "mass", "density",
                "current", "current_density", "pressure", "ratio"}
#: fields of a ``[feeds.NAME]`` table that may be left out, with the reader's default
FEED_DEFAULTS = {"temperature": "25 degC"}


@dataclass
class Freed:
    """One freed input: where it is, its dimension and its value in the file's unit."""

    unit: str
    path: tuple[str, ...]
    dimension: str | None
    symbol: str            # unit of measure the file gives it in ("" for a bare number)
    factor: float          # internal = value·factor + offset
    offset: float
    p0: float              # start value [internal unit]
    lower: float           # physical bounds [internal unit]
    upper: float
    table: Mapping[str, Any] = field(repr=False)   # the unit's (or feed's) table
    is_feed_table: bool = False

    @property
    def text(self) -> str:
        return f"{self.unit}.{'.'.join(self.path)}"

    def format(self, p: float) -> str:
        """``p`` [internal] as the file would write it, full precision, for ``--set``."""
        return format_value(p, self.symbol, self.factor, self.offset)

    def parse(self, value: Any, what: str) -> float:
        """A bound or value given for this input, to the internal unit."""
        if self.dimension is None:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            raise InputError(f"{what} of {self.text} must be a bare number like its value",
                             value=value)
        return parse_quantity(value, self.dimension)

    def value_at(self, p: float) -> Any:
        """The value to write into the table for internal ``p`` (exact: internal unit)."""
        if self.dimension is None or self.dimension in ("fraction", "ratio"):
            return float(p)
        return f"{p!r} {internal_symbol(self.dimension)}"

    def table_at(self, table: Mapping, p: float) -> dict:
        new = copy.deepcopy(dict(table))
        node = new
        for key in self.path[:-1]:
            node[key] = dict(node[key])
            node = node[key]
        node[self.path[-1]] = self.value_at(p)
        return new


def format_value(p: float, symbol: str, factor: float, offset: float) -> str:
    v = (p - offset) / factor
    return f"{v!r} {symbol}" if symbol else repr(v)


@cache
def internal_symbol(dimension: str) -> str:
    for key, (dim, factor, offset) in unit_table().items():
        if dim == dimension and factor == 1.0 and offset == 0.0:
            return key.split("|")[0]
    raise ValueError(f"no internal unit for {dimension}")   # pragma: no cover - data error


def _dimension_of(raw: str) -> str | None:
    m = _QUANTITY.match(raw)
    if not m:
        return None
    symbol = m.group(2).replace(" ", "")
    dims = [v[0] for k, v in unit_table().items() if k.split("|")[0] == symbol]
    for preferred in ("fraction", "concentration"):
        if preferred in dims:
            return preferred
    return dims[0] if dims else None


def freed_parameter(fs, vary: str) -> Freed:
    """Resolve ``vary`` (``NAME.FIELD`` or ``NAME.FIELD.KEY``) to a :class:`Freed`.

    Raises :class:`InputError` (field ``vary``) naming the part that is wrong."""
    name, _, rest = vary.partition(".")
    units = fs.units
    if name not in units:
        raise InputError(f"vary {vary!r}: no unit or feed {name!r}", field="vary",
                         hint=did_you_mean(name, units))
    unit = units[name]
    if not rest:
        raise InputError(f"vary {vary!r} must read NAME.FIELD", field="vary",
                         hint=f"fields of {name!r}: " + ", ".join(_fields(fs, unit)))
    if unit.role == "product":
        raise InputError(f"vary {vary!r}: a product has no inputs to vary", field="vary")
    path = tuple(rest.split("."))
    is_feed = name in fs.tables
    table = fs.tables[name] if is_feed else unit.raw
    if is_feed and len(path) == 1 and path[0] in FEED_DEFAULTS and path[0] not in table:
        table = {**table, path[0]: FEED_DEFAULTS[path[0]]}
    node: Any = table
    for i, key in enumerate(path):
        if not isinstance(node, Mapping) or key not in node:
            found = None
            if i == 0 and len(path) == 1 and key in unit.params and not is_feed:
                found = unit.params[key]
            if found is None or found.dimension is None:
                choices = list(node) if isinstance(node, Mapping) else []
                raise InputError(f"vary {vary!r}: {'.'.join(path[:i]) or name!r} has no "
                                 f"field {key!r} with a number", field="vary",
                                 hint=did_you_mean(key, choices or _fields(fs, unit)))
            node = None
            break
        node = node[key]
    param = unit.params.get(path[0]) if len(path) == 1 and not is_feed else None
    if node is None:     # a parameter left at its default: its internal value
        dim = param.dimension
        if unit.p.get(path[0]) is None:
            raise InputError(f"vary {vary!r}: {name!r} has no value of {path[0]!r} to start "
                             "from", field="vary",
                             hint=f"give {path[0]} a start value in the unit's table")
        p0 = float(unit.p[path[0]])
        symbol = "" if dim in ("fraction", "ratio") else internal_symbol(dim)
        factor, offset = 1.0, 0.0
    else:
        if isinstance(node, bool) or not isinstance(node, int | float | str):
            raise InputError(f"vary {vary!r}: its value {node!r} is not a number", field="vary",
                             hint="a spec varies one number; name a key inside a table "
                                  "(NAME.FIELD.KEY)")
        dim = param.dimension if param is not None and param.dimension else \
            (_dimension_of(node) if isinstance(node, str) else None)
        if isinstance(node, str) and dim is None:
            raise InputError(f"vary {vary!r}: its value {node!r} is not a quantity",
                             field="vary")
        try:
            p0 = parse_quantity(node, dim) if dim else float(node)
        except PolyflowError as err:
            raise InputError(f"vary {vary!r}: {err.message}", field="vary") from None
        symbol, factor, offset = "", 1.0, 0.0
        if isinstance(node, str):
            m = _QUANTITY.match(node)
            symbol = m.group(2).replace(" ", "")
            if symbol:
                _, factor, offset = unit_table()[f"{symbol}|{dim}"]
    if param is not None and param.kind != "quantity":
        raise InputError(f"{vary} cannot be varied continuously: it is "
                         f"{'a whole number' if param.kind == 'integer' else 'a choice'}",
                         field="vary",
                         hint="vary a continuous input instead (a flow, a fraction, a "
                              "current density) or run the few cases as a study")
    lower, upper = -np.inf, np.inf
    if param is not None and param.bounds is not None:
        lower, upper = (-np.inf if b is None else float(b) for b in param.bounds)
    elif dim in NON_NEGATIVE:
        lower = 0.0
        if dim == "fraction":
            upper = 1.0
    return Freed(name, path, dim, symbol, factor, offset, p0, lower, upper, table, is_feed)


def _fields(fs, unit) -> list[str]:
    if unit.name in fs.tables:
        return [k for k in fs.tables[unit.name] if k not in ("model", "kind", "area")]
    return [k for k, p in unit.params.items() if p.dimension is not None]
