"""Standalone speciation: damped Newton on :func:`polyflow.chem.speciation.residuals`.

For tests, reports and start values of the global system. The start is the strong-electrolyte
limit: every master free at its total, H+ from the proton excess left after each acid–base
master takes its dominant protonation state at pH 7. Newton's step is cut so that no log
activity moves by more than 1 per iteration (as PHREEQC limits its steps) and I, M stay
positive.

**Free acid** is reported as plant labs titrate it: the H+ that NaOH neutralises to the
pH 4.5 end point with the hydrolysable metals masked by potassium oxalate (the "oxalate
method": Jackson, Silva & Oliveira, CETEM STM-19, Rio de Janeiro 1981; Metrohm application
note "Determination of free acid in hydrometallurgical leach liquors"), expressed as
H2SO4 (49.04 g per mol H+). In the model it is the proton condition of the solution
relative to the end-point species: SO4-2, Cl-, F-, NH4+, CO2(aq), HCN, H2S and the free metal
ions (masked: no hydrolysis counted),

.. math::

    \\mathrm{FA} = \\sum_j \\Big(\\nu_{j,\\mathrm{H^+}} - \\sum_k r_k \\nu_{jk}\\Big) m_j

where r_k is the number of protons master k carries at the end point. Being a sum over
dissolved species of constant coefficients it is linear in the totals (no speciation needed
when no mineral forms). g/L uses the kg of water per litre of liquor (default: the density
of water, i.e. a dilute liquor; pass the liquor's own value where known).

>>> from polyflow.chem.equilibria import load_equilibria
>>> from polyflow.chem.speciation import aqueous_system
>>> sys = aqueous_system(load_equilibria("phreeqc"), ["SO4-2"])
>>> sol = speciate(sys, np.array([[0.0, 0.01]]), 298.15)      # 0.01 mol/kg H2SO4; PHREEQC: pH 1.866
>>> round(float(sol.pH[0]), 2), round(float(sol.free_acid_g_L[0]), 2)
(1.87, 0.98)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyflow.chem.activity import density_water, log_gamma
from polyflow.chem.equilibria import log_k, log_k_table
from polyflow.chem.speciation import AqueousSystem, residuals, species_log_molality
from polyflow.errors import DataError

__all__ = ["Speciation", "continued_fraction", "initial_guess", "proton_reference",
           "solve_speciation", "speciate"]

M_H2SO4 = 98.078   # g/mol
FREE_ACID_END_PH = 4.5


@dataclass
class Speciation:
    """Result of :func:`speciate` for N solutions (arrays over solutions first)."""

    system: AqueousSystem
    x: np.ndarray
    T: np.ndarray
    pH: np.ndarray                  # -log10 a(H+)
    ionic_strength: np.ndarray      # mol/kg water
    molality: np.ndarray            # (N, S) mol/kg water
    activity: np.ndarray            # (N, S)
    water_activity: np.ndarray
    minerals_formed: np.ndarray     # (N, P) mol/kg water
    saturation_index: dict[str, np.ndarray]
    free_acid_mol_kg: np.ndarray    # mol H+ per kg water to the pH 4.5 end point
    free_acid_g_L: np.ndarray       # as H2SO4
    converged: np.ndarray
    iterations: int

    def species(self, name: str) -> np.ndarray:
        """Molality [mol/kg water] of species ``name`` in every solution."""
        return self.molality[:, self.system.index(name)]


def proton_reference(sys: AqueousSystem, pH: float) -> np.ndarray:
    """Protons r_k each master carries at ``pH`` (dominant protonation form, γ = 1);
    metal cations are masked (r = 0), as by oxalate in the lab titration."""
    r = np.zeros(len(sys.masters))
    lk = log_k(sys.coef, 298.15)
    for k, m in enumerate(sys.masters):
        if k == 0 or (sys.z[sys.index(m)] > 0 and m != "NH4+"):
            continue
        best, h_best = 0.0, 0.0
        for j in range(len(sys.species)):
            nu = sys.nu[j]
            others = np.delete(nu, [0, k])
            if nu[k] == 1 and not others.any() and nu[0] != 0:
                v = lk[j] - nu[0] * pH
                if v > best:
                    best, h_best = v, nu[0]
        r[k] = h_best
    return r


def initial_guess(sys: AqueousSystem, t: np.ndarray, T=None, sweeps: int = 6) -> np.ndarray:
    """Strong-electrolyte start: masters free at their totals, H+ from the proton excess.

    With ``T``, the pH is bracketed on a grid (pH −1 to 15): at each grid pH a few
    continued-fraction sweeps close the mass balances (a_k *= (t_k / total_k)^(1/nu_max);
    Wolery 1992, EQ3NR manual UCRL-MA-110662 PT IV) and the charge balance is evaluated;
    the start is the grid point where it changes sign, refined linearly.
    """
    K = len(sys.masters)
    N = t.shape[0]
    zk = np.array([sys.z[sys.index(m)] for m in sys.masters])
    excess = t[:, 0] - t[:, 1:] @ zk[1:] - t[:, 1:] @ proton_reference(sys, 7.0)[1:]
    x = np.zeros((N, K + 2 + len(sys.minerals)))
    x[:, 1:K] = np.log10(np.maximum(t[:, 1:], 1e-20))
    pH = np.where(excess > 1e-7, -np.log10(np.maximum(excess, 1e-7)),
                  np.where(excess < -1e-7, 14.0 + np.log10(np.maximum(-excess, 1e-7)), 7.0))
    x[:, 0] = -pH
    x[:, K] = 0.5 * (t[:, 1:] @ zk[1:] ** 2) + 0.5 * np.abs(excess) + 1e-10
    x[:, K + 1] = t[:, 1:].sum(axis=1) + 1e-10
    if T is None:
        return x
    grid = np.arange(-1.0, 15.5, 2.0)
    G = len(grid)
    xg = np.repeat(x, G, axis=0)
    xg[:, 0] = -np.tile(grid, N)
    tg = np.repeat(t, G, axis=0)
    Tg = np.repeat(np.asarray(T, dtype=float), G)
    xg = _sweeps(sys, xg, tg, Tg, sweeps)
    m = 10.0 ** np.minimum(_log_m(sys, xg, Tg, log_k_table(sys.coef, Tg)[0]), 2.0)
    q = ((m @ sys.z - tg[:, 0]) / (m @ np.abs(sys.z) + 1e-30)).reshape(N, G)
    # q > 0: too much H+ (pH too low); first sign change from + to -
    change = (q[:, :-1] > 0) & (q[:, 1:] <= 0)
    has = change.any(axis=1)
    j = np.where(has, change.argmax(axis=1), np.abs(q).argmin(axis=1))
    j1 = np.minimum(j + 1, G - 1)
    rows = np.arange(N)
    q0, q1 = q[rows, j], q[rows, j1]
    f = np.where(has, q0 / np.where(q0 != q1, q0 - q1, 1.0), 0.0)
    x = xg.reshape(N, G, -1)[rows, j].copy()
    x[:, 0] = -(grid[j] + f * (grid[j1] - grid[j]))
    return _sweeps(sys, x, t, np.asarray(T, dtype=float), sweeps)


def _log_m(sys, x, T, lk):
    """log10 m without derivatives, log K given (the cheap path of the start)."""
    K = len(sys.masters)
    law = np.log10(np.maximum(1.0 - 0.017 * x[:, K + 1], 1e-6))
    lg = log_gamma(sys.activity, x[:, K], T, derivatives=False)[0]
    return lk + x[:, :K] @ sys.nu.T + sys.nu_w * law[:, None] - lg


def continued_fraction(sys: AqueousSystem, x: np.ndarray, t: np.ndarray, T: np.ndarray,
                       n: int = 3) -> np.ndarray:
    """``n`` continued-fraction sweeps on the mass balances from ``x`` (Wolery 1992; see
    :func:`initial_guess`), a copy: H+ kept, the other masters' activities scaled to
    their totals, I and M recomputed. A solution already at its root does not move;
    a warm start whose totals have changed (a trace metal appearing in a stream) is
    brought near its root in one pass instead of Newton's steps of 1 in log a."""
    return _sweeps(sys, np.array(x, dtype=float), t, np.asarray(T, dtype=float), n)


