"""Options of one plant with economics: a variant inherits its base file's [economics]
(issue #17 item 7), drops a product no longer sold, values an ore at its net smelter
return (the concentrate it makes, on the concentrate's terms) and charges a smelter's
penalty pro rata; a unit can be priced on another curve than its model's."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_econ_revenue import ECONOMICS

import polyflow
from polyflow.economics import read_economics
from polyflow.economics.capex import cost_curves, purchased_cost, unit_capex
from polyflow.errors import InputError

ROOT = Path(__file__).resolve().parents[2]

#: a variant of the economics file: the ore valued as the PLS it makes (a stand-in for
#: a concentrate: any stream of the plant) with a treatment charge and a sulphur penalty
VARIANT = """
[flowsheet]
name = "variant"
include = ["base.toml"]

[economics.products]
cathode = false

[economics.products.cathode_resold]
payable = { Cu = "50 %" }
source = "test"

[economics.feeds.ore]
stream = "pls"
payable = { Cu = "96.5 %" }
treatment = "10 USD/t"
penalties = { S = { above = "0.1 %", charge = "3 USD/t", per = "0.1 %" } }
source = "test"

[economics.equipment]
leach = "autoclave"
"""


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    folder = tmp_path_factory.mktemp("options")
    base = folder / "base.toml"
    base.write_text(ECONOMICS, encoding="utf-8")
    variant = folder / "variant.toml"
    variant.write_text(VARIANT, encoding="utf-8")
    return base, variant, polyflow.load(base).solve()


def test_variant_inherits_the_base_economics_and_drops_a_product(plant):
    base, variant, _ = plant
    b, v = read_economics(base), read_economics(variant)
    assert set(b.products) == {"cathode"}
    assert set(v.products) == {"cathode_resold"}          # cathode = false dropped it
    assert v.finance["discount_rate"].value == b.finance["discount_rate"].value == 0.08
    assert v.feeds["ore"].stream == "pls" and b.feeds["ore"].stream == ""
    assert v.equipment == {"leach": "autoclave"} and b.equipment == {}


def test_ore_at_its_net_return_with_treatment_and_penalty_by_hand(plant):
    base, variant, result = plant
    inputs = read_economics(variant)
    inputs.products = read_economics(base).products                # sell the cathode again
    from polyflow.economics.evaluate import evaluate

    econ = evaluate(result, inputs)
    pls = result.elements_kg_h("pls")
    dry = result.phase_kg_h("pls")["s"]
    gross = pls["Cu"] * 9.38 * 0.965
    penalty = 0.0
    if dry > 0:
        penalty = 0.003 * dry * max(pls.get("S", 0.0) / dry - 0.001, 0.0) / 0.001
    by_hand = (gross - 0.010 * dry - penalty) * 8000
    assert econ.feed_value_USD_y["ore"] == pytest.approx(by_hand, rel=1e-13)


def test_penalty_pro_rata_above_its_threshold(plant):
    # a stream with solids: the leach residue; its sulphur (gypsum) grade is well above
    # 0.1 %, so each 0.1 % above costs 3 USD per dry tonne
    _base, variant, result = plant
    from polyflow.economics.valuation import stream_value

    inputs = read_economics(variant)
    terms = inputs.feeds["ore"]
    stream = next(s.name for s in result.streams if s.src == "ccd" and
                  result.phase_kg_h(s.name)["s"] > 0)
    v = stream_value(result, stream, terms, inputs.prices)
    dry = result.phase_kg_h(stream)["s"]
    grade = result.elements_kg_h(stream)["S"] / dry
    assert grade > 0.001
    assert v["penalty_USD_h"] == pytest.approx(3e-3 * dry * (grade - 0.001) / 0.001,
                                               rel=1e-13)
    assert v["USD_h"] == pytest.approx(sum(v["gross_USD_h"].values()) - v["treatment_USD_h"]
                                       - v["refining_USD_h"] - v["penalty_USD_h"], rel=1e-14)


def test_a_unit_priced_on_another_curve(plant):
    base, variant, result = plant
    rows = {r["unit"]: r for r in unit_capex(result, read_economics(variant))}
    assert rows["leach"]["curve"] == "autoclave"
    cost, _ = purchased_cost(cost_curves()["autoclave"], rows["leach"]["size"], 798.8)
    assert rows["leach"]["purchased_USD"] == pytest.approx(cost, rel=1e-14)
    assert {r["unit"]: r for r in unit_capex(result, read_economics(base))}[
        "leach"]["curve"] == "leach_train"


def test_transfer_between_lines_conserves_the_ledger(plant):
    # the PLS passed from the plant (no prefix: the shared line) to a line "refining"
    # at 96.5 % of its copper: what one side puts out, the other takes in, and the total
    # value added (revenue over feeds) does not move
    base, _variant, result = plant
    from polyflow.economics.evaluate import evaluate
    from polyflow.economics.inputs import Terms

    inputs = read_economics(base)
    plain = evaluate(result, inputs)
    inputs.transfers = {"pls": Terms({"Cu": 0.965}, "test", to={"Cu": "refining"})}
    moved = evaluate(result, inputs)
    rows = {r["line"]: r for r in moved.ledger}
    cu = result.elements_kg_h("pls")["Cu"]
    assert rows["refining"]["transfer_in_USD_y"] == pytest.approx(cu * 9.38 * 0.965 * 8000,
                                                                  rel=1e-13)
    shared = next(r for r in moved.ledger if r["line"] != "refining")
    assert shared["transfer_out_USD_y"] == pytest.approx(rows["refining"]["transfer_in_USD_y"],
                                                         rel=1e-13)
    assert sum(r["value_added_USD_y"] for r in moved.ledger) == pytest.approx(
        sum(r["value_added_USD_y"] for r in plain.ledger), rel=1e-12)
    assert moved.npv_USD == plain.npv_USD


def test_a_transfer_must_name_the_line_of_every_payable(plant, tmp_path):
    base, _variant, _ = plant
    (tmp_path / "base.toml").write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[flowsheet]\nname = "bad"\ninclude = ["base.toml"]\n\n'
                   '[economics.transfers.pls]\npayable = { Cu = "96.5 %" }\n'
                   'to = { Au = "au" }\nsource = "test"\n', encoding="utf-8")
    with pytest.raises(InputError, match="line that receives each payable") as err:
        read_economics(bad)
    assert err.value.file == str(bad.resolve()) and err.value.line == 7   # the "to" line
