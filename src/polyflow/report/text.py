"""Plain-text and Markdown tables from rows of dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["MISSING", "fmt", "markdown_table", "shown", "text_table"]

#: how a missing value (``None``) is shown
MISSING = "-"


def fmt(value: Any) -> str:
    """A number to 4 significant figures without scientific notation where readable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0:
        return "0"
    a = abs(value)
    if 1e-3 <= a < 1e7:
        digits = max(0, 3 - int(f"{a:e}".split("e")[1]))
        return f"{value:,.{min(digits, 6)}f}"
    return f"{value:.3e}"


def _columns(rows: Sequence[dict], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols


def text_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    """Aligned columns for a terminal; numbers right-aligned."""
    cols = _columns(rows, columns)
    cells = [[fmt(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    numeric = [all(isinstance(r.get(c), int | float) for r in rows) for c in cols]

    def line(items):
        return "  ".join(s.rjust(w) if num else s.ljust(w)
                         for s, w, num in zip(items, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(cols), line(["-" * w for w in widths]), *map(line, cells)])


def markdown_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    cols = _columns(rows, columns)
    head = "| " + " | ".join(cols) + " |"
    sep = "|" + "|".join("---:" if all(isinstance(r.get(c), int | float) for r in rows)
                         else "---" for c in cols) + "|"
    body = ["| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join([head, sep, *body])


def shown(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows for display: ``None`` becomes ``-`` and an all-empty note column is dropped."""
    notes = any(r.get("note") for r in rows)
    return [{k: MISSING if v is None else v for k, v in r.items() if notes or k != "note"}
            for r in rows]
