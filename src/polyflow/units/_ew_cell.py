"""Electrowinning cell from the cell up: reversible potential, Tafel overpotentials,
electrolyte IR drop, hardware, and the ferric current loss; used by ``electrowinning``.

The parameters are data (``data/ew_cell.csv``, sources in its header); the functions are
pure and take SI units (A/m2, K, m, g/L).
"""

from __future__ import annotations

import csv
import io
import math
from functools import cache
from importlib import resources

from polyflow.units._hydro_common import FARADAY

__all__ = ["R_J", "cell_data", "cell_voltage", "conductivity", "ferric_loss_A_m2",
           "reversible_potential", "tafel"]

#: molar gas constant [J/(mol K)] (CODATA 2018)
R_J = 8.314462618
T0 = 298.15


@cache
def _table() -> dict[str, dict[str, float]]:
    text = resources.files("polyflow.data").joinpath("ew_cell.csv").read_text(
        encoding="utf-8")
    rows = csv.DictReader(io.StringIO("\n".join(
        line for line in text.splitlines() if not line.startswith("#"))))
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        out.setdefault(r["metal"], {})[r["key"]] = float(r["value"])
    return out


def cell_data(metal: str) -> dict[str, float] | None:
    """The cell parameters of ``metal`` (a species id such as ``Cu(s)``), or ``None``."""
    return _table().get(metal)


def reversible_potential(E0_25: float, dH_kJ: float, z: int, T: float, lnQ: float) -> float:
    """Reversible cell voltage [V] at ``T`` [K]: ΔG(T)/(zF) with ΔG(T) = ΔH − TΔS,
    ΔS = (ΔH − zFE°)/T₀ (ΔH and ΔS taken constant; Gibbs–Helmholtz), plus the Nernst
    term (RT/zF) ln Q of the cell reaction as written (electrolysis, products over
    reactants). Atkins & de Paula, *Physical Chemistry*, 9th ed. (2010), §6.8.

    >>> round(reversible_potential(0.889, 221.06, 2, 298.15, 0.0), 4)
    0.889
    """
    zF = z * FARADAY / 1000.0                          # kJ/(mol V)
    dS = (dH_kJ - zF * E0_25) / T0
    return (dH_kJ - T * dS) / zF + R_J * T / (z * FARADAY) * lnQ


def tafel(i: float, i0: float, alpha_n: float, T: float) -> float:
    """Tafel overpotential [V]: (2.303 RT/(α n F)) log10(i/i0), zero below i0
    (Bard & Faulkner, *Electrochemical Methods*, 2nd ed. (2001), eq. 3.4.13)."""
    if i <= i0:
        return 0.0
    return math.log(10.0) * R_J * T / (alpha_n * FARADAY) * math.log10(i / i0)


def conductivity(d: dict[str, float], T: float, acid_g_L: float, cu_g_L: float) -> float:
    """Electrolyte conductivity [S/m], linear in temperature, free acid and copper about
    the reference state of ``data/ew_cell.csv`` (floored at 5 S/m)."""
    k = (d["kappa_ref"] + d["kappa_T"] * (T - 273.15 - d["T_ref"])
         + d["kappa_acid"] * (acid_g_L - d["acid_ref"])
         + d["kappa_Cu"] * (cu_g_L - d["Cu_ref"]))
    return max(k, 5.0)


def ferric_loss_A_m2(d: dict[str, float], fe3_mol_m3: float) -> float:
    """Current density [A/m2] lost to the Fe3+/Fe2+ shuttle: F k_m C_Fe3+ (one electron,
    reduction at its mass-transfer limit)."""
    return FARADAY * d["k_m_ferric"] * max(fe3_mol_m3, 0.0)


def cell_voltage(d: dict[str, float], *, i: float, T: float, gap: float, dH_kJ: float,
                 z: int, lnQ: float, acid_g_L: float, cu_g_L: float,
                 hardware: float | None = None) -> dict[str, float]:
    """The cell voltage and its parts [V] at current density ``i`` [A/m2], ``T`` [K],
    anode–cathode ``gap`` [m]:
    U = E_rev + η_anode + |η_cathode| + i·gap/κ + U_hardware.

    >>> d = cell_data("Cu(s)")
    >>> v = cell_voltage(d, i=300.0, T=318.15, gap=0.04, dH_kJ=221.06, z=2, lnQ=0.0,
    ...                  acid_g_L=180.0, cu_g_L=40.0)
    >>> round(v["cell_voltage"], 3), round(v["ohmic_drop"], 3)
    (2.016, 0.2)
    """
    E = reversible_potential(d["E0_25C"], dH_kJ, z, T, lnQ)
    eta_a = tafel(i, d["anode_i0"], d["anode_alpha"], T)
    eta_c = tafel(i, d["cathode_i0"], d["cathode_alpha_z"], T)
    kappa = conductivity(d, T, acid_g_L, cu_g_L)
    ir = i * gap / kappa
    hw = d["hardware"] if hardware is None else hardware
    return {"reversible_potential": E, "anode_overpotential": eta_a,
            "cathode_overpotential": eta_c, "conductivity": kappa, "ohmic_drop": ir,
            "hardware_drop": hw, "cell_voltage": E + eta_a + eta_c + ir + hw}
