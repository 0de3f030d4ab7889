"""Crushers and mills: Bond's law, the short ton, the breakage models, the power."""

from __future__ import annotations

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.chem.species import load_database
from polyflow.comminution import (
    SHORT_TON_FACTOR,
    bond_energy,
    operating_work_index,
    read_work_index,
)
from polyflow.errors import InputError, SpecificationError
from polyflow.io.feeds import sized_flows
from polyflow.psd import class_mass, sieve_series
from polyflow.units import Feed, Product
from polyflow.units.crusher import Crusher
from polyflow.units.mill import BallMill


def sized(top=2e-3, bottom=20e-6, names=("H2O", "SiO2", "CuFeS2")):
    return load_database().subset(list(names)).sized(sieve_series(top, bottom))


def test_bond_law_and_operating_work_index_by_hand():
    """Operating work index (Rowland 1976): a mill drawing 3,000 kW on 250 t/h from
    F80 2,000 µm to P80 150 µm uses W = 12 kWh/t; 1/√150 − 1/√2000 = 0.0592891, so
    Wi_op = 12 / 0.592891 = 20.240 kWh/t, and Bond's law gives the 12 kWh/t back."""
    w = 3000.0 / 250.0
    wi_op = operating_work_index(w, 2000.0, 150.0)
    assert wi_op == pytest.approx(12.0 / (10 * (150 ** -0.5 - 2000 ** -0.5)), rel=1e-12)
    assert wi_op == pytest.approx(20.240, abs=5e-4)
    assert bond_energy(wi_op, 2000.0, 150.0) == pytest.approx(w, rel=1e-12)
    assert bond_energy(15.0, 150.0, 2000.0) == 0.0          # no size reduction, no energy


def test_short_ton_work_index_is_converted_to_tonnes():
    """1 short ton = 2000 lb = 907.18474 kg, so 1 kWh/st = 1.1023 kWh/t (Bond 1961)."""
    assert pytest.approx(1.1023, abs=1e-4) == SHORT_TON_FACTOR
    assert read_work_index("13 kWh/st") == pytest.approx(13 * 1.10231, rel=1e-5)
    assert read_work_index("13 kWh/t") == 13.0
    with pytest.raises(InputError, match="between 0 and 200 kWh/t"):
        read_work_index("0 kWh/t")


def _open_circuit(unit, sp, feed_kg_h=1e4, water=1e4, psd=None):
    fs = Flowsheet(sp)
    flows = {"SiO2(s)": feed_kg_h, "CuFeS2(s)": 0.02 * feed_kg_h}
    if "H2O(l)" in sp.ids:
        flows["H2O(l)"] = water
    top = sp.size_classes[0]
    fs.add(Feed("ore", flows_kg_h=sized_flows(sp, flows, psd or {
        "ggs": {"xmax": f"{top * 1e3} mm", "m": 0.9}})))
    fs.add(unit)
    fs.add(Product("out"))
    fs.connect("feed", "ore", unit.name)
    fs.connect("product", unit.name, "out")
    return fs.solve()


def test_crusher_keeps_every_mineral_and_draws_bonds_power():
    sp = sized(40e-3, 0.5e-3, ("SiO2", "CuFeS2"))
    r = _open_circuit(Crusher("cone", k1="8 mm", k2="20 mm", wi_kwh_t="15 kWh/t"), sp)
    n_in, n_out = r.flows_kmol_h[r._s("feed")], r.flows_kmol_h[r._s("product")]
    for base in ("SiO2(s)", "CuFeS2(s)"):
        assert class_mass(sp, n_out, base).sum() == pytest.approx(
            class_mass(sp, n_in, base).sum(), rel=1e-12)
    e = r.energy["cone"]
    assert e["P80_um"] < 20e3 < e["F80_um"]
    assert r.p80_um("product") == pytest.approx(e["P80_um"], rel=1e-12)
    t_h = 1.02e4 / 1000.0
    assert e["power_kW"] == pytest.approx(bond_energy(15.0, e["F80_um"], e["P80_um"]) * t_h,
                                          rel=1e-9)
    assert e["duty_kW"] == pytest.approx(-e["power_kW"], rel=1e-9)   # dry: heat to the air
    # nothing below K1 breaks: the classes under 8 mm only gain mass
    small = sp.size_classes < 8e-3
    gain = class_mass(sp, n_out) - class_mass(sp, n_in)
    assert np.all(gain[small] >= -1e-9)


def test_ball_mill_power_heats_the_slurry():
    sp = sized()
    r = _open_circuit(BallMill("mill", s1="1 1/min", residence_time="5 min",
                               wi_kwh_t="15 kWh/t"), sp)
    e = r.energy["mill"]
    assert e["duty_kW"] == pytest.approx(0.0, abs=1e-6)         # all power into the slurry
    sol = r.unit_solution("mill")
    assert sol.H_out() - sol.H_in() == pytest.approx(e["power_kW"], rel=1e-9)
    assert e["power_kW"] == pytest.approx(
        bond_energy(15.0, e["F80_um"], e["P80_um"]) * 10.2, rel=1e-9)
    assert r.temperature_C("product") > 25.5


def test_ball_mill_with_drawn_power_reports_operating_work_index():
    sp = sized()
    r = _open_circuit(BallMill("mill", s1="1 1/min", residence_time="5 min",
                               power="30 kW", heat_fraction="50 %"), sp)
    e = r.energy["mill"]
    assert e["power_kW"] == pytest.approx(30.0)
    assert e["duty_kW"] == pytest.approx(-15.0, rel=1e-6)       # half the power is lost
    w = 30.0 / 10.2
    assert e["operating_work_index_kWh/t"] == pytest.approx(
        operating_work_index(w, e["F80_um"], e["P80_um"]), rel=1e-9)


def test_mill_matrix_conserves_mass_in_every_column():
    m = BallMill("mill", s1="2 1/min", residence_time="7 min", n_cells=3, wi_kwh_t="14 kWh/t")
    m.bind(sized())
    assert np.allclose(m.class_matrix.sum(axis=0), 1.0, atol=1e-12)
    assert np.all(m.class_matrix >= -1e-15)


def test_error_paths_name_what_to_give():
    with pytest.raises(SpecificationError, match="under-specified: give the Bond work index"):
        BallMill("mill", s1="1 1/min", residence_time="5 min")
    with pytest.raises(InputError, match="k1 must be smaller than k2"):
        Crusher("cone", k1="20 mm", k2="8 mm", wi_kwh_t="12 kWh/t")
    with pytest.raises(InputError,
                       match=r"field 'n_cells': must be a whole number from 1 to 50 \(got 2.5\)"):
        BallMill("mill", s1="1 1/min", residence_time="5 min", n_cells=2.5, wi_kwh_t="12 kWh/t")
    plain = Flowsheet(["H2O", "SiO2"])
    with pytest.raises(InputError, match=r"model 'crusher' needs particle sizes.*"
                                         "add size_classes"):
        plain.add(Crusher("cone", k1="8 mm", k2="20 mm", wi_kwh_t="12 kWh/t"))
    fs = Flowsheet(sized())
    fs.add(Feed("ore", flows_kg_h={"H2O(l)": 1.0}))
    fs.add(BallMill("mill", s1="1 1/min", residence_time="5 min", wi_kwh_t="12 kWh/t",
                    bond_feed="fresh"))
    fs.add(Product("out"))
    fs.connect("feed", "ore", "mill")
    fs.connect("product", "mill", "out")
    with pytest.raises(InputError, match="no stream named 'fresh' for the Bond basis"):
        fs.solve()
