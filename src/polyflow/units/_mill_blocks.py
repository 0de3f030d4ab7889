"""The rows of a ball mill sized by its equipment: the product of every sized mineral
through the energy-dependent mill matrix ``M(E)``, and ``E·F − P = 0`` for the energy
per tonne of mill feed, both with analytic Jacobians (see :class:`BallMill`)."""

from __future__ import annotations

import numpy as np

from polyflow.comminution import energy_mill_matrix
from polyflow.solve.system import MJ_H_PER_KW, ROW_ENERGY

__all__ = ["ENERGY_GUESS", "add_energy_breakage", "add_heat_rows"]

#: energy per tonne of mill feed [kWh/t] of the first Newton iteration (a closed ball
#: mill circuit at a 200–400 % circulating load runs at 2–6 kWh/t of mill feed)
ENERGY_GUESS = 3.0
#: feed [t/h] added to the energy row's so that a mill without feed keeps a regular row
#: (E = P/F_EPS, everything it would get goes to the pan); 1e-9 t/h moves E by a part in
#: 1e12 at a real feed
F_EPS = 1e-9


def _groups(species) -> list[np.ndarray]:
    """Positions of each sized species' classes (coarsest first) among the sized
    components."""
    sized = np.nonzero(species.size_index >= 0)[0]
    where = {int(c): k for k, c in enumerate(sized)}
    out = []
    for sid in species.base_ids:
        comps = species.components(sid)
        if species.size_index[comps[0]] >= 0:
            out.append(np.array([where[int(c)] for c in comps]))
    return out


def add_energy_breakage(unit, eq, out: int, ins: list[int]) -> None:
    """Add the outlet rows and the energy row of an equipment-sized mill to ``eq``."""
    sp = eq.species

    k_in = len(ins)
    sized = np.nonzero(sp.size_index >= 0)[0]
    other = np.nonzero(sp.size_index < 0)[0]
    ns, nc = len(sized), len(sp.size_classes)
    groups = _groups(sp)
    n_cells = unit.p["n_cells"]
    selection, breakage = unit.selection, unit.breakage
    power = unit.power_fixed

    # unsized species pass through: n_out = Σ n_in (linear)
    if len(other):
        rows_local = np.tile(np.arange(len(other)), 1 + k_in)
        cols = np.concatenate([eq.flows(out)[other], *[eq.flows(s)[other] for s in ins]])
        vals = np.concatenate([np.ones(len(other)), -np.ones(len(other) * k_in)])
        eq.linear_rows(len(other), out, other, rows_local, cols, vals)

    (zE,) = eq.internal(["mill_energy_kWh_t"], [ENERGY_GUESS], lower=0.0)

    # sized rows: r = n_out − M(E) Σ n_in ; local columns [E, in_1.., in_k, out]
    lo_i, lo_j = np.tril_indices(nc)            # M is lower triangular (breakage to finer)
    ri, ci = [], []
    ri.append(np.arange(ns))
    ci.append(1 + k_in * ns + np.arange(ns))            # ∂/∂n_out = 1
    ri.append(np.arange(ns))
    ci.append(np.zeros(ns, dtype=int))                  # ∂/∂E
    for k in range(k_in):
        for g in groups:
            ri.append(g[lo_i])
            ci.append(1 + k * ns + g[lo_j])             # ∂/∂n_in = −M
    pattern = (np.concatenate(ri), np.concatenate(ci))
    cols = np.concatenate([[zE], *[eq.flows(s)[sized] for s in ins], eq.flows(out)[sized]])

    def split(xloc):
        E = max(float(xloc[0]), 0.0)
        feed = xloc[1:1 + k_in * ns].reshape(k_in, ns).sum(axis=0)
        return E, feed, xloc[1 + k_in * ns:]

    def product(E, feed):
        M, dM = energy_mill_matrix(selection, breakage, E, n_cells)
        p = np.empty(ns)
        dp = np.empty(ns)
        for g in groups:
            p[g] = M @ feed[g]
            dp[g] = dM @ feed[g]
        return M, p, dp

    def func(xloc):
        E, feed, n_out = split(xloc)
        _, p, _ = product(E, feed)
        return n_out - p, np.abs(n_out) + np.abs(p)

    def jac(xloc):
        E, feed, _ = split(xloc)
        M, _, dp = product(E, feed)
        mvals = -M[lo_i, lo_j]
        return np.concatenate([np.ones(ns), -dp, np.tile(mvals, k_in * len(groups))])

    eq.nonlinear(cols, ns, func, jac, stream=out, var=sized, pattern=pattern)

    # energy row: E·(F + F_EPS) − P = 0, F the solids fed [t/h]; first iteration E = guess
    solids = np.nonzero(sp.mask("s"))[0]
    w = sp.mw[solids] / 1000.0
    ecols = np.concatenate([[zE], *[eq.flows(s)[solids] for s in ins]])
    wk = np.tile(w, k_in)

    def energy(xloc):
        F = float(wk @ xloc[1:]) + F_EPS
        return np.array([xloc[0] * F - power]), np.array([abs(xloc[0] * F) + power])

    def energy_jac(xloc):
        return np.concatenate([[float(wk @ xloc[1:]) + F_EPS], xloc[0] * wk])[None, :]

    def start(xloc):
        return np.array([xloc[0] - ENERGY_GUESS]), np.array([abs(xloc[0]) + ENERGY_GUESS])

    def start_jac(xloc):
        J = np.zeros((1, len(xloc)))
        J[0, 0] = 1.0
        return J

    eq.nonlinear(ecols, 1, energy, energy_jac, labels=["mill E·F = P"],
                 start=(start, start_jac))


