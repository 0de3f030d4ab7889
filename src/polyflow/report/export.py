"""Render a result in one format and write it atomically (no partial file on error)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polyflow.effluent.products import hazards, product_lines, products
from polyflow.io.provenance import OUTPUT_FORMAT
from polyflow.report import comminution, lines, tables
from polyflow.report.lines import line_sections
from polyflow.report.provenance import CSV_BOM, csv_preamble, provenance_line
from polyflow.report.selection import Selection
from polyflow.report.text import markdown_table, shown, text_table
from polyflow.report.water import water_balance
from polyflow.solve.spec_outcome import spec_lines

if TYPE_CHECKING:
    from polyflow.economics import Economics
    from polyflow.result import Result

__all__ = ["FORMATS", "json_document", "line_sections", "render", "source_as_given",
           "write_atomic"]

FORMATS = ("text", "csv", "json", "md")


def source_as_given(result: Result) -> str | None:
    """The flowsheet path as it was given (command line or :func:`polyflow.load`), not
    made absolute; the record's source where it has no provenance."""
    return result.provenance.get("flowsheet", result.source)


def json_document(result: Result, economics: Economics | None = None) -> dict[str, Any]:
    """The ``--format json`` document (schema in docs/json-output.md); with
    ``economics`` (:func:`polyflow.economics.economics_of`) also its ``economics``
    section (docs/economics.md). With size
    classes, species masses are per species (size classes added up) and each stream
    with sized solids has ``psd_passing_%`` (% passing each class's upper size) and
    ``p80_um``/``p50_um``."""
    sized = result.species.size_classes is not None
    floor = tables.roundoff_floor(result) if sized else 0.0
    streams = {}
    for s in result.streams:
        streams[s.name] = {
            "from": f"{s.src}.{s.src_port}", "to": f"{s.dst}.{s.dst_port}",
            "T_K": float(result.T_K[result.stream_index(s.name)]),
            "mass_kg_h": result.base_flow_kg_h(s.name) if sized
            else result.flow_kg_h(s.name),
            "elements_kg_h": result.elements_kg_h(s.name),
            **result.aqueous_of(s.name),
        }
        if sized and result._class_mass(s.name).sum() > floor:
            _, passing = result.psd(s.name)
            streams[s.name].update({"psd_passing_%": passing.tolist(),
                                    "p80_um": result.p80_um(s.name),
                                    "p50_um": result.p50_um(s.name)})
    extra: dict[str, Any] = {}
    if sized:
        extra = {"size_classes_um": (result.species.size_classes * 1e6).tolist(),
                 "components": list(result.species.ids)}
    product_table = products(result)
    by_line = {"lines": lines.line_rows(result), "recovery": lines.line_recovery_rows(result),
               "reagents": lines.line_reagent_rows(result)} if lines.has_lines(result) else {}
    if economics is not None:
        extra["economics"] = economics.to_dict()
    return {
        "format_version": result.provenance.get("format_version", OUTPUT_FORMAT),
        "flowsheet": result.flowsheet_name, "source": source_as_given(result),
        # what the run was made from: the file as given, its hash, --set, --spec, version
        "provenance": result.provenance,
        "converged": bool(result.converged), "closed": result.closed,
        "iterations": int(result.iterations),
        "max_scaled_residual": float(result.max_scaled_residual),
        "closure": result.closure, "species": list(result.species.base_ids),
        "streams": streams, "recovery": result.recovery, "energy": result.energy,
        "ore_t_h": result.ore_t_h, "reagents": result.reagents, "water_kg_h": result.water,
        "water_balance": water_balance(result), "by_line": by_line,
        "power_by_area": result.power_by_area, "specs": result.specs,
        "products": product_table, "warnings": hazards(result),
        "timings_s": result.timings, "aqueous_database": result.aqueous.get("database"),
        "aqueous_warnings": tables.aqueous_warnings(result), **extra,
        # how a variant was reached when not from the cold start (solve_variant)
        **({"message": result.message} if result.converged and result.message else {}),
    }


