"""Regenerate the golden snapshots of the shipped flowsheets' results.

``tests/test_golden.py`` compares the JSON document (``--format json``, without its
timings and file path), the stream table and the comminution summaries of every
flowsheet in ``flowsheets/`` against the snapshot here, number by number (relative 1e-9)
and key by key. The snapshot is the behaviour the project has agreed on: a refactoring
must leave it unchanged.

Run this ONLY when a change of numbers is intended (new chemistry, a corrected datum, a
bug fix), and say in the commit message which numbers changed and why::

    .venv/bin/python tests/golden/regenerate.py            # every shipped flowsheet
    .venv/bin/python tests/golden/regenerate.py refinery   # only these (file stems)

It writes ``tests/golden/<stem>.json`` for each; ``git diff --stat tests/golden`` then
shows which plants moved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
#: keys of the JSON document that depend on the machine or the working directory
VOLATILE = ("timings_s", "source",
            # the file as given, its hash, the polyflow version (tests/report/test_provenance.py)
            "provenance", "format_version")


def shipped() -> list[Path]:
    """The shipped flowsheets, in name order."""
    return sorted((ROOT / "flowsheets").glob("*.toml"))


def snapshot(path: Path) -> dict[str, Any]:
    """The JSON document of one solved flowsheet without its volatile keys."""
    import polyflow
    from polyflow.report.comminution import sections
    from polyflow.report.export import json_document

    result = polyflow.load(path).solve()
    doc = json_document(result)
    for key in VOLATILE:
        doc.pop(key, None)
    # the tables the text, CSV and xlsx reports print, beyond the JSON document
    doc["stream_table"] = result.stream_table()
    doc["comminution"] = dict(sections(result))
    # through JSON, so the snapshot holds exactly what the file holds
    return json.loads(json.dumps(doc))


def main(stems: list[str]) -> None:
    paths = [p for p in shipped() if not stems or p.stem in stems]
    unknown = set(stems) - {p.stem for p in paths}
    if unknown:
        raise SystemExit(f"no shipped flowsheet named {sorted(unknown)}; "
                         f"known: {[p.stem for p in shipped()]}")
    for path in paths:
        out = GOLDEN / f"{path.stem}.json"
        out.write_text(json.dumps(snapshot(path), indent=1, sort_keys=True) + "\n")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
