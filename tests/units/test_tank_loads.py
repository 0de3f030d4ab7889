"""The loads beside the process: agitator power, heat losses of hot tanks (closed-form
checks and the direction and size of the lever)."""

from __future__ import annotations

import math

import pytest
from tests.small_plants import leach_train, plant

from polyflow.errors import InputError
from polyflow.units import Feed, Product
from polyflow.units._tank_loads import (
    blower_power_kW,
    impeller_power_kW,
    pump_power_kW,
    tank_geometry,
    tank_heat_loss_coefficient,
)
from polyflow.units.leach_tanks import LeachTanks

#: heat capacity flow of the feed below [kW/K]: 20 t/h of water at 4.18 kJ/(kg K) and
#: 10 t/h of quartz at 0.74 (the solve uses the species' Cp(T); 1 % is allowed)
MCP_KW_K = (20000 * 4.18 + 10000 * 0.74) / 3600.0


def hot_leach(temperature=None, **kw):
    if temperature is not None:
        kw["temperature"] = temperature
    r = leach_train({"CuO": "1 kmol/h", "SiO2": "10 t/h", "H2SO4": "2 kmol/h",
                     "H2O": "20 t/h"},
                    LeachTanks("leach", tanks=2, tank_volume="100 m3", reactions=[
                        {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO",
                         "conversion": 0.9}], **kw),
                    temperature="80 degC").solve()
    return r.temperature_C("d"), r.energy["leach"]


def test_heat_transfer_coefficients_are_the_series_resistances():
    """Incropera et al. (2007) §3.1.3: U = 1/(1/h + x/k); h = 10 W/(m2 K) outside film,
    50 mm of mineral wool at 0.040 W/(m K): 1/(0.1 + 1.25) = 0.7407."""
    assert tank_heat_loss_coefficient("bare") == pytest.approx(10.0)
    assert tank_heat_loss_coefficient("insulated") == pytest.approx(1 / 1.35, rel=1e-12)
    assert tank_heat_loss_coefficient("none") == 0.0
    with pytest.raises(InputError, match="insulation must be one of"):
        tank_heat_loss_coefficient("foam")


def test_tank_geometry_holds_its_volume():
    d, h, area = tank_geometry(800.0, 1.2)
    assert math.pi / 4 * d * d * h == pytest.approx(800.0, rel=1e-12)
    assert h == pytest.approx(1.2 * d)
    assert area == pytest.approx(math.pi * d * h + math.pi * d * d / 4)


def test_pump_impeller_and_blower_power_are_their_textbook_formulas():
    """P = ρgQH/η; P = N_p ρ n³ D⁵ (McCabe et al. 2005 eq. 9.24); adiabatic compression
    (Perry's 8th ed. §10): at a small pressure rise it tends to Q Δp / η."""
    assert pump_power_kW(3600.0, 1000.0, 10.0, 1.0) == pytest.approx(98.0665)
    assert impeller_power_kW(5.0, 1000.0, 1.0, 1.0) == pytest.approx(5.0)
    small = blower_power_kW(60.0, 100.0, 1.0)          # 1 m3/s, 100 Pa
    assert small == pytest.approx(0.1, rel=1e-3)
    assert blower_power_kW(60.0, 50e3, 1.0) < 50.0      # adiabatic < isochoric Q Δp


def test_agitator_power_from_the_specific_power_or_the_impeller():
    """Walas (1988): 0.2 kW/m3 × 2 tanks × 100 m3 = 40 kW; a 1.5 m hydrofoil (N_p 0.3) at
    60 rev/min in a 1,400 kg/m3 pulp draws 0.3 × 1400 × 1 × 7.594 = 3.19 kW a tank."""
    _, e = hot_leach(insulation="none")
    assert e["agitator_power_kW"] == pytest.approx(40.0) == e["power_kW"]
    _, e = hot_leach(insulation="none", impeller_diameter="1.5 m", impeller_speed="60 1/min")
    assert e["power_kW"] == pytest.approx(2 * 0.3 * 1400 * 1.5 ** 5 / 1000)
    _, e = hot_leach(insulation="none", agitator_power="15 kW")
    assert e["power_kW"] == pytest.approx(30.0)


def test_agitator_power_ends_as_heat_in_the_pulp():
    """Adiabatic, no loss: 40 kW over the feed's m·cp warms the pulp by 40/25.3 = 1.58 K
    more than with agitators that draw nothing."""
    t0, _ = hot_leach(insulation="none", agitator_power="0 kW")
    t1, _ = hot_leach(insulation="none")
    assert t1 - t0 == pytest.approx(40.0 / MCP_KW_K, rel=0.01)


