"""Reagents as delivered: dissolution and the heat of dilution of acid and caustic.

Published values used (NBS 1982 = Wagman et al., J. Phys. Chem. Ref. Data 11 Suppl. 2,
standard enthalpies of formation at 298.15 K, kJ/mol, NBS convention for "X in n H2O"):

* H2SO4(l) −813.989; H2SO4 in 1, 2, 10, 20, 100 H2O −841.79, −855.44, −880.53,
  −884.92, −887.64; H2SO4 ai −909.27;
* NaOH(s) −425.609; NaOH ai −470.114: 44.51 kJ/mol on dissolving to infinite dilution
  (NBS82; the integral heat at n ≥ 20 H2O is within 0.5 kJ/mol of it).
"""

from __future__ import annotations

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.chem.dilution import (
    apparent_enthalpy_table,
    dissolution_matrix,
    excess_phi,
    phi_L,
)
from polyflow.chem.species import load_database
from polyflow.errors import DataError
from polyflow.units import Feed, Mixer, Product

CP_WATER = 75.291        # J/(mol K), NBS82, the table's constant Cp of H2O(l)
CP_H2SO4_AI = -293.0     # J/(mol K), NBS82 ai (2 H+ + SO4-2)
CP_NAOH_AI = -102.1      # J/(mol K), NBS82 ai (Na+ + OH-)


def kmol_h(result, stream: str) -> dict[str, float]:
    n = result.flows_kmol_h[result.stream_names.index(stream)]
    return dict(zip(result.species.ids, n.tolist(), strict=True))


def dilute(reagent: dict, water_kmol_h: float, species: list[str], **mixer):
    fs = Flowsheet(species)
    fs.add(Feed("reagent", flows=reagent, temperature="25 degC"))
    fs.add(Feed("water", flows={"H2O": f"{water_kmol_h} kmol/h"}, temperature="25 degC"))
    fs.add(Mixer("tank", **mixer))
    fs.add(Product("out"))
    fs.connect("r", "reagent", "tank")
    fs.connect("w", "water", "tank")
    fs.connect("mixed", "tank", "out")
    return fs.solve()


def test_tables_agree_with_the_species_data():
    db = load_database()
    # phiL of the pure liquid = dHf(H2SO4 l) - dHf(H2SO4 ai)
    assert float(phi_L("H2SO4(aq)", 0.0)) == pytest.approx(
        db["H2SO4(l)"].dHf - db["H2SO4(aq)"].dHf, abs=1e-9)
    assert float(excess_phi("H2SO4(aq)", 0.0)) == pytest.approx(-813.989 + 884.92, abs=1e-9)
    assert float(excess_phi("H2SO4(aq)", 20.0)) == 0.0
    assert float(excess_phi("H2SO4(aq)", 300.0)) == 0.0
    for solute, (t, phi) in apparent_enthalpy_table().items():
        assert t[0] == 0.0 and phi[0] == 0.0, solute      # infinite dilution is the ai state
        assert solute in db


@pytest.mark.parametrize(("n_water", "nbs_dfH"), [(20.0, -884.92)])
def test_98_percent_acid_into_water_releases_the_nbs_integral_heat(n_water, nbs_dfH):
    """1 kmol/h of 98 % acid (H2SO4 with 0.111 H2O) mixed with water to n H2O per H2SO4,
    adiabatic from 25 °C. The heat released is the difference of the NBS82 "H2SO4 in
    n H2O" enthalpies, ΔfH(98 %) − ΔfH(n); that of 98 % acid is interpolated in the
    table between the pure liquid (−813.989) and n = 1 (−841.79). The temperature rise is
    that heat over the outlet heat capacity (water 75.291 J/(mol K), H2SO4 ai −293; the
    ai heat capacity makes the model's capacity too small below about 20 H2O, where a
    solution of 1 H2O per H2SO4 would have a negative one: the test stays above)."""
    r = dilute({"H2SO4(aq)": "1 kmol/h", "H2O": "0.111 kmol/h"}, n_water - 0.111,
               ["H2O", "H2SO4"])
    dfH_98 = -909.27 + float(phi_L("H2SO4(aq)", 0.111))
    assert -820.0 < dfH_98 < -813.989
    heat = dfH_98 - nbs_dfH                                   # kJ per mol H2SO4
    dT = heat * 1e3 / (n_water * CP_WATER + CP_H2SO4_AI)
    assert r.temperature_C("mixed") - 25.0 == pytest.approx(dT, rel=1e-6)


