"""The concentrator responds to its levers (issue #14): ball mill by its equipment
(Rowland's power, Herbst–Fuerstenau energy-specific breakage), hydrocyclones by their
geometry (Plitt), flotation cells by their volume; utilisation and capacity warnings;
the analytic Jacobians of their nonlinear rows against central differences."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import polyflow
from polyflow import Flowsheet
from polyflow.chem.species import load_database
from polyflow.comminution import (
    austin_breakage,
    bond_energy,
    energy_mill_matrix,
    mill_matrix,
    rowland_ball_mill_power,
)
from polyflow.errors import InputError, SpecificationError
from polyflow.io.feeds import sized_flows
from polyflow.plitt import plitt_d50c, plitt_flow_split, plitt_pressure
from polyflow.psd import sieve_series
from polyflow.solve.assemble import assemble
from polyflow.solve.blocks import Block
from polyflow.units import Feed, Product
from polyflow.units.capacity import CapacityWarning
from polyflow.units.flotation import FlotationBank
from polyflow.units.hydrocyclone import Hydrocyclone
from polyflow.units.mill import BallMill

PLANT = Path(__file__).parents[2] / "flowsheets" / "grinding_flotation.toml"


def sized(names=("H2O", "SiO2", "CuFeS2"), top=2e-3, bottom=20e-6):
    return load_database().subset(list(names)).sized(sieve_series(top, bottom))


def through(unit, sp, flows, outlets=("out",), psd=None):
    fs = Flowsheet(sp)
    fs.add(Feed("feed_unit", flows_kg_h=sized_flows(sp, flows, psd or {
        "ggs": {"xmax": f"{sp.size_classes[0] * 1e3} mm", "m": 0.9}})))
    fs.add(unit)
    fs.connect("feed", "feed_unit", unit.name)
    for port in outlets:
        fs.add(Product(f"p_{port}"))
        fs.connect(port, f"{unit.name}.{port}" if port != "out" else unit.name, f"p_{port}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        return fs, fs.solve()


def jacobian_errors(fs, result) -> list[float]:
    """Largest relative difference of every analytic block Jacobian from central
    differences at the solution (the check DESIGN.md asks of nonlinear units)."""
    out = []
    for bk in assemble(fs).system.blocks:
        if bk.jac is None:
            continue
        xl = result.x[bk.cols]
        fd = Block(bk.rows, bk.cols, bk.func, None).jacobian(xl)
        out.append(float(np.abs(bk.jacobian(xl) - fd).max() / max(np.abs(fd).max(), 1e-30)))
    return out


# -- ball mill ------------------------------------------------------------------------------
def test_rowland_power_by_hand():
    """Bond's mill power in Rowland's metric form (Rowland & Kjos 1980): a 5.0 m × 7.0 m
    mill, 35 % balls, 75 % of critical: kW_b = 4.879·5^0.3·(3.2 − 1.05)·0.75·(1 −
    0.1/2^1.5) = 12.30 kW per tonne of balls; 0.35 × 137.44 m3 × 4.65 t/m3 = 223.7 t of
    balls: 2,751 kW. Power rises as D^2.3 L at fixed filling and speed."""
    kwb = 4.879 * 5.0 ** 0.3 * 2.15 * 0.75 * (1 - 0.1 / 2 ** 1.5)
    assert kwb == pytest.approx(12.30, abs=0.005)
    balls = 0.35 * math.pi / 4 * 25.0 * 7.0 * 4.65
    assert rowland_ball_mill_power(5.0, 7.0, 0.35, 0.75) == pytest.approx(kwb * balls,
                                                                          rel=1e-12)
    assert rowland_ball_mill_power(6.0, 7.0, 0.35, 0.75) / \
        rowland_ball_mill_power(5.0, 7.0, 0.35, 0.75) == pytest.approx(1.2 ** 2.3, rel=1e-12)
    # the slump term (Rowland 1982) for a 6 m mill with 60 mm balls: 1.102 (60 − 75)/50.8
    slump = 1.102 * (60.0 - 75.0) / 50.8
    balls6 = 0.35 * math.pi / 4 * 36.0 * 7.0 * 4.65
    assert rowland_ball_mill_power(6.0, 7.0, 0.35, 0.75, ball_size=0.06) == pytest.approx(
        rowland_ball_mill_power(6.0, 7.0, 0.35, 0.75) + slump * balls6, rel=1e-12)


def test_energy_specific_breakage_is_the_residence_time_form_at_s_tau_equal_se_e():
    """Herbst & Fuerstenau (1980): S_i = S_i^E P/H and τ = H/F give S_i τ = S_i^E E, so
    the mill matrix at E equals Austin's at any τ with S = S^E E/τ; and dM/dE matches a
    central difference."""
    sieves = sieve_series(2e-3, 20e-6)
    b = austin_breakage(sieves, 0.5, 1.0, 4.0)
    se = np.linspace(1.5, 0.1, len(sieves))
    se[-1] = 0.0
    for n in (1, 3):
        M, dM = energy_mill_matrix(se, b, 4.0, n)
        assert np.allclose(M, mill_matrix(se * 4.0 / 0.1, b, 0.1, n), atol=1e-13)
        h = 1e-6
        fd = (energy_mill_matrix(se, b, 4.0 + h, n)[0]
              - energy_mill_matrix(se, b, 4.0 - h, n)[0]) / (2 * h)
        assert np.allclose(dM, fd, atol=1e-8)
        assert np.allclose(M.sum(axis=0), 1.0, atol=1e-12)       # mass is kept


def mill(**kw):
    args = {"diameter": "1.2 m", "length": "1.5 m", "s1_energy": "1.0 t/kWh", "n_cells": 2}
    args.update(kw)
    return BallMill("mill", **args)


def test_twice_the_feed_through_the_same_mill_grinds_coarser_at_half_the_energy():
    """Same mill, 10 and 20 t/h of quartz: the power is the mill's (Rowland), so the
    energy per tonne halves and the product coarsens; the mean residence time
    (slurry hold-up over pulp flow) halves too."""
    sp = sized(("H2O", "SiO2"))
    got = []
    for t in (1e4, 2e4):
        _fs, r = through(mill(), sp, {"SiO2(s)": t, "H2O(l)": t})
        assert r.converged and r.closed
        got.append(r.energy["mill"])
    lo, hi = got
    assert lo["power_kW"] == pytest.approx(rowland_ball_mill_power(1.2, 1.5, 0.35, 0.75))
    assert hi["power_kW"] == pytest.approx(lo["power_kW"], rel=1e-12)
    assert hi["mill_energy_kWh/t"] == pytest.approx(lo["mill_energy_kWh/t"] / 2, rel=1e-9)
    assert hi["residence_time_min"] == pytest.approx(lo["residence_time_min"] / 2, rel=1e-9)
    assert hi["P80_um"] > 1.15 * lo["P80_um"]
    holdup = math.pi / 4 * 1.44 * 1.5 * 0.35 * 0.4                       # m3 of slurry
    pulp = 10.0 / 2.65 + 10.0                                             # m3/h at 10 t/h
    assert lo["residence_time_min"] == pytest.approx(60 * holdup / pulp, rel=1e-9)


def test_mill_jacobians_are_analytic_and_match_differences():
    sp = sized()
    fs, r = through(mill(), sp, {"SiO2(s)": 1e4, "CuFeS2(s)": 300.0, "H2O(l)": 1e4})
    errs = jacobian_errors(fs, r)
    assert len(errs) >= 3 and max(errs) < 1e-5
    fs, r = through(BallMill("mill", s1="1 1/min", residence_time="5 min",
                             wi_kwh_t="15 kWh/t"), sp,
                    {"SiO2(s)": 1e4, "CuFeS2(s)": 300.0, "H2O(l)": 1e4})
    assert max(jacobian_errors(fs, r)) < 1e-5           # the Bond rows of the option too
    e = r.energy["mill"]
    assert e["power_kW"] == pytest.approx(bond_energy(15.0, e["F80_um"], e["P80_um"]) * 10.3,
                                          rel=1e-9)


def test_mill_over_its_motor_warns_and_reports_utilisation():
    sp = sized(("H2O", "SiO2"))
    draw = rowland_ball_mill_power(1.2, 1.5, 0.35, 0.75)
    fs, r = through(mill(motor_power=f"{2 * draw} kW"), sp, {"SiO2(s)": 1e4, "H2O(l)": 1e4})
    assert r.energy["mill"]["utilisation_%"] == pytest.approx(50.0)
    fs = Flowsheet(sp)
    fs.add(Feed("ore", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e4, "H2O(l)": 1e4},
                                              {"ggs": {"xmax": "2 mm", "m": 0.9}})))
    fs.add(mill(motor_power=f"{0.8 * draw} kW"))
    fs.add(Product("out"))
    fs.connect("feed", "ore", "mill")
    fs.connect("product", "mill", "out")
    with pytest.warns(CapacityWarning, match=r"unit 'mill': drawn power is 125 % of capacity"):
        fs.solve()


def test_crusher_over_its_motor_warns():
    from polyflow.units.crusher import Crusher

    sp = sized(("H2O", "SiO2"), top=64e-3, bottom=1e-3)
    fs = Flowsheet(sp)
    fs.add(Feed("ore", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e5},
                                              {"ggs": {"xmax": "64 mm", "m": 0.8}})))
    fs.add(Crusher("cone", k1="8 mm", k2="20 mm", wi_kwh_t="13 kWh/t", motor_power="10 kW"))
    fs.add(Product("out"))
    fs.connect("feed", "ore", "cone")
    fs.connect("product", "cone", "out")
    with pytest.warns(CapacityWarning, match="unit 'cone': power is"):
        r = fs.solve()
    e = r.energy["cone"]
    assert e["utilisation_%"] == pytest.approx(10 * e["power_kW"], rel=1e-12)


def test_mill_errors_name_the_fix():
    with pytest.raises(SpecificationError, match="over-specified: 'residence_time' follows "
                                                 "from the equipment"):
        mill(residence_time="5 min")
    with pytest.raises(SpecificationError, match="needs 'length' and 's1_energy'"):
        BallMill("mill", diameter="3 m", s1_energy="1 t/kWh")
    with pytest.raises(SpecificationError, match="give the equipment"):
        BallMill("mill", s1="1 1/min", wi_kwh_t="12 kWh/t")
    with pytest.raises(InputError, match="t/kWh"):
        mill(s1_energy="1 kWh/t")


# -- hydrocyclone -----------------------------------------------------------------------------
GEOM = {"dc": 0.5, "di": 0.1, "do": 0.15, "du": 0.08, "h": 1.5}


def test_plitt_equations_by_hand():
    """Plitt (1976) with Flintoff et al.'s (1987) cut size, in Plitt's units: Dc 50 cm,
    Di 10, Do 15, Du 8, h 150 cm, Q = 2,500 L/min (150 m3/h), φ = 20 % solids by volume:
    d50c = 39.7·50^0.46·10^0.6·15^1.21·e^1.26/(8^0.71·150^0.38·2500^0.45·(1.65/1.6)^0.5)
    = 88.5 µm; P = 1.88·2500^1.78·e^0.11/(50^0.37·10^0.94·150^0.28·289^0.87) = 112.6 kPa.
    The original constant (50.5 over (ρs − 1)^0.5) agrees within 0.6 % for quartz; the cut
    size scales as Q^−0.45 and (Δρ)^−0.5 and the pressure as Q^1.78."""
    g = GEOM
    d = plitt_d50c(g["dc"], g["di"], g["do"], g["du"], g["h"], 150.0, 0.2)
    by_hand = 39.7 * 50 ** 0.46 * 10 ** 0.6 * 15 ** 1.21 * math.exp(1.26) / (
        8 ** 0.71 * 150 ** 0.38 * 2500 ** 0.45 * (1.65 / 1.6) ** 0.5)
    assert d * 1e6 == pytest.approx(by_hand, rel=1e-12)
    assert d * 1e6 == pytest.approx(88.5, abs=0.05)
    orig = plitt_d50c(g["dc"], g["di"], g["do"], g["du"], g["h"], 150.0, 0.2, form="plitt")
    assert orig == pytest.approx(d, rel=0.006)
    assert plitt_d50c(g["dc"], g["di"], g["do"], g["du"], g["h"], 300.0, 0.2) / d == \
        pytest.approx(2 ** -0.45, rel=1e-12)
    assert plitt_d50c(g["dc"], g["di"], g["do"], g["du"], g["h"], 150.0, 0.2,
                      delta_rho=4 * 1650.0) / d == pytest.approx(0.5, rel=1e-12)
    P = plitt_pressure(g["dc"], g["di"], g["do"], g["du"], g["h"], 150.0, 0.2)
    assert pytest.approx(112.6, abs=0.05) == P
    assert plitt_pressure(g["dc"], g["di"], g["do"], g["du"], g["h"], 300.0, 0.2) / P == \
        pytest.approx(2 ** 1.78, rel=1e-12)
    # the flow split at the feed head H = P/(9.81 ρp) in metres of pulp
    S = plitt_flow_split(g["dc"], g["do"], g["du"], g["h"], P, 0.2, 1340.0)
    head = P / (9.81 * 1.34)
    assert pytest.approx(1.9 * (8 / 15) ** 3.31 * 150 ** 0.54 * 289 ** 0.36
                              * math.exp(0.108) / (head ** 0.24 * 50 ** 1.11), rel=1e-12) == S


def cluster(**kw):
    args = {"diameter": "500 mm", "inlet": "100 mm", "vortex_finder": "150 mm", "apex": "110 mm",
                "free_vortex_height": "1.5 m", "cyclones": 2}
    args.update(kw)
    return Hydrocyclone("cyc", **args)


FEED = {"SiO2(s)": 1.2e5, "CuFeS2(s)": 6e3, "H2O(l)": 2.0e5}


def test_cyclone_by_geometry_closes_plitts_volumes():
    """The solved cluster: pressure = Plitt's at the flow per cyclone and the feed solids;
    the underflow pulp is S/(1 + S) of the feed pulp; the denser mineral cuts finer by
    (Δρ ratio)^0.5 (Flintoff's density term); analytic Jacobians match differences."""
    sp = sized(top=4e-3)
    fs, r = through(cluster(), sp, FEED, outlets=("underflow", "overflow"))
    assert r.converged and r.closed
    e = r.energy["cyc"]
    q = e["flow_per_cyclone_m3/h"]
    phi = e["feed_solids_volume_%"] / 100
    g = dict(GEOM, du=0.11)
    P = plitt_pressure(g["dc"], g["di"], g["do"], g["du"], g["h"], q, phi)
    assert e["pressure_kPa"] == pytest.approx(P, rel=1e-9)
    pulp = 2 * q
    rho_p = (1.2e5 + 6e3 + 2e5) / pulp
    S = plitt_flow_split(g["dc"], g["do"], g["du"], g["h"], P, phi, rho_p)
    from polyflow.slurry import volume_per_kmol
    v = volume_per_kmol(sp)
    qu = float(v @ r.flows_kmol_h[r.stream_names.index("underflow")])
    assert qu / pulp == pytest.approx(S / (1 + S), rel=1e-7)
    assert max(jacobian_errors(fs, r)) < 1e-4
    # per-mineral cut: d50c(CuFeS2)/d50c(SiO2) = ((2.65 − 1)/(4.18 − 1))^0.5 = 0.720
    unit = fs.units["cyc"]
    sio2, cu = sp.components("SiO2")[0], sp.components("CuFeS2")[0]
    ratio = unit.reduced_size[sio2] / unit.reduced_size[cu]
    assert ratio == pytest.approx(math.sqrt(1650 / 3180), rel=1e-12)


def test_feed_pump_heats_the_pulp_but_for_the_lift():
    """The feed pump's shaft power P = Q (Δp + ρ g H)/η (Wilson et al. 2006) heats the
    pulp except the potential energy ρ g Q H it carries up the 15 m head: 326 t/h ×
    9.80665 × 15/3.6e6 = 13.32 kW. So the energy balance Σ H_in − Σ H_out + P − ρgQH = 0
    makes the unit's duty (H_out − H_in − P) exactly −13.32 kW, the outlets run warmer
    than the feed by the heat over the pulp's heat capacity (water 4.18, quartz 0.74,
    chalcopyrite 0.54 kJ/(kg K) near 25 °C: NBS82 and Robie & Hemingway 1995 via the
    species data, about 257 kW/K), and with no lift all the power heats the pulp. With
    pump_heat 'duty' (the option; 'pulp' is the default) the outlets leave at the feed
    temperature."""
    sp = sized(top=4e-3)
    _, plain = through(cluster(pump_heat="duty"), sp, FEED,
                       outlets=("underflow", "overflow"))
    assert plain.temperature_C("underflow") == pytest.approx(plain.temperature_C("feed"))
    assert plain.energy["cyc"]["duty_kW"] == pytest.approx(-plain.energy["cyc"]["power_kW"])
    fs, r = through(cluster(pump_heat="pulp"), sp, FEED, outlets=("underflow", "overflow"))
    e = r.energy["cyc"]
    lift = sum(FEED.values()) * 9.80665 * 15.0 / 3.6e6
    assert lift == pytest.approx(13.32, abs=0.01)
    assert e["pump_heat_kW"] == pytest.approx(e["power_kW"] - lift, rel=1e-9)
    assert e["pump_power_kW"] == pytest.approx(e["power_kW"], rel=1e-12)
    assert e["duty_kW"] == pytest.approx(-lift, rel=1e-6)
    dT = r.temperature_C("underflow") - r.temperature_C("feed")
    assert r.temperature_C("overflow") == pytest.approx(r.temperature_C("underflow"))
    assert dT == pytest.approx(e["pump_heat_kW"] / 257.0, rel=0.05)
    assert max(jacobian_errors(fs, r)) < 1e-4
    _, flat = through(cluster(pump_head="0 m", pump_heat="pulp"), sp, FEED,
                      outlets=("underflow", "overflow"))
    f = flat.energy["cyc"]
    assert f["pump_heat_kW"] == pytest.approx(f["power_kW"], rel=1e-12)
    assert abs(f["duty_kW"]) < 1e-6 * f["power_kW"]


def test_more_cyclones_cut_coarser_and_a_small_apex_ropes():
    sp = sized(top=4e-3)
    _, r2 = through(cluster(), sp, FEED, outlets=("underflow", "overflow"))
    _, r4 = through(cluster(cyclones=4), sp, FEED, outlets=("underflow", "overflow"))
    e2, e4 = r2.energy["cyc"], r4.energy["cyc"]
    assert e4["d50c_um"] > e2["d50c_um"] and e4["pressure_kPa"] < e2["pressure_kPa"]
    assert e2["roping"] == 0.0
    fs = Flowsheet(sp)
    fs.add(Feed("pulp", flows_kg_h=sized_flows(sp, FEED, {"ggs": {"xmax": "4 mm", "m": 0.9}})))
    fs.add(cluster(apex="40 mm", max_pressure="50 kPa"))
    for p in ("underflow", "overflow"):
        fs.add(Product(f"p_{p}"))
        fs.connect(p, f"cyc.{p}", f"p_{p}")
    fs.connect("feed", "pulp", "cyc")
    with pytest.warns(CapacityWarning) as caught:
        r = fs.solve()
    text = " ".join(str(w.message) for w in caught)
    assert "roping limit of 56 %" in text and "pressure drop is" in text
    assert r.energy["cyc"]["roping"] == 1.0


def test_cyclone_errors_name_the_fix():
    with pytest.raises(SpecificationError, match="needs 'apex'"):
        Hydrocyclone("c", diameter="500 mm", inlet="100 mm", vortex_finder="150 mm",
                     free_vortex_height="1.5 m")
    with pytest.raises(SpecificationError, match="over-specified: 'd50c' follows from the "
                                                 "geometry"):
        cluster(d50c="100 um")
    with pytest.raises(SpecificationError, match="give the geometry"):
        Hydrocyclone("c", water_to_underflow="30 %")


# -- flotation ------------------------------------------------------------------------------
KIN = {"CuFeS2": {"k": "0.6 1/min", "rmax": "95 %"}}


def bank(flow_scale=1.0, **kw):
    fs = Flowsheet(["H2O", "CuFeS2", "SiO2"])
    fs.add(Feed("pulp", flows_kg_h={"H2O": 2e5 * flow_scale, "CuFeS2": 2e3 * flow_scale,
                                    "SiO2": 1e5 * flow_scale}))
    args = {"n_cells": 4, "cell_volume": "20 m3", "kinetics": KIN, "water_recovery": "10 %"}
    args.update(kw)
    fs.add(FlotationBank("bank", **args))
    fs.add(Product("conc"))
    fs.add(Product("tails", kind="residue"))
    fs.connect("feed", "pulp", "bank")
    fs.connect("c", "bank.concentrate", "conc")
    fs.connect("t", "bank.tailings", "tails")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        return fs, fs.solve()


@pytest.mark.parametrize("form", ["cells", "klimpel"])
def test_cell_volume_sets_the_residence_time_and_first_order_recovery(form):
    """τ = V(1 − ε)/Q: 20 m3 cells with 15 % air and a pulp of 200 m3/h water, 2 t/h
    chalcopyrite (4.18 t/m3) and 100 t/h quartz (2.65 t/m3) = 238.2 m3/h give
    τ = 17/238.2 h = 4.28 min; the chalcopyrite recovery is first-order kinetics in 4
    mixed cells, 0.95 (1 − (1 + kτ)^−4) (Wills 8th ed. §12.6), or Klimpel's. Twice the
    pulp through the same cells halves τ and lowers the recovery."""
    fs, r = bank(form=form)
    q = 200.0 + 2.0 / 4.18 + 100.0 / 2.65
    tau_min = 60 * 17.0 / q
    e = r.energy["bank"]
    assert e["pulp_flow_m3/h"] == pytest.approx(q, rel=1e-12)
    assert e["residence_time_min"] == pytest.approx(tau_min, rel=1e-9)
    rec = r.recovery["Cu"]["conc"]
    kt = 0.6 * tau_min
    want = 0.95 * (1 - (1 + kt) ** -4) if form == "cells" else \
        0.95 * (1 - (1 - math.exp(-4 * kt)) / (4 * kt))
    assert rec == pytest.approx(want, rel=1e-9)
    assert max(jacobian_errors(fs, r)) < 1e-5
    _, r2 = bank(flow_scale=2.0, form=form)
    assert r2.energy["bank"]["residence_time_min"] == pytest.approx(tau_min / 2, rel=1e-9)
    assert r2.recovery["Cu"]["conc"] < rec - 0.02


def test_bank_reports_air_power_and_warns_over_its_flow():
    fs, r = bank(max_pulp_flow="300 m3/h", specific_power="0.9 kW/m3",
                 specific_air="0.15 m3/min/m3")
    e = r.energy["bank"]
    # mechanisms 0.9 kW/m3 of the 80 m3, and the blower that delivers the air
    assert e["power_kW"] == pytest.approx(0.9 * 80 + e["blower_power_kW"])
    assert 5.0 < e["blower_power_kW"] < 20.0
    assert e["air_m3/min"] == pytest.approx(0.15 * 80)
    assert e["utilisation_%"] == pytest.approx(100 * e["pulp_flow_m3/h"] / 300)
    fs = Flowsheet(["H2O", "CuFeS2", "SiO2"])
    fs.add(Feed("pulp", flows_kg_h={"H2O": 4e5, "CuFeS2": 4e3, "SiO2": 2e5}))
    fs.add(FlotationBank("bank", n_cells=4, cell_volume="20 m3", kinetics=KIN,
                         water_recovery="10 %", max_pulp_flow="300 m3/h"))
    fs.add(Product("conc"))
    fs.add(Product("tails", kind="residue"))
    fs.connect("feed", "pulp", "bank")
    fs.connect("c", "bank.concentrate", "conc")
    fs.connect("t", "bank.tailings", "tails")
    with pytest.warns(CapacityWarning, match="unit 'bank': pulp flow is 159 % of capacity"):
        fs.solve()
    with pytest.raises(SpecificationError, match="'cell_volume' or the 'cell_residence_time'"):
        FlotationBank("b", n_cells=2, cell_volume="5 m3", cell_residence_time="2 min",
                      kinetics=KIN, water_recovery="10 %")


# -- the shipped concentrator ---------------------------------------------------------------
@pytest.fixture(scope="module")
def doubled():
    out = {}
    for rate in ("500 t/h", "1000 t/h"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = polyflow.load(PLANT, overrides={"ore.solids": rate}).solve()
        out[rate] = (r, [str(w.message) for w in caught
                         if issubclass(w.category, CapacityWarning)])
    return out


def test_doubling_the_concentrator_feed_coarsens_the_grind_and_lowers_recovery(doubled):
    """1,000 t/h through the equipment sized for 500 t/h (issue #14). The mill draws the
    same power, so the circuit's energy per tonne halves: Bond's law at the circuit's own
    operating work index (13.9 kWh/t at 500 t/h) then predicts P80 = 360 µm from F80
    10.9 mm; the model's classification (the cyclones cut coarser at more flow and
    denser feed, and pass more of the coarse load) gives a P80 between 2× the base and
    Bond's figure. Cu recovery falls as coarse chalcopyrite floats slowly (rate by size
    after Trahar, Int. J. Miner. Process. 8 (1981) 289–327) and the rougher time
    shortens: a loss of 1–6 points, with the cyclones warned over pressure and roping."""
    base, warn_base = doubled["500 t/h"]
    high, warn_high = doubled["1000 t/h"]
    assert base.converged and high.converged and base.closed and high.closed
    assert max(abs(v) for v in high.closure.values()) < 1e-12
    mb, mh = base.energy["ball_mill"], high.energy["ball_mill"]
    assert mh["power_kW"] == pytest.approx(mb["power_kW"], rel=1e-12)
    assert mh["specific_energy_kWh/t"] == pytest.approx(mb["specific_energy_kWh/t"] / 2,
                                                        rel=1e-9)
    wi_op = mb["operating_work_index_kWh/t"]
    bond_p80 = (mh["specific_energy_kWh/t"] / (10 * wi_op) + mh["F80_um"] ** -0.5) ** -2
    assert 330 < bond_p80 < 390
    assert 2.0 * mb["P80_um"] < mh["P80_um"] < bond_p80
    cu_b, cu_h = base.recovery["Cu"]["concentrate"], high.recovery["Cu"]["concentrate"]
    assert 0.01 < cu_b - cu_h < 0.06
    assert high.energy["rougher"]["residence_time_min"] < \
        base.energy["rougher"]["residence_time_min"]
    assert not warn_base
    assert any("cyclones" in w and "pressure drop" in w for w in warn_high)
    assert any("roping" in w for w in warn_high)


def test_the_concentrator_without_ore_still_solves():
    """Shutting the ore off (a what-if on a plant) leaves the water running: the mill's
    energy row, the cyclones' water split and the banks' residence time stay regular
    (each carries a vanishing 1e-9 flow), so the plant solves with empty solids."""
    r = polyflow.load(PLANT, overrides={"ore.solids": "0 t/h"}).solve()
    assert r.converged and r.closed
    assert r.energy["ball_mill"]["mill_energy_kWh/t"] == 0.0
    assert r.energy["rougher"]["mass_pull_%"] == 0.0
