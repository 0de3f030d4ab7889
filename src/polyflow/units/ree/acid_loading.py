"""Start profile of the pH model with an extractant order (D ∝ c_H^−m·(F/T_A)^n).

The pH model with an extractant order (:func:`acid_loading_profile`) has both unknowns in
every stage: the acidity round of :func:`start_profile` at held loading fails there for
the reason given in :mod:`.loaded`, and Newton works on the acidity and the loading
of every stage together (two unknowns per stage, the element flows and the acid
eliminated), from the converged profile at order 0, with the order switched on by
continuation.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from polyflow.units.ree.damped import continuation, damped_step
from polyflow.units.ree.loaded import LOAD_TOL, MAX_DU, MIN_DT, STEP_ITERS
from polyflow.units.ree.sum_rates import start_profile, train_sum

__all__ = ["acid_loading_profile"]

#: largest change of ln(acid molarity) per step of the acidity-and-loading Newton
MAX_DVJ = 2.0
#: halvings of the acidity-and-loading Newton step before the attempt is given up
HALVINGS = 10
#: Newton iterations per step of the metals' continuation (:func:`_metal_path`): where
#: the organic's base has nearly neutralised the acid, the acidity of the first stages
#: moves as a titration front, and Newton takes many short steps there
METAL_ITERS = 60
#: a start with a stage short of acid is moved to higher pH by this much [ln units] …
RAISE_PH = 0.05 * np.log(10.0)
#: … at most this many times (2 pH units)
RAISES = 40


def _acid_loading_newton(K: np.ndarray, m: np.ndarray, n: np.ndarray, eta: float, ns: int,
                         aq_in: np.ndarray, org_in: np.ndarray, acid_in: np.ndarray,
                         W: np.ndarray, V: float, T_A: float, nu: np.ndarray,
                         u: np.ndarray, v: np.ndarray, iters: int, tol: float,
                         z: np.ndarray):
    """Newton on the stage loadings u_j = ln(F_j/T_A) and acidities v_j = ln(c_H,j) of
    the whole cascade (N stages, both aqueous trains) with every element's flows
    eliminated. ``K, m, n`` (E × N): D_ij = K_ij·e^(n_ij·u_j − m_ij·v_j); ``aq_in``
    (E × N); the other arguments as :func:`start_profile`.

    For held (u, v) the element balances and the Murphree equilibria
    o_ij − (1−η)·o_i,j−1 = η·D_ij·(V/W_j)·a_ij are linear in the flows (a, o) and
    uncoupled between elements (pentadiagonal per element when a_ij, o_ij alternate),
    and the acid h follows from its balance, h_j = h_j+1 + acid_j + Σ_i z_i (o_ij −
    o_i,j−1) (z_i the charges, ``z`` and ``nu`` one per element). The residuals are
    the two stage equations of the cascade's own block,

    R_u,j = ln(T_A·e^u_j + Σ_i ν_i o_ij) − ln T_A   (extractant balance; defined for
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
    zc, nuc = z[:, None], nu[:, None]
    zr, nur = np.repeat(z, N), np.repeat(nu, N)   # element-major, like the flows
    acid0 = acid_in.astype(float).copy()
    acid0[0] -= float((z * org_in).sum())       # the organic entering stage 1
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
        so = (zc * o).sum(axis=0)
        h = train_sum(so - np.concatenate([[0.0], so[:-1]]) + acid0, ns)
        Su = T_A * np.exp(u) + (nuc * o).sum(axis=0)
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
    limit = np.concatenate([np.full(N, MAX_DU), np.full(N, MAX_DVJ)])
    negative = np.arange(2 * N) < N                 # u = ln(F/T_A) ≤ 0; v free
    try:
        a, o, P, r, h, Su = solve(u, v)
        for _ in range(RAISES if not np.all(np.isfinite(r)) else 0):
            v = v - RAISE_PH                  # a stage short of acid: see above
            a, o, P, r, h, Su = solve(u, v)
            if np.all(np.isfinite(r)):
                break
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
                               -zr, zr[nf_i], nur / Su[sj], T_A * np.exp(u) / Su,
                               np.ones(N), -1.0 / h])
        ab = np.zeros((lo_bw + up_bw + 1, nn))
        ab[band_at] = vals
        b = np.zeros(nn)
        b[pu], b[pv] = -r[:N], -r[N:]
        try:
            step = solve_banded((lo_bw, up_bw), ab, b, check_finite=False)
        except (np.linalg.LinAlgError, ValueError):
            return u, v, a, o, False
        taken = damped_step(np.concatenate([u, v]), np.concatenate([step[pu], step[pv]]),
                            r, lambda z: solve(z[:N], z[N:]), lambda out: out[3], limit,
                            negative, HALVINGS)
        if taken is None:
            return u, v, a, o, False
        z, out = taken
        u, v = z[:N], z[N:]
        a, o, P, r, h, Su = out
    return u, v, a, o, bool(np.all(np.isfinite(r)) and float(np.abs(r).max()) < tol)


