"""docs/units.md is generated from the unit classes and must not drift from them."""

from __future__ import annotations

from pathlib import Path

from polyflow.report.catalogue import markdown_reference

UNITS_MD = Path(__file__).resolve().parents[2] / "docs" / "units.md"


def test_committed_units_reference_matches_the_unit_classes():
    assert UNITS_MD.read_text(encoding="utf-8") == markdown_reference() + "\n", (
        "docs/units.md is out of date: run "
        "'python -m polyflow.report.catalogue > docs/units.md'")


def test_parameter_kinds_read_as_what_they_take():
    """A whole number shows its range and a choice its words, not "-" or "table"."""
    from polyflow.report.catalogue import describe

    ccd = describe("ccd")
    assert "stages" in ccd and "[whole number 1–20]" in ccd
    choices = [line for line in markdown_reference().splitlines() if "| one of " in line]
    assert choices, "no choice parameter is listed with its words"
