"""Revenue, feed value, operating cost and CO2 of a solved plant with an [economics]
table: checked against the same figures worked out by hand from the solved flows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import polyflow
from polyflow.cli import main
from polyflow.economics import economics_of, read_economics
from polyflow.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
PRICES = ROOT / "flowsheets" / "economics" / "prices_2026.toml"

#: the copper SX-EW plant with its economics: cathode at 96.5 % payable (a round figure
#: that is not 1, so the payable is seen), ore valued at 30 % of its copper
ECONOMICS = f"""
[flowsheet]
name = "copper SX-EW with economics"
include = ["{(ROOT / 'flowsheets' / 'copper_sx_ew.toml').as_posix()}"]

[economics]
prices = "{PRICES.as_posix()}"

[economics.products.cathode]
payable = {{ Cu = "96.5 %" }}
source = "test"

[economics.feeds.ore]
payable = {{ Cu = "30 %" }}
source = "test"

[economics.finance]
operating_hours = {{ value = "8000 h/y", source = "test" }}
discount_rate = {{ value = "8 %", source = "test" }}
tax_rate = {{ value = "29 %", source = "test" }}
life = {{ value = "20 y", source = "test" }}
depreciation_life = {{ value = "10 y", source = "test" }}

[economics.schedule]
source = "test"
2026 = "20 %"
2027 = "50 %"
2028 = "30 %"

[economics.capital]
lang_factor = {{ value = 3.63, source = "test" }}
contingency = {{ value = "15 %", source = "test" }}
cepci = {{ value = 798.8, source = "test" }}

