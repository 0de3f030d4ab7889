"""Flowsheet files: what they mean, and every error naming file, line, unit and field."""

from __future__ import annotations

import textwrap

import pytest

import polyflow
from polyflow.errors import (
    FlowsheetError,
    InputError,
    SingularSystemError,
    SpecificationError,
    UnitsOfMeasureError,
)

GOOD = """\
[flowsheet]
name = "wash loop"
species = ["H2O", "CuSO4", "SiO2"]

[feeds.slurry]
kind = "ore"
solids = "10 t/h"
moisture = "20 %"
grades = { Cu = "1 %" }
mineralogy = { Cu = { CuSO4 = "100 %" } }
gangue = "SiO2"

[feeds.water]
kind = "solution"
flow = "5 m3/h"

[units.tank]
model = "mixer"

[units.thickener]
model = "separator"
split = { underflow = { solids = "100 %", solution = "30 %" } }
rest = "overflow"

[products.tails]
kind = "residue"

[products.pls]

[streams]
s1 = "slurry -> tank"
s2 = { from = "water", to = "tank.in" }
s3 = "tank -> thickener"
s4 = "thickener.underflow -> tails"
s5 = "thickener.overflow -> pls"
"""


def write(tmp_path, text, name="plant.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_good_file_solves_and_feeds_mean_what_they_say(tmp_path):
    """10 t/h dry ore, 20 % moisture -> 2.5 t/h water; 1 % Cu as CuSO4 -> 251.2 kg/h
    CuSO4 (M 159.6); 5 m3/h of water at 1000 kg/m3."""
    r = polyflow.load(write(tmp_path, GOOD)).solve()
    feed = r.flow_kg_h("s1")
    assert feed["H2O(l)"] == pytest.approx(2500.0)
    assert feed["CuSO4(aq)"] == pytest.approx(100.0 * 159.60 / 63.546, rel=1e-4)
    assert feed["SiO2(s)"] + feed["CuSO4(aq)"] == pytest.approx(10_000.0)
    assert r.flow_kg_h("s2")["H2O(l)"] == pytest.approx(5000.0)
    assert r.recovery["Cu"]["pls"] == pytest.approx(0.7, rel=1e-12)
    assert r.closed


def expect(tmp_path, text, exc, pattern):
    with pytest.raises(exc, match=pattern):
        polyflow.load(write(tmp_path, text)).solve()


def test_toml_syntax_error_names_the_line(tmp_path):
    expect(tmp_path, GOOD.replace('model = "mixer"', 'model = mixer'), InputError,
           r"plant.toml:18: not valid TOML")


def test_unknown_section_is_named_with_a_suggestion(tmp_path):
    expect(tmp_path, GOOD.replace("[products.pls]", "[product.pls]"), InputError,
           r"plant.toml:28: unknown section \[product\]; did you mean 'products'")


def test_unknown_model_names_line_unit_field_and_suggests(tmp_path):
    expect(tmp_path, GOOD.replace('"mixer"', '"mixr"'), InputError,
           r"plant.toml:18: unit 'tank', field 'model': unknown model 'mixr'.*'mixer'")


def test_unknown_parameter_is_named(tmp_path):
    expect(tmp_path, GOOD.replace('rest = "overflow"', 'rest = "overflow"\nsplits = 1'),
           InputError, r"plant.toml:24: unit 'thickener', field 'splits': model 'separator' "
                       r"has no parameter 'splits'; did you mean 'split'")


def test_bad_unit_of_measure_names_feed_and_field(tmp_path):
    expect(tmp_path, GOOD.replace('"10 t/h"', '"10 m3/h"'), UnitsOfMeasureError,
           r"plant.toml:7: unit 'slurry', field 'solids': '10 m3/h' is a volume_flow, not a "
           r"mass_flow")


def test_missing_unit_of_measure_says_how_to_write_it(tmp_path):
    expect(tmp_path, GOOD.replace('flow = "5 m3/h"', "flow = 5"), UnitsOfMeasureError,
           r"field 'flow': a volume_flow needs a unit of measure \(got 5\); write it as a "
           r"string with its unit, e.g. '120 m3/h'")


def test_unknown_species_suggests_the_closest(tmp_path):
    expect(tmp_path, GOOD.replace('"SiO2"]', '"SiO3"]'), Exception,
           r"plant.toml:3: unknown species 'SiO3'; did you mean .*'SiO2'")


def test_grades_over_100_percent(tmp_path):
    expect(tmp_path, GOOD.replace('"1 %"', '"60 %"'), InputError,
           r"unit 'slurry', field 'grades': the graded minerals make up 150.7 % of the solids")


def test_stream_to_unknown_port(tmp_path):
    expect(tmp_path, GOOD.replace("thickener.underflow -> tails", "thickener.uf -> tails"),
           FlowsheetError, r"plant.toml:34: unit 'thickener': stream 's4': unit 'thickener' "
                           r"\(separator\) has no outlet 'uf'")


def test_stream_to_unknown_unit(tmp_path):
    expect(tmp_path, GOOD.replace("tank -> thickener", "tank -> thickner"), FlowsheetError,
           r"plant.toml:33: stream 's3' goes to unknown unit 'thickner'; did you mean "
           r"'thickener'")


def test_outlet_not_connected(tmp_path):
    expect(tmp_path, GOOD.replace('s5 = "thickener.overflow -> pls"\n', ""), FlowsheetError,
           r"plant.toml:20: unit 'thickener': outlet 'thickener.overflow' is not connected; "
           r"add a stream from 'thickener.overflow'")


def test_outlet_used_twice(tmp_path):
    expect(tmp_path, GOOD.replace('s5 = "thickener.overflow -> pls"',
                                  's5 = "thickener.underflow -> pls"'), FlowsheetError,
           r"plant.toml:35: unit 'thickener': outlet 'thickener.underflow' feeds stream 's4' "
           r"already")


def test_single_inlet_used_twice(tmp_path):
    expect(tmp_path, GOOD.replace('s5 = "thickener.overflow -> pls"',
                                  's5 = "thickener.overflow -> tails"'), FlowsheetError,
           r"inlet 'tails.in' receives stream 's4' already")


def test_split_over_specified(tmp_path):
    expect(tmp_path, GOOD.replace('rest = "overflow"', 'rest = "underflow"'),
           SpecificationError, r"plant.toml:23: unit 'thickener', field 'rest': "
                               r"over-specified: outlet 'underflow' is both 'rest' and in "
                               r"'split'")


def test_duplicate_names(tmp_path):
    expect(tmp_path, GOOD.replace("[products.pls]", "[products.tank]"), InputError,
           r"plant.toml:28: 'tank' is defined twice")


def test_include_cycle_and_missing_include(tmp_path):
    write(tmp_path, '[flowsheet]\ninclude = ["plant.toml"]\n', "other.toml")
    expect(tmp_path, GOOD.replace('name = "wash loop"', 'name = "x"\ninclude = "other.toml"'),
           InputError, r"include cycle: .*plant.toml -> .*other.toml -> .*plant.toml")
    expect(tmp_path, GOOD.replace('name = "wash loop"', 'include = "nowhere.toml"'),
           InputError, r"nowhere.toml: no such flowsheet file \(included from .*plant.toml\)")


def test_include_brings_units_and_species(tmp_path):
    """A file can include another: the included units, feeds and species are merged."""
    base = GOOD.replace('[products.pls]\n', "").replace('s5 = "thickener.overflow -> pls"\n',
                                                         "")
    write(tmp_path, base, "base.toml")
    top = ('[flowsheet]\nname = "top"\ninclude = ["base.toml"]\n[products.pls]\n'
           '[streams]\ns5 = "thickener.overflow -> pls"\n')
    r = polyflow.load(write(tmp_path, top, "top.toml")).solve()
    assert r.recovery["Cu"]["pls"] == pytest.approx(0.7, rel=1e-12)


def test_recycle_without_exit_is_singular_and_names_the_streams(tmp_path):
    text = GOOD.replace('s5 = "thickener.overflow -> pls"', 's5 = "thickener.overflow -> tank"')
    text = text.replace("[products.pls]\n", "").replace('solution = "30 %"',
                                                          'solution = "0 %"')
    with pytest.raises(SingularSystemError, match=r"Jacobian is singular.*\n.*unconstrained "
                                                  r"variables:\n  stream 's(3|5)', flow of "
                                                  r"(H2O\(l\)|CuSO4\(aq\))"):
        polyflow.load(write(tmp_path, text)).solve()


def test_override_changes_a_parameter_and_unknown_unit_is_refused(tmp_path):
    path = write(tmp_path, GOOD)
    r = polyflow.load(path, {"thickener.split": {"underflow": {"solids": "100 %",
                                                               "solution": "50 %"}}}).solve()
    assert r.recovery["Cu"]["pls"] == pytest.approx(0.5, rel=1e-12)
    with pytest.raises(InputError, match=r"override thickner\.split: no unit 'thickner'"):
        polyflow.load(path, {"thickner.split": 1})


def test_a_variant_file_includes_a_base_and_overrides_parameters(tmp_path):
    """Option B = option A with one parameter changed, without copying the plant."""
    write(tmp_path, GOOD, "option_a.toml")
    variant = ('[flowsheet]\nname = "option B"\ninclude = ["option_a.toml"]\n'
               '[flowsheet.overrides]\n"thickener.split" = { underflow = { solids = "100 %", '
               'solution = "40 %" } }\n')
    r = polyflow.load(write(tmp_path, variant, "option_b.toml")).solve()
    assert r.flowsheet.name == "option B"
    assert r.recovery["Cu"]["pls"] == pytest.approx(0.6, rel=1e-12)


def test_two_plants_included_under_prefixes_and_joined_by_reroutes(tmp_path):
    """A refinery is built from single-line files: each is included under a prefix
    (its names become 'a/NAME'), and reroutes send chosen streams to shared units; the
    products they used to reach are dropped."""
    write(tmp_path, GOOD, "line.toml")
    top = """\
    [flowsheet]
    name = "two lines"
    include = [{file = "line.toml", prefix = "a"}, {file = "line.toml", prefix = "b"}]

    [flowsheet.reroute]
    "a/s5" = "combined"
    "b/s5" = "combined.in"

    [units.combined]
    model = "mixer"

    [products.all_pls]

    [streams]
    joined = "combined -> all_pls"
    """
    r = polyflow.load(write(tmp_path, top, "top.toml")).solve()
    assert "a/pls" not in r.flowsheet.units and "b/tails" in r.flowsheet.units
    assert r.recovery["Cu"]["all_pls"] == pytest.approx(0.7, rel=1e-12)
    assert r.flow_kg_h("a/s1")["H2O(l)"] == pytest.approx(2500.0)
    assert r.closed


def test_reroute_from_takes_a_stream_from_another_unit_and_drops_the_old_feed(tmp_path):
    """A reroute table {from = ...} gives a stream a new source: here the wash water
    comes from the thickener overflow (half returned, half bled) instead of its fresh
    feed, which is dropped. Solution balance over the loop: the thickener receives
    S = L0 + 0.5·0.7·S, so the underflow (30 % of S) carries 0.3/0.65 of the copper."""
    write(tmp_path, GOOD, "line.toml")
    top = """\
    [flowsheet]
    include = [{file = "line.toml", prefix = "a"}]

    [flowsheet.reroute]
    "a/s5" = "overflow_split"
    "a/s2" = { from = "overflow_split.back" }

    [units.overflow_split]
    model = "splitter"
    fractions = { back = "50 %", bleed = "rest" }

    [products.effluent]
    kind = "effluent"

    [streams]
    bled = "overflow_split.bleed -> effluent"
    """
    r = polyflow.load(write(tmp_path, top, "top.toml")).solve()
    assert "a/water" not in r.flowsheet.units and "a/pls" not in r.flowsheet.units
    assert r.recovery["Cu"]["a/tails"] == pytest.approx(0.3 / 0.65, rel=1e-10)
    assert r.closed


def test_reroute_table_with_an_unknown_key_is_named(tmp_path):
    write(tmp_path, GOOD, "line.toml")
    top = ('[flowsheet]\ninclude = [{file = "line.toml", prefix = "a"}]\n'
           '[flowsheet.reroute]\n"a/s2" = { source = "a/tank" }\n')
    with pytest.raises(InputError, match=r"reroute 'a/s2' must be 'unit.port' .* or a "
                                         r"table with 'from' and/or 'to'"):
        polyflow.load(write(tmp_path, top, "top.toml"))


def test_reroute_of_an_unknown_stream_is_named(tmp_path):
    write(tmp_path, GOOD, "line.toml")
    top = ('[flowsheet]\ninclude = [{file = "line.toml", prefix = "a"}]\n'
           '[flowsheet.reroute]\n"a/s9" = "a/tank"\n')
    with pytest.raises(InputError, match=r"reroute 'a/s9': no stream of that name; did you "
                                         r"mean 'a/s5'"):
        polyflow.load(write(tmp_path, top, "top.toml"))


def test_feed_fields_can_be_overridden_like_parameters(tmp_path):
    """An option may change a feed (throughput, grade, reagent rate), not only a unit."""
    r = polyflow.load(write(tmp_path, GOOD), {"slurry.solids": "20 t/h"}).solve()
    assert r.flow_kg_h("s1")["H2O(l)"] == pytest.approx(5000.0)   # 20 % moisture of 20 t/h


def test_prefix_renames_stream_references_only(tmp_path):
    """A product's kind = "residue" stays a kind when the included file also has a
    stream called 'residue'; only parameters that name streams are renamed."""
    text = GOOD.replace("s4 = ", "residue = ")
    write(tmp_path, text, "line.toml")
    top = '[flowsheet]\ninclude = [{file = "line.toml", prefix = "a"}]\n'
    r = polyflow.load(write(tmp_path, top, "top.toml")).solve()
    assert r.flowsheet.units["a/tails"].p["kind"] == "residue"
    assert "a/residue" in r.stream_names
