"""Sulphide oxidation by hydrogen peroxide before an alkaline sulphide bleed meets acid
(the refinery's Sb spent-electrolyte bleed, flowsheets/refinery.toml
``sb_bleed_oxidation``): a stoichiometric reactor with the reaction table of the
flowsheet. Stoichiometry: HS- + 4 H2O2 -> SO4-2 + 4 H2O + H+ (8 electrons from S(-II)
to S(VI), 2 per H2O2; sulphate the product in alkaline solution: Hoffmann, Environ. Sci.
Technol. 11 (1977) 61-66, at second hand), written on the formula units Na2S + 4 H2O2 ->
Na2SO4 + 4 H2O; heats from the NBS82 enthalpies of formation (Wagman et al. 1982)."""

from __future__ import annotations

import pytest
from tests.small_plants import plant

from polyflow.chem.species import load_database
from polyflow.effluent.products import hazards
from polyflow.units import Feed, Product
from polyflow.units.lime_dose import LimeDose
from polyflow.units.neutraliser import Neutraliser
from polyflow.units.reactor import StoichiometricReactor

#: the reaction table of flowsheets/refinery.toml [units.sb_bleed_oxidation]
REACTIONS = [
    {"equation": "Na2S + 4 H2O2 -> Na2SO4 + 4 H2O", "key": "Na2S", "conversion": "100 %"},
    {"equation": "2 Na3SbS3 + 6 NaOH + 26 H2O2 -> Sb2O5(s) + 6 Na2SO4 + 29 H2O",
     "key": "Na3SbS3", "conversion": "100 %"},
    {"equation": "2 H2O2 -> 2 H2O + O2(g)", "key": "H2O2", "conversion": "100 %"},
]
#: the refinery's Sb bleed at 1 t/h concentrate (as in test_neutraliser_equilibrium.py)
SB_BLEED = {"H2O": "4 t/h", "NaOH": "110 kg/h", "Na2S": "420 kg/h", "Na3SbS3": "68 kg/h"}


def test_peroxide_oxidises_sulphide_to_sulphate_with_the_NBS82_heat():
    """1 kmol/h Na2S with 4.4 kmol/h H2O2 (10 % excess) at 25 °C: all the sulphide leaves
    as sulphate, the excess as 0.2 kmol/h O2, and the tank gives off
    ΔHr = ΔfH(Na2SO4, ai) + 4 ΔfH(H2O, l) − ΔfH(Na2S, ai) − 4 ΔfH(H2O2, ao)
    = −1389.51 − 4·285.83 + 447.14 + 4·191.17 = −1321.01 kJ/mol, plus the decomposition
    of the excess, 2 H2O2 -> 2 H2O + O2: 2·(−285.83 + 191.17) = −189.32 kJ per 2 mol
    (NBS82 values, Wagman et al., J. Phys. Chem. Ref. Data 11 Suppl. 2, 1982)."""
    species = ["H2O", "Na2S", "H2O2", "Na2SO4", "O2(g)"]
    fs = plant(species, [
        Feed("bleed", flows={"H2O": "50 t/h", "Na2S": "1 kmol/h"}),
        Feed("peroxide", flows={"H2O2": "4.4 kmol/h", "H2O": "150 kg/h"}, category="reagent"),
        StoichiometricReactor("ox", temperature="25 degC", reactions=[REACTIONS[0],
                                                                       REACTIONS[2]]),
        Product("out")], {"b": "bleed -> ox", "p": "peroxide -> ox", "o": "ox -> out"})
    r = fs.solve()
    mw = dict(zip(fs.species.ids, fs.species.mw, strict=True))
    out = r.flow_kg_h("o")
    assert out.get("Na2S(aq)", 0.0) == pytest.approx(0.0, abs=1e-12)
    assert out["Na2SO4(aq)"] / mw["Na2SO4(aq)"] == pytest.approx(1.0, rel=1e-12)
    assert out["O2(g)"] / mw["O2(g)"] == pytest.approx(0.2, rel=1e-12)
    assert out.get("H2O2(aq)", 0.0) == pytest.approx(0.0, abs=1e-12)
    q_kW = (-1321.01 + 0.4 * (-189.32 / 2)) * 1000 / 3600     # MJ/h -> kW
    e = r.energy["ox"]
    assert e["heat_of_reaction_kW"] == pytest.approx(q_kW, rel=1e-4)
    assert e["duty_kW"] == pytest.approx(q_kW, rel=1e-4)
    assert max(r.closure.values()) < 1e-12


