"""Design specifications solved inside the one Newton system (polyflow.solve.specs).

Each spec is checked against an answer found without it: a closed form where the plant is
linear in the varied input, else the nested solution (bisection over plain runs, the
"outer loop" a spec replaces); and the plain run with ``--set`` of the reported value must
reproduce the target.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import recycle_loop

import polyflow
from polyflow.cli import main
from polyflow.errors import InputError, SpecificationError
from polyflow.solve.specs import Spec, parse_spec_option

FLOWSHEETS = Path(__file__).resolve().parents[2] / "flowsheets"
LEACH = FLOWSHEETS / "copper_oxide_leach.toml"
SHIPPED_SXEW = FLOWSHEETS / "copper_sx_ew.toml"
SPECS_START = "# Controllers, written as design specifications"


@pytest.fixture(scope="module")
def sxew(tmp_path_factory):
    """The shipped SX-EW plant without its own specs (acid and current as written)."""
    text = SHIPPED_SXEW.read_text()
    path = tmp_path_factory.mktemp("sxew") / "copper_sx_ew.toml"
    path.write_text(text[:text.index(SPECS_START)])
    return path


def solve_with(path, *specs, overrides=None):
    fs = polyflow.load(path, overrides)
    for s in specs:
        fs.specs[s.name] = s
    return fs.solve()


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- against answers found without the spec --------------------------------------------------
@pytest.mark.parametrize("ratio", [0.01, 0.5, 3.0, 99.0])
def test_recycle_split_to_a_recycle_flow_matches_the_closed_form(ratio):
    """feed F -> mixer -> splitter, fraction s back: the recycle carries s/(1-s)·F, so a
    recycle water flow of R·F needs s = R/(1+R) exactly (mass balance of the loop), from
    s = 0.5 whatever R (1 % to 99 times the feed)."""
    fs = recycle_loop(0.5)
    fs.specs["r"] = Spec("r", "split.fractions.recycle", "streams.recycle.mass_kg_h.H2O",
                         1000.0 * ratio)
    result = fs.solve()
    assert result.converged and result.closed
    assert float(result.specs["r"]["value"]) == pytest.approx(ratio / (1 + ratio), rel=1e-12)
    assert result.flow_kg_h("recycle")["H2O(l)"] == pytest.approx(1000.0 * ratio, rel=1e-12)


def test_ore_grade_to_cathode_copper_matches_the_closed_form():
    """In the oxide leach every conversion and split is fixed, so the cathode copper is
    proportional to the ore's Cu grade: grade = 1.2 % × 2000 / (Cu at 1.2 %)."""
    base = polyflow.load(LEACH).solve()
    cathode = base.products["cathode"]
    cu0 = base.elements_kg_h(cathode)["Cu"]
    result = solve_with(LEACH, Spec("g", "ore.grades.Cu",
                                    f"streams.{cathode}.elements_kg_h.Cu", "2 t/h"))
    spec = result.specs["g"]
    assert spec["value"].endswith(" %")
    assert float(spec["value"].split()[0]) == pytest.approx(1.2 * 2000.0 / cu0, rel=1e-12)
    assert spec["achieved"] == pytest.approx(2000.0, rel=1e-12)
    assert result.iterations <= base.iterations + 2


def test_current_density_to_power_matches_faradays_tankhouse(sxew):
    """Tankhouse power = i·A·cells·U (polyflow's electrowinning: 300 A/m2 × 110 m2 × 77
    cells × 2.0 V = 5082 kW), so 5000 kW needs i = 5000 kW / (110 × 77 × 2.0 V); the
    cell voltage typed in (the shipped plant computes it from the cell up)."""
    result = solve_with(sxew, Spec("p", "ew.current_density", "energy.ew.power_kW",
                                   "5 MW"), overrides={"ew.cell_voltage": "2.0 V"})
    expected = 5000e3 / (110 * 77 * 2.0)
    assert result.specs["p"]["value"].endswith(" A/m2")
    assert float(result.specs["p"]["value"].split()[0]) == pytest.approx(expected, rel=1e-10)
    assert result.energy["ew"]["power_kW"] == pytest.approx(5000.0, rel=1e-10)


def _pls_cu(q_m3_h: float) -> float:
    fs = polyflow.load(LEACH, {"process_water.flow": f"{q_m3_h!r} m3/h"})
    return fs.solve().solution_g_L("pls")["Cu"]


