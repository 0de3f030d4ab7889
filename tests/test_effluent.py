"""Discharge-limit tables and the effluent check (polyflow.effluent).

Published values checked here, each against the text of its source:
* 40 CFR 440.103(a) and (b) (BAT, copper/lead/zinc/gold/silver/molybdenum ores): mine
  drainage Zn 1.5 / 0.75 mg/L, flotation mills Zn 1.0 / 0.5 mg/L (maximum for any 1 day /
  average of daily values for 30 consecutive days); Cu 0.30/0.15, Pb 0.6/0.3,
  Hg 0.002/0.001, Cd 0.10/0.05 in both.
* Canada MDMER (SOR/2002-222) Schedule 4: monthly mean / composite / grab, total values,
  e.g. As 0.50/0.75/1.00 mg/L, TSS 15.00/22.50/30.00 mg/L, Ra-226 0.37/0.74/1.11 Bq/L.
* 40 CFR 440.102(a) (BPT) and 440.104(a) (NSPS), mine drainage, Subpart J: TSS 30 / 20,
  pH within 6.0 to 9.0; NSPS adds Cd 0.10 / 0.05, BPT has no Cd. 440.64(a) (NSPS, tungsten
  mine drainage): Cd 0.10/0.05, Cu 0.30/0.15, Zn 1.0/0.5, TSS 30/20, pH 6.0 to 9.0.
* World Bank Group EHS Guidelines for Mining (2007), Table 1 "Effluent Guidelines" (total
  metals, 95 % of operating hours): TSS 50, pH 6-9, As 0.1, Cd 0.05, Cr(VI) 0.1, Cu 0.3,
  cyanide 1 / free 0.1 / WAD 0.5, Fe 2.0, Pb 0.2, Hg 0.002, Ni 0.5, Zn 0.5 mg/L,
  temperature < 3 degree differential.
"""

from __future__ import annotations

import pytest

from polyflow.chem.elements import read_data_csv
from polyflow.effluent import (
    LimitTable,
    check_effluent,
    list_tables,
    load_limits,
    most_stringent,
    parameter_unit,
)
from polyflow.effluent.limits import Limit, _limit_from_row
from polyflow.errors import DataError, InputError

#: table -> (rows, sum of the 'maximum' column): a corrupted table cannot pass.
CHECKSUMS = {
    "canada_mdmer_sch4": (24, 83.22),
    "us_epa_440j_bat_mill": (10, 3.003),
    "us_epa_440j_bat_mine": (10, 3.753),
    "wbg_mining_2007": (19, 277.852),
    "us_epa_440j_bpt_mine": (11, 62.603),
    "us_epa_440j_nsps_mine": (13, 62.753),
    "us_epa_440f_nsps_mine": (9, 61.1),
}


def test_list_tables_is_the_shipped_set():
    assert list_tables() == sorted(CHECKSUMS)


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_table_shape_and_checksum(name):
    rows = read_data_csv(f"discharge_limits_{name}.csv")
    n, total = CHECKSUMS[name]
    assert len(rows) == n
    assert sum(float(r["maximum"]) for r in rows) == pytest.approx(total, abs=1e-9)
    assert [len(r) for r in rows] == [10] * n      # every row has every column
    table = load_limits(name)
    assert len(table) == n
    assert all(lim.table == name and lim.averaging and lim.where for lim in table.limits)
    assert table.citations and all(len(c) > 40 for _, c in table.citations)


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_every_row_is_unique_and_marked_primary_or_secondary(name):
    table = load_limits(name)
    keys = [(lim.parameter, lim.basis, lim.averaging) for lim in table.limits]
    assert len(keys) == len(set(keys))
    # the WBG table was read from a transcription of the guideline, the others from the
    # regulation's text
    expected = name == "wbg_mining_2007"
    assert [lim.secondary for lim in table.limits] == [expected] * len(table)


