"""A plant's assembled system with some units' numbers changed in place: the next point of
a study reuses the last point's system instead of assembling the plant again.

A study point is the plant with a few ``--set`` values changed (a feed's grades and
flow, a unit's parameter; :mod:`polyflow.study.variant`). Assembling the whole plant and
attaching its design specs again for each point is most of a warm point's time (the
refinery: 0.25 s of 0.47 s, docs/studies.md). Here only the units whose objects differ
from the last solved plant's write their equations again, into a scratch builder with
the same row and column numbering, and their numbers replace theirs in a copy of the
last system: the linear coefficients and right-hand sides of their rows, their energy
rows' duties, coefficients and heat losses, their nonlinear blocks and start profiles,
their internal unknowns' start values. A unit its class writes in bulk
(:mod:`polyflow.solve.batch`) is written here by its own ``equations``, which put the
same numbers in the same rows (batch.py's contract).

This is the same system :func:`polyflow.solve.assemble.assemble` would build for the
point only when the changed units write the same structure: the same rows, the same
nonzero pattern, the same energy rows over the same streams, the same blocks over the
same columns, the same bounds. Anything else (a different plant, a unit whose input a
design spec frees, a spec target that reads a changed
unit's report, a spec dropped because the point sets its input, a pattern that moved)
returns the reason instead, and the driver assembles the plant in full. The study's
tests check a point solved in place against the same point assembled in full and
against a single run with ``--set`` to 1e-9.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from polyflow.errors import PolyflowError
from polyflow.solve.system import SystemBuilder, UnitEquations

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.solve.assemble import Assembly

__all__ = ["changed_units", "rebind"]


class _Moved(Exception):
    """The changed unit writes another structure: assemble in full (the message says
    why, for the study's row)."""


def changed_units(old: Flowsheet, new: Flowsheet) -> list[str] | str:
    """The units of ``new`` whose objects are not ``old``'s, or the reason the two are
    not the same plant with other numbers (a string)."""
    if new._streams is not old._streams or new._from is not old._from \
            or new._into is not old._into or new.species is not old.species \
            or new.options is not old.options:
        return "another plant (streams, species or options differ)"
    a, b = old.units, new.units
    if list(a) != list(b):
        return "another plant (units differ)"
    if list(old.specs) != list(new.specs):
        return "the design specs differ (a point sets a spec's input)"
    return [n for n in b if b[n] is not a[n]]


def rebind(old_fs: Flowsheet, asm: Assembly, layout: Any, fs: Flowsheet
           ) -> tuple[Assembly, Any] | str:
    """``(assembly, spec layout)`` of ``fs`` made from ``asm`` and ``layout``, the
    assembly of ``old_fs`` (solved last), by rewriting the equations of the units that
    differ; or the reason it cannot be done in place (then assemble ``fs`` in full)."""
    names = changed_units(old_fs, fs)
    if isinstance(names, str):
        return f"assembled in full: {names}"
    system = asm.system
    freed = set(layout.units) if layout is not None else set()
    reads = {getattr(s.measure, "reads_unit", None) for s in layout.specs} \
        if layout is not None else set()
    new = copy.copy(system)
    parts = _Parts(system)
    units = fs.units
    order = list(units)
    try:
        for name in names:
            if name in freed:
                raise _Moved(f"a design spec frees an input of unit {name!r}")
            if name in reads:
                raise _Moved(f"a design spec's target reads unit {name!r}'s report")
            parts.rewrite(fs, asm, order.index(name), name, units[name])
    except _Moved as why:
        return f"assembled in full: {why}"
    except PolyflowError as err:
        return f"assembled in full: {err.message}"
    parts.into(new)
    if system.aqueous is not None:          # its state is per solve (given_up, a cache)
        aq = copy.copy(system.aqueous)
        aq.given_up = np.zeros(aq.N, dtype=bool)
        aq._last = None
        new.aqueous = aq
    out = copy.copy(asm)
    out.system = new
    if layout is not None:
        from polyflow.solve.specs import _ref_flow

        layout.hold = False
        for s in layout.specs:
            s.goal = s.target
        ref_flow = _ref_flow(fs, new)
        for fu in layout.units.values():
            fu.ref_flow = ref_flow
    return out, layout


class _Parts:
    """The arrays of a system that changed units rewrite (copied on first write)."""

    def __init__(self, system) -> None:
        self.system = system
        self.A = system.A.copy()
        self.rhs = system.rhs.copy()
        self.e_const = system.e_const.copy()
        self.e_loss = system.e_loss.copy()
        self.e_ambient = system.e_ambient.copy()
        self.ee_coef = system.ee_coef.copy()
        self.blocks = list(system.blocks)
        self.initialisers = list(system.initialisers)
        self.guess = system.x_guess_internal.copy()

    def rewrite(self, fs, asm, u: int, name: str, unit) -> None:
        """Write ``unit``'s equations into a scratch builder numbered as in ``asm`` and
        put its numbers in place of the old unit's (raise :class:`_Moved` when its
        structure differs)."""
        system = self.system
        kept = system.builder
        rows = np.nonzero(system.row_unit == u)[0]
        n_rows = asm.unit_rows[name][0]
        r0 = int(rows[0]) if len(rows) else 0
        r1 = r0 + n_rows
        if len(rows) != n_rows or (n_rows and int(rows[-1]) != r1 - 1):
            raise _Moved(f"unit {name!r}'s rows are not its own block")
        internal = np.asarray(asm.internal[name], dtype=int)
        pad = int(internal[0]) - kept.n_vars if len(internal) else 0
        b = SystemBuilder(fs.species, kept.stream_names)
        b.var_names = [""] * pad
        b.var_guess = [0.0] * pad
        b.var_lower = [-np.inf] * pad
        b.var_upper = [np.inf] * pad
        b.n_rows = r0
        b.unit_names = kept.unit_names
        b.speciation = kept.speciation
        inlets, outlets = asm.ports[name]
        eq = UnitEquations(b, u, name, inlets, outlets)
        try:
            unit.equations(eq)
        except PolyflowError as err:
            raise fs._err(err.located(unit=name)) from None
        if eq.rows_added != n_rows or eq.internal_added != len(internal) \
                or b.n_rows != r1 or b._energy_bulk or b.row_meta_bulk:
            raise _Moved(f"unit {name!r} writes another number of equations")
        self._linear(b, r0, r1, name)
        self._energy(b, r0, r1, name)
        self._blocks(b, r0, r1, name)
        self._internal(b, internal, pad, name)

    def _linear(self, b: SystemBuilder, r0: int, r1: int, name: str) -> None:
        A = self.A
        if b._lin:
            lr = np.concatenate([t[0] for t in b._lin]).astype(int)
            lc = np.concatenate([t[1] for t in b._lin]).astype(int)
            lv = np.concatenate([t[2] for t in b._lin]).astype(float)
        else:
            lr = lc = np.zeros(0, int)
            lv = np.zeros(0)
        if len(lr) and (lr.min() < r0 or lr.max() >= r1):
            raise _Moved(f"unit {name!r} writes outside its rows")
        M = sp.csr_matrix((lv, (lr - r0, lc)), shape=(r1 - r0, A.shape[1]))
        M.sum_duplicates()
        a0, a1 = A.indptr[r0], A.indptr[r1]
        if not (np.array_equal(A.indptr[r0:r1 + 1] - a0, M.indptr)
                and np.array_equal(A.indices[a0:a1], M.indices)):
            raise _Moved(f"unit {name!r}'s linear rows change their pattern")
        A.data[a0:a1] = M.data
        self.rhs[r0:r1] = 0.0
        for rows, vals in b._rhs:
            rows = np.asarray(rows)
            if len(rows) and (rows.min() < r0 or rows.max() >= r1):
                raise _Moved(f"unit {name!r} writes outside its rows")
            self.rhs[rows] += vals

    def _energy(self, b: SystemBuilder, r0: int, r1: int, name: str) -> None:
        s = self.system
        mine = np.nonzero((s.e_row >= r0) & (s.e_row < r1))[0]
        if len(mine) != len(b._energy):
            raise _Moved(f"unit {name!r} writes another number of energy rows")
        if not len(mine):
            return
        one = b._energy
        at = np.nonzero(np.isin(s.ee_pos, mine))[0]
        streams = np.concatenate([e[1] for e in one]).astype(int)
        if not (np.array_equal(s.e_row[mine], [e[0] for e in one])
                and np.array_equal(s.e_primary[mine], [e[4] for e in one])
                and np.array_equal(s.ee_stream[at], streams)
                and np.array_equal(s.ee_pos[at], np.repeat(mine, [len(e[1]) for e in one]))):
            raise _Moved(f"unit {name!r}'s energy rows change their streams")
        self.e_const[mine] = [e[3] for e in one]
        self.e_loss[mine] = [e[5] for e in one]
        self.e_ambient[mine] = [e[6] for e in one]
        self.ee_coef[at] = np.concatenate([e[2] for e in one])

    def _blocks(self, b: SystemBuilder, r0: int, r1: int, name: str) -> None:
        at = [k for k, bk in enumerate(self.blocks)
              if len(bk.rows) and r0 <= int(bk.rows[0]) < r1]
        if len(at) != len(b.blocks):
            raise _Moved(f"unit {name!r} writes another number of nonlinear blocks")
        for k, bk in zip(at, b.blocks, strict=True):
            old = self.blocks[k]
            if not (np.array_equal(old.rows, bk.rows) and np.array_equal(old.cols, bk.cols)
                    and all(np.array_equal(p, q) for p, q in
                            zip(old.global_pattern(), bk.global_pattern(), strict=True))):
                raise _Moved(f"unit {name!r}'s nonlinear blocks change their pattern")
            self.blocks[k] = bk

    def _internal(self, b: SystemBuilder, internal: np.ndarray, pad: int, name: str
                  ) -> None:
        s = self.system
        if len(internal):
            lower = np.array(b.var_lower[pad:], dtype=float)
            upper = np.array(b.var_upper[pad:], dtype=float)
            if not (np.array_equal(s.lower[internal], lower)
                    and np.array_equal(s.upper[internal], upper)):
                raise _Moved(f"unit {name!r} changes the bounds of its unknowns")
            self.guess[internal - s.builder.n_vars] = b.var_guess[pad:]
        written = set(internal.tolist())
        at = [k for k, ini in enumerate(self.initialisers)
              if len(ini[1]) and int(np.asarray(ini[1]).ravel()[0]) in written]
        if len(at) != len(b.initialisers):
            raise _Moved(f"unit {name!r} writes another number of start profiles")
        for k, ini in zip(at, b.initialisers, strict=True):
            old = self.initialisers[k]
            if not (np.array_equal(old[0], ini[0]) and np.array_equal(old[1], ini[1])):
                raise _Moved(f"unit {name!r}'s start profiles change their columns")
            self.initialisers[k] = ini

    def into(self, new) -> None:
        """Set the rewritten arrays on ``new`` (a copy of the system)."""
        new.A = self.A
        new.absA = abs(self.A)
        new._lin_vals = self.A.data
        new.rhs = self.rhs
        new.e_const, new.e_loss, new.e_ambient = self.e_const, self.e_loss, self.e_ambient
        new.ee_coef = self.ee_coef
        new.ee_inlet = self.ee_coef > 0
        n_e = len(new.e_row)
        new.e_n_in = np.bincount(new.ee_pos, weights=new.ee_inlet, minlength=n_e)
        new.blocks = self.blocks
        new.initialisers = self.initialisers
        new.x_guess_internal = self.guess
        new.species_ref = np.zeros(new.S)
