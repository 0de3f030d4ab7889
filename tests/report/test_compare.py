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


def test_csv_has_one_row_per_compared_quantity(results):
    rows = list(csv.DictReader(io.StringIO(compare.render_compare(results, "csv"))))
    cu = [r for r in rows if r["section"] == "Recovery to products"
          and r["element"] == "Cu" and r["product"] == "cathode"]
    assert len(cu) == 1 and float(cu[0]["Δ hot [%]"]) > 3.0


def test_json_keeps_missing_values_as_null(results):
    doc = json.loads(compare.render_compare(results, "json"))
    assert doc["first"] == "base" and set(doc["files"]) == {"base", "hot"}
    rec = doc["sections"]["Recovery to products"]
    assert any(r["element"] == "Cu" and r["product"] == "cathode" for r in rec)


def test_unknown_format_is_refused(results):
    with pytest.raises(ValueError, match="unknown format"):
        compare.render_compare(results, "pdf")
