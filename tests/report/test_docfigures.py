"""The figures marked in README.md and docs/*.md agree with the shipped flowsheets, and the
check fails on a deliberately changed figure (issue #18: docs showed iterations and
residuals the code no longer gave)."""

from __future__ import annotations

from pathlib import Path

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
