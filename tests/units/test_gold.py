"""Gold models against closed forms and published figures: cyanide leach (CSTR train
of first-order-to-equilibrium kinetics), CIP/CIL adsorption (single stage, Kremser),
elution, and gold electrowinning (Faraday)."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.chem.elements import atomic_weight
from polyflow.errors import InputError
from polyflow.units import Feed, Product
from polyflow.units._gold_common import GOLD_EW, kremser_unadsorbed
from polyflow.units.cip import CarbonAdsorption
from polyflow.units.cyanide_leach import CyanideLeach
from polyflow.units.electrowinning import Electrowinning
from polyflow.units.elution import Elution

AU = atomic_weight("Au")          # 196.97 g/mol in the tables (IUPAC 2021, abridged)
F = 96485.33212
LEACH_SPECIES = ["H2O", "SiO2", "Au(s)", "NaCN", "O2(g)", "NaAu(CN)2", "NaOH", "NaOCN"]


def _mw(fs, sid):
    return float(fs.species.mw[fs.species.idx(sid)])


def leach(**kw):
    fs = Flowsheet(LEACH_SPECIES)
    fs.add(Feed("ore", flows={"SiO2": "100 t/h", "Au(s)": "0.5 kg/h", "H2O": "120 t/h",
                              "NaCN": "60 kg/h", "O2(g)": "50 kg/h"}))
    fs.add(CyanideLeach("leach", **kw))
    fs.add(Product("slurry"))
    fs.add(Product("gas"))
    fs.connect("f", "ore", "leach")
    fs.connect("d", "leach.discharge", "slurry")
    fs.connect("v", "leach.vent", "gas")
    return fs


@pytest.mark.parametrize("tanks", [1, 3, 8])
def test_leach_cstr_train_closed_form(tanks):
    """Marsden & House (2006) §6.6, dX/dt = k (X∞ − X); N CSTRs in series (Levenspiel
    ch. 6): X∞ − X_N = (X∞ − X0)/(1 + kτ)^N with τ = 24 h/N."""
    k, xinf = 0.15, 0.93
    r = leach(tanks=tanks, residence_time="24 h", k=f"{k} 1/h",
              extraction_limit="93 %").solve()
    x = xinf - xinf / (1 + k * 24 / tanks) ** tanks
    au_aq = r.flow_kg_h("d")["NaAu(CN)2(aq)"] / _mw(r.flowsheet, "NaAu(CN)2") * AU
    assert au_aq / 0.5 == pytest.approx(x, rel=1e-6)
    assert r.energy["leach"]["Au_extraction_%"] == pytest.approx(100 * x, rel=1e-12)
    assert r.flow_kg_h("d")["Au(s)"] == pytest.approx(0.5 * (1 - x), rel=1e-6)


def test_leach_continues_from_a_feed_extraction():
    """Two trains of 2 tanks, the second starting from the first's X, give the same
    extraction as one train of 4 tanks (the CSTR chain is multiplicative)."""
    one = CyanideLeach("a", tanks=4, residence_time="16 h", k="0.2 1/h",
                       extraction_limit="95 %").extraction()
    first = CyanideLeach("b", tanks=2, residence_time="8 h", k="0.2 1/h",
                         extraction_limit="95 %").extraction()
    second = CyanideLeach("c", tanks=2, residence_time="8 h", k="0.2 1/h",
                          extraction_limit="95 %", feed_extraction=first).extraction()
    assert second == pytest.approx(one, rel=1e-12)


def test_cyanide_consumption_and_elsner_stoichiometry():
    """Elsner: 2 NaCN and 1/4 O2 per Au dissolved; the stated loss 0.3 kg NaCN/t by
    NaCN + 1/2 O2 -> NaOCN on 100 t/h of solids is 30 kg/h."""
    r = leach(tanks=2, residence_time="10 h", k="0.3 1/h", extraction_limit="90 %",
              cyanide_consumption="0.3 kg/t").solve()
    fs = r.flowsheet
    x = 0.9 - 0.9 / (1 + 0.3 * 5) ** 2
    n_au = 0.5 * x / AU                                         # kmol/h dissolved
    nacn = 60 - r.flow_kg_h("d")["NaCN(aq)"]
    loss = 0.3 * 100.0005                                       # solids: SiO2 and Au(s)
    assert nacn == pytest.approx(loss + 2 * n_au * _mw(fs, "NaCN"), rel=1e-9)
    assert r.flow_kg_h("d")["NaOCN(aq)"] == pytest.approx(loss / _mw(fs, "NaCN")
                                                         * _mw(fs, "NaOCN"), rel=1e-9)
    assert r.flow_kg_h("d")["NaOH(aq)"] == pytest.approx(n_au * _mw(fs, "NaOH"), rel=1e-9)
    o2 = 50 - r.flow_kg_h("v")["O2(g)"]
    assert o2 == pytest.approx((0.5 * loss / _mw(fs, "NaCN") + 0.25 * n_au) * _mw(fs, "O2(g)"),
                               rel=1e-6)
    assert r.energy["leach"]["NaCN_consumed_kg/t"] == pytest.approx(nacn / 100.0005, rel=1e-9)


def test_leach_input_errors():
    with pytest.raises(InputError, match="residence_time"):
        CyanideLeach("l", k="0.1 1/h", extraction_limit="90 %")
    with pytest.raises(InputError, match="feed_extraction cannot exceed"):
        CyanideLeach("l", residence_time="8 h", k="0.1 1/h", extraction_limit="90 %",
                     feed_extraction="95 %")


# -- adsorption -------------------------------------------------------------------------
def adsorption(c0_mg_l=2.0, carbon_t_h=0.1, au_on_carbon_g_t=0.0, solids_t_h=0.0,
               au_solids_kg_h=0.0, **kw):
    fs = Flowsheet(["H2O", "SiO2", "Au(s)", "NaCN", "O2(g)", "NaAu(CN)2", "NaOH", "C(s)"])
    mw = _mw(fs, "NaAu(CN)2")
    au = 100 * c0_mg_l / AU * mw / 1000                        # 100 m3/h of solution
    pulp = {"H2O": 100000 - au, "NaAu(CN)2": au, "NaCN": 50.0, "O2(g)": 20.0}
    if solids_t_h:
        pulp |= {"SiO2": solids_t_h * 1000, "Au(s)": au_solids_kg_h}
    fs.add(Feed("pulp", flows_kg_h=pulp))
    fs.add(Feed("fresh", flows_kg_h={"C(s)": carbon_t_h * 1000,
                                     "NaAu(CN)2": au_on_carbon_g_t * carbon_t_h / AU * mw
                                     / 1000}))
    fs.add(CarbonAdsorption("cip", **kw))
    fs.add(Product("tails"))
    fs.add(Product("loaded"))
    fs.connect("p", "pulp", "cip.pulp")
    fs.connect("c", "fresh", "cip.carbon")
    fs.connect("t", "cip.tailings", "tails")
    fs.connect("l", "cip.loaded_carbon", "loaded")
    return fs


def test_single_stage_closed_form():
    """One CSTR stage: V (C0 − C) = M Q = W k (C − Q/K), so
    C = C0 V (1 + β)/(V (1 + β) + W k), β = W k/(M K) (Nicol, Fleming & Cromberge,
    J. SAIMM 84 (1984) rate law in a mixed tank)."""
    r = adsorption(stages=1, residence_time="1.5 h", carbon_concentration="12 g/L",
                   k=80, K=8000).solve()
    e = r.energy["cip"]
    cip = r.flowsheet.units["cip"]
    c_prof, q_prof, v_sol, m_carb = cip.profile(r.unit_solution("cip"))
    w_inv = e["carbon_inventory_per_tank_t"]
    assert w_inv == pytest.approx(0.012 * 1.5 * v_sol, rel=1e-3)     # c τ Q_pulp, no solids
    c0 = r.flow_kg_h("p")["NaAu(CN)2(aq)"] / _mw(r.flowsheet, "NaAu(CN)2") * AU * 1000 / v_sol
    beta = w_inv * 80 / (m_carb * 8000)
    C = c0 * v_sol * (1 + beta) / (v_sol * (1 + beta) + w_inv * 80)
    assert e["C_stage1_mg/L"] == pytest.approx(C, rel=1e-9)
    assert e["loaded_carbon_Au_g/t"] == pytest.approx(v_sol * (c0 - C) / m_carb, rel=1e-9)
    assert v_sol * (c0 - c_prof[0]) == pytest.approx(m_carb * q_prof[0], rel=1e-9)
    assert m_carb * q_prof[0] == pytest.approx(w_inv * 80 * (c_prof[0] - q_prof[0] / 8000),
                                               rel=1e-9)


@pytest.mark.parametrize(("stages", "carbon_t_h"), [(6, 0.03), (4, 0.1), (2, 0.0125)])
def test_equilibrium_stages_are_the_kremser_cascade(stages, carbon_t_h):
    """k → ∞: Q_j = K C_j in every stage, and the counter-current train with gold-free
    carbon leaves (A − 1)/(A^(N+1) − 1) of the gold in solution, A = K M/V (Kremser;
    Treybal, Mass-Transfer Operations, 3rd ed. (1980), eq. 5.50)."""
    K = 8000.0
    r = adsorption(carbon_t_h=carbon_t_h, stages=stages, residence_time="6 h",
                   carbon_concentration="15 g/L", k=1e9, K=K).solve()
    cip = r.flowsheet.units["cip"]
    C, Q, V, M = cip.profile(r.unit_solution("cip"))
    A = K * M / V
    left = r.flow_kg_h("t")["NaAu(CN)2(aq)"] / r.flow_kg_h("p")["NaAu(CN)2(aq)"]
    assert left == pytest.approx(kremser_unadsorbed(A, stages), rel=1e-5)
    assert pytest.approx(K * C, rel=1e-5) == Q
    if stages == 2:
        assert pytest.approx(1.0, rel=1e-3) == A     # the A = 1 limit, 1/(N + 1)


def test_cil_leaches_while_adsorbing():
    """CIL: the gold leached over the train is the CSTR-chain extraction, and every
    dissolved gram ends in the barren solution or on the carbon."""
    r = adsorption(stages=6, residence_time="18 h", carbon_concentration="15 g/L",
                   k=150, K=15000, solids_t_h=80.0, au_solids_kg_h=0.24,
                   leach_k="0.2 1/h", extraction_limit="94 %", feed_extraction="60 %",
                   temperature="25 degC").solve()
    x = 0.94 - (0.94 - 0.60) / 1.6 ** 6
    frac = (x - 0.6) / 0.4
    assert r.flow_kg_h("t")["Au(s)"] == pytest.approx(0.24 * (1 - frac), rel=1e-9)
    assert r.energy["cip"]["Au_extraction_%"] == pytest.approx(100 * x, rel=1e-12)
    mw = _mw(r.flowsheet, "NaAu(CN)2")
    au_aq = (r.flow_kg_h("t")["NaAu(CN)2(aq)"] + r.flow_kg_h("l")["NaAu(CN)2(aq)"]) / mw * AU
    assert au_aq == pytest.approx(0.2 + 0.24 * frac, rel=1e-9)
    assert r.energy["cip"]["adsorption_%"] > 99.0
    Q = [r.energy["cip"][f"Q_stage{j}_g/t"] for j in range(1, 7)]
    assert sorted(Q, reverse=True) == Q      # carbon loads as it moves to stage 1


def test_cil_needs_both_leach_parameters():
    with pytest.raises(InputError, match="CIL needs both"):
        CarbonAdsorption("c", residence_time="6 h", carbon_concentration="15 g/L", k=100,
                         K=10000, leach_k="0.1 1/h")
    with pytest.raises(InputError, match="k must be a number"):
        CarbonAdsorption("c", residence_time="6 h", carbon_concentration="15 g/L",
                         k="fast", K=10000)


def test_elution_strips_the_stated_fraction():
    """Marsden & House (2006) §7.7: AARL strips 95-99 %; 2 t/h at 3000 g/t and 97 %
    leave 90 g/t on the barren carbon and 5.82 kg/h of gold in the eluate."""
    fs = Flowsheet(["H2O", "NaOH", "NaCN", "NaAu(CN)2", "C(s)"])
    mw = _mw(fs, "NaAu(CN)2")
    fs.add(Feed("carbon", flows_kg_h={"C(s)": 2000, "NaAu(CN)2": 6.0 / AU * mw}))
    fs.add(Feed("eluant", flows={"H2O": "25 t/h", "NaOH": "0.25 t/h"}))
    fs.add(Elution("el", strip_efficiency="97 %", temperature="120 degC"))
    fs.add(Product("eluate"))
    fs.add(Product("barren"))
    fs.connect("c", "carbon", "el.loaded_carbon")
    fs.connect("e", "eluant", "el.eluant")
    fs.connect("o", "el.eluate", "eluate")
    fs.connect("b", "el.barren_carbon", "barren")
    r = fs.solve()
    e = r.energy["el"]
    assert e["barren_carbon_Au_g/t"] == pytest.approx(90.0, rel=1e-9)
    assert e["eluate_Au_kg/h"] == pytest.approx(5.82, rel=1e-9)
    assert e["duty_kW"] > 0                                 # the column is heated
    assert r.flow_kg_h("b")["C(s)"] == pytest.approx(2000.0, rel=1e-12)


def test_gold_electrowinning_faraday():
    """Faraday for gold, z = 1: 1 A h at 100 % current efficiency deposits
    M/F = 196.97 × 3600/96485.33 = 7.349 g of gold."""
    assert pytest.approx(7.349, abs=5e-4) == AU * 3600 / F
    fs = Flowsheet(["H2O", "NaOH", "NaCN", "NaAu(CN)2", "Au(s)", "O2(g)"])
    fs.add(Feed("eluate", flows={"H2O": "10 t/h", "NaOH": "0.1 t/h", "NaAu(CN)2": "20 kg/h"}))
    fs.add(Electrowinning("ew", metal="Au(s)", electrons=1, reaction=GOLD_EW,
                          current="1 kA", current_efficiency="100 %", cell_voltage="3 V"))
    for p in ("gold", "spent", "gas"):
        fs.add(Product(p))
    fs.connect("e", "eluate", "ew")
    fs.connect("g", "ew.cathode", "gold")
    fs.connect("s", "ew.spent_electrolyte", "spent")
    fs.connect("o", "ew.anode_gas", "gas")
    r = fs.solve()
    assert r.flow_kg_h("g")["Au(s)"] == pytest.approx(7.349, abs=5e-4)     # kg per kA h
    assert r.flow_kg_h("g")["Au(s)"] == pytest.approx(AU * 3600 / F, rel=1e-9)
    # cyanide released at the cathode: 2 NaCN per Au
    n = 1000 * 3600 / F / 1000
    assert r.flow_kg_h("s")["NaCN(aq)"] == pytest.approx(2 * n * _mw(fs, "NaCN"), rel=1e-9)


def test_missing_species_are_named():
    with pytest.raises(InputError, match=r"carbon_species.*CaO\(s\).*species list"):
        adsorption(stages=2, residence_time="4 h", carbon_concentration="15 g/L", k=100,
                   K=10000, carbon_species="CaO").solve()
