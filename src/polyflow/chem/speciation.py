"""Aqueous speciation as residual rows, vectorised over many solutions.

For one set of master species (H+ first) and ``N`` solutions at once, the unknowns of a
solution are

    x = [log10 a_k (k = 0..K-1, k = 0 is H+),  I [mol/kg],  M = Σ m_j [mol/kg],
         s_p (p = 0..P-1, mineral formed, mol/kg water)]

and the rows are (Parkhurst & Appelo 2013, USGS TM 6-A43, eqs. 27–37, with fixed redox states)

.. math::

    r_0 &= \\sum_j z_j m_j - t_0                         &\\text{(charge balance; closes H+)}\\\\
    r_k &= \\sum_j \\nu_{jk} m_j + \\sum_p n_{pk} s_p - t_k &\\text{(mass of master } k \\ge 1)\\\\
    r_I &= I - \\tfrac12 \\sum_j z_j^2 m_j,\\qquad r_M = M - \\sum_j m_j\\\\
    r_p &= \\phi(s_p/s_\\mathrm{ref},\\; -\\mathrm{SI}_p),\\quad
          \\phi(a, b) = a + b - \\sqrt{a^2 + b^2 + \\varepsilon^2}

with :math:`\\log_{10} m_j = \\log K_j(T) + \\sum_k \\nu_{jk}\\log a_k + \\nu_{jw}\\log a_w
- \\log\\gamma_j(I, T)` and :math:`a_w = 1 - 0.017 M`. ``t`` are the totals [mol/kg water]:
``t[:, 0]`` the net charge of the dissolved species (0 for a stream of neutral formula units),
``t[:, k]`` the total of master ``k``. The Fischer–Burmeister row (Fischer 1992, Optimization
24, 269) makes "dissolve fully or saturate" one smooth equation: s_p ≥ 0, SI_p ≤ 0,
s_p·SI_p = 0. All Jacobians are analytic: ∂r/∂x, ∂r/∂t (= −1 on the first K rows) and ∂r/∂T.

>>> from polyflow.chem.equilibria import load_equilibria
>>> sys = aqueous_system(load_equilibria("phreeqc"), ["SO4-2"])
>>> sys.masters, sys.species
(('H+', 'SO4-2'), ('H+', 'SO4-2', 'OH-', 'HSO4-'))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import sparse

from polyflow.chem.activity import ActivityParams, log_gamma
from polyflow.chem.equilibria import (
    EquilibriumDatabase,
    Reaction,
    dlog_k_dT,
    log_k,
    log_k_table,
)
from polyflow.errors import DataError, did_you_mean

__all__ = ["AqueousSystem", "aqueous_system", "residuals"]

LN10 = math.log(10.0)
#: Fischer–Burmeister smoothing and the amount scale of a mineral [mol/kg water]
FB_EPS = 1e-10
S_REF = 1e-3


@dataclass(frozen=True, eq=False)
class AqueousSystem:
    """Species, minerals and their coefficient arrays for one master set."""

    database: str
    masters: tuple[str, ...]
    species: tuple[str, ...]
    nu: np.ndarray          # (S, K) on the masters
    nu_w: np.ndarray        # (S,) water
    coef: np.ndarray        # (S, 6) analytic log K
    z: np.ndarray           # (S,)
    activity: ActivityParams
    minerals: tuple[str, ...]
    mnu: np.ndarray         # (P, K)
    mnu_w: np.ndarray       # (P,)
    mcoef: np.ndarray       # (P, 6)

    @property
    def n_unknowns(self) -> int:
        return len(self.masters) + 2 + len(self.minerals)

    def index(self, species: str) -> int:
        try:
            return self.species.index(species)
        except ValueError:
            raise DataError(f"species {species!r} is not in this aqueous system",
                            hint=did_you_mean(species, self.species)) from None


def aqueous_system(db: EquilibriumDatabase, masters: Sequence[str],
                   minerals: Sequence[str] = (),
                   extra: Sequence[Reaction] = ()) -> AqueousSystem:
    """The system of ``masters`` (H+ added first): every species of ``db`` whose masters are
    all present, the ``minerals`` that may form (complementarity rows), and ``extra``
    species (e.g. ions the database lacks, each its own master: they only add charge,
    ionic strength and molality)."""
    extra_names = [r.name for r in extra]
    ms = ["H+", *[m for m in dict.fromkeys(masters) if m not in ("H+", "H2O")]]
    for m in ms:
        if m not in db.masters and m not in extra_names:
            raise DataError(f"{m!r} is not a master species of the {db.name} database",
                            field="masters", hint=did_you_mean(m, db.masters))
    allowed = {*ms, "H2O"}
    reactions = [r for name, r in db.species.items()
                 if name != "H2O" and set(r.nu) <= allowed
                 and (r.kind == "species" or name in ms)]
    reactions += list(extra)
    K = len(ms)
    col = {m: k for k, m in enumerate(ms)}

    def arrays(rs):
        nu = np.zeros((len(rs), K))
        nw = np.zeros(len(rs))
        for i, r in enumerate(rs):
            for m, c in r.nu.items():
                if m == "H2O":
                    nw[i] = c
                else:
                    nu[i, col[m]] = c
        coef = np.array([r.coef for r in rs]).reshape(len(rs), 6)
        return nu, nw, coef

    nu, nw, coef = arrays(reactions)
    phases = []
    for p in minerals:
        if p not in db.phases:
            raise DataError(f"mineral {p!r} is not a phase of the {db.name} database",
                            field="minerals", hint=did_you_mean(p, db.phases))
        if not set(db.phases[p].nu) <= allowed:
            missing = sorted(set(db.phases[p].nu) - allowed)
            raise DataError(f"mineral {p!r} needs master species {missing} that the "
                            "solution does not have", field="minerals")
        phases.append(db.phases[p])
    mnu, mnw, mcoef = arrays(phases)
    return AqueousSystem(
        db.name, tuple(ms), tuple(r.name for r in reactions), nu, nw, coef,
        np.array([r.charge for r in reactions], dtype=float),
        ActivityParams.of(reactions, db.model or None), tuple(minerals), mnu, mnw, mcoef)


@cache
def _rows(sys: AqueousSystem) -> np.ndarray:
    """Row coefficients on the species molalities: charge, masses (k ≥ 1), I, M."""
    return np.vstack([sys.z, sys.nu[:, 1:].T, -0.5 * sys.z**2, -np.ones_like(sys.z)])


@cache
def _pattern(sys: AqueousSystem) -> sparse.csr_matrix:
    """Sparse ((K+2)·K, S) matrix of C_rj nu_jk: ∂r/∂y = (pattern @ (ln10 m)ᵀ)."""
    C = _rows(sys)
    K = len(sys.masters)
    P = np.einsum("rs,sk->rks", C, sys.nu).reshape((K + 2) * K, -1)
    return sparse.csr_matrix(P)


def _water(M):
    aw = np.maximum(1.0 - 0.017 * M, 1e-6)
    return np.log10(aw), -0.017 / (LN10 * aw)


def species_log_molality(sys: AqueousSystem, x: np.ndarray, T: np.ndarray):
    """log10 m_j (N, S) and the pieces of its derivatives: (lg_I, dlogm/dT, dlaw/dM)."""
    K = len(sys.masters)
    law, dlaw = _water(x[:, K + 1])
    lg, lg_I, lg_T = log_gamma(sys.activity, x[:, K], T)
    lk, dlk = log_k_table(sys.coef, T)
    logm = lk + x[:, :K] @ sys.nu.T + sys.nu_w * law[:, None] - lg
    return logm, lg_I, dlk - lg_T, dlaw, law


def residuals(sys: AqueousSystem, x: np.ndarray, t: np.ndarray, T: np.ndarray,
              jacobian: bool = True):
    """Rows ``F`` (N, n) and Jacobians ``J_x`` (N, n, n), ``J_T`` (N, n) at ``x`` (N, n)
    (``None`` both unless ``jacobian``: a line search needs the rows only).

    ∂F/∂t is constant: −1 at (k, k) for k < K (see the module docstring), zero elsewhere.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    N = x.shape[0]
    T = np.broadcast_to(np.asarray(T, dtype=float), (N,))
    K = len(sys.masters)
    P = len(sys.minerals)
    n = K + 2 + P
    logm, lg_I, dlogm_T, dlaw, law = species_log_molality(sys, x, T)
    m = 10.0 ** np.minimum(logm, 300.0)
    C = _rows(sys)
    F = np.empty((N, n))
    F[:, :K + 2] = m @ C.T
    F[:, :K] -= t
    F[:, K] += x[:, K]
    F[:, K + 1] += x[:, K + 1]
    if P:
        s = x[:, K + 2:]
        F[:, 1:K] += s @ sys.mnu[:, 1:]
        SI = x[:, :K] @ sys.mnu.T + sys.mnu_w * law[:, None] - log_k(sys.mcoef, T[:, None])
        a, b = s / S_REF, -SI
        r = np.sqrt(a * a + b * b + FB_EPS**2)
        F[:, K + 2:] = a + b - r
    if not jacobian:
        return F, None, None
    J = np.zeros((N, n, n))
    JT = np.zeros((N, n))
    # ∂m_j/∂(y_k, I, M, T) = ln10 m_j (nu_jk, -lg_I, nu_w dlaw/dM, dlogm/dT); the rows'
    # derivatives ∂r/∂y = C diag(ln10 m) nu come from one sparse product (P holds the
    # products C_rj nu_jk, a few per species), the others from dense (N, S) @ (S, R)
    Y = LN10 * m
    J[:, :K + 2, :K] = (_pattern(sys) @ Y.T).T.reshape(N, K + 2, K)
    J[:, :K + 2, K] = -(Y * lg_I) @ C.T
    J[:, :K + 2, K + 1] = (Y @ (C * sys.nu_w).T) * dlaw[:, None]
    JT[:, :K + 2] = (Y * dlogm_T) @ C.T
    J[:, K, K] += 1.0
    J[:, K + 1, K + 1] += 1.0
    if P:
        J[:, 1:K, K + 2:] = sys.mnu[:, 1:].T
        da, db = 1.0 - a / r, 1.0 - b / r
        J[:, K + 2:, :K] = -db[:, :, None] * sys.mnu[None]
        J[:, K + 2:, K + 1] = -db * sys.mnu_w * dlaw[:, None]
        idx = np.arange(P)
        J[:, K + 2 + idx, K + 2 + idx] = da / S_REF
        JT[:, K + 2:] = db * dlog_k_dT(sys.mcoef, T[:, None])
    return F, J, JT
