"""Start profile of a rare-earth SX cascade for given inlets (the cascade's initialiser).

Newton on the whole cascade converges fast from a profile near the solution but not
always from a flat guess: with ratios of 1.2–10 between adjacent elements over 15
elements the distribution ratios span up to 10^14, and a step from a flat profile
empties some stages and floods others. Once the cascade's inlet flows are known (after
the plant's first Newton step) this module computes a consistent profile by the
decomposition of the classical stage-to-stage methods (the "sum-rates" family,
Seader, Henley & Roper, *Separation Process Principles*, 3rd ed. (2011), §10.3):

1. with the stage acidity held, the distribution ratio of every element in every stage
   is fixed, and the element balances with the equilibrium o_j = P_j a_j + c_j
   (P = η·D·V/W; c_j = (1 − η)·o_{j−1} of the previous round: the Murphree term
   lagged) are a *tridiagonal* system per element in its aqueous flows, diagonally
   dominant by columns (each column sums to what leaves the stage), so elimination is
   stable and every flow non-negative whatever the ratios;
2. the acid of each stage follows from the acid balance of those profiles, and the
   acidity takes a damped step towards ln(h/W); repeat.

The profile need not be exact (Newton finishes it), only consistent enough that
Newton's linearisation holds.

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

The pH model with an extractant order (D ∝ c_H^−m·(F/T_A)^n, :func:`acid_loading_profile`)
has both unknowns in every stage: the acidity round of :func:`start_profile` at held
loading fails there for the same reason, and Newton works on the acidity and the loading
of every stage together (two unknowns per stage, the element flows and the acid
eliminated), from the converged profile at order 0, with the order switched on by
continuation.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

__all__ = ["acid_loading_profile", "loaded_profile", "start_profile"]

#: rounds of the acidity update
ROUNDS = 40
#: largest change of ln(acid molarity) per round
MAX_DV = 1.0
#: stop when ln(free fraction) and ln(acid molarity) change less than this
TOL = 1e-4


def _train_sum(g: np.ndarray, ns: int) -> np.ndarray:
    """h_j = Σ_{k ≥ j in j's aqueous train} g_k: the aqueous runs from the last stage
    of each train (ns − 1 and N − 1) towards its first (0 and ns)."""
    h = np.empty_like(g)
    h[:ns] = np.cumsum(g[:ns][::-1])[::-1]
    h[ns:] = np.cumsum(g[ns:][::-1])[::-1]
    return h


def start_profile(K: np.ndarray, m: np.ndarray, n: np.ndarray, eta: float, ns: int,
                  aq_in: np.ndarray, org_in: np.ndarray, acid_in: np.ndarray,
                  W: np.ndarray, V: float, T_A: float, nu: float,
                  u: np.ndarray, v: np.ndarray, use_v: bool, rounds: int = ROUNDS):
    """Stage profile of the cascade for fixed inlets.

    ``K, m, n`` (N × E): D_ij = K_ij · c_H,j^−m_ij · (F_j/T_A)^n_ij; ``aq_in`` (N × E)
    the aqueous element inlets of each stage [kmol/h]; ``org_in`` (E) the complexes in
    the organic entering stage 1; ``acid_in`` (N) acid inlets; ``W`` (N) the aqueous
    volume flow through each stage and ``V`` the organic's [m3/h]; ``T_A`` total
    extractant [kmol/h]; ``u`` (N) ln(F/T_A), held; ``v`` (N) the starting ln(c_H),
    updated when ``use_v`` (the pH model); ``ns`` the
    number of stages before the strip section (the two aqueous trains are stages
    1..ns and ns+1..N).
    Returns ``(a, o, h, F, v)``: aqueous and organic element flows (N × E), acid and
    free extractant (N), and the updated acidity logarithm v.

    Example: one element, D = 2 on 4 stages at O/A = 1 (no loading or acidity
    dependence) is the Kremser cascade: 1/31 of the feed stays in the raffinate.

    >>> N = 4
    >>> a, o, *_ = start_profile(np.full((N, 1), 2.0), np.zeros((N, 1)), np.zeros((N, 1)),
    ...     1.0, N, np.array([[0.0], [0.0], [0.0], [1.0]]), np.zeros(1), np.zeros(N),
    ...     np.ones(N), 1.0, 1.0, 3.0, np.zeros(N), np.zeros(N), False)
    >>> round(float(a[0, 0]) * 31, 12)
    1.0
    """
    N, E = K.shape
    # element-major: index i*N + j; the tridiagonal blocks of the elements are uncoupled
    Kt, mt, nt = K.T, m.T, n.T
    inlet = aq_in.T.copy()
    inlet[:, 0] += org_in
    same_train = np.ones(N)
    same_train[ns - 1] = 0.0
    same_train[N - 1] = 0.0
    Wc = np.maximum(W, 1e-300)
    u = np.minimum(u.astype(float), 0.0)
    v = v.astype(float)

    def profile(u, v, o_lag):
        """The linear solve for held u, v: (a, o), E × N."""
        X = np.exp(np.clip(nt * u - mt * v, -700.0, 700.0))
        P = eta * Kt * X * V / Wc
        c = np.zeros((E, N))
        c[:, 0] = (1.0 - eta) * org_in
        c[:, 1:] = (1.0 - eta) * o_lag[:, :-1]
        rhs = inlet - c
        rhs[:, 1:] += c[:, :-1]
        ab = np.zeros((3, E * N))
        ab[0, 1:] = np.tile(-same_train, E)[:-1]
        ab[1] = (1.0 + P).ravel()
        sub = -P.copy()
        sub[:, -1] = 0.0
        ab[2] = sub.ravel()
        a = np.maximum(solve_banded((1, 1), ab, rhs.ravel(), check_finite=False)
                       .reshape(E, N), 0.0)
        return a, P * a + c

    o_lag = np.zeros((E, N))     # the lagged Murphree term's organic
    for _ in range(max(rounds, 1) if use_v else 1):
        a, o, *_ = profile(u, v, o_lag)
        o_lag = o
        if not use_v:
            continue
        prev = np.hstack([org_in[:, None], o[:, :-1]])
        h = _train_sum(3.0 * (o - prev).sum(axis=0) + acid_in, ns)
        target = np.log(np.maximum(h, 1e-12 * max(float(np.abs(h).max()), 1e-300)) / Wc)
        step = np.clip(target - v, -MAX_DV, MAX_DV)
        v = v + 0.5 * step
        if float(np.abs(step).max()) < TOL:
            break
    a, o, *_ = profile(u, v, o_lag)
    prev = np.hstack([org_in[:, None], o[:, :-1]])
    h = _train_sum(3.0 * (o - prev).sum(axis=0) + acid_in, ns)
    F = T_A - nu * o.sum(axis=0)
    return a.T.copy(), o.T.copy(), h, F, v


#: largest change of ln(free fraction) per step of the loading Newton
MAX_DU = 2.0
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
        taken = _damped_loading_step(u, step[pos[n_a:]], r, solve, 2)
        if taken is None:
            return u, a, False
        u, out = taken
        a, P, r, load = out
    return u, a, bool(float(np.abs(r).max()) < tol)


def _damped_loading_step(u: np.ndarray, du: np.ndarray, r: np.ndarray, solve, k: int):
    """One Newton step on the stage loadings u: scaled to MAX_DU, kept at u < 0 (a
    component that would cross 0 is halved instead), and halved until the residual
    norm (``solve(u)[k]``) falls by the Armijo fraction. Returns (u, solve(u)) or None
    when the step is not finite or 20 halvings do not decrease the residual."""
    big = float(np.abs(du).max())
    if not np.isfinite(big):
        return None
    if big > MAX_DU:
        du = du * (MAX_DU / big)
    norm0 = float(np.linalg.norm(r))
    alpha = 1.0
    for _ in range(20):
        trial = u + alpha * du
        trial = np.where(trial > 0.0, 0.5 * u, trial)
        out = solve(trial)
        if float(np.linalg.norm(out[k])) < (1.0 - 1e-4 * alpha) * norm0:
            return trial, out
        alpha *= 0.5
    return None


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
        taken = _damped_loading_step(u, step[pu], r, solve, 3)
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
    h = _train_sum(3.0 * (o - prev).sum(axis=1) + acid_in, ns)
    F = T_A - nu * o.sum(axis=1)
    u_all = np.concatenate([u, np.log(np.clip(F[M:] / T_A, 1e-300, 1.0))])
    return a, o, h, F, u_all


#: largest change of ln(acid molarity) per step of the acidity-and-loading Newton
MAX_DVJ = 2.0
#: halvings of the acidity-and-loading Newton step before the attempt is given up
HALVINGS = 10


def _acid_loading_newton(K: np.ndarray, m: np.ndarray, n: np.ndarray, eta: float, ns: int,
                         aq_in: np.ndarray, org_in: np.ndarray, acid_in: np.ndarray,
                         W: np.ndarray, V: float, T_A: float, nu: float, u: np.ndarray,
                         v: np.ndarray, iters: int, tol: float):
    """Newton on the stage loadings u_j = ln(F_j/T_A) and acidities v_j = ln(c_H,j) of
    the whole cascade (N stages, both aqueous trains) with every element's flows
    eliminated. ``K, m, n`` (E × N): D_ij = K_ij·e^(n_ij·u_j − m_ij·v_j); ``aq_in``
    (E × N); the other arguments as :func:`start_profile`.

    For held (u, v) the element balances and the Murphree equilibria
    o_ij − (1−η)·o_i,j−1 = η·D_ij·(V/W_j)·a_ij are linear in the flows (a, o) and
    uncoupled between elements (pentadiagonal per element when a_ij, o_ij alternate),
    and the acid h follows from its balance, h_j = h_j+1 + acid_j + 3·Σ_i (o_ij −
    o_i,j−1). The residuals are the two stage equations of the cascade's own block,

    R_u,j = ln(T_A·e^u_j + ν·Σ_i o_ij) − ln T_A     (extractant balance; defined for
                                                     every trial, as o ≥ 0)
    R_v,j = v_j − ln(h_j/W_j)                       (a trial with some h_j ≤ 0 is
                                                     rejected by the line search)

    and the Newton step solves the linearisation of the element, equilibrium and acid
    rows and of R together: stage by stage (a_1j … a_Ej, o_1j … o_Ej, h_j, u_j, v_j) the
    matrix is banded (3E + 3 below, 2E + 3 above), and its Schur complement on (u, v) is
    the exact derivative of R(u, v). The step is scaled to MAX_DU and MAX_DVJ, kept at
    u < 0 and backtracked on ‖R‖ (at most HALVINGS times).
    The acid balance written instead as a stage residual in logarithms of sums,
    ln(h_j + 3·Σ_i o_i,j−1) − ln(h_j+1 + acid_j + 3·Σ_i o_ij) with h = W·e^v (defined for
    every trial), was tried first: it is ill-conditioned where the acid is small beside
    the metal crossing the stage (the stage of the scrub liquor, which carries no acid):
    Newton steps 100 times the limit and no progress, at 200 stages.
    Returns (u, v, a, o, converged), flows E × N.
    """
    E, N = K.shape
    if not (T_A > 0 and V > 0 and np.all(np.isfinite(K))):
        return u, v, None, None, False
    B = 2 * E + 3
    nn = B * N
    jj = np.tile(np.arange(N), (E, 1))
    ii = np.tile(np.arange(E)[:, None], (1, N))
    first = (jj == 0).ravel()
    nf = ~first
    same = np.ones(N, bool)                     # the aqueous of j + 1 reaches j
    same[ns - 1] = False
    same[N - 1] = False
    nxt = np.tile(same, E)                      # element-major, like the flows
    nxt_s = np.nonzero(same)[0]
    sj = jj.ravel()
    Wc = np.maximum(W, 1e-300)
    Q = eta * K * V / Wc                        # P = Q·e^(n·u − m·v)
    g_in = float(org_in.sum())
    acid0 = acid_in.astype(float).copy()
    acid0[0] -= 3.0 * g_in                      # the organic entering stage 1
    nf_i = np.nonzero(nf)[0]

    # held (u, v): element-major, a_ij at 2(iN + j), o_ij next to it; 2 either side
    qa = 2 * np.arange(E * N)
    qo = qa + 1
    rhs_h = np.zeros(2 * E * N)
    rhs_h[qa] = aq_in.ravel()
    rhs_h[qa[first]] += org_in
    rhs_h[qo[first]] = (1.0 - eta) * org_in
    hr = np.concatenate([qa, qa, qa[nxt], qa[nf], qo, qo[nf], qo])
    hc = np.concatenate([qa, qo, qa[nxt] + 2, qo[nf] - 2, qo, qo[nf] - 2, qa])
    ones, k_nxt, k_nf = np.ones(E * N), int(nxt.sum()), int(nf.sum())
    fixed = [ones, ones, -np.ones(k_nxt), -np.ones(k_nf), ones,
             -(1.0 - eta) * np.ones(k_nf)]

    def solve(u, v):
        P = Q * np.exp(np.clip(n * u - m * v, -300.0, 300.0))
        ab = np.zeros((5, 2 * E * N))
        ab[2 + hr - hc, hc] = np.concatenate([*fixed, -P.ravel()])
        x = solve_banded((2, 2), ab, rhs_h, check_finite=False)
        a = np.maximum(x[qa].reshape(E, N), 0.0)
        o = np.maximum(x[qo].reshape(E, N), 0.0)
        so = o.sum(axis=0)
        h = _train_sum(3.0 * (so - np.concatenate([[0.0], so[:-1]])) + acid0, ns)
        Su = T_A * np.exp(u) + nu * so
        with np.errstate(divide="ignore", invalid="ignore"):
            rv = np.where(h > 0, v - np.log(np.maximum(h, 1e-300) / Wc), np.inf)
        r = np.concatenate([np.log(np.maximum(Su, 1e-300 * T_A)) - np.log(T_A), rv])
        return a, o, P, r, h, Su

    # the bordered linearisation, stage by stage
    pa = (jj * B + ii).ravel()
    po = pa + E
    ph = np.arange(N) * B + 2 * E
    pu, pv = ph + 1, ph + 2
    rows = np.concatenate([pa, pa, pa[nxt], pa[nf], po, po[nf], po, po, po,
                           ph, ph[nxt_s], ph[sj], ph[sj][nf], pu[sj], pu, pv, pv])
    cols = np.concatenate([pa, po, pa[nxt] + B, po[nf] - B, po, po[nf] - B, pa, pu[sj],
                           pv[sj], ph, ph[nxt_s] + B, po, po[nf] - B, po, pu, pv, ph])
    lo_bw, up_bw = B + E, B
    band_at = (up_bw + rows - cols, cols)
    u = np.minimum(u.astype(float), 0.0)
    v = v.astype(float)
    try:
        a, o, P, r, h, Su = solve(u, v)
    except (np.linalg.LinAlgError, ValueError):
        return u, v, None, None, False
    for _ in range(iters):
        if not np.all(np.isfinite(r)):
            return u, v, a, o, False
        if float(np.abs(r).max()) < tol:
            return u, v, a, o, True
        Pa = P.ravel() * a.ravel()
        vals = np.concatenate([*fixed[:4], ones, fixed[5], -P.ravel(), -n.ravel() * Pa,
                               m.ravel() * Pa, np.ones(N), -np.ones(len(nxt_s)),
                               np.full(E * N, -3.0), np.full(len(nf_i), 3.0),
                               nu / Su[sj], T_A * np.exp(u) / Su, np.ones(N), -1.0 / h])
        ab = np.zeros((lo_bw + up_bw + 1, nn))
        ab[band_at] = vals
        b = np.zeros(nn)
        b[pu], b[pv] = -r[:N], -r[N:]
        try:
            step = solve_banded((lo_bw, up_bw), ab, b, check_finite=False)
        except (np.linalg.LinAlgError, ValueError):
            return u, v, a, o, False
        du, dv = step[pu], step[pv]
        big = max(float(np.abs(du).max()) / MAX_DU, float(np.abs(dv).max()) / MAX_DVJ)
        if not np.isfinite(big):
            return u, v, a, o, False
        if big > 1.0:
            du, dv = du / big, dv / big
        norm0 = float(np.linalg.norm(r))
        alpha = 1.0
        for _ in range(HALVINGS):
            tu = u + alpha * du
            tu = np.where(tu > 0.0, 0.5 * u, tu)
            tv = v + alpha * dv
            out = solve(tu, tv)
            if np.all(np.isfinite(out[3])) and \
                    float(np.linalg.norm(out[3])) < (1.0 - 1e-4 * alpha) * norm0:
                break
            alpha *= 0.5
        else:
            return u, v, a, o, False
        u, v = tu, tv
        a, o, P, r, h, Su = out
    return u, v, a, o, bool(np.all(np.isfinite(r)) and float(np.abs(r).max()) < tol)


def acid_loading_profile(K: np.ndarray, m: np.ndarray, n: np.ndarray, eta: float, ns: int,
                         aq_in: np.ndarray, org_in: np.ndarray, acid_in: np.ndarray,
                         W: np.ndarray, V: float, T_A: float, nu: float, v: np.ndarray,
                         start: tuple[np.ndarray, np.ndarray] | None = None):
    """Start profile of the pH model with an extractant order (D_ij = K_ij·c_H,j^−m_ij·
    (F_j/T_A)^n_ij: both the stage acidity and the loading unknown) for fixed inlets.

    The stage loadings u_j and acidities v_j are solved by Newton with the element flows
    and the acid eliminated (:func:`_acid_loading_newton`), in the manner of Tomich's
    "2N Newton-Raphson" method for columns (J. F. Tomich, AIChE J. 16 (1970) 229-232;
    Seader, Henley & Roper, *Separation Process Principles*, 3rd ed. (2011), ch. 10):
    two unknowns per stage (there temperature and vapour flow, here acidity and
    loading), the compositions from the linear component balances at every trial.

    Its start is the profile of the same cascade with the extractant order switched off
    (:func:`start_profile`, the acidity converged by its acid-balance rounds), and the
    order is switched on by continuation, n(t) = t·n (homotopy continuation: T. L.
    Wayburn & J. D. Seader, Comput. Chem. Eng. 11 (1987) 7-25), t going straight to 1
    when Newton converges there and in halved steps when it does not. Each step is
    started from the previous solution with the acidity moved so that every
    distribution ratio stays what it was, v_j += Δt·n̄_j·u_j/m̄_j (n̄, m̄ the means over
    the elements): the element flows and the acid are then unchanged, so the start
    of the step is a valid profile (a plain start at the new t lowers the ratios by
    e^(Δt·n·u), which with the organic near capacity (u ≈ −2.5) empties stages and
    leaves some without acid). ``start`` ((u, v) of an earlier call): Newton at t = 1
    is tried from it first.

    Returns ``(a, o, h, F, u, v)`` (flows N × E), or None when Newton does not converge
    (the cascade then keeps Newton's own iterate).
    """
    N = K.shape[0]
    if not (T_A > 0 and V > 0 and np.all(np.isfinite(K)) and np.all(np.isfinite(v))):
        return None
    Kt, mt, nt = K.T, m.T, n.T
    args = (eta, ns, aq_in.T, org_in, acid_in, W, V, T_A, nu)
    if start is not None and all(len(x) == N and np.all(np.isfinite(x)) for x in start):
        u1, v1, a1, o1, ok = _acid_loading_newton(Kt, mt, nt, *args, start[0], start[1],
                                                  STEP_ITERS, LOAD_TOL)
        if ok:
            return _finish(a1, o1, u1, v1, org_in, acid_in, ns, T_A, nu)
    *_, F0, v0 = start_profile(K, m, np.zeros_like(n), eta, ns, aq_in, org_in, acid_in,
                               W, V, T_A, nu, np.zeros(N), v, True)
    u = np.log(np.clip(F0 / T_A, 1e-3, 1.0))
    m_bar = m.mean(axis=1)
    shift = np.where(m_bar != 0.0, n.mean(axis=1) / np.where(m_bar != 0.0, m_bar, 1.0),
                     0.0)
    t, dt, v = 0.0, 1.0, v0
    while t < 1.0:
        tt = min(1.0, t + dt)
        un, vn, a1, o1, ok = _acid_loading_newton(
            Kt, mt, tt * nt, *args, u, v + (tt - t) * shift * u, STEP_ITERS,
            LOAD_TOL if tt == 1.0 else 1e-6)
        if ok:
            t, u, v = tt, un, vn
            dt = min(2.0 * dt, 1.0 - t)
        else:
            dt *= 0.5
            if dt < MIN_DT:
                return None
    return _finish(a1, o1, u, v, org_in, acid_in, ns, T_A, nu)


def _finish(a, o, u, v, org_in, acid_in, ns, T_A, nu):
    o = o.T
    prev = np.vstack([org_in[None, :], o[:-1]])
    h = _train_sum(3.0 * (o - prev).sum(axis=1) + acid_in, ns)
    F = T_A - nu * o.sum(axis=1)
    return a.T.copy(), o.copy(), h, F, u, v
