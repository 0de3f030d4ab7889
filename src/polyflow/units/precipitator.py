"""Precipitation and crystallisation: stoichiometric or solubility-limited yield."""

from __future__ import annotations

import numpy as np

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity
from polyflow.solve.system import MJ_H_PER_KW, ROW_INTERNAL
from polyflow.units._hydro_common import (
    nu_vector,
    phase_masks,
    reaction_rows,
    read_fraction,
    read_table_list,
    resolve_reaction,
    split_energy,
)
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix

__all__ = ["Precipitator"]


def _read(value: object) -> list[dict]:
    out = []
    for k, r in enumerate(read_table_list(value, "reaction"), start=1):
        if not {"equation", "key"} <= set(r) or ("conversion" in r) == ("solubility" in r):
            raise InputError(f"reaction {k} needs 'equation', 'key' (the dissolved species "
                             "precipitated) and either 'conversion' or 'solubility'", value=r)
        extra = set(r) - {"equation", "key", "conversion", "solubility"}
        if extra:
            raise InputError(f"reaction {k} has unknown field {sorted(extra)[0]!r}")
        item = {"equation": str(r["equation"]), "key": str(r["key"])}
        if "conversion" in r:
            item["conversion"] = read_fraction(r["conversion"], f"reaction {k} conversion")
        else:
            c = parse_quantity(r["solubility"], "concentration")
            if c < 0:
                raise InputError(f"reaction {k}: solubility must be >= 0", value=r["solubility"])
            item["solubility"] = c
        out.append(item)
    return out