def _sweeps(sys, x, t, T, n):
    K = len(sys.masters)
    nu = np.maximum(sys.nu[:, 1:], 0.0)
    nmax = np.maximum(nu.max(axis=0), 1.0)
    lk = log_k_table(sys.coef, T)[0]
    for _ in range(n):
        m = 10.0 ** np.minimum(_log_m(sys, x, T, lk), 2.0)
        tot = m @ nu
        x[:, 1:K] += np.log10(np.maximum(t[:, 1:], 1e-300) / np.maximum(tot, 1e-300)) / nmax
        x[:, K] = np.clip(0.5 * m @ sys.z**2, 1e-10, 10.0)
        x[:, K + 1] = np.clip(m.sum(axis=1), 1e-10, 20.0)
    return x


def _scales(sys, x, t, T):
    K = len(sys.masters)
    logm = species_log_molality(sys, x, T)[0]
    m = 10.0**logm
    sc = np.ones((x.shape[0], x.shape[1]))
    sc[:, 0] = np.abs(sys.z) @ m.T + np.abs(t[:, 0]) + 1e-12
    sc[:, 1:K] = np.maximum(t[:, 1:], 1e-30)
    sc[:, K] = np.maximum(x[:, K], 1e-12)
    sc[:, K + 1] = np.maximum(x[:, K + 1], 1e-12)
    return sc


