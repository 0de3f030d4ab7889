"""A study table to CSV, JSON, a workbook (.xlsx) or Parquet (pandas and pyarrow), by the
file's suffix, written atomically (a temporary file renamed: nothing half-written).

CSV: one header row (varied inputs as ``PATH [UNIT]``, outputs by path, status columns),
numbers at full precision (``repr``), an empty cell for a number a failed point lacks.
JSON: ``{"columns": [...], "rows": [{column: value}], "counts": {...}}`` with ``null``
for those numbers.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polyflow.errors import InputError

if TYPE_CHECKING:
    from polyflow.study.runner import StudyTable

__all__ = ["TABLE_FORMATS", "table_bytes", "write_table"]

TABLE_FORMATS = ("csv", "json", "xlsx", "parquet")


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return v


def _json_value(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def table_bytes(table: StudyTable, fmt: str) -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        buf.write(_csv_preamble(table.provenance))
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(table.columns)
        for r in table.rows:
            w.writerow([_cell(r[c]) for c in table.columns])
        return buf.getvalue().encode()
    if fmt == "json":
        doc = {"provenance": table.provenance, "columns": table.columns,
               "varied": table.varied, "outputs": table.outputs,
               "counts": table.counts(),
               "rows": [{c: _json_value(r[c]) for c in table.columns} for r in table.rows]}
        return (json.dumps(doc, indent=1) + "\n").encode()
    if fmt == "xlsx":
        from openpyxl import Workbook

        from polyflow.report.xlsx import _sheets, _to_bytes

        wb = Workbook()
        _sheets(wb, {"Study": [{c: _json_value(r[c]) for c in table.columns}
                               for r in table.rows],
                     "Provenance": _provenance_rows(table.provenance)})
        return _to_bytes(wb)
    if fmt == "parquet":
        try:
            df = table.dataframe()
            buf = io.BytesIO()
            df.to_parquet(buf)
        except ImportError:
            raise InputError("a .parquet table needs pandas and pyarrow",
                             hint="pip install pandas pyarrow, or write .csv") from None
        return buf.getvalue()
    raise InputError(f"cannot write a study table as {fmt!r}",
                     hint="name the file " + ", ".join(f".{f}" for f in TABLE_FORMATS))


def write_table(table: StudyTable, path: Path) -> None:
    from polyflow.report import write_atomic

    write_atomic(path, table_bytes(table, path.suffix.lower().lstrip(".")))


def _provenance_rows(prov: dict[str, Any]) -> list[dict[str, Any]]:
    """``item``/``value`` rows of a study's provenance: its file, then the run's."""
    from polyflow.report.provenance import provenance_rows

    if not prov:
        return []
    head = [{"item": "study file (as given)", "value": prov.get("study")},
            {"item": "study sha256", "value": prov.get("study_sha256")}]
    if "seed" in prov:
        head.append({"item": "Monte Carlo seed", "value": prov["seed"]})
    return head + provenance_rows(prov)


def _csv_preamble(prov: dict[str, Any]) -> str:
    """``# item: value`` lines for the head of a study's CSV ('' without provenance)."""
    from polyflow.report.provenance import comment_lines

    return comment_lines(_provenance_rows(prov))
