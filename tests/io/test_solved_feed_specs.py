"""A file's solved feeds (``lime_dose``, ``water_makeup``) are read as a plain feed and a
spec named after the feed (polyflow.io.solved_feed_specs), with the unit model's
numbers: the examples of the LimeDose and WaterMakeup docstrings (closed forms: 30 m3/h
of make-up for a 100 m3/h demand fed 70 t/h of reclaim water; 36.9 kg/h of Ca(OH)2 to
take 1 kmol/h of H2SO4 in 10 t/h of water to the 4.904 g/L of the pH 1 proxy:
1 − 4.904 × 10.05/98.08 = 0.4975 kmol/h × 74.09 kg/kmol)."""

from __future__ import annotations

import pytest
from tests.small_plants import flowsheet_file

import polyflow

MAKEUP = """
[flowsheet]
species = ["H2O", "Na2SO4"]
[feeds.reclaim]
kind = "stream"
flows = { H2O = "70 t/h", Na2SO4 = "0.2 t/h" }
[feeds.fresh]
model = "water_makeup"
target_stream = "mill_water"
target_water = "100 m3/h"
[units.tank]
model = "mixer"
[products.mill]
kind = "product"
[streams]
r = "reclaim -> tank"
m = "fresh -> tank"
mill_water = "tank -> mill"
"""

LIME = """
[flowsheet]
species = ["H2O", "H2SO4", "Ca(OH)2", "CaSO4*2H2O(s)", "CO2(g)"]
[feeds.bleed]
kind = "stream"
flows = { H2O = "10000 kg/h", H2SO4 = "1 kmol/h" }
[feeds.lime]
model = "lime_dose"
agent = "Ca(OH)2"
target_stream = "t"
TARGET
[units.neutraliser]
model = "neutraliser"
agent = "Ca(OH)2"
[products.tails]
kind = "product"
[products.vent]
kind = "gas"
[streams]
b = "bleed -> neutraliser.feed"
l = "lime -> neutraliser.lime"
t = "neutraliser.slurry -> tails"
v = "neutraliser.vent -> vent"
"""


def lime_plant(tmp_path, target: str) -> polyflow.Flowsheet:
    """The LIME plant with its dose's ``target`` line, read from a file."""
    return polyflow.load(flowsheet_file(tmp_path, LIME.replace("TARGET", target)))


def test_a_water_makeup_is_a_feed_and_a_spec(tmp_path):
    fs = polyflow.load(flowsheet_file(tmp_path, MAKEUP))
    assert fs.units["fresh"].model == "feed"
    spec = fs.specs["fresh"]
    assert (spec.vary, spec.target) == ("fresh.flows.H2O", "streams.mill_water.mass_kg_h.H2O(l)")
    result = fs.solve()
    assert result.flow_kg_h("m")["H2O(l)"] == pytest.approx(30000.0, rel=1e-12)
    assert float(result.specs["fresh"]["value"].split()[0]) == pytest.approx(30.0, rel=1e-12)
    # --set of the reported value fixes the feed and drops the spec
    fixed = polyflow.load(flowsheet_file(tmp_path, MAKEUP),
                          {"fresh.flows.H2O": result.specs["fresh"]["value"]})
    assert fixed.specs == {}
    again = fixed.solve()
    assert again.flow_kg_h("mill_water")["H2O(l)"] == pytest.approx(100000.0, rel=1e-12)


def test_a_lime_dose_is_a_feed_and_a_spec_with_the_units_numbers(tmp_path):
    fs = lime_plant(tmp_path, "target_pH = 1.0")
    assert fs.units["lime"].model == "feed"
    assert fs.specs["lime"].target == "streams.t.g_L.H2SO4"
    result = fs.solve()
    assert round(result.flow_kg_h("l")["Ca(OH)2(s)"], 1) == 36.9
    assert result.energy["neutraliser"]["residual_free_acid_g/L"] == pytest.approx(
        4.904, abs=5e-4)


def test_a_lime_dose_to_electroneutrality_stays_the_unit_model(tmp_path):
    """No measure reads a stream's charge: the unit's own row stays."""
    fs = lime_plant(tmp_path, 'target = "charge"')
    assert fs.units["lime"].model == "lime_dose"
    assert "lime" not in fs.specs


def test_a_misspecified_lime_dose_is_still_named_by_its_unit(tmp_path):
    with pytest.raises(polyflow.errors.PolyflowError, match="target_free_acid"):
        lime_plant(tmp_path, "").solve()
