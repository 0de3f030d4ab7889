"""Checks of the rare-earth species table ``species_ree.csv``."""

from __future__ import annotations

import re

import pytest

from polyflow.chem.elements import read_data_csv
from polyflow.chem.formula import parse_formula

TABLE = "species_ree.csv"
N_ROWS = 135
DHF_CHECKSUM = -381375.74        # sum of the dHf_kJ_mol column, kJ/mol
#: Cl-(aq) standard enthalpy of formation, kJ/mol: Wagman et al., NBS Tables 1982 (NBS82).
CL_MINUS = -167.159
LANTHANIDES_Y = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm",
                 "Yb", "Lu", "Y"]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_data_csv(TABLE)


@pytest.fixture(scope="module")
def by_id(rows) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in rows}


def dhf(row: dict[str, str]) -> float:
    return float(row["dHf_kJ_mol"])


def test_row_count_and_checksum(rows):
    assert len(rows) == N_ROWS
    assert round(sum(dhf(r) for r in rows), 2) == pytest.approx(DHF_CHECKSUM, abs=0.005)


def test_ids_unique(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))


def test_formulas_parse_and_ids_carry_phase(rows):
    for r in rows:
        f = parse_formula(r["formula"])
        assert f.elements, r["id"]
        m = re.fullmatch(r"(.+)\(([a-z]+)\)", r["id"])
        assert m, r["id"]
        assert m.group(1) == r["formula"], r["id"]
        assert m.group(2) == r["phase"], r["id"]
        assert r["phase"] in {"s", "aq", "org", "g", "l"}
        assert r["source_H"] and r["source_Cp"], r["id"]
        for col in ("Cp_A", "Cp_B", "Cp_C", "Cp_D", "Tmin_K", "Tmax_K"):
            float(r[col])
        assert float(r["Tmin_K"]) <= float(r["Tmax_K"])


def test_est_values_state_a_method(rows):
    for r in rows:
        if "EST" in (r["source_H"], r["source_Cp"]):
            assert len(r["note"]) > 20, r["id"]


def test_aliases_unique_within_table(rows):
    seen: dict[str, str] = {}
    ids = {r["id"] for r in rows}
    for r in rows:
        for a in filter(None, (x.strip() for x in r["aliases"].split(";"))):
            assert a not in seen, f"{a} used by {seen.get(a)} and {r['id']}"
            assert a not in ids or a == r["id"]
            seen[a] = r["id"]


def test_sources_are_known(rows):
    keys = {r["key"] for r in read_data_csv("sources.csv")}
    keys |= {r["key"] for r in read_data_csv("sources_ree.csv")}
    for r in rows:
        assert r["source_H"] in keys and r["source_Cp"] in keys, r["id"]


_TERM = re.compile(r"^(\d*)\s*(\S+)$")


def test_ai_electrolytes_are_sums_of_ions(by_id):
    n = 0
    for r in by_id.values():
        m = re.match(r"ai:\s*([^;]+)", r["note"])
        if not m:
            continue
        total = 0.0
        elements: dict[str, float] = {}
        for term in m.group(1).split("+ "):
            coef, ion = _TERM.match(term.strip()).groups()
            k = int(coef or 1)
            h = CL_MINUS if ion == "Cl-" else dhf(by_id[f"{ion}(aq)"])
            total += k * h
            for el, c in parse_formula(ion).elements.items():
                elements[el] = elements.get(el, 0) + k * c
        assert dhf(r) == pytest.approx(total, abs=0.05), r["id"]
        assert elements == parse_formula(r["formula"]).elements, r["id"]
        n += 1
    assert n == 17   # 15 LnCl3 (lanthanides + Y), ScCl3, ThCl4

def test_heat_of_extraction_is_zero(by_id):
    ha = dhf(by_id["C16H35O3P(org)"])
    for ln in LANTHANIDES_Y:
        cplx = by_id[f"{ln}(C16H34O3P)3(org)"]
        # Ln+3(aq) + 3 HA(org) -> LnA3(org) + 3 H+(aq), dHf(H+) = 0
        dH = dhf(cplx) + 3 * 0.0 - dhf(by_id[f"{ln}+3(aq)"]) - 3 * ha
        assert dH == pytest.approx(0.0, abs=0.01), ln
        assert "heat of extraction neglected" in cplx["note"]
    hr = dhf(by_id["C16H25NO2(org)"])
    cu2 = 64.77   # Cu+2(aq), kJ/mol, NBS82
    assert dhf(by_id["Cu(C16H24NO2)2(org)"]) - cu2 - 2 * hr == pytest.approx(0.0, abs=0.01)


