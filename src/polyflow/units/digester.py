"""Digester: reactions at fixed conversions, then reactions limited by their equilibrium
(scheelite soda digestion, CaWO4 + Na2CO3 ⇌ Na2WO4 + CaCO3)."""

from __future__ import annotations

import math

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
from polyflow.units._leach_kinetics import R_GAS
from polyflow.units._tank_loads import heat_loss_params, tank_geometry, tank_heat_loss_coefficient
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix

__all__ = ["Digester", "equilibrium_constant"]


def read_digestion(value: object) -> list[dict]:
    """``[{equation, key, conversion} | {equation, key, K, K_temperature, delta_H}]``."""
    out = []
    for k, r in enumerate(read_table_list(value, "reaction"), start=1):
        fields = set(r)
        allowed = {"equation", "key", "conversion", "K", "K_temperature", "delta_H"}
        if not {"equation", "key"} <= fields or ("conversion" in r) == ("K" in r):
            raise InputError(f"reaction {k} needs 'equation', 'key' and either "
                             "'conversion' or the equilibrium constant 'K' (with "
                             "'K_temperature')", value=r)
        if fields - allowed:
            raise InputError(f"reaction {k} has unknown field {sorted(fields - allowed)[0]!r}",
                             hint="a reaction has equation, key and conversion, or K, "
                                  "K_temperature and optionally delta_H")
        item: dict = {"equation": str(r["equation"]), "key": str(r["key"])}
        if "conversion" in r:
            item["conversion"] = read_fraction(r["conversion"], f"reaction {k} conversion")
        else:
            try:
                K = float(r["K"])
            except (TypeError, ValueError):
                raise InputError(f"reaction {k}: K must be a number above zero",
                                 value=r["K"]) from None
            if not (math.isfinite(K) and K > 0.0):
                raise InputError(f"reaction {k}: K must be a number above zero", value=r["K"])
            if "K_temperature" not in r:
                raise InputError(f"reaction {k}: give 'K_temperature', the temperature at "
                                 "which K holds (e.g. '200 degC')")
            item.update(K=K, T_ref=parse_quantity(r["K_temperature"], "temperature"),
                        dH=parse_quantity(r["delta_H"], "molar_energy")
                        if "delta_H" in r else None)
        out.append(item)
    return out


def equilibrium_constant(K_ref: float, dH: float, T_ref: float, T: float) -> float:
    """K at ``T`` [K] by van 't Hoff with a constant ΔH [kJ/mol]:
    ln K(T) = ln K(T_ref) − ΔH/R (1/T − 1/T_ref) (Atkins & de Paula, *Physical
    Chemistry*, 9th ed. (2010), eq. 6.23).

    >>> round(equilibrium_constant(1.0, 39.72, 473.15, 498.15), 4)    # +25 K, endothermic
    1.6598
    """
    return K_ref * math.exp(-dH / R_GAS * (1.0 / T - 1.0 / T_ref))


