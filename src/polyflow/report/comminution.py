"""Comminution, classification and flotation summaries of a result.

* **Comminution**: every unit that reports F80, P80 and specific energy (crushers and
  mills) with its power and kWh/t (on its Bond basis, see
  :class:`~polyflow.units.mill.BallMill`).
* **Grinding circuits**: every classifier (a unit whose outlets are declared ``coarse``
  and ``fine``: hydrocyclone, screen) whose coarse product
  returns to it through other units (a closed circuit): the circulating load
  ``CL = coarse solids / fine solids`` (the fine product is the circuit's product, which
  at steady state carries the circuit's new feed), the product P80 and the circuit's
  power and kWh per tonne of product.
* **Flotation**: every flotation bank (a unit with a ``concentrate`` outlet that reports
  its ``mass_pull``) with its mass pull, and the grade and recovery of
  each element in its concentrate (recovery of the bank feed); **Concentrates**: each
  product made by a flotation bank with its grade and plant recovery.

Units are recognised by their declared results and outlet kinds, not by model names.
Nothing is solved here; all figures come from the result record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx

from polyflow.report.tables import PRECIOUS, assay_elements, has_sizes, roundoff_floor

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["circuit_rows", "circulating_load", "comminution_rows", "concentrate_rows",
           "flotation_rows", "sections"]


def _stream(result: Result, unit: str, port: str) -> str:
    return result.units[unit].outlets[port]


def _solids_t_h(result: Result, stream: str) -> float:
    return result.phase_kg_h(stream)["s"] / 1000.0


def _size_reducers(result: Result) -> list[str]:
    """Units that report the 80 % passing sizes of their feed and product and their
    specific energy (crushers, mills)."""
    return [n for n, u in result.units.items()
            if {"F80", "P80", "specific_energy"} <= set(u.results)]


def _classifiers(result: Result) -> dict[str, tuple[str, str]]:
    """Unit -> (coarse outlet, fine outlet), for units whose outlets say so."""
    out = {}
    for n, u in result.units.items():
        coarse, fine = u.outlet_of_kind("coarse"), u.outlet_of_kind("fine")
        if coarse is not None and fine is not None:
            out[n] = (coarse, fine)
    return out


def comminution_rows(result: Result) -> list[dict[str, Any]]:
    """Crushers and mills: basis throughput, F80, P80, power, specific energy."""
    rows = []
    for name in _size_reducers(result):
        unit = result.units[name]
        r = unit.results
        power = unit.power_kW
        w = r["specific_energy"]
        row: dict[str, Any] = {"unit": name, "model": unit.model,
                               "solids [t/h]": power / w if w > 0 else 0.0,
                               "F80 [um]": r["F80"], "P80 [um]": r["P80"],
                               "power [kW]": power, "specific energy [kWh/t]": w}
        if "operating_work_index" in r:
            row["Wi operating [kWh/t]"] = r["operating_work_index"]
        if unit.params.get("wi_kwh_t") is not None:
            row["Wi [kWh/t]"] = unit.params["wi_kwh_t"]
        rows.append(row)
    return rows


def closed_circuits(result: Result) -> dict[str, list[str]]:
    """Classifier -> the units of its closed circuit (the strongly connected component
    holding it), for classifiers whose coarse product returns to them."""
    g = nx.DiGraph()
    g.add_nodes_from(result.units)
    g.add_edges_from((s.src, s.dst) for s in result.streams)
    classifiers = _classifiers(result)
    out = {}
    for comp in nx.strongly_connected_components(g):
        for name in comp:
            if name in classifiers and len(comp) > 1:
                dst = result.stream(_stream(result, name, classifiers[name][0])).dst
                if dst in comp:
                    out[name] = sorted(comp)
    return out


def circulating_load(result: Result, classifier: str) -> float:
    """Circulating load of a closed circuit [fraction]: coarse-product solids over
    fine-product solids of its classifier."""
    coarse, fine = _classifiers(result)[classifier]
    f = _solids_t_h(result, _stream(result, classifier, fine))
    return _solids_t_h(result, _stream(result, classifier, coarse)) / f if f > 0 else 0.0


def circuit_rows(result: Result) -> list[dict[str, Any]]:
    """Closed circuits: circulating load, product P80, power and kWh/t of product."""
    rows = []
    classifiers = _classifiers(result)
    for name, members in closed_circuits(result).items():
        product = _stream(result, name, classifiers[name][1])
        t_h = _solids_t_h(result, product)
        power = sum(result.units[u].power_kW for u in members
                    if result.units[u].role == "process")
        rows.append({"classifier": name, "product stream": product,
                     "circulating load [%]": 100.0 * circulating_load(result, name),
                     "product [t/h]": t_h, "product P80 [um]": result.p80_um(product),
                     "circuit power [kW]": power,
                     "specific energy [kWh/t]": power / t_h if t_h > 0 else 0.0})
    return rows


def _grade_columns(result: Result, stream: str, label: str,
                   elements: list[str]) -> dict[str, float]:
    assay = result.solids_assay(stream)
    out = {}
    for e in elements:
        if e in PRECIOUS:
            out[f"{e} {label} [g/t]"] = assay.get(e, 0.0) * 1e6
        else:
            out[f"{e} {label} [%]"] = assay.get(e, 0.0) * 100.0
    return out


def _banks(result: Result) -> dict[str, str]:
    """Flotation bank -> its concentrate outlet: units with a concentrate outlet that
    report their mass pull."""
    return {n: port for n, u in result.units.items()
            if (port := u.outlet_of_kind("concentrate")) is not None and "mass_pull" in u.results}


def _feed_solids_kg_h(result: Result, bank: str) -> dict[str, float]:
    """Elements in the solids of a bank's inlets [kg/h]."""
    out: dict[str, float] = {}
    for streams in result.units[bank].inlets.values():
        for s in streams:
            for e, v in result.elements_kg_h(s, "s").items():
                out[e] = out.get(e, 0.0) + v
    return out


