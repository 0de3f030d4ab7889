"""The REE cascade with metals of other charges (Ca2+, Fe3+, Al3+, Th4+), constant-D
impurities beside pH-dependent rare earths, extraction-only batteries and a saponified
organic (NH4+ as a charge-1 cation exchanged by the extractant)."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.chem.elements import read_data_csv
from polyflow.errors import InputError
from polyflow.units import Feed, Product
from polyflow.units.ree import REECascade, complex_id
from polyflow.units.ree.extractants import extractant_data, extraction_equilibrium

CHARGE = {"Ca": 2, "Th": 4, "NH4": 1, "Na": 1}


def chloride(e: str) -> str:
    z = CHARGE.get(e, 3)
    return f"{e}Cl{z if z != 1 else ''}(aq)"


def battery(feed: dict, n: int, m: int = 0, k: int = 0, saponified: float = 0.0,
            acid_feed: float = 0.01, scrub_acid: float = 0.0, strip_acid: float = 3.0,
            extractant_kmol: float = 3.0, scrub_metals: dict | None = None,
            **kw) -> Flowsheet:
    """1 m3/h aqueous feed of the chlorides ``feed`` [kmol/h]; 2 m3/h organic of
    ``extractant_kmol`` P507 of which the fraction ``saponified`` is NH4A; scrub and strip
    liquors 0.5 m3/h when there are such stages, the scrub liquor with the chlorides
    ``scrub_metals`` [kmol/h] (a reflux) beside its ``scrub_acid``."""
    els = list(feed) + (["NH4"] if saponified else [])
    sp = ["H2O", "HCl", "P507", "kerosene", *{chloride(e).removesuffix("(aq)") for e in els},
          *[complex_id(e, CHARGE.get(e, 3)) for e in els]]
    fs = Flowsheet(sp)
    mw = dict(zip(fs.species.ids, fs.species.mw, strict=True))
    sol = {chloride(e): q * mw[chloride(e)] for e, q in feed.items()}
    sol["HCl(aq)"] = acid_feed * mw["HCl(aq)"]
    fs.add(Feed("pls", flows_kg_h={"H2O": 1000.0 - sum(sol.values()), **sol}))
    ha = mw["C16H35O3P(org)"]
    org = {"P507": (1 - saponified) * extractant_kmol * ha, "kerosene": 1600.0 - 3.0 * ha}
    if saponified:
        nh4a = complex_id("NH4", 1)
        org[nh4a] = saponified * extractant_kmol * mw[nh4a]
    fs.add(Feed("solvent", flows_kg_h=org))
    fs.add(REECascade("sx", elements=els, extraction_stages=n, scrub_stages=m,
                      strip_stages=k, **kw))
    fs.add(Product("raffinate"))
    fs.add(Product("loaded"))
    fs.connect("f", "pls", "sx.feed")
    fs.connect("o", "solvent", "sx.organic")
    fs.connect("raf", "sx.raffinate", "raffinate")
    fs.connect("org", "sx.organic", "loaded")
    if m:
        reflux = {chloride(e): q * mw[chloride(e)] for e, q in (scrub_metals or {}).items()}
        fs.add(Feed("wash", flows_kg_h={"H2O": 500.0, "HCl": scrub_acid * mw["HCl(aq)"],
                                        **reflux}))
        fs.connect("w", "wash", "sx.scrub")
    if k:
        fs.add(Feed("acid", flows_kg_h={"H2O": 500.0, "HCl": strip_acid * mw["HCl(aq)"]}))
        fs.add(Product("liquor"))
        fs.connect("s", "acid", "sx.strip")
        fs.connect("liq", "sx.strip_liquor", "liquor")
    return fs


def test_each_metal_releases_its_charge_in_H_and_follows_Kremser():
    """Extraction-only battery (no strip stages), constant D: each metal follows the
    Kremser cascade on its own, (E − 1)/(E^(n+1) − 1) of it left in the raffinate with
    E = D·V/W (Seader, Henley & Roper, Separation Process Principles, 3rd ed., eq. 5-29),
    and the acid leaving equals the acid fed plus z H+ per ion extracted: 3 for La3+
    and Fe3+, 2 for Ca2+, 4 for Th4+ (M^z+ + z HA(org) -> MA_z(org) + z H+)."""
    feed = {"La": 0.02, "Ca": 0.01, "Fe": 0.005, "Th": 0.002}
    D = {"La": 0.4, "Ca": 0.05, "Fe": 3.0, "Th": 8.0}
    n = 4
    fs = battery(feed, n, equilibrium="distribution", distribution=D)
    assert fs.units["sx"].outlet_ports() == ("raffinate", "organic")
    r = fs.solve()
    sol = r.unit_solution("sx")
    lay = fs.units["sx"].internal_layout()
    ratio = lay.take("V_org", sol.internal) / lay.take("V_aq_extraction", sol.internal)
    el_f, el_r = r.elements_kg_h("f"), r.elements_kg_h("raf")
    released = 0.0
    for e, d in D.items():
        E = d * ratio
        assert el_r[e] / el_f[e] == pytest.approx((E - 1) / (E ** (n + 1) - 1), rel=1e-9)
        released += CHARGE.get(e, 3) * feed[e] * (1 - el_r[e] / el_f[e])
    prof = fs.units["sx"].stage_profile(sol)
    assert prof["acid"][0] == pytest.approx(0.01 + released, rel=1e-9)
    assert max(r.closure.values()) < 1e-12


def test_constant_D_impurities_beside_pH_rare_earths_leave_where_sent():
    """pH model for La and Nd (log D = 3 pH + b) with Fe held at D = 1000 in every
    section (not stripped by the strip acid: it leaves on the stripped organic) and Ca
    at D = 1e-4 (it leaves with the raffinate); every element closes."""
    feed = {"La": 0.004, "Nd": 0.003, "Fe": 0.001, "Ca": 0.002}
    fs = battery(feed, 6, k=2, acid_feed=0.05, strip_acid=2.0, equilibrium="pH",
                 pH_intercept={"La": -4.3, "Nd": -3.5}, pH_slope=3.0,
                 distribution={"Fe": 1e3, "Ca": 1e-4},
                 strip_distribution={"Fe": 1e3, "all": 1e-4})
    r = fs.solve()
    f, raf, liq, org = (r.elements_kg_h(s) for s in ("f", "raf", "liq", "org"))
    assert org["Fe"] / f["Fe"] > 0.999
    assert raf["Ca"] / f["Ca"] > 0.999
    assert liq["Nd"] / f["Nd"] > raf["Nd"] / f["Nd"]
    assert raf["La"] / f["La"] > liq["La"] / f["La"]
    assert max(r.closure.values()) < 1e-12


@pytest.fixture(scope="module")
def saponified():
    """La-Nd extraction-only battery, 6 stages, 3 kmol/h P507 (1.5 mol/L, 2 m3/h) at
    0, 5 and 10 % NH3-saponified; the tabulated P507 equilibria (data/ree_extraction.csv)
    with the extractant order 3 (D ∝ [(HA)2]^z)."""
    feed = {"La": 0.05, "Nd": 0.05}
    out = {}
    for s in (0.0, 0.05, 0.10):
        fs = battery(feed, 6, saponified=s, equilibrium="pH", extractant_molarity=1.5,
                     extractant_order=3.0)
        r = fs.solve()
        out[s] = (fs, r)
    return out


def test_saponification_NH4_leaves_with_the_raffinate(saponified):
    """The NH4+ of the saponified organic is exchanged for the metals and the acid and
    leaves with the raffinate (as NH4Cl): N in = N out in the raffinate."""
    for s, (_, r) in saponified.items():
        n_in = 14.007 * s * 3.0
        assert r.elements_kg_h("raf").get("N", 0.0) == pytest.approx(n_in, rel=1e-6,
                                                                      abs=1e-12)
        assert r.elements_kg_h("org").get("N", 0.0) < 1e-6 * max(n_in, 1.0)
        assert max(r.closure.values()) < 1e-12


def test_saponification_raises_stage_pH_and_extraction(saponified):
    """Each lever in its direction: more saponification, higher pH in the first stages
    (the base consumes the acid released) and more Nd and La extracted."""
    pH1, nd_raf, la_raf = [], [], []
    for fs, r in saponified.values():
        prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
        pH1.append(prof["pH"][0])
        nd_raf.append(r.elements_kg_h("raf")["Nd"])
        la_raf.append(r.elements_kg_h("raf")["La"])
    assert pH1[0] < pH1[1] < pH1[2]
    assert nd_raf[0] > nd_raf[1] > nd_raf[2]
    assert la_raf[0] > la_raf[1] > la_raf[2]


@pytest.fixture(scope="module")
def saponified_cut():
    """A saponified Pr/Nd cut on the pH model (the start profile of issue #15's second
    wave): 0.3 kmol/h each of Pr and Nd, 15 extraction + 15 scrub stages (scrub liquor
    0.3 kmol/h HCl), 3 kmol/h P507 (1.5 mol/L) at 10, 20, 30 and 40 % NH3-saponified
    (10 %: 0.3 kmol/h NH4+ against 0.31 kmol/h of acid, the titration's end point),
    the tabulated P507 equilibria with the extractant order 3. Before the start by
    continuation in the metals (``acid_loading._metal_path``) none of them converged
    (the order-0 start piles the metals up between the stages)."""
    feed = {"Pr": 0.3, "Nd": 0.3}
    out = {}
    for s in (0.1, 0.2, 0.3, 0.4):
        fs = battery(feed, 15, 15, saponified=s, scrub_acid=0.3, equilibrium="pH",
                     extractant_molarity=1.5, extractant_order=3.0)
        out[s] = (fs, fs.solve())
    return out


def test_saponified_cut_converges_with_NH4_out_in_the_raffinate(saponified_cut):
    """Every element closes; the NH4+ of the organic (14.007 kg N per kmol NH3) leaves
    with the raffinate and none on the loaded organic; the organic stays below its
    capacity (free extractant positive in every stage)."""
    for s, (fs, r) in saponified_cut.items():
        assert max(r.closure.values()) < 1e-12
        assert r.elements_kg_h("raf")["N"] == pytest.approx(14.007 * s * 3.0, rel=1e-6)
        assert r.elements_kg_h("org").get("N", 0.0) < 1e-6
        prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
        assert prof["free_extractant"].min() > 0.0


def test_saponified_cut_pH_rises_with_the_degree_at_the_P507_separation_factor(
        saponified_cut):
    """More saponification, higher pH in the raffinate stage and at the feed stage, and
    more of both elements extracted. Nd and Pr have the same slope (3) and order, so
    in every stage D_Nd/D_Pr = 10^(b_Nd − b_Pr) whatever the pH and the loading
    (log D = 3 pH + b + n log(F/T_A); b from data/ree_extraction.csv)."""
    beta = 10.0 ** (extraction_equilibrium("P507", "Nd").intercept_at(1.5)
                    - extraction_equilibrium("P507", "Pr").intercept_at(1.5))
    pH1, pH_feed, raf = [], [], []
    for fs, r in saponified_cut.values():
        prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
        pH1.append(prof["pH"][0])
        pH_feed.append(prof["pH"][14])
        raf.append(r.elements_kg_h("raf")["Nd"] + r.elements_kg_h("raf")["Pr"])
        a, o = prof["aqueous"][:, :2], prof["organic"][:, :2]   # Pr, Nd
        assert (o[:, 1] / a[:, 1]) / (o[:, 0] / a[:, 0]) == pytest.approx(beta, rel=1e-9)
    assert pH1[0] < pH1[1] < pH1[2] < pH1[3]
    assert pH_feed[0] < pH_feed[1] < pH_feed[2] < pH_feed[3]
    assert raf[0] > raf[1] > raf[2] > raf[3]


def test_saponified_cut_with_an_acid_free_reflux_scrub_converges():
    """The scrub liquor a reflux of NdCl3 (0.15 kmol/h) without acid, as plants scrub: the
    scrub train has no acid at its first stage until Nd is extracted there (the start
    lends it acid, returned along the continuation). 20 and 30 % saponified: every
    element closes, all the NH4+ leaves in the raffinate, the stage pH rises with the
    degree, and the acid-free scrub still raises the Nd grade of the loaded organic
    above the 0.3 kmol/h HCl scrub's (0.708 and 0.668 mol Nd/(Pr+Nd), the fixture
    above)."""
    grade, pH1 = [], []
    for s in (0.2, 0.3):
        fs = battery({"Pr": 0.3, "Nd": 0.3}, 15, 15, saponified=s, scrub_metals={"Nd": 0.15},
                     equilibrium="pH", extractant_molarity=1.5, extractant_order=3.0)
        r = fs.solve()
        assert max(r.closure.values()) < 1e-12
        assert r.elements_kg_h("raf")["N"] == pytest.approx(14.007 * s * 3.0, rel=1e-6)
        org = r.elements_kg_h("org")
        nd, pr = org["Nd"] / 144.24, org["Pr"] / 140.91
        grade.append(nd / (nd + pr))
        pH1.append(fs.units["sx"].stage_profile(r.unit_solution("sx"))["pH"][0])
    assert pH1[0] < pH1[1]
    assert grade[0] > 0.708 and grade[1] > 0.668


def test_extractant_table_is_complete_and_cited():
    """Every row names a known extractant, a charge and slope, a status and a source
    key of sources_ree.csv; the slope of every metal is its charge (slope analysis)."""
    sources = {r["key"] for r in read_data_csv("sources_ree.csv")}
    rows = read_data_csv("ree_extraction.csv")
    assert len(rows) >= 20
    for r in rows:
        assert extractant_data(r["extractant"]).name == r["extractant"]
        assert r["status"] in {"READ", "QUOTED", "EST"}
        assert r["source"] in sources
        assert float(r["pH_slope"]) == int(r["charge"])
    for r in read_data_csv("ree_extractants.csv"):
        assert r["source"] in sources
    assert extractant_data("P204").name == "D2EHPA"
    assert extraction_equilibrium("P507", "Th").charge == 4
    # the intercept moves by z per decade of extractant (D ∝ [(HA)2]^z)
    eq = extraction_equilibrium("P507", "Ca")
    assert eq.intercept_at(10.0 * eq.molarity) - eq.intercept == pytest.approx(2.0)


def test_unknown_extractant_and_missing_equilibrium_say_what_to_do():
    with pytest.raises(InputError, match="unknown extractant"):
        battery({"La": 0.01}, 2, equilibrium="pH", extractant="TBP").solve()
    with pytest.raises(InputError, match="no equilibrium of 'Eu'") as err:
        battery({"La": 0.01, "Eu": 0.01}, 2, equilibrium="pH").solve()
    assert "pH_intercept" in str(err.value)
