"""The economics of one solved run as a plain record (:class:`Economics`), computed
from the result record and the economics inputs; reports read it, nothing is solved.

Value added over ore (the ledger): for each line, the market value of what its priced
feeds bring (ore or concentrate on its stated terms, :mod:`polyflow.economics.valuation`)
against the revenue of its products:

.. math::

    \\text{value added} = 100 \\, \\frac{\\sum \\text{revenue} - \\sum \\text{feed value}}
    {\\sum \\text{feed value}} \\ \\%

An intermediate that one line makes and others refine (a concentrate refined on site) is
a transfer (``[economics.transfers]``): valued on market terms, it counts as what the line
that makes it puts out and as what the lines that receive it take in, so each line's value
added is its own; the total and the cash flow are unchanged (no cash changes hands).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polyflow.economics import capex as capex_mod
from polyflow.economics.cashflow import cash_flow_table, irr, npv, payback_years
from polyflow.economics.inputs import EconomicsInputs, read_economics
from polyflow.economics.opex import CATEGORIES, variable_costs
from polyflow.economics.sustainability import line_footprint, per_product
from polyflow.economics.valuation import feed_values, product_revenue, transfer_values
from polyflow.report.lines import line_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from polyflow.result import Result

__all__ = ["TOTAL", "Economics", "economics_of", "evaluate"]

TOTAL = "total"


@dataclass
class Economics:
    """Economics of one run; every money figure in USD, per year where it says ``_y``.
    :meth:`to_dict` is the JSON document's ``economics`` section
    (docs/json-output.md)."""

    operating_hours_h_y: float
    revenue_USD_y: dict[str, float]
    opex_USD_y: dict[str, float]
    opex_by_line_USD_y: dict[str, dict[str, float]]
    opex_by_area_USD_y: dict[str, dict[str, float]]
    capex_USD: dict[str, float]
    capex_items: list[dict[str, Any]]
    capex_purchased_by_status_pct: dict[str, float]
    npv_USD: float
    irr: float | None
    payback_y: float | None
    discount_rate: float
    cash_flow: list[dict[str, Any]]
    feed_value_USD_y: dict[str, float]
    ledger: list[dict[str, Any]]
    value_added_over_ore_pct: dict[str, float | None]
    co2_t_y: dict[str, float]
    footprint_by_line: dict[str, dict[str, float]]
    per_product: dict[str, dict[str, float]]
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    assumptions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operating_hours_h_y": self.operating_hours_h_y,
            "revenue_USD_y": self.revenue_USD_y, "opex_USD_y": self.opex_USD_y,
            "opex_by_line_USD_y": self.opex_by_line_USD_y,
            "opex_by_area_USD_y": self.opex_by_area_USD_y,
            "capex_USD": self.capex_USD, "capex_items": self.capex_items,
            "capex_purchased_by_status_pct": self.capex_purchased_by_status_pct,
            "npv_USD": self.npv_USD, "irr": self.irr, "payback_y": self.payback_y,
            "discount_rate": self.discount_rate, "cash_flow": self.cash_flow,
            "feed_value_USD_y": self.feed_value_USD_y, "ledger": self.ledger,
            "value_added_over_ore_pct": self.value_added_over_ore_pct,
            "co2_t_y": self.co2_t_y, "footprint_by_line": self.footprint_by_line,
            "per_product": self.per_product, "prices": self.prices,
            "assumptions": self.assumptions,
        }


def _pct(out: float, inp: float) -> float | None:
    return 100.0 * (out - inp) / inp if inp > 0 else None


def evaluate(result: Result, inputs: EconomicsInputs) -> Economics:
    """The economics of ``result`` on ``inputs``."""
    hours = inputs.finance["operating_hours"].value
    fin, cap, ops = inputs.finance, inputs.capital, inputs.operating
    revenue = product_revenue(result, inputs)
    feeds = feed_values(result, inputs)
    var = variable_costs(result, inputs)
    for f, v in feeds.items():
        row = var["by_line"].setdefault(line_of(f), dict.fromkeys(CATEGORIES, 0.0))
        row["feeds"] += v["USD_h"]
    # capital, per line
    items = capex_mod.unit_capex(result, inputs)
    factor = cap["lang_factor"].value * (1.0 + cap["contingency"].value)
    capex_line: dict[str, float] = {}
    for row in items:
        row["fixed_capital_USD"] = row["purchased_USD"] * factor
        ln = line_of(row["unit"])
        capex_line[ln] = capex_line.get(ln, 0.0) + row["fixed_capital_USD"]
    capex_total = sum(capex_line.values())
    purchased = sum(r["purchased_USD"] for r in items)
    by_status = {st: 100.0 * sum(r["purchased_USD"] for r in items if r["status"] == st)
                 / purchased if purchased > 0 else 0.0 for st in capex_mod.STATUSES}
    # operating cost, per line and category [USD/y]
    lines = list(dict.fromkeys([*capex_line, *var["by_line"]]))
    by_line = {ln: {c: var["by_line"].get(ln, {}).get(c, 0.0) * hours for c in CATEGORIES}
               for ln in lines}
    for ln in lines:
        share = capex_line.get(ln, 0.0) / capex_total if capex_total > 0 else 0.0
        by_line[ln]["maintenance"] = ops["maintenance"].value * capex_line.get(ln, 0.0)
        by_line[ln]["labour"] = ops["labour"].value * share
        by_line[ln][TOTAL] = sum(by_line[ln][c] for c in CATEGORIES)
    opex = {c: sum(r[c] for r in by_line.values()) for c in CATEGORIES}
    opex[TOTAL] = sum(opex.values())
    by_area = {a: {c: v * hours for c, v in row.items()} for a, row in var["by_area"].items()}
    # revenue, cash flow
    rev = {p: v["USD_y"] for p, v in revenue.items()}
    rev_total = sum(rev.values())
    flows_table = cash_flow_table(capex_total, inputs.schedule, rev_total, opex[TOTAL],
                                  round(fin["life"].value), round(fin["depreciation_life"].value),
                                  fin["tax_rate"].value)
    flows = [r["cash_flow_USD"] for r in flows_table]
    rate = fin["discount_rate"].value
    # ledger: feed value and product revenue per line
    feed_line: dict[str, float] = {}
    for f, v in feeds.items():
        feed_line[line_of(f)] = feed_line.get(line_of(f), 0.0) + v["USD_y"]
    rev_line: dict[str, float] = {}
    for p, v in rev.items():
        rev_line[line_of(p)] = rev_line.get(line_of(p), 0.0) + v
    t_out, t_in = transfer_values(result, inputs)
    ledger = []
    added: dict[str, float | None] = {}
    for ln in dict.fromkeys([*feed_line, *rev_line, *t_out, *t_in]):
        fin_v = feed_line.get(ln, 0.0) + t_in.get(ln, 0.0)
        out_v = rev_line.get(ln, 0.0) + t_out.get(ln, 0.0)
        added[ln] = _pct(out_v, fin_v)
        ledger.append({"line": ln, "feed_value_USD_y": feed_line.get(ln, 0.0),
                       "transfer_in_USD_y": t_in.get(ln, 0.0),
                       "revenue_USD_y": rev_line.get(ln, 0.0),
                       "transfer_out_USD_y": t_out.get(ln, 0.0),
                       "value_added_USD_y": out_v - fin_v,
                       "opex_USD_y": by_line.get(ln, {}).get(TOTAL, 0.0),
                       "capex_USD": capex_line.get(ln, 0.0),
                       "value_added_pct": added[ln]})
    added[TOTAL] = _pct(rev_total, sum(feed_line.values()))
    # sustainability
    foot = line_footprint(result, inputs, var)
    s1 = sum(f["co2_scope1_fuel_kg_h"] + f["co2_scope1_process_kg_h"] for f in foot.values())
    s2 = sum(f["co2_scope2_kg_h"] for f in foot.values())
    co2 = {"scope1": s1 * hours / 1e3, "scope2": s2 * hours / 1e3,
           "total": (s1 + s2) * hours / 1e3}
    prices = {k: e.to_dict() for k, e in inputs.prices.items()}
    prices.update({f"reagent {k}": e.to_dict() for k, e in inputs.reagents.items()})
    prices.update({f"utility {k}": e.to_dict() for k, e in inputs.utilities.items()})
    assumptions = {f"{sec} {k}": e.to_dict() for sec, table in
                   (("finance", fin), ("capital", cap), ("operating", ops),
                    ("consumables", inputs.consumables))
                   for k, e in table.items()}
    assumptions["schedule"] = {"value": {str(y): s for y, s in inputs.schedule.items()},
                               "source": inputs.schedule_source}
    return Economics(
        operating_hours_h_y=hours, revenue_USD_y={**rev, TOTAL: rev_total},
        opex_USD_y=opex, opex_by_line_USD_y=by_line, opex_by_area_USD_y=by_area,
        capex_USD={**capex_line, TOTAL: capex_total}, capex_items=items,
        capex_purchased_by_status_pct=by_status,
        npv_USD=npv(rate, flows), irr=irr(flows),
        payback_y=payback_years(flows, len(inputs.schedule)), discount_rate=rate,
        cash_flow=flows_table, feed_value_USD_y={f: v["USD_y"] for f, v in feeds.items()},
        ledger=ledger, value_added_over_ore_pct=added, co2_t_y=co2,
        footprint_by_line=foot, per_product=per_product(result, revenue, foot),
        prices=prices, assumptions=assumptions)


def economics_of(path: str | Path, result: Result,
                 overrides: Mapping[str, Any] | None = None) -> Economics | None:
    """The economics of the flowsheet file ``path`` solved as ``result`` (None when
    the file has no ``[economics]`` table)."""
    inputs = read_economics(path, overrides)
    return None if inputs is None else evaluate(result, inputs)

