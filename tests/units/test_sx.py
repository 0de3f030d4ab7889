"""Solvent extraction: sx_stage and sx_circuit against closed forms and hand constructions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.errors import InputError
from polyflow.units import Feed, Product
from polyflow.units.sx_circuit import SXCircuit
from polyflow.units.sx_stage import SXStage

RX = "CuSO4 + 2 LIX984N -> CuR2 + H2SO4"
SPECIES = ["H2O", "CuSO4", "H2SO4", "FeSO4", "LIX984N", "CuR2", "kerosene"]
CU = 63.546            # g/mol, IUPAC
H2SO4 = 98.072         # g/mol from the formula (IUPAC 2021 atomic weights)


def kremser_unextracted(eps: float, n: int) -> float:
    """Fraction of the solute left in the raffinate by n counter-current equilibrium
    stages fed with solute-free solvent (Kremser): (ε − 1)/(ε^(n+1) − 1)."""
    return (eps - 1.0) / (eps ** (n + 1) - 1.0)


def closure_ok(r) -> None:
    assert r.converged
    assert max(abs(v) for v in r.closure.values()) < 1e-9


def flow(r, stream, sid):
    return float(r.flows_kmol_h[r.stream_index(stream), r.species.idx(sid)])


def cascade(n, D, organic_m3_h, efficiency=1.0, cu_kmol_h=0.05):
    """n sx_stage units in counter-current: PLS (1 m3/h of water) into stage 1, barren
    organic (kerosene and LIX984N at 800 kg/m3) into stage n."""
    fs = Flowsheet(SPECIES)
    fs.add(Feed("pls", flows={"H2O": "1000 kg/h", "CuSO4": f"{cu_kmol_h} kmol/h"}))
    fs.add(Feed("barren", flows={"kerosene": f"{720 * organic_m3_h} kg/h",
                                 "LIX984N": f"{80 * organic_m3_h} kg/h"}))
    for k in range(n):
        fs.add(SXStage(f"e{k}", reaction=RX, D=D, efficiency=efficiency,
                       volume_basis="solvent"))
    fs.add(Product("raffinate"))
    fs.add(Product("loaded"))
    fs.connect("feed", "pls", "e0.aqueous")
    fs.connect("org_in", "barren", f"e{n - 1}.organic")
    for k in range(n - 1):
        fs.connect(f"aq{k}", f"e{k}.aqueous", f"e{k + 1}.aqueous")
        fs.connect(f"org{k}", f"e{k + 1}.organic", f"e{k}.organic")
    fs.connect("raff", f"e{n - 1}.aqueous", "raffinate")
    fs.connect("lo", "e0.organic", "loaded")
    return fs


# -- sx_stage --------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "D", "oa"), [(1, 2.0, 1.0), (2, 1.5, 1.0), (3, 2.0, 0.8),
                                      (4, 0.7, 1.25)])
def test_stage_cascade_matches_kremser(n, D, oa):
    """Kremser equation for counter-current equilibrium stages with a constant
    distribution coefficient and solute-free solvent: fraction unextracted
    (ε − 1)/(ε^(N+1) − 1), ε = D·O/A (Treybal, Liquid Extraction, 2nd ed. (1963),
    ch. 6; Seader, Henley & Roper, Separation Process Principles, 3rd ed. (2011),
    eq. 5-54). The volumes are those of water and organic, constant through the stages,
    as Kremser assumes; ε = 1 is avoided (the limit N/(N+1))."""
    r = cascade(n, D, oa).solve()
    closure_ok(r)
    eps = D * oa
    assert flow(r, "raff", "CuSO4") / 0.05 == pytest.approx(kremser_unextracted(eps, n),
                                                            rel=1e-9)


def test_stage_murphree_limits():
    """Murphree efficiency on the organic phase, y_out − y_in = E_M (y* − y_in), y* = D
    x_out (Treybal 1963, ch. 6; Seader et al. 2011, §6.5): one stage with barren
    organic transfers the fraction E_M ε / (1 + E_M ε) of the metal. E_M = 1 is the
    equilibrium stage ε/(1 + ε); E_M → 0 transfers nothing."""
    eps = 2.0 * 1.0
    for E in (1.0, 0.9, 0.5, 1e-6):
        r = cascade(1, 2.0, 1.0, efficiency=E).solve()
        closure_ok(r)
        extracted = flow(r, "lo", "CuR2") / 0.05
        assert extracted == pytest.approx(E * eps / (1 + E * eps), rel=1e-9)
    assert extracted < 3e-6


def hydroxyoxime_stage(aq: dict, org: dict, **kw):
    fs = Flowsheet(SPECIES)
    fs.add(Feed("aq", flows=aq))
    fs.add(Feed("org", flows=org))
    fs.add(SXStage("st", reaction=RX, isotherm="hydroxyoxime", K_ex=3.9, **kw))
    fs.add(Product("aq_out"))
    fs.add(Product("org_out"))
    fs.connect("a", "aq", "st.aqueous")
    fs.connect("o", "org", "st.organic")
    fs.connect("a_out", "st.aqueous", "aq_out")
    fs.connect("o_out", "st.organic", "org_out")
    return fs.solve()


def oxime_equilibrium(K, x, H, R):
    """Organic CuR2 [mol/L] in equilibrium with Cu2+ x and H+ H [mol/L] for total oxime R:
    the smaller root of y H² = K x (R − 2y)² (Cu2+ + 2 HR = CuR2 + 2 H+), solved here
    independently of the model."""
    a, b, c = 4 * K * x, -(4 * K * x * R + H * H), K * x * R * R
    if a == 0:
        return 0.0
    return (-b - math.sqrt(b * b - 4 * a * c)) / (2 * a)


def test_stage_hydroxyoxime_ph_solved_with_acid_released():
    """Extraction Cu2+ + 2 HR = CuR2 + 2 H+ releases one H2SO4 per Cu (Schlesinger et al.,
    Extractive Metallurgy of Copper, 5th ed. (2011), ch. 15): the outlet acid is the feed
    acid plus the copper extracted, the pH −log10(2[H2SO4]) (fully dissociated), and the
    outlet satisfies K_ex = [CuR2][H+]²/([Cu2+][HR]²) at that pH."""
    cu0, acid0, hr = 3.0 / CU, 5.0 / H2SO4, 0.17   # kmol/h in 1 m3/h of each phase
    r = hydroxyoxime_stage({"H2O": "1000 kg/h", "CuSO4": f"{cu0} kmol/h",
                            "H2SO4": f"{acid0} kmol/h"},
                           {"kerosene": "755.2 kg/h", "LIX984N": f"{hr} kmol/h"})
    closure_ok(r)
    cuR2 = flow(r, "o_out", "CuR2")
    cu = flow(r, "a_out", "CuSO4")
    acid = flow(r, "a_out", "H2SO4")
    # default volume basis: phase mass over 1000 and 800 kg/m3
    Va = sum(r.flow_kg_h("a_out").values()) / 1000.0
    Vo = sum(r.flow_kg_h("o_out").values()) / 800.0
    assert cu + cuR2 == pytest.approx(cu0, rel=1e-12)
    assert acid - acid0 == pytest.approx(cuR2, rel=1e-10)
    H = 2 * acid / Va
    assert r.energy["st"]["aqueous_pH"] == pytest.approx(-math.log10(H), rel=1e-12)
    assert cuR2 / Vo == pytest.approx(oxime_equilibrium(3.9, cu / Va, H, hr / Vo),
                                      rel=1e-9)
    assert 0.5 < cuR2 / cu0 < 0.8


def test_stage_hydroxyoxime_strips_with_acid():
    """Stripping is the same equilibrium driven back by strong acid (spent electrolyte
    35 g/L Cu, 180 g/L H2SO4; Schlesinger et al. 2011, ch. 15): acid is consumed one
    mole per mole of copper stripped."""
    cu0, acid0, hr0, cur0 = 35 / CU, 180 / H2SO4, 0.17 - 2 * 4.5 / CU, 4.5 / CU
    r = hydroxyoxime_stage({"H2O": "1000 kg/h", "CuSO4": f"{cu0} kmol/h",
                            "H2SO4": f"{acid0} kmol/h"},
                           {"kerosene": "755 kg/h", "LIX984N": f"{hr0} kmol/h",
                            "CuR2": f"{cur0} kmol/h"})
    closure_ok(r)
    stripped = cur0 - flow(r, "o_out", "CuR2")
    assert stripped > 0.9 * cur0
    assert acid0 - flow(r, "a_out", "H2SO4") == pytest.approx(stripped, rel=1e-10)


def test_stage_entrainment_and_ph_isotherm():
    """log D = m·pH + b (the pH isotherm of other metals; Ritcey & Ashbrook, Solvent
    Extraction, Part I (1984), ch. 2): D at the solution equals 10^(m pH + b) with the
    outlet pH. Entrainment: the organic outlet carries the fraction e_a of the settled
    aqueous phase, the aqueous outlet the fraction e_o of the organic."""
    ea, eo = 0.01, 0.002
    fs = Flowsheet(SPECIES)
    fs.add(Feed("aq", flows={"H2O": "1000 kg/h", "CuSO4": f"{3 / CU} kmol/h",
                             "H2SO4": "5 kg/h", "FeSO4": "0.02 kmol/h"}))
    fs.add(Feed("org", flows={"kerosene": "720 kg/h", "LIX984N": "80 kg/h"}))
    fs.add(SXStage("st", reaction=RX, isotherm="ph", slope=2, intercept=-1.5,
                   aqueous_entrainment=ea, organic_entrainment=eo, efficiency=1,
                   volume_basis="solvent"))
    for p in ("aq_out", "org_out"):
        fs.add(Product(p))
    fs.connect("a", "aq", "st.aqueous")
    fs.connect("o", "org", "st.organic")
    fs.connect("a_out", "st.aqueous", "aq_out")
    fs.connect("o_out", "st.organic", "org_out")
    r = fs.solve()
    closure_ok(r)
    # water and FeSO4 are not extracted: the organic outlet carries e_a of them
    assert flow(r, "o_out", "H2O") / 55.508 == pytest.approx(ea, rel=1e-4)
    assert flow(r, "o_out", "FeSO4") == pytest.approx(ea * 0.02, rel=1e-12)
    mw_kerosene = r.species.mw[r.species.idx("kerosene")]
    assert flow(r, "a_out", "kerosene") == pytest.approx(eo * 720 / mw_kerosene, rel=1e-9)
    # settled phases: aqueous A = out/(1 − e_a) minus the entrained organic's none
    cu_org = flow(r, "o_out", "CuR2") / (1 - eo)
    cu_aq = flow(r, "a_out", "CuSO4") / (1 - ea)
    acid = flow(r, "a_out", "H2SO4") / (1 - ea)
    Va, Vo = 1000.0 / 1000.0, (720 + 80) / 800.0
    pH = -math.log10(2 * acid / Va)
    D = (cu_org / Vo) / (cu_aq / Va)
    assert math.log10(D) == pytest.approx(2 * pH - 1.5, abs=1e-9)
    assert r.energy["st"]["aqueous_pH"] == pytest.approx(pH, rel=1e-9)


# -- sx_circuit ------------------------------------------------------------------------
def circuit(E=2, W=0, S=1, pls_m3_h=500.0, cu_g_L=3.0, acid_g_L=5.0, fe_g_L=0.0,
            strip_m3_h=100.0, **kw):
    fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "FeSO4"])
    water = pls_m3_h * 1000.0
    fs.add(Feed("leach", flows={"H2O": f"{water} kg/h",
                                "CuSO4": f"{cu_g_L * pls_m3_h / CU} kmol/h",
                                "H2SO4": f"{acid_g_L * pls_m3_h / H2SO4} kmol/h",
                                "FeSO4": f"{fe_g_L * pls_m3_h / 55.845} kmol/h"}))
    fs.add(Feed("spent", flows={"H2O": f"{strip_m3_h * 1000} kg/h",
                                "CuSO4": f"{35 * strip_m3_h / CU} kmol/h",
                                "H2SO4": f"{180 * strip_m3_h / H2SO4} kmol/h"},
                temperature="40 degC"))
    kw.setdefault("isotherm", "hydroxyoxime")
    if kw["isotherm"] == "hydroxyoxime":
        kw.setdefault("K_ex", 3.9)
    kw.setdefault("oa_ratio", 1.0)
    kw = {k: v for k, v in kw.items() if v is not None}
    fs.add(SXCircuit("sx", reaction=RX, extraction_stages=E, scrub_stages=W,
                     strip_stages=S, **kw))
    fs.add(Product("raffinate"))
    fs.add(Product("electrolyte"))
    fs.connect("pls", "leach", "sx.pls")
    fs.connect("sl", "spent", "sx.strip_liquor")
    if W:
        fs.add(Feed("wash", flows={"H2O": f"{0.02 * water} kg/h",
                                   "H2SO4": f"{0.02 * pls_m3_h * 10 / H2SO4} kmol/h"}))
        fs.connect("scrub", "wash", "sx.scrub_liquor")
    fs.connect("raff", "sx.raffinate", "raffinate")
    fs.connect("le", "sx.loaded_electrolyte", "electrolyte")
    return fs


@pytest.mark.parametrize(("E", "D", "oa"), [(1, 3.0, 1.0), (2, 4.0, 1.0), (3, 2.0, 0.8)])
def test_circuit_extraction_matches_kremser(E, D, oa):
    """Kremser (Seader, Henley & Roper 2011, eq. 5-54): with a complete strip
    (strip_D = 0, E_M = 1) the organic returns barren, so the extraction section is
    Kremser's cascade with ε = D·O/A and the copper left in the raffinate is the
    fraction (ε − 1)/(ε^(E+1) − 1)."""
    fs = circuit(E=E, isotherm="constant", D=D, strip_D=0.0, oa_ratio=oa,
                 volume_basis="solvent")
    r = fs.solve()
    closure_ok(r)
    cu_pls = 3.0 * 500 / CU
    assert flow(r, "raff", "CuSO4") / cu_pls == pytest.approx(
        kremser_unextracted(D * oa, E), rel=1e-9)


def test_circuit_copper_mccabe_thiele():
    """McCabe–Thiele construction for copper SX (Kafumbila, Design of Copper Solvent
    Extraction Configurations (2016), ch. 3; Schlesinger et al. 2011, ch. 15), written
    here independently of the model: from the raffinate, step E stages between the
    isotherm y* = f(x, [H+]) of Cu2+ + 2 HR = CuR2 + 2 H+ (K_ex = 3.9, [H+] = 2 [H2SO4])
    and the operating line Va Δx = Vo Δy (constant water and organic volumes), with the
    acid rising one mole per mole of copper extracted: the steps must land on the PLS.
    The strip stage must hold the stripped organic in equilibrium with the loaded
    electrolyte, and the copper extracted must equal the copper stripped."""
    r = circuit(E=2, S=1, volume_basis="solvent").solve()
    closure_ok(r)
    sx = r.flowsheet.unit("sx")
    prof = {p["stage"]: p for p in sx.stage_profile(r.unit_solution("sx"))}
    Va, Vo, Vs = 500.0, 500.0, 100.0
    R = 2 * 20 * 0.5 / CU                       # mol/L oxime: 20 % v/v × 0.5 g/L per %
    x_R = flow(r, "raff", "CuSO4") / Va
    a_R = flow(r, "raff", "H2SO4") / Va
    x_F, a_F = 3.0 / CU, 5.0 / H2SO4
    x_LE = flow(r, "le", "CuSO4") / Vs
    a_LE = flow(r, "le", "H2SO4") / Vs
    # stripped organic: equilibrium with the loaded electrolyte in the single strip stage
    y_S = oxime_equilibrium(3.9, x_LE, 2 * a_LE, R)
    # step from the raffinate end (stage E2) to the feed end (stage E1)
    x, a, y_in = x_R, a_R, y_S
    ys = []
    for _ in range(2):
        y = oxime_equilibrium(3.9, x, 2 * a, R)
        ys.append(y)
        x_up = x + Vo / Va * (y - y_in)         # operating line over the stage
        a = a - (x_up - x)                      # less acid upstream: not yet released
        x, y_in = x_up, y
    assert x == pytest.approx(x_F, rel=1e-8)
    assert a == pytest.approx(a_F, rel=1e-8)
    # copper extracted = copper stripped (the organic loop is closed)
    y_L = ys[-1]
    assert Vo * (y_L - y_S) == pytest.approx(Va * (x_F - x_R), rel=1e-9)
    assert Vs * x_LE - 35 / CU * Vs == pytest.approx(Va * (x_F - x_R), rel=1e-9)
    rep = r.energy["sx"]
    assert rep["loaded_organic_g/L"] == pytest.approx(y_L * CU, rel=1e-8)
    assert rep["stripped_organic_g/L"] == pytest.approx(y_S * CU, rel=1e-8)
    assert rep["raffinate_pH"] == pytest.approx(-math.log10(2 * a_R), rel=1e-10)
    assert 80 < rep["extraction_%"] < 100
    # stage profile: loaded organic leaves E1, the organic entering E2 is the stripped one
    assert prof["E1"]["organic_metal_g_L"] == pytest.approx(y_L * CU, rel=1e-8)
    assert prof["E2"]["organic_metal_g_L"] == pytest.approx(ys[0] * CU, rel=1e-8)
    assert prof["S1"]["organic_metal_g_L"] == pytest.approx(y_S * CU, rel=1e-8)


def test_circuit_acid_balance_and_temperatures():
    """Acid is released in extraction and consumed in stripping, one H2SO4 per Cu
    (Schlesinger et al. 2011, ch. 15): raffinate acid − PLS acid = Cu extracted, strip
    acid − electrolyte acid = Cu stripped. The raffinate leaves at the PLS temperature
    and the circuit is adiabatic (zero duty), which sets the electrolyte's temperature."""
    r = circuit(E=2, S=2, efficiency=0.9).solve()
    closure_ok(r)
    dCu = flow(r, "pls", "CuSO4") - flow(r, "raff", "CuSO4")
    assert flow(r, "raff", "H2SO4") - flow(r, "pls", "H2SO4") == pytest.approx(dCu, rel=1e-9)
    assert flow(r, "sl", "H2SO4") - flow(r, "le", "H2SO4") == pytest.approx(dCu, rel=1e-9)
    assert r.temperature_C("raff") == pytest.approx(25.0, abs=1e-9)
    assert abs(r.energy["sx"]["duty_kW"]) < 1e-6
    # the electrolyte stays near its 40 °C: the transferred solutes carry little heat
    assert r.temperature_C("le") == pytest.approx(40.0, abs=0.1)


