"""Assembly of the whole plant into one sparse system F(x) = 0.

Unknowns, in this order (DESIGN "The core: one sparse system"):

* for every stream ``s``: the molar flow of every species [kmol/h] and the temperature
  [K], at ``x[s*(S+1) + i]`` and ``x[s*(S+1) + S]``;
* then the internal unknowns of units that need them.

Equations come in three kinds, each evaluated for the whole plant at once:

* **linear** rows ``A x = b`` (species maps of mixers, splitters, separators and
  fixed-conversion reactors, fixed feeds, temperature equalities): ``A`` is built once
  and its Jacobian block never changes;
* **energy** rows ``Σ_s c_s H_s(x) + Q = 0`` with ``H_s = Σ_i n_si h_i(T_s)`` on the
  formation-enthalpy basis; evaluated for every energy row in one vectorised pass;
* **nonlinear blocks** a unit writes as a function of a few of its own variables
  (isotherms, kinetics), with an analytic or finite-difference local Jacobian.

The sparsity pattern is fixed when the system is built; each Newton iteration only
fills the values (``np.bincount`` into the CSC data array).

This module holds the builder and the frozen system's evaluation; the constants and
:class:`Block` are in :mod:`polyflow.solve.blocks`, the unit-author contract
(:class:`UnitEquations`) in :mod:`polyflow.solve.unit_equations` (both re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from polyflow.chem.species import T_REF, SpeciesSet
from polyflow.solve.blocks import (
    DEAD_FLOW,
    MJ_H_PER_KW,
    PLANT_FLOOR,
    ROW_ENERGY,
    ROW_INTERNAL,
    SPECIES_FLOOR,
    Block,
)
from polyflow.solve.unit_equations import UnitEquations

__all__ = ["DEAD_FLOW", "MJ_H_PER_KW", "PLANT_FLOOR", "ROW_ENERGY", "ROW_INTERNAL",
           "SPECIES_FLOOR", "Block", "EquationSystem", "SystemBuilder", "UnitEquations"]

class SystemBuilder:
    """Collects the equations of every unit; :meth:`freeze` makes the solver's system."""

    def __init__(self, species: SpeciesSet, stream_names: Sequence[str]) -> None:
        self.species = species
        self.S = len(species)
        self.stride = self.S + 1
        self.stream_names = list(stream_names)
        self.n_vars = len(stream_names) * self.stride
        self.var_names: list[str] = []  # internal variable names
        self.var_guess: list[float] = []
        self.var_lower: list[float] = []
        self.var_upper: list[float] = []
        self.n_rows = 0
        self._lin: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._rhs: list[tuple[np.ndarray, np.ndarray]] = []
        #: (row, streams, coefficients, duty [kW], primary, UA [kW/K], T ambient [K])
        self._energy: list[tuple[int, np.ndarray, np.ndarray, float, int, float, float]] = []
        #: energy rows written in bulk (polyflow.solve.batch): (rows, streams per row,
        #: streams, coefficients, duties, primary streams), the streams row after row;
        #: no heat loss
        self._energy_bulk: list[tuple[np.ndarray, ...]] = []
        self.blocks: list[Block] = []
        #: start profiles: (read columns, written internal columns, function)
        self.initialisers: list[tuple[np.ndarray, np.ndarray, Callable]] = []
        #: nonlinear elimination of units' internal unknowns: (read columns, written
        #: internal columns, function), applied to every iterate (docs/solver.md)
        self.eliminators: list[tuple[np.ndarray, np.ndarray, Callable]] = []
        #: what names each row in messages: (first row, count, unit, stream, var), the
        #: stream and var a number or one per row
        self.row_meta: list[tuple[int, int, int, int | np.ndarray, int | np.ndarray]] = []
        #: ... and of rows labelled in bulk: (rows, unit, stream, var), one per row
        self.row_meta_bulk: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.row_text: dict[int, str] = {}
        self.unit_names: list[str] = []
        #: every stream's speciation rows (polyflow.solve.aqueous_rows), or None
        self.aqueous = None
        #: factor the first (start-up) Jacobian with its columns matched to a nonzero
        #: diagonal (solve.structure.factor); the default, off with ``start_ordering = "plain"``
        self.match_start = False
        #: (columns (streams, n), masters) of the speciation unknowns, for units
        self.speciation: tuple[np.ndarray, tuple[str, ...]] | None = None

    # -- allocation -------------------------------------------------------------------
    def new_rows(self, n: int, unit: int, stream: int | np.ndarray, var: int | np.ndarray
                 ) -> np.ndarray:
        start = self.reserve_rows(n)
        self.label_rows(start, n, unit, stream, var)
        return np.arange(start, start + n)

    def reserve_rows(self, n: int) -> int:
        """Allocate ``n`` rows to be written (and labelled) later; returns the first."""
        start = self.n_rows
        self.n_rows += n
        return start

    def label_rows(self, start: int, n: int, unit: int | np.ndarray,
                   stream: int | np.ndarray, var: int | np.ndarray) -> None:
        """Name rows ``start .. start+n-1`` for messages (each of ``unit``, ``stream``,
        ``var``: a number, or one per row)."""
        self.row_meta.append((start, n, unit, stream, var))

    def drop_rows(self, r0: int, r1: int) -> None:
        """Remove the equations held for rows ``r0 .. r1-1`` (a unit's: the rows and
        their labels stay, to be filled by another block)."""
        def mine(r) -> bool:
            r = np.atleast_1d(r)
            return bool(len(r)) and r0 <= int(r[0]) < r1

        def outside(r) -> np.ndarray:
            return (r < r0) | (r >= r1)

        lin = []
        for rows, cols, vals in self._lin:
            keep = outside(np.asarray(rows))
            if keep.all():
                lin.append((rows, cols, vals))
            elif keep.any():
                lin.append((rows[keep], cols[keep], vals[keep]))
        self._lin = lin
        rhs = []
        for rows, vals in self._rhs:
            keep = outside(np.asarray(rows))
            if keep.any():
                rhs.append((rows[keep], vals[keep]) if not keep.all() else (rows, vals))
        self._rhs = rhs
        self._energy = [e for e in self._energy if not mine(e[0])]
        bulk = []
        for rows, counts, streams, coefs, duty, primary in self._energy_bulk:
            keep = outside(rows)
            each = np.repeat(keep, counts)
            bulk.append((rows[keep], counts[keep], streams[each], coefs[each], duty[keep],
                         primary[keep]))
        self._energy_bulk = bulk
        self.blocks = [bk for bk in self.blocks if not mine(bk.rows)]

    def new_internal(self, names: Sequence[str], guess: Sequence[float],
                     lower: float | Sequence[float] | None = None,
                     upper: float | Sequence[float] | None = None) -> np.ndarray:
        start = self.n_vars + len(self.var_names)
        self.var_names.extend(names)
        self.var_guess.extend(guess)
        for dest, value, default in ((self.var_lower, lower, -np.inf),
                                     (self.var_upper, upper, np.inf)):
            v = np.asarray(default if value is None else value, dtype=float)
            dest.extend(np.where(np.isnan(v), default, v)
                        if v.ndim else np.broadcast_to(v, (len(names),)))
        return np.arange(start, start + len(names))

    def freeze(self) -> EquationSystem:
        return EquationSystem(self)