def test_each_parameter_has_the_source_s_averaging_periods():
    mdmer = load_limits("canada_mdmer_sch4")
    for p in mdmer.parameters:
        assert [lim.averaging for lim in mdmer.limits_for(p)] == [
            "monthly mean", "composite sample", "grab sample"]
        # "All concentrations are total values" (TSS has no basis)
        assert {lim.basis for lim in mdmer.limits_for(p)} == {"n/a" if p == "TSS" else "total"}
    epa = load_limits("us_epa_440j_bat_mine")
    for p in epa.parameters:
        assert [lim.averaging for lim in epa.limits_for(p)] == [
            "maximum for any 1 day", "average of daily values for 30 consecutive days"]


def test_published_values():
    """40 CFR 440.103(a)/(b) and MDMER Schedule 4 (values in the module docstring)."""
    def maxima(name, p):
        return [lim.maximum for lim in load_limits(name).limits_for(p)]
    assert maxima("us_epa_440j_bat_mine", "Zn") == [1.5, 0.75]
    assert maxima("us_epa_440j_bat_mill", "Zn") == [1.0, 0.5]
    for name in ("us_epa_440j_bat_mine", "us_epa_440j_bat_mill"):
        assert maxima(name, "Hg") == [0.002, 0.001]
        assert maxima(name, "Cd") == [0.10, 0.05]
    assert maxima("canada_mdmer_sch4", "As") == [0.50, 0.75, 1.00]
    assert maxima("canada_mdmer_sch4", "TSS") == [15.0, 22.5, 30.0]
    ra = load_limits("canada_mdmer_sch4").limits_for("Ra-226")
    assert [(lim.maximum, lim.unit) for lim in ra] == [(0.37, "Bq/L"), (0.74, "Bq/L"),
                                                       (1.11, "Bq/L")]


def test_us_epa_conventional_pollutants_and_new_sources():
    """40 CFR 440.102(a), 440.104(a), 440.64(a) (values in the module docstring)."""
    def maxima(name, p):
        return [lim.maximum for lim in load_limits(name).limits_for(p)]
    for name in ("us_epa_440j_bpt_mine", "us_epa_440j_nsps_mine", "us_epa_440f_nsps_mine"):
        assert maxima(name, "TSS") == [30.0, 20.0]
        (ph,) = load_limits(name).limits_for("pH")
        assert (ph.minimum, ph.maximum) == (6.0, 9.0)
    assert maxima("us_epa_440j_bpt_mine", "Cd") == []
    assert maxima("us_epa_440j_nsps_mine", "Cd") == [0.10, 0.05]
    assert maxima("us_epa_440f_nsps_mine", "Zn") == [1.0, 0.5]
    assert maxima("us_epa_440f_nsps_mine", "Pb") == []


def test_wbg_mining_table_1():
    """WBG EHS Guidelines for Mining (2007), Table 1 and its note (module docstring)."""
    wbg = load_limits("wbg_mining_2007")
    got = {lim.parameter: (lim.basis, lim.minimum, lim.maximum, lim.unit)
           for lim in wbg.limits}
    assert got["pH"] == ("n/a", 6.0, 9.0, "pH")
    assert got["TSS"] == ("n/a", None, 50.0, "mg/L")
    assert got["temperature_rise"] == ("n/a", None, 3.0, "K")
    assert {p: got[p][2] for p in ("As", "Cd", "Cr(VI)", "Cu", "Fe", "Pb", "Hg", "Ni",
                                    "Zn")} == {
        "As": 0.1, "Cd": 0.05, "Cr(VI)": 0.1, "Cu": 0.3, "Fe": 2.0, "Pb": 0.2, "Hg": 0.002,
        "Ni": 0.5, "Zn": 0.5}
    metals = ("As", "Cd", "Cr(VI)", "Cu", "Fe", "Pb", "Hg", "Ni", "Zn")
    assert {got[p][0] for p in metals} == {"total"}   # "Metals concentrations ... total"
    assert [got[p][2] for p in ("CN_total", "CN_free", "CN_WAD")] == [1.0, 0.1, 0.5]
    assert {lim.averaging for lim in wbg.limits} == {"95 % of operating hours"}