def _summary_lines(result: Result) -> list[str]:
    worst = max(result.closure.values(), default=0.0)
    status = "converged" if result.converged else "NOT converged"
    closed = "closed" if result.closed else "NOT closed"
    source = source_as_given(result)
    inputs = provenance_line(result.provenance)
    return [
        f"Flowsheet: {result.flowsheet_name}" + (f"  ({source})" if source else ""),
        *([inputs] if inputs else []),
        f"Solve: {status} in {result.iterations} Newton iterations, largest scaled residual "
        f"{result.max_scaled_residual:.1e}; {len(result.stream_names)} streams, "
        f"{len(result.units)} units, {len(result.species)} species"
        + (f" ({result.message})" if result.converged and result.message else ""),
        f"Element balance: {closed}, worst relative imbalance {worst:.1e} (target < 1e-9)",
        *spec_lines(result.specs),
        *product_lines(result),
    ]


def _economics_sections(economics: Economics | None) -> list[tuple[str, list[dict]]]:
    """The economics tables (polyflow.report.economics), none without economics."""
    if economics is None:
        return []
    from polyflow.report.economics import economics_sections

    return economics_sections(economics)


def render_text(result: Result, economics: Economics | None = None,
                width: int | None = None, selection: Selection | None = None) -> str:
    """The terminal report; tables wider than ``width`` (the terminal's) are cut into
    blocks of columns that fit (:func:`~polyflow.report.text.text_table`); ``selection``
    chooses sections, streams and an area (:class:`~polyflow.report.selection.Selection`)."""
    sel = (selection or Selection()).checked(result)
    streams = sel.stream_rows(result, tables.stream_rows(result))
    main = ["stream", "from", "to", "T [°C]", "solids [t/h]", "solution [m3/h]",
            "solids [%]"]
    if tables.has_sizes(result):
        main += ["P80 [um]", "P50 [um]"]
    if result.aqueous:
        main += [col for _, col in tables.AQUEOUS_COLUMNS]
    assays = [c for c in (streams[0] if streams else {}) if c not in main
              and c not in ("total [t/h]", "organic [m3/h]", "gas [t/h]")]
    has = {c for r in streams for c, v in r.items() if isinstance(v, float) and v != 0.0}
    extra = [c for c in ("organic [m3/h]", "gas [t/h]") if c in has]
    assays = [c for c in assays if c in has]
    warn = tables.aqueous_warnings(result)
    parts: list[str] = []

    def add(title: str, table: str) -> None:
        parts.extend(["", title, table] if parts else [title, table])

    if sel.wants("summary"):
        parts += _summary_lines(result)
    if sel.wants("streams"):
        add("Streams", text_table(streams, main + extra + assays, width=width)
            if streams else "(no stream)")
        if warn:
            add("Speciation beyond the activity model", "\n".join(warn))
    if sel.wants("balance"):
        add("Element balance (feeds in, products out)",
            text_table(tables.closure_rows(result), width=width))
    if sel.wants("recovery"):
        add("Recovery to products", text_table(tables.recovery_rows(result), width=width))
    energy = sel.unit_rows(result, tables.energy_rows(result))
    if energy and sel.wants("energy"):
        add("Energy", text_table(energy, width=width))
    details = sel.unit_rows(result, tables.unit_result_rows(result))
    if details and sel.wants("units"):
        add("Unit results", text_table(details, width=width))
    for title, rows in comminution.sections(result) if sel.wants("comminution") else ():
        rows = sel.unit_rows(result, rows)
        if rows:
            add(title, text_table(rows, width=width))
    reagents = tables.reagent_rows(result)
    if reagents and sel.wants("reagents"):
        add(f"Reagents (ore {result.ore_t_h:,.1f} t/h dry)", text_table(reagents, width=width))
    water = tables.water_rows(result)
    if water and sel.wants("water"):
        add("Water", text_table(water, width=width))
        add("Water balance", text_table(tables.water_summary_rows(result), width=width))
    for title, rows in [*(line_sections(result) if sel.wants("lines") else ()),
                        *(_economics_sections(economics) if sel.wants("economics") else ())]:
        add(title, text_table(shown(rows), width=width))
    return "\n".join(parts) + "\n"


