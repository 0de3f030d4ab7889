"""Start profile of a rare-earth SX cascade for given inlets (the cascade's initialiser):
the sum-rates decomposition, for the models whose equilibrium does not depend on the
loading.

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

The models that need more are in :mod:`.loaded` (separation factors) and
:mod:`.acid_loading` (pH with an extractant order).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

__all__ = ["start_profile", "train_sum"]

#: rounds of the acidity update
ROUNDS = 40
#: largest change of ln(acid molarity) per round
MAX_DV = 1.0
#: highest stage pH of the start profile (the model has no hydrolysis above it)
PH_MAX = 7.0
V_MIN = -PH_MAX * float(np.log(10.0))
#: stop when ln(free fraction) and ln(acid molarity) change less than this
TOL = 1e-4


def train_sum(g: np.ndarray, ns: int) -> np.ndarray:
    """h_j = Σ_{k ≥ j in j's aqueous train} g_k: the aqueous runs from the last stage
    of each train (ns − 1 and N − 1) towards its first (0 and ns)."""
    h = np.empty_like(g)
    h[:ns] = np.cumsum(g[:ns][::-1])[::-1]
    h[ns:] = np.cumsum(g[ns:][::-1])[::-1]
    return h


def start_profile(K: np.ndarray, m: np.ndarray, n: np.ndarray, eta: float, ns: int,
                  aq_in: np.ndarray, org_in: np.ndarray, acid_in: np.ndarray,
                  W: np.ndarray, V: float, T_A: float, nu: float,
                  u: np.ndarray, v: np.ndarray, use_v: bool, rounds: int = ROUNDS,
                  z: np.ndarray | float = 3.0):
    """Stage profile of the cascade for fixed inlets.

    ``K, m, n`` (N × E): D_ij = K_ij · c_H,j^−m_ij · (F_j/T_A)^n_ij; ``aq_in`` (N × E)
    the aqueous element inlets of each stage [kmol/h]; ``org_in`` (E) the complexes in
    the organic entering stage 1; ``acid_in`` (N) acid inlets; ``W`` (N) the aqueous
    volume flow through each stage and ``V`` the organic's [m3/h]; ``T_A`` total
    extractant [kmol/h], ``nu`` the extractant bound per ion and ``z`` the charges (H+
    released per ion), each a number or one per element; ``u`` (N) ln(F/T_A), held;
    ``v`` (N) the starting ln(c_H), updated when ``use_v`` (the pH model); ``ns`` the
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
    zc = np.broadcast_to(np.asarray(z, float), (E,))[:, None]
    nuc = np.broadcast_to(np.asarray(nu, float), (E,))[:, None]
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
        h = train_sum((zc * (o - prev)).sum(axis=0) + acid_in, ns)
        target = np.log(np.maximum(h, 1e-12 * max(float(np.abs(h).max()), 1e-300)) / Wc)
        # a stage short of acid (a base such as a saponified organic consumed more than
        # reaches it) is held at pH ≤ PH_MAX: its ratios then stay finite
        target = np.maximum(target, V_MIN)
        step = np.clip(target - v, -MAX_DV, MAX_DV)
        v = v + 0.5 * step
        if float(np.abs(step).max()) < TOL:
            break
    a, o, *_ = profile(u, v, o_lag)
    prev = np.hstack([org_in[:, None], o[:, :-1]])
    h = train_sum((zc * (o - prev)).sum(axis=0) + acid_in, ns)
    F = T_A - (nuc * o).sum(axis=0)
    return a.T.copy(), o.T.copy(), h, F, v