def test_source_keys_are_unique_over_all_sources_files():
    from importlib import resources
    keys: list[str] = []
    for p in resources.files("polyflow.data").iterdir():
        if p.name.startswith("sources") and p.name.endswith(".csv"):
            keys += [r["key"] for r in read_data_csv(p.name)]
    assert len(keys) == len(set(keys))
    assert {"CFR40_440J", "MDMER_SCH4", "WBG_MINING07"} <= set(keys)


# ---- the "whichever is more stringent" rule ------------------------------------------

def _table(name, *limits):
    return LimitTable(name=name, limits=tuple(
        Limit(p, basis, lo, hi, parameter_unit(p), avg, "X", "t", table=name)
        for p, basis, lo, hi, avg in limits))


def test_most_stringent_keeps_the_lowest_maximum_per_parameter_and_basis():
    strict = most_stringent("us_epa_440j_bat_mill", "canada_mdmer_sch4")
    got = {(lim.parameter, lim.basis): (lim.maximum, lim.table, lim.averaging)
           for lim in strict.limits}
    # Cu: MDMER monthly mean 0.30 (total) and the EPA 30-day average 0.15 (basis unstated)
    assert got[("Cu", "total")] == (0.30, "canada_mdmer_sch4", "monthly mean")
    assert got[("Cu", "unstated")] == (
        0.15, "us_epa_440j_bat_mill", "average of daily values for 30 consecutive days")
    assert got[("Ni", "total")][0] == 0.50           # only MDMER limits Ni
    assert len(strict) == 13                          # 8 MDMER + 5 EPA (parameter, basis)
    assert {k for k, _ in strict.citations} == {"CFR40_440J", "MDMER_SCH4"}


def test_most_stringent_never_loosens_any_table():
    """Property: every merged bound is at least as tight as each table's bound on it."""
    names = list_tables()
    strict = most_stringent(names)
    for name in names:
        for lim in load_limits(name).limits:
            kept = [s for s in strict.limits
                    if (s.parameter, s.basis) == (lim.parameter, lim.basis)]
            assert len(kept) == 1
            if lim.maximum is not None:
                assert kept[0].maximum <= lim.maximum
            if lim.minimum is not None:
                assert kept[0].minimum >= lim.minimum


def test_wbg_against_mdmer_keeps_the_stricter_value_of_each():
    """The WBG rule between the guideline and a national regulation: As is stricter in the
    WBG table (0.1 against MDMER's 0.50 monthly mean), TSS in the MDMER (15 against 50)."""
    strict = most_stringent("wbg_mining_2007", "canada_mdmer_sch4")
    got = {(lim.parameter, lim.basis): (lim.maximum, lim.table) for lim in strict.limits}
    assert got[("As", "total")] == (0.1, "wbg_mining_2007")
    assert got[("TSS", "n/a")] == (15.0, "canada_mdmer_sch4")
    assert got[("Ra-226", "total")] == (0.37, "canada_mdmer_sch4")
    assert got[("Fe", "total")] == (2.0, "wbg_mining_2007")
    # cyanide: WBG gives no basis, MDMER total values, so both limits stay
    assert got[("CN_total", "unstated")][0] == 1.0
    assert got[("CN_total", "total")][0] == 1.0


def test_most_stringent_intersects_ranges_from_two_tables():
    a = _table("host", ("pH", "n/a", 6.0, 9.0, "grab sample"))
    b = _table("lender", ("pH", "n/a", 6.5, 10.0, "monthly mean"))
    (ph,) = most_stringent(a, b).limits
    assert (ph.minimum, ph.maximum) == (6.5, 9.0)
    assert ph.table == "lender+host"
    assert ph.averaging == "minimum: monthly mean; maximum: grab sample"


def test_most_stringent_empty_range_is_an_error():
    a = _table("a", ("pH", "n/a", 6.0, 7.0, "grab sample"))
    b = _table("b", ("pH", "n/a", 8.0, 9.0, "grab sample"))
    with pytest.raises(DataError, match="pH: the tightest bounds leave no range"):
        most_stringent(a, b)


