"""Spreadsheet export: sheets, numeric cells, units in headers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from polyflow.report.compare import render_compare
from polyflow.report.xlsx import result_workbook


def _book(data: bytes):
    return load_workbook(io.BytesIO(data), read_only=True)


def test_run_workbook_has_a_sheet_per_table_with_numbers(base_result):
    wb = _book(result_workbook(base_result))
    assert wb.sheetnames == ["Summary", "Streams", "Element balance", "Recovery", "Energy",
                             "Unit results", "Reagents", "Water", "Water balance"]
    rows = list(wb["Streams"].values)
    header = rows[0]
    assert header[0] == "stream" and "solids [t/h]" in header
    ore = next(r for r in rows if r[0] == "ore_feed")
    assert ore[header.index("solids [t/h]")] == pytest.approx(250.0)
    assert ore[header.index("Cu solids [%]")] == pytest.approx(1.2)
    balance = list(wb["Element balance"].values)
    assert balance[0] == ("element", "in [kg/h]", "out [kg/h]", "relative imbalance")
    assert all(isinstance(r[1], int | float) for r in balance[1:])   # not text


def test_compare_workbook_shows_missing_values_as_dash(base_result, hot_result):
    wb = _book(render_compare({"base": base_result, "hot": hot_result}, "xlsx"))
    assert wb.sheetnames == ["Basis", "Recovery to products", "Product grades",
                             "Reagents per tonne of ore", "Power and heat by area", "Water"]
    rows = list(wb["Recovery to products"].values)
    header = rows[0]
    cu = next(r for r in rows if r[:2] == ("Cu", "cathode"))
    assert cu[header.index("Δ hot [%]")] == pytest.approx(
        100 * (hot_result.recovery["Cu"]["cathode"] - base_result.recovery["Cu"]["cathode"]))
