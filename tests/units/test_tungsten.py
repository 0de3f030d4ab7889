"""Tungsten units: amine SX (Kremser), APT crystallisation (yield per pass, recycle),
digestion and calcination stoichiometry, against closed-form values."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.errors import InputError, SpecificationError
from polyflow.units import Feed, Mixer, Product, Splitter, StoichiometricReactor
from polyflow.units.apt_crystalliser import AptCrystalliser
from polyflow.units.tungsten_amine_sx import TungstenAmineSX, kremser_unextracted

SX_SPECIES = ["H2O", "Na2WO4", "H2SO4", "Na2SO4", "NH3", "(NH4)2WO4"]
CRYST_SPECIES = ["H2O", "H2O(g)", "NH3", "NH3(g)", "(NH4)2WO4", "APT"]
M_APT = 3132.5          # g/mol, (NH4)10[H2W12O42]·4H2O
M_WO3 = 231.84


def sx_plant(D=10.0, oa=0.5, stages=3, acid="1.2 kmol/h"):
    fs = Flowsheet(SX_SPECIES)
    fs.add(Feed("pls", flows={"H2O": "50 t/h", "Na2WO4": "1 kmol/h", "H2SO4": acid}))
    fs.add(Feed("ammonia", flows={"H2O": "5 t/h", "NH3": "2.4 kmol/h"}))
    fs.add(TungstenAmineSX("sx", D=D, oa_ratio=oa, extraction_stages=stages))
    for p in ("raff", "at"):
        fs.add(Product(p))
    fs.connect("f", "pls", "sx.feed")
    fs.connect("a", "ammonia", "sx.strip_liquor")
    fs.connect("r", "sx.raffinate", "raff")
    fs.connect("s", "sx.strip_product", "at")
    return fs


def kmol(r, stream, sid):
    return float(r.flows_kmol_h[r.stream_index(stream), r.species.idx(sid)])


@pytest.mark.parametrize(("D", "oa", "n"), [(10.0, 0.5, 3), (2.0, 1.0, 2), (1.0, 1.0, 4),
                                      (50.0, 0.2, 1)])
def test_amine_sx_raffinate_follows_kremser(D, oa, n):
    """Kremser (Seader, Henley & Roper 2011, eq. 5-48) with metal-free solvent:
    unextracted fraction (ε − 1)/(ε^(N+1) − 1), ε = D·O/A; 1/(N+1) at ε = 1."""
    eps = D * oa
    phi = 1.0 / (n + 1) if eps == 1.0 else (eps - 1) / (eps ** (n + 1) - 1)
    assert kremser_unextracted(D, oa, n) == pytest.approx(phi, rel=1e-12)
    r = sx_plant(D, oa, n).solve()
    assert max(r.closure.values()) < 1e-12
    assert kmol(r, "r", "Na2WO4(aq)") == pytest.approx(phi, rel=1e-9)
    assert kmol(r, "s", "(NH4)2WO4(aq)") == pytest.approx(1 - phi, rel=1e-9)


def test_amine_sx_stoichiometry_acid_and_ammonia():
    """Per W transferred: 1 H2SO4 -> Na2SO4 in the raffinate, 2 NH3 taken by the strip."""
    r = sx_plant().solve()
    x = 1 - 4 / 624
    assert kmol(r, "r", "H2SO4(aq)") == pytest.approx(1.2 - x, rel=1e-9)
    assert kmol(r, "r", "Na2SO4(aq)") == pytest.approx(x, rel=1e-9)
    assert kmol(r, "s", "NH3(aq)") == pytest.approx(2.4 - 2 * x, rel=1e-9)
    assert r.energy["sx"]["extraction_%"] == pytest.approx(100 * x)


def test_amine_sx_short_of_acid_is_infeasible_and_says_so():
    """Less than one H2SO4 per W extracted: the balance would need negative acid."""
    with pytest.raises(SpecificationError, match="negative flow of H2SO4"):
        sx_plant(acid="0.5 kmol/h").solve()


def test_amine_sx_rejects_bad_stage_count():
    with pytest.raises(InputError, match="whole number"):
        TungstenAmineSX("sx", D=10, extraction_stages=0)


def cryst_plant(y="90 %", evap="60 %", bleed=None):
    fs = Flowsheet(CRYST_SPECIES)
    fs.add(Feed("at", flows={"H2O": "2 t/h", "(NH4)2WO4": "1.2 kmol/h"}))
    fs.add(AptCrystalliser("cryst", yield_per_pass=y, evaporation=evap))
    for p in ("apt", "vap", "bleed_out" if bleed else "ml"):
        fs.add(Product(p))
    fs.connect("c", "cryst.crystals", "apt")
    fs.connect("v", "cryst.vapour", "vap")
    if bleed is None:
        fs.connect("f", "at", "cryst")
        fs.connect("m", "cryst.mother_liquor", "ml")
    else:
        fs.add(Mixer("box"))
        fs.add(Splitter("split", fractions={"bleed": bleed, "recycle": "rest"}))
        fs.connect("f", "at", "box")
        fs.connect("in", "box", "cryst")
        fs.connect("m", "cryst.mother_liquor", "split")
        fs.connect("rec", "split.recycle", "box")
        fs.connect("b", "split.bleed", "bleed_out")
    return fs


def test_apt_yield_per_pass_and_evaporation():
    """12 (NH4)2WO4 -> APT + 14 NH3 + 2 H2O at yield Y: APT = Y n/12 (McCabe, Smith &
    Harriott 2005, §27.2: yield from the material balance); the water evaporated is the
    given share of the water after crystallisation."""
    r = cryst_plant().solve()
    assert max(r.closure.values()) < 1e-12
    n_apt = 0.9 * 1.2 / 12
    assert kmol(r, "c", "APT") == pytest.approx(n_apt, rel=1e-9)
    water = 2000 / float(r.species.mw[r.species.idx("H2O(l)")]) + 2 * n_apt
    assert kmol(r, "v", "H2O(g)") == pytest.approx(0.6 * water, rel=1e-6)
    assert kmol(r, "v", "NH3(g)") == pytest.approx(14 * n_apt, rel=1e-9)
    assert kmol(r, "m", "(NH4)2WO4(aq)") == pytest.approx(0.12, rel=1e-9)
    assert r.energy["cryst"]["duty_kW"] > 0          # evaporation takes heat


@pytest.mark.parametrize(("y", "b"), [(0.9, 0.05), (0.85, 0.2), (0.7, 1.0)])
def test_apt_mother_liquor_recycle_closed_form(y, b):
    """Recycle of the mother liquor with a bleed b: the share of the tungsten fed that
    crystallises is Y/(1 − (1 − Y)(1 − b)) (geometric series of the passes)."""
    r = cryst_plant(y=y, evap="50 %", bleed=b).solve()
    overall = y / (1 - (1 - y) * (1 - b))
    assert 12 * kmol(r, "c", "APT") / 1.2 == pytest.approx(overall, rel=1e-9)
    assert r.recovery["W"]["apt"] == pytest.approx(overall, rel=1e-9)


def test_apt_calcination_gives_88_8_percent_wo3():
    """APT -> 12 WO3 + 10 NH3 + 10 H2O: the WO3 content of APT, 12 × 231.84 / 3132.5 =
    88.8 % (Lassner & Schubert, Tungsten (1999), §6.2: APT contains about 88.5-89 %
    WO3; the loss on ignition to WO3 is the ammonia and water)."""
    fs = Flowsheet(["APT", "WO3", "NH3(g)", "H2O(g)"])
    fs.add(Feed("apt", flows={"APT": "1 t/h"}))
    fs.add(StoichiometricReactor("calciner", temperature="600 degC", reactions=[
        {"equation": "APT -> 12 WO3 + 10 NH3(g) + 10 H2O(g)", "key": "APT",
         "conversion": "100 %"}]))
    fs.add(Product("out"))
    fs.connect("f", "apt", "calciner")
    fs.connect("o", "calciner", "out")
    r = fs.solve()
    wo3 = r.flow_kg_h("o")["WO3(s)"]
    assert wo3 / 1000 == pytest.approx(12 * M_WO3 / M_APT, rel=2e-4)
    assert 0.885 < wo3 / 1000 < 0.890
    assert r.energy["calciner"]["duty_kW"] > 0       # decomposition is endothermic


def test_scheelite_soda_digestion_stoichiometry():
    """CaWO4 + Na2CO3 -> Na2WO4 + CaCO3 at 98.5 % (autoclave soda digestion at 200 °C
    and Na2CO3/WO3 about 1.4 w/w dissolves 97-99 % of the WO3: Lassner & Schubert
    (1999) §6.2.2; US patent 4,351,808, Amax, 1982)."""
    fs = Flowsheet(["H2O", "CaWO4", "Na2CO3", "Na2WO4", "CaCO3"])
    fs.add(Feed("c", flows={"CaWO4": "1 kmol/h", "Na2CO3": "3 kmol/h", "H2O": "3 t/h"}))
    fs.add(StoichiometricReactor("digest", temperature="200 degC", reactions=[
        {"equation": "CaWO4 + Na2CO3 -> Na2WO4 + CaCO3", "key": "CaWO4",
         "conversion": "98.5 %"}]))
    fs.add(Product("out"))
    fs.connect("f", "c", "digest")
    fs.connect("o", "digest", "out")
    r = fs.solve()
    assert kmol(r, "o", "Na2WO4(aq)") == pytest.approx(0.985, rel=1e-12)
    assert kmol(r, "o", "Na2CO3(aq)") == pytest.approx(3 - 0.985, rel=1e-12)
    assert kmol(r, "o", "CaCO3(s)") == pytest.approx(0.985, rel=1e-12)