def test_98_percent_acid_into_a_dilute_liquor_releases_its_heat_to_20_h2o():
    """Below 2.78 mol/kg (n > 20) the liquor keeps the ideal ai enthalpy: 98 % acid
    diluted into 100 mol water releases ΔfH(98 %) − ΔfH(in 20 H2O, −884.92 NBS82), short
    of the NBS82 heat to 100 H2O (−887.64) by 2.72 kJ/mol: the stated deviation of the
    reference state (chem.dilution)."""
    r = dilute({"H2SO4(aq)": "1 kmol/h", "H2O": "0.111 kmol/h"}, 100.0 - 0.111,
               ["H2O", "H2SO4"])
    dfH_98 = -909.27 + float(phi_L("H2SO4(aq)", 0.111))
    cp = 100.0 * CP_WATER + CP_H2SO4_AI
    heat = (r.temperature_C("mixed") - 25.0) * cp / 1e3
    assert heat == pytest.approx(dfH_98 + 884.92, rel=1e-6)
    assert (dfH_98 + 887.64) - heat == pytest.approx(2.72, abs=1e-6)
    assert 8.5 < r.temperature_C("mixed") - 25.0 < 9.5


def test_pure_liquid_acid_into_a_liquor_releases_the_nbs_heat_to_20_h2o():
    """H2SO4(l) in a dissolving mixer becomes H2SO4(aq); into a process liquor it gives
    off −813.989 + 884.92 = 70.93 kJ/mol (NBS82, pure liquid to 20 H2O): the liquid
    carries −phiL(20) so that it sits on the reference of the liquor (chem.dilution)."""
    r = dilute({"H2SO4(l)": "1 kmol/h"}, 300.0, ["H2O", "H2SO4", "H2SO4(l)"])
    assert kmol_h(r, "mixed")["H2SO4(aq)"] == pytest.approx(1.0, rel=1e-12)
    assert kmol_h(r, "mixed")["H2SO4(l)"] == pytest.approx(0.0, abs=1e-12)
    dT = (-813.989 + 884.92) * 1e3 / (300.0 * CP_WATER + CP_H2SO4_AI)
    assert r.temperature_C("mixed") - 25.0 == pytest.approx(dT, rel=1e-6)


def test_98_percent_acid_as_liquid_or_as_solution_differs_by_its_mixing_heat():
    """98 % acid (1 mol H2SO4 with 0.111 mol water) into 100 mol water, fed as
    H2SO4(l) + H2O or as H2SO4(aq) + H2O: the first also gives off the heat of mixing the
    liquid with its 0.111 mol of water, phiL(0) − phiL(0.111) (4.6 kJ/mol by the
    table), and nothing else differs."""
    species = ["H2O", "H2SO4", "H2SO4(l)"]
    as_liquid = dilute({"H2SO4(l)": "1 kmol/h", "H2O": "0.111 kmol/h"}, 99.889, species)
    as_sol = dilute({"H2SO4(aq)": "1 kmol/h", "H2O": "0.111 kmol/h"}, 99.889, species)
    cp = 100.0 * CP_WATER + CP_H2SO4_AI
    mixing = float(phi_L("H2SO4(aq)", 0.0) - phi_L("H2SO4(aq)", 0.111))
    assert 3.0 < mixing < 6.0
    dT_liq = as_liquid.temperature_C("mixed") - 25.0
    dT_sol = as_sol.temperature_C("mixed") - 25.0
    assert dT_liq - dT_sol == pytest.approx(mixing * 1e3 / cp, rel=1e-6)


def test_no_dissolution_when_switched_off():
    r = dilute({"H2SO4(l)": "1 kmol/h"}, 100.0, ["H2O", "H2SO4", "H2SO4(l)"],
               dissolve=False)
    assert kmol_h(r, "mixed")["H2SO4(l)"] == pytest.approx(1.0)
    # the liquid's constant reference shift cancels between inlet and outlet
    assert r.temperature_C("mixed") == pytest.approx(25.0, abs=1e-9)


