"""Plain-text and Markdown tables from rows of dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["MISSING", "fmt", "markdown_table", "plain", "shown", "text_table"]

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


def plain(value: float, digits: int = 3) -> str:
    """A number to ``digits`` significant figures (whole numbers from 10**digits up)
    with thousands separators and never in scientific notation, for a figure's labels.

    >>> plain(1234567.8), plain(12.345), plain(0.000123456), plain(0.0)
    ('1,234,568', '12.3', '0.000123', '0')
    """
    import math

    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - exponent)
    return f"{value:,.{decimals}f}"


def _columns(rows: Sequence[dict], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols


#: in a text table, a number below this fraction of its column's largest is shown as 0:
#: a flow of 1e-16 t/h beside 400 t/h is the round-off of the solve, not a flow (the
#: solve's own round-off floor, as the stream table's ROUNDOFF_PHASE: a real trace, such
#: as 0.1 g/h of gold beside 750 t/h of oxygen, 1e-10 of it, is still shown)
TRACE = 1e-12


def _trace_free(rows: Sequence[dict], cols: Sequence[str], trace: float) -> list[list[str]]:
    top = {c: max((abs(r[c]) for r in rows if isinstance(r.get(c), float)), default=0.0)
           for c in cols}
    return [[fmt(0.0 if isinstance(v := r.get(c, ""), float) and abs(v) < trace * top[c]
                 else v) for c in cols] for r in rows]


def text_table(rows: Sequence[dict], columns: Sequence[str] | None = None,
               width: int | None = None, trace: float = TRACE) -> str:
    """Aligned columns for a terminal; numbers right-aligned, a number below ``trace``
    of its column's largest shown as 0. With ``width`` (the terminal's), a table wider
    than it is cut into blocks of columns that fit, each repeating the first column."""
    cols = _columns(rows, columns)
    cells = _trace_free(rows, cols, trace)
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    numeric = [all(isinstance(r.get(c), int | float) for r in rows) for c in cols]

    def block(idx: list[int]) -> str:
        def line(items):
            return "  ".join(items[i].rjust(widths[i]) if numeric[i] else
                             items[i].ljust(widths[i]) for i in idx).rstrip()
        return "\n".join([line(cols), line(["-" * w for w in widths]), *map(line, cells)])

    if width is None or sum(widths) + 2 * len(widths) <= width or len(cols) < 3:
        return block(list(range(len(cols))))
    blocks, current, used = [], [0], widths[0]
    for i in range(1, len(cols)):
        if used + 2 + widths[i] > width and len(current) > 1:
            blocks.append(current)
            current, used = [0], widths[0]
        current.append(i)
        used += 2 + widths[i]
    blocks.append(current)
    return "\n\n".join(block(b) for b in blocks)


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
