"""Activity coefficients of aqueous species, with their derivatives in I and T.

The models of PHREEQC (Parkhurst & Appelo 2013, USGS TM 6-A43, eqs. 18-20), chosen per
species by the database row (``gamma_model``):

.. math::

    \\text{dh (WATEQ):}\\quad \\log_{10}\\gamma_i = -\\frac{A z_i^2 \\sqrt I}{1 + B a_i \\sqrt I}
        + b_i I \\qquad
    \\text{davies:}\\quad \\log_{10}\\gamma_i = -A z_i^2\\left(\\frac{\\sqrt I}{1+\\sqrt I}
        - 0.3 I\\right)

    \\text{neutral:}\\quad \\log_{10}\\gamma_i = b_i I \\qquad
    \\text{llnl (B-dot, Helgeson 1969):}\\quad
        \\log_{10}\\gamma_i = -\\frac{A' z_i^2 \\sqrt I}{1 + B' a_i \\sqrt I} + \\dot B I

and for CO2 in the llnl model the Drummond (1981) expression. ``A`` and ``B`` follow from the
dielectric constant of water (Bradley & Pitzer 1979, J. Phys. Chem. 83, 1599) and its density
(Kell 1975, J. Chem. Eng. Data 20, 97) as in PHREEQC 3:
A = 1.82483e6 ρ^½ (εT)^-3/2, B = 50.2916 ρ^½ (εT)^-½ [Å⁻¹] (ρ in g/cm³); llnl's A', B', Ḃ
are interpolated linearly in its table (as PHREEQC does). Water activity: a_w = 1 − 0.017 Σm
(PHREEQC, eq. 22). Valid to I ≈ 0.5 mol/kg (WATEQ to ~1 for NaCl-type media); see
docs/aqueous-chemistry.md for the deviation measured above that.

>>> A, B, dA, dB = debye_huckel_AB(298.15)
>>> round(float(A), 4), round(float(B), 4)    # PHREEQC 3 gives 0.5100, 0.3285
(0.51, 0.3285)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ActivityParams",
    "debye_huckel_AB",
    "density_water",
    "dielectric_water",
    "llnl_parameters",
    "log_gamma",
]

LN10 = math.log(10.0)

# Bradley & Pitzer (1979), Table I
_U = (3.4279e2, -5.0866e-3, 9.4690e-7, -2.0525, 3.1159e3, -1.8289e2, -8.0325e3, 4.21452e6,
      2.1417)
# Kell (1975) eq. 16, t in °C, kg/m3
_KELL = (999.83952, 16.945176, -7.9870401e-3, -46.170461e-6, 105.56302e-9, -280.54253e-12)
_KELL_D = 16.879850e-3


def density_water(T):
    """Density of liquid water at 1 atm [g/cm³] and its T-derivative; Kell (1975), 0–150 °C."""
    t = np.asarray(T, dtype=float) - 273.15
    num = sum(c * t**i for i, c in enumerate(_KELL))
    dnum = sum(i * c * t ** (i - 1) for i, c in enumerate(_KELL) if i)
    den = 1.0 + _KELL_D * t
    rho = num / den / 1000.0
    drho = (dnum * den - num * _KELL_D) / den**2 / 1000.0
    return rho, drho


def dielectric_water(T, P_bar: float = 1.01325):
    """Relative permittivity of water and its T-derivative; Bradley & Pitzer (1979)."""
    T = np.asarray(T, dtype=float)
    U1, U2, U3, U4, U5, U6, U7, U8, U9 = _U
    e1000 = U1 * np.exp(U2 * T + U3 * T**2)
    de1000 = e1000 * (U2 + 2 * U3 * T)
    C = U4 + U5 / (U6 + T)
    dC = -U5 / (U6 + T) ** 2
    Bp = U7 + U8 / T + U9 * T
    dBp = -U8 / T**2 + U9
    L = np.log((Bp + P_bar) / (Bp + 1000.0))
    dL = dBp / (Bp + P_bar) - dBp / (Bp + 1000.0)
    return e1000 + C * L, de1000 + dC * L + C * dL


def debye_huckel_AB(T):
    """Debye–Hückel A [kg^½ mol^-½] and B [Å⁻¹ kg^½ mol^-½] with dA/dT, dB/dT."""
    rho, drho = density_water(T)
    eps, deps = dielectric_water(T)
    T = np.asarray(T, dtype=float)
    eT = eps * T
    deT = deps * T + eps
    A = 1.82483e6 * np.sqrt(rho) * eT**-1.5
    B = 50.2916 * np.sqrt(rho) * eT**-0.5
    dA = A * (0.5 * drho / rho - 1.5 * deT / eT)
    dB = B * (0.5 * drho / rho - 0.5 * deT / eT)
    return A, B, dA, dB


def llnl_parameters(T, model: dict[str, np.ndarray]):
    """(A', B', Ḃ) and their T-derivatives, linear in llnl.dat's table of °C."""
    t = np.asarray(T, dtype=float) - 273.15
    grid = model["temperatures"]
    k = np.clip(np.searchsorted(grid, t) - 1, 0, len(grid) - 2)
    f = (t - grid[k]) / (grid[k + 1] - grid[k])
    out = []
    for key in ("dh_a", "dh_b", "bdot"):
        v = model[key]
        out.append((1 - f) * v[k] + f * v[k + 1])
        out.append((v[k + 1] - v[k]) / (grid[k + 1] - grid[k]))
    return out   # A, dA, B, dB, bdot, dbdot


