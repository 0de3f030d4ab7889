"""Capital cost by a factored method: purchased equipment from cost curves, escalated
by a cost index, times a Lang factor, plus contingency; per unit, per line and in total.

Purchased cost of one item of size *S* (Turton et al., *Analysis, Synthesis and Design
of Chemical Processes*, 3rd ed. (2009), eq. A.1, and eq. 7.4 for the index):

.. math::

    \\log_{10} C_p^0 = K_1 + K_2 \\log_{10} S + K_3 (\\log_{10} S)^2, \\qquad
    C_p = F \\, C_p^0 \\, I_{now} / I_{base}

and the fixed capital (Turton eq. 7.5, Lang factor technique, Table 7.7: 3.10 solids,
3.63 solid–fluid, 4.74 fluid processing plants) with a contingency *c*:

.. math::

    C_{fixed} = (1 + c) \\, F_{Lang} \\sum_i C_{p,i}

A curve's size *S* is a quantity of the solved record (power, pulp or mass flow,
current) times the curve's ``scale`` (a residence time turns a pulp flow into a
volume, a specific rate a solids flow into an area: the sizing basis of each curve is
in its note); a curve may name another, ``plus``, whose cost each unit adds (an
agitated tank: the tank by its volume plus its agitators by their power), and
``items``, a parameter or result of the unit that counts its identical items (the
thickeners of a CCD train: ``stages``), each then of the curve's size. Every curve
carries its ``status``: ``READ`` (read in the source), ``QUOTED`` (from a secondary
transcription of it) or ``EST`` (an estimate). A curve's ``factor`` *F* (1 unless
stated) multiplies the base-case cost for a design off the curve's base: a pressure
vessel's pressure and material factors F_P F_M (Turton eq. A.2, Table A.3).
Curves and the model -> curve map are data (``data/cost_curves.csv``,
``data/cost_models.csv``, sources in their headers). Turton's six-tenths rule and
capacity exponents (eq. 7.1) are :func:`scaled_cost`.

>>> round(scaled_cost(1.0, 2.0, 0.6), 2)    # Turton Example 7.3: capacity doubled
1.52
>>> lang_cost(6_800_000, 4.74)             # Turton Example 7.8
32232000.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from polyflow.chem.elements import read_data_csv
from polyflow.errors import DataError, did_you_mean
from polyflow.slurry import volume_per_kmol

if TYPE_CHECKING:
    from polyflow.economics.inputs import EconomicsInputs
    from polyflow.result import Result

__all__ = ["STATUSES", "CostCurve", "cost_curves", "cost_models", "escalate", "lang_cost",
           "purchased_cost", "scaled_cost", "unit_capex"]

#: how a curve is known: read in its source, quoted from a transcription, estimated
STATUSES = ("READ", "QUOTED", "EST")


@dataclass(frozen=True)
class CostCurve:
    """One purchased-cost curve (a row of ``cost_curves.csv``)."""

    name: str
    size: str
    size_unit: str
    K1: float
    K2: float
    K3: float
    size_min: float
    size_max: float
    cepci_base: float
    source: str
    note: str
    scale: float = 1.0
    status: str = "EST"
    plus: str = ""
    items: str = ""
    factor: float = 1.0


@cache
def cost_curves() -> dict[str, CostCurve]:
    """Curve name -> :class:`CostCurve`."""
    out = {}
    for r in read_data_csv("cost_curves.csv"):
        if r["status"] not in STATUSES:
            raise DataError(f"cost curve {r['curve']!r}: status {r['status']!r} is not one "
                            "of " + ", ".join(STATUSES), hint="data/cost_curves.csv")
        out[r["curve"]] = CostCurve(r["curve"], r["size"], r["size_unit"], float(r["K1"]),
                                    float(r["K2"]), float(r["K3"]), float(r["size_min"]),
                                    float(r["size_max"]), float(r["cepci_base"]),
                                    r["source"], r["note"], float(r["scale"]), r["status"],
                                    r["plus"], r["items"], float(r.get("factor") or 1.0))
    for c in out.values():
        if c.plus and c.plus not in out:
            raise DataError(f"cost curve {c.name!r} adds curve {c.plus!r}, which "
                            "data/cost_curves.csv does not hold",
                            hint=did_you_mean(c.plus, out))
    return out


@cache
def cost_models() -> dict[str, str]:
    """Unit model -> curve name (``"none"``: no equipment of its own)."""
    return {r["model"]: r["curve"] for r in read_data_csv("cost_models.csv")}


def scaled_cost(cost_a: float, ratio: float, exponent: float) -> float:
    """Cost of an item ``ratio`` times the capacity of one costing ``cost_a``
    (Turton eq. 7.1: C_b = C_a (A_b/A_a)^n)."""
    return cost_a * ratio ** exponent


def escalate(cost: float, index_from: float, index_to: float) -> float:
    """A cost moved between the years of two cost-index values (Turton eq. 7.4)."""
    return cost * index_to / index_from


def lang_cost(purchased_total: float, lang_factor: float) -> float:
    """Fixed capital from the sum of purchased equipment costs (Turton eq. 7.5)."""
    return purchased_total * lang_factor


def purchased_cost(curve: CostCurve, size: float, cepci: float) -> tuple[float, int]:
    """Purchased cost [USD at ``cepci``] of equipment of total size ``size`` and the
    number of items: a size above the curve's range is split into equal items; one
    below it is costed at the smallest size the curve holds."""
    if size <= 0:
        return 0.0, 0
    n = max(1, math.ceil(size / curve.size_max))
    s = max(size / n, curve.size_min)
    lg = math.log10(s)
    cp0 = 10 ** (curve.K1 + curve.K2 * lg + curve.K3 * lg * lg) * curve.factor
    return n * escalate(cp0, curve.cepci_base, cepci), n


def _declared(result: Result, unit: str, name: str) -> float:
    """A unit's scalar parameter or declared result ``name`` (its ``stages``, ``cells``)."""
    info = result.units[unit]
    for table in (info.params, info.results):
        value = table.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    raise DataError(f"unit {unit!r} ({info.model}) has no parameter or result {name!r} "
                    "that a cost curve sizes it by",
                    hint="price it on another curve ([economics.equipment]) or size the "
                         "curve in data/cost_curves.csv by power_kW, inlet_t_h, inlet_m3_h, "
                         "solids_t_h, crystals_t_h, current_kA or a parameter the unit has")