def test_circuit_concentrations_agree_with_the_stream_table():
    """With the default volume basis (phase mass over 1000 kg/m3) the circuit's g/L are
    the stream table's: the same volumes as the feeds given in m3/h."""
    r = circuit(E=2, S=1).solve()
    rep = r.energy["sx"]
    assert rep["raffinate_metal_g/L"] == pytest.approx(r.solution_g_L("raff")["Cu"],
                                                       rel=1e-12)
    assert rep["loaded_electrolyte_g/L"] == pytest.approx(r.solution_g_L("le")["Cu"],
                                                          rel=1e-12)
    assert rep["pls_metal_g/L"] == pytest.approx(r.solution_g_L("pls")["Cu"], rel=1e-12)
    assert rep["organic_flow_m3/h"] == pytest.approx(r.solution_volume_m3_h("pls"),
                                                     rel=1e-12)


def test_circuit_efficiency_lowers_extraction():
    """Murphree efficiency below 1 (Seader et al. 2011, §6.5): fewer ideal stages, less
    copper extracted; E_M → 0 extracts nothing."""
    ext = {}
    for E in (1.0, 0.9, 0.7, 1e-6):
        r = circuit(efficiency=E).solve()
        closure_ok(r)
        ext[E] = r.energy["sx"]["extraction_%"]
    assert ext[1.0] > ext[0.9] > ext[0.7] > 0
    assert ext[1e-6] < 1e-3


