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
from polyflow.report import comminution, lines, tables
from polyflow.report.lines import line_sections
from polyflow.report.text import markdown_table, shown, text_table
from polyflow.report.water import water_balance
from polyflow.solve.spec_outcome import spec_lines

if TYPE_CHECKING:
    from polyflow.economics import Economics
    from polyflow.result import Result

__all__ = ["FORMATS", "json_document", "line_sections", "render", "write_atomic"]

FORMATS = ("text", "csv", "json", "md")


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
        "flowsheet": result.flowsheet_name, "source": result.source,
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
    return [
        f"Flowsheet: {result.flowsheet_name}" + (f"  ({result.source})"
                                                 if result.source else ""),
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
                width: int | None = None) -> str:
    """The terminal report; tables wider than ``width`` (the terminal's) are cut into
    blocks of columns that fit (:func:`~polyflow.report.text.text_table`)."""
    streams = tables.stream_rows(result)
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
    parts = [*_summary_lines(result), "", "Streams",
             text_table(streams, main + extra + assays, width=width),
             *(["", "Speciation beyond the activity model", *warn] if warn else []),
             "", "Element balance (feeds in, products out)",
             text_table(tables.closure_rows(result), width=width),
             "", "Recovery to products", text_table(tables.recovery_rows(result), width=width)]
    energy = tables.energy_rows(result)
    if energy:
        parts += ["", "Energy", text_table(energy, width=width)]
    details = tables.unit_result_rows(result)
    if details:
        parts += ["", "Unit results", text_table(details, width=width)]
    for title, rows in comminution.sections(result):
        parts += ["", title, text_table(rows, width=width)]
    reagents = tables.reagent_rows(result)
    if reagents:
        parts += ["", f"Reagents (ore {result.ore_t_h:,.1f} t/h dry)",
                  text_table(reagents, width=width)]
    water = tables.water_rows(result)
    if water:
        parts += ["", "Water", text_table(water, width=width), "",
                  "Water balance", text_table(tables.water_summary_rows(result), width=width)]
    for title, rows in [*line_sections(result), *_economics_sections(economics)]:
        parts += ["", title, text_table(shown(rows), width=width)]
    return "\n".join(parts) + "\n"


def render_markdown(result: Result, economics: Economics | None = None) -> str:
    parts = [f"# {result.flowsheet_name}", "", *(f"- {s}" for s in _summary_lines(result)[1:]),
             "", "## Streams", "", markdown_table(tables.stream_rows(result)), "",
             "## Element balance", "", markdown_table(tables.closure_rows(result)), "",
             "## Recovery to products", "", markdown_table(tables.recovery_rows(result))]
    energy = tables.energy_rows(result)
    if energy:
        parts += ["", "## Energy", "", markdown_table(energy)]
    details = tables.unit_result_rows(result)
    if details:
        parts += ["", "## Unit results", "", markdown_table(details)]
    for title, rows in comminution.sections(result):
        parts += ["", f"## {title}", "", markdown_table(rows)]
    for title, rows in (("Reagents", tables.reagent_rows(result)),
                        ("Water", tables.water_rows(result)),
                        ("Water balance", tables.water_summary_rows(result)),
                        *line_sections(result), *_economics_sections(economics)):
        if rows:
            parts += ["", f"## {title}", "", markdown_table(shown(rows))]
    return "\n".join(parts) + "\n"


def render_csv(result: Result) -> str:
    """The stream table with every species' mass flow: one row per stream."""
    rows = tables.stream_rows(result)
    species = tables.species_rows(result)
    merged = [{**a, **{k: v for k, v in b.items() if k != "stream"}}
              for a, b in zip(rows, species, strict=True)]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(merged[0]) if merged else ["stream"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(merged)
    return buf.getvalue()


def render(result: Result, fmt: str, economics: Economics | None = None,
           width: int | None = None) -> str:
    """The result as text in format ``fmt`` (one of :data:`FORMATS`), with the
    economics of the run where given (not in CSV, which is the stream table)."""
    if fmt == "json":
        return json.dumps(json_document(result, economics), indent=2) + "\n"
    if fmt == "csv":
        return render_csv(result)
    if fmt == "md":
        return render_markdown(result, economics)
    if fmt == "text":
        return render_text(result, economics, width)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place, so a reader
    never sees a half-written file and an error leaves the old file untouched."""
    path = Path(path)
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
