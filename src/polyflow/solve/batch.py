"""Equations of many units of one kind written at once, as array operations.

A unit class may offer ``equations_batch(units, eq)`` (a class method) beside its
``equations(eq)``: ``eq`` is a :class:`BatchEquations` holding every such unit of the
plant, and each helper writes one kind of row for all of them in one numpy pass (a
10,000-unit plant is a few dozen array operations instead of tens of thousands of small
ones). The rows land exactly where the unit's own ``equations`` would have put them (each
unit's rows are reserved in plant order before the batch writes them), so the system,
its factorisation and every result are the same, bit for bit. A unit whose instance
cannot be written so (a mixer that dissolves reagents: a full species matrix) says so
with ``batchable()`` and is written one at a time.

The helpers mirror :class:`~polyflow.solve.unit_equations.UnitEquations`:
``species_map`` (``n_out = Σ M n_in``), ``energy_balance``, ``temperature_equal`` and
``temperature_fixed``, each taking the units it writes (positions ``k`` in the batch) and
the local row offset of its rows in each unit (0 for the first row the unit writes).
Units with internal unknowns or nonlinear blocks are not batched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from polyflow.solve.blocks import ROW_ENERGY

if TYPE_CHECKING:
    from polyflow.solve.system import SystemBuilder

__all__ = ["BatchEquations", "distribute", "pass_through"]


class BatchEquations:
    """Every unit of one kind in the plant: their streams and bulk equation helpers.

    ``unit_index[k]``, ``starts[k]``: plant index and first reserved row of unit ``k``;
    ``inlets[k]`` / ``outlets[k]``: its ports as ``UnitEquations`` sees them.
    """

    def __init__(self, builder: SystemBuilder, unit_index: Sequence[int],
                 starts: Sequence[int], inlets: Sequence[dict[str, list[int]]],
                 outlets: Sequence[dict[str, int]]) -> None:
        self.b = builder
        self.S = builder.S
        self.stride = builder.stride
        self.unit_index = np.asarray(unit_index, dtype=int)
        self.starts = np.asarray(starts, dtype=int)
        self.inlets = list(inlets)
        self.outlets = list(outlets)
        self.size = len(self.unit_index)
        #: rows written per unit, checked against the rows reserved
        self.written = np.zeros(self.size, dtype=int)

    # -- streams ----------------------------------------------------------------------
    def all_inlets(self) -> tuple[np.ndarray, np.ndarray]:
        """(owner k, stream) of every inlet stream of every unit, unit by unit in port
        order (``UnitEquations.all_inlets``)."""
        owner: list[int] = []
        streams: list[int] = []
        for k, ports in enumerate(self.inlets):
            for ss in ports.values():
                owner += [k] * len(ss)
                streams += ss
        return np.array(owner, dtype=int), np.array(streams, dtype=int)

    def outlet(self, port: str) -> np.ndarray:
        """The stream leaving ``port`` of every unit."""
        return np.array([o[port] for o in self.outlets], dtype=int)

    # -- rows -------------------------------------------------------------------------
    def _rows(self, k: np.ndarray, offset: np.ndarray | int, n: int, stream: np.ndarray,
              var: np.ndarray | int) -> np.ndarray:
        """Rows ``starts[k] + offset + 0..n-1`` (shape (len(k), n)), labelled."""
        k = np.asarray(k, dtype=int)
        first = self.starts[k] + offset
        rows = first[:, None] + np.arange(n)
        np.add.at(self.written, k, n)
        self.b.row_meta_bulk.append((rows.ravel(), np.repeat(self.unit_index[k], n),
                                     np.repeat(np.asarray(stream, dtype=int), n),
                                     np.broadcast_to(var, (len(k), n)).ravel()))
        return rows

    def species_map(self, k: np.ndarray, offset: np.ndarray | int, dst: np.ndarray,
                    term_owner: np.ndarray, src: np.ndarray, M: np.ndarray) -> None:
        """``n_dst[k] = Σ_t M_t n_src_t`` over the terms ``t`` of each unit, one row per
        species. ``term_owner[t]`` is the position in ``k`` of the unit of term ``t``;
        ``M`` is one number per term, one row of S per term (diagonal maps) or one
        S × S matrix per term. Zero
        coefficients are left out, as ``UnitEquations.species_map`` leaves them."""
        S = self.S
        rows = self._rows(k, offset, S, dst, np.arange(S))            # (K, S)
        cols_dst = dst[:, None] * self.stride + np.arange(S)
        M = np.asarray(M, dtype=float)
        if M.ndim == 3:                                   # a full S × S map per term
            t, i, j = np.nonzero(M)
            r_src = rows[term_owner[t], i]
            c_src = src[t] * self.stride + j
            M = M[t, i, j]
            nz = slice(None)
        else:
            M = np.broadcast_to(M[:, None] if M.ndim == 1 else M, (len(src), S))
            nz = M != 0.0
            r_src = np.broadcast_to(rows[term_owner], (len(src), S))[nz]
            c_src = (src[:, None] * self.stride + np.arange(S))[nz]
        self.b._lin.append((np.concatenate([rows.ravel(), r_src]),
                            np.concatenate([cols_dst.ravel(), c_src]),
                            np.concatenate([np.ones(rows.size), -M[nz]])))

    def temperature_equal(self, k: np.ndarray, offset: np.ndarray | int, dst: np.ndarray,
                          term_owner: np.ndarray, src: np.ndarray) -> None:
        """``T_dst[k] = mean of T_src`` over each unit's sources (one row each)."""
        rows = self._rows(k, offset, 1, dst, self.S)[:, 0]
        count = np.bincount(term_owner, minlength=len(k))
        T = self.S
        self.b._lin.append((np.concatenate([rows, rows[term_owner]]),
                            np.concatenate([dst * self.stride + T, src * self.stride + T]),
                            np.concatenate([np.ones(len(rows)),
                                            -1.0 / count[term_owner]])))

    def temperature_fixed(self, k: np.ndarray, offset: np.ndarray | int, dst: np.ndarray,
                          T: np.ndarray) -> None:
        """``T_dst[k] = T`` (one row each)."""
        rows = self._rows(k, offset, 1, dst, self.S)[:, 0]
        self.b._lin.append((rows, dst * self.stride + self.S, np.ones(len(rows))))
        self.b._rhs.append((rows, np.asarray(T, dtype=float)))

    def energy_balance(self, k: np.ndarray, offset: np.ndarray | int,
                       in_owner: np.ndarray, ins: np.ndarray, out_owner: np.ndarray,
                       outs: np.ndarray, primary: np.ndarray, duty_kW: np.ndarray) -> None:
        """``Σ H_in − Σ H_out + Q = 0`` of each unit, determining ``T_primary`` (see
        ``UnitEquations.energy_balance``); terms ordered inlets then outlets per row."""
        rows = self._rows(k, offset, 1, primary, ROW_ENERGY)[:, 0]
        owner = np.concatenate([in_owner, out_owner])
        coefs = np.concatenate([np.ones(len(ins)), -np.ones(len(outs))])
        order = np.argsort(owner, kind="stable")
        streams = np.concatenate([ins, outs])[order]
        counts = np.bincount(owner, minlength=len(k))
        self.b._energy_bulk.append((rows, counts, streams, coefs[order],
                                    np.asarray(duty_kW, dtype=float) * np.ones(len(k)),
                                    np.asarray(primary, dtype=int)))


