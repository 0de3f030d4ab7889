"""The unit-author contract: what a unit's ``equations(eq)`` method sees (its streams)
and the helpers by which it adds its rows (linear maps, energy balance, nonlinear blocks,
internal unknowns, start profiles) to the plant system."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from polyflow.solve.blocks import ROW_ENERGY, ROW_INTERNAL, Block

if TYPE_CHECKING:
    from polyflow.solve.system import SystemBuilder

__all__ = ["UnitEquations"]


class UnitEquations:
    """What a unit's ``equations(eq)`` method sees: its streams and equation helpers.

    ``eq.inlets`` maps inlet port -> list of stream indices, ``eq.outlets`` maps outlet
    port -> stream index. Every helper adds rows owned by this unit.
    """

    def __init__(self, builder: SystemBuilder, unit_index: int, unit_name: str,
                 inlets: dict[str, list[int]], outlets: dict[str, int]) -> None:
        self.b = builder
        self.unit = unit_index
        self.unit_name = unit_name
        self.inlets = inlets
        self.outlets = outlets
        self.species = builder.species
        self.S = builder.S
        self.rows_added = 0
        self.internal_added = 0

    # -- index helpers --------------------------------------------------------------
    def flows(self, stream: int) -> np.ndarray:
        """Global indices of the species flows of ``stream``."""
        base = stream * self.b.stride
        return np.arange(base, base + self.S)

    def temperature(self, stream: int) -> int:
        return stream * self.b.stride + self.S

    def stream(self, name: str) -> int:
        """Index of the stream called ``name`` anywhere in the plant (for units whose
        specification names another stream, such as a dose held to a target there)."""
        try:
            return self.b.stream_names.index(name)
        except ValueError:
            from polyflow.errors import InputError, did_you_mean

            raise InputError(f"no stream named {name!r} in the plant",
                             hint=did_you_mean(name, self.b.stream_names)) from None

    def speciation(self, stream: int) -> dict[str, int]:
        """Global columns of ``stream``'s speciation unknowns (polyflow.solve.
        aqueous_rows): ``"log10 a(H+)"`` (pH = −x), ``"log10 a(MASTER)"`` for every
        master species, ``"I"`` (ionic strength, mol/kg water) and ``"M"`` (Σ m). A rate
        law or an isotherm that reads them (as a nonlinear block's columns) gets the
        exact coupled derivatives: the speciation rows are in the same Newton system.
        Raises :class:`InputError` when the plant has no speciation."""
        sp = getattr(self.b, "speciation", None)
        if sp is None:
            from polyflow.errors import InputError

            raise InputError("this unit reads a stream's pH or ionic strength, but the "
                             "plant has no speciation (no H2O in its species, or "
                             "options.speciation = false)", field="speciation",
                             hint="add H2O to the species and drop 'speciation = false'")
        cols, masters = sp
        c = cols[stream]
        K = len(masters)
        out = {f"log10 a({m})": int(c[k]) for k, m in enumerate(masters)}
        out.update({"I": int(c[K]), "M": int(c[K + 1])})
        return out

    @property
    def all_inlets(self) -> list[int]:
        return [s for streams in self.inlets.values() for s in streams]

    def _rows(self, n: int, stream: int | np.ndarray, var: int | np.ndarray) -> np.ndarray:
        self.rows_added += n
        return self.b.new_rows(n, self.unit, stream, var)

    # -- linear equations -------------------------------------------------------------
    def species_map(self, dst: int, terms: Sequence[tuple[int, float | np.ndarray]],
                    constant: np.ndarray | None = None) -> None:
        """``n_dst = Σ_k M_k n_src_k + c``, one row per species.

        ``M_k`` may be a scalar, a per-species vector (diagonal) or an S×S matrix.
        """
        S = self.S
        rows = self._rows(S, dst, np.arange(S))
        r_parts, c_parts, v_parts = [rows], [self.flows(dst)], [np.ones(S)]
        for src, M in terms:
            M = np.asarray(M, dtype=float)
            src_cols = self.flows(src)
            if M.ndim == 0:
                if M == 0.0:
                    continue
                r_parts.append(rows)
                c_parts.append(src_cols)
                v_parts.append(np.full(S, -float(M)))
            elif M.ndim == 1:
                nz = np.nonzero(M)[0]
                r_parts.append(rows[nz])
                c_parts.append(src_cols[nz])
                v_parts.append(-M[nz])
            else:
                ii, jj = np.nonzero(M)
                r_parts.append(rows[ii])
                c_parts.append(src_cols[jj])
                v_parts.append(-M[ii, jj])
        self.b._lin.append((np.concatenate(r_parts), np.concatenate(c_parts),
                            np.concatenate(v_parts)))
        if constant is not None:
            self.b._rhs.append((rows, np.asarray(constant, dtype=float)))

    def fixed_flows(self, dst: int, flows: np.ndarray) -> None:
        """``n_dst = flows`` (a feed)."""
        self.species_map(dst, [], constant=flows)

    def temperature_equal(self, dst: int, src: int | Sequence[int]) -> None:
        """``T_dst = mean(T_src)`` (one row)."""
        srcs = [src] if isinstance(src, int | np.integer) else list(src)
        row = self._rows(1, dst, self.S)
        self.b._lin.append((np.repeat(row, 1 + len(srcs)),
                            np.array([self.temperature(dst)] + [self.temperature(s)
                                                                for s in srcs]),
                            np.array([1.0] + [-1.0 / len(srcs)] * len(srcs))))

    def temperature_fixed(self, dst: int, T: float) -> None:
        """``T_dst = T`` (one row)."""
        row = self._rows(1, dst, self.S)
        self.b._lin.append((row, np.array([self.temperature(dst)]), np.array([1.0])))
        self.b._rhs.append((row, np.array([float(T)])))

    def linear_rows(self, n: int, stream: int, var: int | np.ndarray, rows_local: np.ndarray,
                    cols: np.ndarray, vals: np.ndarray, rhs: np.ndarray | None = None) -> None:
        """General linear rows ``Σ a x = rhs`` (``rows_local`` in 0..n-1)."""
        rows = self._rows(n, stream, var)
        self.b._lin.append((rows[rows_local], np.asarray(cols), np.asarray(vals, dtype=float)))
        if rhs is not None:
            self.b._rhs.append((rows, np.asarray(rhs, dtype=float)))

    # -- energy ---------------------------------------------------------------------
    def energy_balance(self, inlets: Sequence[int], outlets: Sequence[int], primary: int,
                       duty_kW: float = 0.0, loss_kW_per_K: float = 0.0,
                       ambient_K: float = 298.15) -> None:
        """``Σ H_in - Σ H_out + Q - UA (T_primary - T_ambient) = 0``; it determines
        ``T_primary`` (an outlet). ``loss_kW_per_K`` is the ``UA`` of a heat loss to
        the surroundings at ``ambient_K`` (a hot tank's walls; 0: none).

        When the outlets carry no flow, the row becomes ``T_primary = mean(T_in)`` so that
        the Jacobian stays regular (an empty stream has no heat capacity).
        """
        row = self._rows(1, primary, ROW_ENERGY)[0]
        streams = np.array(list(inlets) + list(outlets), dtype=int)
        coefs = np.array([1.0] * len(inlets) + [-1.0] * len(outlets))
        self.b._energy.append((row, streams, coefs, float(duty_kW), primary,
                               float(loss_kW_per_K), float(ambient_K)))

    # -- nonlinear ------------------------------------------------------------------
    def internal(self, names: Sequence[str], guess: Sequence[float],
                 lower: float | Sequence[float] | None = None,
                 upper: float | Sequence[float] | None = None) -> np.ndarray:
        """Add internal unknowns of this unit; returns their global indices.

        ``lower`` (a number or one per unknown; ``None`` or NaN for unbounded) is a bound
        that Newton keeps: steps are cut before they cross it (fraction to the boundary),
        and a value that crosses anyway is held at it. Give ``0.0`` for flows,
        concentrations and extents that cannot be negative. ``upper`` is held the same
        way (a logarithm of a fraction is at most 0)."""
        self.internal_added += len(names)
        return self.b.new_internal([f"{self.unit_name}.{n}" for n in names], guess, lower,
                                   upper)

    def nonlinear(self, cols: Sequence[int], n_rows: int, func, jac=None,
                  stream: int | np.ndarray = -1, var: int | np.ndarray = ROW_INTERNAL,
                  labels: Sequence[str] | None = None,
                  pattern: tuple[np.ndarray, np.ndarray] | None = None,
                  start: tuple[Callable, Callable | None] | None = None,
                  unbounded: Sequence[int] | None = None) -> np.ndarray:
        """Add ``n_rows`` nonlinear equations in the variables ``cols`` (see :class:`Block`
        for ``func``, ``jac`` and ``pattern``). ``stream``/``var`` label the rows for
        messages: a species row (``var`` = species index) names its stream and species.
        ``start = (func, jac)`` gives equations for the first iteration only (for example a
        fixed split standing in for an isotherm), used where the real ones are singular at
        the all-zero start. ``unbounded``: stream-flow columns of ``cols`` that Newton
        need not keep >= 0 (see :class:`Block`)."""
        rows = self._rows(n_rows, stream, var)
        if labels is not None:
            for r, text in zip(rows, labels, strict=True):
                self.b.row_text[int(r)] = text
        if pattern is not None:
            pattern = (np.asarray(pattern[0], dtype=int), np.asarray(pattern[1], dtype=int))
        self.b.blocks.append(Block(rows, np.asarray(cols, dtype=int), func, jac,
                                   pattern=pattern, start=start,
                                   unbounded=None if unbounded is None
                                   else np.asarray(unbounded, dtype=int)))
        return rows

    def initialiser(self, read: Sequence[int], write: Sequence[int],
                    func: Callable[[np.ndarray], np.ndarray]) -> None:
        """Register a start profile: after the plant's first Newton step (when this
        unit's inlet flows are known), ``x[write] = func(x[read])``. ``write`` must be
        internal unknowns of this unit. For units whose equations Newton cannot solve
        from a flat guess (a long cascade): ``func`` computes a consistent profile for
        the inlets it reads, and Newton finishes from there."""
        write = np.asarray(write, dtype=int)
        if np.any(write < self.b.n_vars):
            raise ValueError("an initialiser may only write its unit's internal unknowns")
        self.b.initialisers.append((np.asarray(read, dtype=int), write, func))

    def eliminate(self, read: Sequence[int], write: Sequence[int],
                  func: Callable[[np.ndarray], np.ndarray | None]) -> None:
        """Nonlinear elimination of internal unknowns: on every Newton iterate and trial
        point after the first step, ``x[write] = func(x[read])`` (None: keep them), so
        that rows the unit solves itself from its inlets (an equilibrium held at a pH)
        are at zero when the plant's line search judges the step; the global step sees
        them with the full coupled Jacobian, which gives the outlet's derivatives with
        respect to the inlets by the implicit function theorem (Lanzkron, Rose & Wilkes,
        SIAM J. Sci. Comput. 17 (1996) 1262). ``write`` must be internal unknowns of
        this unit."""
        write = np.asarray(write, dtype=int)
        if np.any(write < self.b.n_vars):
            raise ValueError("an eliminator may only write its unit's internal unknowns")
        self.b.eliminators.append((np.asarray(read, dtype=int), write, func))