def _bleed_into_acid(oxidised: bool):
    """The Sb bleed (oxidised by 50 % peroxide at 5 % excess, or not) with a 10 g/kg
    sulphuric acid bleed, limed to pH 8.5 in an equilibrium neutraliser (llnl.dat)."""
    species = ["H2O", "H2SO4", "NaOH", "Na2S", "Na3SbS3", "H2O2", "Na2SO4", "O2(g)",
               "Sb2O5(s)", "Ca(OH)2(s)", "CaSO4*2H2O(s)", "Sb2S3(s)", "H+", "OH-", "Ca+2",
               "Na+", "SO4-2", "HS-", "SbS3-3", "H2S(g)"]
    mw = dict(zip(load_database().subset(["Na2S(aq)", "Na3SbS3(aq)", "H2O2(aq)"]).ids,
                  load_database().subset(["Na2S(aq)", "Na3SbS3(aq)", "H2O2(aq)"]).mw,
                  strict=True))
    demand = 4 * 420 / mw["Na2S(aq)"] + 13 * 68 / mw["Na3SbS3(aq)"]     # kmol/h H2O2
    h2o2_kg_h = 1.05 * demand * mw["H2O2(aq)"]
    units = [Feed("acid", flows={"H2O": "100 t/h", "H2SO4": "1 t/h"}),
             Feed("sb", flows=SB_BLEED),
             LimeDose("lime", agent="Ca(OH)2", target_stream="t", target="charge"),
             Neutraliser("neut", agent="Ca(OH)2", chemistry="equilibrium", database="llnl",
                         temperature="25 degC", target_pH=8.5),
             Product("tails"), Product("vent")]
    streams = {"a": "acid -> neut.feed", "l": "lime -> neut.lime",
               "t": "neut.slurry -> tails", "v": "neut.vent -> vent"}
    if oxidised:
        units += [Feed("peroxide", flows={"H2O2": f"{h2o2_kg_h} kg/h",
                                          "H2O": f"{h2o2_kg_h} kg/h"}, category="reagent"),
                  StoichiometricReactor("ox", temperature="50 degC", reactions=REACTIONS)]
        streams |= {"s": "sb -> ox", "p": "peroxide -> ox", "so": "ox -> neut.feed"}
    else:
        streams |= {"s": "sb -> neut.feed"}
    return plant(species, units, streams).solve()


def test_oxidised_bleed_meets_acid_without_H2S_and_unoxidised_warns():
    """Oxidised, the bleed meets the acid at pH 8.5 with no H2S to the vent and no
    warning, its sulphide sulphur all sulphate and its antimony all antimonate (Sb2O5(s));
    not oxidised, the same line vents H2S (2 SbS3-3 + 6 H+ -> Sb2S3 + 3 H2S, and HS- +
    H+ -> H2S) and the report warns (as test_neutraliser_equilibrium.py's
    test_antimony_sulphide_bleed_into_acid_held_at_pH_8_5)."""
    r = _bleed_into_acid(oxidised=True)
    e = r.energy["neut"]
    assert e["pH"] == pytest.approx(8.5, abs=1e-9)
    assert e.get("H2S_vented_kg/h", 0.0) < 1e-9
    assert hazards(r) == []
    assert max(r.closure.values()) < 1e-12
    db = load_database().subset(["Na3SbS3(aq)", "Sb2O5(s)"])
    sb_kmol_h = 68 / db.mw[0]
    assert r.flow_kg_h("t")["Sb2O5(s)"] / db.mw[1] == pytest.approx(sb_kmol_h / 2, rel=1e-9)
    assert r.energy["ox"]["duty_kW"] < -1000.0     # ~1.3 MJ/mol Na2S to the cooling water

    r = _bleed_into_acid(oxidised=False)
    assert r.energy["neut"]["H2S_vented_kg/h"] > 150.0
    (w,) = hazards(r)
    assert "neut" in w and "H2S" in w