def test_check_with_most_stringent_option_equals_check_of_merged_table():
    values = {"Cu": 0.2, "Zn": 0.6, "Pb": 0.25, "As": 0.6}
    a = check_effluent(["us_epa_440j_bat_mine", "canada_mdmer_sch4"],
                       combine="most_stringent", total_mg_L=values)
    b = check_effluent(most_stringent("us_epa_440j_bat_mine", "canada_mdmer_sch4"),
                       total_mg_L=values)
    assert a.rows == b.rows
    assert {(r.parameter, r.basis) for r in a.exceedances} == {
        ("Cu", "unstated"), ("Zn", "total"), ("Pb", "total"), ("As", "total")}


# ---- the check ------------------------------------------------------------------------

def _status(check, parameter, averaging):
    (row,) = [r for r in check.rows
              if r.parameter == parameter and r.averaging == averaging]
    return row.status, row.compared, row.note


def test_bounds_are_inclusive():
    check = check_effluent("canada_mdmer_sch4", total_mg_L={"Cu": 0.30})
    assert _status(check, "Cu", "monthly mean")[0] == "pass"
    check = check_effluent("canada_mdmer_sch4", total_mg_L={"Cu": 0.3000001})
    assert _status(check, "Cu", "monthly mean")[0] == "exceed"


def test_total_limit_with_dissolved_value_only():
    # dissolved below a limit on the total cannot decide ...
    check = check_effluent("canada_mdmer_sch4", dissolved_mg_L={"Zn": 0.1})
    assert _status(check, "Zn", "grab sample") == (
        "not-assessed", "", "only the dissolved value is given")
    # ... above it, it must exceed (total >= dissolved) ...
    check = check_effluent("canada_mdmer_sch4", dissolved_mg_L={"Zn": 0.8})
    assert _status(check, "Zn", "monthly mean")[:2] == ("exceed", "dissolved")
    assert _status(check, "Zn", "grab sample")[0] == "not-assessed"
    # ... and for a liquid without solids the dissolved value is the total
    check = check_effluent("canada_mdmer_sch4", dissolved_mg_L={"Zn": 0.1},
                           dissolved_as_total=True)
    assert _status(check, "Zn", "monthly mean") == ("pass", "dissolved",
                                                    "dissolved taken as total")


def test_dissolved_limit_with_total_value_only():
    table = _table("d", ("Cu", "dissolved", None, 0.5, "grab sample"))
    assert _status(check_effluent(table, total_mg_L={"Cu": 0.4}), "Cu", "grab sample")[:2] \
        == ("pass", "total")
    assert _status(check_effluent(table, total_mg_L={"Cu": 0.6}), "Cu", "grab sample")[0] \
        == "not-assessed"


def test_unstated_basis_prefers_the_total_and_says_so():
    both = check_effluent("us_epa_440j_bat_mill", dissolved_mg_L={"Cd": 0.01},
                          total_mg_L={"Cd": 0.2})
    status, compared, note = _status(both, "Cd", "maximum for any 1 day")
    assert (status, compared) == ("exceed", "total")
    assert "basis not stated" in note


def test_parameters_without_basis_use_whichever_value_is_given():
    check = check_effluent("wbg_mining_2007", total_mg_L={"TSS": 60.0},
                           dissolved_mg_L={"CN_WAD": 0.4})
    assert _status(check, "TSS", "95 % of operating hours") == ("exceed", "total", "")
    status, compared, note = _status(check, "CN_WAD", "95 % of operating hours")
    assert (status, compared) == ("pass", "dissolved")
    assert note == "basis not stated by the source: dissolved compared"


def test_ph_and_temperature_rise_rows():
    table = _table("t", ("pH", "n/a", 6.0, 9.0, "grab sample"),
                   ("temperature_rise", "n/a", None, 3.0, "grab sample"))
    check = check_effluent(table, pH=9.5, temperature_C=30.0, receiving_water_C=28.0)
    assert [(r.parameter, r.status) for r in check.rows] == [
        ("pH", "exceed"), ("temperature_rise", "pass")]
    check = check_effluent(table, pH=6.0, temperature_C=30.0)
    assert [(r.parameter, r.status) for r in check.rows] == [
        ("pH", "pass"), ("temperature_rise", "not-assessed")]


