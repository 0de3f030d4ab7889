"""The neutraliser with chemistry = equilibrium: its liquor speciated with its minerals as
rows of the plant system, against PHREEQC (llnl.dat) for the same liquor and dose; the
lime lever; H2S from sulphide meeting acid, stripped to the vent."""

from __future__ import annotations

import numpy as np
import pytest
from tests.small_plants import neutraliser_line, plant

from polyflow import Flowsheet
from polyflow.chem.elements import atomic_weight
from polyflow.chem.species import load_database
from polyflow.units import Feed, Product
from polyflow.units._liquor_equilibrium import MINERAL_SPECIES
from polyflow.units.lime_dose import LimeDose
from polyflow.units.neutraliser import Neutraliser

SPECIES = ["H2O", "H2SO4", "CuSO4", "Fe2(SO4)3", "Ca(OH)2(s)", "CaSO4*2H2O(s)", "CuO(s)",
           "Fe(OH)3(s)", "H+", "OH-", "Ca+2", "Cu+2", "Fe+3", "SO4-2"]
#: a raffinate bleed: 100 t/h water, 10 g/kg H2SO4, 1 g/kg CuSO4, 0.5 g/kg Fe2(SO4)3
BLEED = {"H2O": "100 t/h", "H2SO4": "1 t/h", "CuSO4": "100 kg/h", "Fe2(SO4)3": "50 kg/h"}


def _plant(lime_kg_h: float | None, species=SPECIES, bleed=BLEED, **kw) -> Flowsheet:
    """The bleed neutralised by a fixed lime rate, or (``lime_kg_h`` None) by the dose
    that holds the ``target_pH`` given in ``kw``."""
    if lime_kg_h is None:
        lime = LimeDose("lime", agent="Ca(OH)2", target_stream="t", target="charge")
    else:
        lime = Feed("lime", flows={"Ca(OH)2(s)": f"{lime_kg_h} kg/h"}, category="reagent")
    return neutraliser_line(species, {"b": Feed("bleed", flows=bleed)}, lime,
                            _neutraliser("neut", **kw))


def _neutraliser(name: str, **kw) -> Neutraliser:
    """Lime neutraliser speciating its liquor on llnl.dat at 25 °C."""
    return Neutraliser(name, agent="Ca(OH)2", chemistry="equilibrium", database="llnl",
                       temperature="25 degC", **kw)


def test_mineral_species_have_the_phase_formula():
    """Every phase leaves as a polyflow species of the same elements per formula unit."""
    from polyflow.chem.formula import parse_formula
    db = load_database()
    formula = {"Gypsum": "CaSO4*2H2O", "Anhydrite": "CaSO4", "Fluorite": "CaF2",
               "Fe(OH)3(a)": "Fe(OH)3", "Fe(OH)3": "Fe(OH)3", "Goethite": "FeO(OH)",
               "Tenorite": "CuO", "Portlandite": "Ca(OH)2", "Calcite": "CaCO3",
               "Stibnite": "Sb2S3", "Gibbsite": "Al(OH)3", "Pyrochroite": "Mn(OH)2",
               "Mn(OH)2(am)": "Mn(OH)2", "Zn(OH)2(e)": "Zn(OH)2", "Zn(OH)2(epsilon)": "Zn(OH)2"}
    for phase, sid in MINERAL_SPECIES.items():
        assert db.subset([sid]).species[0].formula.elements == \
            parse_formula(formula[phase]).elements, phase