def render_markdown(result: Result, economics: Economics | None = None,
                    selection: Selection | None = None) -> str:
    """The report in Markdown, with the sections, streams and area of ``selection``."""
    sel = (selection or Selection()).checked(result)
    parts = [f"# {result.flowsheet_name}"]
    if sel.wants("summary"):
        parts += ["", *(f"- {s}" for s in _summary_lines(result)[1:])]
    sections: list[tuple[str, str, list]] = [
        ("streams", "Streams", sel.stream_rows(result, tables.stream_rows(result))),
        ("balance", "Element balance", tables.closure_rows(result)),
        ("recovery", "Recovery to products", tables.recovery_rows(result)),
        ("energy", "Energy", sel.unit_rows(result, tables.energy_rows(result))),
        ("units", "Unit results", sel.unit_rows(result, tables.unit_result_rows(result))),
        *(("comminution", title, sel.unit_rows(result, rows))
          for title, rows in comminution.sections(result)),
        ("reagents", "Reagents", tables.reagent_rows(result)),
        ("water", "Water", tables.water_rows(result)),
        ("water", "Water balance", tables.water_summary_rows(result)),
        *(("lines", title, rows) for title, rows in line_sections(result)),
        *(("economics", title, rows) for title, rows in _economics_sections(economics))]
    for section, title, rows in sections:
        if rows and sel.wants(section):
            parts += ["", f"## {title}", "", markdown_table(shown(rows))]
    return "\n".join(parts) + "\n"


def render_csv(result: Result, selection: Selection | None = None) -> str:
    """The stream table with every species' mass flow: one row per stream (those of
    ``selection``), after ``#`` lines with the run's provenance
    (:func:`~polyflow.report.provenance.csv_preamble`)."""
    sel = (selection or Selection()).checked(result)
    rows = sel.stream_rows(result, tables.stream_rows(result))
    species = sel.stream_rows(result, tables.species_rows(result))
    merged = [{**a, **{k: v for k, v in b.items() if k != "stream"}}
              for a, b in zip(rows, species, strict=True)]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(merged[0]) if merged else ["stream"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(merged)
    return csv_preamble(result.provenance) + buf.getvalue()


def render(result: Result, fmt: str, economics: Economics | None = None,
           width: int | None = None, selection: Selection | None = None) -> str:
    """The result as text in format ``fmt`` (one of :data:`FORMATS`), with the
    economics of the run where given (not in CSV, which is the stream table), and the
    sections, streams and area of ``selection`` (text, Markdown; CSV: the streams)."""
    if fmt == "json":
        return json.dumps(json_document(result, economics), indent=2) + "\n"
    if fmt == "csv":
        return render_csv(result, selection)
    if fmt == "md":
        return render_markdown(result, economics, selection)
    if fmt == "text":
        return render_text(result, economics, width, selection)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_atomic(path: str | Path, text: str | bytes, bom: bool | None = None) -> None:
    """Write to a temporary file beside ``path`` and rename it into place, so a reader
    never sees a half-written file and an error leaves the old file untouched.

    A CSV file (``bom``; by default a ``.csv`` name) starts with the UTF-8 byte-order mark
    (``utf-8-sig``), so that Excel reads ``°C`` and ``Δ`` as written."""
    path = Path(path)
    if bom is None:
        bom = path.suffix.lower() == ".csv"
    if bom:
        mark = CSV_BOM.encode("utf-8") if isinstance(text, bytes) else CSV_BOM
        if not text.startswith(mark):
            text = mark + text
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o644)   # mkstemp makes it private; a report is for others to read
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
