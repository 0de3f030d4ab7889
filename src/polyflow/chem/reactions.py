"""Reactions written as chemists write them, checked for element and charge balance.

``"CuO + H2SO4 -> CuSO4 + H2O"``: each side is ``+``-separated terms, an optional
stoichiometric coefficient (``2``, ``0.5``, ``3/2``) before a species id or alias.
The arrow may be ``->``, ``=>``, ``=`` or ``→``. A species is a whole term, so ions are
written with their charge (``Cu+2``); a term is split only at `` + `` with spaces.

The heat of reaction follows from the formation enthalpies (Hess's law):

.. math::  \\Delta H_r(T) = \\sum_i \\nu_i\\, h_i(T)

>>> from polyflow.chem.species import load_database
>>> r = parse_reaction("CuO + H2SO4 -> CuSO4 + H2O", load_database())
>>> r.nu
{'CuO(s)': -1.0, 'H2SO4(aq)': -1.0, 'CuSO4(aq)': 1.0, 'H2O(l)': 1.0}
>>> round(r.dH(298.15), 2)       # kJ/mol, NBS 1982 values
-63.76
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from polyflow.chem.species import SpeciesDatabase
from polyflow.errors import DataError, ReactionError

__all__ = ["Reaction", "parse_reaction"]

_ARROW = re.compile(r"\s*(?:->|=>|→|=)\s*")
_TERM = re.compile(r"^\s*(\d+(?:\.\d+)?(?:/\d+)?)?\s*(\S.*?)\s*$")
_BALANCE_TOL = 1e-9


@dataclass(frozen=True)
class Reaction:
    """A balanced reaction: ``nu`` maps species id -> stoichiometric coefficient
    (negative for reactants)."""

    equation: str
    nu: dict[str, float]
    database: SpeciesDatabase

    def dH(self, T: float = 298.15) -> float:
        """Heat of reaction at ``T`` [kJ per mol of reaction extent]."""
        return float(sum(n * self.database[s].h(T) for s, n in self.nu.items()))

    @property
    def reactants(self) -> list[str]:
        return [s for s, n in self.nu.items() if n < 0]

    @property
    def products(self) -> list[str]:
        return [s for s, n in self.nu.items() if n > 0]


def _coefficient(text: str | None) -> float:
    return float(Fraction(text)) if text else 1.0


def _side(text: str, equation: str, db: SpeciesDatabase) -> dict[str, float]:
    out: dict[str, float] = {}
    for term in re.split(r"\s+\+\s+", text.strip()):
        m = _TERM.match(term)
        if not term.strip() or not m:
            raise ReactionError(f"empty term in reaction {equation!r}",
                                hint="write terms as '2 H2O' separated by ' + '")
        coef, name = m.groups()
        try:
            sid = db.resolve(name)
        except DataError as err:
            raise ReactionError(f"reaction {equation!r}: {err.message}", hint=err.hint) from None
        out[sid] = out.get(sid, 0.0) + _coefficient(coef)
    return out


def parse_reaction(equation: str, db: SpeciesDatabase) -> Reaction:
    """Parse and check ``equation``; raises :class:`ReactionError` naming any imbalance.

    >>> from polyflow.chem.species import load_database
    >>> parse_reaction("CuO + H2SO4 -> CuSO4", load_database())
    Traceback (most recent call last):
    ...
    polyflow.errors.ReactionError: reaction 'CuO + H2SO4 -> CuSO4' does not balance: O -1 ...

    """
    parts = _ARROW.split(equation)
    if len(parts) != 2:
        raise ReactionError(f"reaction {equation!r} needs exactly one arrow '->'",
                            hint="write e.g. 'CuO + H2SO4 -> CuSO4 + H2O'")
    left, right = (_side(p, equation, db) for p in parts)
    nu: dict[str, float] = {s: -n for s, n in left.items()}
    for s, n in right.items():
        nu[s] = nu.get(s, 0.0) + n
    nu = {s: n for s, n in nu.items() if n != 0.0}
    balance: dict[str, float] = {}
    charge = 0.0
    for s, n in nu.items():
        sp = db[s]
        charge += n * sp.charge
        for el, a in sp.elements.items():
            balance[el] = balance.get(el, 0.0) + n * a
    off = {el: v for el, v in balance.items() if abs(v) > _BALANCE_TOL}
    problems = [f"{el} {'+' if v > 0 else ''}{v:g} (products minus reactants)"
                for el, v in off.items()]
    if abs(charge) > _BALANCE_TOL:
        problems.append(f"charge {charge:+g}")
    if problems:
        raise ReactionError(f"reaction {equation!r} does not balance: " + ", ".join(problems),
                            hint="fix the coefficients so every element and the charge balance")
    return Reaction(equation, nu, db)
