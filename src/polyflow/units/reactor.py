"""Stoichiometric reactor: reactions at a fixed fractional conversion of a key species."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from polyflow.chem.reactions import Reaction, parse_reaction
from polyflow.errors import InputError, PolyflowError
from polyflow.quantity import parse_quantity
from polyflow.solve.batch import pass_through
from polyflow.solve.system import MJ_H_PER_KW
from polyflow.units.base import Param, Reported, Unit

__all__ = ["StoichiometricReactor", "conversion_matrix", "read_reactions"]


def read_reactions(value: object) -> list[dict]:
    """``[{equation = "...", key = "CuO", conversion = "92 %"}, ...]`` checked for form."""
    if isinstance(value, Mapping) or not isinstance(value, Sequence) or isinstance(value, str):
        raise InputError("expected a list of reactions such as [{equation = 'CuO + H2SO4 -> "
                         "CuSO4 + H2O', key = 'CuO', conversion = '95 %'}]", value=value)
    out = []
    for k, r in enumerate(value, start=1):
        if not isinstance(r, Mapping) or not {"equation", "key", "conversion"} <= set(r):
            raise InputError(f"reaction {k} needs 'equation', 'key' and 'conversion'",
                             value=r)
        extra = set(r) - {"equation", "key", "conversion"}
        if extra:
            raise InputError(f"reaction {k} has unknown field {sorted(extra)[0]!r}",
                             hint="a reaction has 'equation', 'key' and 'conversion'")
        try:
            x = parse_quantity(r["conversion"], "fraction")
        except InputError as err:
            raise InputError(f"reaction {k} conversion: {err.message}", hint=err.hint) from None
        if not 0.0 <= x <= 1.0:
            raise InputError(f"reaction {k} conversion must be between 0 and 100 %",
                             value=r["conversion"])
        out.append({"equation": str(r["equation"]), "key": str(r["key"]), "conversion": x})
    return out


def conversion_matrix(reactions: list[Reaction], keys: list[int], conversions: list[float],
                      species) -> np.ndarray:
    """Matrix ``M`` with ``n_out = M n_in`` for reactions taken in sequence, each
    converting the fraction ``X_r`` of its key species present when it starts:
    ``ξ_r = X_r n_key / |ν_key|``, ``n ← n + ν_r ξ_r``."""
    S = len(species)
    M = np.eye(S)
    for rx, key, X in zip(reactions, keys, conversions, strict=True):
        nu = np.zeros(S)
        for sid, v in rx.nu.items():
            nu[species.idx(sid)] = v
        step = np.eye(S)
        step[:, key] += nu * X / abs(nu[key])
        M = step @ M
    return M


class StoichiometricReactor(Unit):
    """Reactions with a fixed fractional conversion of a key reactant each, taken in the
    order listed; isothermal (``temperature``), with a given heat ``duty``, or adiabatic
    (neither). Every reaction is checked for element and charge balance when loaded.

    .. math::

        \\xi_r = X_r\\,\\frac{n_{key_r}}{|\\nu_{key_r,r}|},\\qquad
        n_{out,i} = n_{in,i} + \\sum_r \\nu_{i,r}\\,\\xi_r,\\qquad
        H_{out} = H_{in} + Q

    With enthalpies on the formation basis the heat of reaction is inside ``H``; it is
    also reported as :math:`\\sum_r \\xi_r \\Delta H_r(298.15\\,K)`.

    Source: the fractional-conversion reactor (RStoic) of Felder & Rousseau,
    *Elementary Principles of Chemical Processes*, 4th ed. (2015), §4.6 (extent of
    reaction) and §9.5 (energy balances on reactive processes, heat-of-formation method).

    Example: 1 kmol/h of tenorite fully leached by sulfuric acid at 25 °C,
    CuO + H2SO4 -> CuSO4 + H2O with ΔHr = −63.76 kJ/mol (NBS 1982), releases
    63.76 MJ/h = 17.71 kW, which an isothermal tank must remove:

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O"])
    >>> _ = fs.add(Feed("ore", flows={"CuO": "1 kmol/h", "H2SO4": "1.2 kmol/h",
    ...                               "H2O": "50 kmol/h"}))
    >>> _ = fs.add(StoichiometricReactor("leach", temperature="25 degC", reactions=[
    ...     {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO", "conversion": "100 %"}]))
    >>> _ = fs.add(Product("pls"))
    >>> fs.connect("feed", "ore", "leach"); fs.connect("slurry", "leach", "pls")
    >>> e = fs.solve().energy["leach"]
    >>> round(e["duty_kW"], 2), round(e["heat_of_reaction_kW"], 2)
    (-17.71, -17.71)
    """

    model = "stoichiometric_reactor"
    inlets = ("in*",)
    outlets = ("out",)
    params = {
        "reactions": Param(None, "list of {equation, key, conversion}", required=True,
                           parse=read_reactions),
        "temperature": Param("temperature", "outlet temperature (isothermal)",
                             bounds=(150.0, 2500.0)),
        "duty": Param("power", "heat added (negative to remove); adiabatic if neither "
                               "this nor temperature is given"),
    }
    results = {
        "heat_of_reaction": Reported("kW", "Σ ξ ΔHr(25 °C), negative when exothermic"),
    }

    def validate(self) -> None:
        self.at_most_one("temperature", "duty")

    def bind(self, species) -> None:
        self.reactions: list[Reaction] = []
        self.keys: list[int] = []
        for k, r in enumerate(self.p["reactions"], start=1):
            try:
                rx = parse_reaction(r["equation"], species.database)
                for sid in rx.nu:
                    species.idx(sid)
                key = species.idx(r["key"])
            except PolyflowError as err:
                raise self.fail(f"reaction {k}: {err.message}", "reactions",
                                hint=err.hint) from None
            if rx.nu.get(species.ids[key], 0.0) >= 0:
                raise self.fail(f"reaction {k}: key {r['key']!r} is not a reactant of "
                                f"{r['equation']!r}", "reactions",
                                hint="the key is the reactant whose conversion is given")
            self.reactions.append(rx)
            self.keys.append(key)
        self.conversions = [r["conversion"] for r in self.p["reactions"]]
        self.M = conversion_matrix(self.reactions, self.keys, self.conversions, species)
        self.species = species
        #: per reaction: (species positions, stoichiometric coefficients, |ν| of the key)
        self._nu = [(np.array([species.idx(sid) for sid in rx.nu]),
                     np.array(list(rx.nu.values()), dtype=float),
                     abs(rx.nu[species.ids[key]]))
                    for rx, key in zip(self.reactions, self.keys, strict=True)]
        #: heats of reaction at 25 °C [kJ/mol], for the report
        self._dH = [rx.dH() for rx in self.reactions]

    def extents(self, n_in: np.ndarray) -> list[float]:
        """Extent of each reaction [kmol/h] for the combined inlet flows ``n_in``."""
        n = np.array(n_in, dtype=float)
        out = []
        for (idx, nu, nu_key), key, X in zip(self._nu, self.keys, self.conversions,
                                             strict=True):
            xi = X * n[key] / nu_key
            n[idx] += nu * xi
            out.append(float(xi))
        return out

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        ins = eq.all_inlets
        eq.species_map(out, [(s, self.M) for s in ins])
        if self.p["temperature"] is not None:
            eq.temperature_fixed(out, self.p["temperature"])
        else:
            eq.energy_balance(ins, [out], primary=out, duty_kW=self.p["duty"] or 0.0)

    @classmethod
    def equations_batch(cls, units, eq) -> None:
        """All fixed-conversion reactors at once (the same rows as ``equations``)."""
        T = np.array([np.nan if u.p["temperature"] is None else u.p["temperature"]
                      for u in units], dtype=float)
        duty = np.array([u.p["duty"] or 0.0 for u in units], dtype=float)
        pass_through(eq, np.array([u.M for u in units], dtype=float), T, duty)

    def report(self, sol) -> dict[str, float]:
        xi = self.extents(sol.inlet_total())
        q = sum(x * dH for x, dH in zip(xi, self._dH, strict=True)) / MJ_H_PER_KW
        return {"heat_of_reaction": float(q)}
