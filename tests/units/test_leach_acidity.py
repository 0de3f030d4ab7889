"""The acidity an acid-leach rate law sees (issue #12 item 4, #14 item 2): the titratable
free acid or the H+ activity of each tank's own liquor, solved in the one Newton system.

The rate law of the shipped copper leach (cuprite in H2SO4, order 0.8093 and Ea 45.28
kJ/mol: Bai, Fu, Li & Wen, Physicochem. Probl. Miner. Process. 54 (2018) 300) was fitted
on the H2SO4 concentration of the leach solution (g/dm3 of pure acid, solid/liquid 1:15,
so the acid at the start of each test): the titratable free acid of a plant lab."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize
from tests.small_plants import flowsheet_file, leach_train

import polyflow
from polyflow import Flowsheet
from polyflow.chem.activity import density_water
from polyflow.errors import InputError, PolyflowError
from polyflow.units import Feed, Product
from polyflow.units.leach_tanks import LeachTanks, shrinking_core_cstr_series

RX = "CuO + H2SO4 -> CuSO4 + H2O"
ORDER, EA = 0.81, 45.28
M_H2O = 18.015          # the species table's molar mass of water [g/mol] (feeds in t/h)
M_WATER = 18.01528      # kg of water per kmol in the speciation (IUPAC 2013)
M_ACID = 98.072         # of H2SO4 in the species table
FA_PER_MOL = 98.078 / 2  # g of free acid (as H2SO4) per mol of titratable H+


def ore(acid=12.0, cuso4=5.0, water_t_h=100.0):
    """10 kmol/h of CuO in 10 t/h of quartz, with the acid [kmol/h], copper sulphate
    [kmol/h] (the sulphate a raffinate brings) and water [t/h]."""
    return {"CuO": "10 kmol/h", "SiO2": "10 t/h", "H2SO4": f"{acid} kmol/h",
            "H2O": f"{water_t_h} t/h", "CuSO4": f"{cuso4} kmol/h"}


def leach(acidity, acid=12.0, tanks=1, temperature="30 degC", psd=None, cuso4=5.0,
          kinetics="chemical", **kw):
    rx = {"equation": RX, "key": "CuO", "kinetics": kinetics, "k": "0.25 1/h",
          "reagent": "H2SO4", "acidity": acidity, "order": ORDER,
          "k_concentration": "10 g/L", "activation_energy": f"{EA} kJ/mol",
          "k_temperature": "30 degC"}
    if psd is not None:
        rx.update(psd=psd, k_size="100 um")
    if temperature is not None:
        kw["temperature"] = temperature
    if "tank_volume" not in kw:
        kw["residence_time"] = f"{4 * tanks} h"
    r = leach_train(ore(acid, cuso4), LeachTanks("leach", tanks=tanks, reactions=[rx],
                                                 **kw)).solve()
    assert r.converged and max(r.closure.values()) < 1e-12
    return r


def X(r, k=1):
    return r.energy["leach"][f"X_CuO_tank{k}_%"] / 100


def closed_form_free_acid(acid=12.0, T=303.15, water_t_h=100.0) -> float:
    """One tank, τ = 4 h, chemical control: X = X̄(θ), θ = τ k (FA/10)^0.81 e^(−Ea/R
    (1/T − 1/303.15)), FA the titratable free acid of the tank's liquor [g/L H2SO4] =
    2 (acid − 10 X) / (water + 10 X) [mol H+/mol water] × 1000/M_w × 49.04 × ρ_w(T) (each
    CuO leached takes one H2SO4 and gives one H2O); solved by bisection."""
    n_w = water_t_h * 1000 / M_H2O
    rho = float(density_water(T)[0])
    arr = math.exp(-EA / 8.314462618e-3 * (1 / T - 1 / 303.15))

    def resid(x):
        fa = 2 * (acid - 10 * x) / (M_WATER * (n_w + 10 * x)) * 1000 * FA_PER_MOL * rho
        theta = 4.0 * 0.25 * arr * (max(fa, 0.0) / 10.0) ** ORDER
        return x - shrinking_core_cstr_series(theta, 1.0, 1, "chemical")

    return optimize.brentq(resid, 0.0, 1.0, xtol=1e-14)


@pytest.mark.parametrize(("acid", "T"), [(12.0, 303.15), (20.0, 303.15), (8.0, 303.15),
                                         (12.0, 293.15), (12.0, 313.15)])
def test_free_acid_rate_is_the_closed_form_at_the_tank_liquors_titratable_acid(acid, T):
    """The conversion is the fixed point of the shrinking core at the free acid of the
    tank's own outlet liquor, and that free acid is what the discharge stream reports
    (the plant lab's titration: Jackson et al., CETEM STM-19 (1981))."""
    r = leach("free_acid", acid=acid, temperature=f"{T - 273.15} degC")
    assert X(r) == pytest.approx(closed_form_free_acid(acid, T), rel=1e-9)
    assert r.energy["leach"]["free_acid_tank1_g/L"] == pytest.approx(
        r.aqueous_of("d")["free_acid_g_L"], rel=1e-9)


def test_rate_law_per_tank_at_the_free_acid_is_its_closed_form():
    """The rate-law kinetics (X − k τ C^a (1 − X)^(2/3) = 0 in one tank) at the free acid
    of the tank's liquor: the root of that equation with C = FA(X) of
    :func:`closed_form_free_acid`, k = 0.05 h⁻¹ (g/L)⁻¹, a = 1, τ = 4 h."""
    rx = {"equation": RX, "key": "CuO", "kinetics": "rate_law", "k": "0.05 1/h",
          "reagent": "H2SO4", "acidity": "free_acid", "order": 1.0}
    r = leach_train(ore(), LeachTanks("leach", residence_time="4 h",
                                      temperature="30 degC", reactions=[rx])).solve()
    assert r.converged and max(r.closure.values()) < 1e-12
    n_w = 100.0 * 1000 / M_H2O
    rho = float(density_water(303.15)[0])

    def resid(x):
        fa = 2 * (12.0 - 10 * x) / (M_WATER * (n_w + 10 * x)) * 1000 * FA_PER_MOL * rho
        return x - 0.05 * 4.0 * fa * (1 - x) ** (2 / 3)

    assert X(r) == pytest.approx(optimize.brentq(resid, 0.0, 1.0, xtol=1e-14), rel=1e-8)


def test_the_levers_lower_the_extraction_by_the_rate_laws_amounts():
    """Less acid, a colder tank, a coarser feed each leach less (issue #14), one tank of
    4 h: 12 -> 10 kmol/h of acid (17 % less) leaves 3.7 for 5.1 g/L of free acid in the
    tank and, at order 0.81, converts 62.1 % for 68.2 %; 10 K colder divides k by
    e^(Ea/R (1/293.15 − 1/303.15)) = 1.85 (Ea 45.28 kJ/mol, Bai et al. 2018): 56.9 %; a
    grind of P80 300 µm for 75 µm (Rosin-Rammler n = 1) doubles the time for complete
    conversion of each class twice over (chemical control, Levenspiel (1999) eq. 25.23):
    63.1 % for 81.4 %. The first two are the closed form to 1e-9."""
    base = X(leach("free_acid"))
    less_acid = X(leach("free_acid", acid=10.0))
    cold = X(leach("free_acid", temperature="20 degC"))
    assert base == pytest.approx(closed_form_free_acid(12.0), rel=1e-9)
    assert less_acid == pytest.approx(closed_form_free_acid(10.0), rel=1e-9)
    assert cold == pytest.approx(closed_form_free_acid(12.0, 293.15), rel=1e-9)
    assert 0.03 < base - less_acid < 0.10
    assert 0.08 < base - cold < 0.16
    fine, coarse = (X(leach("free_acid", psd={"rosin_rammler": {"p80": f"{p} um",
                                                                 "n": 1.0}}))
                    for p in (75, 300))
    assert 0.12 < fine - coarse < 0.25


@pytest.fixture(scope="module")
def trains():
    """A three-tank train (4 h each, 30 °C) of CuO in a copper sulphate liquor, the
    rate law seeing each of the three measures."""
    return {a: leach(a, tanks=3) for a in ("component", "free_acid", "H+_activity")}


def test_the_last_tanks_liquor_is_the_discharge_stream(trains):
    """The liquor of the last tank is the discharge: its pH and free acid as the rate
    law saw them equal the discharge stream's speciation rows to round-off."""
    r = trains["H+_activity"]
    e = r.energy["leach"]
    aq = r.aqueous_of("d")
    assert e["pH_tank3"] == pytest.approx(aq["pH"], abs=1e-9)
    assert e["free_acid_tank3_g/L"] == pytest.approx(aq["free_acid_g_L"], rel=1e-9)


def test_bisulphate_takes_a_growing_share_of_the_acid_down_the_train(trains):
    """Issue #12 expected a bisulphate-buffered liquor to keep leaching in tank 2 where a
    law in total acid runs out. In this liquor it is the other way round: each H2SO4
    spent leaves its sulphate in solution (as CuSO4), so HSO4⁻ holds a growing share of
    the protons left, and a(H+) falls faster than the free acid (tank 1 -> 2: free acid
    to 0.63 of itself, a(H+) to 0.58; PHREEQC's phreeqc.dat gives 0.58 to 1.1 %).
    Referenced to the a(H+) of 10 g/L H2SO4 in water (the source's test solution), the
    activity law also starts lower (the liquor's sulphate: pH 1.44 in tank 1 at 5.7 g/L
    free acid, where that acid alone reads pH 1.22), so it converts 62.0/83.2/92.2 % in
    tanks 1-3 where the free-acid law converts 68.2/88.4/95.7 %: 5.2 points less by
    tank 2, 3.5 by tank 3. The free-acid and the component law differ by the volume
    basis only (per kg of water here, per litre of liquor at 1000 kg/m3 there): under
    0.3 point."""
    fa, act, comp = trains["free_acid"], trains["H+_activity"], trains["component"]
    for k in (1, 2, 3):
        assert abs(X(fa, k) - X(comp, k)) < 0.003
    assert 0.05 < X(fa, 2) - X(act, 2) < 0.07
    assert 0.03 < X(fa, 3) - X(act, 3) < 0.045
    e = act.energy["leach"]
    fa_ratio = e["free_acid_tank2_g/L"] / e["free_acid_tank1_g/L"]
    a_ratio = 10 ** (e["pH_tank1"] - e["pH_tank2"])
    assert a_ratio < fa_ratio - 0.02
    ph = pytest.importorskip("phreeqpython") and _phreeqc_pH(act)
    assert 10 ** (ph[0] - ph[1]) == pytest.approx(a_ratio, rel=0.02)
    assert e["pH_tank1"] == pytest.approx(ph[0], abs=0.03)
    assert e["pH_tank2"] == pytest.approx(ph[1], abs=0.03)


def _phreeqc_pH(r) -> list[float]:
    """PHREEQC's pH (phreeqc.dat, 30 °C) of the liquors of tanks 1 and 2: S(6) and Cu of
    each tank from the feed and the conversion, mol/kg water."""
    from tests.chem.liquors import oracle

    n_w = 100e3 / M_H2O
    out = []
    for k in (1, 2):
        x = X(r, k)
        w = (n_w + 10 * x) * M_WATER / 1000          # t water per h = 1000 kg
        s6 = (12.0 + 5.0) / w                         # kmol/h per t = mol/kg
        cu = (5.0 + 10 * x) / w
        sol = oracle("phreeqc").add_solution({"units": "mol/kgw", "pH": "1 charge",
                                              "temp": 30.0, "S(6)": s6, "Cu": cu})
        out.append(sol.pH)
        sol.forget()
    return out


def test_reference_activity_is_phreeqcs():
    """The activity law's reference, the a(H+) of 10 g/L free acid of H2SO4 alone in water
    at 30 °C, is PHREEQC's (phreeqc.dat: pH 1.011) to 0.01 pH: a tank liquor of that
    acid alone at 30 °C leaches as the free-acid law at 10 g/L."""
    pytest.importorskip("phreeqpython")
    from tests.chem.liquors import oracle

    m = 10.0 / (98.078 * float(density_water(303.15)[0]))
    ref = oracle("phreeqc").add_solution({"units": "mol/kgw", "pH": "1 charge",
                                          "temp": 30.0, "S(6)": m})
    fs = leach_train(ore(), LeachTanks("leach", residence_time="4 h",
                                       temperature="30 degC", reactions=[
        {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.25 1/h",
         "reagent": "H2SO4", "acidity": "H+_activity", "order": ORDER,
         "k_concentration": "10 g/L"}]))
    unit = fs.units["leach"]
    fs.solve()
    it = unit.kin[0]
    a_ref = it["tank_acidity"].reference(10.0, 303.15)
    assert -math.log10(a_ref) == pytest.approx(ref.pH, abs=0.01)


@pytest.mark.parametrize("acidity", ["free_acid", "H+_activity"])
def test_analytic_jacobian_matches_finite_differences(acidity):
    """The shrinking-core rows' Jacobian on the feed flows, the conversions of every
    kinetic reaction, τ (tank volume) and T (adiabatic: the free acid through ρ_w(T), the
    activity through the speciation's log K(T) and γ(T)) equals central differences."""
    from polyflow.solve.assemble import assemble
    from polyflow.solve.system import Block

    fs = leach_train(ore(), LeachTanks("leach", tanks=3, tank_volume="200 m3", reactions=[
        {"equation": RX, "key": "CuO", "kinetics": "diffusion", "k": "0.25 1/h",
         "reagent": "H2SO4", "acidity": acidity, "order": ORDER,
         "k_concentration": "10 g/L", "activation_energy": f"{EA} kJ/mol",
         "k_temperature": "30 degC"}]), temperature="35 degC")
    r = fs.solve()
    assert r.converged and max(r.closure.values()) < 1e-12
    asm = assemble(fs)
    xcols = set(asm.internal["leach"][1:4].tolist())
    blocks = [b for b in asm.system.blocks
              if len(b.rows) == 3 and set(b.cols.tolist()) >= xcols]
    assert len(blocks) == 1
    b = blocks[0]
    fd = Block(b.rows, b.cols, b.func)
    rng = np.random.default_rng(11)
    for scale in (0.0, 0.02):
        x = r.x[b.cols] * (1 + scale * rng.uniform(-1, 1, len(b.cols)))
        np.testing.assert_allclose(b.jacobian(x), fd.jacobian(x), rtol=5e-5, atol=1e-7)


def test_acidity_needs_its_reagent_and_a_known_measure():
    with pytest.raises(InputError, match="give the reagent"):
        LeachTanks("leach", residence_time="4 h", reactions=[
            {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.2 1/h",
             "acidity": "free_acid"}])
    with pytest.raises(InputError, match="H\\+_activity"):
        LeachTanks("leach", residence_time="4 h", reactions=[
            {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.2 1/h",
             "reagent": "H2SO4", "k_concentration": "10 g/L", "acidity": "pH"}])


def test_acidity_needs_the_plants_speciation():
    """A speciated measure in a plant without speciation says so and what would fix it."""
    fs = Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O", "SiO2"],
                   options={"speciation": False})
    fs.add(Feed("ore", flows=ore(cuso4=0.0) | {"CuSO4": "0 kmol/h"}))
    fs.add(LeachTanks("leach", residence_time="4 h", temperature="30 degC", reactions=[
        {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.25 1/h",
         "reagent": "H2SO4", "acidity": "free_acid", "order": ORDER,
         "k_concentration": "10 g/L"}]))
    fs.add(Product("slurry"))
    fs.add(Product("gas"))
    fs.connect("f", "ore", "leach")
    fs.connect("d", "leach.discharge", "slurry")
    fs.connect("v", "leach.vent", "gas")
    with pytest.raises(PolyflowError, match="speciation"):
        fs.solve()


