"""``polyflow compare`` and ``polyflow plot`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from polyflow.cli import main

FLOWSHEETS = Path(__file__).resolve().parents[2] / "flowsheets"
BASE = FLOWSHEETS / "copper_oxide_leach.toml"
HOT = FLOWSHEETS / "copper_oxide_leach_hot_acid.toml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_compare_text_shows_the_recovery_difference():
    res = run("compare", BASE, HOT)
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if ln.startswith("Cu       cathode"))
    a, b, d = (float(v) for v in line.split()[2:5])
    assert d == pytest.approx(b - a, abs=0.01)


def test_compare_json_and_xlsx_files(tmp_path):
    out = tmp_path / "cmp.json"
    res = run("compare", BASE, HOT, "--format", "json", "-o", out, "-q")
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert list(doc["files"]) == ["copper_oxide_leach", "copper_oxide_leach_hot_acid"]
    book = tmp_path / "cmp.xlsx"
    assert run("compare", BASE, HOT, "--format", "xlsx", "-o", book).exit_code == 0
    assert "Recovery to products" in load_workbook(book).sheetnames


def test_compare_set_applies_to_every_file_and_unmatched_products_show_a_dash(tmp_path):
    other = tmp_path / "no_bleed.toml"
    text = BASE.read_text()
    other.write_text(text.replace('[products.bleed]\nkind = "effluent"',
                                  '[products.purge]\nkind = "effluent"').replace(
        "bleed_split.bleed -> bleed", "bleed_split.bleed -> purge"))
    res = run("compare", BASE, other, "--format", "md", "--set", "leach.temperature=50 degC")
    assert res.exit_code == 0, res.output
    assert "| Cu | bleed |" in res.output and "only in copper_oxide_leach" in res.output
    assert "| Cu | purge | - |" in res.output


def test_compare_errors():
    res = run("compare", BASE)
    assert res.exit_code == 2 and "at least two" in res.output
    res = run("compare", BASE, "missing.toml")
    assert res.exit_code == 2 and "no such flowsheet file" in res.output
    res = run("compare", BASE, HOT, "--format", "xlsx")
    assert res.exit_code == 2 and "-o PATH.xlsx" in res.output


def test_run_xlsx(tmp_path):
    book = tmp_path / "run.xlsx"
    res = run("run", BASE, "--format", "xlsx", "-o", book)
    assert res.exit_code == 0, res.output
    assert load_workbook(book)["Streams"]["A1"].value == "stream"


@pytest.mark.parametrize(("kind", "extra"), [("flowsheet", ()), ("sankey", ("--element", "Cu")),
                                             ("streams", ("--streams", "ore_feed,pls"))])
def test_plot_kinds_write_png_and_svg(tmp_path, kind, extra):
    png, svg = tmp_path / f"{kind}.png", tmp_path / f"{kind}.svg"
    assert run("plot", BASE, "--kind", kind, *extra, "-o", png).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run("plot", BASE, "--kind", kind, *extra, "-o", svg, "-q").exit_code == 0
    assert b"<svg" in svg.read_bytes()[:1000]


def test_plot_recovery_of_two_files_and_default_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("plot", BASE, HOT, "--kind", "recovery")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "copper_oxide_leach_recovery.png").stat().st_size > 5000


def test_plot_errors(tmp_path):
    res = run("plot", BASE, "--kind", "sankey", "--element", "Zz", "-o", tmp_path / "s.png")
    assert res.exit_code == 2 and "no element 'Zz'" in res.output
    res = run("plot", BASE, "--kind", "sankey", "-o", tmp_path / "s.png")
    assert res.exit_code == 2 and "needs --element" in res.output
    res = run("plot", BASE, "--kind", "psd", "-o", tmp_path / "p.png")
    assert res.exit_code == 2 and "carries no particle size distributions" in res.output
    res = run("plot", tmp_path / "missing.toml", "-o", tmp_path / "f.png")
    assert res.exit_code == 2 and "no such flowsheet file" in res.output
    res = run("plot", BASE, "-o", tmp_path / "f.jpg")
    assert res.exit_code == 2 and ".png, .svg or .pdf" in res.output
    res = run("plot", BASE, HOT, "--kind", "sankey", "--element", "Cu")
    assert res.exit_code == 2 and "only --kind recovery takes several files" in res.output
    assert not list(tmp_path.iterdir())
