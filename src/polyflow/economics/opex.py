"""Operating cost by category, line and area, from the solved flows.

Per hour of operation (a year is the operating hours):

- feeds: the ore and concentrate bought, at the market terms of ``[economics.feeds]``
  (the value-added ledger's "in"; :mod:`polyflow.economics.valuation`), so the cash flow
  is the refiner's: what the products fetch over what the feeds cost;
- reagents: every reagent feed's species (water excluded) × its delivered price; a
  product listed as ``returned`` (a stripped organic that goes back to the extraction)
  is credited at the same prices, so a recycled extractant costs only what is lost;
- power: every process unit's electrical power [kW] × the tariff;
- fuel: heat added to a unit (positive duty) / the heater efficiency × the fuel price
  (heat removed is cooling, not costed);
- consumables: for the unit models named in ``[economics.consumables]`` (grinding
  media and liners of a ball mill, say), a cost per kWh the unit draws (wear of grinding
  media scales with the energy spent: the basis of the usual kg/kWh wear rates);
- water: liquid water of the feeds of category ``water`` (fresh water) / 1000 kg/m3 ×
  its price;
- maintenance: a fraction of the fixed capital per year, per line (maintenance and
  repairs 0.02–0.10 of the fixed capital per year, 0.06 in the cost-of-manufacture
  estimate: Turton et al., *Analysis, Synthesis and Design of Chemical Processes*, 3rd
  ed. (2009), Table 8.2 and eq. 8.2);
- labour: a plant-wide cost per year, shared among the lines by their fixed capital.

A line is a unit's include prefix (:func:`polyflow.report.lines.line_of`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from polyflow.errors import InputError, did_you_mean
from polyflow.report.lines import line_of

if TYPE_CHECKING:
    from polyflow.economics.inputs import EconomicsInputs
    from polyflow.result import Result

__all__ = ["CATEGORIES", "GJ_PER_KWH", "variable_costs"]

#: opex categories in report order
CATEGORIES = ("feeds", "reagents", "power", "fuel", "consumables", "water", "maintenance",
              "labour")
#: 1 kWh = 3.6 MJ
GJ_PER_KWH = 3.6e-3


def _add(table: dict, line: str, category: str, usd_h: float) -> None:
    row = table.setdefault(line, dict.fromkeys(CATEGORIES, 0.0))
    row[category] += usd_h


def _reagent_price(inputs: EconomicsInputs, species: str, feed: str) -> float:
    if species not in inputs.reagents:
        raise InputError(f"reagent {species!r} of feed {feed!r} has no price",
                         file=inputs.file, field=f"economics.reagents.{species}",
                         hint="add it to [reagents] of the prices file (a free reagent "
                              f"such as air: value = '0 USD/t'); "
                              f"{did_you_mean(species, inputs.reagents)}")
    return inputs.reagents[species].value


def variable_costs(result: Result, inputs: EconomicsInputs) -> dict[str, Any]:
    """``by_line`` {line: {category: USD/h}} of the variable costs (reagents, power,
    fuel, water), ``by_area`` {area: {category: USD/h}} of the same, and the plant's
    ``power_kW``, ``fuel_GJ_h``, ``fresh_water_m3_h``, ``reagents_kg_h``."""
    util = inputs.utilities
    by_line: dict[str, dict[str, float]] = {}
    by_area: dict[str, dict[str, float]] = {}
    reagents_kg = 0.0
    for feed, flows in result.reagent_kg_h.items():
        area = result.units[feed].area
        for sid, kg_h in flows.items():
            usd = kg_h * _reagent_price(inputs, sid, feed)
            _add(by_line, line_of(feed), "reagents", usd)
            _add(by_area, area, "reagents", usd)
            reagents_kg += kg_h
    for prod in inputs.returned:
        stream = result.products[prod]
        area = result.units[result.stream(stream).src].area     # where it comes from
        for sid, kg_h in result.flow_kg_h(stream).items():
            if kg_h > 0 and sid in inputs.reagents:
                usd = -kg_h * inputs.reagents[sid].value
                _add(by_line, line_of(prod), "reagents", usd)
                _add(by_area, area, "reagents", usd)
                reagents_kg -= kg_h
    power = fuel = 0.0
    for name, info in result.units.items():
        if info.role != "process":
            continue
        if info.power_kW:
            usd = info.power_kW * util["power"].value
            _add(by_line, line_of(name), "power", usd)
            _add(by_area, info.area, "power", usd)
            power += info.power_kW
            if info.model in inputs.consumables:
                usd = info.power_kW * inputs.consumables[info.model].value
                _add(by_line, line_of(name), "consumables", usd)
                _add(by_area, info.area, "consumables", usd)
        if info.duty_kW > 0:
            gj = info.duty_kW * GJ_PER_KWH / util["fuel_efficiency"].value
            _add(by_line, line_of(name), "fuel", gj * util["fuel"].value)
            _add(by_area, info.area, "fuel", gj * util["fuel"].value)
            fuel += gj
    water = 0.0
    iw = result.species.index.get("H2O(l)")
    for s in result.streams:
        if iw is None or result.units[s.src].role != "feed" or \
                result.units[s.src].params.get("category") != "water":
            continue
        m3 = float(result.mass_flows[result.stream_index(s.name), iw]) / 1000.0
        _add(by_line, line_of(s.src), "water", m3 * util["water"].value)
        _add(by_area, result.units[s.src].area, "water", m3 * util["water"].value)
        water += m3
    return {"by_line": by_line, "by_area": by_area, "power_kW": power,
            "fuel_GJ_h": fuel, "fresh_water_m3_h": water, "reagents_kg_h": reagents_kg}
