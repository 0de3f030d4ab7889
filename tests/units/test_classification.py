"""Screens and hydrocyclones: partition curves, and the circulating load of a closed
grinding circuit against the two-product formula."""

from __future__ import annotations

import numpy as np
import pytest
from tests.small_plants import plant

from polyflow import Flowsheet
from polyflow.chem.species import load_database
from polyflow.errors import InputError
from polyflow.io.feeds import sized_flows
from polyflow.psd import cumulative_passing, representative_sizes, sieve_series
from polyflow.report.comminution import circuit_rows, circulating_load
from polyflow.units import Feed, Mixer, Product
from polyflow.units.hydrocyclone import Hydrocyclone
from polyflow.units.mill import BallMill
from polyflow.units.screen import Screen


def species():
    return load_database().subset(["H2O", "SiO2", "FeS2"]).sized(sieve_series(2e-3, 20e-6))


def test_cyclone_partition_is_rf_plus_whiten_curve():
    """Lynch & Rao with Whiten's curve: E_a = Rf + (1 − Rf)(e^{αx} − 1)/(e^{αx} + e^α − 2)."""
    sp = species()
    c = Hydrocyclone("cyc", d50c="150 um", alpha=2.5, water_to_underflow="30 %",
                     d50c_minerals={"FeS2": "100 um"})
    c.bind(sp)
    u = c.fractions["underflow"]
    d = representative_sizes(sp.size_classes)
    for base, d50 in (("SiO2", 150e-6), ("FeS2", 100e-6)):
        x = d / d50
        e = (np.exp(2.5 * x) - 1) / (np.exp(2.5 * x) + np.exp(2.5) - 2)
        assert np.allclose(u[sp.components(base)], 0.3 + 0.7 * e, rtol=1e-12)
    assert u[sp.idx("H2O")] == 0.3
    assert np.all(u + c.fractions["overflow"] == 1.0)


def test_screen_cut_at_aperture_and_water_split():
    sp = species()
    s = Screen("scr", aperture="500 um", alpha=5.0, water_to_oversize="10 %")
    s.bind(sp)
    o = s.fractions["oversize"]
    d = representative_sizes(sp.size_classes)[sp.size_index[sp.components("SiO2")]]
    x = d / 500e-6
    assert np.allclose(o[sp.components("SiO2")],
                       (np.exp(5 * x) - 1) / (np.exp(5 * x) + np.exp(5.0) - 2))
    assert o[sp.idx("H2O")] == pytest.approx(0.1)


def closed_circuit(d50c="106 um"):
    """Fresh feed -> mill feed box -> ball mill -> cyclone; underflow back to the mill."""
    sp = species()
    return plant(sp, [
        Feed("ore", flows_kg_h=sized_flows(
            sp, {"SiO2(s)": 1e5, "FeS2(s)": 3e3, "H2O(l)": 5e4},
            {"rosin_rammler": {"p80": "1.2 mm", "n": 1.0}}), category="ore"),
        Mixer("box"),
        BallMill("mill", s1="1.2 1/min", residence_time="4 min", n_cells=2,
                 wi_kwh_t="14 kWh/t", bond_feed="fresh", bond_product="product"),
        Hydrocyclone("cyc", d50c=d50c, alpha=3.0, water_to_underflow="35 %"),
        Product("flotation_feed")],
        {"fresh": "ore -> box", "mill_feed": "box -> mill", "discharge": "mill -> cyc",
         "underflow": "cyc.underflow -> box", "product": "cyc.overflow -> flotation_feed"},
        name="closed ball mill")


def test_circulating_load_by_the_two_product_formula():
    """Mass balance of the cyclone on one size fraction (Wills 8th ed. §9.2):
    U/O = (f − o)/(u − f) with f, o, u the % passing a sieve in feed, overflow and
    underflow; it must equal the solved ratio of underflow to overflow solids."""
    r = closed_circuit().solve()
    assert r.closed
    ratio = circulating_load(r, "cyc")
    k = 12                                       # any sieve with different % passing
    f, o, u = (cumulative_passing(r._class_mass(s))[k]
               for s in ("discharge", "product", "underflow"))
    assert (f - o) / (u - f) == pytest.approx(ratio, rel=1e-9)
    assert 1.0 < ratio < 6.0                     # 100-600 %: a working circuit
    row = circuit_rows(r)[0]
    assert row["circulating load [%]"] == pytest.approx(100 * ratio)
    assert row["product [t/h]"] == pytest.approx(103.0, rel=1e-9)   # steady state
    assert row["product P80 [um]"] == pytest.approx(r.p80_um("product"))
    e = r.energy["mill"]
    assert row["specific energy [kWh/t]"] == pytest.approx(e["power_kW"] / 103.0)
    assert e["F80_um"] == pytest.approx(r.p80_um("fresh"))


def test_a_finer_cut_raises_the_circulating_load_and_lowers_p80():
    coarse, fine = closed_circuit("150 um").solve(), closed_circuit("75 um").solve()
    assert circulating_load(fine, "cyc") > circulating_load(coarse, "cyc")
    assert fine.p80_um("product") < coarse.p80_um("product")
    assert fine.energy["mill"]["power_kW"] > coarse.energy["mill"]["power_kW"]


def test_classifier_errors_name_the_fix():
    with pytest.raises(InputError, match="model 'hydrocyclone' needs particle sizes"):
        Flowsheet(["H2O", "SiO2"]).add(Hydrocyclone("c", d50c="100 um",
                                                     water_to_underflow=0.3))
    with pytest.raises(InputError, match=r"d50c_minerals.*not in this flowsheet"):
        Flowsheet(species()).add(Hydrocyclone("c", d50c="100 um", water_to_underflow=0.3,
                                              d50c_minerals={"CuFeS2": "50 um"}))
    with pytest.raises(InputError, match=r"field 'd50c'.*a length"):
        Hydrocyclone("c", d50c="100 t/h", water_to_underflow=0.3)
