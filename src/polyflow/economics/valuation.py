"""Revenue of the products and market value of the feeds, from the solved flows.

The value of a stream on stated terms (a product sold, or a feed valued at what it would
fetch) is, per hour,

.. math::

    V = \\sum_k m_k \\, p_k \\, f_k \\; - \\; T \\, m_s \\; - \\; \\sum_k R_k \\, f_k \\, m_k
        \\; - \\; \\sum_e P_e \\, m_s \\, \\max(0, w_e - w_{e,0}) / \\Delta w_e

with :math:`m_k` the flow of priced basis *k* in the stream [kg/h] (an element, or an
oxide equivalent: the flow of the formula's one non-oxygen element times the formula's
molar mass over that element's mass in it), :math:`p_k` its price [USD/kg], :math:`f_k`
the payable fraction, :math:`T` the treatment charge per kg of dry solids :math:`m_s`,
:math:`R_k` the refining charge per kg of payable *k*, and :math:`P_e` the penalty per kg
of dry solids for each step :math:`\\Delta w_e` of the grade :math:`w_e` of a penalty
element above its threshold :math:`w_{e,0}` (pro rata) — the usual form of a
concentrate sales contract, the net smelter return (Wills & Finch, *Wills' Mineral
Processing Technology*, 8th ed. (2016), ch. 1, economic considerations: smelter
contracts). A year is ``hours``
operating hours: revenue [USD/y] = V × hours, exactly.

>>> amount_factor("WO3")
('W', 1.2610...)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from polyflow.chem.elements import atomic_weight
from polyflow.chem.formula import parse_formula
from polyflow.errors import InputError, did_you_mean
from polyflow.report.lines import line_of

if TYPE_CHECKING:
    from polyflow.economics.inputs import EconomicsInputs, Entry, Terms
    from polyflow.result import Result

__all__ = ["amount_factor", "basis_kg_h", "feed_values", "product_revenue", "stream_value",
           "transfer_values"]


def amount_factor(basis: str) -> tuple[str, float]:
    """The element a price basis is counted by, and kg of basis per kg of that element
    (1 for an element; M(formula) / (n · M(element)) for an oxide such as ``"WO3"``)."""
    formula = parse_formula(basis)
    metals = [e for e in formula.elements if e != "O"]
    if len(metals) != 1:
        raise InputError(f"price basis {basis!r} must be an element or an oxide of one "
                         "element", value=basis, hint="e.g. 'Cu', 'WO3', 'Nd2O3'")
    el = metals[0]
    return el, formula.molar_mass / (formula.elements[el] * atomic_weight(el))


def basis_kg_h(result: Result, stream: str, basis: str) -> float:
    """Flow of a price basis in ``stream`` [kg/h] (its element's flow, as oxide)."""
    el, factor = amount_factor(basis)
    return result.elements_kg_h(stream).get(el, 0.0) * factor


def stream_value(result: Result, stream: str, terms: Terms, prices: dict[str, Entry]
                 ) -> dict[str, Any]:
    """Value per hour of a stream on ``terms``: ``USD_h`` and its parts (``gross`` per
    priced basis, ``treatment``, ``refining``) and the basis flows ``kg_h``."""
    kg_h = {k: basis_kg_h(result, stream, prices[k].basis) for k in terms.payable}
    gross = {k: kg_h[k] * prices[k].value * f for k, f in terms.payable.items()}
    refining = sum(terms.refining.get(k, 0.0) * f * kg_h[k]
                   for k, f in terms.payable.items())
    dry = result.phase_kg_h(stream)["s"]
    treatment = terms.treatment * dry
    penalty = 0.0
    if terms.penalties and dry > 0:
        elements = result.elements_kg_h(stream)
        for el, (above, charge, per) in terms.penalties.items():
            excess = elements.get(el, 0.0) / dry - above
            penalty += charge * dry * max(excess, 0.0) / per
    return {"USD_h": sum(gross.values()) - treatment - refining - penalty,
            "gross_USD_h": gross, "treatment_USD_h": treatment,
            "refining_USD_h": refining, "penalty_USD_h": penalty, "kg_h": kg_h}


def _check_names(names, known, kind: str, inputs: EconomicsInputs) -> None:
    for name in names:
        if name not in known:
            raise InputError(f"[economics.{kind}] names {name!r}, which is not a "
                             f"{kind[:-1]} of this flowsheet", file=inputs.file,
                             field=f"economics.{kind}.{name}",
                             hint=did_you_mean(name, known))


def product_revenue(result: Result, inputs: EconomicsInputs) -> dict[str, dict[str, Any]]:
    """Product -> its value per hour on its terms (:func:`stream_value`) and ``USD_y``.
    Every product of kind ``product`` must have terms (or be listed as ``returned``)."""
    hours = inputs.finance["operating_hours"].value
    _check_names(inputs.products, result.products, "products", inputs)
    _check_names(inputs.returned, result.products, "products", inputs)
    unsold = [p for p in result.products
              if result.units[p].params.get("kind") == "product"
              and p not in inputs.products and p not in inputs.returned]
    if unsold:
        raise InputError(f"product {unsold[0]!r} has no sales terms", file=inputs.file,
                         field=f"economics.products.{unsold[0]}",
                         hint="add [economics.products.\"NAME\"] payable = {...}, or list "
                              "it in returned = [...] if it goes back to the plant")
    out = {}
    for prod, terms in inputs.products.items():
        v = stream_value(result, result.products[prod], terms, inputs.prices)
        v["USD_y"] = v["USD_h"] * hours
        out[prod] = v
    return out


def feed_values(result: Result, inputs: EconomicsInputs) -> dict[str, dict[str, Any]]:
    """Feed -> the market value of what it brings (:func:`stream_value`) and ``USD_y``."""
    hours = inputs.finance["operating_hours"].value
    streams = {s.src: s.name for s in result.streams if result.units[s.src].role == "feed"}
    _check_names(inputs.feeds, streams, "feeds", inputs)
    names = {s.name for s in result.streams}
    out = {}
    for feed, terms in inputs.feeds.items():
        if terms.stream and terms.stream not in names:
            raise InputError(f"feed {feed!r} is valued as stream {terms.stream!r}, which "
                             "this flowsheet does not have", file=inputs.file,
                             field=f"economics.feeds.{feed}.stream",
                             hint=did_you_mean(terms.stream, names))
        v = stream_value(result, terms.stream or streams[feed], terms, inputs.prices)
        v["USD_y"] = v["USD_h"] * hours
        out[feed] = v
    return out


def transfer_values(result: Result, inputs: EconomicsInputs
                    ) -> tuple[dict[str, float], dict[str, float]]:
    """Per line, the value per year of the transfers it puts out and of those it takes in
    (``[economics.transfers]``: a stream on market terms). The line that makes a transfer
    is its stream's source unit's; each payable goes to the line its ``to`` names, net of
    its refining charge, the treatment charge and penalties shared by gross value."""
    hours = inputs.finance["operating_hours"].value
    names = {s.name: s for s in result.streams}
    out: dict[str, float] = {}
    into: dict[str, float] = {}
    for stream, terms in inputs.transfers.items():
        if stream not in names:
            raise InputError(f"[economics.transfers] names stream {stream!r}, which this "
                             "flowsheet does not have", file=inputs.file,
                             field=f"economics.transfers.{stream}",
                             hint=did_you_mean(stream, names))
        v = stream_value(result, stream, terms, inputs.prices)
        src = line_of(names[stream].src)
        out[src] = out.get(src, 0.0) + v["USD_h"] * hours
        gross = sum(v["gross_USD_h"].values())
        deductions = v["treatment_USD_h"] + v["penalty_USD_h"]
        for k, line in terms.to.items():
            share = v["gross_USD_h"][k] - terms.refining.get(k, 0.0) * \
                terms.payable[k] * v["kg_h"][k]
            if gross > 0:
                share -= deductions * v["gross_USD_h"][k] / gross
            into[line] = into.get(line, 0.0) + share * hours
    return out, into
