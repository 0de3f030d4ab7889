"""A unit with some of its inputs freed (:class:`~polyflow.solve.freed.Freed`): its rows
rebuilt at the freed values and given to Newton as one nonlinear block on (its columns,
the freed values). How and why: :mod:`polyflow.solve.freed`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from polyflow.errors import InputError, PolyflowError
from polyflow.solve.freed import Freed
from polyflow.solve.system import Block, SystemBuilder, UnitEquations

__all__ = ["FreedUnit"]

#: relative distance of the second value at which an affine unit is built
AFFINE_STEP = 0.25
#: relative step of the central difference ∂F/∂p
FD_STEP = 1e-6


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
        self.aqueous = b.aqueous             # a leach rate law speciates its tank liquors
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
                and same(base.e_const, sb.e_const, sc.e_const)
                and same(base.e_loss, sb.e_loss, sc.e_loss)):
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
        b.plant_aqueous = self.aqueous      # (no rows of its own) a leach speciates with it
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
        changed[a.e_row[(a.e_const != b.e_const) | (a.e_loss != b.e_loss)]] = True
    return changed
