"""The conversion rows of a train of leach tanks: the shrinking core per tank at the
tank's own reagent level, or a rate law per tank; used by ``leach_tanks``. The level of
the reagent in each tank (its measure: the component, the titratable free acid or the
H+ activity of the tank's liquor) is :class:`~polyflow.units._leach_acidity.TankAcidity`."""

from __future__ import annotations

import numpy as np

from polyflow.chem.species import T_REF
from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._leach_acidity import TankAcidity
from polyflow.units._leach_kinetics import R_GAS

__all__ = ["conversion_rows", "shrinking_core_rows"]


def conversion_rows(unit, eq, it, in_cols, tau_col, T_col, T_fixed, dis) -> None:
    """The rows of one kinetic reaction's conversions in each tank (``unit`` a
    ``LeachTanks``): the shrinking core, or the rate law per tank."""
    arrhenius = it["Ea"] != 0.0 and T_fixed is None
    speciated = it.get("acidity", "component") != "component" and T_fixed is None
    extra = ([tau_col] if tau_col is not None else []) + \
        ([T_col] if arrhenius or speciated else [])
    has_T = arrhenius or speciated

    def tau_T(x, base):
        j = base
        tau = unit._tau
        if tau_col is not None:
            tau = max(x[j], 1e-9)
            j += 1
        T = T_fixed if T_fixed is not None else T_REF
        if has_T:
            T = max(x[j], 200.0)
        return tau, T

    acidity = None
    if "reagent_i" in it:
        users = [it] + [u for u in unit.kin if u is not it]
        # the plant's aqueous system; a freed unit's own builder has no speciation rows
        # and carries the plant's as ``plant_aqueous`` (polyflow.solve.freed_unit)
        aq = getattr(eq.b, "aqueous", None) or getattr(eq.b, "plant_aqueous", None)
        acidity = TankAcidity(unit, it, users, aq)
        it["tank_acidity"] = acidity           # the report reads the tanks' liquors
    if it["kinetics"] in ("chemical", "diffusion"):
        shrinking_core_rows(unit, eq, it, in_cols, extra, tau_T, dis, T_fixed, acidity,
                            has_T)
        return
    _rate_law_rows(unit, eq, it, in_cols, extra, tau_T, dis, acidity)


def _split(x, N, users, in_cols, S):
    """(conversions of each user (N,) ..., summed feed flows (S,), index after them)."""
    Xs = [x[N * m:N * (m + 1)] for m in range(len(users))]
    base = N * len(users)
    n = sum(x[base + j * S: base + (j + 1) * S] for j in range(len(in_cols)))
    return Xs, n, base + len(in_cols) * S


def _rate_law_rows(unit, eq, it, in_cols, extra, tau_T, dis, acidity) -> None:
    """Rate law per tank: X_k − X_(k−1) − k τ C_k^a (1 − X_k)^(2/3) = 0, C_k the
    reagent's level in tank k (Jacobian by the system's finite differences)."""
    N = unit.p["tanks"]
    S = eq.S
    users = acidity.users
    cols = np.concatenate([*[u["X"] for u in users], *in_cols, extra]).astype(int)
    a = it["order"]
    X0 = np.array([0.5 * (k + 1) / N for k in range(N)])

    def f_rl(x):
        Xs, n_in, tail = _split(x, N, users, in_cols, S)
        tau, T = tau_T(x, tail)
        kc = unit.rate_constant(it, T)
        C = acidity.level(n_in, Xs, T)[0]
        r = np.empty(N)
        sc = np.empty(N)
        for k in range(N):
            rate = kc * tau * max(C[k], 0.0) ** a * max(1.0 - Xs[0][k], 0.0) ** (2 / 3)
            prev = Xs[0][k - 1] if k else 0.0
            r[k] = Xs[0][k] - prev - rate
            sc[k] = abs(Xs[0][k]) + abs(prev) + abs(rate)
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


def shrinking_core_rows(unit, eq, it, in_cols, extra, tau_T, dis, T_fixed,
                        acidity=None, has_T=None) -> None:
    """X_n − X̄_n(θ_n) = 0 per tank, θ_n = τ k(T) (C̄_n/C_ref)^a: the shrinking core in
    mixed flow at the mean of the rate constants of the tanks passed, each tank's
    from its own reagent level C_k (:class:`~polyflow.units._leach_acidity.
    TankAcidity`: the component left, the free acid or the H+ activity of the tank's
    liquor). The mean rate constant keeps the particles' mean ∫kc dt exact. Jacobian:
    the identity on X less X̄'(θ) ∂θ/∂x (X̄' by a central difference, ∂θ/∂x analytic;
    checked against finite differences in tests/units/test_leach_levers.py)."""
    N = unit.p["tanks"]
    S = eq.S
    has_reagent = acidity is not None
    users = acidity.users if has_reagent else [it]
    n_in = len(in_cols) * S
    cols = np.concatenate([*[u["X"] for u in users],
                           *(in_cols if has_reagent else []), extra]).astype(int)
    base = N * len(users)
    tail = base + (n_in if has_reagent else 0)
    if has_T is None:
        has_T = it["Ea"] != 0.0 and T_fixed is None
    C_ref = acidity.reference(it["C_ref"], it["T_ref"]) if has_reagent else 1.0
    a = it["order"]

    def levels(x):
        tau, T = tau_T(x, tail)
        kT = unit.rate_constant(it, T)
        if not has_reagent:
            return tau, T, kT, None
        Xs, n, _ = _split(x, N, users, in_cols, S)
        return tau, T, kT, acidity.level(n, Xs, T)

    def theta(x):
        tau, _, kT, lev = levels(x)
        if lev is None:
            return np.full(N, kT * tau)
        kc = kT * (np.maximum(lev[0], 0.0) / C_ref) ** a
        return tau * np.cumsum(kc) / np.arange(1, N + 1)

    def g(th):
        return np.array([unit.mean_conversion(it, th[k], k + 1) for k in range(N)])

    def f(x):
        gx = g(theta(x))
        return x[:N] - gx, np.abs(x[:N]) + np.abs(gx)

    has_tau = unit._tau is None
    arrhenius = it["Ea"] != 0.0 and T_fixed is None

    def dtheta(x):
        """∂θ/∂x: θ_n = τ/n Σ_{k≤n} kc_k, kc_k = k(T) (C_k/C_ref)^a, so
        ∂kc_k = kc_k (a ∂C_k/C_k + E_a/(R T²) ∂T), the level's derivatives on the
        feed flows, the tank's conversions and T from ``TankAcidity``."""
        tau, T, kT, lev = levels(x)
        th = theta(x)
        D = np.zeros((N, len(x)))
        j = tail
        if has_tau:
            D[:, j] = th / max(tau, 1e-9)
            j += 1
        if arrhenius and x[j] > 200.0:
            D[:, j] = th * it["Ea"] / (R_GAS * T * T)
        if lev is None:
            return D
        C, dC_dn, dC_dX, dC_dT = lev
        dkc = np.zeros((N, len(x)))
        for k in range(N):
            if C[k] <= 0.0:
                continue
            kc = kT * (C[k] / C_ref) ** a
            fac = a * kc / C[k]
            for m in range(len(users)):
                dkc[k, N * m + k] = fac * dC_dX[k, m]
            dkc[k, base:base + n_in] = np.tile(fac * dC_dn[k], len(in_cols))
            if has_T and x[j] > 200.0:
                dkc[k, j] = fac * dC_dT[k]
        D += tau * np.cumsum(dkc, axis=0) / np.arange(1, N + 1)[:, None]
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