@pytest.mark.parametrize("lime", [790.0, 800.0, 850.0])
def test_outlet_against_phreeqc(lime):
    """pH to 0.05 and dissolved Cu, Fe, Ca and the gypsum formed to 3 % (or 1e-7 mol/kg)
    against PHREEQC 3 (phreeqpython, llnl.dat) for the same totals, EQUILIBRIUM_PHASES
    tenorite, Fe(OH)3, gypsum and portlandite (precipitation only, pe 10 as in an aerated
    tank; at 1000 kg/h PHREEQC's own initial solution does not converge, see
    docs/aqueous-chemistry.md). The unit's molalities are per kg of the outlet water,
    PHREEQC's per kg of its final water; both within 0.5 % here."""
    pytest.importorskip("phreeqpython")
    from tests.chem.liquors import oracle

    r = _plant(lime).solve()
    e = r.energy["neut"]
    W = 100.0e3                                         # kg/h water in the feed
    kmol = {"Cu": 100 / 159.609, "Fe": 2 * 50 / 399.88, "S": 1000 / 98.078
            + 100 / 159.609 + 3 * 50 / 399.88, "Ca": lime / 74.093}
    sol = {"units": "mol/kgw", "pH": "7 charge", "pe": 10, "temp": 25.0,
           "Cu(2)": 1000 * kmol["Cu"] / W, "Fe(3)": 1000 * kmol["Fe"] / W,
           "S(6)": 1000 * kmol["S"] / W, "Ca": 1000 * kmol["Ca"] / W}
    ref = oracle("llnl").add_solution(sol)
    minerals = ["Tenorite", "Fe(OH)3", "Gypsum", "Portlandite"]
    ref.equalize(minerals, [0] * 4, [0] * 4)
    assert e["pH"] == pytest.approx(ref.pH, abs=0.05)
    mol = ref.species_molalities
    for el, key in (("Cu", "Cu"), ("Fe", "Fe"), ("Ca", "Ca")):
        theirs = sum(m * _count(sp, key) for sp, m in mol.items())
        ours = e.get(f"dissolved_{el}_mg/L", 0.0) / (1000 * atomic_weight(el))
        assert ours == pytest.approx(theirs, rel=0.03, abs=1e-7), el
    # gypsum: the calcium that did not stay dissolved (portlandite does not form here)
    assert e.get("precipitated_Ca(OH)2(s)_kg/h", 0.0) == pytest.approx(0.0, abs=1e-9)
    ca_left = sum(m * _count(sp, "Ca") for sp, m in mol.items())
    gyp = e["precipitated_CaSO4*2H2O(s)_kg/h"] / 172.17 * 1000 / W
    assert gyp == pytest.approx(1000 * kmol["Ca"] / W - ca_left, rel=0.03)
    assert max(r.closure.values()) < 1e-12


def _count(species: str, element: str) -> float:
    """Atoms of ``element`` in a PHREEQC species name (e.g. Fe2(OH)2+4 -> 2)."""
    from polyflow.chem.formula import parse_formula
    try:
        return float(parse_formula(species).elements.get(element, 0.0))
    except Exception:
        return 0.0


def test_more_lime_raises_pH_and_lowers_dissolved_metals():
    """The lever at a fixed dose: 780 -> 800 -> 850 kg/h Ca(OH)2 raises the pH (3.8 -> 5.3
    -> 11.6) and takes dissolved Fe from 21 to 0.4 mg/L and Cu from 398 to 255 mg/L and
    then below 0.01 mg/L (tenorite), as the hydroxide solubilities say (llnl.dat)."""
    out = [_plant(d).solve().energy["neut"] for d in (780.0, 800.0, 850.0)]
    pH = [e["pH"] for e in out]
    cu = [e["dissolved_Cu_mg/L"] for e in out]
    assert pH == pytest.approx([3.79, 5.29, 11.62], abs=0.05)
    assert cu[0] > cu[1] > cu[2]
    assert cu[2] < 0.01
    assert out[1]["dissolved_Fe_mg/L"] < 0.05 * out[0]["dissolved_Fe_mg/L"]


