"""Particle size distributions: size classes on the species axis, feeds, percentiles,
reports, and conservation over random sized circuits (Hypothesis)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import polyflow
from polyflow import Flowsheet
from polyflow.chem.species import load_database
from polyflow.errors import DataError, FlowsheetError, InputError
from polyflow.io.feeds import sized_flows
from polyflow.psd import class_mass, read_size_classes, sieve_series
from polyflow.report import render
from polyflow.units import Feed, Mixer, Product, Separator
from polyflow.units.crusher import Crusher
from polyflow.units.flotation import FlotationBank
from polyflow.units.hydrocyclone import Hydrocyclone
from polyflow.units.mill import BallMill
from polyflow.units.screen import Screen

ROOT = Path(__file__).resolve().parents[1]
SIEVES = sieve_series(4e-3, 20e-6)


def sized(names=("H2O", "CuFeS2", "SiO2"), which=None):
    return load_database().subset(list(names)).sized(SIEVES, which)


def test_size_classes_expand_the_species_axis():
    sp = sized()
    n = len(SIEVES)
    assert len(sp) == 1 + 2 * n
    assert sp.ids[1] == "CuFeS2(s)|4mm" and sp.ids[n] == f"CuFeS2(s)|{sp.ids[n][10:]}"
    assert sp.base_ids == ["H2O(l)", "CuFeS2(s)", "SiO2(s)"]
    assert sp.components("chalcopyrite").tolist() == list(range(1, n + 1))
    assert sp.size_index[0] == -1 and sp.size_index[1:n + 1].tolist() == list(range(n))
    assert np.array_equal(sp.element_matrix[:, 1], sp.element_matrix[:, 2])
    assert sp.h_molar(np.array([350.0]))[0, 1] == sp.h_molar(np.array([350.0]))[0, n]
    assert "CuFeS2" in sp and "CuFeS2(s)|4mm" in sp and "FeS2" not in sp
    assert sp.idx("CuFeS2(s)|4mm") == 1 and sp.idx("H2O") == 0
    with pytest.raises(DataError, match=r"'CuFeS2\(s\)' is split into \d+ size classes.*"
                                        r"components\('CuFeS2\(s\)'\)"):
        sp.idx("CuFeS2")
    with pytest.raises(DataError, match=r"has no size class '5mm'.*its classes are 4mm"):
        sp.idx("CuFeS2(s)|5mm")
    only = sized(which=["quartz"])
    assert len(only.components("CuFeS2")) == 1 and len(only.components("SiO2")) == n
    with pytest.raises(DataError, match="only solids have sizes"):
        sized(which=["H2O"])
    plain = load_database().subset(["H2O", "SiO2"])
    assert plain.size_classes is None and plain.base_ids == plain.ids


def test_size_classes_from_the_file_fields():
    assert len(read_size_classes({"top": "150 mm", "bottom": "10 um"})) == 28
    assert read_size_classes({"top": "1 mm", "bottom": "0.25 mm", "ratio": 2}).tolist() == \
        pytest.approx([1e-3, 0.5e-3, 0.25e-3])
    with pytest.raises(InputError, match="sieves must decrease strictly"):
        read_size_classes(sieves=["1 mm", "2 mm"])
    with pytest.raises(InputError, match=r"either size_classes .* or sieves"):
        read_size_classes()
    with pytest.raises(InputError, match="ratio must be a number above 1"):
        read_size_classes({"top": "1 mm", "bottom": "0.1 mm", "ratio": "golden"})


def test_feed_psd_errors_say_what_to_add():
    sp = sized()
    with pytest.raises(InputError, match=r"carries CuFeS2\(s\).*gives no psd"):
        sized_flows(sp, {"CuFeS2(s)": 1.0}, None)
    with pytest.raises(InputError, match="a feed psd needs size classes"):
        sized_flows(load_database().subset(["SiO2"]), {"SiO2(s)": 1.0},
                    {"ggs": {"xmax": "1 mm", "m": 1}})
    with pytest.raises(InputError, match="rosin_rammler needs n and one of x63 or p80"):
        sized_flows(sp, {"SiO2(s)": 1.0}, {"rosin_rammler": {"n": 1.0}})
    with pytest.raises(InputError, match="rise with size"):
        sized_flows(sp, {"SiO2(s)": 1.0}, {"sizes": ["1 mm", "2 mm"], "passing": [0.9, 0.5]})


def plant_text(extra_flowsheet="", psd='psd = { rosin_rammler = { p80 = "1 mm", n = 1.2 } }'):
    return textwrap.dedent(f"""\
        [flowsheet]
        name = "sized"
        species = ["H2O", "CuFeS2", "SiO2"]
        {extra_flowsheet}

        [feeds.ore]
        kind = "ore"
        solids = "100 t/h"
        moisture = "20 %"
        grades = {{ Cu = "1 %" }}
        mineralogy = {{ Cu = {{ CuFeS2 = "100 %" }} }}
        gangue = "SiO2"
        {psd}

        [units.thick]
        model = "separator"
        split = {{ underflow = {{ solids = "100 %", solution = "40 %" }} }}
        rest = "overflow"

        [products.uf]
        [products.of]

        [streams]
        feed = "ore -> thick"
        u = "thick.underflow -> uf"
        o = "thick.overflow -> of"
        """)


def test_rosin_rammler_p80_round_trip_and_reports(tmp_path):
    """A Rosin–Rammler feed with P80 = 1 mm reads back as 1 mm within the interpolation
    between √2 sieves; the separator's phase split carries every size class."""
    path = tmp_path / "sized.toml"
    path.write_text(plant_text('size_classes = { top = "4 mm", bottom = "20 um" }'))
    r = polyflow.load(path).solve()
    assert r.closed
    assert r.p80_um("feed") == pytest.approx(1000.0, rel=0.02)
    assert r.p80_um("u") == pytest.approx(r.p80_um("feed"), rel=1e-12)
    sizes, passing = r.psd("feed")
    assert sizes[0] == pytest.approx(4000.0) and passing[0] == pytest.approx(100.0)
    assert np.all(np.diff(passing) <= 0)
    assert r.p50_um("feed", "chalcopyrite") == pytest.approx(r.p50_um("feed"), rel=1e-9)
    assert r.base_flow_kg_h("u")["CuFeS2(s)"] == pytest.approx(100e3 * 0.01 * 183.5 / 63.546,
                                                                rel=1e-3)
    assert r.phase_kg_h("o")["s"] == 0.0
    text = render(r, "text")
    assert "P80 [um]" in text and "CuFeS2(s)|" not in text
    csv_head = next(line for line in render(r, "csv").splitlines()
                    if not line.startswith("#"))        # after the provenance lines
    assert "CuFeS2(s) [kg/h]" in csv_head and "|" not in csv_head
    doc = json.loads(render(r, "json"))
    assert doc["species"] == ["H2O(l)", "CuFeS2(s)", "SiO2(s)"]
    assert doc["streams"]["feed"]["p80_um"] == pytest.approx(r.p80_um("feed"))
    assert len(doc["size_classes_um"]) == len(doc["streams"]["feed"]["psd_passing_%"])
    with pytest.raises(FlowsheetError, match="'H2O\\(l\\)' has no size classes"):
        r.psd("feed", "H2O")


