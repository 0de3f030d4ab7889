"""The loads of process equipment beside its process: agitator, slurry pump and
flotation blower power, and the heat a hot tank loses to the air. Pure functions in SI
units (kW, m, m3, K); the units that own the equipment call them.

>>> round(tank_heat_loss_coefficient("bare"), 3), round(tank_heat_loss_coefficient("insulated"), 3)
(10.0, 0.741)
"""

from __future__ import annotations

import math
from functools import cache

from polyflow.chem.elements import read_data_csv
from polyflow.errors import InputError

__all__ = [
    "INSULATION",
    "G",
    "agitator_power_kW",
    "blower_power_kW",
    "impeller_power_kW",
    "pump_power_kW",
    "tank_geometry",
    "tank_heat_loss_coefficient",
]

#: standard gravity [m/s2] (CODATA)
G = 9.80665
#: the insulation choices of a hot tank
INSULATION = ("none", "bare", "insulated")


def heat_loss_params(walls: str, around: str) -> dict:
    """The parameters of a vessel's heat loss U·A·(T − T_amb), the same for every hot
    tank: ``walls`` and ``around`` name what they are for in the help ("tank walls",
    "air around the tanks")."""
    from polyflow.units.base import Param

    return {
        "insulation": Param.choice(f"{walls}: 'insulated' (50 mm mineral wool), 'bare' "
                                   "or 'none' (no heat loss)", INSULATION,
                                   default="insulated"),
        "insulation_thickness": Param("length", "thickness of the insulation",
                                      bounds=(0.005, 0.5)),
        "ambient_temperature": Param("temperature", around,
                                     default=298.15, bounds=(223.15, 333.15)),
    }


@cache
def _heat_loss_data() -> dict[str, float]:
    return {r["key"]: float(r["value"]) for r in read_data_csv("tank_heat_loss.csv")}


def tank_heat_loss_coefficient(insulation: str, thickness_m: float | None = None) -> float:
    """Overall heat-transfer coefficient of a tank wall to still air [W/(m2 K)]:
    ``U = 1/(1/h_out + x/k)`` (series resistances; Incropera et al., *Fundamentals of
    Heat and Mass Transfer*, 6th ed. (2007), §3.1.3), with ``h_out`` and ``k`` from
    ``data/tank_heat_loss.csv``; ``x = 0`` for a ``bare`` tank, ``thickness_m`` (or the
    file's default 50 mm) for an ``insulated`` one; ``none`` (no loss modelled) is 0.

    Bare: U = h_out = 10; insulated, 50 mm of mineral wool at 0.040 W/(m K):
    1/(0.1 + 1.25) = 0.741 W/(m2 K).

    >>> round(tank_heat_loss_coefficient("insulated", 0.1), 3)    # 1/(0.1 + 2.5)
    0.385
    """
    d = _heat_loss_data()
    if insulation == "none":
        return 0.0
    if insulation == "bare":
        return d["h_out"]
    if insulation == "insulated":
        x = d["insulation_thickness"] if thickness_m is None else thickness_m
        return 1.0 / (1.0 / d["h_out"] + x / d["k_insulation"])
    raise InputError(f"insulation must be one of {', '.join(INSULATION)}",
                     field="insulation", value=insulation)


def tank_geometry(volume_m3: float, aspect: float = 1.0,
                  ends: int = 1) -> tuple[float, float, float]:
    """Diameter, height [m] and surface losing heat [m2] of a flat-bottomed cylindrical
    tank of live volume ``volume_m3`` and height over diameter ``aspect``: the wall
    ``π D H`` and the cover ``π D²/4`` (the floor, on its foundation, is left out);
    ``ends = 2`` for a closed vessel in the air on saddles (an autoclave: both heads
    lose heat, taken flat).

    >>> D, H, A = tank_geometry(800.0, 1.0)      # copper_sx_ew's leach tanks
    >>> round(D, 2), round(A, 1)
    (10.06, 397.6)
    >>> D, L, A = tank_geometry(50.0, 4.0, ends=2)   # a 50 m3 autoclave, L = 4 D
    >>> round(D, 3), round(A, 1)          # D = (4·50/(4π))^(1/3); π D L + π D²/2
    (2.515, 89.4)
    """
    if not (volume_m3 > 0 and aspect > 0):
        raise InputError("a tank needs a volume and an aspect ratio > 0",
                         field="tank_volume", value=volume_m3)
    D = (4.0 * volume_m3 / (math.pi * aspect)) ** (1.0 / 3.0)
    H = aspect * D
    return D, H, math.pi * D * H + ends * math.pi * D * D / 4.0


