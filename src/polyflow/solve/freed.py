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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from polyflow.errors import InputError, PolyflowError, did_you_mean
from polyflow.quantity import _QUANTITY, parse_quantity, unit_table
from polyflow.solve.system import Block, SystemBuilder, UnitEquations

__all__ = ["Freed", "FreedUnit", "format_value", "freed_parameter"]

#: dimensions whose values cannot be negative (a freed one is kept at or above zero)
NON_NEGATIVE = {"mass_flow", "molar_flow", "volume_flow", "temperature", "fraction",
                "concentration", "length", "time", "area", "volume", "mass", "density",
                "current", "current_density", "pressure", "ratio"}
#: fields of a ``[feeds.NAME]`` table that may be left out, with the reader's default
FEED_DEFAULTS = {"temperature": "25 degC"}
#: relative distance of the second value at which an affine unit is built
AFFINE_STEP = 0.25
#: relative step of the central difference ∂F/∂p
FD_STEP = 1e-6


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


class FreedUnit:
    """The rows of one unit with some of its inputs freed, as one nonlinear block."""

    def __init__(self, fs, asm, name: str, freed: list[Freed], p_cols: np.ndarray,
                 ref_flow: float, build: Callable[[list[float]], Any]) -> None:
        system = asm.system
        b = system.builder
        self.name, self.freed, self.p_cols = name, freed, np.asarray(p_cols, dtype=int)
        self.build_unit = build
        self.ref_flow = ref_flow
        u = b.unit_names.index(name)
        rows = np.nonzero(system.row_unit == u)[0]
        if len(rows) and not np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
            raise RuntimeError(f"rows of unit {name!r} are not contiguous")  # pragma: no cover
        self.rows = rows
        self.ports = asm.ports[name]
        internal = asm.internal[name]
        self.n_internal = len(internal)
        self.pad = int(internal[0]) - b.n_vars if len(internal) else 0
        self.species, self.stream_names = b.species, b.stream_names
        self.speciation = b.speciation
        self._cache: dict[tuple, Any] = {}
        P0 = [f.p0 for f in freed]
        base = self.subsystem(P0)
        patterns = [base.pattern().tocoo()]
        self.depends: list[np.ndarray] = []
        for j, f in enumerate(freed):
            changed = np.zeros(len(rows), dtype=bool)
            for p in _samples(f):
                P = list(P0)
                P[j] = p
                try:
                    other = self.subsystem(P)
                except PolyflowError:
                    continue
                patterns.append(other.pattern().tocoo())
                changed |= _changed_rows(base, other)
            for bk in base.blocks:           # nonlinear rows: assumed to depend on p
                changed[bk.rows] = True
            self.depends.append(np.nonzero(changed)[0])
        key = np.unique(np.concatenate([p.row.astype(np.int64) * base.n + p.col
                                        for p in patterns]))
        ri, gc = key // base.n, key % base.n
        self.x_cols = np.unique(gc)
        ci = np.searchsorted(self.x_cols, gc)
        self.cols = np.concatenate([self.x_cols, self.p_cols])
        n_x = len(self.x_cols)
        p_ri = np.concatenate(self.depends) if self.depends else np.zeros(0, int)
        p_ci = np.concatenate([np.full(len(d), n_x + j) for j, d in enumerate(self.depends)]) \
            if self.depends else np.zeros(0, int)
        self.ri_x, self.gc_x = ri, gc
        self.pattern = (np.concatenate([ri, p_ri]).astype(int),
                        np.concatenate([ci, p_ci]).astype(int))
        self.n_sub = base.n
        #: (p_a, system at p_a, p_b, system at p_b) when the unit is affine in its one
        #: freed input: then F(x, p) interpolates the two exactly and no unit is rebuilt
        #: during the solve (a feed's flow, a split fraction, a tankhouse current)
        self.affine = self._affine(base, P0) if len(freed) == 1 else None
        self._cache.clear()

    def _affine(self, base, P0):
        """The two systems between which ``F`` is affine in ``p``, or None (a unit with
        nonlinear rows, or coefficients that are not affine in ``p``: checked at a
        third value)."""
        f = self.freed[0]
        if base.blocks:
            return None
        step = AFFINE_STEP * max(abs(f.p0), 1.0)
        b, c = f.p0 + step, f.p0 + 0.5 * step
        if b > f.upper:
            b, c = f.p0 - step, f.p0 - 0.5 * step
        if b < f.lower:
            return None
        try:
            sb, sc = self.subsystem([b]), self.subsystem([c])
        except PolyflowError:
            return None
        t = (c - f.p0) / (b - f.p0)

        def same(xa, xb, xc) -> bool:     # arrays or sparse matrices
            miss = abs(xc - (xa + t * (xb - xa))) - 1e-12 * (abs(xa) + abs(xb))
            return bool(miss.max() <= 0.0) if np.prod(miss.shape) else True

        if not (same(base.A, sb.A, sc.A) and same(base.rhs, sb.rhs, sc.rhs)
                and same(base.e_const, sb.e_const, sc.e_const)):
            return None
        return f.p0, base, b, sb

    # -- the unit rebuilt at P ----------------------------------------------------------
    def subsystem(self, P):
        return self._built(P)[0]

    def unit_at(self, P):
        """The unit rebuilt at ``P``, its equations written (what its report reads)."""
        return self._built(P)[1]

    def _built(self, P):
        key = tuple(float(p) for p in P)
        if key in self._cache:
            return self._cache[key]
        unit = self.build_unit(list(key))
        b = SystemBuilder(self.species, self.stream_names)
        b.var_names = [""] * self.pad
        b.var_guess = [0.0] * self.pad
        b.var_lower = [-np.inf] * self.pad
        b.var_upper = [np.inf] * self.pad
        b.unit_names.append(self.name)
        b.speciation = self.speciation      # a unit may read the streams' pH columns
        inlets, outlets = self.ports
        eq = UnitEquations(b, 0, self.name, inlets, outlets)
        unit.equations(eq)
        if eq.rows_added != len(self.rows) or eq.internal_added != self.n_internal:
            raise InputError(f"unit {self.name!r} changes its number of equations with the "
                             "varied input; a spec can vary only a number that keeps the "
                             "unit's layout (not a count of stages or tanks)", field="vary")
        system = b.freeze()
        if len(self._cache) > 6:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = (system, unit)
        return system, unit

    def _w(self, xloc: np.ndarray) -> tuple[np.ndarray, list[float]]:
        w = np.zeros(self.n_sub)
        n_x = len(self.x_cols)
        w[self.x_cols] = xloc[:n_x]
        return w, [float(p) for p in xloc[n_x:]]

    def residual(self, xloc: np.ndarray, first: bool = False):
        w, P = self._w(xloc)
        if self.affine is not None:
            pa, sa, pb, sb = self.affine
            t = (P[0] - pa) / (pb - pa)
            ra, ca = sa.residual(w, self.ref_flow, first)
            rb, cb = sb.residual(w, self.ref_flow, first)
            return ra + t * (rb - ra), np.abs(ca + t * (cb - ca))
        try:
            system = self.subsystem(P)
        except PolyflowError:
            nan = np.full(len(self.rows), np.nan)
            return nan, nan
        return system.residual(w, self.ref_flow, first)

    def values(self, xloc: np.ndarray, first: bool = False) -> np.ndarray:
        w, P = self._w(xloc)
        if self.affine is not None:
            pa, sa, pb, sb = self.affine
            t = (P[0] - pa) / (pb - pa)
            Ja = np.asarray(sa.jacobian(w, self.ref_flow, first).tocsr()[self.ri_x, self.gc_x])
            Jb = np.asarray(sb.jacobian(w, self.ref_flow, first).tocsr()[self.ri_x, self.gc_x])
            dr = (sb.residual(w, self.ref_flow, first)[0]
                  - sa.residual(w, self.ref_flow, first)[0]) / (pb - pa)
            return np.concatenate([(Ja + t * (Jb - Ja)).ravel(), dr[self.depends[0]]])
        try:
            J = self.subsystem(P).jacobian(w, self.ref_flow, first).tocsr()
        except PolyflowError:
            return np.full(len(self.pattern[0]), np.nan)
        parts = [np.asarray(J[self.ri_x, self.gc_x]).ravel()]
        for j, rows in enumerate(self.depends):
            h = FD_STEP * max(abs(P[j]), 1.0)
            up, down = list(P), list(P)
            up[j] += h
            down[j] -= h
            f = self.freed[j]
            if down[j] < f.lower:          # one-sided at a physical bound
                down[j] = P[j]
            if up[j] > f.upper:
                up[j] = P[j]
            try:
                r_up = self.subsystem(up).residual(w, self.ref_flow, first)[0]
                r_dn = self.subsystem(down).residual(w, self.ref_flow, first)[0]
            except PolyflowError:
                return np.full(len(self.pattern[0]), np.nan)
            parts.append(((r_up - r_dn) / (up[j] - down[j]))[rows])
        return np.concatenate(parts)

    def block(self) -> Block:
        return Block(self.rows, self.cols, lambda x: self.residual(x),
                     lambda x: self.values(x), pattern=self.pattern,
                     start=(lambda x: self.residual(x, True), lambda x: self.values(x, True)))


def _samples(f: Freed) -> list[float]:
    """Values of ``p`` at which the unit's pattern is taken (within its bounds)."""
    base = f.p0 if f.p0 != 0.0 else 1e-3
    out = []
    for p in (f.p0 * 0.5, f.p0 * 1.1, f.p0 * 2.0, base, 0.5 * (f.p0 + f.upper)
              if np.isfinite(f.upper) else f.p0 * 3.0):
        if f.lower <= p <= f.upper and p != f.p0:
            out.append(float(p))
    return out


def _changed_rows(a, b) -> np.ndarray:
    """Rows whose linear coefficients, right-hand side or energy constant differ."""
    d = abs(a.A - b.A).tocsr()
    changed = np.diff(d.indptr) > 0
    if d.nnz:
        changed = np.bincount(np.repeat(np.arange(d.shape[0]), np.diff(d.indptr)),
                              weights=d.data, minlength=d.shape[0]) > 0
    changed |= a.rhs != b.rhs
    if len(a.e_row):
        changed[a.e_row[a.e_const != b.e_const]] = True
    return changed
