"""The conversion rows of a train of leach tanks: the shrinking core per tank at the
tank's own reagent concentration, or a rate law per tank; used by ``leach_tanks``."""

from __future__ import annotations

import numpy as np

from polyflow.chem.species import T_REF
from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._leach_kinetics import R_GAS

__all__ = ["conversion_rows", "shrinking_core_rows"]


def conversion_rows(unit, eq, it, in_cols, tau_col, T_col, T_fixed, dis) -> None:
    """The rows of one kinetic reaction's conversions in each tank (``unit`` a
    ``LeachTanks``): the shrinking core, or the rate law per tank."""
    N = unit.p["tanks"]
    S = eq.S
    X = it["X"]
    arrhenius = it["Ea"] != 0.0 and T_fixed is None
    extra = ([tau_col] if tau_col is not None else []) + ([T_col] if arrhenius else [])

    def tau_T(x, base):
        j = base
        tau = unit._tau
        if tau_col is not None:
            tau = max(x[j], 1e-9)
            j += 1
        T = T_fixed if T_fixed is not None else T_REF
        if arrhenius:
            T = max(x[j], 200.0)
        return tau, T

    if it["kinetics"] in ("chemical", "diffusion"):
        shrinking_core_rows(unit, eq, it, in_cols, extra, tau_T, dis, T_fixed)
        return
    # rate law per tank: X_k − X_(k−1) − k τ C_k^a (1 − X_k)^(2/3) = 0
    ri = it["reagent_i"]
    users = [u for u in unit.kin if u["nu"][ri] < 0]
    n_in_cols = len(in_cols) * S
    cols = np.concatenate([X, *[u["X"] for u in users if u is not it], *in_cols,
                           extra]).astype(int)
    others = [u for u in users if u is not it]
    mw = eq.species.mw
    liq = unit.liquor
    rho = unit.p["solution_density"]
    Mfix = unit.M
    a = it["order"]
    X0 = np.array([0.5 * (k + 1) / N for k in range(N)])

    def parts(x):
        Xs = x[:N]
        Xo = [x[N * (m + 1):N * (m + 2)] for m in range(len(others))]
        base = N * (len(others) + 1)
        n_in = sum(x[base + j * S: base + (j + 1) * S] for j in range(len(in_cols)))
        tau, T = tau_T(x, base + n_in_cols)
        return Xs, Xo, n_in, tau, T

    def f_rl(x):
        Xs, Xo, n_in, tau, T = parts(x)
        kc = unit.rate_constant(it, T)
        V = max(float(mw[liq] @ n_in[liq]) / rho, 1e-30)      # m3/h
        reag = (Mfix @ n_in)[ri] - it["nu"][ri] * 0.0
        r = np.empty(N)
        sc = np.empty(N)
        for k in range(N):
            used = abs(it["nu"][ri]) / it["nu_key"] * Xs[k] * n_in[it["key_i"]]
            for u, xu in zip(others, Xo, strict=True):
                used += abs(u["nu"][ri]) / u["nu_key"] * xu[k] * n_in[u["key_i"]]
            C = max((reag - used) * mw[ri] / V, 0.0)              # g/L
            rate = kc * tau * C ** a * max(1.0 - Xs[k], 0.0) ** (2.0 / 3.0)
            prev = Xs[k - 1] if k else 0.0
            r[k] = Xs[k] - prev - rate
            sc[k] = abs(Xs[k]) + abs(prev) + abs(rate)
        return r, sc

    def f_rl0(x):
        return x[:N] - X0, np.abs(x[:N]) + X0

    def j_rl0(x):
        J = np.zeros((N, len(x)))
        J[:, :N] = np.eye(N)
        return J

    eq.nonlinear(cols, N, f_rl, None, stream=dis, var=ROW_INTERNAL,
                 labels=[f"rate law of {it['key']} in tank {k + 1}" for k in range(N)],
                 start=(f_rl0, j_rl0))