@pytest.mark.parametrize("pH", [3.5, 5.29, 7.5, 8.5, 10.0])
def test_dose_solved_to_a_target_pH(pH):
    """The lime dose that holds the liquor at a target pH is solved with the plant
    (lime_dose target = 'charge' + neutraliser target_pH): the pH is met to 1e-9 and the
    dose equals the fixed-dose run's at the same pH (800 kg/h gives pH 5.29 above)."""
    r = _plant(None, target_pH=pH).solve()
    e = r.energy["neut"]
    assert e["pH"] == pytest.approx(pH, abs=1e-9)
    assert max(r.closure.values()) < 1e-12
    assert abs(sum(q * z for q, z in _charges(r, "t"))) < 1e-12
    if pH == 5.29:
        assert e["agent_kg/h"] == pytest.approx(800.0, rel=2e-3)


def _charges(r, stream):
    from polyflow.chem.species import load_database
    db = load_database()
    flows = r.flow_kg_h(stream)
    out = []
    for sid, kg in flows.items():
        one = db.subset([sid])
        out.append((kg / float(one.mw[0]), one.species[0].formula.charge))
    return out


def test_higher_target_pH_takes_more_lime_and_leaves_less_metal():
    """Target pH 3.5 -> 7.5 -> 8.5: lime 773 -> 829.70 -> 829.72 kg/h (the bleed's
    10 g/kg acid and the Fe and Cu hydroxides, then unbuffered water: 0.02 kg/h more
    for the last unit of pH); dissolved Cu 398 -> 0.015 -> 0.0006 mg/L (tenorite,
    Cu(OH)2(aq) and CuOH+ above pH 8, so 23x per pH unit, not 100x); Fe(III) from 70 mg/L
    to 0.03 mg/L (Fe(OH)3, llnl.dat). The magnitudes follow PHREEQC (test above)."""
    out = [_plant(None, target_pH=p).solve().energy["neut"] for p in (3.5, 7.5, 8.5)]
    lime = [e["agent_kg/h"] for e in out]
    cu = [e["dissolved_Cu_mg/L"] for e in out]
    fe = [e["dissolved_Fe_mg/L"] for e in out]
    assert lime[0] < lime[1] < lime[2]
    assert lime == pytest.approx([772.85, 829.70, 829.72], abs=0.05)
    assert cu == pytest.approx([398.0, 0.0146, 0.00065], rel=0.02)
    assert fe[0] > 1000 * fe[1]


def test_sulphide_meeting_acid_vents_stoichiometric_H2S():
    """Na2S (0.256 kmol/h) into 10 g/kg sulphuric acid: Na2S + H2SO4 -> Na2SO4 + H2S(g);
    at pH ~1 all but the H2S(aq) in equilibrium with 100 ppmv H2S in the vent gas
    (1e-5 mol/kg: Henry's constant 0.1 mol/kg/atm, llnl.dat) leaves by the vent:
    8.73 kg/h H2S, stoichiometric to 0.5 %."""
    sp = [*SPECIES, "Na2S", "Na+", "HS-", "H2S(g)"]
    bleed = {**BLEED, "Na2S": "20 kg/h"}
    r = _plant(0.0, species=sp, bleed=bleed).solve()
    e = r.energy["neut"]
    stoich = 20.0 / 78.045 * 34.08
    assert e["H2S_vented_kg/h"] == pytest.approx(stoich, rel=5e-3)
    assert r.flow_kg_h("v")["H2S(g)"] == pytest.approx(e["H2S_vented_kg/h"])
    assert max(r.closure.values()) < 1e-12
    from polyflow.effluent.products import hazards
    (w,) = hazards(r)
    assert "neut" in w and "H2S" in w and "fatal" in w


