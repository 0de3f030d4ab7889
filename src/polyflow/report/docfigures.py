"""Figures in the docs that cannot drift: a number written in README.md or docs/*.md between
markers is computed from the shipped flowsheet it names, and a test fails when the text and
the code disagree.

A marker is an HTML comment (invisible when the Markdown is rendered) around the number:

    8 Newton iterations  ->  <!--fig:refinery:iterations-->8<!--/fig--> Newton iterations

``refinery`` is the flowsheet (``flowsheets/refinery.toml``); the key is a dotted path in
the ``--format json`` document, its ``economics`` section included when the file has one
(``recovery.Cu.cathode``, ``water_balance.recycled_t_h``, ``economics.npv_USD``)
(a part ``FIELD=VALUE&...`` picks a row of a list: ``by_line.lines.line=cu.power [kW]``)
or one of :data:`DERIVED`, with an optional format after ``|``: ``int``, ``pct`` (a
fraction as a percentage, 1 decimal), ``pct0``, ``musd`` (USD as whole millions),
``g3`` (3 significant digits, the default for numbers), ``f2`` (2 decimals). Inside a
Markdown table write ``~`` for ``|`` (``<!--fig:refinery:iterations~int-->``): a ``|``
splits the table's cell even inside a comment.

    python -m polyflow.report.docfigures           # check: list the figures that differ
    python -m polyflow.report.docfigures --write   # rewrite them from the flowsheets
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["DERIVED", "MARKER", "check", "figures", "render", "rewrite"]

ROOT = Path(__file__).resolve().parents[3]
MARKER = re.compile(r"<!--fig:([\w.-]+):([^|~>]+?)(?:([|~])(\w+))?-->(.*?)<!--/fig-->")


def _water(doc: dict, key: str) -> float:
    return float(doc["water_balance"].get(key, 0.0))


def _power_above(value: float) -> str:
    """The smallest power of ten above ``value``, as ``1e-15``."""
    return f"1e{math.ceil(math.log10(max(value, 1e-300) * (1 + 1e-12)))}"


#: figures that are not a single number of the JSON document
DERIVED: dict[str, Callable[[dict, Any], Any]] = {
    "n_streams": lambda doc, r: len(r.streams),
    "n_units": lambda doc, r: len(r.units),
    "n_species": lambda doc, r: len(doc["species"]),
    "n_species_columns": lambda doc, r: len(r.species.ids),     # with size classes
    "recycle_ratio": lambda doc, r: _water(doc, "recycled_t_h") / (
        _water(doc, "recycled_t_h") + _water(doc, "in_water_t_h")),
    "fresh_water_m3_t": lambda doc, r: _water(doc, "fresh_water_m3_per_t_ore"),
    "worst_closure": lambda doc, r: max(doc["closure"].values()),
    # the power of ten the worst closure stays below (round-off moves the digits)
    "closure_below": lambda doc, r: _power_above(max(doc["closure"].values())),
}


def _format(value: Any, fmt: str | None) -> str:
    if isinstance(value, str):
        return value
    if fmt == "int":
        return f"{round(value):,}"
    if fmt == "pct":
        return f"{100 * value:.1f}"
    if fmt == "pct0":
        return f"{100 * value:.0f}"
    if fmt == "musd":
        return f"{value / 1e6:,.0f}"
    if fmt and fmt.startswith("f") and fmt[1:].isdigit():
        return f"{value:,.{int(fmt[1:])}f}"
    if fmt and fmt.startswith("g") and fmt[1:].isdigit():
        return f"{value:.{int(fmt[1:])}g}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3g}"


def _lookup(doc: dict, key: str) -> Any:
    """The value at the dotted path ``key``; in a list of rows (``by_line.recovery``), a
    part ``FIELD=VALUE&FIELD=VALUE`` picks the one row whose fields have those values:
    ``by_line.recovery.line=cu&element=Cu.recovery [% of line feed]``."""
    node: Any = doc
    for part in key.split("."):
        if isinstance(node, list) and "=" in part:
            want = dict(item.split("=", 1) for item in part.split("&"))
            rows = [r for r in node if isinstance(r, dict)
                    and all(str(r.get(k)) == v for k, v in want.items())]
            if len(rows) != 1:
                raise KeyError(f"{key}: {len(rows)} rows match {part!r}")
            node = rows[0]
            continue
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


def _documents(names: Iterable[str]) -> dict[str, tuple[dict, Any]]:
    import polyflow
    from polyflow.economics import economics_of
    from polyflow.report.export import json_document

    out = {}
    for name in sorted(set(names)):
        path = ROOT / "flowsheets" / f"{name}.toml"
        result = polyflow.load(path).solve()
        out[name] = (json_document(result, economics_of(path, result)), result)
    return out


def render(name: str, key: str, fmt: str | None, docs: dict[str, tuple[dict, Any]]) -> str:
    doc, result = docs[name]
    value = DERIVED[key](doc, result) if key in DERIVED else _lookup(doc, key)
    return _format(value, fmt)


def figures(paths: Iterable[Path]) -> list[tuple[Path, int, str, str, str, str | None]]:
    """Every marker: (file, line, shown text, flowsheet, key, format)."""
    out = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for m in MARKER.finditer(line):
                out.append((path, n, m.group(5), m.group(1), m.group(2), m.group(4)))
    return out


def _doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def check(paths: Iterable[Path] | None = None) -> list[str]:
    """The figures whose text differs from what the flowsheets give: one line each
    (``file:line: shown 'X', the flowsheet gives 'Y' (flowsheet:key)``)."""
    found = figures(paths if paths is not None else _doc_files())
    docs = _documents(f[3] for f in found)
    bad = []
    for path, line, shown, name, key, fmt in found:
        want = render(name, key, fmt, docs)
        if shown != want:
            bad.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:"
                       f"{line}: shows {shown!r}, the flowsheet gives {want!r} "
                       f"({name}:{key})")
    return bad


def rewrite(paths: Iterable[Path] | None = None) -> int:
    """Rewrite every marked figure from the flowsheets; returns how many changed."""
    paths = list(paths if paths is not None else _doc_files())
    docs = _documents(f[3] for f in figures(paths))
    changed = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")

        def sub(m: re.Match) -> str:
            nonlocal changed
            want = render(m.group(1), m.group(2), m.group(4), docs)
            changed += want != m.group(5)
            fmt = f"{m.group(3)}{m.group(4)}" if m.group(4) else ""
            return f"<!--fig:{m.group(1)}:{m.group(2)}{fmt}-->{want}<!--/fig-->"

        new = MARKER.sub(sub, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    return changed


if __name__ == "__main__":  # pragma: no cover
    if "--write" in sys.argv:
        print(f"{rewrite()} figure(s) rewritten")
    else:
        problems = check()
        print("\n".join(problems) or "every marked figure agrees with the flowsheets")
        sys.exit(1 if problems else 0)