def test_summary_and_unlimited_parameters():
    check = check_effluent("us_epa_440j_bat_mill", pH=8.0,
                           total_mg_L={"Cu": 0.5, "Mn": 2.0})
    text = check.summary()
    assert text.splitlines()[0] == (
        "us_epa_440j_bat_mill: 2 exceed, 0 pass, 8 not assessed")
    assert "exceed Cu 0.5 mg/L, limit <= 0.3 mg/L" in text
    assert check.unlimited == ("Mn", "pH")
    assert not check.compliant
    data = check.to_dict()
    assert data["counts"] == {"pass": 0, "exceed": 2, "not-assessed": 8}
    assert len(data["rows"]) == 10


def test_check_is_pure():
    values = {"Cu": 0.2}
    first = check_effluent("canada_mdmer_sch4", total_mg_L=values)
    assert values == {"Cu": 0.2}
    assert check_effluent("canada_mdmer_sch4", total_mg_L=values) == first


# ---- error paths ------------------------------------------------------------------------

def test_unknown_table_suggests_a_name():
    with pytest.raises(DataError, match="unknown discharge-limit table 'canada_mdmr'; "
                                        "did you mean 'canada_mdmer_sch4'"):
        load_limits("canada_mdmr")


def test_table_not_transcribed_says_so():
    with pytest.raises(DataError, match=r"\(SRO 549\(I\)/2000\) is not transcribed"):
        load_limits("pak_neqs_2000")


def test_unknown_parameter_suggests_a_name():
    with pytest.raises(InputError, match=r"field 'total_mg_L\['Znn'\]': unknown effluent "
                                         r"parameter; did you mean 'Zn'"):
        check_effluent("canada_mdmer_sch4", total_mg_L={"Znn": 1.0})


def test_ambiguous_cyanide_is_refused():
    with pytest.raises(InputError, match="write CN_total, CN_WAD or CN_free"):
        check_effluent("canada_mdmer_sch4", total_mg_L={"CN": 0.1})


def test_radionuclide_in_the_wrong_argument():
    with pytest.raises(InputError, match="'Ra-226' is not given in total_mg_L; "
                                         "give it in activity_Bq_L"):
        check_effluent("canada_mdmer_sch4", total_mg_L={"Ra-226": 0.1})


@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf"), "high"])
def test_bad_concentrations(value):
    with pytest.raises(InputError, match=r"field 'dissolved_mg_L\['Cu'\]': must be a"):
        check_effluent("canada_mdmer_sch4", dissolved_mg_L={"Cu": value})


def test_bad_ph_and_combine():
    with pytest.raises(InputError, match="field 'pH': must be a number from 0 to 14"):
        check_effluent("canada_mdmer_sch4", pH=14.5)
    with pytest.raises(InputError, match="field 'combine': must be 'each' or"):
        check_effluent("canada_mdmer_sch4", combine="strictest")


ROW = {"parameter": "Cu", "basis": "total", "minimum": "", "maximum": "0.3", "unit": "mg/L",
       "averaging": "monthly mean", "source": "MDMER_SCH4", "where": "x", "secondary": "no",
       "note": ""}


@pytest.mark.parametrize(("change", "message"), [
    ({"parameter": "Copper"}, "f.csv:7: field 'parameter': unknown parameter 'Copper'"),
    ({"basis": "totl"}, "field 'basis': basis must be one of .* did you mean 'total'"),
    ({"unit": "ug/L"}, "field 'unit': parameter 'Cu' is given in mg/L"),
    ({"maximum": "0.3 mg/L"}, "field 'maximum': not a number"),
    ({"maximum": ""}, "a limit needs a minimum or a maximum"),
    ({"minimum": "0.5"}, "field 'minimum': minimum above maximum"),
    ({"source": "EPA"}, "unknown source 'EPA'; add it to sources_discharge.csv"),
    ({"averaging": ""}, "field 'averaging': the averaging period the source states"),
])
def test_malformed_rows_name_file_line_and_field(change, message):
    with pytest.raises(DataError, match=message):
        _limit_from_row({**ROW, **change}, "t", "f.csv", 7)