def _subset(mask: np.ndarray, owner: np.ndarray, *arrays: np.ndarray):
    """The terms of the units where ``mask`` holds, their owners renumbered to positions
    among those units."""
    pos = np.cumsum(mask) - 1
    keep = mask[owner]
    return (pos[owner[keep]], *(a[keep] for a in arrays))


def pass_through(eq: BatchEquations, M: np.ndarray, T_out: np.ndarray,
                 duty_kW: np.ndarray) -> None:
    """Units with inlets and one outlet ``out``: ``n_out = M Σ n_in`` (``M`` one per unit:
    a number, S numbers or an S × S matrix), then ``T_out`` where it is finite, else the
    energy balance with ``duty_kW``: the equations of a mixer, a heater or a fixed-
    conversion reactor, in the order their ``equations`` writes them."""
    k = np.arange(eq.size)
    owner, ins = eq.all_inlets()
    out = eq.outlet("out")
    eq.species_map(k, 0, out, owner, ins, np.asarray(M, dtype=float)[owner])
    fixed = np.isfinite(T_out)
    if fixed.any():
        eq.temperature_fixed(k[fixed], eq.S, out[fixed], T_out[fixed])
    if not fixed.all():
        heat = ~fixed
        kh = k[heat]
        in_owner, ins_h = _subset(heat, owner, ins)
        eq.energy_balance(kh, eq.S, in_owner, ins_h, np.arange(len(kh)), out[heat],
                          out[heat], duty_kW[heat])


