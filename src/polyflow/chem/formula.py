"""Chemical formulas: element composition, charge and molar mass.

A formula is written as chemists write it, with optional parentheses or brackets,
hydrate water after ``·`` or ``*``, fractional subscripts, and a trailing charge
for ions (``Cu+2``, ``SO4-2``, ``H+``, ``Au(CN)2-``).

>>> f = parse_formula("CuFeS2")
>>> f.elements
{'Cu': 1.0, 'Fe': 1.0, 'S': 2.0}
>>> round(f.molar_mass, 3)
183.511
>>> parse_formula("(NH4)10[H2W12O42]*4H2O").elements["W"]
12.0
>>> parse_formula("SO4-2").charge
-2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from polyflow.chem.elements import atomic_weight, element_table
from polyflow.errors import DataError

__all__ = ["Formula", "parse_formula"]

_TOKEN = re.compile(r"([A-Z][a-z]?)|([(\[])|([)\]])|(\d+(?:\.\d+)?)")
_CHARGE = re.compile(r"(?<=[A-Za-z0-9)\]])([+-])(\d*)$")
_OPEN_FOR = {")": "(", "]": "["}


@dataclass(frozen=True)
class Formula:
    """Parsed formula: ``elements`` maps symbol -> atoms per formula unit."""

    text: str
    elements: dict[str, float] = field(hash=False)
    charge: int = 0

    @property
    def molar_mass(self) -> float:
        """Molar mass [g/mol] = [kg/kmol] from IUPAC standard atomic weights."""
        return sum(n * atomic_weight(el) for el, n in self.elements.items())


def _parse_group(text: str, whole: str) -> dict[str, float]:
    stack: list[tuple[dict[str, float], str]] = [({}, "")]
    pos = 0
    last: dict[str, float] | str | None = None  # what a following number multiplies
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise DataError(f"cannot read formula {whole!r} at {text[pos:]!r}",
                            hint="write elements with a capital letter, e.g. 'CuSO4', 'Ca(OH)2'")
        symbol, opener, closer, number = m.groups()
        pos = m.end()
        counts = stack[-1][0]
        if symbol:
            if symbol not in element_table():
                raise DataError(f"unknown element {symbol!r} in formula {whole!r}")
            counts[symbol] = counts.get(symbol, 0.0) + 1.0
            last = symbol
        elif opener:
            stack.append(({}, opener))
            last = None
        elif closer:
            inner, opened = stack.pop() if len(stack) > 1 else (None, "")
            if inner is None or opened != _OPEN_FOR[closer]:
                raise DataError(f"unbalanced {closer!r} in formula {whole!r}")
            outer = stack[-1][0]
            mult = 1.0
            n = _TOKEN.match(text, pos)
            if n and n.group(4):
                mult = float(n.group(4))
                pos = n.end()
            for el, c in inner.items():
                outer[el] = outer.get(el, 0.0) + c * mult
            last = None
        else:
            if not isinstance(last, str):
                raise DataError(f"number {number!r} without an element in formula {whole!r}")
            counts[last] += float(number) - 1.0
            last = None
    if len(stack) != 1:
        raise DataError(f"unclosed parenthesis in formula {whole!r}")
    return stack[0][0]


@cache
def parse_formula(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`; raises :class:`DataError` naming the fault."""
    body = text.strip().replace(" ", "")
    charge = 0
    m = _CHARGE.search(body)
    if m:
        charge = (1 if m.group(1) == "+" else -1) * int(m.group(2) or 1)
        body = body[: m.start()]
    elements: dict[str, float] = {}
    for i, part in enumerate(re.split(r"[·*]", body)):
        mult = 1.0
        lead = re.match(r"^(\d+(?:\.\d+)?)", part) if i > 0 else None
        if lead:
            mult = float(lead.group(1))
            part = part[lead.end():]
        if not part:
            raise DataError(f"empty part in formula {text!r}")
        for el, n in _parse_group(part, text).items():
            elements[el] = elements.get(el, 0.0) + n * mult
    if not elements:
        raise DataError(f"formula {text!r} has no elements")
    return Formula(text, elements, charge)
