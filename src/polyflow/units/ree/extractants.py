"""The cascade's extractants and their extraction equilibria, read from
``data/ree_extractants.csv`` and ``data/ree_extraction.csv`` (sources and the status of
every value in the files' headers and rows).

For a metal M of charge z extracted as the dimer complex M(HA2)_z (slope analysis; Xie,
Zhang, Dreisinger & Doyle, Miner. Eng. 56 (2014) 10-28, §3.1):

    M^z+ + z (HA)2(org) → M(HA2)_z(org) + z H+,   log D = z·pH + log_D_pH0 + z·log(C/C_ref)

with C the extractant molarity of the organic (the dimer concentration C/2 enters as its
z-th power, so the intercept moves by z per decade of C).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from polyflow.chem.elements import read_data_csv
from polyflow.errors import InputError

__all__ = [
    "Equilibrium",
    "Extractant",
    "extractant_data",
    "extractant_names",
    "extraction_equilibrium",
]


@dataclass(frozen=True)
class Extractant:
    """``name``, its monomer ``species`` id HA, the ``anion`` formula A of its complexes
    MA_z, and ``per_charge`` molecules bound per unit charge at capacity."""

    name: str
    species: str
    anion: str
    per_charge: float


@dataclass(frozen=True)
class Equilibrium:
    """One metal with one extractant: ``charge`` z, ``slope`` and ``intercept`` of
    log D = slope·pH + intercept at ``molarity`` [mol/L], ``status`` and ``source``."""

    charge: int
    slope: float
    intercept: float
    molarity: float
    status: str
    source: str

    def intercept_at(self, molarity: float) -> float:
        """The intercept at another extractant molarity [mol/L]: + z·log10(C/C_ref)."""
        return self.intercept + self.charge * math.log10(molarity / self.molarity)


@cache
def _extractants() -> dict[str, Extractant]:
    out = {}
    for r in read_data_csv("ree_extractants.csv"):
        ex = Extractant(r["name"], r["species"], r["anion"], float(r["per_charge"]))
        for key in [r["name"], *filter(None, r["aliases"].split(";"))]:
            out[key.strip().lower()] = ex
    return out


@cache
def _equilibria() -> dict[tuple[str, str], Equilibrium]:
    return {(r["extractant"], r["element"]): Equilibrium(
        int(r["charge"]), float(r["pH_slope"]), float(r["log_D_pH0"]),
        float(r["molarity"]), r["status"], r["source"])
        for r in read_data_csv("ree_extraction.csv")}


def extractant_names() -> tuple[str, ...]:
    """The extractants' names (``P507``, ``D2EHPA``, ``Cyanex272``)."""
    return tuple(dict.fromkeys(e.name for e in _extractants().values()))


def extractant_data(name: str) -> Extractant:
    """The extractant called ``name`` or one of its aliases (case-insensitive).

    >>> extractant_data("PC88A").species
    'C16H35O3P(org)'
    """
    try:
        return _extractants()[str(name).strip().lower()]
    except KeyError:
        raise InputError(f"unknown extractant {name!r}",
                         hint=f"one of {', '.join(extractant_names())} "
                              "(data/ree_extractants.csv)") from None


def extraction_equilibrium(extractant: str, element: str) -> Equilibrium | None:
    """The tabulated equilibrium of ``element`` with ``extractant``, or None.

    >>> eq = extraction_equilibrium("P507", "Ca")
    >>> eq.charge, eq.slope
    (2, 2.0)
    """
    return _equilibria().get((extractant_data(extractant).name, element))
