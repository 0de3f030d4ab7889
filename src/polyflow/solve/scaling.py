"""Scales of the plant system for the linear solve and the convergence test (DESIGN
"Scale spread"): each row by its magnitude, each species flow by that species' largest flow,
so gold at mg/L beside tonnes of water per hour is solved to its own relative precision."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from polyflow.solve.system import EquationSystem

__all__ = ["HUGE_ENTRY", "equilibrate", "scaled", "tame_huge_rows"]

#: rows of the equilibrated Jacobian with an entry beyond this (~ the square root of the
#: largest double) are divided by their largest entry before the LU: SuperLU's
#: elimination otherwise overflows to NaN (its BLAS calls then print "On entry to DGEMV
#: parameter number 2 had an illegal value")
HUGE_ENTRY = 1e150

def scaled(r: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """|r| / scale, where a zero scale means every term is zero (so r is too)."""
    out = np.abs(r)
    np.divide(out, scale, out=out, where=scale > 0)
    return out


def equilibrate(system: EquationSystem, x: np.ndarray, scale: np.ndarray, ref_flow: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Row and column scales for the linear solve (DESIGN "Scale spread"): each equation
    divided by its magnitude, each species flow measured in units of that species' largest
    flow in the plant, so that gold at mg/L beside tonnes of water per hour is solved to
    its own relative precision rather than to the round-off of the water."""
    row = 1.0 / np.where(scale > 0, scale, 1.0)
    col = np.ones(system.n)
    N, _ = system.stream_view(x)
    species_ref = np.maximum(np.maximum(np.abs(N).max(axis=0, initial=0.0),
                                        system.species_ref), 1e-12 * ref_flow)
    n_stream_vars = system.n_streams * system.stride
    col[:n_stream_vars] = np.tile(np.append(species_ref, 100.0), system.n_streams)
    col[n_stream_vars:] = np.maximum(np.abs(x[n_stream_vars:]), 1.0)
    return row, col


def tame_huge_rows(J: sp.csc_matrix, row_s: np.ndarray) -> None:
    """Divide the rows of the equilibrated ``J`` that hold an entry beyond HUGE_ENTRY by
    their largest entry, in place, and fold the factor into ``row_s`` (the step is
    unchanged in exact arithmetic). Such entries come from a derivative at a guard (for
    example 1/max(h, 1e-300) where a logarithm's argument reaches zero); left as they
    are, their products in the LU overflow. Rows of ordinary size are not touched."""
    mag = np.abs(J.data)
    if not len(mag) or float(mag.max()) <= HUGE_ENTRY:
        return
    row_max = np.zeros(J.shape[0])
    np.maximum.at(row_max, J.indices, mag)
    fix = np.where(row_max > HUGE_ENTRY, 1.0 / np.maximum(row_max, HUGE_ENTRY), 1.0)
    J.data *= fix[J.indices]
    row_s *= fix