def test_wash_water_to_pls_copper_equals_the_nested_bisection():
    """The one-system solve equals bisection over plain runs (the PLS copper falls as the
    wash water dilutes it) to 1e-8."""
    result = solve_with(LEACH, Spec("w", "process_water.flow", "streams.pls.g_L.Cu",
                                    "15 g/L"))
    q_spec = float(result.specs["w"]["value"].split()[0])
    lo, hi = 10.0, 400.0
    assert _pls_cu(lo) > 15.0 > _pls_cu(hi)
    while hi - lo > 1e-11 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _pls_cu(mid) > 15.0 else (lo, mid)
    assert q_spec == pytest.approx(0.5 * (lo + hi), rel=1e-8)


def test_set_of_the_reported_value_reproduces_the_target(sxew):
    """The plain run with --set NAME.FIELD=<the spec's value> gives the target back."""
    res = cli("run", sxew, "--format", "json", "--spec",
              "acid: vary=acid.flows.H2SO4, target=streams.pls.g_L.H2SO4, value=6 g/L")
    assert res.exit_code == 0, res.output
    spec = json.loads(res.output)["specs"]["acid"]
    assert spec["achieved"] == pytest.approx(6.0, rel=1e-10)
    assert set(spec) >= {"vary", "target", "value", "target_value", "achieved", "at_bound"}
    plain = cli("run", sxew, "--format", "json", "--set",
                f"acid.flows.H2SO4={spec['value']}")
    assert plain.exit_code == 0, plain.output
    doc = json.loads(plain.output)
    assert set(doc["specs"]) == {"lime"}        # the lime dose, a spec of the file
    pls = polyflow.load(sxew, {"acid.flows.H2SO4": spec["value"]}).solve()
    assert _free_acid(pls) == pytest.approx(6.0, rel=1e-9)


def _free_acid(result) -> float:
    """H2SO4(aq) in the PLS [g/L = kg/m3], from the plain result's stream table."""
    return result.flow_kg_h("pls")["H2SO4(aq)"] / result.solution_volume_m3_h("pls")


def test_two_specs_in_one_system(sxew):
    """Acid to the PLS free acid and the tankhouse current to the spent electrolyte's
    copper, both solved in the same Newton system."""
    result = solve_with(
        sxew, Spec("acid", "acid.flows.H2SO4", "streams.pls.g_L.H2SO4", "6 g/L"),
        Spec("cu", "ew.current_density", "streams.spent_electrolyte.g_L.Cu", "35 g/L"))
    assert result.converged and result.closed
    assert result.specs["acid"]["achieved"] == pytest.approx(6.0, rel=1e-10)
    assert result.specs["cu"]["achieved"] == pytest.approx(35.0, rel=1e-10)


# -- errors --------------------------------------------------------------------------------
def test_a_target_that_cannot_depend_on_its_input_is_named_before_solving():
    fs = polyflow.load(LEACH)
    fs.specs["s"] = Spec("s", "acid.flows.H2SO4", "streams.ore_feed.elements_kg_h.Cu", 2000)
    with pytest.raises(SpecificationError, match=r"specs\.s\.target.*does not depend on "
                                                 r"acid\.flows\.H2SO4"):
        fs.check()


def test_fixed_splits_make_the_residue_copper_independent_of_the_wash_water():
    """The oxide leach's thickeners split every solute by the same fixed fraction, so the
    copper lost to the residue cannot move with the wash water: named structurally."""
    fs = polyflow.load(LEACH)
    fs.specs["w"] = Spec("w", "process_water.flow", "recovery.Cu.residue", 0.02)
    with pytest.raises(SpecificationError, match=r"does not depend on process_water\.flow"):
        fs.solve()


def test_a_spec_held_at_its_bound_reports_the_bound_and_the_achieved_target(sxew):
    """(The upper bound 3.3 t/h: below about 3.1 t/h the leach, whose extraction follows
    the free acid, no longer feeds the tankhouse its fixed 300 A/m2.)"""
    res = cli("run", sxew, "--format", "json", "--spec",
              "acid: vary=acid.flows.H2SO4, target=streams.pls.g_L.H2SO4, value=6 g/L, "
              "bounds=3.2 t/h..3.3 t/h")
    assert res.exit_code == 3
    assert "spec 'acid' drives acid.flows.H2SO4 to its bound 3.3 t/h" in res.output
    doc = json.loads(res.output.split("Error:")[0])
    spec = doc["specs"]["acid"]
    assert spec["at_bound"] is True and spec["value"] == "3.3 t/h"
    at_bound = polyflow.load(sxew, {"acid.flows.H2SO4": "3.3 t/h"}).solve()
    assert spec["achieved"] == pytest.approx(_free_acid(at_bound), rel=1e-9)
    assert spec["achieved"] < 6.0


