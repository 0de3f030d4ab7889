"""The figures marked in README.md and docs/*.md agree with the shipped flowsheets, and the
check fails on a deliberately changed figure (issue #18: docs showed iterations and
residuals the code no longer gave)."""

from __future__ import annotations

from pathlib import Path

import pytest

from polyflow.report.docfigures import ROOT, check, figures, rewrite


def test_marked_figures_agree_with_the_flowsheets():
    found = figures([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    assert len(found) >= 8
    problems = check()
    assert not problems, ("docs disagree with the code; run 'python -m "
                          "polyflow.report.docfigures --write':\n" + "\n".join(problems))


def test_a_changed_figure_is_caught_and_rewritten(tmp_path: Path):
    doc = tmp_path / "page.md"
    doc.write_text("The plant solves in <!--fig:copper_oxide_leach:iterations-->99<!--/fig-->"
                   " iterations; Cu recovery <!--fig:copper_oxide_leach:recovery.Cu.cathode"
                   "|pct-->0.0<!--/fig--> %.\n", encoding="utf-8")
    problems = check([doc])
    assert len(problems) == 2 and "shows '99'" in problems[0]
    assert rewrite([doc]) == 2
    assert not check([doc])
    assert "99" not in doc.read_text(encoding="utf-8")


def test_a_row_of_a_table_is_picked_by_its_fields():
    """``FIELD=VALUE&...`` picks one row of a list (the by-line tables); none or two
    matching rows is an error, not a silent figure."""
    from polyflow.report.docfigures import _lookup

    doc = {"by_line": {"lines": [{"line": "cu", "unit": "ew", "power [kW]": 5.0},
                                 {"line": "au", "unit": "mill", "power [kW]": 7.0},
                                 {"line": "au", "unit": "cil", "power [kW]": 8.0}]}}
    assert _lookup(doc, "by_line.lines.line=cu.power [kW]") == 5.0
    assert _lookup(doc, "by_line.lines.line=au&unit=cil.power [kW]") == 8.0
    for bad in ("by_line.lines.line=au.power [kW]", "by_line.lines.line=w.power [kW]"):
        with pytest.raises(KeyError):
            _lookup(doc, bad)


def test_a_figure_in_a_table_cell_uses_a_tilde_and_keeps_it(tmp_path: Path):
    """In a Markdown table a '|' splits the cell even inside a comment: '~' marks the
    format there, and a rewrite keeps it."""
    doc = tmp_path / "table.md"
    doc.write_text("| plant | iterations |\n|---|---|\n| leach | <!--fig:copper_oxide_leach:"
                   "recovery.Cu.cathode~pct-->1.0<!--/fig--> |\n", encoding="utf-8")
    [(_path, _line, shown, name, key, fmt)] = figures([doc])
    assert (shown, name, key, fmt) == ("1.0", "copper_oxide_leach", "recovery.Cu.cathode", "pct")
    assert len(check([doc])) == 1 and rewrite([doc]) == 1 and not check([doc])
    text = doc.read_text(encoding="utf-8")
    assert "cathode~pct-->" in text and text.splitlines()[2].count("|") == 3
