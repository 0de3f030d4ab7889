"""Solved stream values as one unit sees them (for its power, duty and report)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyflow.chem.species import SpeciesSet
from polyflow.solve.system import MJ_H_PER_KW

__all__ = ["UnitSolution", "enthalpy_kW"]


def enthalpy_kW(species: SpeciesSet, n: np.ndarray, T: float) -> float:
    """Enthalpy flow of a stream on the formation basis [kW]: (Σ n_i h_i(T) + H_ex) / 3.6,
    with ``H_ex`` the heat of dilution of concentrated electrolytes
    (:mod:`polyflow.chem.dilution`)."""
    H_ex = species.H_excess(n)[0][0] if species.apparent is not None else 0.0
    return float((n @ species.h_molar(np.array([T]))[0] + H_ex) / MJ_H_PER_KW)


@dataclass
class UnitSolution:
    """Flows [kmol/h] and temperatures [K] of one unit's streams after the solve."""

    species: SpeciesSet
    inlets: dict[str, list[tuple[np.ndarray, float]]]
    outlets: dict[str, tuple[np.ndarray, float]]
    internal: np.ndarray

    def inlet_total(self) -> np.ndarray:
        """Sum of all inlet species flows [kmol/h]."""
        return sum((n for streams in self.inlets.values() for n, _ in streams),
                   np.zeros(len(self.species)))

    def outlet_total(self) -> np.ndarray:
        return sum((n for n, _ in self.outlets.values()), np.zeros(len(self.species)))

    def H_in(self) -> float:
        return sum(enthalpy_kW(self.species, n, T)
                   for streams in self.inlets.values() for n, T in streams)

    def H_out(self) -> float:
        return sum(enthalpy_kW(self.species, n, T) for n, T in self.outlets.values())