def test_a_count_cannot_be_varied(sxew):
    fs = polyflow.load(sxew)
    fs.specs["n"] = Spec("n", "ew.cells", "streams.spent_electrolyte.g_L.Cu", "35 g/L")
    with pytest.raises(InputError, match=r"ew\.cells cannot be varied continuously"):
        fs.check()


@pytest.mark.parametrize(("vary", "target", "message"), [
    ("wash_water.flw", "recovery.Cu.residue", "has no field 'flw'.*did you mean 'flow'"),
    ("wash_watr.flow", "recovery.Cu.residue", "no unit or feed 'wash_watr'.*'wash_water'"),
    ("wash_water.flow", "recovery.Cu.residu", "no product 'residu'.*'residue'"),
    ("wash_water.flow", "streams.pls.gL.Cu", "streams have no field 'gL'.*'g_L'"),
    ("wash_water.flow", "streams.pls.ph", "streams have no field 'ph'.*'pH'"),
])
def test_wrong_paths_are_named_with_a_suggestion(vary, target, message, sxew):
    fs = polyflow.load(sxew)
    fs.specs["x"] = Spec("x", vary, target, 1.0)
    with pytest.raises(InputError, match=message):
        fs.check()


def test_a_key_the_unit_does_not_report_is_named_when_first_read(sxew):
    """Some report keys exist only with flow, so a report key is checked in the solve."""
    fs = polyflow.load(sxew)
    fs.specs["x"] = Spec("x", "acid.flows.H2SO4", "energy.sx.pls_g_L", 6.0)
    with pytest.raises(InputError, match=r"reports no 'pls_g_L'.*'pls_metal_g/L'"):
        fs.solve()


def test_specs_in_a_file_are_read_and_errors_name_the_line(tmp_path, sxew):
    text = sxew.read_text() + (
        '\n[specs.acid]\nvary = "acid.flows.H2SO4"\ntarget = "streams.pls.g_L.H2SO4"\n'
        'value = "6 g/L"\nbound = ["1 t/h", "9 t/h"]\n')
    path = tmp_path / "plant.toml"
    path.write_text(text)
    n = text.splitlines().index("bound = [\"1 t/h\", \"9 t/h\"]") + 1
    with pytest.raises(InputError, match=rf"plant.toml:{n}: field 'bound': spec 'acid' has no "
                                         r"field 'bound'; did you mean 'bounds'"):
        polyflow.load(path)
    path.write_text(text.replace("bound =", "bounds =").replace('"streams.pls.g_L.H2SO4"',
                                                                  '"streams.pls.gL.H2SO4"'))
    n = text.splitlines().index('target = "streams.pls.g_L.H2SO4"') + 1
    with pytest.raises(InputError, match=rf"plant.toml:{n}: field 'specs.acid.target': "
                                         r"target 'streams.pls.gL.H2SO4': streams have no "
                                         r"field 'gL'; did you mean 'g_L'"):
        polyflow.load(path).check()
    path.write_text(text.replace("bound =", "bounds ="))
    result = polyflow.load(path).solve()
    assert result.specs["acid"]["achieved"] == pytest.approx(6.0, rel=1e-10)


def test_check_counts_the_specs(sxew):
    plain = cli("check", sxew)
    with_spec = cli("check", sxew, "--spec",
                    "vary=acid.flows.H2SO4, target=streams.pls.g_L.H2SO4, value=6 g/L")
    assert with_spec.exit_code == 0, with_spec.output
    n = int(plain.output.splitlines()[1].split()[0])
    # the file's lime dose is a spec too (io/solved_feed_specs.py)
    assert plain.output.splitlines()[1].startswith(f"{n} equations for {n} unknowns "
                                                   "(with 1 spec(s)")
    assert with_spec.output.splitlines()[1].startswith(f"{n + 1} equations for {n + 1} "
                                                       "unknowns (with 2 spec(s)")