def test_element_balance_of_complexes(by_id):
    ha = parse_formula("C16H35O3P").elements
    for ln in LANTHANIDES_Y:
        el = parse_formula(by_id[f"{ln}(C16H34O3P)3(org)"]["formula"]).elements
        assert el[ln] == 1
        for e in ("C", "O", "P"):
            assert el[e] == 3 * ha[e]
        assert el["H"] == 3 * (ha["H"] - 1)


def test_all_lanthanides_and_y_present(by_id):
    for ln in LANTHANIDES_Y:
        for sid in (f"{ln}+3(aq)", f"{ln}Cl3(aq)", f"{ln}2(C2O4)3*10H2O(s)",
                    f"{ln}2O3(s)", f"{ln}(C16H34O3P)3(org)"):
            assert sid in by_id, sid
    for sid in ("CeO2(s)", "Pr6O11(s)", "Tb4O7(s)", "YPO4(s)", "ThO2(s)", "U3O8(s)",
                "C12H26(org)", "C16H35O3P(org)", "C16H35O4P(org)", "C16H35O2P(org)",
                "C16H25NO2(org)", "C24H51N(org)", "Cu(C16H24NO2)2(org)"):
        assert sid in by_id, sid


@pytest.mark.parametrize(("sid", "value", "source"), [
    ("La2O3(s)", -1793.7, "NBS82"),       # Wagman et al. 1982; Konings 2014 recommends -1791.6
    ("Nd+3(aq)", -696.2, "NBS82"),
    ("La+3(aq)", -707.1, "NBS82"),
    ("Y+3(aq)", -723.4, "NBS82"),
    ("CeO2(s)", -1088.7, "NBS82"),
    ("ThO2(s)", -1226.4, "NBS82"),
    ("U3O8(s)", -3574.8, "NBS82"),
    ("C12H26(org)", -350.9, "REE_NISTWB"),
])
def test_spot_values(by_id, sid, value, source):
    r = by_id[sid]
    assert dhf(r) == pytest.approx(value, abs=1e-6)
    assert r["source_H"] == source


def test_monazite_from_gibbs_energy_and_entropy(by_id):
    # Front. Chem. 6 (2018) 604, Table 4: LaPO4 dGf,el = -1875 kJ/mol, dSf,el = -401.7 J/(mol K)
    assert dhf(by_id["LaPO4(s)"]) == pytest.approx(-1875 + 298.15 * -401.7e-3, abs=0.01)


def test_oxide_cp_fits_reasonable(by_id):
    for r in by_id.values():
        if r["phase"] != "s" or float(r["Tmax_K"]) < 1000:
            continue
        A, B, C, D = (float(r[k]) for k in ("Cp_A", "Cp_B", "Cp_C", "Cp_D"))
        cp298, cp1300 = (A + B * 1e-3 * T + C * 1e5 / T**2 + D * 1e-6 * T**2
                         for T in (298.15, 1300.0))
        assert 0 < cp298 < cp1300 < 1.4 * cp298, r["id"]


def test_ln3_heat_capacities_are_joule_values_of_nbs82(by_id):
    """NBS82 (Wagman et al. 1982) standard partial molar Cp at 298.15 K: La+3 −13,
    Nd+3 −21 J/(mol K). The table once held −40 for every Ln+3, the size of the SH88
    values in cal/(mol K) (La+3 −37.2, Nd+3 −43.2; Shock & Helgeson 1988) entered as J.
    The chloride solutions (ai) carry the sum of their ions' Cp (Cl− −136.4, NBS82) and
    the P507 complexes LnA3 Cp(Ln+3) + 3 Cp(HA)."""
    assert float(by_id["La+3(aq)"]["Cp_A"]) == -13.0
    assert float(by_id["Nd+3(aq)"]["Cp_A"]) == -21.0
    for el in LANTHANIDES_Y:
        ion = float(by_id[f"{el}+3(aq)"]["Cp_A"])
        assert -25.0 <= ion <= -10.0, el          # J/(mol K), not a calorie-sized value
        assert float(by_id[f"{el}Cl3(aq)"]["Cp_A"]) == pytest.approx(ion + 3 * -136.4)
        assert float(by_id[f"{el}(C16H34O3P)3(org)"]["Cp_A"]) == pytest.approx(
            ion + 3 * float(by_id["C16H35O3P(org)"]["Cp_A"]))
