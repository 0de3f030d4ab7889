"""Splitter: one stream divided by fixed fractions, composition unchanged."""

from __future__ import annotations

import math

from polyflow.solve.batch import distribute as distribute_batch
from polyflow.units.base import Param, Unit, read_fraction_table
from polyflow.units.separator import distribute

__all__ = ["Splitter"]


class Splitter(Unit):
    """Divides its inlet (or the mix of its inlets) into outlets of the same composition
    and temperature. The outlet ports are the keys of ``fractions``; one of them may be
    ``"rest"`` and takes what the others leave.

    .. math::  n_{k,i} = f_k \\sum_j n_{in_j,i}, \\qquad T_k = T_{in}, \\qquad \\sum_k f_k = 1

    Source: Felder & Rousseau, *Elementary Principles of Chemical Processes*, 4th ed.
    (2015), §4.5 (splitting points; recycle and purge).

    Example: a 5 % bleed of a 100 t/h raffinate is 5 t/h.

    >>> s = Splitter("bleed_split", fractions={"bleed": "5 %", "recycle": "rest"})
    >>> s.outlet_ports(), s.fraction
    (('bleed', 'recycle'), {'bleed': 0.05, 'recycle': 0.95})
    """

    model = "splitter"
    inlets = ("in*",)
    outlets = ()
    params = {
        "fractions": Param(None, "outlet -> fraction of the inlet ('5 %'); one may be 'rest'",
                           required=True,
                           parse=lambda v: read_fraction_table(v, "fraction to outlet")),
    }

    def validate(self) -> None:
        f = dict(self.p["fractions"])
        if len(f) < 2:
            raise self.fail("a splitter needs at least two outlets", "fractions",
                            hint="name each outlet with its fraction, e.g. "
                                 "{bleed = '5 %', recycle = 'rest'}")
        rest = [k for k, v in f.items() if math.isnan(v)]
        if len(rest) > 1:
            raise self.fail(f"only one outlet may be 'rest' (got {', '.join(rest)})",
                            "fractions")
        given = sum(v for v in f.values() if not math.isnan(v))
        if rest:
            if given > 1.0 + 1e-12:
                raise self.fail(f"the given fractions add up to {given:.6g} > 1 before "
                                f"'rest'", "fractions")
            f[rest[0]] = 1.0 - given
        elif abs(given - 1.0) > 1e-9:
            kind = "over" if given > 1 else "under"
            raise self.misspecified(f"{kind}-specified: fractions add up to {given:.6g}, not 1",
                            "fractions", hint="make them add up to 100 % or mark one 'rest'")
        self.fraction = f

    def outlet_ports(self) -> tuple[str, ...]:
        return tuple(self.fraction)

    def equations(self, eq) -> None:
        distribute(eq, self.fraction)

    @classmethod
    def equations_batch(cls, units, eq) -> None:
        """All splitters at once (the same rows as ``equations``)."""
        distribute_batch(eq, [u.fraction for u in units])