def test_the_terminal_summary_shows_the_spec(sxew):
    res = cli("run", sxew, "--spec",
              "acid: vary=acid.flows.H2SO4, target=streams.pls.g_L.H2SO4, value=6 g/L")
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("Spec acid"))
    assert "acid.flows.H2SO4 = 3.54" in line and "(target 6 g/L)" in line


def test_spec_option_syntax_errors(sxew):
    with pytest.raises(InputError, match="must read key=value"):
        parse_spec_option("vary acid.flow")
    with pytest.raises(InputError, match="needs 'target'"):
        parse_spec_option("vary=acid.flow, value=3")
    res = cli("run", sxew, "--spec", "vary=acid.flow, value=3")
    assert res.exit_code == 2 and "--spec" in res.output


# -- the two solved feeds are specs ------------------------------------------------------------
def _neutralisation(lime):
    from polyflow import Flowsheet
    from polyflow.units import Feed, Product
    from polyflow.units.neutraliser import Neutraliser

    fs = Flowsheet(["H2O", "H2SO4", "Ca(OH)2", "CaSO4*2H2O(s)", "CO2(g)"])
    fs.add(Feed("bleed", flows={"H2O": "10000 kg/h", "H2SO4": "1 kmol/h"}))
    fs.add(lime)
    fs.add(Neutraliser("neutraliser", agent="Ca(OH)2"))
    fs.add(Product("tails"))
    fs.add(Product("vent"))
    fs.connect("b", "bleed", "neutraliser.feed")
    fs.connect("l", "lime", "neutraliser.lime")
    fs.connect("t", "neutraliser.slurry", "tails")
    fs.connect("v", "neutraliser.vent", "vent")
    return fs


def test_lime_dose_is_a_feed_with_a_free_acid_spec():
    """lime_dose's row m_H2SO4 − (C*/ρ)·L = 0 is the target row of the spec
    streams.t.g_L.H2SO4 = C* written without division (solve/measures.py): the same
    rate, 36.9 kg/h of Ca(OH)2 for 4.904 g/L (the LimeDose docstring's example)."""
    from polyflow.units import Feed
    from polyflow.units.lime_dose import LimeDose

    dosed = _neutralisation(LimeDose("lime", agent="Ca(OH)2", target_stream="t",
                                     target_free_acid="4.904 g/L")).solve()
    fs = _neutralisation(Feed("lime", flows_kg_h={"Ca(OH)2": 10.0}))
    fs.specs["acid"] = Spec("acid", "lime.flows_kg_h.Ca(OH)2", "streams.t.g_L.H2SO4",
                            "4.904 g/L")
    spec = fs.solve()
    assert float(spec.specs["acid"]["value"]) == pytest.approx(
        dosed.flow_kg_h("l")["Ca(OH)2(s)"], rel=1e-10)
    assert round(float(spec.specs["acid"]["value"]), 1) == 36.9


def test_water_makeup_is_a_feed_with_a_water_flow_spec():
    """water_makeup's row M·n_H2O(target) = ρ·Q* is the spec
    streams.TARGET.mass_kg_h.H2O = ρ·Q*: 30 m3/h for a 100 m3/h demand fed 70 t/h of
    reclaim water (the WaterMakeup docstring's example)."""
    from polyflow import Flowsheet
    from polyflow.units import Feed, Mixer, Product

    fs = Flowsheet(["H2O", "Na2SO4"])
    fs.add(Feed("reclaim", flows={"H2O": "70 t/h", "Na2SO4": "0.2 t/h"}))
    fs.add(Feed("fresh", flows={"H2O": "1 t/h"}))
    fs.add(Mixer("tank"))
    fs.add(Product("mill"))
    fs.connect("r", "reclaim", "tank")
    fs.connect("m", "fresh", "tank")
    fs.connect("mill_water", "tank", "mill")
    fs.specs["water"] = Spec("water", "fresh.flows.H2O", "streams.mill_water.mass_kg_h.H2O",
                             "100 t/h")
    result = fs.solve()
    assert result.specs["water"]["value"].endswith(" t/h")
    assert float(result.specs["water"]["value"].split()[0]) == pytest.approx(30.0, rel=1e-12)


