"""Side-by-side comparison: numbers, differences, things in only one file, formats."""

from __future__ import annotations

import csv
import io
import json

import pytest

from polyflow.report import compare


@pytest.fixture(scope="module")
def results(base_result, hot_result):
    return {"base": base_result, "hot": hot_result}


def _row(rows, **keys):
    [row] = [r for r in rows if all(r[k] == v for k, v in keys.items())]
    return row


def test_recovery_difference_is_b_minus_a(results, base_result, hot_result):
    row = _row(compare.recovery_rows(results), element="Cu", product="cathode")
    a, b = base_result.recovery["Cu"]["cathode"], hot_result.recovery["Cu"]["cathode"]
    assert row["base [%]"] == pytest.approx(100 * a)
    assert row["hot [%]"] == pytest.approx(100 * b)
    assert row["Δ hot [%]"] == pytest.approx(100 * (b - a))
    assert row["Δ hot [%]"] > 3.0           # the hotter leach recovers more copper
    assert row["note"] == ""


def test_all_zero_rows_are_left_out_and_round_off_is_zero(results):
    rows = compare.recovery_rows(results)
    assert not [r for r in rows if r["element"] == "Si" and r["product"] == "cathode"]
    assert _row(rows, element="Ca", product="residue")["Δ hot [%]"] == 0.0


def test_something_in_only_one_file_is_shown_as_such():
    rows = compare.side_by_side(("product",), {"A": {("cathode",): 1.0},
                                               "B": {("cathode",): 2.0, ("bleed",): 3.0}})
    bleed = _row(rows, product="bleed")
    assert bleed["A"] is None and bleed["B"] == 3.0 and bleed["Δ B"] is None
    assert bleed["note"] == "only in B"
    assert compare.shown(rows)[1]["A"] == "-"


def test_grades_reagents_power_water(results, base_result, hot_result):
    grade = _row(compare.grade_rows(results), product="residue", assay="Cu solids [%]")
    assert grade["base"] == pytest.approx(100 * base_result.solids_assay("washed_residue")["Cu"])
    assert grade["hot"] < grade["base"]
    acid = _row(compare.reagent_rows(results), feed="acid", species="H2SO4(aq)")
    assert acid["base [kg/t ore]"] == pytest.approx(36.0)
    duty = _row(compare.power_rows(results), area="total", quantity="heat duty [kW]")
    assert duty["Δ hot"] == pytest.approx(
        sum(t["duty_kW"] for t in hot_result.power_by_area.values())
        - sum(t["duty_kW"] for t in base_result.power_by_area.values()))
    water = _row(compare.water_rows(results), **{"feed or product": "process_water",
                                                 "direction": "in"})
    assert water["base [t/h]"] == pytest.approx(110.0)


def test_text_and_markdown_name_every_section(results):
    text = compare.render_compare(results, "text", {"base": "a.toml", "hot": "b.toml"})
    for title in ("Recovery to products", "Product grades", "Reagents per tonne of ore",
                  "Power and heat by area", "Water"):
        assert title in text
    assert "difference to the first (base)" in text
    md = compare.render_compare(results, "md")
    assert "## Recovery to products" in md and "| element | product |" in md


def _csv_rows(text: str) -> list[dict]:
    """The CSV's rows after its ``#`` provenance lines."""
    body = "".join(line for line in io.StringIO(text) if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_is_a_tidy_table_with_one_value_per_row(results, base_result, hot_result):
    """Issue #18: case, section, item, field, unit, value; every value of the
    side-by-side tables once (none of the differences, which are derived)."""
    text = compare.render_compare(results, "csv")
    rows = _csv_rows(text)
    assert list(rows[0]) == list(compare.LONG_COLUMNS)
    cu = {r["case"]: r for r in rows if r["section"] == "Recovery to products"
          and r["item"] == "Cu" and r["field"] == "cathode"}
    assert set(cu) == {"base", "hot"} and {r["unit"] for r in cu.values()} == {"%"}
    assert float(cu["base"]["value"]) == pytest.approx(
        100 * base_result.recovery["Cu"]["cathode"], rel=1e-12)
    assert float(cu["hot"]["value"]) - float(cu["base"]["value"]) > 3.0
    power = [r for r in rows if r["section"] == "Power and heat by area"
             and r["item"] == "total" and r["field"] == "power"]
    assert sorted(r["unit"] for r in power) == ["kW", "kW", "kWh/t ore", "kWh/t ore"]
    wide = compare.compare_sections(results)
    n_values = sum(r.get(col) is not None for rs in wide.values() for r in rs
                   for col in r if col in ("base", "hot") or col.startswith(("base [",
                                                                             "hot [")))
    assert len(rows) == n_values
    assert all(r["case"] in ("base", "hot") and r["item"] for r in rows)
    # each case's inputs in '#' lines before the header
    assert "# hot: flowsheet file (as given): " in text


def test_json_keeps_missing_values_as_null(results):
    doc = json.loads(compare.render_compare(results, "json"))
    assert doc["first"] == "base" and set(doc["files"]) == {"base", "hot"}
    rec = doc["sections"]["Recovery to products"]
    assert any(r["element"] == "Cu" and r["product"] == "cathode" for r in rec)


def test_unknown_format_is_refused(results):
    with pytest.raises(ValueError, match="unknown format"):
        compare.render_compare(results, "pdf")
