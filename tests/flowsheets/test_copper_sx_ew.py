"""The shipped copper leach - CCD - SX - EW plant solves from the file alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow
from polyflow.report.water import water_balance

PLANT = Path(__file__).parents[2] / "flowsheets" / "copper_sx_ew.toml"
M_CU, M_S, M_ACID = 63.546, 32.06, 98.0785


@pytest.fixture(scope="module")
def plant():
    return polyflow.load(PLANT).solve()


def acid_g_L(plant, stream: str) -> float:
    """Free H2SO4 [g/L] of a stream: its sulfur less the copper sulfate's."""
    g = plant.solution_g_L(stream)
    return (g.get("S", 0.0) - g.get("Cu", 0.0) * M_S / M_CU) * M_ACID / M_S


def test_converges_and_closes(plant):
    assert plant.converged
    assert plant.iterations <= 15
    assert max(plant.closure.values()) < 1e-9


def test_sx_uses_the_hydroxyoxime_isotherm():
    fs = polyflow.load(PLANT)
    assert fs.units["sx"].p["isotherm"] == "hydroxyoxime"
    # the lime_dose feed is read as a plain feed and a spec (io/solved_feed_specs.py)
    assert fs.units["lime"].model == "feed"
    lime = fs.specs["lime"]
    assert (lime.vary, lime.target, lime.value) == (
        "lime.flows.Ca(OH)2(s)", "streams.neutralised.g_L.H2SO4", 1.0)


def test_copper_to_cathode_is_fixed_by_the_tankhouse_current(plant):
    """Faraday: 77 cells × i × 110 m2 × 92 % / (2F) of copper, i the current density the
    plant's spec solves for (about 300 A/m2: 35 g/L Cu in the spent electrolyte)."""
    spec = plant.specs["spent_electrolyte_copper"]
    assert spec["value"].endswith(" A/m2") and spec["achieved"] == pytest.approx(35.0)
    i = float(spec["value"].split()[0])
    assert 290 < i < 310
    cu = 77 * i * 110 * 0.92 / (2 * 96485.33212) * 3.6 * M_CU      # kg/h
    assert plant.flow_kg_h("cathode_copper")["Cu(s)"] == pytest.approx(cu, rel=1e-6)
    rec = plant.recovery["Cu"]
    assert rec["cathode"] == pytest.approx(cu / 3000.0, rel=1e-6)
    assert sum(rec.values()) == pytest.approx(1.0, abs=1e-9)


def test_solution_concentrations_in_plant_ranges(plant):
    """Schlesinger et al. (2011) ch. 15-17 and the plant data cited in
    docs/copper-sx-ew.md: strong electrolyte ~45-50 g/L Cu, spent ~35-40 g/L Cu and
    ~160-200 g/L H2SO4, raffinate below ~1 g/L Cu."""
    cu = {s: plant.solution_g_L(s)["Cu"] for s in
          ("pls", "raffinate", "loaded_electrolyte", "spent_electrolyte")}
    assert 3.0 < cu["pls"] < 10.0
    assert 0.1 < cu["raffinate"] < 1.0
    assert 40.0 < cu["loaded_electrolyte"] < 52.0
    assert 30.0 < cu["spent_electrolyte"] < 42.0
    assert 160.0 < acid_g_L(plant, "spent_electrolyte") < 200.0
    sx = plant.energy["sx"]
    assert sx["stripped_organic_g/L"] < sx["loaded_organic_g/L"] \
        < 0.8 * 25 * 0.5                       # below 80 % of the maximum loading


def test_lime_is_solved_to_the_free_acid_target(plant):
    assert plant.energy["neutraliser"]["residual_free_acid_g/L"] == pytest.approx(1.0,
                                                                                 rel=1e-8)
    sp = plant.species
    mw = {k: sp.mw[sp.idx(k)] for k in ("Ca(OH)2(s)", "H2SO4(aq)")}
    lime = plant.reagents["lime"]["Ca(OH)2(s) [kg/h]"] / mw["Ca(OH)2(s)"]     # kmol/h
    # Ca(OH)2 + H2SO4 -> CaSO4.2H2O: the acid removed, mole for mole, down to 1 g/L of the
    # liquor (its mass over 1000 kg/m3)
    acid_in = plant.energy["neutraliser"]["free_acid_in_kg/h"] / mw["H2SO4(aq)"]
    liquor_m3_h = sum(v for k, v in plant.flow_kg_h("neutralised").items()
                      if not k.endswith(("(s)", "(g)"))) / 1000.0
    assert lime == pytest.approx(acid_in - 1.0 * liquor_m3_h / mw["H2SO4(aq)"], rel=1e-6)


def test_report_figures(plant):
    ew = plant.energy["ew"]
    # the cell voltage from the cell up (electrowinning's cell model) near the 2.0 V of
    # tankhouse practice at 300 A/m2 (Beukes & Badenhorst 2009), and the energy zFU/(ηM)
    assert 1.95 < ew["cell_voltage_V"] < 2.05
    assert ew["specific_energy_kWh/t"] == pytest.approx(
        ew["cell_voltage_V"] * 2 * 96485.33212 / (0.92 * M_CU) / 3.6, rel=1e-9)
    acid = sum(v for feed in plant.reagents.values() for k, v in feed.items()
               if k == "H2SO4(aq) [kg/t ore]")
    assert 10 < acid < 60                      # kg/t ore, oxide-ore range
    w = water_balance(plant)
    assert w["fresh_water_m3_per_t_ore"] == pytest.approx(1.0, rel=1e-9)   # 250 m3/h wash
    assert w["recycled_t_h"] > 100


def test_water_balance_table_closes_and_gives_the_recycle_ratio(plant):
    """The report's water balance: in (fresh + with ore and reagents) + made by
    reactions = out, and the recycle ratio is recycled / (recycled + fresh)."""
    from polyflow.report.export import render_text
    from polyflow.report.tables import water_summary_rows

    rows = {r["quantity"]: r["value"] for r in water_summary_rows(plant)}
    fresh = rows["fresh water (feeds of category water)"]
    assert fresh == pytest.approx(250.0, rel=1e-9)                   # the CCD wash
    # water made by the reactions, counted from their extents: malachite leaching
    # releases 3 H2O, tenorite 1; calcite → gypsum takes 1; EW takes 1 per Cu
    # (CuSO4 + H2O → Cu + H2SO4 + ½O2); lime → gypsum in the neutraliser is neutral
    mw = dict(zip(plant.species.ids, plant.species.mw, strict=True))

    def kmol(stream, sid):
        return plant.flow_kg_h(stream).get(sid, 0.0) / mw[sid]

    def reacted(sid):
        return kmol("ore_feed", sid) - kmol("washed_residue", sid)

    made_kmol = (3 * reacted("Cu2(OH)2CO3(s)") + reacted("CuO(s)") - reacted("CaCO3(s)")
                 - kmol("cathode_copper", "Cu(s)"))
    assert rows["made (+) or used (-) by reactions"] == pytest.approx(
        made_kmol * mw["H2O(l)"] / 1000, rel=1e-8)
    rec = rows["recycled inside the plant"]
    assert rows["recycle ratio, recycled / (recycled + fresh)"] == pytest.approx(
        100 * rec / (rec + fresh))
    assert "Water balance" in render_text(plant)
