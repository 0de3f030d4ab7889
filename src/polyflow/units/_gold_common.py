"""Shared pieces of the gold (cyanidation-CIL-elution) models: reactions and closed forms."""

from __future__ import annotations

import math

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity

__all__ = ["ELSNER", "GOLD_EW", "first_order_cstr_series", "kremser_unadsorbed",
           "read_float"]

#: Elsner's equation, written with the species of the tables (NaAu(CN)2 for Au(CN)2-)
ELSNER = "4 Au(s) + 8 NaCN + O2(g) + 2 H2O -> 4 NaAu(CN)2 + 4 NaOH"
#: gold electrowinning from alkaline eluate, per mole of gold: cathode
#: Au(CN)2- + e- -> Au + 2 CN-, anode 4 OH- -> O2 + 2 H2O + 4 e-
GOLD_EW = "NaAu(CN)2 + NaOH -> Au(s) + 2 NaCN + 0.25 O2(g) + 0.5 H2O"


def first_order_cstr_series(k: float, tau: float, n: int, x0: float, x_inf: float) -> float:
    """Extraction leaving tank ``n`` of a train of equal CSTRs of residence time ``tau``
    each for dX/dt = k (X∞ − X), entering at ``x0``:
    X∞ − X_n = (X∞ − X0)/(1 + kτ)^n.

    >>> round(first_order_cstr_series(0.5, 2.0, 3, 0.0, 0.9), 6)   # 0.9 (1 − 1/8)
    0.7875
    """
    _check_factor("k·tau", k * tau)
    _check_stages(n)
    return x_inf - (x_inf - x0) / (1.0 + k * tau) ** n


def kremser_unadsorbed(A: float, n: int) -> float:
    """Fraction of the gold fed in solution that leaves in the barren solution of ``n``
    counter-current equilibrium stages fed with gold-free carbon, extraction factor
    A = K·M_carbon/V_solution: (A − 1)/(A^(n+1) − 1), 1/(n + 1) at A = 1.

    >>> round(kremser_unadsorbed(2.0, 3), 6)
    0.066667
    """
    _check_factor("A", A)
    _check_stages(n)
    if abs(A - 1.0) < 1e-12:
        return 1.0 / (n + 1)
    return (A - 1.0) / (A ** (n + 1) - 1.0)


def _check_factor(name: str, x: float) -> None:
    """A rate-time product or an extraction factor: finite and ≥ 0 (else the closed
    forms return a number with no meaning)."""
    if not (math.isfinite(x) and x >= 0.0):
        raise InputError("must be a finite number ≥ 0", field=name, value=x)


def _check_stages(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int | float) or int(n) != n or n < 0:
        raise InputError("a number of stages must be a whole number ≥ 0", field="n", value=n)


def read_float(lo: float, hi: float, what: str):
    """A parser for a plain positive number in [lo, hi] (constants with compound units)."""

    def parse(value: object) -> float:
        if isinstance(value, str):
            try:
                value = parse_quantity(value, "ratio")
            except InputError:
                raise InputError(f"{what} must be a number", value=value) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not lo <= float(value) <= hi or math.isnan(float(value)):
            raise InputError(f"{what} must be a number from {lo:g} to {hi:g}", value=value)
        return float(value)

    return parse
