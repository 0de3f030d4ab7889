"""Spreadsheet (xlsx) export of a result or a comparison, with openpyxl.

One table per sheet, headers in bold with their units (``solids [t/h]``), numbers stored
as numbers (never as text), the header row frozen. The workbook comes back as bytes so the
caller can write it atomically (:func:`polyflow.report.export.write_atomic`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font

from polyflow.report import tables

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from polyflow.economics import Economics
    from polyflow.result import Result

__all__ = ["compare_workbook", "result_workbook"]

#: characters Excel does not allow in sheet names
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Excel's limit on sheet name length
_SHEET_NAME_MAX = 31


def _sheet_title(title: str) -> str:
    return _BAD_SHEET_CHARS.sub(" ", title)[:_SHEET_NAME_MAX]


def _cell(value: Any) -> Any:
    """A value as openpyxl stores it: numbers stay numbers, None stays empty."""
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _add_table(ws: Worksheet, rows: Sequence[Mapping[str, Any]],
               notes: Sequence[str] = ()) -> None:
    """Write ``notes`` (one per row), then a bold header row and the rows below it."""
    for note in notes:
        ws.append([note])
    columns: list[str] = []
    for r in rows:
        columns.extend(k for k in r if k not in columns)
    if not columns:
        ws.append(["(nothing to report)"])
        return
    ws.append(columns)
    header_row = ws.max_row
    for c in ws[header_row]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([_cell(r.get(c)) for c in columns])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    for i, name in enumerate(columns, start=1):
        width = max([len(str(name))] + [len(str(r.get(name, ""))) for r in rows[:200]])
        ws.column_dimensions[ws.cell(row=header_row, column=i).column_letter].width = \
            min(max(width, 8) + 2, 40)


def _to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheets(wb: Workbook, sheets: Mapping[str, Sequence[Mapping[str, Any]]],
            notes: Mapping[str, Sequence[str]] | None = None) -> None:
    notes = notes or {}
    wb.remove(wb.active)
    for title, rows in sheets.items():
        _add_table(wb.create_sheet(_sheet_title(title)), rows, notes.get(title, ()))


def result_workbook(result: Result, economics: Economics | None = None) -> bytes:
    """The run report as a workbook: streams (with every species' flow), element balance,
    recovery, energy, reagents and water, each on its own sheet; with ``economics`` also
    its tables (polyflow.report.economics), one sheet each."""
    streams = [{**a, **{k: v for k, v in b.items() if k != "stream"}}
               for a, b in zip(tables.stream_rows(result), tables.species_rows(result),
                               strict=True)]
    from polyflow.report.export import source_as_given
    from polyflow.report.provenance import provenance_rows

    summary = [{"item": "flowsheet", "value": result.flowsheet_name},
               {"item": "source", "value": source_as_given(result) or ""},
               {"item": "converged", "value": bool(result.converged)},
               {"item": "Newton iterations", "value": int(result.iterations)},
               {"item": "worst element imbalance",
                "value": max(result.closure.values(), default=0.0)},
               {"item": "ore (dry) [t/h]", "value": result.ore_t_h},
               # what the run was made from: file as given, hash, --set, --spec, versions
               *provenance_rows(result.provenance)]
    from polyflow.report.lines import line_sections

    wb = Workbook()
    _sheets(wb, {"Summary": summary, "Streams": streams,
                 "Element balance": tables.closure_rows(result),
                 "Recovery": tables.recovery_rows(result),
                 "Energy": tables.energy_rows(result),
                 "Unit results": tables.unit_result_rows(result),
                 "Reagents": tables.reagent_rows(result),
                 "Water": tables.water_rows(result),
                 "Water balance": tables.water_summary_rows(result),
                 **dict(zip(("Lines", "Line recovery", "Line reagents"),
                            (rows for _, rows in line_sections(result)), strict=False)),
                 **_economics_sheets(economics)})
    return _to_bytes(wb)


def _economics_sheets(economics: Economics | None) -> dict[str, list[dict[str, Any]]]:
    if economics is None:
        return {}
    from polyflow.report.economics import economics_sections

    names = ("Economics", "Value added", "Opex by line", "Products per tonne",
             "Opex by area", "Capex", "Cash flow", "Prices")
    return dict(zip(names, (rows for _, rows in economics_sections(economics)),
                    strict=True))


def compare_workbook(sections: Mapping[str, Sequence[Mapping[str, Any]]],
                     header: Sequence[str] = ()) -> bytes:
    """A comparison (:func:`polyflow.report.compare.compare_sections`) as a workbook, one
    sheet per table; values missing from a file are shown as ``-``."""
    from polyflow.report.text import shown

    wb = Workbook()
    _sheets(wb, {title: shown(rows) for title, rows in sections.items()},
            {next(iter(sections), ""): header})
    return _to_bytes(wb)