class Precipitator(Unit):
    """Precipitation or crystallisation tank: reactions that take a dissolved key
    species out of solution, each either at a fixed ``conversion`` (stoichiometric
    yield) or down to its ``solubility`` [g/L of the key in the outlet liquor]. The
    solubility-limited yield is the complementarity "precipitate only what exceeds
    saturation": ξ ≥ 0, C_sat V − m_key ≥ 0, one of them zero, written with the
    Fischer–Burmeister function (smooth except at the corner), so an undersaturated
    feed precipitates nothing rather than dissolving solid that is not there.

    .. math::

        a = |\\nu_{key}|\\,\\xi\\,M_{key},\\quad b = C_{sat}\\,L_{out}/\\rho - m_{key,out},
        \\quad a + b - \\sqrt{a^2 + b^2} = 0,\\qquad
        n_{out} = M_{fixed}\\,n_{in} + \\sum_r \\nu_r\\,\\xi_r

    with ``L_out`` the outlet liquor mass and ``ρ`` the ``solution_density``. Both
    kinds are written on the outlet, so the water of crystallisation and the liquor
    the reaction makes or removes are counted. Isothermal (``temperature``), with a
    ``duty``, or adiabatic; the heat of reaction (crystallisation) is reported.

    Source: crystalliser yield from a solubility, McCabe, Smith & Harriott, *Unit
    Operations of Chemical Engineering*, 7th ed. (2005), §27.2 (yields, material
    balance); Fischer–Burmeister complementarity, Fischer, *Optimization* 24 (1992) 269.

    Example: 10 t/h of soda-ash liquor holding 4 t/h of Na2CO3 (400 g/L at 1 t/m3)
    cooled to where it dissolves 300 g/L, anhydrous crystals: a crystal rate x leaves
    4000 − x kg/h dissolved in (10000 − x)/1000 m3/h, so 4000 − x = 0.3 (10000 − x) and
    x = 1000/0.7 = 1428.6 kg/h.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "Na2CO3(aq)", "Na2CO3(s)"])
    >>> _ = fs.add(Feed("liquor", flows={"H2O": "6 t/h", "Na2CO3(aq)": "4 t/h"}))
    >>> _ = fs.add(Precipitator("crystalliser", temperature="25 degC", reactions=[
    ...     {"equation": "Na2CO3(aq) -> Na2CO3(s)", "key": "Na2CO3(aq)",
    ...      "solubility": "300 g/L"}]))
    >>> _ = fs.add(Product("slurry"))
    >>> fs.connect("f", "liquor", "crystalliser"); fs.connect("s", "crystalliser", "slurry")
    >>> round(fs.solve().flow_kg_h("s")["Na2CO3(s)"], 1)
    1428.6
    """

    model = "precipitator"
    inlets = ("feed*",)
    outlets = ("slurry",)
    params = {
        "reactions": Param(None, "list of {equation, key, conversion} or {equation, key, "
                                 "solubility}", required=True, parse=_read),
        "solution_density": Param("density", "liquor density (volume for the solubility)",
                                  default=1000.0, bounds=(700.0, 2500.0)),
        "temperature": Param("temperature", "outlet temperature (isothermal)",
                             bounds=(273.15, 573.15)),
        "duty": Param("power", "heat added (negative: removed); adiabatic if neither"),
    }
    results = {
        "yield_{species}": Reported("%", "share of the key species fed that precipitates"),
        "heat_of_reaction": Reported("kW", "Σ ξ ΔHr(25 °C), negative when exothermic"),
        "precipitate": Reported("kg/h", "solids formed"),
    }

    def validate(self) -> None:
        self.at_most_one("temperature", "duty")

    def bind(self, species) -> None:
        self._species = species
        self.solids, self.gas, self.liquor = phase_masks(species)
        fixed = ([], [], [])
        self.sol: list[dict] = []
        self.all_rx = []
        for k, r in enumerate(self.p["reactions"], start=1):
            rx, key = resolve_reaction(self, r["equation"], r["key"], k)
            self.all_rx.append(rx)
            if "conversion" in r:
                fixed[0].append(rx)
                fixed[1].append(key)
                fixed[2].append(r["conversion"])
            else:
                if self.solids[key] or self.gas[key]:
                    raise self.fail(f"reaction {k}: the key of a solubility is the dissolved "
                                    f"species, not {species.ids[key]!r}", "reactions")
                nu = nu_vector(rx, species)
                self.sol.append({"rx": rx, "key": key, "nu": nu, "C": r["solubility"]})
        self.fixed = fixed
        self.M = conversion_matrix(*fixed, species) if fixed[0] else np.eye(len(species))

    def equations(self, eq) -> None:
        out = eq.outlets["slurry"]
        ins = eq.all_inlets
        mw = eq.species.mw
        rho = self.p["solution_density"]
        liq = self.liquor
        for it in self.sol:
            key = eq.species.ids[it["key"]].split("(")[0]
            it["xi"] = eq.internal([f"extent_{key}"], [0.0])[0]
        reaction_rows(eq, eq.flows(out), [eq.flows(s) for s in ins], self.M,
                      [it["nu"] for it in self.sol], [it["xi"] for it in self.sol], out)
        for it in self.sol:
            k = it["key"]
            cols = np.concatenate([[it["xi"]], eq.flows(out)])
            w = np.where(liq, it["C"] / rho * mw, 0.0)
            w[k] -= mw[k]
            ak = abs(it["nu"][k]) * mw[k]

            def ab(x, w=w, ak=ak):
                return ak * x[0], float(w @ x[1:])

            def func(x, ab=ab):
                a, b = ab(x)
                r = a + b - np.sqrt(a * a + b * b + 1e-300)
                return np.array([r]), np.array([abs(a) + abs(b)])

            def jac(x, ab=ab, w=w, ak=ak):
                a, b = ab(x)
                n = np.sqrt(a * a + b * b + 1e-300)
                da, db = 1.0 - a / n, 1.0 - b / n
                if a == 0.0 and b == 0.0:
                    da = db = 1.0 - 1.0 / np.sqrt(2.0)
                return np.concatenate([[da * ak], db * w])[None, :]

            def func0(x, w=w):   # first step from zero flows: saturated
                b = float(w @ x[1:])
                return np.array([b]), np.array([abs(b)])

            def jac0(x, w=w):
                return np.concatenate([[0.0], w])[None, :]

            eq.nonlinear(cols, 1, func, jac, stream=out, var=ROW_INTERNAL,
                         labels=[f"solubility of {eq.species.ids[k]}"], start=(func0, jac0))
        split_energy(eq, [out], duty_kW=self.p["duty"] or 0.0,
                     temperature=self.p["temperature"], reactive=True)

    def report(self, sol) -> dict[str, float]:
        sp = sol.species
        n_in = sol.inlet_total()
        out: dict[str, float] = {}
        n = n_in.astype(float).copy()
        q = 0.0
        for rx, key, X in zip(*self.fixed, strict=True):
            nu = nu_vector(rx, sp)
            xi = X * n[key] / abs(nu[key])
            n += nu * xi
            q += xi * rx.dH()
        z = sol.internal
        for j, it in enumerate(self.sol):
            xi = float(z[j])
            q += xi * it["rx"].dH()
            k = it["key"]
            fed = n_in[k]
            out[f"yield_{sp.ids[k].split('(')[0]}"] = 100.0 * abs(it["nu"][k]) * xi / fed \
                if fed > 0 else 0.0
        out["heat_of_reaction"] = q / MJ_H_PER_KW
        n_out = sol.outlets["slurry"][0]
        out["precipitate"] = float(sp.mw[self.solids] @ (n_out - n_in)[self.solids])
        return out
