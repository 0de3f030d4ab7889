"""Aqueous equilibrium data: masters, formation reactions, log K(T), activity parameters.

The tables ``polyflow/data/equilibria_<db>.csv`` hold PHREEQC database rows verbatim
(``phreeqc``: phreeqc.dat; ``llnl``: llnl.dat, public-domain USGS work, Parkhurst & Appelo
2013, USGS Techniques and Methods 6-A43). This module rewrites every aqueous species and
every phase onto the **master species** (one per element and redox state, plus H+ and H2O),
so that

.. math::

    \\log_{10} a_j = \\log_{10} K_j(T) + \\sum_k \\nu_{jk} \\log_{10} a_k
                   + \\nu_{jw} \\log_{10} a_w ,
    \\qquad
    \\mathrm{SI}_p = \\sum_k n_{pk} \\log_{10} a_k + n_{pw} \\log_{10} a_w - \\log_{10} K_p(T)

Redox states are fixed: Fe+2 and Fe+3, SO4-2 and HS- are separate masters and no species
that couples two states of one element is kept (no electron balance).

Every log K is held as PHREEQC's analytic expression (Parkhurst & Appelo 2013, eq. 9),

.. math::

    \\log_{10} K(T) = a_1 + a_2 T + a_3/T + a_4 \\log_{10} T + a_5/T^2 + a_6 T^2

with a van 't Hoff row (log K at 298.15 K and ΔH°r) turned into a1 and a3; summing reactions
sums coefficients.

>>> db = load_equilibria("phreeqc")
>>> sp = db.species["HSO4-"]
>>> sp.nu, round(float(log_k(sp.coef, 298.15)), 3)      # SO4-2 + H+ = HSO4-
({'SO4-2': 1.0, 'H+': 1.0}, 1.988)
>>> db.phases["Gypsum"].nu, round(float(log_k(db.phases["Gypsum"].coef, 298.15)), 2)
({'Ca+2': 1.0, 'SO4-2': 1.0, 'H2O': 2.0}, -4.58)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from polyflow.chem.elements import read_data_csv
from polyflow.chem.formula import parse_formula
from polyflow.errors import DataError, did_you_mean

__all__ = ["DATABASES", "EquilibriumDatabase", "Reaction", "dlog_k_dT", "load_equilibria",
           "log_k", "log_k_table", "reaction_enthalpy"]

DATABASES = ("phreeqc", "llnl")
R_GAS = 8.314462618   # J/(mol K), CODATA 2018
LN10 = math.log(10.0)
T0 = 298.15


@dataclass(frozen=True)
class Reaction:
    """A species or phase written on the masters: ``nu`` {master: coefficient} (H2O included),
    ``coef`` the six analytic log K coefficients, activity parameters for aqueous species."""

    name: str
    kind: str
    nu: dict[str, float]
    coef: np.ndarray
    charge: int = 0
    gamma_model: str = ""
    ion_size: float = 0.0
    gamma_b: float = 0.0


@dataclass
class EquilibriumDatabase:
    """One database: ``masters`` (names, H+ and H2O first), ``species`` (masters included,
    with nu = {self: 1}), ``phases`` (solids), ``gases``, ``model`` (llnl B-dot table)."""

    name: str
    masters: list[str]
    species: dict[str, Reaction]
    phases: dict[str, Reaction]
    gases: dict[str, Reaction]
    model: dict[str, np.ndarray] = field(default_factory=dict)
    header: str = ""

    def find(self, formula: str) -> Reaction | None:
        """The aqueous species with the elements and charge of ``formula`` (None if absent)."""
        key = _composition_key(formula)
        return self._by_composition().get(key)

    @cache  # noqa: B019 - the database is built once per name by load_equilibria (cached)
    def _by_composition(self) -> dict:
        out: dict = {}
        for name in self.species:
            try:
                k = _composition_key(name)
            except DataError:    # a database name polyflow cannot parse
                continue
            out.setdefault(k, self.species[name])
        return out

    def __hash__(self) -> int:
        return hash(self.name)


def _composition_key(formula: str):
    f = parse_formula(formula)
    return (tuple(sorted((e, round(n, 6)) for e, n in f.elements.items())), f.charge)


def _side(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for term in re.split(r"\s\+\s", text.strip()):
        p = term.split()
        c, name = (float(p[0]), p[1]) if len(p) == 2 else (1.0, p[0])
        out[name] = out.get(name, 0.0) + c
    return out


def _coef(row: dict[str, str]) -> np.ndarray:
    a = [row[f"a{i}"] for i in range(1, 7)]
    if any(v.strip() for v in a):
        return np.array([float(v) if v.strip() else 0.0 for v in a])
    lk = float(row["log_k"] or 0.0)
    dh = float(row["delta_h_kJ_mol"] or 0.0) * 1000.0
    return np.array([lk + dh / (R_GAS * LN10 * T0), 0.0, -dh / (R_GAS * LN10), 0.0, 0.0, 0.0])


def log_k(coef: np.ndarray, T) -> np.ndarray:
    """log10 K at ``T`` [K] from analytic coefficients ``coef`` (..., 6)."""
    T = np.asarray(T, dtype=float)
    c = np.moveaxis(np.asarray(coef), -1, 0)
    return c[0] + c[1] * T + c[2] / T + c[3] * np.log10(T) + c[4] / T**2 + c[5] * T**2


def dlog_k_dT(coef: np.ndarray, T) -> np.ndarray:
    """d log10 K / dT [1/K]."""
    T = np.asarray(T, dtype=float)
    c = np.moveaxis(np.asarray(coef), -1, 0)
    return c[1] - c[2] / T**2 + c[3] / (T * LN10) - 2 * c[4] / T**3 + 2 * c[5] * T


def reaction_enthalpy(coef: np.ndarray, T) -> np.ndarray:
    """Standard enthalpy of reaction [kJ/mol] implied by log K(T), van 't Hoff:
    ΔH°r = R ln10 T² d log K/dT. Compare with the species tables' formation enthalpies.

    >>> db = load_equilibria("llnl")
    >>> round(float(reaction_enthalpy(db.species["HCN"].coef, 298.15)), 1)  # NBS82: -43.5
    -43.2
    """
    T = np.asarray(T, dtype=float)
    return R_GAS * LN10 * T**2 * dlog_k_dT(coef, T) / 1000.0


def log_k_table(coef: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log10 K and d log10 K/dT of reactions ``coef`` (S, 6) at temperatures ``T`` (N,):
    (N, S) each, as one matrix product with the T basis [1, T, 1/T, log10 T, 1/T², T²]."""
    T = np.asarray(T, dtype=float)
    basis = np.stack([np.ones_like(T), T, 1 / T, np.log10(T), 1 / T**2, T**2], axis=1)
    dbasis = np.stack([np.zeros_like(T), np.ones_like(T), -1 / T**2, 1 / (T * LN10),
                       -2 / T**3, 2 * T], axis=1)
    return basis @ coef.T, dbasis @ coef.T


