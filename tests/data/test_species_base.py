"""Checks of the base species table ``polyflow/data/species_base.csv``.

Convention for aqueous electrolytes written as neutral formula units (NBS 1982 "ai"
standard state): the note column starts with ``ai:`` followed by the ions, separated by
`` + ``, each with an optional stoichiometric coefficient and written as the ion's
formula without the phase tag, e.g. ``ai: 2 Na+ + SO4-2`` or ``ai: Cu+2 + 2 Cl-``; the
text after the first ``;`` is free comment. The ions must be rows ``<ion>(aq)`` of the
same table, and dHf of the electrolyte must equal the sum over its ions.
"""

from __future__ import annotations

import re

import pytest

from polyflow.chem.elements import read_data_csv
from polyflow.chem.formula import parse_formula
from polyflow.chem.species import load_database

ROWS = read_data_csv("species_base.csv")
BY_ID = {r["id"]: r for r in ROWS}

#: Guard against a truncated or corrupted table: update both numbers on a deliberate edit.
N_ROWS = 128
DHF_SUM = -99887.69


def _ai_terms(note: str) -> list[tuple[float, str]]:
    body = note.split(";", 1)[0]
    assert body.startswith("ai:"), note
    terms = []
    for term in body[3:].split(" + "):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)?\s*(\S+)\s*", term)
        assert m, f"cannot read ai term {term!r} in {note!r}"
        terms.append((float(m.group(1) or 1), m.group(2)))
    return terms


def test_row_count_and_checksum():
    assert len(ROWS) == N_ROWS
    assert len(BY_ID) == N_ROWS, "duplicate ids"
    assert round(sum(float(r["dHf_kJ_mol"]) for r in ROWS), 2) == pytest.approx(DHF_SUM, abs=0.005)


def test_database_loads_with_all_base_species():
    db = load_database()
    for sid in BY_ID:
        assert db[sid].id == sid
    for key in ("H2O", "CuSO4", "chalcopyrite", "scheelite", "stibnite", "APT", "lime"):
        assert key in db


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_formula_parses_and_phase_tag_matches(row):
    parse_formula(row["formula"])
    sid, phase = row["id"], row["phase"]
    if sid == "H2O(l)":
        assert phase == "aq"
    else:
        assert sid == f"{row['formula']}({phase})"
    assert phase in {"s", "aq", "org", "g", "l"}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_charge_zero_unless_ion(row):
    charge = parse_formula(row["formula"]).charge
    is_ion = bool(re.search(r"[+-]\d*\(aq\)$", row["id"]))
    if is_ion:
        assert charge != 0 and row["phase"] == "aq"
    else:
        assert charge == 0


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_sources_and_estimates_documented(row):
    sources = {r["key"] for f in ("sources.csv", "sources_base.csv") for r in read_data_csv(f)}
    for col in ("source_H", "source_Cp"):
        assert row[col] in sources
    if "EST" in (row["source_H"], row["source_Cp"]):
        assert row["note"], f"{row['id']}: EST value without a stated method"
    assert float(row["Tmin_K"]) <= float(row["Tmax_K"])


AI_ROWS = [r for r in ROWS if r["note"].startswith("ai:")]


def test_there_are_ai_electrolytes():
    assert len(AI_ROWS) >= 25


@pytest.mark.parametrize("row", AI_ROWS, ids=lambda r: r["id"])
def test_ai_electrolyte_is_sum_of_its_ions(row):
    terms = _ai_terms(row["note"])
    total = 0.0
    elements: dict[str, float] = {}
    charge = 0.0
    for n, ion in terms:
        ion_row = BY_ID[f"{ion}(aq)"]
        total += n * float(ion_row["dHf_kJ_mol"])
        f = parse_formula(ion)
        charge += n * f.charge
        for el, k in f.elements.items():
            elements[el] = elements.get(el, 0.0) + n * k
    assert float(row["dHf_kJ_mol"]) == pytest.approx(total, abs=0.05)
    assert charge == 0
    assert elements == pytest.approx(parse_formula(row["formula"]).elements)


# Spot values against the named source (kJ/mol).
SPOT = [
    ("H2O(l)", -285.83, "CODATA89"),   # CODATA 1989 key value
    ("CO2(g)", -393.51, "CODATA89"),   # CODATA 1989 key value
    ("CuO(s)", -157.3, "NBS82"),       # Wagman et al. 1982
    ("Cu+2(aq)", 64.77, "NBS82"),      # Wagman et al. 1982
    ("SO4-2(aq)", -909.27, "NBS82"),   # Wagman et al. 1982
    ("CaCO3(s)", -1206.92, "NBS82"),   # calcite, Wagman et al. 1982
    ("CuFeS2(s)", -194.9, "RH95"),     # Robie & Hemingway 1995 (Cemic & Kleppa 1988)
    ("CaWO4(s)", -1645.2, "RH95"),     # Robie & Hemingway 1995
    ("Cu3(OH)2(CO3)2(s)", -1632.2, "NBS82"),  # azurite; HDNB78 gives the same value
]


@pytest.mark.parametrize(("sid", "value", "source"), SPOT)
def test_spot_values(sid, value, source):
    row = BY_ID[sid]
    assert float(row["dHf_kJ_mol"]) == pytest.approx(value, abs=0.005)
    assert row["source_H"] == source