# -- the shipped plant's controllers ---------------------------------------------------------
def test_the_shipped_sx_ew_plant_holds_its_two_controllers(sxew):
    """copper_sx_ew.toml: acid to 7 g/L free acid in the PLS, tankhouse current to 35 g/L
    Cu in the spent electrolyte, at most a few Newton iterations more than the plain run."""
    plain = polyflow.load(sxew).solve()
    result = polyflow.load(SHIPPED_SXEW).solve()
    assert result.converged and result.closed
    specs = result.specs
    assert specs["leach_free_acid"]["achieved"] == pytest.approx(7.0, rel=1e-10)
    assert specs["spent_electrolyte_copper"]["achieved"] == pytest.approx(35.0, rel=1e-10)
    assert specs["leach_density"]["achieved"] == pytest.approx(36.6, rel=1e-10)
    assert not any(s["at_bound"] for s in specs.values())
    assert result.iterations <= plain.iterations + 3


def test_set_on_a_spec_input_fixes_it_and_drops_the_spec():
    fs = polyflow.load(SHIPPED_SXEW, {"acid.flows.H2SO4": "3.6 t/h"})
    assert list(fs.specs) == ["lime", "spent_electrolyte_copper", "leach_density"]
    spec = parse_spec_option("vary=ew.current_density, target=energy.ew.power_kW, value=5 MW")
    fs = polyflow.load(SHIPPED_SXEW, None, {spec.name: spec})
    assert sorted(fs.specs) == ["leach_density", "leach_free_acid", "lime", "spec1"]


# -- more kinds of target ----------------------------------------------------------------------
def _two_feeds(water_t_h: float = 100.0, hot_C: float = 80.0):
    from polyflow import Flowsheet
    from polyflow.units import Feed, Mixer, Product

    fs = Flowsheet(["H2O", "SiO2"])
    fs.add(Feed("ore", flows={"SiO2": "100 t/h"}, temperature="20 degC"))
    fs.add(Feed("water", flows={"H2O": f"{water_t_h} t/h"}, temperature=f"{hot_C} degC"))
    fs.add(Mixer("tank"))
    fs.add(Product("slurry"))
    fs.connect("o", "ore", "tank")
    fs.connect("w", "water", "tank")
    fs.connect("pulp", "tank", "slurry")
    return fs


def test_water_to_percent_solids_matches_the_closed_form():
    """100 t/h of solids at 40 % solids need 150 t/h of water: 100 / (100 + W) = 0.40."""
    fs = _two_feeds()
    fs.specs["pd"] = Spec("pd", "water.flows.H2O", "streams.pulp.solids_%", "40 %")
    result = fs.solve()
    assert result.specs["pd"]["value"].endswith(" t/h")
    assert float(result.specs["pd"]["value"].split()[0]) == pytest.approx(150.0, rel=1e-12)
    assert result.specs["pd"]["achieved"] == pytest.approx(40.0, rel=1e-12)


def test_feed_temperature_to_a_mixed_temperature():
    """Water and quartz mixed to 40 °C: the water temperature solves the energy balance
    m_w (h_w(T) − h_w(40 °C)) = m_s (h_s(40 °C) − h_s(20 °C)); the plain run at the
    reported temperature gives 40 °C back to 1e-9 K."""
    fs = _two_feeds()
    fs.specs["T"] = Spec("T", "water.temperature", "streams.pulp.temperature", "40 degC")
    result = fs.solve()
    value = result.specs["T"]["value"]
    assert value.endswith(" degC")
    t_hot = float(value.split()[0])
    plain = _two_feeds(hot_C=t_hot).solve()
    assert plain.temperature_C("pulp") == pytest.approx(40.0, abs=1e-9)
    # quartz (cp ≈ 0.75 kJ/kg K) warms by 20 K what the water (≈ 4.18) gives: T ≈ 43.6 °C
    assert t_hot == pytest.approx(40.0 + 20.0 * 0.75 / 4.18, abs=0.3)


def test_cyclone_cut_size_to_a_p80_reproduced_by_the_plain_run():
    """Gold plant: the cyclones' vortex finder that gives a 70 µm P80 overflow (the
    cyclones are sized by geometry, Plitt), found in the one system; the plain run at
    that vortex finder gives 70 µm back."""
    gold = FLOWSHEETS / "gold_cil.toml"
    spec = Spec("grind", "cyclones.vortex_finder", "streams.cyclone_overflow.p80_um", 70.0)
    result = solve_with(gold, spec)
    value = result.specs["grind"]["value"]
    assert value.endswith(" mm"), value
    assert 50.0 < float(value.split()[0]) < 105.0      # finer than the 105 mm shipped
    plain = polyflow.load(gold, {"cyclones.vortex_finder": value}).solve()
    assert plain.p80_um("cyclone_overflow") == pytest.approx(70.0, rel=1e-8)