def agitator_power_kW(volume_m3: float, specific_power_kW_m3: float) -> float:
    """Agitator power at the shaft from the power per unit volume [kW]: ``P = (P/V) V``.

    Walas' rules of thumb give 0.5-1.5 hp per 1,000 US gal (0.1-0.3 kW/m3) for a
    homogeneous reaction and 1.5-5 hp/1,000 gal (0.3-1 kW/m3) with heat transfer
    (Walas, *Chemical Process Equipment: Selection and Design*, Butterworth (1988),
    "Rules of thumb: mixing and agitation"; 1 hp/1,000 gal = 0.197 kW/m3).

    >>> agitator_power_kW(800.0, 0.2)
    160.0
    """
    return float(volume_m3) * float(specific_power_kW_m3)


def impeller_power_kW(power_number: float, density_kg_m3: float, speed_rps: float,
                      diameter_m: float) -> float:
    """Power drawn by an impeller in the turbulent regime [kW]:
    ``P = N_p ρ N³ D⁵`` (Rushton, Costich & Everett, Chem. Eng. Prog. 46 (1950) 395;
    McCabe, Smith & Harriott, *Unit Operations of Chemical Engineering*, 7th ed. (2005),
    §9.4, eq. 9.24). ``N_p`` about 5 for a Rushton turbine, 0.3 for a hydrofoil.

    A 3 m hydrofoil (N_p 0.3) at 0.3 rev/s in a 1,400 kg/m3 pulp:
    0.3 × 1400 × 0.027 × 243 / 1000 = 2.76 kW.

    >>> round(impeller_power_kW(0.3, 1400.0, 0.3, 3.0), 2)
    2.76
    """
    return power_number * density_kg_m3 * speed_rps ** 3 * diameter_m ** 5 / 1000.0


def pump_power_kW(flow_m3_h: float, density_kg_m3: float, head_m: float,
                  efficiency: float) -> float:
    """Shaft power of a pump [kW]: ``P = ρ g Q H / η`` (the hydraulic power over the pump
    efficiency; Wilson, Addie, Sellgren & Clift, *Slurry Transport Using Centrifugal
    Pumps*, 3rd ed., Springer (2006), ch. 9, with the head and efficiency of the slurry).

    500 m3/h of a 1,400 kg/m3 pulp against 25 m at 70 %:
    1400 × 9.80665 × (500/3600) × 25 / 0.7 / 1000 = 68.1 kW.

    >>> round(pump_power_kW(500.0, 1400.0, 25.0, 0.7), 1)
    68.1
    """
    if not efficiency > 0:
        raise InputError("a pump efficiency must be > 0", field="pump_efficiency",
                         value=efficiency)
    return density_kg_m3 * G * flow_m3_h / 3600.0 * head_m / efficiency / 1000.0


def blower_power_kW(air_m3_min: float, pressure_rise_Pa: float, efficiency: float,
                    inlet_Pa: float = 101325.0, gamma: float = 1.4) -> float:
    """Shaft power of a blower compressing ``air_m3_min`` (at its inlet) by
    ``pressure_rise_Pa`` [kW], adiabatic compression over an efficiency:

    .. math::  P = \\frac{\\gamma}{\\gamma - 1}\\,\\frac{p_1 Q_1}{\\eta}
               \\Big[\\Big(\\frac{p_2}{p_1}\\Big)^{(\\gamma-1)/\\gamma} - 1\\Big]

    (Perry's Chemical Engineers' Handbook, 8th ed. (2008), §10, compression of gases,
    adiabatic power; γ = 1.4 for air).

    100 m3/min raised 40 kPa from 101.325 kPa at 70 %: 3.5 × 101325 × 1.6667 ×
    (1.3948^0.2857 − 1)/0.7 = 84.2 kW.

    >>> round(blower_power_kW(100.0, 40e3, 0.7), 1)
    84.2
    """
    if not efficiency > 0:
        raise InputError("a blower efficiency must be > 0", field="blower_efficiency",
                         value=efficiency)
    q = air_m3_min / 60.0
    k = (gamma - 1.0) / gamma
    return (inlet_Pa * q / k * (((inlet_Pa + pressure_rise_Pa) / inlet_Pa) ** k - 1.0)
            / efficiency / 1000.0)