def test_circuit_scrub_reduces_iron_transfer_by_entrainment():
    """Aqueous entrained in the loaded organic carries PLS iron to the electrolyte; a scrub
    stage washes it out (Schlesinger et al. 2011, ch. 15, wash stages). Iron is not
    extracted, so all of it leaves in the two outlets and the electrolyte's share falls
    with the scrub."""
    fe = {}
    for W in (0, 1):
        r = circuit(E=2, W=W, S=1, fe_g_L=2.0, aqueous_entrainment=0.003).solve()
        closure_ok(r)
        fe_in = flow(r, "pls", "FeSO4")
        fe[W] = flow(r, "le", "FeSO4") / fe_in
        assert flow(r, "raff", "FeSO4") + flow(r, "le", "FeSO4") == pytest.approx(
            fe_in, rel=1e-10)
    assert 0 < fe[1] < 0.1 * fe[0]


def test_circuit_ten_stages_converges():
    """A large circuit (6 E + 2 W + 2 S) with the copper isotherm solves, closes every
    element, and extracts at least as much as 2 E + 1 S."""
    big = circuit(E=6, W=2, S=2, aqueous_entrainment=0.001).solve()
    closure_ok(big)
    small = circuit(E=2, S=1).solve()
    assert big.energy["sx"]["extraction_%"] > small.energy["sx"]["extraction_%"]
    assert big.iterations < 30


