"""polyflow in a notebook: change an input with its units as --set does, see a plant and
a result as HTML, and get a clear message where an optional package is missing (issue #18).
"""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

import polyflow
from polyflow.errors import InputError, UnitsOfMeasureError

PLANT = Path(__file__).resolve().parents[1] / "flowsheets" / "copper_oxide_leach.toml"


def test_fs_set_equals_the_command_line_override():
    """fs.set(PATH, VALUE) and load(..., overrides) (what --set does) give the same plant
    to round-off, and the changes take effect (a richer ore makes more copper)."""
    changes = {"ore.grades.Cu": "1.5 %", "ore.solids": "220 t/h",
               "ccd2.split.underflow.solution": "40 %"}
    fs = polyflow.load(PLANT)
    base = fs.solve()
    for path, value in changes.items():
        fs.set(path, value)
    a = fs.solve()
    b = polyflow.load(PLANT, changes).solve()
    assert a.flows_kmol_h == pytest.approx(b.flows_kmol_h, rel=1e-12, abs=1e-15)
    cu_in = base.element_in_kg_h["Cu"], a.element_in_kg_h["Cu"]
    assert cu_in[1] / cu_in[0] == pytest.approx(1.5 * 220 / (1.2 * 250), rel=1e-9)


def test_fs_set_refuses_a_bad_value_and_changes_nothing():
    fs = polyflow.load(PLANT)
    unit = next(n for n, u in fs.units.items() if "temperature" in u.params and u.role ==
                "process")
    before = fs.unit(unit)
    with pytest.raises((InputError, UnitsOfMeasureError)):
        fs.set(f"{unit}.temperature", "45 m3/h")
    with pytest.raises(InputError, match="no parameter"):
        fs.set(f"{unit}.temperatur", "45 degC")
    assert fs.unit(unit) is before


def test_assigning_a_parameter_attribute_says_how_to_change_it():
    fs = polyflow.load(PLANT)
    unit = next(n for n, u in fs.units.items() if "temperature" in u.params)
    with pytest.raises(AttributeError, match=r"fs\.set\('" + unit + r"\.temperature'"):
        fs.unit(unit).temperature = "60 degC"


def test_html_views_of_a_plant_and_its_result():
    fs = polyflow.load(PLANT)
    html = fs._repr_html_()
    assert "<table>" in html and all(n in html for n in list(fs.units)[:5])
    result = fs.solve()
    html = result._repr_html_()
    assert "converged" in html and "recovery by element" in html and "Cu" in html


def test_dataframe_without_pandas_says_what_to_install(monkeypatch):
    result = polyflow.load(PLANT).solve()
    real_import = builtins.__import__

    def no_pandas(name, *args, **kw):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"polyflow\[pandas\].*stream_table"):
        result.dataframe()