def test_heat_losses_cool_an_adiabatic_train_by_ua_dt_over_mcp():
    """Two 100 m3 tanks (D = H = 5.03 m, 99.4 m2 each) at about 80 °C in air at 25 °C:
    bare (U = 10) they lose about 2 × 99.4 × 10 × 53 = 105 kW, 4.2 K of the pulp;
    insulated (U = 0.74) about 8 kW, 0.33 K. The leach runs cooler as losses grow."""
    T_none, e_none = hot_leach(insulation="none")
    T_ins, e_ins = hot_leach(insulation="insulated")
    T_bare, e_bare = hot_leach(insulation="bare")
    assert T_bare < T_ins < T_none
    _, _, A = tank_geometry(100.0, 1.0)
    assert e_bare["heat_loss_kW"] == pytest.approx(2 * A * 10.0 * (T_bare - 25.0) / 1000,
                                                   rel=1e-9)
    assert 95.0 < e_bare["heat_loss_kW"] < 115.0
    assert T_none - T_bare == pytest.approx(e_bare["heat_loss_kW"] / MCP_KW_K, rel=0.01)
    assert T_none - T_ins == pytest.approx(e_ins["heat_loss_kW"] / MCP_KW_K, rel=0.01)
    assert e_none["heat_loss_kW"] == 0.0
    # the duty is the heat added less the heat lost: adiabatic, that is −loss
    assert e_bare["duty_kW"] == pytest.approx(-e_bare["heat_loss_kW"], rel=1e-6)
    # colder air, more loss
    T_cold, _ = hot_leach(insulation="bare", ambient_temperature="0 degC")
    assert T_cold < T_bare


def test_a_heated_train_reports_the_loss_its_heater_must_cover():
    """At a fixed 80 °C the loss is U A ΔT at 80 °C and the heater supplies
    duty + heat_loss."""
    t, e = hot_leach(temperature="80 degC", insulation="bare")
    _, _, A = tank_geometry(100.0, 1.0)
    assert t == pytest.approx(80.0)
    assert e["heat_loss_kW"] == pytest.approx(2 * A * 10.0 * 55.0 / 1000, rel=1e-9)
    _, e_none = hot_leach(temperature="80 degC", insulation="none")
    # the enthalpies are those of the train without losses: the record's duty
    # (H_out − H_in − P = heater − loss) is the same, the heater supplies the loss more
    assert e["duty_kW"] == pytest.approx(e_none["duty_kW"], rel=1e-9)
    heater = e["duty_kW"] + e["heat_loss_kW"]
    assert heater - e_none["duty_kW"] == pytest.approx(e["heat_loss_kW"], rel=1e-9)


def test_impeller_needs_its_speed():
    with pytest.raises(InputError, match="needs 'impeller_speed'"):
        hot_leach(impeller_diameter="1.5 m")


def float_bank(**kw):
    from polyflow.units.flotation import FlotationBank

    fs = plant(["H2O", "CuFeS2", "SiO2"], [
        Feed("pulp", flows_kg_h={"H2O": 2e5, "CuFeS2": 2e3, "SiO2": 1e5}),
        FlotationBank("bank", n_cells=4, cell_volume="20 m3", water_recovery="10 %",
                      kinetics={"CuFeS2": {"k": "0.6 1/min", "rmax": "95 %"}}, **kw),
        Product("conc"), Product("tails", kind="residue")],
        {"f": "pulp -> bank", "c": "bank.concentrate -> conc", "t": "bank.tailings -> tails"})
    return fs.solve().energy["bank"]


def test_flotation_blower_lifts_the_air_against_the_pulp_head():
    """Four 20 m3 tank cells (D = H = 2.942 m), 302 t/h of pulp in 238.2 m3/h
    (1,268 kg/m3): Δp = 1268 × 9.80665 × 2.942 Pa + 5 kPa = 41.58 kPa; 0.2 m3/min of air
    per m3 of cell, 16 m3/min, adiabatic at 70 % (Perry's §10): 13.95 kW. Jg = 4/60 m3/s
    over 6.80 m2 = 0.98 cm/s, within the 1-2 cm/s of mechanical cells (Gorain et al.
    1997) at its low end."""
    e = float_bank()
    assert e["blower_pressure_kPa"] == pytest.approx(41.58, abs=0.01)
    assert e["blower_power_kW"] == pytest.approx(
        blower_power_kW(16.0, 1000 * e["blower_pressure_kPa"], 0.7), rel=1e-12)
    assert e["blower_power_kW"] == pytest.approx(13.95, abs=0.01)
    assert e["power_kW"] == pytest.approx(80.0 + e["blower_power_kW"])
    assert e["Jg_cm/s"] == pytest.approx(0.98, abs=0.005)
    # a self-aspirating mechanism needs no blower; more air, more blower power
    assert float_bank(aeration="self")["power_kW"] == pytest.approx(80.0)
    more = float_bank(specific_air="0.4 m3/min/m3")
    assert more["blower_power_kW"] == pytest.approx(2 * e["blower_power_kW"], rel=1e-9)
    assert more["Jg_cm/s"] == pytest.approx(2 * e["Jg_cm/s"], rel=1e-12)