def acid_loading_profile(K: np.ndarray, m: np.ndarray, n: np.ndarray, eta: float, ns: int,
                         aq_in: np.ndarray, org_in: np.ndarray, acid_in: np.ndarray,
                         W: np.ndarray, V: float, T_A: float, nu, v: np.ndarray,
                         start: tuple[np.ndarray, np.ndarray] | None = None,
                         z=3.0):
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

    When that fails (a saponified organic: at order 0 and held acidity the metals pile
    up between stages without bound), the metals are brought in at the full order
    (:func:`_metal_path`): every metal inlet scaled by τ from 0 to 1 from the acid-only
    cascade, whose profile is exact, by the same continuation; failing that, the
    organic's load alone is brought in from a barren organic (org_in·τ). An organic
    inlet that carries metal or base tries the metals' path first and the order path
    after it (the order path failed there in every case measured, and cost 12 of the
    17 s of the saponified 22-metal × 200-stage benchmark).

    ``nu`` and ``z`` (extractant bound and H+ released per ion): a number or one per
    element.

    Returns ``(a, o, h, F, u, v)`` (flows N × E), or None when Newton does not converge
    (the cascade then keeps Newton's own iterate).
    """
    N, E = K.shape
    z = np.broadcast_to(np.asarray(z, float), (E,)).copy()
    nu = np.broadcast_to(np.asarray(nu, float), (E,)).copy()
    if not (T_A > 0 and V > 0 and np.all(np.isfinite(K)) and np.all(np.isfinite(v))):
        return None
    Kt, mt, nt = K.T, m.T, n.T

    def newton(org, u, v, nt_, tol, aq=aq_in, iters=STEP_ITERS, acid=acid_in):
        return _acid_loading_newton(Kt, mt, nt_, eta, ns, aq.T, org, acid, W, V, T_A,
                                    nu, u, v, iters, tol, z)

    if start is not None and all(len(x) == N and np.all(np.isfinite(x)) for x in start):
        u1, v1, a1, o1, ok = newton(org_in, start[0], start[1], nt, LOAD_TOL)
        if ok:
            return _finish(a1, o1, u1, v1, org_in, acid_in, ns, T_A, nu, z)
    # an organic that carries metal or base (a saponified organic) piles the metals up
    # at order 0 (below): the metals' path is tried first there, the order path after
    def order_path():
        return _order_path(K, m, n, eta, ns, aq_in, org_in, acid_in, W, V, T_A, nu, v, z,
                           newton)

    def metal_path():
        return _metal_path(aq_in, org_in, acid_in, W, ns, newton, nt, z)

    paths = (metal_path, order_path) if float(org_in.sum()) > 0.0 else (order_path,
                                                                         metal_path)
    out = None
    for path in paths:
        out = path()
        if out is not None:
            break
    if out is None and float(org_in.sum()) > 0.0:
        # a loaded or saponified organic feed: its order-0 profile can pile the metals up
        # without bound (no loading limit); go from the barren organic instead and bring
        # the organic's load in by continuation, org_in·τ, τ from 0 to 1
        out = _order_path(K, m, n, eta, ns, aq_in, 0.0 * org_in, acid_in, W, V, T_A, nu,
                          v, z, newton)
        if out is None:
            return None

        def load_step(t, tt, state):
            un, vn, an, on, ok = newton(tt * org_in, state[0], state[1], nt,
                                        LOAD_TOL if tt == 1.0 else 1e-6)
            return ok, (un, vn, an, on)

        out = continuation(load_step, out, MIN_DT)
    if out is None:
        return None
    u, v, a1, o1 = out
    return _finish(a1, o1, u, v, org_in, acid_in, ns, T_A, nu, z)


def _order_path(K, m, n, eta, ns, aq_in, org_in, acid_in, W, V, T_A, nu, v, z, newton):
    """The order switched on by continuation from the order-0 profile (see
    :func:`acid_loading_profile`): ``(u, v, a, o)`` at the full order, or None."""
    N = K.shape[0]
    *_, F0, v0 = start_profile(K, m, np.zeros_like(n), eta, ns, aq_in, org_in, acid_in,
                               W, V, T_A, nu, np.zeros(N), v, True, z=z)
    u = np.log(np.clip(F0 / T_A, 1e-3, 1.0))
    m_bar = m.mean(axis=1)
    shift = np.where(m_bar != 0.0, n.mean(axis=1) / np.where(m_bar != 0.0, m_bar, 1.0),
                     0.0)

    def order_step(t, tt, state):
        u, v = state[0], state[1]
        un, vn, an, on, ok = newton(org_in, u, v + (tt - t) * shift * u, tt * n.T,
                                    LOAD_TOL if tt == 1.0 else 1e-6)
        return ok, (un, vn, an, on)

    return continuation(order_step, (u, v0, None, None), MIN_DT)


def _metal_path(aq_in, org_in, acid_in, W, ns, newton, nt, z):
    """The metals brought in by continuation at the full order (see
    :func:`acid_loading_profile`): every metal inlet, aqueous and organic, scaled by τ
    from 0 to 1. At τ = 0 the cascade carries acid alone, and its profile is exact: the
    organic barren (u = 0) and every stage's acid the sum of the acid entering its train
    at and above it, v_j = ln(h_j/W_j). Along the path the loading limit holds at every
    step (the extractant balance is one of Newton's equations), so the metals cannot
    pile up between stages as they do at order 0; a step whose start leaves a stage
    without acid (the organic's base neutralising the acid of the first stage) has
    its start moved to higher pH (:data:`RAISE_PH`). Each step starts from the secant
    predictor through the last two solutions (E. L. Allgower & K. Georg, *Introduction
    to Numerical Continuation Methods*, SIAM (2003), ch. 2), and from the last solution
    when Newton fails from there: near the titration's end point (the organic's base
    about equal to the acid fed) the first stages' acidity moves fast with τ, and the
    last solution alone is too far (a Pr/Nd cut at 10 % saponified stalled at τ ≈ 0.66).
    A train with no acid at its first stage (a scrub liquor of metal chlorides alone,
    as plants reflux) has no acid-only profile (ln 0): acid equal to the charge of all
    the metal inlets is lent to that stage and returned with τ (acid_in + (1−τ)·lent),
    so the cascade at τ = 1 is the given one.
    ``(u, v, a, o)`` at τ = 1, or None when the step falls below MIN_DT."""
    N = len(W)
    acid_in = acid_in.astype(float)
    h = train_sum(acid_in, ns)
    # a train whose first stage has no acid (a scrub liquor of metal chlorides alone):
    # acid as much as the metals' charge is lent to that stage and returned with τ
    lend = np.zeros(N)
    charge = float((z * aq_in).sum() + (z * org_in).sum())
    for top, first in ((ns - 1, 0), (N - 1, ns)):
        if top >= first and h[first:top + 1].min(initial=1.0) <= 0.0:
            lend[top] = max(charge, float(np.abs(acid_in).sum()), 1e-300)
    h = train_sum(acid_in + lend, ns)
    if not np.all(h > 0.0):
        return None
    state = (np.zeros(N), np.log(h / np.maximum(W, 1e-300)), None, None, None)

    def metal_step(t, tt, state):
        u, v = state[0], state[1]
        if state[4] is not None:            # secant predictor from the previous step
            t0, u0, v0 = state[4]
            f = (tt - t) / (t - t0)
            u, v = np.minimum(u + f * (u - u0), 0.0), v + f * (v - v0)
        un, vn, an, on, ok = newton_at(tt, u, v)
        if not ok and state[4] is not None:
            un, vn, an, on, ok = newton_at(tt, state[0], state[1])
        return ok, (un, vn, an, on, (t, state[0], state[1]))

    def newton_at(tau, u, v):
        return newton(tau * org_in, u, v, nt, LOAD_TOL if tau == 1.0 else 1e-6,
                      aq=tau * aq_in, iters=METAL_ITERS, acid=acid_in + (1.0 - tau) * lend)

    out = continuation(metal_step, state, MIN_DT)
    return None if out is None else out[:4]


def _finish(a, o, u, v, org_in, acid_in, ns, T_A, nu, z):
    o = o.T
    prev = np.vstack([org_in[None, :], o[:-1]])
    h = train_sum(((o - prev) * z).sum(axis=1) + acid_in, ns)
    F = T_A - (o * nu).sum(axis=1)
    return a.T.copy(), o.copy(), h, F, u, v