class Digester(Unit):
    """Digester (autoclave or agitated tank): reactions at a fixed conversion of their
    key, taken in the order listed, then reactions that go as far as their equilibrium,
    each a key mineral reacting with dissolved reagents to dissolved products:

    .. math::

        K(T) = \\prod_i c_i^{\\nu_i}\\ \\text{(aqueous species; solids and water at unit
        activity)},\\qquad \\xi = X\\,n'_{key}/|\\nu_{key}|,\\qquad
        \\min\\Big(1 - X,\\ \\frac{K\\,\\Pi_r - \\Pi_p}{K\\,\\Pi_r + \\Pi_p}\\Big) = 0

    with ``c`` in mol/L of the outlet liquor, ``n'`` the flows after the fixed
    conversions, ``Π_r`` and ``Π_p`` the reactants' and products' concentration
    products: the key converts until the liquor reaches equilibrium, or completely when
    the equilibrium lies beyond (the min form, a complementarity). K(T) by van 't Hoff
    from ``K`` at ``K_temperature`` with ``delta_H`` (default: ΔH of the reaction from
    the species data). For scheelite, ``CaWO4 + Na2CO3 -> Na2WO4 + CaCO3``,
    K = [WO4²⁻]/[CO3²⁻] (activity coefficients of the two divalent anions taken equal),
    so the soda excess and the tungstate already dissolved (from wolframite) set the
    conversion: with r mol Na2CO3 and w mol Na2WO4 per mol CaWO4,
    X = min(1, (K r − w)/(1 + K)).

    Isothermal (``temperature``), with a ``duty``, or adiabatic; outlet ``out``.

    **Heat losses.** ``vessels`` closed vessels of ``vessel_volume`` (cylinders of
    length ``vessel_aspect`` × diameter, both heads in the air) lose
    ``N U A (T − T_amb)`` to air at ``ambient_temperature``, ``U`` from the
    ``insulation`` as for the leach tanks
    (:func:`~polyflow.units._tank_loads.tank_heat_loss_coefficient`; Incropera et al.,
    *Fundamentals of Heat and Mass Transfer*, 6th ed. (2007), §3.1.3):
    ``Σ H_in − Σ H_out + Q − N U A (T − T_amb) = 0``, so an adiabatic digester runs
    cooler; held at ``temperature``, the loss is reported (``heat_loss``) and a heater
    supplies ``duty + heat_loss``. Without ``vessel_volume`` no loss is modelled.

    Source: equilibrium-limited conversion and van 't Hoff, Smith, Van Ness & Abbott,
    *Introduction to Chemical Engineering Thermodynamics*, 7th ed. (2005), §13.3–13.7;
    the scheelite soda digestion as an equilibrium, Lassner & Schubert, *Tungsten*
    (1999) §6.2, and Martins, *Hydrometallurgy* 42 (1996) 221.

    Example: 1 kmol/h CaWO4 with 2 kmol/h Na2CO3 at K = 1: X = (1·2 − 0)/(1 + 1) = 1.0
    would need all the scheelite, so exactly at the edge; with 1.5 kmol/h soda
    X = 1.5/2 = 0.75:

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["CaWO4", "Na2CO3", "Na2WO4", "CaCO3", "H2O"])
    >>> _ = fs.add(Feed("f", flows={"CaWO4": "1 kmol/h", "Na2CO3": "1.5 kmol/h",
    ...                             "H2O": "3 t/h"}))
    >>> _ = fs.add(Digester("d", temperature="200 degC", reactions=[
    ...     {"equation": "CaWO4 + Na2CO3 -> Na2WO4 + CaCO3", "key": "CaWO4", "K": 1.0,
    ...      "K_temperature": "200 degC"}]))
    >>> _ = fs.add(Product("p")); fs.connect("a", "f", "d"); fs.connect("b", "d", "p")
    >>> round(fs.solve().energy["d"]["X_CaWO4_%"], 6)
    75.0
    """

    model = "digester"
    inlets = ("in*",)
    outlets = ("out",)
    params = {
        "reactions": Param(None, "list of {equation, key, conversion} or {equation, key, K, "
                                 "K_temperature, delta_H}", required=True,
                           parse=read_digestion),
        "temperature": Param("temperature", "digestion temperature (isothermal)",
                             bounds=(273.15, 623.15)),
        "duty": Param("power", "heat added (negative: removed); adiabatic if neither this "
                               "nor temperature"),
        "solution_density": Param("density", "liquor density for its concentrations",
                                  default=1000.0, bounds=(700.0, 2000.0)),
        "vessel_volume": Param("volume", "volume of each digester vessel (its heat loss)",
                               bounds=(1e-3, 1e5)),
        "vessels": Param.integer("number of digester vessels", default=1, bounds=(1, 100)),
        "vessel_aspect": Param("ratio", "length over diameter of each vessel",
                               default=1.0, bounds=(0.3, 10.0)),
        **heat_loss_params("vessel walls", "air around the vessels"),
    }
    results = {
        "X_{mineral}": Reported("%", "conversion of the key mineral"),
        "K_{mineral}": Reported("", "equilibrium constant at the digestion temperature"),
        "heat_of_reaction": Reported("kW", "Σ ξ ΔHr(25 °C), negative when exothermic"),
        "heat_loss": Reported("kW", "heat lost through the vessel walls to the air (a "
                                    "heater supplies duty + heat_loss)"),
    }

    def validate(self) -> None:
        self.at_most_one("temperature", "duty")

    def loss_coefficient(self) -> float:
        """``N U A`` of the vessels [kW/K]: 0 without a vessel volume or with insulation
        'none'."""
        p = self.p
        if p["vessel_volume"] is None:
            return 0.0
        U = tank_heat_loss_coefficient(p["insulation"], p["insulation_thickness"])
        _, _, A = tank_geometry(p["vessel_volume"], p["vessel_aspect"], ends=2)
        return p["vessels"] * U * A / 1000.0

    def bind(self, species) -> None:
        self._species = species
        self.solids, self.gas, self.liquor = phase_masks(species)
        fixed = ([], [], [])
        self.eqm: list[dict] = []
        for k, r in enumerate(self.p["reactions"], start=1):
            rx, key = resolve_reaction(self, r["equation"], r["key"], k)
            if "conversion" in r:
                if self.eqm:
                    raise self.fail(f"reaction {k}: list the fixed-conversion reactions "
                                    "before the equilibrium ones", "reactions")
                for lst, v in zip(fixed, (rx, key, r["conversion"]), strict=True):
                    lst.append(v)
                continue
            nu = nu_vector(rx, species)
            aq = self.liquor & (nu != 0)
            if "H2O(l)" in species.index:
                aq[species.index["H2O(l)"]] = False        # water at unit activity
            dH = r["dH"] if r["dH"] is not None else rx.dH()
            self.eqm.append(dict(r, rx=rx, key_i=key, nu=nu, nu_key=abs(nu[key]),
                                 aq=np.nonzero(aq)[0], dH=dH,
                                 name=species.ids[key].split("(")[0]))
        self.fixed = fixed
        self.M = conversion_matrix(*fixed, species) if fixed[0] else np.eye(len(species))

    def K_at(self, it: dict, T: float) -> float:
        return equilibrium_constant(it["K"], it["dH"], it["T_ref"], T)

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        ins = eq.all_inlets
        in_cols = [eq.flows(s) for s in ins]
        E = len(self.eqm)
        T_fixed = self.p["temperature"]
        X = eq.internal([f"X_{it['name']}" for it in self.eqm], [0.9] * E,
                        lower=0.0, upper=1.0) if E else np.zeros(0, int)
        xis = eq.internal([f"extent_{it['name']}" for it in self.eqm], [0.0] * E) \
            if E else np.zeros(0, int)
        reaction_rows(eq, eq.flows(out), in_cols, self.M, [it["nu"] for it in self.eqm],
                      list(xis), out)
        for e, it in enumerate(self.eqm):
            self._extent_row(eq, it, X[e], xis[e], in_cols, out)
        if E:
            self._equilibrium_rows(eq, X, in_cols, out, T_fixed)
        split_energy(eq, [out], duty_kW=self.p["duty"] or 0.0, temperature=T_fixed,
                     reactive=True, loss_kW_per_K=self.loss_coefficient(),
                     ambient_K=self.p["ambient_temperature"])

    def _extent_row(self, eq, it, X, xi, in_cols, out) -> None:
        """ξ − X (M n_in)_key/|ν_key| = 0."""
        row = self.M[it["key_i"]] / it["nu_key"]
        cols = np.concatenate([[xi, X], *in_cols]).astype(int)
        k = len(in_cols)

        def f(x):
            nk = float(np.tile(row, k) @ x[2:])
            return np.array([x[0] - x[1] * nk]), np.array([abs(x[0]) + abs(x[1] * nk)])

        def jac(x):
            nk = float(np.tile(row, k) @ x[2:])
            return np.concatenate([[1.0, -nk], -x[1] * np.tile(row, k)])[None, :]

        eq.nonlinear(cols, 1, f, jac, stream=out, var=ROW_INTERNAL,
                     labels=[f"extent of {it['equation']!r}"])

    def _equilibrium_rows(self, eq, X, in_cols, out, T_fixed) -> None:
        S, E = eq.S, len(self.eqm)
        k = len(in_cols)
        T_col = eq.temperature(out)
        cols = np.concatenate([X, *in_cols, [T_col]]).astype(int)
        mw = eq.species.mw
        wl = np.where(self.liquor, mw, 0.0) / self.p["solution_density"]
        M = self.M

        def flows_out(x):
            base = M @ sum(x[E + j * S:E + (j + 1) * S] for j in range(k))
            n = base.copy()
            for e, it in enumerate(self.eqm):
                n += it["nu"] * x[e] * base[it["key_i"]] / it["nu_key"]
            return n

        def f(x):
            n = flows_out(x)
            V = max(float(wl @ n) / 1000.0, 1e-30)      # m3/h -> kmol per m3 = mol/L
            T = T_fixed if T_fixed is not None else max(x[-1], 250.0)
            r = np.empty(E)
            for e, it in enumerate(self.eqm):
                c = np.maximum(n[it["aq"]], 0.0) / (V * 1000.0)
                nu = it["nu"][it["aq"]]
                pr = float(np.prod(c[nu < 0] ** -nu[nu < 0]))
                pp = float(np.prod(c[nu > 0] ** nu[nu > 0]))
                K = self.K_at(it, T)
                g = (K * pr - pp) / (K * pr + pp + 1e-300)
                r[e] = min(1.0 - x[e], g)
            return r, np.ones(E)

        def jac(x):
            """g = tanh((ln K + ln Π_r − ln Π_p)/2): dg = (1 − g²)/2 d(...), with
            d(ln Π_r − ln Π_p)/dn_i = −ν_i/n_i + Σν_aq w_i/Q (c = n/Q, Q = w·n) on the
            outlet flows n = A M Σ n_in, A = I + Σ_e ν_e X_e e_key/|ν_key|."""
            base = M @ sum(x[E + j * S:E + (j + 1) * S] for j in range(k))
            n = flows_out(x)
            Q = max(float(wl @ n), 1e-30)
            T = T_fixed if T_fixed is not None else max(x[-1], 250.0)
            A = np.eye(S)
            for e, it in enumerate(self.eqm):
                A[:, it["key_i"]] += it["nu"] * x[e] / it["nu_key"]
            AM = A @ M
            J = np.zeros((E, len(x)))
            r = f(x)[0]
            for e, it in enumerate(self.eqm):
                if r[e] == 1.0 - x[e]:
                    J[e, e] = -1.0
                    continue
                aq, nu = it["aq"], it["nu"][it["aq"]]
                c = np.maximum(n[aq], 1e-30) / Q
                pr = float(np.prod(c[nu < 0] ** -nu[nu < 0]))
                pp = float(np.prod(c[nu > 0] ** nu[nu > 0]))
                K = self.K_at(it, T)
                g = (K * pr - pp) / (K * pr + pp + 1e-300)
                half = 0.5 * (1.0 - g * g)
                dn = nu.sum() * wl / Q
                dn[aq] -= nu / np.maximum(n[aq], 1e-30)
                dg = half * dn                                   # d g / d n_out
                for m, um in enumerate(self.eqm):
                    J[e, m] = float(dg @ um["nu"]) * base[um["key_i"]] / um["nu_key"]
                J[e, E:E + k * S] = np.tile(dg @ AM, k)
                if T_fixed is None:
                    J[e, -1] = half * it["dH"] / (R_GAS * T * T)
            return J

        def f0(x):
            return x[:E] - 0.9, np.abs(x[:E]) + 0.9

        def j0(x):
            J = np.zeros((E, len(x)))
            J[:, :E] = np.eye(E)
            return J

        eq.nonlinear(cols, E, f, jac, stream=out, var=ROW_INTERNAL,
                     labels=[f"equilibrium of {it['equation']!r}" for it in self.eqm],
                     start=(f0, j0))

    def report(self, sol) -> dict[str, float]:
        sp = sol.species
        z = sol.internal
        E = len(self.eqm)
        n_in = sol.inlet_total()
        T = float(sol.outlets["out"][1])
        out: dict[str, float] = {}
        n = n_in.astype(float).copy()
        q = 0.0
        for rx, key, Xf in zip(*self.fixed, strict=True):
            nu = nu_vector(rx, sp)
            xi = Xf * n[key] / abs(nu[key])
            n += nu * xi
            q += xi * rx.dH()
            out[f"X_{sp.ids[key].split('(')[0]}"] = 100.0 * Xf
        for e, it in enumerate(self.eqm):
            out[f"X_{it['name']}"] = 100.0 * float(z[e])
            out[f"K_{it['name']}"] = self.K_at(it, T)
            q += float(z[E + e]) * it["rx"].dH()
        out["heat_of_reaction"] = q / MJ_H_PER_KW
        if self.p["vessel_volume"] is not None:
            out["heat_loss"] = self.loss_coefficient() * (T - self.p["ambient_temperature"])
        return out
