"""The command line: outputs, exit codes, atomic files, error messages."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tests.io.test_reader import GOOD

from polyflow.cli import main


@pytest.fixture
def plant(tmp_path):
    path = tmp_path / "plant.toml"
    path.write_text(GOOD)
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_run_prints_a_summary_with_closure(plant):
    res = run("run", plant)
    assert res.exit_code == 0, res.output
    assert "converged in" in res.output
    assert "Element balance: closed" in res.output
    assert "Recovery to products" in res.output


def test_run_json_document_has_the_documented_keys(plant):
    res = run("run", plant, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["converged"] is True
    assert isinstance(doc["iterations"], int)
    assert set(doc["closure"]) == {"H", "O", "Cu", "S", "Si"}
    assert all(v < 1e-9 for v in doc["closure"].values())
    s3 = doc["streams"]["s3"]
    assert s3["from"] == "tank.out" and s3["to"] == "thickener.in"
    assert set(s3) >= {"from", "to", "T_K", "mass_kg_h", "elements_kg_h"}
    assert s3["mass_kg_h"]["H2O(l)"] == pytest.approx(7500.0)
    assert doc["recovery"]["Cu"]["pls"] == pytest.approx(0.7)
    assert set(doc["energy"]["tank"]) >= {"power_kW", "duty_kW"}


def test_csv_pastes_into_a_spreadsheet(plant):
    res = run("run", plant, "--format", "csv")
    lines = [line for line in res.output.splitlines() if not line.startswith("#")]
    assert lines[0].startswith("stream,from,to,T [°C],total [t/h]")
    assert len(lines) == 1 + 5


def test_output_file_is_written_atomically(plant, tmp_path):
    out = tmp_path / "result.json"
    res = run("run", plant, "--format", "json", "-o", out)
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["converged"] is True
    # a failing run leaves the previous file untouched and no temporary file behind
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('s5 = "thickener.overflow -> pls"',
                                's5 = "thickener.overflow -> tank"').replace(
        "[products.pls]\n", "").replace('solution = "30 %"', 'solution = "0 %"'))
    before = out.read_text()
    res = run("run", bad, "--format", "json", "-o", out)
    assert res.exit_code == 3
    assert "Jacobian is singular" in res.output
    assert out.read_text() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_file_exits_2_without_traceback(plant):
    plant.write_text(GOOD.replace('"mixer"', '"mixr"'))
    res = run("run", plant)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "unknown model 'mixr'" in res.output


def test_debug_shows_the_traceback(plant):
    plant.write_text(GOOD.replace('"mixer"', '"mixr"'))
    res = run("--debug", "run", plant)
    assert res.exception is not None and "mixr" in str(res.exception)


def test_missing_file_is_named(tmp_path):
    res = run("run", tmp_path / "nope.toml")
    assert res.exit_code == 2
    assert "nope.toml: no such flowsheet file" in res.output


def test_set_overrides_a_parameter(plant):
    res = run("run", plant, "--format", "json", "--set",
              "thickener.split={underflow={solids='100 %', solution='50 %'}}")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["recovery"]["Cu"]["pls"] == pytest.approx(0.5)


def test_set_needs_unit_dot_param(plant):
    res = run("run", plant, "--set", "nonsense")
    assert res.exit_code == 2
    assert "must read unit.param=value" in res.output


def test_check_reports_degrees_of_freedom(plant):
    res = run("check", plant)
    assert res.exit_code == 0, res.output
    assert "20 equations for 20 unknowns" in res.output


def test_check_names_an_over_specified_unit(plant):
    plant.write_text(GOOD.replace('model = "mixer"', 'model = "heater"\ntemperature = '
                                  '"40 degC"\nduty = "5 kW"'))
    res = run("check", plant)
    assert res.exit_code == 2
    assert "unit 'tank', field 'duty': over-specified: give exactly one of" in res.output


def test_units_catalogue_lists_models_and_parameters():
    res = run("units")
    assert res.exit_code == 0
    for model in ("mixer", "splitter", "separator", "stoichiometric_reactor", "heater",
                  "feed", "product"):
        assert f"{model}  (" in res.output
    res = run("units", "stoichiometric_reactor")
    assert "Source:" in res.output and "conversion" in res.output
    assert run("units", "mixr").exit_code == 2


def test_species_search():
    res = run("species", "tenorite")
    assert res.exit_code == 0
    assert "CuO(s)" in res.output and "NBS82" in res.output