def test_a_temperature_cannot_move_a_fixed_conversion_balance():
    """The ore's temperature reaches only temperature unknowns (energy rows): the oxide
    leach's conversions are fixed, so no chain leads to the PLS copper."""
    fs = polyflow.load(LEACH)
    fs.specs["t"] = Spec("t", "ore.temperature", "streams.pls.g_L.Cu", "10 g/L")
    with pytest.raises(SpecificationError, match=r"does not depend on ore\.temperature"):
        fs.check()


def test_a_spec_that_fails_cold_is_held_then_released():
    """O/A ratio to 0.6 g/L Cu in the raffinate: from the all-zero start the isotherm
    stages hold no metal at the second iterate, so the O/A has no effect there and the
    Jacobian is singular; polyflow solves the plant with the inputs held (the plain run),
    then releases the targets from there. The plain run at the five solved inputs (the
    lime dose's too) gives the targets back."""
    spec = Spec("oa", "sx.oa_ratio", "streams.raffinate.g_L.Cu", "0.6 g/L")
    result = solve_with(SHIPPED_SXEW, spec)
    assert result.converged and result.closed
    assert result.specs["oa"]["achieved"] == pytest.approx(0.6, rel=1e-10)
    sets = {d["vary"]: d["value"] for d in result.specs.values()}
    assert set(sets) == {"sx.oa_ratio", "acid.flows.H2SO4", "ew.current_density",
                         "raffinate_split.fractions.bleed", "lime.flows.Ca(OH)2(s)"}
    plain = polyflow.load(SHIPPED_SXEW, sets)
    assert plain.specs == {}
    again = plain.solve()
    assert again.solution_g_L("raffinate")["Cu"] == pytest.approx(0.6, rel=1e-8)
    assert again.solution_g_L("spent_electrolyte")["Cu"] == pytest.approx(35.0, rel=1e-8)


def test_a_feed_field_left_at_its_default_can_be_varied(sxew):
    """The wash water's temperature is not written in the file (25 °C by default); it
    can still be solved for, here for a 28 °C PLS, and --set of it gives 28 °C back.
    With wash water at 25 °C the PLS is about 29 °C (the 98 % acid's heat of dilution,
    docs/reagents.md), so 28 °C needs cooler wash water."""
    result = solve_with(sxew, Spec("t", "wash_water.temperature", "streams.pls.temperature",
                                   "28 degC"))
    value = result.specs["t"]["value"]
    assert value.endswith(" degC") and 15.0 < float(value.split()[0]) < 25.0
    plain = polyflow.load(sxew, {"wash_water.temperature": value}).solve()
    assert plain.temperature_C("pls") == pytest.approx(28.0, abs=1e-8)


def test_the_affine_path_equals_the_rebuilt_path(sxew, monkeypatch):
    """A feed is affine in its flow, so its rows are interpolated between two builds; the
    same spec with the unit rebuilt at every value (central differences for ∂F/∂p) gives
    the same input to 1e-10."""
    from polyflow.solve.freed_unit import FreedUnit
    from polyflow.solve.specs import attach_specs

    spec = Spec("acid", "acid.flows.H2SO4", "streams.pls.g_L.H2SO4", "6 g/L")
    fs = polyflow.load(sxew)
    fs.specs["acid"] = spec
    assert attach_specs(fs, fs.assemble())[1].units["acid"].affine is not None
    fs.specs = {"oa": Spec("oa", "sx.oa_ratio", "streams.raffinate.g_L.Cu", "0.7 g/L")}
    assert attach_specs(fs, fs.assemble())[1].units["sx"].affine is None   # isotherms
    fast = float(solve_with(sxew, spec).specs["acid"]["value"].split()[0])
    monkeypatch.setattr(FreedUnit, "_affine", lambda self, base, P0: None)
    slow = float(solve_with(sxew, spec).specs["acid"]["value"].split()[0])
    assert fast == pytest.approx(slow, rel=1e-10)