SPEC_PLANT = """\
[flowsheet]
format_version = 1
name = "leach held to 20 g/L CuSO4"
species = ["CuO", "H2SO4", "CuSO4", "H2O", "SiO2"]

[feeds.ore]
kind = "stream"
flows.CuO = "10 kmol/h"
flows.SiO2 = "10 t/h"
flows.H2SO4 = "12 kmol/h"
flows.H2O = "100 t/h"
flows.CuSO4 = "5 kmol/h"

[units.leach]
model = "leach_tanks"
tanks = 2
residence_time = "8 h"
temperature = "30 degC"

[[units.leach.reactions]]
equation = "CuO + H2SO4 -> CuSO4 + H2O"
key = "CuO"
kinetics = "chemical"
k = "0.25 1/h"
reagent = "H2SO4"
acidity = "H+_activity"
order = 0.81
k_concentration = "10 g/L"

[products.slurry]
kind = "residue"
[products.gas]
kind = "gas"

[streams]
f = "ore -> leach"
d = "leach.discharge -> slurry"
v = "leach.vent -> gas"

[specs.leach_time]
vary = "leach.residence_time"
target = "streams.d.g_L.CuSO4"
value = "20 g/L"
bounds = ["1 h", "40 h"]
"""


def test_a_spec_varying_the_leach_keeps_the_speciated_liquor(tmp_path):
    """A spec that frees a leach parameter rebuilds the unit on its own builder
    (polyflow.solve.freed_unit), which must still see the plant's aqueous system: the
    residence time that leaves 20 g/L CuSO4 in the discharge, with the rate in a(H+)."""
    r = polyflow.load(flowsheet_file(tmp_path, SPEC_PLANT)).solve()
    assert r.converged and max(r.closure.values()) < 1e-12
    assert r.specs["leach_time"]["achieved"] == pytest.approx(20.0, rel=1e-9)
    assert not r.specs["leach_time"]["at_bound"]
    assert r.energy["leach"]["pH_tank2"] == pytest.approx(r.aqueous_of("d")["pH"],
                                                          abs=1e-9)