def test_cp_at_298_close_to_tabulated():
    # Maier-Kelley fits (HDNB78/KEL60) checked against NBS82 Cp at 298.15 K.
    db = load_database()
    for sid, cp in [("CuO(s)", 42.30), ("SiO2(s)", 44.43), ("CaCO3(s)", 81.88),
                    ("O2(g)", 29.355), ("CO2(g)", 37.11), ("CaSO4(s)", 99.66)]:
        assert db[sid].cp_at(298.15) == pytest.approx(cp, rel=0.01), sid


def test_pyrite_takes_the_robie_hemingway_1995_value():
    """RH95 (USGS Bulletin 2131): pyrite ΔfH = −171.5 kJ/mol (Cemic & Kleppa 1988)."""
    assert load_database()["FeS2(s)"].dHf == pytest.approx(-171.5)


def test_apt_dissolves_with_a_plausible_heat_and_decomposes_above_evaporation():
    """APT(s) = 10 NH4+ + H2W12O42(10-) + 4 H2O(l) with NBS82 NH4+ −132.51, H2O −285.83
    and the calorimetric paratungstate B ion −11653.5 kJ/mol: the dissolution enthalpy of
    the table's APT is the +100 kJ/mol stated in its note (a sparingly soluble salt), and
    its decomposition to 12 WO3 + 10 NH3(g) + 10 H2O(g) costs more than evaporating its
    10 H2O (10 × 44.0 kJ/mol, NBS82 H2O(g) − H2O(l)), which the old −13423.7 did not."""
    db = load_database()
    apt = db["APT"].dHf
    dissolution = 10 * -132.51 - 11653.5 + 4 * -285.83 - apt
    assert dissolution == pytest.approx(100.0, abs=1e-6)
    decomposition = (12 * db["WO3"].dHf + 10 * db["NH3(g)"].dHf + 10 * db["H2O(g)"].dHf
                     - apt)
    evaporation = 10 * (db["H2O(g)"].dHf - db["H2O(l)"].dHf)
    assert decomposition > evaporation
    assert 12 * db["WO3"].dHf + 10 * db["NH3(g)"].dHf + 10 * db["H2O(g)"].dHf \
        + 13423.7 < evaporation          # the replaced value: an impossible decomposition


def test_stibnite_and_the_thioantimonite_estimate_built_on_it():
    """Stibnite ΔfH −157.8 kJ/mol, Cp 123.32 J/(mol K) (secondary source, see SB2S3_SEC;
    NBS82's −174.9 replaced). SbS3-3 is estimated from Sb2S3 + 3 S-2 = 2 SbS3-3 with a
    zero reaction enthalpy, so the alkaline sulphide leach stays thermoneutral at 25 °C."""
    db = load_database()
    assert db["Sb2S3"].dHf == pytest.approx(-157.8)
    assert db["Sb2S3"].cp_at(298.15) == pytest.approx(123.32)
    leach = 2 * db["Na3SbS3"].dHf - db["Sb2S3"].dHf - 3 * db["Na2S"].dHf
    assert leach == pytest.approx(0.0, abs=1e-6)


#: effluent species entered for issue #12, checked against the enthalpies of formation
#: llnl.dat prints with each phase and basis species ("# Enthalpy of formation:", from
#: LLNL thermo.com.V8.R6, Johnson 2000, as shipped in the PyPI package ``phreeqc``):
#: (species id, llnl.dat name, largest difference accepted [kJ/mol], why)
LLNL_DHF = [
    ("Zn(OH)2(s)", "Zn(OH)2(epsilon)", 0.1, "same NBS82 source"),
    ("Mn(OH)2(s)", "Mn(OH)2(am)", 0.4, "NBS82 -695.4 vs llnl -695.096"),
    ("Al(OH)3(s)", "Gibbsite", 0.1, "RH95 -1293.1 vs llnl -309.065 kcal"),
    ("Zn+2(aq)", "Zn+2", 0.6, "NBS82 -153.89 vs Shock & Helgeson 1988 -36.66 kcal"),
    ("Mn+2(aq)", "Mn+2", 0.2, "NBS82 -220.75 vs Shock & Helgeson 1988 -52.724 kcal"),
]


def _llnl_enthalpy_of_formation(name: str) -> float:
    """kJ/mol, from the comment under ``name``'s entry in llnl.dat."""
    phreeqc = pytest.importorskip("phreeqc")
    from pathlib import Path

    text = (Path(phreeqc.__file__).parent / "databases" / "llnl.dat").read_text(
        encoding="latin-1").splitlines()
    for k, line in enumerate(text):
        head = line.split()
        if not head or line[0].isspace() or line.startswith("#"):
            continue
        if head[0] == name and (len(head) == 1 or head[1] == "="):
            for nxt in text[k + 1:k + 6]:
                m = re.search(r"Enthalpy of formation:\s*(-?[\d.]+)\s*(kcal|kJ)/mol", nxt)
                if m:
                    return float(m.group(1)) * (4.184 if m.group(2) == "kcal" else 1.0)
    raise AssertionError(f"no enthalpy of formation for {name!r} in llnl.dat")


@pytest.mark.parametrize(("sid", "llnl", "tol", "why"), LLNL_DHF)
def test_effluent_species_enthalpies_agree_with_llnl(sid, llnl, tol, why):
    """The hydroxide and ion rows of the effluent neutraliser (entered for issue #12 from
    NBS82 and RH95) against llnl.dat's own enthalpies of formation: an independent
    compilation, so a transcription error of more than ``tol`` shows here."""
    assert float(BY_ID[sid]["dHf_kJ_mol"]) == pytest.approx(_llnl_enthalpy_of_formation(llnl),
                                                             abs=tol), why
