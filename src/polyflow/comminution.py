"""Comminution correlations on the size classes of :mod:`polyflow.psd`: Bond's law and
the work index, the Austin selection and breakage functions and the population-balance
matrix of a mill, Whiten's crusher model and the Whiten efficiency curve of classifiers.

>>> round(bond_energy(wi=15.0, f80_um=2000.0, p80_um=150.0), 3)   # kWh/t
8.893
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity

__all__ = [
    "BALL_CHARGE_DENSITY", "SHORT_TON_FACTOR", "austin_breakage", "austin_selection",
    "bond_energy", "energy_mill_matrix", "mill_matrix", "operating_work_index",
    "read_energy_rate", "read_work_index", "rowland_ball_mill_power",
    "whiten_classification", "whiten_crusher_matrix", "whiten_efficiency",
]

#: 1 kWh per short ton (2000 lb = 907.18474 kg) is 1.1023 kWh per tonne (Bond 1961;
#: Rowland 1976 gives the factor as 1.102)
SHORT_TON_FACTOR = 1000.0 / 907.18474


# -- Bond's law -----------------------------------------------------------------------------
def bond_energy(wi: float, f80_um: float, p80_um: float) -> float:
    """Bond's third theory: specific energy [kWh/t] to grind from F80 to P80 [µm],
    ``W = 10 Wi (1/√P80 − 1/√F80)`` with Wi in kWh/t (Bond, Trans. AIME 193 (1952) 484;
    Bond, Br. Chem. Eng. 6 (1961) 378; Wills 8th ed. §5.4). Zero for no size reduction."""
    if not (f80_um > 0 and p80_um > 0) or p80_um >= f80_um:
        return 0.0
    return 10.0 * wi * (1.0 / math.sqrt(p80_um) - 1.0 / math.sqrt(f80_um))


def operating_work_index(w_kwh_t: float, f80_um: float, p80_um: float) -> float:
    """Operating work index [kWh/t] back-calculated from the specific energy a mill
    draws: ``Wi_op = W / (10 (1/√P80 − 1/√F80))`` (Rowland, "The Bond work index, a tool
    to measure grinding efficiency", SME-AIME Fall Meeting, 1976).

    >>> round(operating_work_index(12.0, 2000.0, 150.0), 2)
    20.24
    """
    if not (f80_um > 0 and p80_um > 0) or p80_um >= f80_um:
        return math.nan
    return w_kwh_t / (10.0 * (1.0 / math.sqrt(p80_um) - 1.0 / math.sqrt(f80_um)))


def read_work_index(value: Any) -> float:
    """A Bond work index in kWh/t; ``"13 kWh/st"`` (per short ton, as Bond tabulated it)
    is converted by :mod:`polyflow.quantity` (× 1.1023).

    >>> round(read_work_index("13 kWh/st"), 3), read_work_index("14.3 kWh/t")
    (14.33, 14.3)
    """
    x = parse_quantity(value, "specific_energy")
    if not 0.0 < x < 200.0:
        raise InputError("a Bond work index must be between 0 and 200 kWh/t", value=value)
    return x


# -- population balance: Austin ---------------------------------------------------------------
def austin_selection(sizes: np.ndarray, a: float, alpha: float, mu: float | None = None,
                     lam: float = 2.0, x0: float = 1e-3) -> np.ndarray:
    """Specific rate of breakage of each class [1/h]:
    ``S_i = a (x_i/x0)^α · 1/(1 + (x_i/μ)^Λ)`` with ``x0`` = 1 mm; without ``μ`` the
    last factor is 1 (Austin, Klimpel & Luckie, *Process Engineering of Size Reduction:
    Ball Milling*, SME-AIME (1984), eq. 4.3 and 4.4)."""
    x = np.asarray(sizes, dtype=float)
    s = a * (x / x0) ** alpha
    if mu is not None:
        s = s / (1.0 + (x / mu) ** lam)
    return s


def austin_breakage(sieves: np.ndarray, phi: float, gamma: float, beta: float) -> np.ndarray:
    """Breakage matrix ``b[i, j]``: fraction of the primary fragments of class ``j``
    that fall into class ``i > j``, from the cumulative breakage function
    ``B(x, y) = φ (x/y)^γ + (1 − φ)(x/y)^β`` (normalised; Austin, Klimpel & Luckie 1984,
    eq. 4.5), with ``y`` the lower sieve of the parent class so that every fragment
    leaves it; the pan takes what is finer than the bottom sieve. Columns sum to 1 (the
    pan's column to 0: the pan does not break)."""
    sieves = np.asarray(sieves, dtype=float)
    n = len(sieves)
    b = np.zeros((n, n))
    for j in range(n - 1):
        y = sieves[j + 1]

        def B(x, y=y):
            r = np.minimum(x / y, 1.0)
            return phi * r ** gamma + (1.0 - phi) * r ** beta

        for i in range(j + 1, n):
            upper = B(sieves[i])
            lower = B(sieves[i + 1]) if i + 1 < n else 0.0
            b[i, j] = upper - lower
    return b


def mill_matrix(selection: np.ndarray, breakage: np.ndarray, residence_time: float,
                n_cells: int = 1) -> np.ndarray:
    """``M`` with ``product = M · feed`` (class mass flows) for a mill of ``n_cells``
    equal perfectly mixed cells in series with total mean residence time ``τ``:
    in each cell ``p = f − τ_c (I − b) S p``, so ``M = [(I + τ_c (I − b) S)^{-1}]^N``
    (Austin, Klimpel & Luckie 1984, ch. 6; Whiten, "A matrix theory of comminution
    machines", Chem. Eng. Sci. 29 (1974) 589). Columns of ``M`` sum to 1 (mass is kept).

    >>> M = mill_matrix(np.array([1.0, 0.0]), np.array([[0, 0], [1.0, 0]]), 1.0, 1)
    >>> M.round(3).tolist()                 # half the coarse class breaks (kτ = 1)
    [[0.5, 0.0], [0.5, 1.0]]
    """
    n = len(selection)
    tc = residence_time / n_cells
    A = np.eye(n) + tc * (np.eye(n) - breakage) @ np.diag(selection)
    cell = np.linalg.solve(A, np.eye(n))
    return np.linalg.matrix_power(cell, int(n_cells))


def energy_mill_matrix(selection_e: np.ndarray, breakage: np.ndarray, energy: float,
                       n_cells: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(M, dM/dE)`` of a mill whose breakage rates follow its specific energy
    (Herbst & Fuerstenau): with ``S_i = S_i^E P/H`` (``S^E`` in t/kWh, ``P`` the power
    drawn, ``H`` the solids hold-up) and ``τ = H/F``, ``S_i τ = S_i^E E`` where
    ``E = P/F`` [kWh/t] is the energy per tonne of mill feed solids, so
    ``M = C^N``, ``C = (I + (E/N) K)^{-1}``, ``K = (I − b) diag(S^E)``, and, since
    ``C`` and ``K`` commute, ``dM/dE = −K C^{N+1}``.

    Source: Herbst & Fuerstenau, "Scale-up procedure for continuous grinding mill design
    using population balance models", Int. J. Miner. Process. 7 (1980) 1–31; Austin,
    Klimpel & Luckie 1984, ch. 6 (mixed cells in series).

    >>> M, dM = energy_mill_matrix(np.array([1.0, 0.0]), np.array([[0, 0], [1.0, 0]]), 1.0)
    >>> M.round(3).tolist(), dM.round(3).tolist()    # half breaks; dM = -K/4 (C = 1/2)
    ([[0.5, 0.0], [0.5, 1.0]], [[-0.25, 0.0], [0.25, 0.0]])
    """
    n = len(selection_e)
    K = (np.eye(n) - breakage) @ np.diag(selection_e)
    C = np.linalg.solve(np.eye(n) + (energy / n_cells) * K, np.eye(n))
    M = np.linalg.matrix_power(C, int(n_cells))
    return M, -K @ M @ C


def read_energy_rate(value: Any) -> float:
    """A specific-energy breakage rate in t/kWh (Herbst & Fuerstenau's ``S^E``):
    ``"1.2 t/kWh"`` or a bare number.

    >>> read_energy_rate("1.2 t/kWh"), read_energy_rate(0.8)
    (1.2, 0.8)
    """
    text = str(value).strip()
    if isinstance(value, str):
        if not text.endswith("t/kWh"):
            raise InputError("a specific-energy breakage rate is given in t/kWh",
                             value=value, hint="write e.g. '1.2 t/kWh'")
        text = text[:-len("t/kWh")].strip()
    try:
        x = float(text)
    except ValueError:
        raise InputError("expected a number of t/kWh", value=value) from None
    if not (math.isfinite(x) and 0.0 < x < 1e3):
        raise InputError("a specific-energy breakage rate must be between 0 and 1000 t/kWh",
                         value=value)
    return x


# -- mill power: Bond and Rowland ------------------------------------------------------------
#: bulk density of a ball charge [kg/m3] in Rowland's mill sizing (Rowland & Kjos 1980)
BALL_CHARGE_DENSITY = 4650.0


def rowland_ball_mill_power(diameter: float, length: float, ball_filling: float,
                            critical_speed: float, ball_size: float | None = None,
                            charge_density: float = BALL_CHARGE_DENSITY) -> float:
    r"""Power at the pinion of a wet overflow ball mill [kW] by Bond's power equation
    in Rowland's metric form: per tonne of balls

    .. math::

        kW_b = 4.879\,D^{0.3}(3.2 - 3V_p)\,C_s\Big(1 - \frac{0.1}{2^{9 - 10C_s}}\Big)
               + S_s,\qquad S_s = 1.102\,\frac{B - 12.5D}{50.8}\ (D > 3.3\ m)

    with ``D`` the diameter inside the liners [m], ``V_p`` the fraction of the mill
    volume the ball charge fills, ``C_s`` the fraction of critical speed and ``B`` the
    top ball size [mm] (the slump term, only for mills over 3.3 m and when ``B`` is
    given); the ball charge weighs ``V_p (π/4) D² L`` × 4.65 t/m3.

    Source: Bond, "Crushing and grinding calculations", Br. Chem. Eng. 6 (1961) 378–385
    and 543–548; Rowland & Kjos, "Rod and ball mills", in *Mineral Processing Plant
    Design*, 2nd ed., SME (1980) 239–278; Rowland, "Selection of rod mills, ball mills,
    pebble mills and regrind mills", in *Design and Installation of Comminution
    Circuits*, SME (1982) 393–438.

    Example: a 5.0 m × 7.0 m mill (inside liners), 35 % balls, 75 % of critical speed:
    kW_b = 4.879 × 1.6207 × (3.2 − 1.05) × 0.75 × (1 − 0.1/2^1.5) = 12.30 kW/t; the
    charge is 0.35 × 137.44 m3 × 4.65 t/m3 = 223.7 t, so 2,751 kW:

    >>> round(rowland_ball_mill_power(5.0, 7.0, 0.35, 0.75))
    2751
    """
    if not (diameter > 0 and length > 0 and 0 < ball_filling < 0.5
            and 0 < critical_speed < 1):
        raise InputError("a ball mill needs diameter and length above 0, ball filling "
                         "under 50 % and speed under 100 % of critical",
                         value=(diameter, length, ball_filling, critical_speed))
    kwb = 4.879 * diameter ** 0.3 * (3.2 - 3.0 * ball_filling) * critical_speed \
        * (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * critical_speed))
    if ball_size is not None and diameter > 3.3:
        kwb += 1.102 * (ball_size * 1e3 - 12.5 * diameter) / 50.8
    balls_t = ball_filling * math.pi / 4.0 * diameter ** 2 * length * charge_density / 1e3
    return kwb * balls_t


# -- Whiten's crusher model and efficiency curve ---------------------------------------------
def whiten_classification(sizes: np.ndarray, k1: float, k2: float, k3: float) -> np.ndarray:
    """Probability that a particle of size ``x`` enters the breakage zone of a crusher:
    0 below ``K1``, 1 above ``K2`` and ``1 − ((K2 − x)/(K2 − K1))^K3`` between (Whiten,
    "The simulation of crushing plants with models developed using pilot scale data",
    PhD thesis, University of Queensland (1972); Napier-Munn et al., *Mineral Comminution
    Circuits*, JKMRC (1996), §6.4)."""
    x = np.asarray(sizes, dtype=float)
    c = 1.0 - np.clip((k2 - x) / (k2 - k1), 0.0, 1.0) ** k3
    return np.where(x <= k1, 0.0, np.where(x >= k2, 1.0, c))


def whiten_crusher_matrix(classification: np.ndarray, breakage: np.ndarray) -> np.ndarray:
    """Whiten's crusher: the classified material breaks and returns to the chamber, so
    ``p = (I − C)(I − B C)^{-1} f`` (Whiten 1972; Napier-Munn et al. 1996, eq. 6.3)."""
    n = len(classification)
    C = np.diag(classification)
    return (np.eye(n) - C) @ np.linalg.solve(np.eye(n) - breakage @ C, np.eye(n))


def whiten_efficiency(x: np.ndarray, alpha: float) -> np.ndarray:
    """Corrected efficiency curve of a classifier (fraction to the coarse product at the
    reduced size ``x = d/d50c``): ``E = (e^{αx} − 1)/(e^{αx} + e^α − 2)`` (Whiten, in
    Lynch & Rao, "Modelling and scale-up of hydrocyclone classifiers", 11th IMPC
    (1975); Napier-Munn et al. 1996, eq. 10.5). ``E(1) = 0.5``.

    >>> float(whiten_efficiency(np.array([1.0]), 3.0)[0])
    0.5
    """
    if not (math.isfinite(alpha) and alpha > 0.0):     # α = 0 is 0/0 everywhere
        raise InputError("the sharpness α of the efficiency curve must be above 0",
                         field="alpha", value=alpha)
    x = np.asarray(x, dtype=float)
    ax = np.minimum(alpha * x, 700.0)
    return np.expm1(ax) / (np.exp(ax) + math.exp(min(alpha, 700.0)) - 2.0)