def test_antimony_sulphide_bleed_into_acid_held_at_pH_8_5():
    """The Sb electrolyte bleed (NaOH, Na2S, Na3SbS3: 4.06 kmol/h of S(-II)) into a
    10 g/kg sulphuric acid bleed, limed to pH 8.5 (llnl.dat): stibnite precipitates
    (thioantimonite acidified, 2 SbS3-3 + 6 H+ -> Sb2S3 + 3 H2S), gypsum forms, and H2S is
    stripped to the vent with its warning. Every S(-II) atom in is in the stibnite, the
    vent or the liquor; the liquor keeps < 1 mg/L Sb."""
    sp = ["H2O", "H2SO4", "NaOH", "Na2S", "Na3SbS3", "Ca(OH)2(s)", "CaSO4*2H2O(s)",
          "Sb2S3(s)", "H+", "OH-", "Ca+2", "Na+", "SO4-2", "HS-", "SbS3-3", "H2S(g)"]
    fs = neutraliser_line(sp, {
        "a": Feed("acid", flows={"H2O": "100 t/h", "H2SO4": "1 t/h"}),
        "s": Feed("sb", flows={"H2O": "4 t/h", "NaOH": "110 kg/h", "Na2S": "420 kg/h",
                               "Na3SbS3": "68 kg/h"})},
        LimeDose("lime", agent="Ca(OH)2", target_stream="t", target="charge"),
        _neutraliser("neut", target_pH=8.5))
    r = fs.solve()
    e = r.energy["neut"]
    assert e["pH"] == pytest.approx(8.5, abs=1e-9)
    mw = load_database().subset(["Na3SbS3(aq)", "Sb2S3(s)"]).mw
    sb_in = 68.0 / mw[0]                       # kmol/h Sb in
    assert e["precipitated_Sb2S3(s)_kg/h"] / mw[1] == pytest.approx(sb_in / 2, rel=2e-3)
    assert e["dissolved_Sb_mg/L"] < 1.0
    assert e["H2S_vented_kg/h"] > 150.0
    assert max(r.closure.values()) < 1e-12
    from polyflow.effluent.products import hazards
    assert "vents" in hazards(r)[0]


def test_missing_ions_are_named():
    from polyflow.errors import PolyflowError
    with pytest.raises(PolyflowError, match="Ca\\+2"):
        _plant(800.0, species=[s for s in SPECIES if s != "Ca+2"]).solve()


@pytest.mark.parametrize("target", [None, 8.5])
def test_block_jacobian_equals_central_differences(target):
    """The analytic Jacobian of the liquor-equilibrium block (speciation rows on the log
    free shares, phases formed, basis ions, the H+ split; with a held pH also the base)
    equals central differences at the solution, to 1e-4 of each row's largest entry (the
    differences' own truncation error is ~2e-5 here; a wrong term is O(1))."""
    from polyflow.solve.assemble import assemble

    fs = _plant(800.0) if target is None else _plant(None, target_pH=target)
    r = fs.solve()
    system = assemble(fs).system
    blocks = [b for b in system.builder.blocks if b.jac is not None]
    assert blocks
    for b in blocks:
        xl = np.asarray(r.x[b.cols], dtype=float)
        J = b.jacobian(xl)
        fd = np.zeros_like(J)
        for j in range(len(xl)):
            h = 1e-6 * max(abs(xl[j]), 1e-3)
            up, dn = xl.copy(), xl.copy()
            up[j] += h
            dn[j] -= h
            fd[:, j] = (b.func(up)[0] - b.func(dn)[0]) / (2 * h)
        scale = np.abs(fd).max(axis=1, keepdims=True) + 1e-300
        assert (np.abs(J - fd) / scale).max() < 1e-4


