"""Money and the few other quantities of the ``[economics]`` table, read at the edge.

A price is written the way a market report prints it (``"9380 USD/t"``, ``"4000
USD/oz"``, ``"400 USD/mtu"``, ``"0.135 USD/kWh"``) and stored in one internal unit per
kind, stated here once: USD per kg of the priced basis, USD per kWh, USD per GJ, USD per
m3, USD, USD per year, a fraction, hours per year, kg CO2e per kWh or per GJ, years.
The troy ounce is 31.1034768 g and the pound 0.45359237 kg (both exact by definition,
NIST SP 811 (2008) appendix B.8); a metric tonne unit (mtu) of WO3 is 10 kg of WO3.

>>> parse_econ("9380 USD/t", "USD/kg")
9.38
>>> round(parse_econ("4000 USD/oz", "USD/kg"), 1)
128603.0
>>> parse_econ("400 USD/mtu", "USD/kg")
40.0
>>> parse_econ("8 %", "fraction")
0.08
"""

from __future__ import annotations

import re

from polyflow.errors import UnitsOfMeasureError

__all__ = ["KINDS", "parse_econ"]

_TROY_OZ_KG = 0.0311034768
_LB_KG = 0.45359237
_MMBTU_GJ = 1.055056

#: accepted units of each kind -> factor to the kind's internal unit (the kind's name)
KINDS: dict[str, dict[str, float]] = {
    "USD/kg": {"USD/t": 1e-3, "USD/dmt": 1e-3, "USD/kg": 1.0, "USD/g": 1e3,
               "USD/lb": 1.0 / _LB_KG, "USD/oz": 1.0 / _TROY_OZ_KG, "USD/mtu": 0.1},
    "USD/kWh": {"USD/kWh": 1.0, "USD/MWh": 1e-3},
    "USD/GJ": {"USD/GJ": 1.0, "USD/MMBtu": 1.0 / _MMBTU_GJ},
    "USD/m3": {"USD/m3": 1.0},
    "USD": {"USD": 1.0, "kUSD": 1e3, "MUSD": 1e6},
    "USD/y": {"USD/y": 1.0, "kUSD/y": 1e3, "MUSD/y": 1e6},
    "fraction": {"%": 0.01, "": 1.0},
    "h/y": {"h/y": 1.0},
    "kg/kWh": {"kg/kWh": 1.0, "t/MWh": 1.0, "g/kWh": 1e-3},
    "kg/GJ": {"kg/GJ": 1.0, "t/TJ": 1.0},
    "y": {"y": 1.0},
}

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def parse_econ(value: object, kind: str) -> float:
    """``value`` (a string with its unit, or a bare number for a fraction) in the
    internal unit of ``kind`` (a key of :data:`KINDS`). Raises
    :class:`~polyflow.errors.UnitsOfMeasureError` naming the accepted units."""
    units = KINDS[kind]
    accepted = ", ".join(repr(u) for u in units if u)
    if isinstance(value, bool):
        raise UnitsOfMeasureError(f"expected a quantity in {accepted}", value=value)
    if isinstance(value, int | float):
        if "" in units:
            return float(value) * units[""]
        raise UnitsOfMeasureError(f"a bare number needs its unit: one of {accepted}",
                                  value=value, hint=f"write e.g. '{value} {next(iter(units))}'")
    m = _NUMBER.match(str(value))
    if not m:
        raise UnitsOfMeasureError(f"expected a number and a unit ({accepted})", value=value)
    number, unit = float(m.group(1)), m.group(2).replace(" ", "")
    if unit not in units:
        raise UnitsOfMeasureError(f"unit {unit!r} is not one of {accepted}", value=value)
    return number * units[unit]
