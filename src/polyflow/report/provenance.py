"""The provenance of a run as every output writes it (record: polyflow.io.provenance).

JSON carries it as ``provenance`` (docs/json-output.md); the text and Markdown reports
as a header line; CSV as ``#`` lines before the header row (``pandas.read_csv(...,
comment="#")`` skips them); the workbook as rows of its Summary sheet.

>>> p = {"flowsheet": "plant.toml", "flowsheet_sha256": "ab" * 32,
...      "overrides": {"leach.temperature": "50 degC"}, "specs": {},
...      "polyflow_version": "0.1.0", "format_version": 1}
>>> provenance_line(p).split("; ")
["Inputs: plant.toml (sha256 abababababab…), --set leach.temperature='50 degC'",
 'polyflow 0.1.0, output format 1']
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["CSV_BOM", "comment_lines", "csv_preamble", "provenance_line", "provenance_rows",
           "set_text", "spec_text"]

#: what a CSV file starts with, so that Excel reads it as UTF-8 (``°C``, not ``Â°C``)
CSV_BOM = "\ufeff"


def set_text(key: str, value: Any) -> str:
    """One override as the command line writes it: ``leach.temperature='50 degC'``."""
    return f"{key}={value!r}" if isinstance(value, str) else f"{key}={json.dumps(value)}"


def spec_text(name: str, spec: Mapping[str, Any]) -> str:
    """One spec as ``--spec`` reads it (docs/specs.md)."""
    bounds = spec.get("bounds")
    tail = f", bounds={bounds[0]}..{bounds[1]}" if bounds else ""
    return (f"{name}: vary={spec['vary']}, target={spec['target']}, "
            f"value={spec['value']}{tail}")


def provenance_line(prov: Mapping[str, Any]) -> str:
    """One line for a report's header (empty for a flowsheet built in code)."""
    if not prov:
        return ""
    digest = prov.get("flowsheet_sha256")
    parts = [f"{prov['flowsheet']}" + (f" (sha256 {digest[:12]}…)" if digest else "")]
    parts += [f"--set {set_text(k, v)}" for k, v in prov.get("overrides", {}).items()]
    parts += [f"--spec '{spec_text(n, s)}'" for n, s in prov.get("specs", {}).items()]
    return (f"Inputs: {', '.join(parts)}; polyflow {prov.get('polyflow_version')}, "
            f"output format {prov.get('format_version')}")


def provenance_rows(prov: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``item``/``value`` rows: path, hash, every override and spec, versions."""
    if not prov:
        return []
    rows = [{"item": "flowsheet file (as given)", "value": prov["flowsheet"]},
            {"item": "flowsheet sha256 (with includes)", "value": prov.get("flowsheet_sha256")},
            {"item": "flowsheet format_version", "value": prov.get("flowsheet_format_version")}]
    rows += [{"item": "--set", "value": set_text(k, v)}
             for k, v in prov.get("overrides", {}).items()]
    rows += [{"item": "--spec", "value": spec_text(n, s)}
             for n, s in prov.get("specs", {}).items()]
    rows += [{"item": "polyflow version", "value": prov.get("polyflow_version")},
             {"item": "output format_version", "value": prov.get("format_version")}]
    return rows


def comment_lines(rows: list[dict[str, Any]]) -> str:
    """``item``/``value`` rows as ``# item: value`` lines, for the head of a CSV file."""
    return "".join(f"# {r['item']}: {r['value']}\n" for r in rows)


def csv_preamble(prov: Mapping[str, Any]) -> str:
    """``# item: value`` lines for the head of a CSV file ('' without provenance)."""
    return comment_lines(provenance_rows(prov))
