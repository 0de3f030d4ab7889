"""Component separator: each species split to the outlets by fixed fractions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from polyflow.errors import InputError
from polyflow.units.base import Param, Unit, read_fraction_table

__all__ = ["PHASE_WORDS", "Separator", "distribute"]

#: words a split table may use for a whole phase
PHASE_WORDS = {"solids": "s", "solid": "s", "s": "s", "solution": "aq", "aqueous": "aq",
               "aq": "aq", "organic": "org", "org": "org", "gas": "g", "g": "g",
               "liquid": "l", "l": "l"}


def _split_table(value: object) -> dict[str, dict[str, float]]:
    if not isinstance(value, Mapping):
        raise InputError("expected a table {outlet = {species or phase = fraction}}",
                         value=value)
    return {port: read_fraction_table(t, f"split to {port!r} of") for port, t in value.items()}


class Separator(Unit):
    """Splits every species of the inlet(s) to the outlets by given fractions, per
    species or per phase (``solids``, ``solution``, ``organic``, ``gas``, ``liquid``),
    a species entry overriding its phase. ``split`` gives the fractions to every outlet
    but one, ``rest``, which takes the remainder. Outlets leave at the temperature of
    the mixed inlets.

    .. math::

        n_{k,i} = s_{k,i} \\sum_j n_{in_j,i}, \\qquad
        n_{rest,i} = \\Big(1 - \\sum_k s_{k,i}\\Big)\\sum_j n_{in_j,i}

    Source: the "component splitter" of sequential-modular simulators, Westerberg,
    Hutchison, Motard & Winter, *Process Flowsheeting*, Cambridge (1979), ch. 2; a
    thickener with fixed underflow splits, Wills' *Mineral Processing Technology*, 8th ed.
    (2016), ch. 15.

    Example: a thickener sending all solids and 25 % of the solution to the underflow:

    >>> s = Separator("thickener", split={"underflow": {"solids": "100 %",
    ...               "solution": "25 %"}}, rest="overflow")
    >>> s.outlet_ports()
    ('underflow', 'overflow')
    """

    model = "separator"
    inlets = ("in*",)
    outlets = ()
    params = {
        "split": Param(None, "outlet -> {species or phase -> fraction of the inlet}",
                       required=True, parse=_split_table),
        "rest": Param(None, "the outlet that takes what the split leaves", required=True),
    }

    def validate(self) -> None:
        if self.p["rest"] in self.p["split"]:
            raise self.misspecified(f"over-specified: outlet {self.p['rest']!r} is both 'rest' and "
                            "in 'split'", "rest")
        if not self.p["split"]:
            raise self.fail("give the split of at least one outlet", "split")

    def outlet_ports(self) -> tuple[str, ...]:
        return (*self.p["split"], self.p["rest"])

    def bind(self, species) -> None:
        S = len(species)
        self.fractions: dict[str, np.ndarray] = {}
        for port, table in self.p["split"].items():
            f = np.zeros(S)
            for key, v in table.items():   # phases first, species override
                if key in PHASE_WORDS:
                    f[species.mask(PHASE_WORDS[key])] = v
            for key, v in table.items():
                if key not in PHASE_WORDS:
                    try:
                        f[species.idx(key)] = v
                    except Exception as err:
                        raise self.fail(f"split to {port!r}: {err}", "split") from None
            self.fractions[port] = f
        total = sum(self.fractions.values())
        over = np.nonzero(total > 1.0 + 1e-12)[0]
        if len(over):
            raise self.misspecified(f"over-specified: fractions of {species.ids[over[0]]} add "
                                    f"up to "
                            f"{total[over[0]]:.6g} > 1", "split")
        self.fractions[self.p["rest"]] = np.clip(1.0 - total, 0.0, 1.0)

    def equations(self, eq) -> None:
        distribute(eq, self.fractions)


def distribute(eq, fractions: dict[str, float | np.ndarray]) -> None:
    """Equations of a splitting unit: ``n_k = f_k · Σ n_in`` for each outlet ``k``, every
    outlet at the inlet temperature (with several inlets, at the temperature the energy
    balance of their mixing gives)."""
    ins = eq.all_inlets
    ports = list(fractions)
    first = eq.outlets[ports[0]]
    for port in ports:
        out = eq.outlets[port]
        eq.species_map(out, [(s, fractions[port]) for s in ins])
        if len(ins) == 1:
            eq.temperature_equal(out, ins[0])
        elif out == first:
            eq.energy_balance(ins, [eq.outlets[p] for p in ports], primary=first)
        else:
            eq.temperature_equal(out, first)