def distribute(eq: BatchEquations, fractions: Sequence[dict[str, float | np.ndarray]]
               ) -> None:
    """Splitting units (``polyflow.units.separator.distribute``, unit by unit): outlet
    ``p`` of unit ``k`` carries ``fractions[k][p]`` (a number or S numbers) of the
    inlets' sum, at the inlet temperature (with several inlets, the first outlet's by
    the energy balance of their mixing, the others equal to it)."""
    S, stride = eq.S, eq.stride
    owner, ins = eq.all_inlets()
    n_in = np.bincount(owner, minlength=eq.size)
    pk: list[int] = []          # per (unit, outlet): the unit, the outlet's place
    place: list[int] = []
    dst: list[int] = []
    frac: list = []
    for k, f in enumerate(fractions):
        outs = eq.outlets[k]
        for j, (port, v) in enumerate(f.items()):
            pk.append(k)
            place.append(j)
            dst.append(outs[port])
            frac.append(v)
    pk_a, place_a, dst_a = (np.array(a, dtype=int) for a in (pk, place, dst))
    vector = any(np.ndim(v) for v in frac)
    M = np.array([np.broadcast_to(v, (S,)) for v in frac], dtype=float) if vector \
        else np.array(frac, dtype=float)
    offset = place_a * stride
    # terms: every inlet of the pair's unit, for every pair
    first_in = np.concatenate([[0], np.cumsum(n_in)[:-1]]).astype(int)
    reps = n_in[pk_a]
    t_pair = np.repeat(np.arange(len(pk_a)), reps)
    t_in = ins[np.repeat(first_in[pk_a], reps) + _ranks(reps)]
    eq.species_map(pk_a, offset, dst_a, t_pair, t_in, M[t_pair])
    single = n_in[pk_a] == 1
    if single.any():
        pairs = np.nonzero(single)[0]
        src = ins[first_in[pk_a[pairs]]]
        eq.temperature_equal(pk_a[pairs], offset[pairs] + S, dst_a[pairs],
                             np.arange(len(pairs)), src)
    many = ~single
    if many.any():                       # several inlets: mixing, then the split
        lead = many & (place_a == 0)
        units = pk_a[lead]
        unit_mask = np.zeros(eq.size, dtype=bool)
        unit_mask[units] = True
        in_owner, ins_m = _subset(unit_mask, owner, ins)
        pos = np.cumsum(unit_mask) - 1
        outs_mask = unit_mask[pk_a]
        eq.energy_balance(units, S, in_owner, ins_m, pos[pk_a[outs_mask]],
                          dst_a[outs_mask], dst_a[lead], np.zeros(len(units)))
        rest = np.nonzero(many & (place_a > 0))[0]
        if len(rest):
            lead_dst = np.empty(eq.size, dtype=int)
            lead_dst[units] = dst_a[lead]
            eq.temperature_equal(pk_a[rest], offset[rest] + S, dst_a[rest],
                                 np.arange(len(rest)), lead_dst[pk_a[rest]])


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., c-1 for every count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts
