"""Quantities with units of measure, read at the edges (flowsheet files, CLI options).

Inside polyflow every number is in one internal unit per dimension, listed with its
conversion factors in ``data/units_of_measure.csv`` (NIST SP 811). The solver's arrays
never carry units; this module is the only place that converts.

>>> parse_quantity("250 t/h", "mass_flow")
250000.0
>>> parse_quantity("40 degC", "temperature")
313.15
>>> parse_quantity("3.5 g/t", "fraction")
3.5e-06
>>> parse_quantity(0.05, "fraction")
0.05
>>> parse_quantity("1.2 m3/h", "mass_flow")
Traceback (most recent call last):
...
polyflow.errors.UnitsOfMeasureError: '1.2 m3/h' is a volume_flow, not a mass_flow; ...
"""

from __future__ import annotations

import math
import re
from functools import cache

from polyflow.chem.elements import read_data_csv
from polyflow.errors import UnitsOfMeasureError, did_you_mean

__all__ = ["DIMENSIONS", "format_units", "parse_quantity", "unit_table"]

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
#: Dimensions a bare number may be given in (no unit): fractions and ratios.
_BARE_OK = {"fraction", "ratio"}


@cache
def unit_table() -> dict[str, tuple[str, float, float]]:
    """symbol -> (dimension, factor, offset) from ``data/units_of_measure.csv``."""
    table: dict[str, tuple[str, float, float]] = {}
    for row in read_data_csv("units_of_measure.csv"):
        key = (row["symbol"], row["dimension"])
        table[f"{key[0]}|{key[1]}"] = (row["dimension"], float(row["factor"]),
                                       float(row["offset"]))
    return table


def _units_for(dimension: str) -> list[str]:
    return [k.split("|")[0] for k, v in unit_table().items() if v[0] == dimension]


DIMENSIONS = ("mass_flow", "molar_flow", "volume_flow", "temperature", "fraction",
              "concentration", "power", "time", "length", "specific_energy", "pressure",
              "density", "current", "voltage", "current_density", "area", "volume", "mass",
              "rate", "ratio", "molar_energy")


def format_units(dimension: str) -> str:
    """The accepted units of a dimension, for error messages and the unit catalogue."""
    units = _units_for(dimension)
    return ", ".join(units[:6]) + (", ..." if len(units) > 6 else "")


def parse_quantity(value: object, dimension: str) -> float:
    """Convert ``value`` (``"250 t/h"``, or a bare number for fractions) to the internal
    unit of ``dimension``. Raises :class:`UnitsOfMeasureError` saying what is accepted,
    also for a value that is not finite (``"1e400 t/h"``, NaN)."""
    x = _parse_quantity(value, dimension)
    if not math.isfinite(x):
        raise UnitsOfMeasureError(f"a {dimension} must be a finite number", value=value,
                                  hint=f"write e.g. '{_example(dimension)}'")
    return x


def _parse_quantity(value: object, dimension: str) -> float:
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    if isinstance(value, bool):
        raise UnitsOfMeasureError(f"expected a {dimension} such as '{_example(dimension)}'",
                                  value=value)
    if isinstance(value, int | float):
        if dimension in _BARE_OK:
            return float(value)
        raise UnitsOfMeasureError(
            f"a {dimension} needs a unit of measure", value=value,
            hint=f"write it as a string with its unit, e.g. '{_example(dimension)}'")
    if not isinstance(value, str):
        raise UnitsOfMeasureError(f"expected a {dimension} such as '{_example(dimension)}'",
                                  value=value)
    m = _QUANTITY.match(value)
    if not m:
        raise UnitsOfMeasureError(f"cannot read a number and a unit in {value!r}",
                                  hint=f"write e.g. '{_example(dimension)}'")
    number, unit = float(m.group(1)), m.group(2).replace(" ", "")
    if unit == "" and dimension in _BARE_OK:
        return number
    entry = unit_table().get(f"{unit}|{dimension}")
    if entry is None:
        other = [v[0] for k, v in unit_table().items() if k.split("|")[0] == unit]
        if other:
            raise UnitsOfMeasureError(
                f"{value!r} is a {other[0]}, not a {dimension}",
                hint=f"write it in {format_units(dimension)}")
        raise UnitsOfMeasureError(
            f"unknown unit {unit!r} in {value!r} for a {dimension}",
            hint=did_you_mean(unit, _units_for(dimension)))
    _, factor, offset = entry
    return number * factor + offset


def _example(dimension: str) -> str:
    return {"mass_flow": "250 t/h", "temperature": "40 degC", "fraction": "5 %",
            "concentration": "3.5 g/L", "volume_flow": "120 m3/h", "power": "1.5 MW",
            "time": "2 h", "length": "150 um", "molar_flow": "10 kmol/h",
            "molar_energy": "45 kJ/mol"}.get(
                dimension, f"1 {_units_for(dimension)[0] if _units_for(dimension) else ''}")
