"""Unit results are declared with their units of measure (issue #20): reports render
name and unit from the declaration, the JSON keys them NAME_UNIT, an undeclared result
is refused, and the comminution report finds units by what they declare, not by
model name."""

from __future__ import annotations

from pathlib import Path

import pytest

from polyflow import Flowsheet
from polyflow.report.tables import energy_rows, unit_result_rows
from polyflow.result import result_key
from polyflow.units import Feed, Product
from polyflow.units.base import Reported, Unit, result_declaration
from polyflow.units.registry import model_registry


class Tank(Unit):
    """Test unit: outlet = inlet; reports a declared level, a family of stage values,
    and (when asked) a result it does not declare.

    Source: a constructed case for the results declaration.
    """

    model = "test_declared_tank"
    results = {"level": Reported("m", "liquid level"),
               "C_stage{k}": Reported("mg/L", "concentration of stage k"),
               "fill_ratio": Reported("", "a pure number")}
    undeclared = False

    def equations(self, eq) -> None:
        out, (inlet,) = eq.outlets["out"], eq.all_inlets
        eq.species_map(out, [(inlet, 1.0)])
        eq.temperature_equal(out, inlet)

    def report(self, sol) -> dict[str, float]:
        out = {"level": 2.5, "C_stage1": 1.0, "C_stage2": 0.5, "fill_ratio": 0.8}
        if self.undeclared:
            out["volume_m3"] = 3.0
        return out


def _plant(tank: Tank) -> Flowsheet:
    fs = Flowsheet(["H2O"])
    fs.add(Feed("feed", flows={"H2O": "1 t/h"}))
    fs.add(tank)
    fs.add(Product("out"))
    fs.connect("a", "feed", "tank")
    fs.connect("b", "tank", "out")
    return fs


def test_declared_results_are_keyed_name_unit_and_tabled_name_bracket_unit():
    r = _plant(Tank("tank")).solve()
    info = r.units["tank"]
    assert info.result_units == {"level": "m", "C_stage1": "mg/L", "C_stage2": "mg/L",
                                 "fill_ratio": ""}
    assert r.energy["tank"] == {"power_kW": 0.0, "duty_kW": 0.0, "level_m": 2.5,
                                "C_stage1_mg/L": 1.0, "C_stage2_mg/L": 0.5,
                                "fill_ratio": 0.8}
    (row,) = energy_rows(r)
    assert row["power [kW]"] == 0.0 and row["duty [kW]"] == 0.0
    details = {d["result"]: (d["value"], d["units"]) for d in unit_result_rows(r)}
    assert details["level"] == (2.5, "m") and details["C_stage2"] == (0.5, "mg/L")
    assert details["fill_ratio"] == (0.8, "")


def test_an_undeclared_result_is_refused_with_what_to_add():
    tank = Tank("tank")
    tank.undeclared = True
    with pytest.raises(TypeError, match=r"reports 'volume_m3' without declaring it: add "
                                        r"'volume_m3': Reported"):
        _plant(tank).solve()


def test_templates_match_whole_names_only():
    assert result_declaration(Tank, "C_stage12").unit == "mg/L"
    assert result_declaration(Tank, "C_stage") is None
    assert result_declaration(Tank, "XC_stage1") is None
    assert result_key("P80", "um") == "P80_um" and result_key("pH", "") == "pH"


def test_every_shipped_model_that_reports_declares_its_results():
    """Models overriding report() declare results."""
    missing = [m for m, cls in model_registry().items()
               if cls.__module__.startswith("polyflow.units.") and cls.report is not Unit.report
               and not cls.results]
    assert not missing


def test_comminution_report_names_no_model():
    src = (Path(__file__).parents[2] / "src/polyflow/report/comminution.py").read_text()
    for model in ("ball_mill", "crusher", "hydrocyclone", "screen", "flotation_bank"):
        assert f'"{model}"' not in src


class WashTank(Unit):
    """Wash tank: outlet = inlet; reports the liquor the solids carry.

    Source: a mass balance (no model parameter). The worked unit of
    docs/writing-a-unit.md, kept here so the guide cannot drift.
    """

    model = "wash_tank"
    results = {
        "liquor": Reported("m3/h", "liquor leaving with the solids (at 1 t/m3)"),
        "solids": Reported("%", "solids in the slurry, by mass"),
    }

    def bind(self, species) -> None:
        self.mw, self.solid, self.liquor = species.mw, species.mask("s"), \
            species.mask(("aq", "l"))

    def equations(self, eq) -> None:
        out, (inlet,) = eq.outlets["out"], eq.all_inlets
        eq.species_map(out, [(inlet, 1.0)])
        eq.temperature_equal(out, inlet)

    def report(self, sol) -> dict[str, float]:
        m = sol.outlets["out"][0] * self.mw                     # kg/h by species
        s, liq = float(m[self.solid].sum()), float(m[self.liquor].sum())
        return {"liquor": liq / 1000.0, "solids": 100.0 * s / (s + liq) if s + liq else 0.0}


def test_the_worked_unit_of_the_guide():
    """3 t/h water + 1 t/h quartz: 3 m3/h of liquor, 25 % solids (by hand)."""
    fs = Flowsheet(["H2O", "SiO2"])
    fs.add(Feed("feed", flows={"H2O": "3 t/h", "SiO2": "1 t/h"}))
    fs.add(WashTank("wash"))
    fs.add(Product("out"))
    fs.connect("a", "feed", "wash")
    fs.connect("b", "wash", "out")
    r = fs.solve()
    assert r.units["wash"].results == pytest.approx({"liquor": 3.0, "solids": 25.0},
                                                    rel=1e-12)
    assert r.units["wash"].result_units == {"liquor": "m3/h", "solids": "%"}
    assert set(r.energy["wash"]) == {"power_kW", "duty_kW", "liquor_m3/h", "solids_%"}
    (row,) = energy_rows(r)
    assert list(row) == ["unit", "model", "area", "power [kW]", "duty [kW]"]
    assert [(d["result"], d["units"]) for d in unit_result_rows(r)] == [
        ("liquor", "m3/h"), ("solids", "%")]