@dataclass
class EquationSystem:
    """The frozen plant system: evaluate residuals and the sparse Jacobian at ``x``."""

    builder: SystemBuilder
    n: int = field(init=False)

    def __post_init__(self) -> None:
        b = self.builder
        self.species = b.species
        self.S, self.stride = b.S, b.stride
        self.n_streams = len(b.stream_names)
        self.n = b.n_vars + len(b.var_names)
        self.n_rows = b.n_rows
        def cat(parts, dt=float):
            return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dtype=dt)

        self.row_unit = np.full(self.n_rows, -1, dtype=int)
        self.row_stream = np.full(self.n_rows, -1, dtype=int)
        self.row_var = np.full(self.n_rows, ROW_INTERNAL, dtype=int)
        for start, n, unit, stream, var in b.row_meta:
            self.row_unit[start:start + n] = unit
            self.row_stream[start:start + n] = stream
            self.row_var[start:start + n] = var
        for rows, unit, stream, var in b.row_meta_bulk:
            self.row_unit[rows] = unit
            self.row_stream[rows] = stream
            self.row_var[rows] = var
        # linear part
        lr = cat([t[0] for t in b._lin], int)
        lc = cat([t[1] for t in b._lin], int)
        lv = cat([t[2] for t in b._lin])
        self.A = sp.csr_matrix((lv, (lr, lc)), shape=(self.n_rows, self.n))
        self.A.sum_duplicates()
        self.absA = abs(self.A)
        self.rhs = np.zeros(self.n_rows)
        for rows, vals in b._rhs:
            self.rhs[rows] += vals
        # energy part: one entry per (row, stream); the rows units wrote one at a time,
        # then those written in bulk (without heat losses)
        chunks = [(*c, np.zeros(len(c[0])), np.full(len(c[0]), 298.15))
                  for c in b._energy_bulk]
        if b._energy:
            one = b._energy
            chunks.insert(0, (np.array([e[0] for e in one]),
                              np.array([len(e[1]) for e in one]),
                              np.concatenate([e[1] for e in one]),
                              np.concatenate([e[2] for e in one]),
                              np.array([e[3] for e in one]), np.array([e[4] for e in one]),
                              np.array([e[5] for e in one]), np.array([e[6] for e in one])))
        self.e_row = cat([c[0] for c in chunks], int)
        self.e_const = cat([c[4] for c in chunks])
        self.e_primary = cat([c[5] for c in chunks], int)
        self.e_loss = cat([c[6] for c in chunks])          # UA [kW/K]
        self.e_ambient = cat([c[7] for c in chunks])       # [K]
        n_e = len(self.e_row)
        self.ee_pos = np.repeat(np.arange(n_e), cat([c[1] for c in chunks], int))
        self.ee_stream = cat([c[2] for c in chunks], int)
        self.ee_coef = cat([c[3] for c in chunks])
        self.ee_inlet = self.ee_coef > 0
        self.ee_primary = self.ee_stream == self.e_primary[self.ee_pos] if n_e else \
            np.zeros(0, bool)
        self.e_n_in = np.bincount(self.ee_pos, weights=self.ee_inlet, minlength=n_e)
        self.e_streams = np.unique(self.ee_stream)
        self._e_local = np.searchsorted(self.e_streams, self.ee_stream)
        # sparsity pattern of the full Jacobian, fixed once
        e_rows = np.repeat(self.e_row[self.ee_pos], self.stride)
        e_cols = (self.ee_stream[:, None] * self.stride + np.arange(self.stride)).ravel()
        blk_pat = [bk.global_pattern() for bk in b.blocks]
        blk_rows = [p[0] for p in blk_pat]
        blk_cols = [p[1] for p in blk_pat]
        self.aqueous = b.aqueous
        #: whether any other row reads a speciation column (a unit's rate law, a pH
        #: spec): then the speciation is settled on every trial point of the line search
        self.aqueous_coupled = False
        if self.aqueous is not None:
            blk_rows.append(self.aqueous.pattern()[0])
            blk_cols.append(self.aqueous.pattern()[1])
            self.aqueous_coupled = bool(np.isin(np.concatenate(
                [bk.cols for bk in b.blocks] or [np.zeros(0, int)]),
                self.aqueous.cols).any())
            self.aqueous.coupled = self.aqueous_coupled
        #: (rows, columns) of the plant without the speciation, when nothing reads it
        #: (Newton's step then factors that block only: solve/newton.py, _solver)
        self.plant_block = None
        if self.aqueous is not None and not self.aqueous_coupled:
            self.plant_block = (np.setdiff1d(np.arange(self.n_rows), self.aqueous.rows),
                                np.setdiff1d(np.arange(self.n), self.aqueous.cols))
        Acoo = self.A.tocoo()
        rows_all = np.concatenate([Acoo.row, e_rows, *blk_rows]).astype(np.int64)
        cols_all = np.concatenate([Acoo.col, e_cols, *blk_cols]).astype(np.int64)
        self._lin_vals = Acoo.data
        key = cols_all * max(self.n_rows, 1) + rows_all
        uniq, self._map = np.unique(key, return_inverse=True)
        self.nnz = len(uniq)
        self._indices = (uniq % max(self.n_rows, 1)).astype(np.int32)
        cols_u = uniq // max(self.n_rows, 1)
        self._indptr = np.searchsorted(cols_u, np.arange(self.n + 1)).astype(np.int32)
        #: column of each stored entry of the CSC Jacobian (for column scaling)
        self.csc_columns = cols_u.astype(np.int64)
        self.blocks = b.blocks
        self.initialisers = b.initialisers
        self.eliminators = b.eliminators
        self.match_start = b.match_start
        self._species_rows = np.nonzero((self.row_var >= 0) & (self.row_var < self.S))[0]
        self._species_of_row = self.row_var[self._species_rows]
        self.x_guess_internal = np.array(b.var_guess, dtype=float)
        #: reference flow of each species [kmol/h] (its largest feed), set by the driver
        self.species_ref = np.zeros(self.S)
        #: lower bounds Newton respects: internal unknowns as their units declare them, and
        #: zero for the stream flows a nonlinear block reads (an isotherm or a rate law
        #: is not defined for negative flows). Flows of purely linear units stay free, so
        #: an infeasible specification shows as a negative flow and is reported as such.
        self.lower = np.full(self.n, -np.inf)
        self.lower[b.n_vars:] = np.array(b.var_lower, dtype=float)
        self.upper = np.full(self.n, np.inf)
        self.upper[b.n_vars:] = np.array(b.var_upper, dtype=float)
        self.capped = np.nonzero(np.isfinite(self.upper))[0]
        n_flows = self.n_streams * self.stride
        for bk in b.blocks:
            c = bk.cols[bk.cols < n_flows]
            if bk.unbounded is not None:
                c = np.setdiff1d(c, bk.unbounded)
            c = c[c % self.stride != self.S]
            self.lower[c] = 0.0
        self.bounded = np.nonzero(np.isfinite(self.lower))[0]
        #: of those, the internal unknowns: held at their bound when a step crosses it
        #: (stream flows are only kept from crossing while positive, since a held flow
        #: would break the linear balances it appears in)
        self.held = self.bounded[self.bounded >= n_flows]
        self.free_bounded = self.bounded[self.bounded < n_flows]

    # ---------------------------------------------------------------------------------
    def stream_view(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(flows[s, i], T[s]) views into ``x``."""
        m = x[: self.n_streams * self.stride].reshape(self.n_streams, self.stride)
        return m[:, : self.S], m[:, self.S]

    def _energy_terms(self, x: np.ndarray):
        N, T = self.stream_view(x)
        Ne, Te = N[self.e_streams], np.maximum(T[self.e_streams], 1.0)
        h = self.species.h_molar(Te)                      # MJ/kmol
        H = (Ne * h).sum(axis=1) / MJ_H_PER_KW            # kW
        if self.species.apparent is not None:             # heat of dilution (chem.dilution)
            Hx, dHx = self.species.H_excess(Ne)
            H = H + Hx / MJ_H_PER_KW
            h = h + dHx                                   # ∂H/∂n for the Jacobian
        dHdT = (Ne * self.species.cp_molar(Te)).sum(axis=1) / MJ_H_PER_KW
        flow = Ne.sum(axis=1)
        return h, H, dHdT, flow, T

    def dead_rows(self, flow_e: np.ndarray, ref_flow: float) -> np.ndarray:
        out = np.bincount(self.ee_pos, weights=np.where(self.ee_inlet, 0.0,
                                                        flow_e[self._e_local]),
                          minlength=len(self.e_row))
        return out <= DEAD_FLOW * ref_flow

    def residual(self, x: np.ndarray, ref_flow: float = 1.0, first: bool = False,
                 speciation: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Residuals ``F(x)`` and their scales, one per row.

        A row's scale is the sum of the absolute values of its terms; for a species
        balance it is at least ``SPECIES_FLOOR`` times the largest flow of that species
        anywhere in the plant (and ``PLANT_FLOOR`` times the plant's feed flow), so that
        a row of round-off-sized terms (a species that is absent there) is not judged
        relative to itself. Without ``speciation`` the speciation rows are left at
        zero (scale 1): a line search on a plant that does not read them.
        """
        r = self.A @ x - self.rhs
        scale = self.absA @ np.abs(x) + np.abs(self.rhs)
        if len(self.e_row):
            _, H, _, flow, T = self._energy_terms(x)
            term = self.ee_coef * H[self._e_local]
            n_e = len(self.e_row)
            Tp = T[self.e_primary]
            loss = self.e_loss * (Tp - self.e_ambient)     # heat lost to the surroundings
            live = np.bincount(self.ee_pos, weights=term, minlength=n_e) + self.e_const \
                - loss
            live_scale = np.bincount(self.ee_pos, weights=np.abs(term), minlength=n_e) \
                + np.abs(self.e_const) + np.abs(loss)
            dead = self.dead_rows(flow, ref_flow)
            Tin = np.bincount(self.ee_pos, weights=self.ee_inlet * T[self.ee_stream],
                              minlength=n_e)
            Tin = np.where(self.e_n_in > 0, Tin / np.maximum(self.e_n_in, 1), T_REF)
            r[self.e_row] = np.where(dead, Tp - Tin, live)
            scale[self.e_row] = np.where(dead, np.abs(Tp) + np.abs(Tin), live_scale)
        for bk in self.blocks:
            rb, sb = bk.started(first).func(x[bk.cols])
            r[bk.rows] = rb
            scale[bk.rows] = sb
        if self.aqueous is not None and speciation:
            rows, r[rows], scale[rows] = self.aqueous.residual(x)
        # a species row whose terms are all tiny is judged against that species' scale
        N, _ = self.stream_view(x)
        floor = np.maximum(SPECIES_FLOOR * np.maximum(np.abs(N).max(axis=0, initial=0.0),
                                                      self.species_ref),
                           PLANT_FLOOR * ref_flow)
        sr = self._species_rows
        scale[sr] = np.maximum(scale[sr], floor[self._species_of_row])
        return r, scale

    def jacobian(self, x: np.ndarray, ref_flow: float = 1.0, first: bool = False,
                 speciation: bool = True) -> sp.csc_matrix:
        """The sparse Jacobian at ``x`` in CSC form (fixed pattern, values filled).
        Without ``speciation`` the speciation rows are identity rows (a step that
        solves the plant's rows only, when no other row reads the speciation)."""
        parts = [self._lin_vals]
        if len(self.e_row):
            h, _, dHdT, flow, _ = self._energy_terms(x)
            loc = self._e_local
            coef = self.ee_coef[:, None]
            live = np.concatenate([coef * h[loc] / MJ_H_PER_KW,
                                   coef * dHdT[loc][:, None]], axis=1)
            live[:, -1] -= np.where(self.ee_primary, self.e_loss[self.ee_pos], 0.0)
            dead = self.dead_rows(flow, ref_flow)[self.ee_pos]
            dead_T = np.where(self.ee_primary, 1.0,
                              np.where(self.ee_inlet,
                                       -1.0 / np.maximum(self.e_n_in[self.ee_pos], 1), 0.0))
            dead_vals = np.zeros_like(live)
            dead_vals[:, -1] = dead_T
            parts.append(np.where(dead[:, None], dead_vals, live).ravel())
        for bk in self.blocks:
            parts.append(bk.started(first).values(x[bk.cols]))
        if self.aqueous is not None:
            parts.append(self.aqueous.values(x) if speciation else self.aqueous.idle_values())
        data = np.bincount(self._map, weights=np.concatenate(parts), minlength=self.nnz)
        return sp.csc_matrix((data, self._indices, self._indptr), shape=(self.n_rows, self.n))

    def settle(self, x: np.ndarray) -> None:
        """Solve every stream's speciation for the flows and T of ``x``, in place (the
        nonlinear elimination of docs/solver.md); nothing without speciation."""
        if self.aqueous is not None:
            self.aqueous.settle(x)

    def eliminate(self, x: np.ndarray) -> None:
        """Settle the internal unknowns of the units that ask for it (``UnitEquations.
        eliminate``: an equilibrium unit downstream, solved by its own inner Newton from
        its inlets) for the flows of ``x``, in place; a unit whose inner solve fails
        keeps the iterate's values (its rows then stay unsolved for the global step)."""
        for read, write, func in self.eliminators:
            new = func(x[read])
            if new is not None and np.all(np.isfinite(new)):
                x[write] = new

    def pattern(self) -> sp.csc_matrix:
        """The structural pattern (ones), for the degrees-of-freedom analysis."""
        return sp.csc_matrix((np.ones(self.nnz), self._indices, self._indptr),
                             shape=(self.n_rows, self.n))

    # -- names for messages -----------------------------------------------------------
    def var_label(self, j: int) -> tuple[str, str]:
        """("stream 'NAME'" or "unit 'NAME'", variable) naming unknown ``j``."""
        b = self.builder
        if j < b.n_vars:
            s, i = divmod(j, self.stride)
            what = "temperature" if i == self.S else f"flow of {self.species.ids[i]}"
            return f"stream '{b.stream_names[s]}'", what
        name = b.var_names[j - b.n_vars]
        aq = self.aqueous
        if aq is not None and aq.cols[0, 0] <= j <= aq.cols[-1, -1]:
            s, k = divmod(j - int(aq.cols[0, 0]), aq.n)
            return f"stream '{b.stream_names[s]}'", aq.var_labels()[k]
        unit, _, var = name.partition(".")
        return f"unit '{unit}'", var

    def row_label(self, r: int) -> tuple[str, str, str]:
        """(unit, stream, equation) naming row ``r``."""
        b = self.builder
        unit = b.unit_names[self.row_unit[r]] if self.row_unit[r] >= 0 else "-"
        s = self.row_stream[r]
        stream = b.stream_names[s] if s >= 0 else "-"
        v = self.row_var[r]
        if r in b.row_text:
            what = b.row_text[r]
        elif v == ROW_ENERGY:
            what = "energy balance"
        elif v == self.S:
            what = "temperature"
        elif v >= 0:
            what = f"balance of {self.species.ids[v]}"
        else:
            what = "internal equation"
        return unit, stream, what