@dataclass(frozen=True)
class ActivityParams:
    """Per-species arrays: z², ion size a [Å], b [kg/mol] and model flags."""

    z2: np.ndarray
    a: np.ndarray
    b: np.ndarray
    is_dh: np.ndarray
    is_davies: np.ndarray
    is_llnl: np.ndarray
    is_co2: np.ndarray
    llnl_model: dict | None = None

    @classmethod
    def of(cls, reactions, llnl_model=None) -> ActivityParams:
        z = np.array([r.charge for r in reactions], dtype=float)
        g = [r.gamma_model for r in reactions]
        return cls(z**2, np.array([r.ion_size for r in reactions]),
                   np.array([r.gamma_b for r in reactions]),
                   np.array([m == "dh" for m in g]), np.array([m == "davies" for m in g]),
                   np.array([m == "llnl" for m in g]), np.array([m == "co2_llnl" for m in g]),
                   llnl_model)


def log_gamma(p: ActivityParams, mu, T, derivatives: bool = True):
    """log10 γ (N, S) with ∂/∂I and ∂/∂T (None unless ``derivatives``), for ionic
    strengths ``mu`` (N,) and temperatures ``T`` (N,) [K].

    All four models are one expression, −A_e z² √I / (1 + Ba_e √I) + b_e I, with per-species
    A_e (A or llnl's A'), Ba_e (B·a, B'·a, or 1 for Davies) and b_e (b, Ḃ or 0.3 A z² for
    Davies); CO2 in the llnl model adds Drummond's term.

    >>> from polyflow.chem.equilibria import load_equilibria
    >>> db = load_equilibria("phreeqc")
    >>> p = ActivityParams.of([db.species["Ca+2"]])
    >>> lg, _, _ = log_gamma(p, np.array([0.1]), np.array([298.15]))
    >>> round(float(lg[0, 0]), 3)      # WATEQ, a = 5 Å, b = 0.165
    -0.408
    """
    I = np.maximum(np.asarray(mu, dtype=float), 1e-14)[:, None]  # noqa: E741
    T = np.asarray(T, dtype=float)
    N = T.shape[0]
    A, B, dA, dB = debye_huckel_AB(T)
    fl = p.is_llnl.astype(float)
    dh = p.is_dh.astype(float)
    dv = p.is_davies.astype(float)
    plain = dh + dv                    # the Debye–Hückel term of WATEQ and Davies
    neutral_b = p.b * (1.0 - dv - fl) * (1.0 - p.is_co2)
    if p.llnl_model is not None and p.is_llnl.any():
        Al, dAl, Bl, dBl, bd, dbd = llnl_parameters(T, p.llnl_model)
    else:
        Al = dAl = Bl = dBl = bd = dbd = np.zeros(N)
    # every per-species coefficient is (N, 2) solution scalars @ (2, S) species constants
    zA = np.stack([plain * p.z2, fl * p.z2])
    aB = np.stack([p.a * dh, p.a * fl])
    Ae = np.stack([A, Al], axis=1) @ zA
    Ae_T = np.stack([dA, dAl], axis=1) @ zA
    Ba = np.stack([B, Bl], axis=1) @ aB + dv
    Ba_T = np.stack([dB, dBl], axis=1) @ aB
    bz = np.stack([fl, 0.3 * p.z2 * dv])
    be = neutral_b + np.stack([bd, A], axis=1) @ bz
    be_T = np.stack([dbd, dA], axis=1) @ bz
    s = np.sqrt(I)
    den = 1.0 + Ba * s
    f = s / den
    lg = -Ae * f + be * I
    if not derivatives:
        if p.is_co2.any():
            j = np.nonzero(p.is_co2)[0]
            c = p.llnl_model["co2_coefs"]
            Tk = T[:, None]
            lg[:, j] = ((c[0] + c[1] * Tk + c[2] / Tk) * I
                        - (c[3] + c[4] * Tk) * I / (I + 1)) / LN10
        return lg, None, None
    lg_I = -Ae / (2 * s * den**2) + be
    lg_T = -Ae_T * f + Ae * f * (Ba_T * s) / den + be_T * I
    if p.is_co2.any():
        j = np.nonzero(p.is_co2)[0]
        c = p.llnl_model["co2_coefs"]
        Tk = T[:, None]
        q = c[0] + c[1] * Tk + c[2] / Tk
        r = c[3] + c[4] * Tk
        lg[:, j] = (q * I - r * I / (I + 1)) / LN10
        lg_I[:, j] = (q - r / (I + 1) ** 2) / LN10
        lg_T[:, j] = ((c[1] - c[2] / Tk**2) * I - c[4] * I / (I + 1)) / LN10
    return lg, lg_I, lg_T