# -- error paths -----------------------------------------------------------------------
def test_errors_name_the_problem():
    with pytest.raises(InputError, match="unknown species 'CuSOO4'"):
        circuit(metal="CuSOO4")
    with pytest.raises(InputError, match="does not balance"):
        SXStage("s", reaction="CuSO4 + LIX984N -> CuR2 + H2SO4", D=2).bind(
            Flowsheet(SPECIES).species)
    with pytest.raises(InputError, match=r"oa_ratio must be > 0"):
        circuit(oa_ratio=0)
    with pytest.raises(InputError, match=r"oa_ratio must be > 0"):
        circuit(oa_ratio=-1.2)
    for E in (0.0, 1.5, -0.1):
        with pytest.raises(InputError, match=r"efficiency must be in \(0, 1\]"):
            SXStage("s", reaction=RX, D=2, efficiency=E)
    with pytest.raises(InputError, match="isotherm 'hydroxyoxime' needs 'K_ex'"):
        SXStage("s", reaction=RX, isotherm="hydroxyoxime")
    with pytest.raises(InputError, match=r"field 'isotherm': must be one of 'constant', "
                                         r"'hydroxyoxime', 'ph' \(got 'langmuir'\)"):
        SXStage("s", reaction=RX, isotherm="langmuir")
    with pytest.raises(InputError, match="give the organic flow as either"):
        circuit(oa_ratio=None)
    fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "LIX984N"])
    with pytest.raises(InputError, match=r"Cu\(C16H24NO2\)2\(org\)' is not in this flow"):
        fs.add(SXStage("s", reaction=RX, D=2))