def speciate(sys: AqueousSystem, totals, T, x0=None, *, tol: float = 1e-10,
             max_iter: int = 200, floor: float = 1e-14,
             water_kg_per_L=None) -> Speciation:
    """Speciate N solutions: ``totals`` (N, K) [mol/kg water] (column 0 the net charge,
    then one column per master after H+, in ``sys.masters`` order), ``T`` [K] (N,) or scalar.

    Every master total gets ``floor`` added (log activities need a positive total).
    Returns a :class:`Speciation`; ``converged`` flags each solution (scaled residual
    below ``tol``).
    """
    t = np.array(np.atleast_2d(totals), dtype=float)
    neg = t[:, 1:] < -1e-12
    if neg.any():
        n, k = np.argwhere(neg)[0]
        raise DataError(f"negative total of master {sys.masters[k + 1]!r} in solution {n}",
                        field="totals", value=float(t[n, k + 1]),
                        hint="totals are amounts per kg water and cannot be negative")
    t[:, 1:] = np.maximum(t[:, 1:], 0.0) + floor
    N = t.shape[0]
    T = np.broadcast_to(np.asarray(T, dtype=float), (N,)).copy()
    K = len(sys.masters)
    x = initial_guess(sys, t, T) if x0 is None else np.array(x0, dtype=float)
    x, done, it = solve_speciation(sys, t, T, x, tol=tol, max_iter=max_iter)
    logm = species_log_molality(sys, x, T)[0]
    lg = _lg(sys, x, T)
    m = 10.0**logm
    law = np.log10(np.maximum(1.0 - 0.017 * x[:, K + 1], 1e-6))
    r = proton_reference(sys, FREE_ACID_END_PH)
    fa = m @ (sys.nu[:, 0] - sys.nu @ r)
    if water_kg_per_L is None:
        water_kg_per_L = density_water(T)[0]
    return Speciation(
        sys, x, T, -x[:, 0], x[:, K], m, 10.0 ** (logm + lg), 10.0**law, x[:, K + 2:],
        saturation_indices(sys, x, T), fa, fa * M_H2SO4 / 2.0 * water_kg_per_L, done, it)


