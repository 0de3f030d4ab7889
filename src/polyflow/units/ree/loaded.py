"""Start profile of the separation-factor model (D = κβ·F/T_A).

The separation-factor model (D = κβ·F/T_A, the organic near its loading capacity)
needs more (:func:`loaded_profile`): holding the loading and updating it afterwards,
whether from the sum of the organic flows (sum-rates) or from the stage Langmuir
balance, does not converge — at held loading an element extracted in the extraction
stages and scrubbed in the scrub stages accumulates between them without bound (in
the benchmark of 15 elements the held-loading round multiplied the stage metal by
hundreds, and a bubble-point-like round with normalised compositions oscillated
without settling at 200 stages). There the stage loadings themselves are solved by
Newton with the element flows eliminated (each trial solves the tridiagonal element
balances exactly), from the exact profile of a cascade whose elements all share one
distribution constant, with the separation factors switched on by continuation.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from polyflow.units.ree.damped import damped_step
from polyflow.units.ree.sum_rates import start_profile, train_sum

__all__ = ["LOAD_TOL", "MAX_DU", "MIN_DT", "STEP_ITERS", "loaded_profile"]

#: largest change of ln(free fraction) per step of the loading Newton
MAX_DU = 2.0
#: halvings of a loading Newton step before the attempt is given up
LOAD_HALVINGS = 20
#: Newton iterations allowed per continuation step, and the smallest step in t
STEP_ITERS = 15
MIN_DT = 1.0 / 64
#: converged when every loading residual (a difference of logarithms) is below this
LOAD_TOL = 1e-11
#: uniform ln(free fraction) tried for the one-component start
ONE_COMPONENT_STARTS = (-0.1, -2.3, -10.0, -25.0)


def _one_component_start(Kg: np.ndarray, eta: float, inlet: np.ndarray, org_in: np.ndarray,
                         W: np.ndarray, V: float, T_A: float, nu: float):
    """ln(F/T_A) of the extraction and scrub stages when every element has the same
    constant ``Kg`` (t = 0 of the continuation): the metal then behaves as one
    component, solved by :func:`_loading_newton` (:func:`_murphree_newton` when
    η < 1) with E = 1. Its start: first the fixed point on the organic metal flows G_j
    (the "vapour" of a column with constant molar overflow, G_max = T_A/ν at capacity),
    e^u_j = (G_max − (1−η)·G_j−1)/(G_max + η·K·(V/W_j)·L_j), G_j = G_max·(1 − e^u_j),
    with the aqueous L_j = G_j−1 − G_top + (metal entering at j and above) from the
    balance of the stages above j — a contraction when the organic is near capacity;
    failing that, uniform loadings from nearly barren to nearly full.
    Returns u, or None when no start converges."""
    M = len(W)
    Gmax = T_A / nu
    tot = inlet.sum(axis=0)
    cum = np.cumsum(tot[::-1])[::-1]
    S = eta * Kg * V / W
    G = np.zeros(M)
    eu = np.ones(M)
    floor = 1e-12 * max(float(cum.max(initial=0.0)), 1e-300)
    for _ in range(200):
        Gprev = np.concatenate([[0.0], G[:-1]])
        L = np.maximum(Gprev - G[-1] + cum, floor)
        eu = np.clip((Gmax - (1.0 - eta) * Gprev) / (Gmax + S * L), 1e-300, 1.0)
        G_new = Gmax * (1.0 - eu)
        done = float(np.abs(G_new - G).max()) <= 1e-14 * Gmax
        G = G_new
        if done:
            break
    for u0 in (np.log(eu), *(np.full(M, x) for x in ONE_COMPONENT_STARTS)):
        if eta == 1.0:
            u, _, ok = _loading_newton(Kg[None, :], 1.0, tot[None, :], np.zeros((1, M)),
                                       W, V, T_A, nu, u0, 4 * STEP_ITERS, 1e-9)
        else:
            u, *_, ok = _murphree_newton(Kg[None, :], eta, tot[None, :],
                                         np.array([org_in.sum()]), W, V, T_A, nu, u0,
                                         4 * STEP_ITERS, 1e-9)
        if ok:
            return u
    return None


def _loading_newton(K: np.ndarray, eta: float, inlet: np.ndarray, c: np.ndarray,
                    W: np.ndarray, V: float, T_A: float, nu: float, u: np.ndarray,
                    iters: int, tol: float):
    """Newton on the stage loadings u (M) of one aqueous train with every element's
    flows eliminated: for held u the element balances with o = P·a + c
    (P_ij = η·K_ij·e^u_j·V/W_j) are tridiagonal in a (E × M), and the residual is the
    stage loading balance in logarithms,
    R_j = u_j + ln(T_A + ν·Σ_i η·K_ij·a_ij·V/W_j) − ln(T_A − ν·Σ_i c_ij).
    The step solves the linearisation of the balances and R together (one LU of
    (E + 1)·M unknowns, banded when ordered stage by stage: its Schur complement on u
    is the exact derivative of R(u)),
    limited to MAX_DU and kept at u < 0, with backtracking on ‖R‖.
    Returns (u, a, converged)."""
    E, M = K.shape
    limit, negative = np.full(M, MAX_DU), np.ones(M, bool)
    n_a = E * M
    rhs = inlet - c
    rhs[:, 1:] += c[:, :-1]
    rhs = rhs.ravel()
    same = np.ones(M)
    same[-1] = 0.0
    up = np.tile(-same, E)[:-1]
    cap = np.log(np.maximum(T_A - nu * c.sum(axis=0), 1e-300 * T_A))
    Q = eta * K * V / W                       # P = Q·e^u

    def solve(u):
        P = Q * np.exp(u)
        ab = np.zeros((3, n_a))
        ab[0, 1:] = up
        ab[1] = (1.0 + P).ravel()
        sub = -P.copy()
        sub[:, -1] = 0.0
        ab[2] = sub.ravel()
        a = np.maximum(solve_banded((1, 1), ab, rhs, check_finite=False).reshape(E, M), 0.0)
        load = T_A + nu * (Q * a).sum(axis=0)
        return a, P, u + np.log(load) - cap, load

    # sparsity of the bordered linearisation: rows (element balances | loading rows)
    idx = np.arange(n_a).reshape(E, M)
    k = np.tile(np.arange(M), E)
    down = np.nonzero(k < M - 1)[0]
    sup = np.nonzero(up != 0)[0]                # row r, column r + 1
    rows = np.concatenate([idx.ravel(), down + 1, sup,
                           idx.ravel(), down + 1, n_a + k, n_a + np.arange(M)])
    cols = np.concatenate([idx.ravel(), down, sup + 1,
                           n_a + k, n_a + k[down], idx.ravel(), n_a + np.arange(M)])
    # stage by stage (a_1j … a_Ej, u_j) the matrix is banded, E + 1 either side
    pos = np.concatenate([k * (E + 1) + np.repeat(np.arange(E), M),
                          np.arange(M) * (E + 1) + E])
    bw = E + 1
    prow, pcol = pos[rows], pos[cols]
    band_at = (bw + prow - pcol, pcol)
    b = np.zeros(n_a + M)
    a, P, r, load = solve(u)
    for _ in range(iters):
        if float(np.abs(r).max()) < tol:
            return u, a, True
        Pa = (P * a).ravel()
        vals = np.concatenate([1.0 + P.ravel(), -P.ravel()[down], -np.ones(len(sup)), Pa,
                               -Pa[down],
                               (nu * Q / load).ravel(), np.ones(M)])
        ab = np.zeros((2 * bw + 1, n_a + M))
        ab[band_at] = vals
        b[pos[n_a:]] = -r
        try:
            step = solve_banded((bw, bw), ab, b, check_finite=False)
        except np.linalg.LinAlgError:
            return u, a, False
        taken = damped_step(u, step[pos[n_a:]], r, solve, lambda out: out[2], limit, negative,
                            LOAD_HALVINGS)
        if taken is None:
            return u, a, False
        u, out = taken
        a, P, r, load = out
    return u, a, bool(float(np.abs(r).max()) < tol)


def _murphree_newton(K: np.ndarray, eta: float, inlet: np.ndarray, org_in: np.ndarray,
                     W: np.ndarray, V: float, T_A: float, nu: float, u: np.ndarray,
                     iters: int, tol: float):
    """:func:`_loading_newton` with the Murphree term exact (η < 1): the organic flows
    are unknowns beside the aqueous, o_ij = (1−η)·o_i,j−1 + η·K_ij·e^u_j·(V/W_j)·a_ij,
    and the loading residual is
    R_j = u_j + ln(T_A + ν·Σ_i η·K_ij·a_ij·V/W_j) − ln(T_A − ν·(1−η)·Σ_i o_i,j−1).
    Stage by stage (a_1j, o_1j, …, a_Ej, o_Ej, u_j) the linearisation is banded
    (4E below, 2E + 1 above). Returns (u, a, o, converged)."""
    E, M = K.shape
    limit, negative = np.full(M, MAX_DU), np.ones(M, bool)
    B = 2 * E + 1
    n = B * M
    jj = np.tile(np.arange(M), (E, 1))
    ii = np.tile(np.arange(E)[:, None], (1, M))
    pa = (jj * B + 2 * ii).ravel()                # positions, element-major (i, j)
    po = pa + 1
    pu = np.arange(M) * B + 2 * E
    first = (jj == 0).ravel()
    last = (jj == M - 1).ravel()
    prev_o = np.where(first, 0, po - B)           # o_i,j−1 (unused on stage 1)
    Q = eta * K * V / W
    lo_bw, up_bw = 4 * E, 2 * E + 1
    rhs = np.zeros(n)
    rhs[pa] = inlet.ravel()
    rhs[po[first]] = (1.0 - eta) * org_in
    g_in = float(org_in.sum())

    def band(rows, cols, vals):
        ab = np.zeros((lo_bw + up_bw + 1, n))
        np.add.at(ab, (up_bw + rows - cols, cols), vals)
        return ab

    nf, nl = ~first, ~last
    base_rows = [pa, po, pa[nl], pa[nf], po[nf], po, pa]
    base_cols = [pa, pa + 0, pa[nl] + B, prev_o[nf], prev_o[nf], po, po]

    def base_vals(P):
        return [np.ones(E * M), np.zeros(E * M), -np.ones(int(nl.sum())),
                -np.ones(int(nf.sum())), -(1.0 - eta) * np.ones(int(nf.sum())),
                np.ones(E * M), np.ones(E * M)], P.ravel()

    def solve(u):
        P = Q * np.exp(u)
        vals, Pr = base_vals(P)
        vals[1] = -Pr                               # Murphree row: −P·a
        rows = np.concatenate([*base_rows, pu])
        cols = np.concatenate([*base_cols, pu])
        ab = band(rows, cols, np.concatenate([*vals, np.ones(M)]))
        x = solve_banded((lo_bw, up_bw), ab, rhs, check_finite=False)
        a = np.maximum(x[pa].reshape(E, M), 0.0)
        o = np.maximum(x[po].reshape(E, M), 0.0)
        load = T_A + nu * (Q * a).sum(axis=0)
        oprev = np.concatenate([[g_in], o.sum(axis=0)[:-1]])
        room = np.maximum(T_A - nu * (1.0 - eta) * oprev, 1e-300 * T_A)
        return a, o, P, u + np.log(load) - np.log(room), load, room

    a, o, P, r, load, room = solve(u)
    for _ in range(iters):
        if float(np.abs(r).max()) < tol:
            return u, a, o, True
        vals, Pr = base_vals(P)
        vals[1] = -Pr
        Pa = (P * a).ravel()
        jr = np.repeat(pu[None, :], E, axis=0).ravel()
        rows = np.concatenate([*base_rows, po, jr, jr[nf], pu])
        cols = np.concatenate([*base_cols, np.repeat(pu[None, :], E, axis=0).ravel(), pa,
                               prev_o[nf], pu])
        d_room = (nu * (1.0 - eta) / np.repeat(room[None, :], E, axis=0)).ravel()
        ab = band(rows, cols, np.concatenate([*vals, -Pa, (nu * Q / load).ravel(),
                                              d_room[nf], np.ones(M)]))
        b = np.zeros(n)
        b[pu] = -r
        try:
            step = solve_banded((lo_bw, up_bw), ab, b, check_finite=False)
        except np.linalg.LinAlgError:
            return u, a, o, False
        taken = damped_step(u, step[pu], r, solve, lambda out: out[3], limit, negative,
                            LOAD_HALVINGS)
        if taken is None:
            return u, a, o, False
        u, out = taken
        a, o, P, r, load, room = out
    return u, a, o, bool(float(np.abs(r).max()) < tol)


def loaded_profile(K: np.ndarray, eta: float, ns: int, aq_in: np.ndarray,
                   org_in: np.ndarray, acid_in: np.ndarray, W: np.ndarray, V: float,
                   T_A: float, nu: float, u_start: np.ndarray | None = None):
    """Start profile of the separation-factor model (D_ij = K_ij·F_j/T_A in the stages
    before the strip section, constant D in the strip section) for fixed inlets.

    The plain decomposition of :func:`start_profile` (hold the loading, solve the
    elements, update the loading) does not converge here, whichever way the loading is
    updated: at held loading the element balances are linear with fixed stripping
    factors, and an element whose factor exceeds 1 in the extraction stages and falls
    below 1 in the scrub stages piles up between them without bound. So the stage
    loadings u_j = ln(F_j/T_A) of the extraction and scrub stages are solved by Newton
    with the element flows eliminated, in the manner of Tomich's "2N Newton-Raphson"
    method for columns (J. F. Tomich, AIChE J. 16 (1970) 229-232: stage temperatures
    and flows are the Newton unknowns, the compositions come from the tridiagonal
    component balances; Seader, Henley & Roper, *Separation Process Principles*, 3rd
    ed. (2011), ch. 10, for the tridiagonal algorithm and the family); here one
    unknown per stage: the element balances are solved exactly for each trial u, and
    Newton works on the stage loading balance alone (:func:`_loading_newton`).

    The start of that Newton is the exact profile of a cascade in which every element
    has the geometric-mean K (:func:`_one_component_start`); the separation factors are
    then switched on by continuation, K_ij(t) = K̄_j·(K_ij/K̄_j)^t, i.e. β^t (homotopy
    continuation for hard separation problems: T. L. Wayburn & J. D. Seader, Comput.
    Chem. Eng. 11 (1987) 7-25), with t going straight to 1 when Newton converges there
    (every benchmark cascade of benchmarks/ree_cascade.py but 500 stages at β = 1.2,
    which takes one halved step) and in halved steps when it does not. The strip section
    (constant D, downstream of the loaded organic) follows from one tridiagonal solve.
    With η < 1 the Murphree term is kept exact (:func:`_murphree_newton`, the organic
    flows unknowns too): lagging it over rounds, as :func:`start_profile` does,
    settled too slowly (the worst element's organic changed by half per round at
    200 stages, η = 0.8, and not at all at 500 stages) and left trace elements with
    equilibrium residuals of order 1 that stalled Newton.
    ``u_start`` (the loadings of an earlier call, e.g. the previous Newton step's
    inlets): Newton at t = 1 is tried from it first.

    Returns ``(a, o, h, F, u)`` as :func:`start_profile` (u over all N stages), or
    None when Newton does not converge (the cascade then keeps Newton's own start).
    """
    N, E = K.shape
    M = ns
    Kt = K.T[:, :M]
    W1 = np.maximum(W[:M], 1e-300)
    inlet = aq_in.T[:, :M].copy()
    inlet[:, 0] += org_in
    lnK = np.log(Kt)
    mean = lnK.mean(axis=0)
    if not (T_A > 0 and V > 0 and np.all(np.isfinite(lnK))):
        return None
    u = _one_component_start(np.exp(mean), eta, inlet, org_in, W1, V, T_A, nu)
    if u is None:
        return None

    def newton(Kc, u0, tol):
        if eta == 1.0:
            un, a1, ok = _loading_newton(Kc, 1.0, inlet, np.zeros((E, M)), W1, V, T_A, nu,
                                         u0, STEP_ITERS, tol)
            return un, a1, Kc * np.exp(un) * V / W1 * a1, ok
        return _murphree_newton(Kc, eta, inlet, org_in, W1, V, T_A, nu, u0, STEP_ITERS,
                                tol)

    t, dt, ok = 0.0, 1.0, False
    if u_start is not None and len(u_start) == M and np.all(np.isfinite(u_start)):
        un, a1, o1, ok = newton(Kt, np.minimum(u_start, 0.0), LOAD_TOL)
        if ok:
            t, u = 1.0, un
    while t < 1.0:
        tt = min(1.0, t + dt)
        un, a1, o1, ok = newton(np.exp(mean + tt * (lnK - mean)), u,
                                LOAD_TOL if tt == 1.0 else 1e-6)
        if ok:
            t, u = tt, un
            dt *= 2.0
        else:
            dt *= 0.5
            if dt < MIN_DT:
                return None
    # the strip section at the loaded organic (constant D: linear, u plays no part)
    a2, o2, *_ = start_profile(K[M:], np.zeros((N - M, E)), np.zeros((N - M, E)), eta,
                               N - M, aq_in[M:], o1[:, -1], acid_in[M:], W[M:], V, T_A,
                               nu, np.zeros(N - M), np.zeros(N - M), False, rounds=1)
    a = np.vstack([a1.T, a2])
    o = np.vstack([o1.T, o2])
    prev = np.vstack([org_in[None, :], o[:-1]])
    h = train_sum(3.0 * (o - prev).sum(axis=1) + acid_in, ns)
    F = T_A - nu * o.sum(axis=1)
    u_all = np.concatenate([u, np.log(np.clip(F[M:] / T_A, 1e-300, 1.0))])
    return a, o, h, F, u_all