def test_unknown_species_in_stage_reaction():
    fs = Flowsheet(SPECIES)
    with pytest.raises(InputError, match="unknown species 'LIX985N'"):
        fs.add(SXStage("s", reaction="CuSO4 + 2 LIX985N -> CuR2 + H2SO4", D=2))


def test_flows_are_finite_arrays():
    r = cascade(2, 2.0, 1.0).solve()
    assert np.all(np.isfinite(r.flows_kmol_h))


def test_circuit_in_an_electrolyte_loop_converges_from_zero():
    """The SX-EW loop closed through a tankhouse whose current fixes the copper plated
    (Faraday; Schlesinger et al. 2011, ch. 17): the electrolyte's copper is then whatever
    the strip equilibrium needs to transfer that copper. From the all-zero start the
    hydroxyoxime circuit must converge (the start-up split loads the extraction organic
    and strips it, and Newton keeps every stage's aqueous and complex ≥ 0). Checks: the
    cathode is the Faraday figure, the raffinate copper is what the PLS brings less the
    cathode and the bleed, and the stripped organic is in equilibrium (K_ex = 3.9) with
    the loaded electrolyte."""
    from polyflow.units.electrowinning import Electrowinning
    from polyflow.units.mixer import Mixer
    from polyflow.units.splitter import Splitter

    fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "Cu(s)", "O2(g)"])
    fs.add(Feed("leach", flows={"H2O": "500000 kg/h", "CuSO4": f"{3.0 * 500 / CU} kmol/h",
                                "H2SO4": f"{5.0 * 500 / H2SO4} kmol/h"}))
    fs.add(Feed("makeup", flows={"H2O": "2000 kg/h", "H2SO4": "400 kg/h"}))
    fs.add(SXCircuit("sx", reaction=RX, isotherm="hydroxyoxime", K_ex=3.9, oa_ratio=1.0,
                     volume_basis="solvent"))
    fs.add(Electrowinning("ew", current="1000 kA", current_efficiency="100 %",
                          cell_voltage="2.0 V", temperature="45 degC"))
    fs.add(Splitter("split", fractions={"bleed": "2 %", "recycle": "rest"}))
    fs.add(Mixer("strip_feed"))
    for p in ("raffinate", "cathode", "oxygen", "bleed"):
        fs.add(Product(p))
    fs.connect("pls", "leach", "sx.pls")
    fs.connect("raff", "sx.raffinate", "raffinate")
    fs.connect("le", "sx.loaded_electrolyte", "ew")
    fs.connect("cu", "ew.cathode", "cathode")
    fs.connect("o2", "ew.anode_gas", "oxygen")
    fs.connect("spent", "ew.spent_electrolyte", "split")
    fs.connect("b", "split.bleed", "bleed")
    fs.connect("rec", "split.recycle", "strip_feed")
    fs.connect("mk", "makeup", "strip_feed")
    fs.connect("sl", "strip_feed", "sx.strip_liquor")
    r = fs.solve()
    closure_ok(r)
    assert r.iterations < 20
    plated = 1e6 * 3600 / (2 * 96485.33212) / 1000         # kmol/h at 1000 kA, 100 %
    assert flow(r, "cu", "Cu(s)") == pytest.approx(plated, rel=1e-9)
    assert flow(r, "raff", "CuSO4") == pytest.approx(
        3.0 * 500 / CU - plated - flow(r, "b", "CuSO4"), rel=1e-9)
    Vs = flow(r, "le", "H2O") * 18.015 / 1000                # m3/h, solvent basis
    x_LE = flow(r, "le", "CuSO4") / Vs
    a_LE = flow(r, "le", "H2SO4") / Vs
    R = 2 * 20 * 0.5 / CU
    y_S = oxime_equilibrium(3.9, x_LE, 2 * a_LE, R)
    assert r.energy["sx"]["stripped_organic_g/L"] == pytest.approx(y_S * CU, rel=1e-6)
    # every settled aqueous phase and complex stays physical
    sx = r.flowsheet.unit("sx")
    assert np.all(r.x[sx.z] >= 0.0)


