"""Cash flow, net present value, internal rate of return and payback.

Own short code rather than numpy-financial: three functions of a few lines each, tested
against the textbook example that numpy-financial's documentation reproduces (Gitman,
*Principles of Managerial Finance, Brief*, 3rd ed. (2003), pp. 346–348), so the package
gains no dependency for them. Year *t* = 0 is the first year of the list and every cash
flow is counted at its year (numpy-financial's convention):

.. math::

    NPV(r) = \\sum_{t=0}^{N} \\frac{CF_t}{(1 + r)^t}, \\qquad NPV(IRR) = 0

>>> round(irr([-100, 39, 59, 55, 20]), 5)
0.28095
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scipy.optimize import brentq

__all__ = ["cash_flow_table", "irr", "npv", "payback_years"]


def npv(rate: float, flows: Sequence[float]) -> float:
    """Net present value of ``flows`` (year 0 first) at ``rate``."""
    return sum(cf / (1.0 + rate) ** t for t, cf in enumerate(flows))


def irr(flows: Sequence[float]) -> float | None:
    """The rate at which :func:`npv` is zero, between -99 % and 1000 %; None when the
    cash flows never change sign (no such rate exists)."""
    lo, hi = -0.99, 10.0
    f_lo, f_hi = npv(lo, flows), npv(hi, flows)
    if f_lo * f_hi > 0:
        return None
    return float(brentq(npv, lo, hi, args=(list(flows),), xtol=1e-14, rtol=1e-14,
                        maxiter=500))


def payback_years(flows: Sequence[float], start: int) -> float | None:
    """Years from the start of year ``start`` (an index of ``flows``) until the
    cumulative cash flow turns non-negative, counting each year's flow as spread evenly
    over it; None if it never does."""
    cum = sum(flows[:start])
    for t in range(start, len(flows)):
        if cum + flows[t] >= 0:
            return (t - start) + (-cum / flows[t] if flows[t] > 0 else 0.0)
        cum += flows[t]
    return None


def cash_flow_table(capex: float, schedule: dict[int, float], revenue: float,
                    opex: float, life: int, depreciation_life: int, tax_rate: float
                    ) -> list[dict[str, Any]]:
    """One row per year: capital spent along ``schedule`` ({year: share}), then ``life``
    years of production at full rate from the year after the last capital year.
    Depreciation is straight-line over ``depreciation_life`` years of production; tax
    is ``tax_rate`` of the positive taxable income of each year (no losses carried
    forward: a simplification, stated in docs/economics.md)."""
    rows = []
    for year, share in schedule.items():
        rows.append({"year": year, "capex_USD": capex * share, "revenue_USD": 0.0,
                     "opex_USD": 0.0, "depreciation_USD": 0.0, "tax_USD": 0.0,
                     "cash_flow_USD": -capex * share})
    first = max(schedule) + 1
    for i in range(life):
        dep = capex / depreciation_life if i < depreciation_life else 0.0
        taxable = revenue - opex - dep
        tax = tax_rate * taxable if taxable > 0 else 0.0
        rows.append({"year": first + i, "capex_USD": 0.0, "revenue_USD": revenue,
                     "opex_USD": opex, "depreciation_USD": dep, "tax_USD": tax,
                     "cash_flow_USD": revenue - opex - tax})
    return rows