def shrinking_core_rows(unit, eq, it, in_cols, extra, tau_T, dis, T_fixed) -> None:
    """X_n − X̄_n(θ_n) = 0 per tank, θ_n = τ k(T) (C̄_n/C_ref)^a: the shrinking core in
    mixed flow at the mean of the rate constants of the tanks passed, each tank's
    from its own reagent concentration C_k [g/L] (what the feed brings less what the
    reactions up to tank k consumed; fixed-conversion reactions complete in tank 1).
    The mean rate constant keeps the particles' mean ∫kc dt exact. Jacobian: the
    identity on X less X̄'(θ) ∂θ/∂x (X̄' by a central difference, ∂θ/∂x analytic;
    checked against finite differences in tests/units/test_leach_levers.py)."""
    N = unit.p["tanks"]
    S = eq.S
    X = it["X"]
    ri = it.get("reagent_i")
    others = [u for u in unit.kin if u is not it and ri is not None and u["nu"][ri] < 0]
    n_in = len(in_cols) * S
    has_reagent = ri is not None
    cols = np.concatenate([X, *[u["X"] for u in others],
                           *(in_cols if has_reagent else []), extra]).astype(int)
    mw = eq.species.mw
    wl = np.where(unit.liquor, mw, 0.0) / unit.p["solution_density"]
    Mfix = unit.M
    base = N * (len(others) + 1)
    tail = base + (n_in if has_reagent else 0)

    def theta(x):
        tau, T = tau_T(x, tail)
        kT = unit.rate_constant(it, T)
        if not has_reagent:
            return np.full(N, kT * tau)
        n = sum(x[base + j * S: base + (j + 1) * S] for j in range(len(in_cols)))
        V = max(float(wl @ n), 1e-30)                                   # m3/h
        reag = (Mfix @ n)[ri]
        kc = np.empty(N)
        for k in range(N):
            used = abs(it["nu"][ri]) / it["nu_key"] * x[k] * n[it["key_i"]]
            for m, u in enumerate(others):
                used += abs(u["nu"][ri]) / u["nu_key"] * x[N * (m + 1) + k] * \
                    n[u["key_i"]]
            C = max((reag - used) * mw[ri] / V, 0.0)                    # g/L
            kc[k] = kT * (C / it["C_ref"]) ** it["order"]
        return tau * np.cumsum(kc) / np.arange(1, N + 1)

    def g(th):
        return np.array([unit.mean_conversion(it, th[k], k + 1) for k in range(N)])

    def f(x):
        gx = g(theta(x))
        return x[:N] - gx, np.abs(x[:N]) + np.abs(gx)

    has_tau = unit._tau is None
    arrhenius = it["Ea"] != 0.0 and T_fixed is None
    users = [(0, it)] + [(N * (m + 1), u) for m, u in enumerate(others)]

    def dtheta(x):
        """∂θ/∂x: θ_n = τ/n Σ_{k≤n} kc_k, kc_k = k(T) (C_k/C_ref)^a, C_k = (R − Σ_u c_u
        X_{u,k} n_key,u) M_r/V; ∂C_k/∂n_j = (M_rj − Σ_u c_u X_{u,k} [j = key_u]) M_r/V
        − C_k w_j/V, ∂C_k/∂X_{u,k} = −c_u n_key,u M_r/V."""
        th = theta(x)
        D = np.zeros((N, len(x)))
        tau, T = tau_T(x, tail)
        j = tail
        if has_tau:
            D[:, j] = th / max(tau, 1e-9)
            j += 1
        if arrhenius and x[j] > 200.0:
            D[:, j] = th * it["Ea"] / (R_GAS * T * T)
        if not has_reagent:
            return D
        kT = unit.rate_constant(it, T)
        n = sum(x[base + q * S: base + (q + 1) * S] for q in range(len(in_cols)))
        V = max(float(wl @ n), 1e-30)
        reag = (Mfix @ n)[ri]
        dkc = np.zeros((N, len(x)))
        for k in range(N):
            used = sum(abs(u["nu"][ri]) / u["nu_key"] * x[off + k] * n[u["key_i"]]
                       for off, u in users)
            C = (reag - used) * mw[ri] / V
            if C <= 0.0:
                continue
            kc = kT * (C / it["C_ref"]) ** it["order"]
            fac = it["order"] * kc / C
            dC_dn = Mfix[ri].astype(float) * mw[ri] / V - C * wl / V
            for off, u in users:
                cu = abs(u["nu"][ri]) / u["nu_key"]
                dC_dn[u["key_i"]] -= cu * x[off + k] * mw[ri] / V
                dkc[k, off + k] = -fac * cu * n[u["key_i"]] * mw[ri] / V
            dkc[k, base:base + n_in] = np.tile(fac * dC_dn, len(in_cols))
        D[:, :tail] = tau * np.cumsum(dkc[:, :tail], axis=0) / np.arange(1, N + 1)[:, None]
        return D

    def jac(x):
        th = theta(x)
        lo = np.maximum(th * (1 - 1e-6) - 1e-12, 0.0)
        hi = th * (1 + 1e-6) + 1e-12
        dg = (g(hi) - g(lo)) / (hi - lo)
        J = -dg[:, None] * dtheta(x)
        J[:, :N] += np.eye(N)
        return J

    guess = np.array(unit._conversion_guess(it, N, T_fixed))

    def f0(x):
        return x[:N] - guess, np.abs(x[:N]) + guess

    def j0(x):
        J = np.zeros((N, len(x)))
        J[:, :N] = np.eye(N)
        return J

    eq.nonlinear(cols, N, f, jac, stream=dis, var=ROW_INTERNAL,
                 labels=[f"conversion of {it['key']} in tank {k + 1}" for k in range(N)],
                 start=(f0, j0) if has_reagent else None)
