"""Figures per process line of a plant joined from prefixed includes (a refinery).

A unit, feed or product named ``PREFIX/NAME`` belongs to line ``PREFIX`` (the prefix its
file was included under, see docs/flowsheet-format.md); other names belong to the shared
plant. Per line: the dry ore or concentrate fed, electrical power (kW and kWh per tonne
of that feed), heat duty, reagents (kg/h and kg/t), fresh water (t/h and m3/t), and the
recovery of each element to each of the line's saleable products (kind ``product``) as a
fraction of what the line's own feeds bring, with the product's grade. Plant-wide
recoveries (``Result.recovery``) divide by the whole plant's feed instead: Cu to the
copper cathode is then a share of all copper fed to the refinery, Cu–Au ore included.

>>> line_of("cu/ew"), line_of("tailings_thickener")
('cu', '(shared)')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from polyflow.report.tables import NOT_ASSAYED, PRECIOUS

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["SHARED", "has_lines", "line_of", "line_reagent_rows", "line_recovery_rows",
           "line_rows", "line_sections"]

#: the line of units without a prefix
SHARED = "(shared)"
#: a product's element is shown when its grade reaches this (precious metals always)
MIN_GRADE = 0.01


def line_of(name: str) -> str:
    """The line a unit belongs to: its include prefix, or :data:`SHARED`."""
    return name.partition("/")[0] if "/" in name else SHARED


def _lines(result: Result) -> list[str]:
    return list(dict.fromkeys(line_of(n) for n in result.units))


def has_lines(result: Result) -> bool:
    """True for a plant of two or more prefixed lines."""
    return len([ln for ln in _lines(result) if ln != SHARED]) >= 2


def _feeds(result: Result, line: str, category: str | None = None) -> dict[str, str]:
    units = result.units
    return {s.src: s.name for s in result.streams
            if units[s.src].role == "feed" and line_of(s.src) == line
            and (category is None or units[s.src].params.get("category") == category)}


def _ore_t_h(result: Result, line: str) -> float:
    return sum(result.phase_kg_h(s)["s"] for s in _feeds(result, line, "ore").values()) / 1e3


def _per_t(value: float, ore: float) -> float | None:
    return value / ore if ore > 0 else None


def line_rows(result: Result) -> list[dict[str, Any]]:
    """One row per line: feed, power, heat, reagents and fresh water (per tonne of the
    line's dry ore or concentrate where it has one)."""
    water = result.species.index.get("H2O(l)")
    rows = []
    for line in _lines(result):
        ore = _ore_t_h(result, line)
        power = sum(t["power_kW"] for u, t in result.energy.items() if line_of(u) == line)
        duty = sum(t["duty_kW"] for u, t in result.energy.items() if line_of(u) == line)
        reagent = sum(v for f, flows in result.reagent_kg_h.items() if line_of(f) == line
                      for v in flows.values())
        fresh = 0.0
        if water is not None:
            fresh = sum(float(result.mass_flows[result._s(s), water])
                        for s in _feeds(result, line, "water").values()) / 1e3
        rows.append({"line": line, "ore or concentrate [t/h]": ore, "power [kW]": power,
                     "power [kWh/t]": _per_t(power, ore), "heat duty [kW]": duty,
                     "reagents [kg/h]": reagent, "reagents [kg/t]": _per_t(reagent, ore),
                     "fresh water [t/h]": fresh, "fresh water [m3/t]": _per_t(fresh, ore)})
    return rows


def line_recovery_rows(result: Result) -> list[dict[str, Any]]:
    """Recovery of each element to each saleable product of a line [% of what the
    line's feeds bring], with the product's grade (solids in %, g/t for precious
    metals below 1 %; a product without solids in g/L, mg/L). Elements below 1 % of the
    product (precious metals excepted), H and O are left out."""
    units = result.units
    rows = []
    for line in _lines(result):
        fed: dict[str, float] = {}
        for s in _feeds(result, line).values():
            for e, kg in result.elements_kg_h(s).items():
                fed[e] = fed.get(e, 0.0) + kg
        for prod, stream in result.products.items():
            if line_of(prod) != line or units[prod].params.get("kind") != "product":
                continue
            solids = result.phase_kg_h(stream)["s"] > 0
            assay = result.solids_assay(stream) if solids else result.solution_g_L(stream)
            out = result.elements_kg_h(stream)
            for e, grade in assay.items():
                if e in NOT_ASSAYED or fed.get(e, 0.0) <= 0 or out.get(e, 0.0) <= 0:
                    continue
                if e not in PRECIOUS and grade < (MIN_GRADE if solids else 1.0):
                    continue
                trace = e in PRECIOUS and grade < (MIN_GRADE if solids else 1.0)
                if solids:
                    value, unit = (grade * 1e6, "g/t") if trace else (grade * 100, "%")
                else:
                    value, unit = (grade * 1e3, "mg/L") if trace else (grade, "g/L")
                rows.append({"line": line, "product": prod, "element": e,
                             "recovery [% of line feed]": 100.0 * out[e] / fed[e],
                             "grade": value, "grade unit": unit})
    return rows


def line_reagent_rows(result: Result) -> list[dict[str, Any]]:
    """Each reagent of each line: kg/h and kg per tonne of the line's ore."""
    rows = []
    for feed, flows in result.reagent_kg_h.items():
        line = line_of(feed)
        ore = _ore_t_h(result, line)
        for sid, kg_h in flows.items():
            if kg_h > 1e-9:
                rows.append({"line": line, "feed": feed, "species": sid,
                             "kg/h": kg_h, "kg/t line feed": _per_t(kg_h, ore)})
    return rows


def line_sections(result: Result) -> list[tuple[str, list[dict]]]:
    """The per-line tables of a plant of several prefixed lines (else none)."""
    if not has_lines(result):
        return []
    return [("By line: feed, power, reagents, fresh water", line_rows(result)),
            ("By line: recovery to saleable products and grade",
             line_recovery_rows(result)),
            ("By line: reagents", line_reagent_rows(result))]
