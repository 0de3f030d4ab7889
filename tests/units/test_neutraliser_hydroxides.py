"""Zn, Mn and Al hydroxides from a limed sulphate liquor (issue #12 item 1): the equilibrium
neutraliser held at a pH precipitates Zn(OH)2, Mn(OH)2 and gibbsite where PHREEQC 3
(phreeqpython, phreeqc.dat: Zn(OH)2(e), Pyrochroite, Gibbsite, Gypsum; Parkhurst & Appelo
2013, USGS TM 6-A43) says they form, and leaves the same dissolved metal."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.chem.elements import atomic_weight
from polyflow.units import Feed, Product
from polyflow.units.lime_dose import LimeDose
from polyflow.units.neutraliser import Neutraliser

SPECIES = ["H2O", "H2SO4", "Al2(SO4)3", "Ca(OH)2(s)", "CaSO4*2H2O(s)", "Zn(OH)2(s)",
           "Mn(OH)2(s)", "Al(OH)3(s)", "H+", "OH-", "Ca+2", "Zn+2", "Mn+2", "Al+3", "SO4-2"]
W = 100.0e3                          # kg/h water
#: kmol/h: a zinc-manganese-aluminium sulphate effluent (65 mg/L Zn, 55 mg/L Mn, 10.8 mg/L
#: Al, 0.49 g/L free acid), a typical base-metal acid drainage
KMOL = {"Zn": 0.1, "Mn": 0.1, "Al": 0.04, "acid": 0.5}
PHASES = ["Zn(OH)2(e)", "Pyrochroite", "Gibbsite", "Gypsum"]
SOLID = {"Zn": "Zn(OH)2(s)", "Mn": "Mn(OH)2(s)", "Al": "Al(OH)3(s)"}


def _plant(pH: float) -> Flowsheet:
    fs = Flowsheet(SPECIES)
    fs.add(Feed("drainage", flows={
        "H2O": f"{W} kg/h", "Zn+2": f"{KMOL['Zn']} kmol/h", "Mn+2": f"{KMOL['Mn']} kmol/h",
        "SO4-2": f"{KMOL['Zn'] + KMOL['Mn']} kmol/h",
        "Al2(SO4)3": f"{KMOL['Al'] / 2} kmol/h", "H2SO4": f"{KMOL['acid']} kmol/h"}))
    fs.add(LimeDose("lime", agent="Ca(OH)2", target_stream="t", target="charge"))
    fs.add(Neutraliser("neut", agent="Ca(OH)2", chemistry="equilibrium", database="phreeqc",
                       temperature="25 degC", target_pH=pH))
    fs.add(Product("tails"))
    fs.add(Product("vent"))
    fs.connect("d", "drainage", "neut.feed")
    fs.connect("l", "lime", "neut.lime")
    fs.connect("t", "neut.slurry", "tails")
    fs.connect("v", "neut.vent", "vent")
    return fs


def _phreeqc(ca_kmol_h: float):
    """PHREEQC's equilibrium of the same totals (the unit's solved lime dose as Ca),
    the four phases precipitation-only."""
    from tests.chem.liquors import oracle

    s = KMOL["Zn"] + KMOL["Mn"] + 1.5 * KMOL["Al"] + KMOL["acid"]
    sol = {"units": "mol/kgw", "pH": "7 charge", "temp": 25.0,
           "Zn": 1000 * KMOL["Zn"] / W, "Mn": 1000 * KMOL["Mn"] / W,
           "Al": 1000 * KMOL["Al"] / W, "S(6)": 1000 * s / W, "Ca": 1000 * ca_kmol_h / W}
    ref = oracle("phreeqc").add_solution(sol)
    ref.equalize(PHASES, [0] * len(PHASES), [0] * len(PHASES))
    return ref


@pytest.mark.parametrize("pH", [5.0, 7.0, 8.5, 9.5, 10.5])
def test_hydroxides_form_where_phreeqc_forms_them(pH):
    """At each target pH the unit's lime dose, brought to PHREEQC with the drainage's
    totals, gives the same pH (0.05) and the same dissolved Zn, Mn and Al (3 % or 1e-7
    mol/kg); a hydroxide precipitates in the unit exactly where PHREEQC keeps less of its
    metal dissolved than the drainage brought (gibbsite from pH ~5, Zn(OH)2 above ~8,
    Mn(OH)2 above ~9.5 with phreeqc.dat's constants)."""
    pytest.importorskip("phreeqpython")
    r = _plant(pH).solve()
    e = r.energy["neut"]
    assert e["pH"] == pytest.approx(pH, abs=1e-9)
    assert max(r.closure.values()) < 1e-12
    ref = _phreeqc(e["agent_kg/h"] / 74.093)
    assert ref.pH == pytest.approx(pH, abs=0.05)
    for el, solid in SOLID.items():
        ours = e.get(f"dissolved_{el}_mg/L", 0.0) / (1000 * atomic_weight(el))
        theirs = ref.total_element(el, units="mol")
        assert ours == pytest.approx(theirs, rel=0.03, abs=1e-7), el
        formed = e.get(f"precipitated_{solid}_kg/h", 0.0)
        fed = 1000 * KMOL[el] / W
        if theirs < 0.97 * fed:          # PHREEQC precipitates it
            assert formed > 0.0, el
        else:
            assert formed == pytest.approx(0.0, abs=1e-9), el


def test_precipitation_order_follows_the_hydroxide_solubilities():
    """Raised from pH 5 to 10.5, gibbsite forms first, then Zn(OH)2, then Mn(OH)2: at pH
    7 only Al is out of solution, at 9.5 Zn too (below 1 mg/L), at 10.5 Mn (phreeqc.dat
    log K: gibbsite 8.11, Zn(OH)2(e) 11.5, pyrochroite 15.2)."""
    out = {p: _plant(p).solve().energy["neut"] for p in (7.0, 9.5, 10.5)}
    zn_in = 1000 * KMOL["Zn"] * atomic_weight("Zn") * 1000 / W     # mg/L
    assert out[7.0].get("precipitated_Al(OH)3(s)_kg/h", 0.0) > 0.0
    assert out[7.0].get("precipitated_Zn(OH)2(s)_kg/h", 0.0) == pytest.approx(0.0, abs=1e-9)
    assert out[9.5]["dissolved_Zn_mg/L"] < 0.02 * zn_in
    assert out[9.5].get("precipitated_Mn(OH)2(s)_kg/h", 0.0) < \
        out[10.5].get("precipitated_Mn(OH)2(s)_kg/h", 0.0)
