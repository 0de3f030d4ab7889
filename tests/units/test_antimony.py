"""Antimony: alkaline sulphide leach of stibnite and membrane-cell electrowinning,
configured from the generic models, against Faraday's law and the leach stoichiometry."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Product, StoichiometricReactor
from polyflow.units.electrowinning import Electrowinning

F = 96485.33212
M_SB = 121.76
SB_EW = "Na3SbS3 + 3 NaOH -> Sb(s) + 3 Na2S + 3/4 O2(g) + 3/2 H2O"
SPECIES = ["H2O", "Sb2S3", "Na2S", "NaOH", "Na3SbS3", "Sb(s)", "O2(g)"]


def kmol(r, stream, sid):
    return float(r.flows_kmol_h[r.stream_index(stream), r.species.idx(sid)])


def tankhouse(**kw):
    fs = Flowsheet(SPECIES)
    fs.add(Feed("electrolyte", flows={"H2O": "20 t/h", "Na3SbS3": "10 kmol/h",
                                      "NaOH": "40 kmol/h", "Na2S": "5 kmol/h"},
                temperature="50 degC"))
    fs.add(Electrowinning("ew", metal="Sb(s)", electrons=3, reaction=SB_EW, **kw))
    for p in ("cathode", "spent", "gas"):
        fs.add(Product(p))
    fs.connect("e", "electrolyte", "ew")
    fs.connect("sb", "ew.cathode", "cathode")
    fs.connect("s", "ew.spent_electrolyte", "spent")
    fs.connect("o", "ew.anode_gas", "gas")
    return fs


def test_faraday_one_kiloampere_hour_plates_1_514_kg_antimony():
    """Faraday, z = 3: 1000 A × 3600 s × 121.76 g/mol / (3 × 96485.33) = 1514.4 g."""
    r = tankhouse(current="1 kA", current_efficiency="100 %", cell_voltage="2.5 V").solve()
    assert max(r.closure.values()) < 1e-12
    assert r.flow_kg_h("sb")["Sb(s)"] == pytest.approx(1000 * 3600 * M_SB / (3 * F) / 1000,
                                                      rel=1e-4)


def test_membrane_cell_regenerates_sulphide_and_consumes_caustic():
    """Cathode SbS3(3-) + 3e -> Sb + 3 S(2-), anode 4 OH- -> O2 + 2 H2O + 4e: per Sb
    plated 3 Na2S are released to the catholyte, 3 NaOH consumed and 3/4 O2 evolved."""
    r = tankhouse(current="10 kA", cells=5, current_efficiency="80 %",
                  cell_voltage="2.5 V").solve()
    n = 10000 * 5 * 0.8 / (3 * F) * 3.6
    assert kmol(r, "sb", "Sb(s)") == pytest.approx(n, rel=1e-9)
    assert kmol(r, "s", "Na2S(aq)") == pytest.approx(5 + 3 * n, rel=1e-9)
    assert kmol(r, "s", "NaOH(aq)") == pytest.approx(40 - 3 * n, rel=1e-9)
    assert kmol(r, "o", "O2(g)") == pytest.approx(0.75 * n, rel=1e-9)


def test_specific_energy_at_2_5_volts_and_80_percent_current_efficiency():
    """e = z F U / (η M) = 3 × 96485 × 2.5 / (0.8 × 121.76) J/g = 2064 kWh/t (2063.6): the
    membrane-cell figures quoted for alkaline antimony electrowinning (about 80 % CE at
    about 2.5 V; Anderson, Chemie der Erde 72 (2012) S4, 3-8; not confirmed here
    against the paper's text, see docs/antimony.md)."""
    r = tankhouse(current="10 kA", current_efficiency="80 %", cell_voltage="2.5 V").solve()
    e = 3 * F * 2.5 / (0.8 * M_SB) / 3.6       # kWh/t
    assert e == pytest.approx(2063.6, abs=0.1)
    assert r.energy["ew"]["specific_energy_kWh/t"] == pytest.approx(e, rel=1e-6)


def test_alkaline_sulphide_leach_stoichiometry():
    """Sb2S3 + 3 Na2S -> 2 Na3SbS3 at 95 % (alkaline sulphide leach, 90-98 % extraction:
    Anderson 2012): 1 kmol/h of stibnite takes 2.85 kmol/h of Na2S and gives
    1.9 kmol/h of sodium thioantimonite; NaOH (kept against Na2S hydrolysis) is untouched."""
    fs = Flowsheet(SPECIES)
    fs.add(Feed("c", flows={"Sb2S3": "1 kmol/h", "Na2S": "4 kmol/h", "NaOH": "2 kmol/h",
                            "H2O": "10 t/h"}))
    fs.add(StoichiometricReactor("leach", temperature="90 degC", reactions=[
        {"equation": "Sb2S3 + 3 Na2S -> 2 Na3SbS3", "key": "Sb2S3", "conversion": "95 %"}]))
    fs.add(Product("out"))
    fs.connect("f", "c", "leach")
    fs.connect("o", "leach", "out")
    r = fs.solve()
    assert kmol(r, "o", "Na3SbS3(aq)") == pytest.approx(1.9, rel=1e-12)
    assert kmol(r, "o", "Na2S(aq)") == pytest.approx(4 - 2.85, rel=1e-12)
    assert kmol(r, "o", "Sb2S3(s)") == pytest.approx(0.05, rel=1e-9)
    assert kmol(r, "o", "NaOH(aq)") == pytest.approx(2.0, rel=1e-12)