def test_cyclone_feed_pump_lifts_the_pulp_and_delivers_the_cyclone_pressure():
    """Two 500 mm cyclones fed 100 t/h quartz in 200 t/h water (237.7 m3/h, 1,262 kg/m3)
    at Plitt's 62.2 kPa (the hydrocyclone's worked example): head 15 m + 62.2 kPa/(ρ g)
    = 20.03 m; P = ρ g Q H/η = 1262 × 9.80665 × 0.06604 × 20.03/0.7 = 23.4 kW."""
    from polyflow.chem.species import load_database
    from polyflow.io.feeds import sized_flows
    from polyflow.psd import sieve_series
    from polyflow.units.hydrocyclone import Hydrocyclone

    sp = load_database().subset(["H2O", "SiO2"]).sized(sieve_series(1e-3, 20e-6))

    def run(**kw):
        fs = plant(sp, [
            Feed("pulp", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e5, "H2O(l)": 2e5},
                                                {"ggs": {"xmax": "1 mm", "m": 0.9}})),
            Hydrocyclone("cyc", diameter="500 mm", inlet="100 mm", vortex_finder="150 mm",
                         apex="110 mm", free_vortex_height="1.5 m", cyclones=2, **kw),
            Product("uf"), Product("of")],
            {"f": "pulp -> cyc", "u": "cyc.underflow -> uf", "o": "cyc.overflow -> of"})
        return fs.solve().energy["cyc"]

    e = run()
    q = 1e5 / 2650 + 2e5 / 1000                      # m3/h
    rho = 3e5 / q
    head = 15.0 + 1000 * e["pressure_kPa"] / (rho * 9.80665)
    assert e["pump_power_kW"] == pytest.approx(pump_power_kW(q, rho, head, 0.7), rel=1e-9)
    assert e["pump_power_kW"] == pytest.approx(23.4, abs=0.1)
    assert e["power_kW"] == e["pump_power_kW"]
    assert run(pump_head="30 m")["pump_power_kW"] > e["pump_power_kW"]


def test_thickener_drive_pump_and_solids_flux():
    """A 12 m medium-duty thickener (Z = 15 ft·lbf/ft²; MIP's worked example: T = 15 ×
    (12 × 3.281)² = 23,250 ft·lbf, 31.5 kN·m) at a 10 m/min rake tip speed (1/36 rad/s):
    0.875 kW at the rake, 1.09 kW over the 0.8 gearbox. 100 t/h of solids on 113.1 m2:
    0.884 t/(m2 h). The underflow (100 t/h solids at 50 %, 137.7 m3/h) pumped 20 m at
    70 %: ρ g Q H/η = 10.7 kW."""
    from polyflow.units.thickener import Thickener

    fs = plant(["H2O", "SiO2"], [
        Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "300 t/h"}),
        Thickener("t", underflow_solids="50 %", diameter="12 m"),
        Product("uf"), Product("of")],
        {"f": "slurry -> t", "u": "t.underflow -> uf", "o": "t.overflow -> of"})
    e = fs.solve().energy["t"]
    torque = 15 * 1.3558179483314004 / 0.09290304 * 144.0
    assert torque == pytest.approx(15 * (12 * 3.2808399) ** 2 * 1.3558179, rel=1e-6)
    assert e["drive_power_kW"] == pytest.approx(torque * (2 * 10 / 60 / 12) / 0.8 / 1000,
                                                rel=1e-12)
    assert e["drive_power_kW"] == pytest.approx(1.09, abs=0.01)
    assert e["solids_flux_t/(m2 h)"] == pytest.approx(100 / (math.pi * 36), rel=1e-12)
    q = 100 / 2.65 + 100.0
    assert e["pump_power_kW"] == pytest.approx(pump_power_kW(q, 200e3 / q, 20.0, 0.7),
                                               rel=1e-9)
    assert e["power_kW"] == pytest.approx(e["pump_power_kW"] + e["drive_power_kW"])
