"""Side-by-side comparison of several solved flowsheets (``polyflow compare``).

Every table compares the same quantities across results given as an ordered mapping
``{label: Result}``; the first is the reference and each other result also gets a
difference column ``Δ label`` (its value minus the first's). Units, products, reagents and
areas are matched by name; a value that exists in only some files is ``None`` here (shown as
``-``) and the row carries a note naming the files that have it.

>>> rows = side_by_side(("element",), {"A": {("Cu",): 0.5}, "B": {("Cu",): 0.75}}, "%")
>>> rows[0]["A [%]"], rows[0]["B [%]"], rows[0]["Δ B [%]"]
(0.5, 0.75, 0.25)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from polyflow.io.provenance import OUTPUT_FORMAT
from polyflow.report.provenance import provenance_line, provenance_rows
from polyflow.report.tables import NOT_ASSAYED, PRECIOUS
from polyflow.report.text import markdown_table, shown, text_table

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["COMPARE_FORMATS", "LONG_COLUMNS", "compare_sections", "grade_rows", "long_rows",
           "power_rows", "reagent_rows", "recovery_rows", "render_compare", "side_by_side",
           "unique_labels", "water_rows"]

COMPARE_FORMATS = ("text", "csv", "md", "json", "xlsx")
#: shown for a value that exists in only some of the files
#: recoveries, grades and flows below this are zeros (round-off of the solve)
ZERO = 1e-12

Key = tuple[str, ...]


def unique_labels(names: Sequence[str]) -> list[str]:
    """Short labels for the compared files: their stems, numbered where they repeat.

    >>> unique_labels(["base", "hot", "base"])
    ['base', 'hot', 'base#3']
    """
    out: list[str] = []
    for i, name in enumerate(names, start=1):
        out.append(name if name not in out else f"{name}#{i}")
    return out


def side_by_side(key_names: Sequence[str], data: Mapping[str, Mapping[Key, float]],
                 unit: str | None = None, *, keep_zero: bool = False) -> list[dict[str, Any]]:
    """Rows with one value column per label and a ``Δ label`` column for every label after
    the first. ``data`` maps label -> {key tuple -> value}; keys are kept in order of first
    appearance. Missing values are ``None`` and the row's ``note`` says where the key exists.
    Rows that are zero in every file are left out unless ``keep_zero``."""
    labels = list(data)
    keys: list[Key] = []
    for values in data.values():
        keys.extend(k for k in values if k not in keys)
    suffix = f" [{unit}]" if unit else ""
    rows = []
    for key in keys:
        have = [lab for lab in labels if key in data[lab]]
        values = {lab: data[lab].get(key) for lab in labels}
        if not keep_zero and len(have) == len(labels) and \
                all(abs(v) < ZERO for v in values.values()):
            continue
        row: dict[str, Any] = dict(zip(key_names, key, strict=True))
        row.update({f"{lab}{suffix}": values[lab] for lab in labels})
        first = values[labels[0]]
        for lab in labels[1:]:
            v = values[lab]
            row[f"Δ {lab}{suffix}"] = None if v is None or first is None else _difference(
                v, first)
        row["note"] = "" if len(have) == len(labels) else "only in " + ", ".join(have)
        rows.append(row)
    return rows


def _difference(value: float, reference: float) -> float:
    """``value − reference``, with round-off of the solves (below 1e-9 relative) as 0."""
    d = value - reference
    return 0.0 if abs(d) <= 1e-9 * max(abs(value), abs(reference)) else d


def _per_result(results: Mapping[str, Result], fn) -> dict[str, dict[Key, float]]:
    return {label: fn(result) for label, result in results.items()}


def _recovery(result: Result) -> dict[Key, float]:
    return {(e, prod): 100.0 * frac for e, by_product in result.recovery.items()
            if e not in NOT_ASSAYED for prod, frac in by_product.items()}


def recovery_rows(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """Recovery of each element to each product [% of the element fed]."""
    return side_by_side(("element", "product"), _per_result(results, _recovery), "%")


def product_grades(result: Result) -> dict[Key, float]:
    """(product, assay with its unit) -> grade of each product stream: solids in % (g/t for
    precious metals) where the stream carries solids, solution in g/L (mg/L) where it
    carries solution. Elements absent from a product are left out."""
    out: dict[Key, float] = {}
    for prod, stream in result.products.items():
        for e, frac in result.solids_assay(stream).items():
            if e in NOT_ASSAYED or frac <= ZERO:
                continue
            if e in PRECIOUS:
                out[prod, f"{e} solids [g/t]"] = frac * 1e6
            else:
                out[prod, f"{e} solids [%]"] = frac * 100.0
        for e, g_l in result.solution_g_L(stream).items():
            if g_l <= ZERO:
                continue
            if e in PRECIOUS:
                out[prod, f"{e} solution [mg/L]"] = g_l * 1e3
            else:
                out[prod, f"{e} solution [g/L]"] = g_l
    return out


def grade_rows(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """Grade of each product: solids assays and solution concentrations."""
    return side_by_side(("product", "assay"), _per_result(results, product_grades))


def _reagents(result: Result) -> dict[Key, float]:
    if result.ore_t_h <= 0:
        return {}
    return {(feed, sid): kg_h / result.ore_t_h
            for feed, flows in result.reagent_kg_h.items() for sid, kg_h in flows.items()}


def reagent_rows(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """Reagent use per tonne of dry ore [kg/t], by reagent feed and species."""
    return side_by_side(("feed", "species"), _per_result(results, _reagents), "kg/t ore")


def _power(result: Result) -> dict[Key, float]:
    out: dict[Key, float] = {}
    total_power = total_duty = 0.0
    for area, terms in result.power_by_area.items():
        out[area, "power [kW]"] = terms["power_kW"]
        out[area, "heat duty [kW]"] = terms["duty_kW"]
        total_power += terms["power_kW"]
        total_duty += terms["duty_kW"]
    out["total", "power [kW]"] = total_power
    out["total", "heat duty [kW]"] = total_duty
    out["total", "power [kWh/t ore]"] = (total_power / result.ore_t_h
                                         if result.ore_t_h > 0 else 0.0)
    return out


def power_rows(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """Electrical power and heat duty (heat added) by plant area, and the plant total."""
    rows = side_by_side(("area", "quantity"), _per_result(results, _power))
    totals = side_by_side(("area", "quantity"), _per_result(
        results, lambda r: {k: v for k, v in _power(r).items() if k[0] == "total"}),
        keep_zero=True)
    return [r for r in rows if r["area"] != "total"] + totals


def _water(result: Result) -> dict[Key, float]:
    out: dict[Key, float] = {}
    for direction, flows in result.water.items():
        for stream, kg_h in flows.items():
            if kg_h > 0:
                out[stream, direction] = kg_h / 1000.0
        out["total", direction] = sum(flows.values()) / 1000.0
    return out


def water_rows(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """Liquid water in with each feed and out with each product [t/h], and totals."""
    rows = side_by_side(("feed or product", "direction"), _per_result(results, _water), "t/h")
    return ([r for r in rows if r["feed or product"] != "total"]
            + [r for r in rows if r["feed or product"] == "total"])


def _basis(result: Result) -> dict[Key, float]:
    worst = max(result.closure.values(), default=0.0)
    return {("ore (dry) [t/h]",): result.ore_t_h, ("Newton iterations",): result.iterations,
            ("worst element imbalance",): worst}


def basis_rows(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """Ore tonnage (the basis of every per-tonne figure) and the quality of each solve."""
    return side_by_side(("quantity",), _per_result(results, _basis), keep_zero=True)


def compare_sections(results: Mapping[str, Result]) -> dict[str, list[dict[str, Any]]]:
    """Every comparison table, titled: basis, recovery, grades, reagents, power, water."""
    return {
        "Basis": basis_rows(results),
        "Recovery to products": recovery_rows(results),
        "Product grades": grade_rows(results),
        "Reagents per tonne of ore": reagent_rows(results),
        "Power and heat by area": power_rows(results),
        "Water": water_rows(results),
    }


def _header(results: Mapping[str, Result], files: Mapping[str, str]) -> list[str]:
    first = next(iter(results))
    lines = [f"Comparison of {len(results)} flowsheets; Δ = difference to the first "
             f"({first}). '-': not in that file."]
    for label, result in results.items():
        state = "converged" if result.converged else "NOT converged"
        lines.append(f"{label}: {result.flowsheet_name} ({files.get(label, '')}), {state}")
        inputs = provenance_line(result.provenance)
        if inputs:
            lines.append(f"{label}: {inputs}")
    return lines


def _render_text(sections, results, files) -> str:
    parts = _header(results, files)
    for title, rows in sections.items():
        parts += ["", title, text_table(shown(rows)) if rows else "(nothing to compare)"]
    return "\n".join(parts) + "\n"


def _render_markdown(sections, results, files) -> str:
    head = _header(results, files)
    parts = ["# Flowsheet comparison", "", head[0], "", *(f"- {line}" for line in head[1:])]
    for title, rows in sections.items():
        parts += ["", f"## {title}", "",
                  markdown_table(shown(rows)) if rows else "(nothing to compare)"]
    return "\n".join(parts) + "\n"


#: the columns of the tidy (long-form) comparison table, the CSV of ``polyflow compare``
LONG_COLUMNS = ("case", "section", "item", "field", "unit", "value")


def _value_column(row: Mapping[str, Any], label: str) -> str | None:
    """The column of ``label``'s values in a side-by-side row (``label`` or
    ``label [unit]``)."""
    for k in row:
        if k == label or (k.startswith(f"{label} [") and k.endswith("]")):
            return k
    return None


def _split_unit(text: str) -> tuple[str, str]:
    """``"power [kW]"`` -> ``("power", "kW")``; text without a bracketed unit as is."""
    if text.endswith("]") and " [" in text:
        head, _, unit = text[:-1].rpartition(" [")
        return head, unit
    return text, ""


def long_rows(sections: Mapping[str, Sequence[Mapping[str, Any]]],
              labels: Sequence[str]) -> list[dict[str, Any]]:
    """The comparison as one tidy table, one value per row: ``case`` (the file's label),
    ``section``, ``item`` (the row's first key, such as the element or the area),
    ``field`` (its second key, such as the product, if any), ``unit`` and ``value``. A
    value a file does not have is left out (no row), differences are not repeated.

    >>> rows = long_rows({"Recovery": side_by_side(("element", "product"),
    ...     {"A": {("Cu", "pls"): 0.5}, "B": {("Cu", "pls"): 0.75}}, "%")}, ["A", "B"])
    >>> [(r["case"], r["item"], r["field"], r["unit"], r["value"]) for r in rows]
    [('A', 'Cu', 'pls', '%', 0.5), ('B', 'Cu', 'pls', '%', 0.75)]
    """
    out: list[dict[str, Any]] = []
    for title, rows in sections.items():
        for row in rows:
            columns = {lab: _value_column(row, lab) for lab in labels}
            values = set(columns.values())
            keys = [str(row[k]) for k in row if k not in values and k != "note"
                    and not k.startswith("Δ ")]
            if not keys:
                continue
            for lab, col in columns.items():
                if col is None or row.get(col) is None:
                    continue
                item, field = keys[0], " / ".join(keys[1:])
                field, unit = _split_unit(field) if field else ("", "")
                if not field:
                    item, unit = _split_unit(item)
                if not unit:
                    unit = _split_unit(col)[1]
                out.append({"case": lab, "section": title, "item": item, "field": field,
                            "unit": unit, "value": row[col]})
    return out


def _render_csv(sections, results) -> str:
    """The tidy table (:func:`long_rows`) after ``#`` lines with each case's file,
    content hash, overrides and the polyflow version."""
    preamble = "".join(f"# {label}: {r['item']}: {r['value']}\n"
                       for label, result in results.items()
                       for r in provenance_rows(result.provenance))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(LONG_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(long_rows(sections, list(results)))
    return preamble + buf.getvalue()


def _render_json(sections, results, files) -> str:
    doc = {"format_version": OUTPUT_FORMAT, "first": next(iter(results)),
           "files": {lab: {"path": files.get(lab), "flowsheet": r.flowsheet_name,
                           "converged": bool(r.converged), "provenance": r.provenance}
                     for lab, r in results.items()},
           "sections": sections}
    return json.dumps(doc, indent=2) + "\n"


def render_compare(results: Mapping[str, Result], fmt: str,
                   files: Mapping[str, str] | None = None,
                   economics: Mapping[str, Any] | None = None) -> str | bytes:
    """The comparison in format ``fmt`` (one of :data:`COMPARE_FORMATS`); ``files`` maps
    each label to the path it was read from; ``economics`` (label -> Economics or None)
    adds the headline economics side by side. xlsx comes back as bytes."""
    files = dict(files or {})
    sections = compare_sections(results)
    if economics and any(e is not None for e in economics.values()):
        from polyflow.report.economics import compare_rows

        sections["Economics"] = side_by_side(("figure",), compare_rows(economics),
                                             keep_zero=True)
    if fmt == "text":
        return _render_text(sections, results, files)
    if fmt == "md":
        return _render_markdown(sections, results, files)
    if fmt == "csv":
        return _render_csv(sections, results)
    if fmt == "json":
        return _render_json(sections, results, files)
    if fmt == "xlsx":
        from polyflow.report.xlsx import compare_workbook

        return compare_workbook(sections, _header(results, files))
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(COMPARE_FORMATS)}")