def solve_speciation(sys: AqueousSystem, t: np.ndarray, T: np.ndarray, x: np.ndarray, *,
                     tol: float = 1e-10, max_iter: int = 200
                     ) -> tuple[np.ndarray, np.ndarray, int]:
    """The damped Newton of :func:`speciate` from ``x`` (N, n), on totals ``t`` that
    already carry their floor: returns (x, converged per solution, iterations). No
    start values, no report quantities: the inner loop of the global solve's
    speciation (``polyflow.solve.aqueous_rows``) calls this with warm starts."""
    x = np.array(x, dtype=float)
    N = x.shape[0]
    K = len(sys.masters)
    done = np.zeros(N, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - reported
        act = ~done
        F, J, _ = residuals(sys, x[act], t[act], T[act])
        sc = _scales(sys, x[act], t[act], T[act])
        err = np.abs(F / sc).max(axis=1)
        ok = err < tol
        idx = np.nonzero(act)[0]
        done[idx[ok]] = True
        if done.all():
            break
        go = ~ok
        Fg, Jg, scg = F[go], J[go], sc[go]
        ig = idx[go]
        dx = _newton_step(Jg / scg[:, :, None], -(Fg / scg))
        step = np.abs(dx[:, :K]).max(axis=1)
        lam = np.minimum(1.0, 1.0 / np.maximum(step, 1e-300))
        x0g = x[ig]
        norm0 = np.linalg.norm(Fg / scg, axis=1)
        xg = _trial(sys, x0g, dx, lam, T[ig], t[ig])
        # safeguard (after Dennis & Schnabel 1996, sec. 6.3): halve the step while the
        # scaled residual is not finite or grows tenfold, at most 6 times (a milder test
        # slows Newton on log activities, whose residual norm is rarely monotone)
        for _ in range(6):
            Ft = residuals(sys, xg, t[ig], T[ig], jacobian=False)[0]
            worse = ~(np.linalg.norm(Ft / scg, axis=1) <= 10.0 * norm0)
            if not worse.any():
                break
            lam = np.where(worse, 0.5 * lam, lam)
            xg[worse] = _trial(sys, x0g[worse], dx[worse], lam[worse], T[ig][worse],
                               t[ig][worse])
        x[ig] = xg
    return x, done, it


def _newton_step(A, b):
    """Batched solve; a singular system falls back to least squares for that solution.

    ``np.linalg.solve`` refuses the whole batch when one matrix has an exactly zero
    pivot; ``np.linalg.slogdet`` (the same LAPACK ``getrf``, batched) finds those
    (sign 0) or the non-finite ones, and only they go to least squares, one by one: a
    race of a few hundred starts with four singular ones used to solve all of them
    by least squares (issue #12)."""
    try:
        return np.linalg.solve(A, b[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        pass
    with np.errstate(invalid="ignore"):
        sign, logdet = np.linalg.slogdet(A)
    single = (sign == 0) | ~np.isfinite(logdet)
    dx = np.empty_like(b)
    fine = ~single
    if fine.any():
        try:
            dx[fine] = np.linalg.solve(A[fine], b[fine][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            single = np.ones(len(b), dtype=bool)
    for k in np.nonzero(single)[0]:
        dx[k] = _lstsq(A[k], b[k])
    return dx


def _lstsq(a, v):
    """Least squares, or no step where the matrix is not finite (that solution then
    does not converge and is reported so, instead of stopping all the others)."""
    try:
        return np.linalg.lstsq(a, v, rcond=None)[0]
    except np.linalg.LinAlgError:
        return np.zeros_like(v)


def _trial(sys, x0, dx, lam, T, t):
    """x0 + lam dx, with I and M set by substitution from the new activities where Newton
    would take them out of (old/2, 2·old), and both kept below the bounds they have at
    any solution: M ≤ Σ t_k + m(H+) + m(OH-), I ≤ 8 M (|z| ≤ 4)."""
    K = len(sys.masters)
    xg = x0 + lam[:, None] * dx
    mg = 10.0 ** np.minimum(species_log_molality(sys, xg, T)[0], 300.0)
    # m(OH-) ≤ 10^(-11.5 - log a_H): pKw > 11.5 in liquid water to 200 °C
    m_cap = 2.0 * (t[:, 1:].sum(axis=1) + 10.0 ** np.minimum(xg[:, 0], 2.0)
                   + 10.0 ** np.minimum(-11.5 - xg[:, 0], 2.0)) + 1e-12
    for col, v, cap in ((K, 0.5 * mg @ sys.z**2 + 1e-12, 8.0 * m_cap),
                        (K + 1, mg.sum(axis=1) + 1e-12, m_cap)):
        bad = (xg[:, col] <= 0.5 * x0[:, col]) | (xg[:, col] >= 2.0 * x0[:, col])
        xg[:, col] = np.minimum(np.where(bad, v, xg[:, col]), cap)
    return xg


def _lg(sys, x, T):
    return log_gamma(sys.activity, x[:, len(sys.masters)], T)[0]


def saturation_indices(sys: AqueousSystem, x: np.ndarray, T: np.ndarray):
    """SI of every phase of the database the solution's masters can form."""
    from polyflow.chem.equilibria import load_equilibria
    db = load_equilibria(sys.database)
    K = len(sys.masters)
    col = {m: k for k, m in enumerate(sys.masters)}
    law = np.log10(np.maximum(1.0 - 0.017 * x[:, K + 1], 1e-6))
    out = {}
    for name, ph in db.phases.items():
        if not set(ph.nu) <= {*col, "H2O"}:
            continue
        si = -log_k(ph.coef, T)
        for mname, c in ph.nu.items():
            si = si + c * (law if mname == "H2O" else x[:, col[mname]])
        out[name] = si
    return out
