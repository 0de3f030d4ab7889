"""Reports of the economics of a run (:class:`polyflow.economics.Economics`): tables for
the terminal, Markdown and the workbook, the comparison rows, and a waterfall of value
from the feeds to the operating margin. They read only the economics record.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from polyflow.economics.evaluate import TOTAL

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from polyflow.economics import Economics

__all__ = ["compare_rows", "economics_sections", "summary_rows", "waterfall_figure"]

_M = 1e6


def _m(usd: float) -> float:
    return usd / _M


def summary_rows(econ: Economics) -> list[dict[str, Any]]:
    """The headline figures, one per row."""
    irr = None if econ.irr is None else 100.0 * econ.irr
    rows = [
        ("operating hours [h/y]", econ.operating_hours_h_y),
        ("revenue [MUSD/y]", _m(econ.revenue_USD_y[TOTAL])),
        ("operating cost incl. feeds [MUSD/y]", _m(econ.opex_USD_y[TOTAL])),
        ("capital (fixed) [MUSD]", _m(econ.capex_USD[TOTAL])),
        (f"NPV at {100 * econ.discount_rate:g} % [MUSD]", _m(econ.npv_USD)),
        ("IRR [%]", irr),
        ("payback from start of production [y]", econ.payback_y),
        ("value added over feeds [%]", econ.value_added_over_ore_pct.get(TOTAL)),
        ("CO2e scope 1 [t/y]", econ.co2_t_y["scope1"]),
        ("CO2e scope 2 [t/y]", econ.co2_t_y["scope2"]),
        ("CO2e total [t/y]", econ.co2_t_y["total"]),
    ]
    return [{"figure": k, "value": v} for k, v in rows]


def _opex_rows(econ: Economics) -> list[dict[str, Any]]:
    cats = [c for c in econ.opex_USD_y if c != TOTAL]
    rows = []
    for line, by_cat in econ.opex_by_line_USD_y.items():
        rows.append({"line": line, **{f"{c} [MUSD/y]": _m(by_cat[c]) for c in cats},
                     "total [MUSD/y]": _m(by_cat[TOTAL])})
    rows.append({"line": TOTAL, **{f"{c} [MUSD/y]": _m(econ.opex_USD_y[c]) for c in cats},
                 "total [MUSD/y]": _m(econ.opex_USD_y[TOTAL])})
    return rows


def _area_rows(econ: Economics) -> list[dict[str, Any]]:
    cats = ("reagents", "power", "fuel", "consumables", "water")
    return [{"area": a, **{f"{c} [MUSD/y]": _m(row.get(c, 0.0)) for c in cats},
             "total [MUSD/y]": _m(sum(row.get(c, 0.0) for c in cats))}
            for a, row in econ.opex_by_area_USD_y.items()]


def _ledger_rows(econ: Economics) -> list[dict[str, Any]]:
    transfers = any(r.get("transfer_in_USD_y") or r.get("transfer_out_USD_y")
                    for r in econ.ledger)
    return [{"line": r["line"], "feeds at market terms [MUSD/y]": _m(r["feed_value_USD_y"]),
             **({"transfers in [MUSD/y]": _m(r.get("transfer_in_USD_y", 0.0))}
                if transfers else {}),
             "products [MUSD/y]": _m(r["revenue_USD_y"]),
             **({"transfers out [MUSD/y]": _m(r.get("transfer_out_USD_y", 0.0))}
                if transfers else {}),
             "value added [MUSD/y]": _m(r["value_added_USD_y"]),
             "value added [%]": r["value_added_pct"],
             "operating cost incl. feeds [MUSD/y]": _m(r["opex_USD_y"]),
             "capital [MUSD]": _m(r["capex_USD"])} for r in econ.ledger]


def _product_rows(econ: Economics) -> list[dict[str, Any]]:
    return [{"product": p, "revenue [MUSD/y]": _m(econ.revenue_USD_y[p]),
             "t/y": f["product_t_h"] * econ.operating_hours_h_y,
             "power [kWh/t]": f["power_kWh_per_t"],
             "fresh water [m3/t]": f["fresh_water_m3_per_t"],
             "reagents [kg/t]": f["reagents_kg_per_t"],
             "CO2e scope 1 [t/t]": f["co2_scope1_t_per_t"],
             "CO2e scope 2 [t/t]": f["co2_scope2_t_per_t"],
             "CO2e total [t/t]": f["co2_total_t_per_t"]}
            for p, f in econ.per_product.items()]


def _capex_rows(econ: Economics) -> list[dict[str, Any]]:
    return [{"unit": r["unit"], "model": r["model"], "curve": r["curve"],
             "size": r["size"], "size unit": r["size unit"], "items": r["items"],
             "purchased [MUSD]": _m(r["purchased_USD"]),
             "fixed capital [MUSD]": _m(r["fixed_capital_USD"]), "source": r["source"]}
            for r in econ.capex_items if r["curve"] != "none"]


def _cash_rows(econ: Economics) -> list[dict[str, Any]]:
    return [{"year": str(r["year"]), "capital [MUSD]": _m(r["capex_USD"]),
             "revenue [MUSD]": _m(r["revenue_USD"]), "operating [MUSD]": _m(r["opex_USD"]),
             "depreciation [MUSD]": _m(r["depreciation_USD"]), "tax [MUSD]": _m(r["tax_USD"]),
             "cash flow [MUSD]": _m(r["cash_flow_USD"])} for r in econ.cash_flow]


def _price_rows(econ: Economics) -> list[dict[str, Any]]:
    rows = [{"item": k, "value": v["value"], "date": v.get("date", ""),
             "source": v["source"]} for k, v in econ.prices.items()]
    rows += [{"item": k, "value": str(v["value"]), "date": v.get("date", ""),
              "source": v["source"]} for k, v in econ.assumptions.items()]
    return rows


def economics_sections(econ: Economics, *, full: bool = True
                       ) -> list[tuple[str, list[dict[str, Any]]]]:
    """Titled tables: the summary, value-added ledger by line, operating cost by line
    and category, products (revenue and footprint per tonne); with ``full`` also the
    variable cost by area, the capital by unit, the cash flow and every price and
    assumption with its source."""
    out = [("Economics", summary_rows(econ)),
           ("Value added by line (feeds at market terms -> products)", _ledger_rows(econ)),
           ("Operating cost by line", _opex_rows(econ)),
           ("Products: revenue, power, water, reagents and CO2e per tonne", _product_rows(econ))]
    if full:
        out += [("Variable operating cost by area", _area_rows(econ)),
                ("Capital by unit (purchased x Lang x (1 + contingency))", _capex_rows(econ)),
                ("Cash flow", _cash_rows(econ)),
                ("Prices and assumptions", _price_rows(econ))]
    return out


def compare_rows(economics: Mapping[str, Economics | None]) -> dict[tuple[str, ...], Any]:
    """Per label: {(figure,): value} of the headline figures, for ``polyflow compare``."""
    out = {}
    for label, econ in economics.items():
        if econ is None:
            continue
        out[label] = {(r["figure"],): r["value"] for r in summary_rows(econ)
                      if r["value"] is not None}
    return out


def waterfall_figure(econ: Economics, title: str = "") -> Figure:
    """Value from the feeds (at market terms) through each line's value added to the
    revenue, then each operating cost to the operating margin [MUSD/y]."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    steps: list[tuple[str, float, str]] = [
        ("feeds", _m(econ.opex_USD_y.get("feeds", 0.0)), "total")]
    for r in econ.ledger:
        steps.append((f"+{r['line']}", _m(r["value_added_USD_y"]), "step"))
    steps.append(("revenue", _m(econ.revenue_USD_y[TOTAL]), "total"))
    for c, v in econ.opex_USD_y.items():
        if c not in (TOTAL, "feeds") and v:
            steps.append((f"-{c}", -_m(v), "step"))
    margin = econ.revenue_USD_y[TOTAL] - econ.opex_USD_y[TOTAL]
    steps.append(("margin", _m(margin), "total"))
    fig = Figure(figsize=(max(6.0, 0.7 * len(steps) + 1.5), 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    level = 0.0
    for i, (_label, v, kind) in enumerate(steps):
        if kind == "total":
            ax.bar(i, v, color="#4c72b0")
            level = v
        else:
            ax.bar(i, v, bottom=level, color="#55a868" if v >= 0 else "#c44e52")
            level += v
        ax.text(i, max(level, v if kind == "total" else level), f"{v:,.0f}",
                ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(steps)), [s[0] for s in steps], rotation=45, ha="right",
                  fontsize=8)
    ax.set_ylabel("MUSD per year")
    ax.set_title(textwrap.fill(title or "Value from feeds to operating margin", 60),
                 fontsize=10)
    ax.axhline(0, color="black", lw=0.5)
    ax.margins(y=0.12)
    fig.tight_layout()
    return fig
