"""Carbon dioxide (scope 1 and 2), power, fresh water and reagents, per line and per
tonne of each product.

- Scope 2 (GHG Protocol Corporate Standard, 2004, ch. 4): electricity bought,
  ``power_kW`` × the grid's emission factor [kg CO2e/kWh].
- Scope 1, fuel: heat added by fuel [GJ] × the fuel's emission factor [kg CO2/GJ]
  (natural gas 56.1 t CO2/TJ: IPCC 2006 Guidelines, vol. 2, ch. 1, Table 1.4).
- Scope 1, process: carbon released to air by reactions (carbonate decomposition,
  oxalate calcination, acid attack of carbonate minerals), read from the balance: the
  carbon in the gas phase of every product stream minus the carbon in the gas phase of
  every feed, counted as CO2 (44.0095/12.011 kg CO2 per kg C; carbon monoxide is counted
  as the CO2 it becomes in air, the IPCC convention). Carbon leaving dissolved in
  effluents or in solids is not emitted here.

Allocation to products (ISO 14044:2006 §4.3.4.2, allocation by economic value when
physical relations cannot be used): each line's figures go to the line's sold products
in proportion to their revenue; those of the shared plant (units without a prefix) to all
sold products in proportion to revenue. Per tonne of product = allocated / tonnes of
product (its dry solids, or its whole mass without solids).

>>> round(CO2_PER_C, 4)
3.6641
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from polyflow.chem.elements import atomic_weight
from polyflow.economics.opex import GJ_PER_KWH
from polyflow.report.lines import SHARED, line_of

if TYPE_CHECKING:
    from polyflow.economics.inputs import EconomicsInputs
    from polyflow.result import Result

__all__ = ["CO2_PER_C", "line_footprint", "per_product"]

#: kg CO2 per kg C
CO2_PER_C = (atomic_weight("C") + 2 * atomic_weight("O")) / atomic_weight("C")


def _gas_carbon_kg_h(result: Result, stream: str) -> float:
    return result.elements_kg_h(stream, "g").get("C", 0.0)


def line_footprint(result: Result, inputs: EconomicsInputs, var: dict[str, Any]
                   ) -> dict[str, dict[str, float]]:
    """Line -> ``power_kW``, ``fuel_GJ_h``, ``fresh_water_m3_h``, ``reagents_kg_h``,
    ``co2_scope1_fuel_kg_h``, ``co2_scope1_process_kg_h``, ``co2_scope2_kg_h``."""
    util = inputs.utilities
    out: dict[str, dict[str, float]] = {}

    def row(line: str) -> dict[str, float]:
        return out.setdefault(line, dict.fromkeys(
            ("power_kW", "fuel_GJ_h", "fresh_water_m3_h", "reagents_kg_h",
             "co2_scope1_fuel_kg_h", "co2_scope1_process_kg_h", "co2_scope2_kg_h"), 0.0))

    for name, info in result.units.items():
        if info.role != "process":
            continue
        r = row(line_of(name))
        r["power_kW"] += info.power_kW
        if info.duty_kW > 0:
            r["fuel_GJ_h"] += info.duty_kW * GJ_PER_KWH / util["fuel_efficiency"].value
    iw = result.species.index.get("H2O(l)")
    for s in result.streams:
        src, dst = result.units[s.src], result.units[s.dst]
        if src.role == "feed":
            r = row(line_of(s.src))
            r["co2_scope1_process_kg_h"] -= CO2_PER_C * _gas_carbon_kg_h(result, s.name)
            if src.params.get("category") == "water" and iw is not None:
                r["fresh_water_m3_h"] += float(
                    result.mass_flows[result.stream_index(s.name), iw]) / 1000.0
        if dst.role == "product":
            row(line_of(s.dst))["co2_scope1_process_kg_h"] += \
                CO2_PER_C * _gas_carbon_kg_h(result, s.name)
    for feed, flows in result.reagent_kg_h.items():
        row(line_of(feed))["reagents_kg_h"] += sum(flows.values())
    for prod in inputs.returned:
        flows = result.flow_kg_h(result.products[prod])
        row(line_of(prod))["reagents_kg_h"] -= sum(
            v for k, v in flows.items() if k in inputs.reagents)
    for r in out.values():
        r["co2_scope1_fuel_kg_h"] = r["fuel_GJ_h"] * util["fuel_co2"].value
        r["co2_scope2_kg_h"] = r["power_kW"] * util["grid_co2"].value
    return out


def _product_t_h(result: Result, product: str) -> float:
    phases = result.phase_kg_h(result.products[product])
    return (phases["s"] if phases["s"] > 0 else sum(phases.values())) / 1e3


def per_product(result: Result, revenue: dict[str, dict[str, Any]],
                footprint: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Product -> its tonnes per hour and, per tonne of it, the allocated power
    [kWh/t], fresh water [m3/t], reagents [kg/t], CO2e scope 1, 2 and total [t/t]."""
    value = {p: max(v["USD_h"], 0.0) for p, v in revenue.items()}
    total = sum(value.values())
    by_line: dict[str, float] = {}
    for p, v in value.items():
        by_line[line_of(p)] = by_line.get(line_of(p), 0.0) + v
    out = {}
    for prod, v in value.items():
        t_h = _product_t_h(result, prod)
        share = {ln: (v / by_line[ln] if ln == line_of(prod) and by_line[ln] > 0 else 0.0)
                 for ln in footprint}
        for ln in footprint:        # the shared plant, and lines that sell nothing
            if by_line.get(ln, 0.0) <= 0 or ln == SHARED:
                share[ln] = v / total if total > 0 else 0.0
        alloc = {k: sum(share[ln] * f[k] for ln, f in footprint.items())
                 for k in next(iter(footprint.values()), {})}
        per_t = (lambda x, t=t_h: x / t if t > 0 else 0.0)  # noqa: E731
        scope1 = alloc.get("co2_scope1_fuel_kg_h", 0.0) + \
            alloc.get("co2_scope1_process_kg_h", 0.0)
        scope2 = alloc.get("co2_scope2_kg_h", 0.0)
        out[prod] = {"product_t_h": t_h, "share_of_revenue": v / total if total else 0.0,
                     "power_kWh_per_t": per_t(alloc.get("power_kW", 0.0)),
                     "fresh_water_m3_per_t": per_t(alloc.get("fresh_water_m3_h", 0.0)),
                     "reagents_kg_per_t": per_t(alloc.get("reagents_kg_h", 0.0)),
                     "co2_scope1_t_per_t": per_t(scope1) / 1e3,
                     "co2_scope2_t_per_t": per_t(scope2) / 1e3,
                     "co2_total_t_per_t": per_t(scope1 + scope2) / 1e3}
    return out
