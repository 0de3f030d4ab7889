"""Plitt's hydrocyclone model (Flintoff et al.'s recalibration of the cut size): corrected
cut size, pressure drop, volumetric flow split and sharpness from the cyclone's geometry,
its flow and its feed solids; the water split that closes the underflow volume; the
roping criterion of the underflow.

All arguments are SI (m, m3/h, kg/m3); the correlations are written in Plitt's units
(cm, L/min, kPa, volume % solids, t/m3) inside each function.

Sources: Plitt, "A mathematical model of the hydrocyclone classifier", CIM Bulletin 69
(1976) 114–123; Flintoff, Plitt & Turak, "Cyclone modelling: a review of present
technology", CIM Bulletin 80 (905) (1987) 39–50 (cut size with the viscosity term and
the density difference over 1.6 t/m3; calibration factors); Plitt, Conil & Broussaud,
"An improved method of calculating the water-split in hydrocyclones", Minerals Eng. 3
(1990) 533–535 (roping above about 56 % solids by volume in the underflow); Napier-Munn,
Morrell, Morrison & Kojovic, *Mineral Comminution Circuits*, JKMRC (1996), ch. 10.
"""

from __future__ import annotations

import math

__all__ = ["ROPING_SOLIDS_VOLUME", "plitt_d50c", "plitt_flow_split", "plitt_pressure",
           "plitt_sharpness", "water_to_underflow"]

#: underflow solids volume fraction above which the discharge ropes (Plitt, Conil &
#: Broussaud 1990)
ROPING_SOLIDS_VOLUME = 0.56


def _cm(x: float) -> float:
    return 100.0 * x


def _l_min(q_m3_h: float) -> float:
    return q_m3_h * 1000.0 / 60.0


def plitt_d50c(dc: float, di: float, do: float, du: float, h: float, q: float,
               solids_volume: float, delta_rho: float = 1650.0, viscosity_cp: float = 1.0,
               form: str = "flintoff") -> float:
    """Corrected cut size [m] of one cyclone of diameter ``dc``, inlet ``di``, vortex
    finder ``do``, apex ``du``, free vortex height ``h`` [m] at flow ``q`` [m3/h] of a
    feed with ``solids_volume`` (fraction) of solids denser than the liquid by
    ``delta_rho`` [kg/m3]:

    .. math::

        d_{50c} = \\frac{39.7\\,D_c^{0.46} D_i^{0.6} D_o^{1.21}\\,\\mu^{0.5}
                  e^{0.063\\phi}}{D_u^{0.71} h^{0.38} Q^{0.45}
                  (\\Delta\\rho/1.6)^{0.5}}\\ \\mu m

    (cm, L/min, cP, φ in volume %, Δρ in t/m3; Flintoff et al. 1987). ``form =
    "plitt"``: the original constant 50.5 with ``(ρs − 1)^{0.5}`` and no viscosity term
    (Plitt 1976); the two agree within 0.6 % for quartz in water.

    >>> round(plitt_d50c(0.5, 0.1, 0.15, 0.08, 1.5, 150.0, 0.2) * 1e6, 1)
    88.5
    """
    phi = 100.0 * solids_volume
    num = _cm(dc) ** 0.46 * _cm(di) ** 0.6 * _cm(do) ** 1.21 * math.exp(0.063 * phi)
    den = _cm(du) ** 0.71 * _cm(h) ** 0.38 * _l_min(q) ** 0.45
    if form == "plitt":
        return 50.5 * num / den / math.sqrt(delta_rho / 1000.0) * 1e-6
    return 39.7 * num * math.sqrt(viscosity_cp) / den \
        / math.sqrt(delta_rho / 1000.0 / 1.6) * 1e-6


def plitt_pressure(dc: float, di: float, do: float, du: float, h: float, q: float,
                   solids_volume: float) -> float:
    """Pressure drop [kPa] of one cyclone at flow ``q`` [m3/h]:
    ``P = 1.88 Q^{1.78} e^{0.0055 φ} / (Dc^{0.37} Di^{0.94} h^{0.28} (Du² + Do²)^{0.87})``
    (Plitt 1976; cm, L/min, φ in volume %).

    >>> round(plitt_pressure(0.5, 0.1, 0.15, 0.08, 1.5, 150.0, 0.2), 1)
    112.6
    """
    phi = 100.0 * solids_volume
    return 1.88 * _l_min(q) ** 1.78 * math.exp(0.0055 * phi) / (
        _cm(dc) ** 0.37 * _cm(di) ** 0.94 * _cm(h) ** 0.28
        * (_cm(du) ** 2 + _cm(do) ** 2) ** 0.87)


def plitt_flow_split(dc: float, do: float, du: float, h: float, pressure_kpa: float,
                     solids_volume: float, pulp_density: float) -> float:
    """Volumetric flow split ``S = Q_underflow/Q_overflow``:
    ``S = 1.9 (Du/Do)^{3.31} h^{0.54} (Du² + Do²)^{0.36} e^{0.0054 φ} / (H^{0.24}
    Dc^{1.11})`` with ``H = P/(9.81 ρ_p)`` the feed head in metres of pulp (Plitt 1976;
    cm, kPa, t/m3).

    >>> round(plitt_flow_split(0.5, 0.15, 0.08, 1.5, 112.6, 0.2, 1340.0), 3)
    0.236
    """
    phi = 100.0 * solids_volume
    head = max(pressure_kpa, 1e-9) / (9.81 * pulp_density / 1000.0)
    return 1.9 * (du / do) ** 3.31 * _cm(h) ** 0.54 * (_cm(du) ** 2 + _cm(do) ** 2) ** 0.36 \
        * math.exp(0.0054 * phi) / (head ** 0.24 * _cm(dc) ** 1.11)


def plitt_sharpness(dc: float, h: float, q: float, split: float) -> float:
    """Plitt's sharpness ``m = 1.94 e^{−1.58 Rv} (Dc² h/Q)^{0.15}``, ``Rv = S/(S + 1)``
    (of the Rosin–Rammler partition curve ``1 − exp(−0.693 (d/d50c)^m)``; reported for
    comparison with the Whiten ``α`` the model uses)."""
    rv = split / (1.0 + split)
    return 1.94 * math.exp(-1.58 * rv) * (_cm(dc) ** 2 * _cm(h) / _l_min(q)) ** 0.15


def water_to_underflow(rv: float, pulp_m3_h: float, solids_classified_m3_h: float) -> float:
    """Water (and bypass) fraction ``Rf`` that makes the underflow volume ``Rv·Q``: the
    underflow carries ``Rf`` of the water and ``Rf + (1 − Rf) E_i`` of each solid class,
    so ``Rv Q = Rf Q + (1 − Rf) Σ E_i V_i`` and
    ``Rf = (Rv Q − Σ E_i V_i)/(Q − Σ E_i V_i)`` (Napier-Munn et al. 1996, ch. 10).

    >>> round(water_to_underflow(0.3, 100.0, 10.0), 4)
    0.2222
    """
    w = solids_classified_m3_h
    return (rv * pulp_m3_h - w) / (pulp_m3_h - w)
