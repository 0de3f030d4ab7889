"""Bad input is refused at the reader with the file, line, unit and field (issue #19):
the crash causes found by 520 seeded mutations of the shipped flowsheets, each as a
test. Every case goes through the command line in-process, so it checks the exit code
(2, never 1 with a traceback) and the message together."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.io.test_reader import GOOD

from polyflow.cli import main
from polyflow.io.schema import LIMITS

FLOWSHEETS = Path(__file__).parents[2] / "flowsheets"


def run(tmp_path, text: str | bytes, *args):
    path = tmp_path / "plant.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["run", str(path), *map(str, args)])


def refused(res, *fragments: str) -> str:
    """The run ended with exit 2 and one error line holding every fragment."""
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    for fragment in fragments:
        assert fragment in res.output, (fragment, res.output)
    return res.output


# -- encodings ----------------------------------------------------------------------------
def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    res = run(tmp_path, b"\xef\xbb\xbf" + GOOD.encode())
    assert res.exit_code == 0, res.output


def test_a_latin1_byte_names_its_line_and_column(tmp_path):
    text = GOOD.replace('name = "wash loop"', 'name = "Wäsche"').encode("latin-1")
    refused(run(tmp_path, text), "plant.toml:2:", "not UTF-8", "byte 0xe4 at column 10")


def test_a_utf16_file_is_named_as_such(tmp_path):
    refused(run(tmp_path, GOOD.encode("utf-16")), "plant.toml:1:", "UTF-16", "save it as UTF-8")


# -- TOML types ---------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "fragments"), [
    ('name = "wash loop"', 'name = "w"\ninclude = 5', ("plant.toml:3:", "include must be")),
    ('name = "wash loop"', 'name = "w"\ninclude = [{file = 5}]', ("plant.toml:3:", "include")),
    ('name = "wash loop"', 'name = 1979-05-27', ("plant.toml:2:", "date or a time")),
    ('name = "wash loop"', 'name = 5', ("plant.toml:2:", "name must be text")),
    ('name = "wash loop"', 'name = "w"\noptions = 5', ("plant.toml:3:", "options must be a table")),
    ('name = "wash loop"', 'name = "w"\nreroute = 5', ("plant.toml:3:", "reroute must be a table")),
    ('name = "wash loop"', 'name = "w"\nreroute = {s3 = 5}', ("plant.toml:3:", "reroute 's3'")),
    ('name = "wash loop"', 'name = "w"\noverrides = {tank = 5}', ("plant.toml:3:",
                                                                 '"UNIT.PARAM" = value')),
    ('species = ["H2O", "CuSO4", "SiO2"]', 'species = ["H2O", 5]', ("plant.toml:3:",
                                                                   "list of species names")),
    ('model = "mixer"', "model = 5", ("plant.toml:18:", "unit 'tank', field 'model'",
                                      "text in quotes")),
    ('mineralogy = { Cu = { CuSO4 = "100 %" } }', "mineralogy = {Cu = 5}",
     ("plant.toml:10:", "unit 'slurry', field 'mineralogy.Cu'")),
    ('grades = { Cu = "1 %" }', "grades = 5", ("plant.toml:9:", "grades must be a table")),
    ('gangue = "SiO2"', "gangue = 5", ("plant.toml:11:", "gangue must name")),
    ('[units.tank]\nmodel = "mixer"', '[units]\ntank = "mixer"', ("plant.toml:18:",
                                                                  "[units.tank]")),
    ('s3 = "tank -> thickener"', "s3 = 5", ("plant.toml:33:", "stream 's3' must read")),
    ('split = { underflow = { solids = "100 %", solution = "30 %" } }', "split = 5",
     ("plant.toml:22:", "unit 'thickener', field 'split'")),
    ('split = { underflow = { solids = "100 %", solution = "30 %" } }',
     'split = { underflow = 5 }', ("plant.toml:22:", "unit 'thickener', field 'split'")),
])
def test_a_wrong_toml_type_names_file_line_unit_and_field(tmp_path, old, new, fragments):
    assert old in GOOD
    refused(run(tmp_path, GOOD.replace(old, new)), *fragments)


@pytest.mark.parametrize("section", ["feeds", "units", "products", "streams", "specs"])
def test_a_section_that_is_not_a_table_is_named(tmp_path, section):
    head, _, _ = GOOD.partition("[feeds.slurry]")
    refused(run(tmp_path, f"{section} = 5\n{head}"), "plant.toml:1:",
            f"[{section}] must be a table")


def test_a_product_that_is_a_number_is_refused(tmp_path):
    text = GOOD.replace("[streams]", "[products]\nx = 5\n\n[streams]").replace(
        "[products.pls]\n", "[products.pls]\n")
    refused(run(tmp_path, text), "unit 'x'", "a product is a table")


@pytest.mark.parametrize(("name", "why"), [('""', "not empty"), ('" "', "not empty"),
                                           ('"s.1"', "cannot hold '.'")])
def test_empty_or_dotted_stream_names_are_refused(tmp_path, name, why):
    text = GOOD.replace('s1 = "slurry -> tank"', f'{name} = "slurry -> tank"')
    refused(run(tmp_path, text), "plant.toml:31:", why)


# -- numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["nan", "inf", "-inf", "9" * 30])
def test_nan_inf_and_huge_numbers_are_refused_where_written(tmp_path, number):
    text = GOOD.replace('solution = "30 %"', f"solution = {number}")
    refused(run(tmp_path, text), "plant.toml:22:", "unit 'thickener'",
            "field 'split.underflow.solution'")


def test_a_number_of_5000_digits_is_not_valid_toml(tmp_path):
    text = GOOD.replace('solution = "30 %"', "solution = " + "9" * 5000)
    refused(run(tmp_path, text), "plant.toml", "not valid TOML")


@pytest.mark.parametrize("value", ["nan", "inf", "9" * 4300, "9" * 5000])
def test_nan_inf_and_huge_set_values_are_refused(tmp_path, value):
    refused(run(tmp_path, GOOD, "--set", f"tank.dissolve={value}"), "--set tank.dissolve")


@pytest.mark.parametrize("exponent", ["1e-300", "1e300", "0"])
def test_a_psd_exponent_out_of_range_is_refused(tmp_path, exponent):
    """Gates-Gaudin-Schuhmann P(x) = (x/xmax)^m with p80 = xmax 0.8^(1/m): m = 1e-300
    overflowed (0.8^(1e300) underflows, 1/0.8^... overflows) before the bound."""
    text = GOOD.replace('name = "wash loop"', 'name = "w"\nsieves = ["1 mm", "0.5 mm"]') \
        .replace('gangue = "SiO2"', 'gangue = "SiO2"\npsd = { ggs = { p80 = "0.4 mm", '
                 f'm = {exponent} }} }}')
    refused(run(tmp_path, text), "unit 'slurry'", "field 'psd.ggs.m'", "between 0.05 and 20")


# -- limits -------------------------------------------------------------------------------
def test_a_million_ree_stages_is_refused_before_any_memory_is_taken(tmp_path):
    from polyflow.units.ree.params import MAX_STAGES

    text = (FLOWSHEETS / "ree_separation.toml").read_text()
    assert "extraction_stages = 40" in text
    path = tmp_path / "ree.toml"
    path.write_text(text.replace("extraction_stages = 40", "extraction_stages = 1000000"))
    res = CliRunner().invoke(main, ["run", str(path)])
    line = text[:text.index("extraction_stages = 40")].count("\n") + 1
    refused(res, f"ree.toml:{line}:", "field 'extraction_stages'", f"from 1 to {MAX_STAGES}")


def test_too_many_species_are_refused(tmp_path):
    names = ", ".join(f'"X{i}"' for i in range(LIMITS["species"] + 1))
    text = GOOD.replace('species = ["H2O", "CuSO4", "SiO2"]', f"species = [{names}]")
    refused(run(tmp_path, text), "plant.toml:3:", f"at most {LIMITS['species']} species")


def test_too_many_units_are_refused(tmp_path):
    extra = "".join(f"[units.m{i}]\nmodel = 'mixer'\n" for i in range(LIMITS["units"]))
    refused(run(tmp_path, GOOD + extra), "plant.toml", f"at most {LIMITS['units']:,} are read")


def test_unknown_species_exits_2(tmp_path):
    text = GOOD.replace('"SiO2"]', '"SiO2", "Unobtainium"]')
    refused(run(tmp_path, text), "plant.toml:3:", "unknown species 'Unobtainium'")


# -- overrides where they are written ------------------------------------------------------
def test_a_bad_override_is_reported_where_it_is_written(tmp_path):
    (tmp_path / "base.toml").write_text(GOOD)
    text = ('[flowsheet]\ninclude = ["base.toml"]\n\n[flowsheet.overrides]\n'
            '"thickener.rest" = "overflow"\n"thickener.split" = 5\n')
    refused(run(tmp_path, text), "plant.toml:6:", "unit 'thickener', field 'split'")


def test_an_override_of_no_unit_is_reported_where_it_is_written(tmp_path):
    (tmp_path / "base.toml").write_text(GOOD)
    text = '[flowsheet]\ninclude = ["base.toml"]\n\n[flowsheet.overrides]\n"tnak.dissolve" = 1\n'
    refused(run(tmp_path, text), "plant.toml:5:", "no unit 'tnak'", "did you mean 'tank'")


def test_a_bad_set_is_reported_at_the_option(tmp_path):
    res = run(tmp_path, GOOD, "--set", "thickener.split=5")
    out = refused(res, "--set thickener.split:", "unit 'thickener', field 'split'")
    assert "plant.toml" not in out


def test_a_bad_set_of_a_feed_is_reported_at_the_option(tmp_path):
    res = run(tmp_path, GOOD, "--set", "slurry.solids=5 m")
    refused(res, "--set slurry.solids:", "unit 'slurry', field 'solids'")


# -- output paths, before the solve ----------------------------------------------------------
def test_a_file_used_as_a_folder_is_refused_before_the_solve(tmp_path, monkeypatch):
    import polyflow.io.reader

    def no_solve(*_a, **_k):
        raise AssertionError("the flowsheet was read before the output path was checked")

    monkeypatch.setattr(polyflow.io.reader, "load", no_solve)
    (tmp_path / "a_file").write_text("x")
    res = run(tmp_path, GOOD, "-o", tmp_path / "a_file" / "out.json")
    refused(res, "is a file, not a folder")


@pytest.mark.parametrize("name", ["a" * 300 + ".txt", "b" * 250 + ".json"])
def test_a_name_too_long_is_refused_before_the_solve(tmp_path, name):
    refused(run(tmp_path, GOOD, "-o", tmp_path / name), "characters long")
    assert list(tmp_path.iterdir()) == [tmp_path / "plant.toml"]


def test_a_folder_as_output_is_refused(tmp_path):
    refused(run(tmp_path, GOOD, "-o", tmp_path), "is a directory")       # click's check


# -- Ctrl-C ---------------------------------------------------------------------------------
def test_ctrl_c_exits_130_with_one_line(tmp_path, monkeypatch):
    import polyflow.io.reader

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(polyflow.io.reader, "load", interrupted)
    res = run(tmp_path, GOOD, "-o", tmp_path / "out.json")
    assert res.exit_code == 130
    assert res.output.strip().splitlines() == ["Error: interrupted (Ctrl-C); nothing was written"]
    assert not (tmp_path / "out.json").exists()



# -- found by the property test (tests/io/test_mutations.py) ----------------------------------
def test_a_set_that_gives_a_feed_a_model_of_the_wrong_type_is_refused(tmp_path):
    refused(run(tmp_path, GOOD, "--set", "water.model=5"), "--set water.model:",
            "unit 'water', field 'model'", "text in quotes")


def test_a_port_named_by_a_number_is_refused_at_the_stream(tmp_path):
    text = GOOD.replace('rest = "overflow"', "rest = 2.5")
    refused(run(tmp_path, text), "plant.toml:34:", "stream 's4'", "not a name")


def test_a_value_a_unit_cannot_parse_names_the_unit_and_field(tmp_path):
    text = GOOD.replace('model = "mixer"', 'model = "mixer"\ndissolve = {a = 1}')
    out = refused(run(tmp_path, text), "plant.toml:19:", "unit 'tank'")
    assert "Traceback" not in out


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "9" * 400])
def test_a_spec_value_that_is_not_finite_is_refused_before_the_solve(tmp_path, value):
    res = run(tmp_path, GOOD, "--spec", f"vary=water.flow, target=streams.s5.g_L.CuSO4, "
                                        f"value={value}")
    refused(res, "--spec", "finite")


def test_too_many_stream_flows_are_refused_before_the_solve(tmp_path, monkeypatch):
    """GOOD has 5 streams of 3 species: 15 flows."""
    monkeypatch.setitem(LIMITS, "stream_unknowns", 14)
    refused(run(tmp_path, GOOD), "plant.toml", "5 streams of 3 components", "15 flows")


@pytest.mark.parametrize("count", ["nan", "inf", "1e6", "2.5", '"40"'])
def test_a_stage_count_that_is_not_a_small_whole_number_is_refused(tmp_path, count):
    text = (FLOWSHEETS / "ree_separation.toml").read_text()
    path = tmp_path / "ree.toml"
    path.write_text(text.replace("extraction_stages = 40", f"extraction_stages = {count}"))
    res = CliRunner().invoke(main, ["run", str(path)])
    line = text[:text.index("extraction_stages = 40")].count("\n") + 1
    refused(res, f"ree.toml:{line}:", "extraction_stages")


def test_compare_checks_its_output_path_before_solving(tmp_path):
    plant = tmp_path / "plant.toml"
    plant.write_text(GOOD)
    (tmp_path / "a_file").write_text("x")
    res = CliRunner().invoke(main, ["compare", str(plant), str(plant), "-o",
                                    str(tmp_path / "a_file" / "c.csv")])
    refused(res, "is a file, not a folder")