def _floated_elements(result: Result) -> list[str]:
    """Assayed elements that some bank's feed solids carry above round-off (a share
    ``ROUNDOFF_PHASE`` of the plant's feed mass): the others' grades and recoveries are
    the noise of the solve (a cleaner once reported 406 % C recovery from 1e-60 % grades)."""
    floor = roundoff_floor(result)
    feeds = [_feed_solids_kg_h(result, b) for b in _banks(result)]
    return [e for e in assay_elements(result) if any(f.get(e, 0.0) > floor for f in feeds)]


def flotation_rows(result: Result) -> list[dict[str, Any]]:
    """Flotation banks: mass pull, concentrate grade and bank recovery of the solids (the
    elements the banks' feed solids carry above round-off)."""
    rows = []
    elements = _floated_elements(result)
    floor = roundoff_floor(result)
    for name, port in _banks(result).items():
        conc = _stream(result, name, port)
        feed_el = _feed_solids_kg_h(result, name)
        conc_el = result.elements_kg_h(conc, "s")
        row: dict[str, Any] = {"bank": name, "concentrate": conc,
                               "mass pull [%]": result.units[name].results["mass_pull"]}
        row.update(_grade_columns(result, conc, "grade", elements))
        for e in elements:
            fin = feed_el.get(e, 0.0)
            row[f"{e} recovery [%]"] = 100.0 * conc_el.get(e, 0.0) / fin if fin > floor else 0.0
        rows.append(row)
    return rows


def concentrate_rows(result: Result) -> list[dict[str, Any]]:
    """Products made by a flotation bank's concentrate: grade and plant recovery."""
    rows = []
    banks = _banks(result)
    elements = _floated_elements(result)
    for prod, stream in result.products.items():
        spec = result.stream(stream)
        if banks.get(spec.src) != spec.src_port:
            continue
        row: dict[str, Any] = {"product": prod, "solids [t/h]": _solids_t_h(result, stream)}
        row.update(_grade_columns(result, stream, "grade", elements))
        for e in elements:
            row[f"{e} recovery [%]"] = 100.0 * result.recovery[e][prod]
        rows.append(row)
    return rows


def sections(result: Result) -> list[tuple[str, list[dict[str, Any]]]]:
    """(title, rows) of every summary that applies; none for a plant without these
    models."""
    out = []
    for title, fn, needs_sizes in (("Comminution", comminution_rows, True),
                                   ("Grinding circuits", circuit_rows, True),
                                   ("Flotation", flotation_rows, False),
                                   ("Concentrates", concentrate_rows, False)):
        if needs_sizes and not has_sizes(result):
            continue
        rows = fn(result)
        if rows:
            out.append((title, rows))
    return out