[economics.operating]
maintenance = {{ value = "4 %", source = "test" }}
labour = {{ value = "2 MUSD/y", source = "test" }}
"""


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    path = tmp_path_factory.mktemp("econ") / "cu_econ.toml"
    path.write_text(ECONOMICS, encoding="utf-8")
    result = polyflow.load(path).solve()
    return path, result


def test_revenue_is_flow_times_price_times_payable_times_hours(plant):
    path, result = plant
    econ = economics_of(path, result)
    cu_kg_h = result.elements_kg_h(result.products["cathode"])["Cu"]
    by_hand = cu_kg_h * (9380 / 1000) * 0.965 * 8000      # kg/h x USD/kg x payable x h/y
    assert econ.revenue_USD_y["cathode"] == pytest.approx(by_hand, rel=1e-14)
    assert econ.revenue_USD_y["total"] == econ.revenue_USD_y["cathode"]


def test_feed_value_and_value_added(plant):
    path, result = plant
    econ = economics_of(path, result)
    ore_cu = result.elements_kg_h(next(s.name for s in result.streams
                                       if s.src == "ore"))["Cu"]
    assert econ.feed_value_USD_y["ore"] == pytest.approx(ore_cu * 9.38 * 0.30 * 8000,
                                                         rel=1e-14)
    added = econ.value_added_over_ore_pct["total"]
    assert added == pytest.approx(100 * (econ.revenue_USD_y["total"] /
                                         econ.feed_value_USD_y["ore"] - 1), rel=1e-12)


def test_set_of_a_price_moves_revenue_proportionally(plant):
    path, result = plant
    base = economics_of(path, result)
    doubled = economics_of(path, result, {"economics.prices.Cu": "18760 USD/t"})
    assert doubled.revenue_USD_y["cathode"] == pytest.approx(
        2 * base.revenue_USD_y["cathode"], rel=1e-14)
    assert doubled.prices["Cu"]["source"] == "--set on the command line"
    # the feed is valued at the same price: it doubles too, the value added in % stays
    assert doubled.value_added_over_ore_pct["total"] == pytest.approx(
        base.value_added_over_ore_pct["total"], rel=1e-12)


def test_power_draw_co2_and_cost_by_hand(plant):
    path, result = plant
    econ = economics_of(path, result)
    kw = sum(u.power_kW for u in result.units.values() if u.role == "process")
    assert kw > 1000                       # the tankhouse draws megawatts
    assert econ.co2_t_y["scope2"] == pytest.approx(kw * 0.310 * 8000 / 1000, rel=1e-12)
    assert econ.opex_USD_y["power"] == pytest.approx(kw * 0.135 * 8000, rel=1e-12)


def test_cli_run_reports_economics_and_set_moves_revenue(plant):
    path, _ = plant
    runner = CliRunner()
    out = runner.invoke(main, ["run", str(path), "--format", "json", "-q"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)["economics"]
    assert set(doc) >= {"revenue_USD_y", "opex_USD_y", "capex_USD", "npv_USD", "irr",
                        "value_added_over_ore_pct", "co2_t_y", "operating_hours_h_y",
                        "prices"}
    assert doc["prices"]["Cu"]["date"] == "2024-10-18"
    out2 = runner.invoke(main, ["run", str(path), "--format", "json", "-q", "--set",
                                "economics.prices.Cu=14070 USD/t"])
    assert out2.exit_code == 0, out2.output
    doc2 = json.loads(out2.output)["economics"]
    assert doc2["revenue_USD_y"]["cathode"] == pytest.approx(
        1.5 * doc["revenue_USD_y"]["cathode"], rel=1e-12)
    text = runner.invoke(main, ["run", str(path), "-q"]).output
    assert "NPV at 8 % [MUSD]" in text


def test_missing_reagent_price_is_an_error_naming_it(plant, tmp_path):
    path, result = plant
    prices = tmp_path / "prices.toml"
    text = PRICES.read_text(encoding="utf-8")
    start = text.index('[reagents."Ca(OH)2(s)"]')
    end = text.index("[reagents.", start + 5)
    prices.write_text(text[:start] + text[end:], encoding="utf-8")
    econ_file = tmp_path / "cu.toml"
    econ_file.write_text(path.read_text().replace(PRICES.as_posix(), prices.as_posix()),
                         encoding="utf-8")
    with pytest.raises(InputError, match=r"reagent 'Ca\(OH\)2\(s\)' of feed 'lime' has "
                                         r"no price"):
        economics_of(econ_file, result)


def test_entry_without_source_or_date_is_refused(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(ECONOMICS.replace('lang_factor = { value = 3.63, source = "test" }',
                                   'lang_factor = { value = 3.63 }'), encoding="utf-8")
    with pytest.raises(InputError, match=r"economics\.capital\.lang_factor.*source"):
        read_economics(f)


def test_unknown_set_path_says_what_exists(plant):
    path, _ = plant
    with pytest.raises(InputError, match="did you mean 'Cu'"):
        read_economics(path, {"economics.prices.Cuu": "1 USD/t"})


def test_npv_sensitivity_moves_each_entry_alone(plant):
    from polyflow.economics.sensitivity import npv_sensitivity

    path, result = plant
    inputs = read_economics(path)
    rows = {r["entry"]: r for r in npv_sensitivity(result, inputs)}
    # a dearer copper price raises the NPV, a higher discount rate lowers it
    assert rows["prices.Cu"]["swing_USD"] > 0
    assert rows["finance.discount_rate"]["swing_USD"] < 0
    # largest swing first
    swings = [abs(r["swing_USD"]) for r in rows.values()]
    assert swings == sorted(swings, reverse=True)
    assert "reagents.O2(g)" not in rows          # a free reagent has nothing to move


def test_waterfall_plot_and_compare_show_the_economics(plant, tmp_path):
    path, _ = plant
    runner = CliRunner()
    png = tmp_path / "wf.png"
    out = runner.invoke(main, ["plot", str(path), "--kind", "waterfall", "-o", str(png),
                               "-q"])
    assert out.exit_code == 0, out.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    other = tmp_path / "dear_copper.toml"
    other.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    out = runner.invoke(main, ["compare", str(path), str(other), "-q"])
    assert out.exit_code == 0, out.output
    assert "Economics" in out.output and "NPV at 8 % [MUSD]" in out.output