@cache
def load_equilibria(name: str = "phreeqc") -> EquilibriumDatabase:
    """Load ``data/equilibria_<name>.csv`` and rewrite every reaction onto its masters."""
    if name not in DATABASES:
        raise DataError(f"unknown equilibrium database {name!r}", field="database",
                        hint=did_you_mean(name, DATABASES))
    rows = read_data_csv(f"equilibria_{name}.csv")
    masters = [r["name"] for r in rows if r["kind"] == "master"]
    raw: dict[str, tuple[dict, dict, dict]] = {}
    model: dict[str, np.ndarray] = {}
    for r in rows:
        if r["kind"] == "model":
            model[r["name"]] = np.array([float(v) for v in r["reaction"].split()])
            continue
        lhs, rhs = (_side(s) for s in r["reaction"].split(" = "))
        key = r["name"] if r["kind"] in ("species", "master") else f"{r['kind']}:{r['name']}"
        raw[key] = (lhs, rhs, r)

    def expand(name: str, depth: int = 0) -> tuple[dict[str, float], np.ndarray]:
        """log a_name = coef·(T terms) + Σ nu log a_master."""
        if name in masters:
            return {name: 1.0}, np.zeros(6)
        if name not in raw or depth > 10:
            raise DataError(f"equilibria_{name}.csv: species {name!r} is not reducible to "
                            "the master species")
        lhs, rhs, row = raw[name]
        c = rhs[name]
        nu: dict[str, float] = {}
        coef = _coef(row).copy()
        terms = [(s, v) for s, v in lhs.items()] + [(s, -v) for s, v in rhs.items() if s != name]
        for s, v in terms:
            sub, sc = expand(s, depth + 1)
            coef = coef + v * sc
            for m, x in sub.items():
                nu[m] = nu.get(m, 0.0) + v * x
        return ({m: x / c for m, x in nu.items() if abs(x) > 1e-12}, coef / c)

    species: dict[str, Reaction] = {}
    phases: dict[str, Reaction] = {}
    gases: dict[str, Reaction] = {}
    for key, (lhs, rhs, row) in raw.items():
        kind = row["kind"]
        if kind in ("species", "master"):
            nu, coef = expand(key)
            species[key] = Reaction(
                key, kind, nu, coef, parse_formula(key).charge, row["gamma_model"],
                float(row["ion_size_A"] or 0.0), float(row["gamma_b"] or 0.0))
        else:
            # dissolution: phase (first on the left) = products; log K = IAP at equilibrium
            phase = next(iter(lhs))
            nu: dict[str, float] = {}
            coef = _coef(row).copy()
            terms = [(s, v) for s, v in rhs.items()] + \
                    [(s, -v) for s, v in lhs.items() if s != phase]
            for s, v in terms:
                sub, sc = expand(s)
                coef = coef - v * sc      # log K_p = Σ v log a_s = Σ v (K_s + nu log a)
                for m, x in sub.items():
                    nu[m] = nu.get(m, 0.0) + v * x
            nu = {m: x / lhs[phase] for m, x in nu.items() if abs(x) > 1e-12}
            reaction = Reaction(row["name"], kind, nu, coef / lhs[phase])
            (gases if kind == "gas" else phases)[row["name"]] = reaction
    header = "\n".join(ln for ln in _header_lines(name))
    return EquilibriumDatabase(name, masters, species, phases, gases, model, header)


def _header_lines(name: str) -> list[str]:
    from importlib import resources
    text = resources.files("polyflow.data").joinpath(f"equilibria_{name}.csv").read_text(
        encoding="utf-8")
    return [ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")]