def test_flowsheet_without_sizes_is_unchanged(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text(plant_text(psd=""))
    r = polyflow.load(path).solve()
    assert getattr(r.species, "size_classes", None) is None
    assert "P80" not in render(r, "text")
    with pytest.raises(FlowsheetError, match="no particle sizes"):
        r.p80_um("feed")
    path.write_text(plant_text())
    with pytest.raises(InputError, match=r"plain.toml:13: unit 'ore', field 'psd': a feed "
                                         r"psd needs size classes"):
        polyflow.load(tmp_path / "plain.toml")


def test_bad_size_classes_are_located(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(plant_text('size_classes = { top = "4 mm", bottm = "20 um" }'))
    with pytest.raises(InputError, match=r"bad.toml:4: field 'size_classes'"):
        polyflow.load(path)


def test_shipped_grinding_flotation_flowsheet(tmp_path):
    r = polyflow.load(ROOT / "flowsheets" / "grinding_flotation.toml").solve()
    assert r.converged and r.closed
    text = render(r, "text")
    for needle in ("P80 [um]", "circulating load [%]", "specific energy [kWh/t]",
                   "Cu grade [%]", "Cu recovery [%]"):
        assert needle in text
    from polyflow.report.comminution import circuit_rows

    mill = {row["classifier"]: row for row in circuit_rows(r)}["cyclones"]
    assert 150 < mill["circulating load [%]"] < 400
    assert 75 < mill["product P80 [um]"] < 150
    assert 8 < mill["specific energy [kWh/t]"] < 16
    assert r.recovery["Cu"]["concentrate"] > 0.85
    assert 0.20 < r.solids_assay("final_conc")["Cu"] < 0.32


# -- conservation over random sized circuits -------------------------------------------
KINDS = ("crusher", "mill", "cyclone", "screen", "flotation", "separator")


@st.composite
def random_sized_plant(draw) -> Flowsheet:
    """A ball mill then a line of 0-5 sized units; each two-outlet unit's second outlet
    goes back to the mill's feed mixer (a recycle: through the mill, so that nothing
    can circulate for ever without breaking) or to a product (always, for a flotation
    concentrate)."""
    sp = load_database().subset(["H2O", "CuFeS2", "FeS2", "SiO2"]).sized(
        sieve_series(4e-3, 20e-6, 2.0))
    fs = Flowsheet(sp, name="random sized plant")
    psd = draw(st.sampled_from([
        {"rosin_rammler": {"p80": f"{draw(st.floats(0.1, 3.5)):.3f} mm",
                           "n": draw(st.floats(0.5, 2.0))}},
        {"ggs": {"xmax": f"{draw(st.floats(0.5, 4.0)):.3f} mm", "m": draw(st.floats(0.3, 1.5))}},
    ]))
    flows = {"H2O(l)": draw(st.floats(1e3, 1e5)), "CuFeS2(s)": draw(st.floats(0.0, 5e3)),
             "FeS2(s)": draw(st.floats(0.0, 5e3)), "SiO2(s)": draw(st.floats(1e3, 1e5))}
    fs.add(Feed("feed", flows_kg_h=sized_flows(sp, flows, psd)))
    k = draw(st.integers(1, 6))
    kinds = ["mill", *draw(st.lists(st.sampled_from(KINDS), min_size=k - 1, max_size=k - 1))]
    frac = st.floats(0.0, 0.9)
    second: list[tuple[int, str]] = []
    ports = []
    for i, kind in enumerate(kinds):
        fs.add(Mixer(f"m{i}"))
        name = f"u{i}"
        if kind == "crusher":
            fs.add(Crusher(name, k1="0.5 mm", k2=f"{draw(st.floats(0.6, 3.0)):.3f} mm",
                           wi_kwh_t="12 kWh/t"))
            main = name
        elif kind == "mill":
            fs.add(BallMill(name, s1=f"{draw(st.floats(0.1, 3.0))} 1/min",
                            residence_time=f"{draw(st.floats(0.5, 10.0))} min",
                            n_cells=draw(st.integers(1, 3)), wi_kwh_t="14 kWh/st"))
            main = name
        elif kind == "cyclone":
            fs.add(Hydrocyclone(name, d50c=f"{draw(st.floats(30, 500)):.1f} um",
                                alpha=draw(st.floats(0.5, 6.0)),
                                water_to_underflow=draw(frac)))
            main, port = f"{name}.overflow", "underflow"
        elif kind == "screen":
            fs.add(Screen(name, aperture=f"{draw(st.floats(0.05, 2.0)):.3f} mm",
                          bypass=draw(frac), water_to_oversize=draw(frac)))
            main, port = f"{name}.undersize", "oversize"
        elif kind == "flotation":
            fs.add(FlotationBank(name, n_cells=draw(st.integers(1, 8)),
                                 cell_residence_time="2 min", water_recovery=draw(frac),
                                 entrainment={"SiO2": draw(frac)},
                                 kinetics={"CuFeS2": {"k": f"{draw(st.floats(0, 2))} 1/min"},
                                           "FeS2": {"k": "0.1 1/min", "rmax": draw(frac)}}))
            main, port = f"{name}.tailings", "concentrate"
        else:
            fs.add(Separator(name, split={"b": {"solids": draw(frac),
                                                "solution": draw(frac)}}, rest="a"))
            main, port = f"{name}.a", "b"
        fs.connect(f"in{i}", f"m{i}", name)
        ports.append(main)
        if kind in ("cyclone", "screen", "flotation", "separator"):
            second.append((i, port, kind))
    fs.add(Product("end"))
    fs.connect("s_feed", "feed", "m0")
    for i, main in enumerate(ports):
        fs.connect(f"s{i}", main, f"m{i + 1}" if i + 1 < k else "end")
    for n, (i, port, kind) in enumerate(second):
        # a concentrate is a product: sent back to the mill it can trap a mineral in a
        # loop with a circulating load of 1e7 times its feed, whose closure then cannot
        # be better than round-off times that load (about 1e-9)
        if kind == "flotation" or draw(st.booleans()):
            fs.add(Product(f"p{n}"))
            fs.connect(f"r{n}", f"u{i}.{port}", f"p{n}")
        else:
            fs.connect(f"r{n}", f"u{i}.{port}", "m0")
    return fs


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_sized_plant())
def test_every_element_and_every_mineral_is_conserved_across_size_classes(fs):
    """Size reduction moves mass between classes only; every element closes and the
    mass of every mineral (summed over its classes) in the feed leaves in the products;
    recycles through mills and classifiers are solved in the one system."""
    r = fs.solve()
    assert r.closed, r.closure
    sp = r.species
    n_in = r.flows_kmol_h[r._s("s_feed")]
    n_out = sum(r.flows_kmol_h[r._s(s)] for s in r.products.values())
    for base in ("CuFeS2(s)", "FeS2(s)", "SiO2(s)"):
        m_in = class_mass(sp, n_in, base).sum()
        m_out = class_mass(sp, n_out, base).sum()
        assert m_out == pytest.approx(m_in, rel=1e-9, abs=1e-9)
    assert np.all(r.flows_kmol_h >= 0)