def test_staged_pair_iron_then_copper():
    """Two stages in series (as HDS plants stage them): 780 kg/h of lime in the first
    takes the bleed to pH 3.79 and precipitates 85 % of the Fe(III) as Fe(OH)3 with
    gypsum but no tenorite; the second is held at pH 8.5 by its solved dose (50 kg/h)
    and precipitates the copper (49.8 kg/h CuO, all but 0.6 ug/L) and the rest of the
    iron. Both stages together take what one stage held at 8.5 takes (829.7 kg/h)."""
    fs = plant(SPECIES, [
        Feed("bleed", flows=BLEED),
        Feed("lime1", flows={"Ca(OH)2(s)": "780 kg/h"}, category="reagent"),
        LimeDose("lime2", agent="Ca(OH)2", target_stream="s2", target="charge"),
        _neutraliser("stage1"), _neutraliser("stage2", target_pH=8.5),
        Product("tails"), Product("v1"), Product("v2")],
        {"b": "bleed -> stage1.feed", "l1": "lime1 -> stage1.lime",
         "s1": "stage1.slurry -> stage2.feed", "l2": "lime2 -> stage2.lime",
         "s2": "stage2.slurry -> tails", "g1": "stage1.vent -> v1", "g2": "stage2.vent -> v2"})
    r = fs.solve()
    one, two = r.energy["stage1"], r.energy["stage2"]
    assert one["pH"] == pytest.approx(3.79, abs=0.01)
    assert one["precipitated_CuO(s)_kg/h"] == pytest.approx(0.0, abs=1e-9)
    assert two["pH"] == pytest.approx(8.5, abs=1e-9)
    assert two["precipitated_CuO(s)_kg/h"] == pytest.approx(49.84, rel=1e-3)
    assert one["agent_kg/h"] + two["agent_kg/h"] == pytest.approx(829.72, rel=1e-4)
    assert max(r.closure.values()) < 1e-12


def test_liquor_elements_speciates_only_those_and_passes_the_rest():
    """``liquor_elements`` restricts the unit's speciation to the elements named (and H, O):
    the bleed's Cu, Fe, S and the lime's Ca give the same pH, dose and dissolved metals as
    the unrestricted unit (the masters it drops have no total here), and an aqueous species
    of another element (NaCl, 1 t/h) leaves exactly as it came, outside the speciation."""
    kw = {"target_pH": 7.5}
    full = _plant(None, **kw).solve()
    sp = [*SPECIES, "NaCl(aq)"]
    bleed = {**BLEED, "NaCl": "1 t/h"}
    fs = _plant(None, species=sp, bleed=bleed, liquor_elements=["Cu", "Fe", "S", "Ca"], **kw)
    part = fs.solve()
    a, b = full.energy["neut"], part.energy["neut"]
    assert b["pH"] == pytest.approx(7.5, abs=1e-9)
    assert b["agent_kg/h"] == pytest.approx(a["agent_kg/h"], rel=1e-9)
    assert b["dissolved_Cu_mg/L"] == pytest.approx(a["dissolved_Cu_mg/L"], rel=1e-6)
    assert part.flow_kg_h("t")["NaCl(aq)"] == pytest.approx(1000.0, rel=1e-12)
    assert max(part.closure.values()) < 1e-12
    # unrestricted, the same NaCl is speciated: Na+ and Cl- are masters the unit must
    # write its liquor in, and the flowsheet lacks them
    with pytest.raises(Exception, match=r"Na\+|Cl-"):
        _plant(None, species=sp, bleed=bleed, **kw).solve()


def test_products_read_the_streams_own_pH():
    """The products table reads each product's pH from the stream's own speciation,
    solved with the plant (``result.aqueous``), instead of speciating it again: the same
    value to round-off as speciating the product's flows afresh with the plant's database
    (the fallback when the record has no speciation). This plant's streams are speciated
    with phreeqc.dat (no element needs llnl.dat), the unit with llnl.dat: the liquor the
    unit holds at pH 7.50 (llnl) reads 7.32 on phreeqc.dat."""
    import copy

    from polyflow.effluent.products import liquor_pH, products

    r = _plant(None, target_pH=7.5).solve()
    assert r.aqueous["database"] == "phreeqc"
    own = products(r)["tails"]["pH"]
    assert own == r.aqueous_of("t")["pH"]
    bare = copy.copy(r)
    bare.aqueous = {}
    assert own == pytest.approx(liquor_pH(bare, ["t"], "phreeqc")[0], abs=1e-8)
    assert liquor_pH(bare, ["t"], "llnl")[0] == pytest.approx(7.5, abs=1e-6)
    assert own == pytest.approx(7.32, abs=0.01)
