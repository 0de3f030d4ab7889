"""Speciation rows on the log free shares of the master totals (for the units whose
liquor is at equilibrium, :mod:`polyflow.units._liquor_equilibrium`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from polyflow.chem.aqueous import stream_rows
from polyflow.chem.aqueous_map import M_WATER, totals
from polyflow.chem.speciation import species_log_molality

__all__ = ["FLOOR", "free_fraction_rows", "to_free_fraction"]

LN10 = math.log(10.0)
#: master totals are floored at this [mol/kg] (as stream_rows floors them)
FLOOR = 1e-14


def free_fraction_rows(sys, cmap, u, y, T):
    """:func:`~polyflow.chem.aqueous.stream_rows` on the unknowns u, where u_0 = log10
    a(H+) and u_k = log10 a_k − log10(t_k + floor) for the other masters (the log of the
    free share of the total: O(1) whatever the total, so that a Newton step stays sane
    when a total grows by orders of magnitude, e.g. a reagent's master from zero).
    Returns F, J_u, J_y, J_T and the log activities x (each with the solutions first)."""
    K = len(sys.masters)
    t, dt = totals(cmap, y)
    tf, dtf = _positive(t[:, 1:])
    x = np.array(u, dtype=float)
    x[:, 1:K] += np.log10(tf)
    F, Jx, Jy, JT = stream_rows(sys, cmap, x, y, T, FLOOR, smooth=False)
    Jy = Jy + np.einsum("nrk,nks->nrs", Jx[:, :, 1:K],
                        dt[:, 1:, :] * (dtf / (LN10 * tf))[:, :, None])
    return F, Jx, Jy, JT, x


def _positive(t):
    """A smooth positive stand-in for a total (≈ t + floor above the floor, → floor²/|t|
    below zero), and its derivative: the reference of a free share stays defined while
    Newton passes a total through zero."""
    r = np.sqrt(t * t + 4.0 * FLOOR * FLOOR)
    return 0.5 * (t + r) + FLOOR, 0.5 * (1.0 + t / r)


def to_free_fraction(sys, cmap, x, y):
    """u of :func:`free_fraction_rows` from log activities x (N, n)."""
    K = len(sys.masters)
    t, _ = totals(cmap, y)
    u = np.array(x, dtype=float)
    u[:, 1:K] -= np.log10(_positive(t[:, 1:])[0])
    return u


@dataclass(frozen=True)
class _Map:
    A: np.ndarray
    water: int


def _CMAP(le) -> _Map:
    return _Map(le.A, le.water)


def _scales(sys, x, T, F, y, A, w):
    """Row magnitudes for the convergence test (as :func:`polyflow.chem.speciate.speciate`
    scales them): charge by Σ|z| m, masters by their totals, I and Σm by themselves."""
    K = len(sys.masters)
    m = 10.0 ** np.minimum(species_log_molality(sys, x[None], np.array([T]))[0][0], 300.0)
    t = 1000.0 * (A @ y) / (M_WATER * max(y[w], 1e-9))
    sc = np.ones(len(F))
    sc[0] = np.abs(sys.z) @ m + abs(t[0]) + 1e-12
    sc[1:K] = np.maximum(np.abs(t[1:]), 1e-14) + np.abs(F[1:K])
    sc[K] = max(abs(x[K]), 1e-12)
    sc[K + 1] = max(abs(x[K + 1]), 1e-12)
    return sc