def add_heat_rows(eq, power_col: int, ins: list[int], out: int | list[int],
                  hf: float) -> None:
    """The mill's energy balance ``Σ H_in − Σ H_out + h_f·P = 0`` (``P`` the unknown in
    column ``power_col``), which determines the temperature of the (first) outlet
    ``out`` (a list: the others' temperatures are tied to it elsewhere); analytic
    Jacobian, and a start-up form that carries the feed temperature."""
    sp = eq.species
    S = eq.S
    z = [power_col]
    outs = [out] if isinstance(out, (int, np.integer)) else list(out)
    out = outs[0]
    # energy: Σ H_in − Σ H_out + h_f·P = 0, determining the discharge temperature
    streams = [*ins, *outs]
    ecols = np.concatenate([[z[0]], *[np.append(eq.flows(s), eq.temperature(s))
                                      for s in streams]])
    k = len(ins)
    o = len(outs)
    coef = np.array([1.0] * k + [-1.0] * o)
    first = 1 + (S + 1) * k + S                  # local column of the first outlet's T

    def split(xloc):
        m = xloc[1:].reshape(k + o, S + 1)
        return m[:, :S], np.maximum(m[:, S], 1.0)

    def energy(xloc):
        n, T = split(xloc)
        if n[k:].sum() <= 0.0:             # empty discharge: carry the temperature
            r = T[k] - T[:k].mean()
            return np.array([r]), np.array([abs(T[k]) + abs(T[:k].mean())])
        H = (n * sp.h_molar(T)).sum(axis=1) / MJ_H_PER_KW
        r = coef @ H + hf * xloc[0]
        return np.array([r]), np.array([np.abs(H).sum() + abs(hf * xloc[0])])

    def energy_jac(xloc):
        n, T = split(xloc)
        J = np.zeros((1, len(xloc)))
        if n[k:].sum() <= 0.0:
            J[0, 1 + (S + 1) * np.arange(k) + S] = -1.0 / k
            J[0, first] = 1.0
            return J
        h = sp.h_molar(T) / MJ_H_PER_KW
        dHdT = (n * sp.cp_molar(T)).sum(axis=1) / MJ_H_PER_KW
        J[0, 0] = hf
        for j in range(k + o):
            base = 1 + (S + 1) * j
            J[0, base: base + S] = coef[j] * h[j]
            J[0, base + S] = coef[j] * dHdT[j]
        return J

    def start(xloc):
        _, T = split(xloc)
        r = T[k] - T[:k].mean()
        return np.array([r]), np.array([abs(T[k]) + abs(T[:k].mean())])

    def start_jac(xloc):
        J = np.zeros((1, len(xloc)))
        J[0, 1 + (S + 1) * np.arange(k) + S] = -1.0 / k
        J[0, first] = 1.0
        return J

    eq.nonlinear(ecols, 1, energy, energy_jac, stream=out, var=ROW_ENERGY,
                 start=(start, start_jac))
