"""Extract the equilibria tables ``polyflow/data/equilibria_<db>.csv`` from PHREEQC databases.

Run ``python tests/chem/make_equilibria.py`` (needs the test extra: ``phreeqpython`` ships
phreeqc.dat, the ``phreeqc`` package ships llnl.dat). The rows keep each database's own
reactions, log K, enthalpy and analytic expressions verbatim (names normalised: ``SO4--`` ->
``SO4-2``, llnl's pseudo-element ``Cyanide`` -> ``CN``); the loader
(:mod:`polyflow.chem.equilibria`) rewrites them onto the chosen master species.
``tests/chem/test_equilibria_data.py`` checks that the shipped tables equal a fresh extraction.

The .dat files are public-domain USGS work (Parkhurst & Appelo 2013, USGS Techniques and
Methods 6-A43); llnl.dat is converted from LLNL thermo.com.V8.R6.230 (Johnson, 2000).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

#: redox states polyflow keeps apart (element name as in SOLUTION_MASTER_SPECIES)
COMPONENTS = {
    "phreeqc": ["Ca", "Mg", "Na", "K", "Fe(+2)", "Fe(+3)", "Mn(+2)", "Al", "Cl", "C(+4)",
                "S(6)", "S(-2)", "N(-3)", "F", "Zn", "Cu(+2)"],
    "llnl": ["Ca", "Mg", "Na", "K", "Fe(+2)", "Fe(+3)", "Mn(+2)", "Al", "Cl", "C(+4)",
             "S(+6)", "S(-2)", "N(-3)", "F", "Zn", "Cu(+2)", "Cyanide", "W", "Sb", "Ag(1)",
             "La", "Ce(+3)", "Pr", "Nd(+3)", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er",
             "Tm", "Yb", "Lu", "Y", "Sc"],
}
#: solids (and gases, for vents) taken from PHASES when all their masters are components
GAS_PHASES = {"CO2(g)", "H2S(g)", "NH3(g)", "HCN(g)", "HCyanide(g)"}

KEYWORDS = {"SOLUTION_MASTER_SPECIES", "SOLUTION_SPECIES", "PHASES", "EXCHANGE_MASTER_SPECIES",
            "EXCHANGE_SPECIES", "SURFACE_MASTER_SPECIES", "SURFACE_SPECIES", "RATES", "END",
            "LLNL_AQUEOUS_MODEL_PARAMETERS", "NAMED_EXPRESSIONS", "CALCULATE_VALUES",
            "PITZER", "SIT", "SOLUTION", "MEAN_GAMMAS", "RATE_PARAMETERS_PK",
            "RATE_PARAMETERS_SVD", "RATE_PARAMETERS_HERMANSKA", "ISOTOPES"}

_UNITS = {"kcal": 4.184, "cal": 4.184e-3, "kj": 1.0, "j": 1e-3}


def norm_name(s: str) -> str:
    """'SO4--' -> 'SO4-2', 'Cu+1' -> 'Cu+', 'Cyanide' -> 'CN', ':' hydrate -> '*'."""
    s = s.replace("Cyanide", "CN").replace(":", "*")
    m = re.match(r"^(.*?[^+\-])([+\-]+)$", s)
    if m and len(m.group(2)) > 1 and len(set(m.group(2))) == 1:
        s = f"{m.group(1)}{m.group(2)[0]}{len(m.group(2))}"
    return re.sub(r"([+\-])1$", r"\1", s)


def parse_side(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    toks = text.split()
    coef = None
    for t in toks:
        if t == "+":
            continue
        if re.fullmatch(r"\d+(\.\d*)?|\.\d+", t):
            coef = float(t)
            continue
        m = re.fullmatch(r"(\d+(?:\.\d*)?)([A-Za-z(].*)", t)
        c = coef if coef is not None else 1.0
        if m and not t.startswith("("):
            c, t = float(m.group(1)) * (coef or 1.0), m.group(2)
        name = norm_name(t)
        out[name] = out.get(name, 0.0) + c
        coef = None
    return out


def read_dat(path: Path) -> dict:
    """Blocks of a PHREEQC database: masters, species, phases, llnl model parameters."""
    db = {"masters": {}, "species": [], "phases": [], "model": {}}
    section = None
    cur = None
    model_key = None
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        word = line.strip().split()[0]
        if word in KEYWORDS and line == line.lstrip():
            section, cur = word, None
            continue
        s = line.strip()
        if section == "SOLUTION_MASTER_SPECIES":
            p = s.split()
            db["masters"][p[0]] = norm_name(p[1])
        elif section == "LLNL_AQUEOUS_MODEL_PARAMETERS":
            if re.match(r"-[A-Za-z]", s):
                model_key = s[1:].lower()
                db["model"][model_key] = []
            else:
                db["model"][model_key] += [float(v) for v in s.split()]
        elif section in ("SOLUTION_SPECIES", "PHASES"):
            if section == "PHASES" and "=" not in s and not s.startswith("-") and \
                    not re.match(r"^(log_k|delta_h|logk|analytic)", s, re.I) and \
                    line == line.lstrip():
                cur = {"name": norm_name(s.split()[0]), "reaction": None, "opts": {}}
                db["phases"].append(cur)
                continue
            if "=" in s and not s.startswith("-"):
                lhs, rhs = s.split("=", 1)
                if section == "SOLUTION_SPECIES":
                    cur = {"reaction": (parse_side(lhs), parse_side(rhs)), "opts": {}}
                    cur["name"] = next(iter(cur["reaction"][1]))
                    db["species"].append(cur)
                elif cur is not None and cur["reaction"] is None:
                    cur["reaction"] = (parse_side(lhs), parse_side(rhs))
                continue
            if cur is None:
                continue
            for part in s.split(";"):
                p = part.split()
                if p:
                    cur["opts"][p[0].lstrip("-").lower()] = p[1:]
    return db


def _num(xs, i=0):
    return float(xs[i]) if len(xs) > i else 0.0


def _delta_h(vals) -> float | str:
    if not vals:
        return ""
    try:
        v = float(vals[0])
    except ValueError:
        return ""
    unit = vals[1].lower().split("/")[0] if len(vals) > 1 else "kj"
    return v * _UNITS.get(unit, 1.0)


def _thermo(opts) -> list:
    logk = opts.get("log_k", opts.get("logk"))
    logk = _num(logk) if logk else 0.0
    dh = _delta_h(opts.get("delta_h", []))
    an = opts.get("analytic", opts.get("a_e", opts.get("analytical_expression")))
    an = [float(v) for v in an] + [0.0] * (6 - len(an)) if an else [""] * 6
    return [logk, dh, *an]


def _gamma(opts, name, dbname="phreeqc") -> list:
    from polyflow.chem.formula import parse_formula
    z = parse_formula(name).charge if name not in ("e-",) else -1
    if "co2_llnl_gamma" in opts:
        return ["co2_llnl", "", ""]
    if "llnl_gamma" in opts:
        return ["llnl", float(opts["llnl_gamma"][0]), ""] if z else ["neutral", "", 0.0]
    if "gamma" in opts:
        return ["dh", float(opts["gamma"][0]), float(opts["gamma"][1])]
    if dbname == "llnl":     # no llnl_gamma: PHREEQC keeps gamma = 1 (checked: Cyanide-)
        return ["neutral", "", 0.0]
    return ["davies", "", ""] if z else ["neutral", "", 0.1]


def select(db: dict, components: list[str]) -> tuple[list[str], list[dict], list[dict]]:
    """Masters of ``components`` (+ H+, H2O); species and phases reducible to them."""
    masters = ["H+", "H2O", *[db["masters"][c] for c in components]]
    defined = {sp["name"]: sp for sp in db["species"]}

    def basis(name, depth=0):
        if name in masters:
            return {name}
        if name in ("e-", "O2", "H2") or name not in defined or depth > 8:
            return None
        out = set()
        for r in defined[name]["reaction"][0]:
            b = basis(r, depth + 1)
            if b is None:
                return None
            out |= b
        for r in defined[name]["reaction"][1]:
            if r != name:
                b = basis(r, depth + 1)
                if b is None:
                    return None
                out |= b
        return out

    element = {db["masters"][c]: c.split("(")[0] for c in components}

    def one_redox(b):   # no species couples two redox states of one element
        els = [element[m] for m in b if m in element]
        return len(els) == len(set(els))

    def ok(names):
        bs = [basis(r) for r in names]
        return all(bs) and one_redox(set().union(*bs))

    species = [sp for sp in db["species"]
               if sp["name"] not in masters and ok([sp["name"]])]
    ms = [defined[m] for m in masters]
    phases = []
    for ph in db["phases"]:
        if ph["reaction"] is None:
            continue
        lhs, rhs = ph["reaction"]
        names = [*list(lhs)[1:], *rhs]
        if ok(names):
            phases.append(ph)
    return masters, ms + species, phases


def react_text(side) -> str:
    return " + ".join((f"{c:g} {n}" if c != 1 else n) for n, c in side.items())


def rows_for(dbname: str, path: Path) -> list[list]:
    db = read_dat(path)
    masters, species, phases = select(db, COMPONENTS[dbname])
    rows = []
    for k, v in db["model"].items():
        rows.append([dbname, "model", k, " ".join(f"{x:g}" for x in v), *[""] * 11])
    for sp in species:
        lhs, rhs = sp["reaction"]
        kind = "master" if sp["name"] in masters else "species"
        g = ["neutral", "", 0.0] if sp["name"] == "H2O" else _gamma(sp["opts"], sp["name"], dbname)
        rows.append([dbname, kind, sp["name"], f"{react_text(lhs)} = {react_text(rhs)}",
                     *_thermo(sp["opts"]), *g])
    for ph in phases:
        lhs, rhs = ph["reaction"]
        kind = "gas" if ph["name"] in GAS_PHASES or ph["name"].endswith("(g)") else "phase"
        rows.append([dbname, kind, ph["name"], f"{react_text(lhs)} = {react_text(rhs)}",
                     *_thermo(ph["opts"]), "", "", ""])
    return rows


COLUMNS = ["database", "kind", "name", "reaction", "log_k", "delta_h_kJ_mol",
           "a1", "a2", "a3", "a4", "a5", "a6", "gamma_model", "ion_size_A", "gamma_b"]


def dat_path(dbname: str) -> Path:
    if dbname == "phreeqc":
        import phreeqpython
        return Path(phreeqpython.__file__).parent / "database" / "phreeqc.dat"
    import phreeqc
    return Path(phreeqc.__file__).parent / "databases" / f"{dbname}.dat"


def table_text(dbname: str) -> str:
    path = dat_path(dbname)
    raw = path.read_bytes()
    pkg = "phreeqpython" if dbname == "phreeqc" else "phreeqc"
    from importlib.metadata import version
    first = raw.decode("latin-1").splitlines()
    ident = next((ln for ln in first if "$Id" in ln), "").strip("# ").strip()
    out = io.StringIO()
    out.write(
        f"# Aqueous equilibria extracted from PHREEQC's {path.name} (md5 "
        f"{hashlib.md5(raw).hexdigest()}, as shipped in the PyPI package {pkg} "
        f"{version(pkg)}{'; ' + ident if ident else ''}).\n"
        "# PHREEQC databases are public-domain USGS work: Parkhurst & Appelo (2013), USGS "
        "Techniques and Methods 6-A43.\n")
    if dbname == "llnl":
        out.write("# llnl.dat: converted from LLNL thermo.com.V8.R6.230 (J. Johnson, 2000) by "
                  "G. Anderson and D. Parkhurst; B-dot activity model (Helgeson 1969).\n")
    out.write(
        "# Rows verbatim from the database (names normalised: SO4-- -> SO4-2, Cyanide -> CN, "
        "':' -> '*'); written by tests/chem/make_equilibria.py.\n"
        "# kind: master (basis species), species (aqueous, formed by 'reaction'), phase "
        "(solid, dissolution reaction), gas, model (llnl Debye-Hueckel table).\n"
        "# log_k at 298.15 K; delta_h_kJ_mol van 't Hoff enthalpy; a1..a6 analytic log K = "
        "a1 + a2 T + a3/T + a4 log10 T + a5/T^2 + a6 T^2 (used when given).\n"
        "# gamma_model: dh (WATEQ Debye-Hueckel, ion_size_A and gamma_b), davies, neutral "
        "(log g = gamma_b I), llnl (B-dot, ion_size_A), co2_llnl (Drummond 1981).\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows_for(dbname, path):
        w.writerow([(f"{v:.10g}" if isinstance(v, float) else v) for v in r])
    return out.getvalue()


def main() -> None:
    data = Path(__file__).resolve().parents[2] / "src" / "polyflow" / "data"
    for name in COMPONENTS:
        (data / f"equilibria_{name}.csv").write_text(table_text(name), encoding="utf-8")


if __name__ == "__main__":
    main()