def _isotherm_blocks_match_differences(fs) -> int:
    """Each isotherm block's analytic Jacobian against central differences, at the
    solution and at a displaced point (the derivatives that Newton's speed rests on)."""
    from polyflow.solve.assemble import assemble

    r = fs.solve()
    system = assemble(fs).system
    rng = np.random.default_rng(3)
    n = 0
    for block in system.builder.blocks:
        for scale in (0.0, 0.05):
            x = r.x[block.cols] * (1.0 + scale * rng.uniform(-1, 1, len(block.cols)))
            J = block.jacobian(x)
            fd = np.empty_like(J)
            for j in range(len(x)):
                h = 1e-6 * max(abs(x[j]), 1e-3 * np.abs(x).max())
                xp, xm = x.copy(), x.copy()
                xp[j] += h
                xm[j] -= h
                fd[:, j] = (block.func(xp)[0] - block.func(xm)[0]) / (2 * h)
            assert pytest.approx(fd, rel=1e-5, abs=1e-7 * np.abs(fd).max()) == J
        n += 1
    return n


@pytest.mark.parametrize("kw", [
    {"isotherm": "constant", "D": 3.0, "strip_D": 0.05},
    {"isotherm": "ph", "slope": 2.0, "intercept": 1.2},
    {"isotherm": "hydroxyoxime"},
    {"isotherm": "hydroxyoxime", "oa_ratio": None, "organic_flow": "450 m3/h"},
])
def test_circuit_isotherm_jacobians_are_analytic_and_right(kw):
    assert _isotherm_blocks_match_differences(circuit(E=2, W=1, S=2, **kw)) == 5


def test_stage_isotherm_jacobians_are_analytic_and_right():
    fs = cascade(3, 2.0, 1.0)
    assert _isotherm_blocks_match_differences(fs) == 3