def test_solid_caustic_dissolves_with_its_nbs_heat_of_solution():
    """1 kmol/h NaOH(s) into 100 kmol/h water: −425.609 + 470.114 = 44.505 kJ/mol
    (NBS82, to infinite dilution; phiL of NaOH at n ≥ 20 H2O is taken as 0)."""
    r = dilute({"NaOH(s)": "1 kmol/h"}, 100.0, ["H2O", "NaOH", "NaOH(s)"])
    dT = 44.505e3 / (100.0 * CP_WATER + CP_NAOH_AI)
    assert r.temperature_C("mixed") - 25.0 == pytest.approx(dT, rel=1e-6)


def test_fifty_percent_caustic_releases_its_heat_of_dilution():
    """50 % caustic (n = 2.22 H2O per NaOH) into water: phiL(2.22) = 19.8 kJ/mol is
    released (table value, an extrapolation of the integral heats of solution; phiL of
    NaOH is 0 from n = 20 on)."""
    r = dilute({"NaOH(aq)": "1 kmol/h", "H2O": "2.22 kmol/h"}, 100.0,
               ["H2O", "NaOH", "NaOH(s)"])
    dT = 19.8e3 / (102.22 * CP_WATER + CP_NAOH_AI)
    assert r.temperature_C("mixed") - 25.0 == pytest.approx(dT, rel=1e-6)


def test_excess_enthalpy_derivatives_match_finite_differences():
    sp = load_database().subset(["H2O", "H2SO4", "NaOH", "HCl"])
    rng = np.random.default_rng(7)
    for _ in range(20):
        N = rng.uniform(0.01, 3.0, size=(1, 4)) * np.array([[rng.uniform(0.1, 300), 1, 1, 1]])
        _, dH = sp.H_excess(N)
        for i in range(4):
            h = 1e-6 * N[0, i]
            Np, Nm = N.copy(), N.copy()
            Np[0, i] += h
            Nm[0, i] -= h
            fd = (sp.H_excess(Np)[0][0] - sp.H_excess(Nm)[0][0]) / (2 * h)
            assert dH[0, i] == pytest.approx(fd, rel=1e-5, abs=1e-7)


def test_a_dissolved_form_missing_from_the_flowsheet_is_named():
    sp = load_database().subset(["H2O", "H2SO4(l)"])
    with pytest.raises(DataError, match="H2SO4\\(aq\\)"):
        dissolution_matrix(sp)


def test_oxide_leach_acid_carries_its_heat_of_dilution():
    """The shipped oxide copper leach feeds 9.0 t/h H2SO4 as 98 % acid (0.184 t/h water):
    its stream carries 91.77 kmol/h × [phiL(0.111) − phiL(20)] = 1.69 MW more than the
    ai state, given off in the adiabatic feed box (docs/reagents.md)."""
    from pathlib import Path

    import polyflow

    path = Path(__file__).parents[2] / "flowsheets" / "copper_oxide_leach.toml"
    fs = polyflow.load(path)
    r = fs.solve()
    sp = fs.species
    n = r.flows_kmol_h[r.stream_names.index("acid_addition")]
    ideal = float(n @ sp.h_molar(np.array([298.15]))[0]) / 3.6
    n_acid = 9000.0 / sp.mw[sp.idx("H2SO4")]
    n_water = n[sp.idx("H2O")] / n_acid
    assert n_water == pytest.approx(0.111, abs=1e-3)
    expected = n_acid * float(phi_L("H2SO4(aq)", n_water) - phi_L("H2SO4(aq)", 20.0)) / 3.6
    assert r.enthalpy_kW("acid_addition") - ideal == pytest.approx(expected, rel=1e-9)
    assert 1650.0 < expected < 1720.0


def test_a_mixer_names_the_missing_dissolved_form():
    from polyflow.errors import InputError

    fs = Flowsheet(["H2O", "NaOH(s)"])
    fs.add(Feed("reagent", flows={"NaOH(s)": "1 kmol/h", "H2O": "10 kmol/h"}))
    with pytest.raises(InputError, match=r"unit 'tank'.*NaOH\(aq\)"):
        fs.add(Mixer("tank"))