def _size(result: Result, unit: str, what: str) -> float:
    """The record quantity ``what``: a named size, optionally times declared numbers
    (``inlet_m3_h*stages``); a name that is no size is a parameter or result."""
    base, *factors = what.split("*")
    value = _quantity(result, unit, base)
    for name in factors:
        value *= _declared(result, unit, name)
    return value


def _quantity(result: Result, unit: str, what: str) -> float:
    info = result.units[unit]
    if what == "power_kW":
        return info.power_kW
    if what == "current_kA":
        if info.result_units.get("current") != "kA":
            raise DataError(f"unit {unit!r} ({info.model}) declares no current in kA",
                            hint="cost it by another size in data/cost_models.csv")
        return info.results["current"]
    if what == "inlet_m3_h":            # pulp volume entering (gases excluded)
        return float(volume_per_kmol(result.species) @ result.inlet_total_kmol_h(unit))
    if what not in ("inlet_t_h", "solids_t_h", "crystals_t_h"):
        return _declared(result, unit, what)
    total = result.inlet_total_kmol_h(unit) * result.species.mw
    solids_in = float(total[result.species.phase == "s"].sum()) / 1e3
    if what == "inlet_t_h":
        return float(total.sum()) / 1e3
    if what == "solids_t_h":
        return solids_in
    out = sum(result.phase_kg_h(s.name)["s"] for s in result.streams if s.src == unit)
    return max(out / 1e3 - solids_in, 0.0)     # crystals: solids leaving minus entering


def _unit_cost(result: Result, unit: str, curve: CostCurve,
               cepci: float) -> tuple[float, float, int]:
    """Size, purchased cost and items of ``unit`` on ``curve`` alone: with ``items``
    named, that many identical items each of the quantity x scale; else one item split
    above the curve's range."""
    size = _size(result, unit, curve.size) * curve.scale
    if not curve.items:
        cost, n = purchased_cost(curve, size, cepci)
        return size, cost, n
    count = round(_declared(result, unit, curve.items))
    cost, n = purchased_cost(curve, size, cepci)
    return size, count * cost, count * n


def unit_capex(result: Result, inputs: EconomicsInputs) -> list[dict[str, Any]]:
    """One row per process unit: its curve, size, items and purchased cost [USD at the
    run's CEPCI] (0 with curve ``none``; ``not costed`` for a model without a curve)."""
    curves, models = cost_curves(), cost_models()
    cepci = inputs.capital["cepci"].value
    rows = []
    for name, info in result.units.items():
        if info.role != "process":
            continue
        key = inputs.equipment.get(name) or models.get(info.model)
        if key and key != "none" and key not in curves:
            raise DataError(f"unit {name!r} is priced on cost curve {key!r}, which "
                            "data/cost_curves.csv does not hold",
                            hint=f"[economics.equipment]: {did_you_mean(key, curves)}")
        row: dict[str, Any] = {"unit": name, "model": info.model, "curve": key or "not costed",
                               "size": 0.0, "size unit": "", "items": 0,
                               "purchased_USD": 0.0, "source": "", "status": ""}
        if key and key != "none":
            curve = curves[key]
            size, cost, n = _unit_cost(result, name, curve, cepci)
            if curve.plus:
                cost += _unit_cost(result, name, curves[curve.plus], cepci)[1]
            row.update({"size": size, "size unit": curve.size_unit, "items": n,
                        "purchased_USD": cost, "source": curve.source,
                        "status": curve.status})
        rows.append(row)
    return rows
