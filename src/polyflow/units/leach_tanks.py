"""Leach reactors in series: agitated tanks with fixed conversions or leach kinetics."""

from __future__ import annotations

import numpy as np

from polyflow.chem.species import T_REF
from polyflow.solve.system import MJ_H_PER_KW, ROW_INTERNAL
from polyflow.units._hydro_common import (
    nu_vector,
    phase_masks,
    reaction_rows,
    resolve_reaction,
    split_energy,
)
from polyflow.units._leach_kinetics import (
    KINETICS,
    arrhenius,
    read_reactions,
    shrinking_core_cstr_series,
    shrinking_core_many,
    size_classes_of,
)
from polyflow.units._leach_rows import conversion_rows
from polyflow.units._tank_loads import (
    agitator_power_kW,
    heat_loss_params,
    impeller_power_kW,
    tank_geometry,
    tank_heat_loss_coefficient,
)
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix

__all__ = ["KINETICS", "LeachTanks", "shrinking_core_cstr_series"]

class LeachTanks(Unit):
    """A train of ``tanks`` agitated leach tanks in series (also for alkaline or
    pressure digestion), each reaction with a fixed conversion of its key mineral or
    with kinetics, the conversion carried from tank to tank so that the residence-time
    distribution of N CSTRs is honoured. Gases leave by the ``vent``.

    Kinetics (``kc`` the rate constant ``k``, Arrhenius in T if ``activation_energy``):

    * ``chemical`` — shrinking core, chemical-reaction control, 1 − (1−X)^(1/3) = kc t;
    * ``diffusion`` — shrinking core, product-layer diffusion control,
      1 − 3(1−X)^(2/3) + 2(1−X) = kc t;

      both averaged over the exponential RTD of each tank (segregated flow: the mean
      conversion leaving tank n is the particle conversion averaged over the Erlang
      distribution of n tanks);
    * ``rate_law`` — per tank, X_n − X_(n−1) = k τ C_n^a (1 − X_n)^(2/3), with C_n the
      level of the dissolved ``reagent`` in tank n and ``a`` its ``order``.

    The reagent's level in tank n is that of the tank's own liquor (its outlet: what the
    feed brings less what the reactions up to tank n consumed; fixed-conversion
    reactions are taken as complete in tank 1), in the measure the reaction's
    ``acidity`` names (:mod:`polyflow.units._leach_acidity`): ``component`` (default:
    the reagent's g/L per litre of feed liquor, all of it counted as free), ``free_acid``
    (the titratable free acid of the tank's liquor, g/L H2SO4 to pH 4.5, as a plant lab
    and the stream reports measure it) or ``H+_activity`` (a(H+) of the tank's liquor,
    speciated in the one Newton system; a shrinking-core k then holds at the a(H+) of
    ``k_concentration`` of the reagent alone in water at ``k_temperature``). With
    ``k_concentration`` the shrinking core's rate constant is k (C_n/C_ref)^a. Choose
    the measure the rate law was fitted on: a law fitted on the acid concentration of
    test solutions (most published leach kinetics) is a ``free_acid`` law.

    .. math::

        k(T) = k\\,e^{-E_a/R\\,(1/T - 1/T_{ref})},\\qquad
        \\xi_r = X_{r,N}\\,n_{key,in}/|\\nu_{key,r}|,\\qquad
        n_{out} = M_{fixed}\\,n_{in} + \\sum_r \\nu_r \\xi_r

    The residence time per tank is ``residence_time``/N, or ``tank_volume``/Q with Q
    the slurry flow (liquor at ``solution_density``, solids at ``solids_density``), an
    internal unknown then (τ Q − V = 0). Kinetic conversions and extents are internal
    unknowns (one per reaction and tank). All tanks run at the discharge temperature:
    ``temperature`` (isothermal; the duty is reported), ``duty``, or adiabatic.
    Reported: conversion per mineral and tank, reagent consumption per tonne of solids
    fed, heat of reaction and the duty.

    **Agitators and heat losses.** The agitators draw ``agitator_power`` per tank when
    given, else ``N_p ρ n³ D⁵`` of the impeller (``impeller_diameter``,
    ``impeller_speed``, ``power_number``, ``pulp_density``), else ``specific_power``
    (kW/m3, default 0.2 kW/m3: Walas' 0.1-0.3 kW/m3 for a reaction in a stirred tank)
    times ``tank_volume``; with only a residence time and none of these the power is 0.
    The power ends as heat in the pulp. A tank of ``tank_volume`` (a cylinder of height
    ``tank_aspect`` × diameter) loses ``U A (T − T_amb)`` through its wall and cover to
    air at ``ambient_temperature``, ``U`` from its ``insulation`` (``bare``: 10,
    ``insulated``: 0.74 W/(m2 K) for 50 mm of mineral wool; ``none``: not modelled;
    :func:`~polyflow.units._tank_loads.tank_heat_loss_coefficient`), so

    .. math::

        \\sum H_{in} - \\sum H_{out} + Q + P_{agitators} - N\\,U A\\,(T - T_{amb}) = 0

    and an adiabatic train runs cooler as the losses grow. The unit's duty (the
    record's ``H_out − H_in − P``) is then the heat added less the heat lost:
    a heater must supply ``duty + heat_loss``.

    Source: shrinking-core model and its conversion in mixed flow (segregated flow over
    the RTD), Levenspiel, *Chemical Reaction Engineering*, 3rd ed. (1999), ch. 25-26
    (eqs. 25.23, 25.35; 26.x for mixed flow of one particle size); N tanks in series,
    ibid. ch. 14; leach kinetics in agitated tanks, Habashi, *Kinetics of Metallurgical
    Processes* (1999), and Schlesinger et al., *Extractive Metallurgy of Copper*,
    5th ed. (2011), ch. 14.

    Example: tenorite leaching under chemical-reaction control with 1/kc = 4 h (time
    for complete conversion of a particle) in one tank of 4 h mean residence time
    converts X̄ = 3s − 6s² + 6s³(1 − e^(−1/s)) = 79.27 % at s = τ̄ kc = 1
    (Levenspiel's mixed-flow result, from ∫ (1 − t kc)³ e^(−t/τ̄)/τ̄ dt over t < 1/kc);
    a plug-flow tank would have converted 100 %:

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O", "SiO2"])
    >>> _ = fs.add(Feed("ore", flows={"CuO": "10 kmol/h", "SiO2": "10 t/h",
    ...                               "H2SO4": "20 kmol/h", "H2O": "20 t/h"}))
    >>> _ = fs.add(LeachTanks("leach", tanks=1, residence_time="4 h",
    ...                       temperature="40 degC", reactions=[
    ...     {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO",
    ...      "kinetics": "chemical", "k": "0.25 1/h"}]))
    >>> _ = fs.add(Product("slurry")); _ = fs.add(Product("gas"))
    >>> fs.connect("f", "ore", "leach"); fs.connect("d", "leach.discharge", "slurry")
    >>> fs.connect("v", "leach.vent", "gas")
    >>> r = fs.solve()
    >>> round(r.energy["leach"]["X_CuO_tank1_%"], 2)
    79.27
    """

    model = "leach_tanks"
    inlets = ("feed*",)
    outlets = ("discharge", "vent")
    results = {
        # the tank family first: "X_{mineral}" would also match "X_CuO_tank1"
        "X_{mineral}_tank{k}": Reported("%", "conversion of the mineral leaving tank k"),
        "X_{mineral}": Reported("%", "conversion of a fixed-conversion reaction"),
        "free_acid_tank{k}": Reported("g/L", "titratable free acid (as H2SO4) of the liquor "
                                             "in tank k (a reaction with acidity "
                                             "'free_acid' or 'H+_activity')"),
        "pH_tank{k}": Reported("", "pH (activity scale) of the liquor in tank k (a "
                                   "reaction with acidity 'H+_activity')"),
        "{reagent}_consumed": Reported("kg/t", "reagent consumed per tonne of solids fed"),
        "heat_of_reaction": Reported("kW", "heat released by the reactions (negative: "
                                            "absorbed)"),
        "residence_time_per_tank": Reported("h", "pulp residence time in each tank"),
        "agitator_power": Reported("kW", "agitator power of the train"),
        "heat_loss": Reported("kW", "heat lost through the tank walls and covers to the "
                                    "air (a heater supplies duty + heat_loss)"),
    }
    params = {
        "reactions": Param(None, "list of {equation, key, conversion} or {equation, key, "
                                 "kinetics, k, ...} (reagent, acidity: component, "
                                 "free_acid or H+_activity)", required=True,
                           parse=read_reactions),
        "tanks": Param.integer("number of tanks in series", default=1, bounds=(1, 30)),
        "residence_time": Param("time", "slurry residence time of the whole train",
                                bounds=(1e-3, 1000.0)),
        "tank_volume": Param("volume", "live volume of each tank", bounds=(1e-3, 1e5)),
        "solids_density": Param("density", "density of the ore solids", default=2700.0,
                                bounds=(1000.0, 8000.0)),
        "solution_density": Param("density", "density of the leach liquor", default=1000.0,
                                  bounds=(700.0, 2000.0)),
        "temperature": Param("temperature", "leach temperature (isothermal)",
                             bounds=(273.15, 573.15)),
        "duty": Param("power", "heat added (negative: removed); adiabatic if neither this "
                               "nor temperature"),
        "specific_power": Param(None, "agitator power per m3 of tank (kW/m3; Walas: "
                                      "0.1-0.3 for reactions)", default=0.2,
                                bounds=(0.0, 5.0)),
        "agitator_power": Param("power", "agitator power drawn per tank (instead of "
                                         "specific_power)", bounds=(0.0, 1e4)),
        "impeller_diameter": Param("length", "impeller diameter (power N_p ρ n³ D⁵)",
                                   bounds=(0.05, 10.0)),
        "impeller_speed": Param("rate", "impeller speed (rev per unit time, '20 1/min')",
                                bounds=(1e-3, 1e5)),
        "power_number": Param("ratio", "impeller power number N_p (hydrofoil 0.3, "
                                       "Rushton turbine 5)", default=0.3, bounds=(0.05, 10.0)),
        "pulp_density": Param("density", "pulp density for the impeller power",
                              default=1400.0, bounds=(800.0, 3000.0)),
        **heat_loss_params("tank walls", "air around the tanks"),
        "tank_aspect": Param("ratio", "live height over diameter of each tank",
                             default=1.0, bounds=(0.3, 5.0)),
    }

    def validate(self) -> None:
        p = self.p
        self.validate_impeller()
        if p["temperature"] is not None and p["duty"] is not None:
            raise self.misspecified("over-specified: give 'temperature' or 'duty', not both",
                                    "duty")
        kinetic = any("kinetics" in r for r in p["reactions"])
        given = [k for k in ("residence_time", "tank_volume") if p[k] is not None]
        if len(given) > 1:
            raise self.misspecified("over-specified: give 'residence_time' or "
                                    "'tank_volume', not both", "tank_volume")
        if kinetic and not given:
            raise self.fail("kinetic reactions need the residence time: give "
                            "'residence_time' (whole train, e.g. '8 h') or 'tank_volume' "
                            "(each tank, e.g. '500 m3')", "residence_time")

    def validate_impeller(self) -> None:
        p = self.p
        given = [k for k in ("impeller_diameter", "impeller_speed") if p[k] is not None]
        if len(given) == 1:
            missing = "impeller_speed" if given[0] == "impeller_diameter" else \
                "impeller_diameter"
            raise self.misspecified(f"the impeller power needs '{missing}' with "
                                    f"'{given[0]}'", missing)
        if given and p["agitator_power"] is not None:
            raise self.misspecified("over-specified: give 'agitator_power' or the impeller "
                                    "(diameter and speed), not both", "agitator_power")

    def agitator_power(self) -> float:
        """Agitator power of the train [kW] (see the class docstring)."""
        p = self.p
        N = p["tanks"]
        if p["agitator_power"] is not None:
            return N * p["agitator_power"]
        if p["impeller_diameter"] is not None:
            rps = p["impeller_speed"] / 3600.0            # internal rate unit: 1/h
            return N * impeller_power_kW(p["power_number"], p["pulp_density"], rps,
                                         p["impeller_diameter"])
        if p["tank_volume"] is not None:
            return N * agitator_power_kW(p["tank_volume"], p["specific_power"])
        return 0.0

    def loss_coefficient(self) -> float:
        """``N U A`` of the train [kW/K]: 0 without a tank volume or with insulation
        'none'."""
        p = self.p
        if p["tank_volume"] is None:
            return 0.0
        U = tank_heat_loss_coefficient(p["insulation"], p["insulation_thickness"])
        _, _, A = tank_geometry(p["tank_volume"], p["tank_aspect"])
        return p["tanks"] * U * A / 1000.0

    def power_kW(self, sol) -> float:
        return self.agitator_power()

    def bind(self, species) -> None:
        self._species = species
        self.solids, self.gas, self.liquor = phase_masks(species)
        S = len(species)
        fixed_rx, fixed_keys, fixed_X = [], [], []
        self.kin: list[dict] = []
        self.all_rx = []
        for k, r in enumerate(self.p["reactions"], start=1):
            rx, key = resolve_reaction(self, r["equation"], r["key"], k)
            self.all_rx.append((rx, key, r))
            if "conversion" in r:
                fixed_rx.append(rx)
                fixed_keys.append(key)
                fixed_X.append(r["conversion"])
                continue
            nu = nu_vector(rx, species)
            item = dict(r, rx=rx, key_i=key, nu=nu, nu_key=abs(nu[key]))
            if "reagent" in r:
                try:
                    item["reagent_i"] = species.idx(r["reagent"])
                except Exception as err:
                    raise self.fail(f"reaction {k}: {err}", "reactions") from None
                if nu[item["reagent_i"]] >= 0:
                    raise self.fail(f"reaction {k}: the reagent {r['reagent']!r} is not a "
                                    f"reactant of {r['equation']!r}", "reactions")
            if "psd" in r:
                w, d = size_classes_of(r["psd"], r["d_ref"])
                m = 1.0 if r["kinetics"] == "chemical" else 2.0
                item["size_w"] = np.array(w)
                item["size_s"] = np.array([(r["d_ref"] / dj) ** m for dj in d])
            self.kin.append(item)
        keys = [it["key_i"] for it in self.kin]
        if len(set(keys)) != len(keys) or set(keys) & set(fixed_keys):
            raise self.fail("a mineral may be the key of one kinetic reaction only",
                            "reactions", hint="combine the reactions of one mineral")
        self.fixed = (fixed_rx, fixed_keys, fixed_X)
        self.M = conversion_matrix(fixed_rx, fixed_keys, fixed_X, species) if fixed_rx \
            else np.eye(S)

    # -- kinetics --------------------------------------------------------------------
    def rate_constant(self, it: dict, T: float) -> float:
        if it["Ea"] == 0.0:
            return it["k"]
        return arrhenius(it["k"], it["Ea"], it["T_ref"], T)

    def slurry_m3_h(self, n_in: np.ndarray) -> float:
        mw = self._species.mw
        return float(mw[self.liquor] @ n_in[self.liquor]) / self.p["solution_density"] + \
            float(mw[self.solids] @ n_in[self.solids]) / self.p["solids_density"]

    def equations(self, eq) -> None:
        N = self.p["tanks"]
        S = eq.S
        ins = eq.all_inlets
        dis, vent = eq.outlets["discharge"], eq.outlets["vent"]
        in_cols = [eq.flows(s) for s in ins]
        T_col = eq.temperature(dis)
        T_fixed = self.p["temperature"]
        mw = eq.species.mw
        # residence time per tank: fixed, or an internal unknown from the tank volume
        tau_col = None
        self._tau = None
        if self.p["residence_time"] is not None:
            self._tau = self.p["residence_time"] / N
        elif self.kin:
            tau_col = eq.internal(["tau_tank_h"], [1.0])[0]
            V = self.p["tank_volume"]
            rho_l, rho_s = self.p["solution_density"], self.p["solids_density"]
            wq = np.where(self.liquor, mw / rho_l, np.where(self.solids, mw / rho_s, 0.0))
            cols = np.concatenate([[tau_col], *in_cols])

            def f_tau(x, wq=wq, V=V):
                Q = sum(wq @ x[1 + j * S:1 + (j + 1) * S] for j in range(len(in_cols)))
                return np.array([x[0] * Q - V]), np.array([abs(x[0] * Q) + V])

            def j_tau(x, wq=wq):
                Q = sum(wq @ x[1 + j * S:1 + (j + 1) * S] for j in range(len(in_cols)))
                return np.concatenate([[Q], np.tile(x[0] * wq, len(in_cols))])[None, :]

            def f0(x):
                return np.array([x[0] - 1.0]), np.array([abs(x[0]) + 1.0])

            def j0(x):
                J = np.zeros((1, len(cols)))
                J[0, 0] = 1.0
                return J

            eq.nonlinear(cols, 1, f_tau, j_tau, stream=dis, var=ROW_INTERNAL,
                         labels=["residence time from tank volume"], start=(f0, j0))
        # conversions per tank and extents of the kinetic reactions
        for it in self.kin:
            key = eq.species.ids[it["key_i"]].split("(")[0]
            it["X"] = eq.internal([f"X_{key}_tank{k + 1}" for k in range(N)],
                                  self._conversion_guess(it, N, T_fixed))
            it["xi"] = eq.internal([f"extent_{key}"], [0.0])[0]
        for it in self.kin:
            self._conversion_rows(eq, it, in_cols, tau_col, T_col, T_fixed, dis)
            # extent ξ = X_N n_key,in / |ν_key|
            kc = [it["xi"], it["X"][-1]] + [c[it["key_i"]] for c in in_cols]

            def f_xi(x, nk=it["nu_key"]):
                nkey = x[2:].sum()
                return (np.array([x[0] - x[1] * nkey / nk]),
                        np.array([abs(x[0]) + abs(x[1] * nkey / nk)]))

            def j_xi(x, nk=it["nu_key"]):
                return np.concatenate([[1.0, -x[2:].sum() / nk],
                                       np.full(len(x) - 2, -x[1] / nk)])[None, :]

            eq.nonlinear(kc, 1, f_xi, j_xi, stream=dis, var=ROW_INTERNAL,
                         labels=[f"extent of {it['equation']!r}"])
        nus = [it["nu"] for it in self.kin]
        xis = [it["xi"] for it in self.kin]
        gas = self.gas.astype(float)
        reaction_rows(eq, eq.flows(dis), in_cols, self.M, nus, xis, dis, mask=1.0 - gas)
        reaction_rows(eq, eq.flows(vent), in_cols, self.M, nus, xis, vent, mask=gas)
        split_energy(eq, [dis, vent], duty_kW=(self.p["duty"] or 0.0) + self.agitator_power(),
                     temperature=T_fixed, reactive=True, loss_kW_per_K=self.loss_coefficient(),
                     ambient_K=self.p["ambient_temperature"])

    def _conversion_guess(self, it: dict, N: int, T_fixed: float | None) -> list[float]:
        """Initial conversions per tank. Under chemical or diffusion control with a known
        residence time they do not depend on the liquor, so the guess is the answer
        (at the fixed temperature, or 25 °C): the start-up Newton step then leaches as
        much as the plant will, and a downstream unit that needs the metal (a tankhouse
        whose current is fixed) starts feasible. Otherwise half the feed by the last tank."""
        if it["kinetics"] in ("chemical", "diffusion"):
            kc = self.rate_constant(it, T_fixed if T_fixed is not None else T_REF)
            tau = self._tau if self._tau is not None else 1.0
            return [self.mean_conversion(it, kc * tau, k + 1) for k in range(N)]
        return [0.5 * (k + 1) / N for k in range(N)]

    def mean_conversion(self, it: dict, theta: float, n: int) -> float:
        """Mean conversion leaving tank ``n`` at θ = kc·τ_tank (the shrinking core
        averaged over the Erlang residence times of n tanks), over the key mineral's
        size classes when it has a ``psd``: Σ_j w_j X(θ (d_ref/d_j)^m), m = 1 under
        chemical control (τ_complete ∝ R), 2 under diffusion control (∝ R²)."""
        if "size_w" not in it:
            return shrinking_core_cstr_series(max(theta, 0.0), 1.0, n, it["kinetics"])
        X = shrinking_core_many(max(theta, 0.0) * it["size_s"], 1.0, n, it["kinetics"])
        return float(it["size_w"] @ X)

    def _conversion_rows(self, eq, it, in_cols, tau_col, T_col, T_fixed, dis) -> None:
        conversion_rows(self, eq, it, in_cols, tau_col, T_col, T_fixed, dis)

    # -- results ---------------------------------------------------------------------
    def _fixed_extents(self, n_in: np.ndarray) -> list[float]:
        n = n_in.astype(float).copy()
        out = []
        for rx, key, X in zip(*self.fixed, strict=True):
            nu = nu_vector(rx, self._species)
            xi = X * n[key] / abs(nu[key])
            n += nu * xi
            out.append(float(xi))
        return out

    def report(self, sol) -> dict[str, float]:
        sp = sol.species
        n_in = sol.inlet_total()
        out: dict[str, float] = {}
        N = self.p["tanks"]
        z = sol.internal
        names = self._internal_names()
        for it in self.kin:
            key = sp.ids[it["key_i"]].split("(")[0]
            for k in range(N):
                out[f"X_{key}_tank{k + 1}"] = 100.0 * float(z[names.index(
                    f"X_{key}_tank{k + 1}")])
        for (_, key, _), X in zip(
                [a for a in self.all_rx if "conversion" in a[2]], self.fixed[2], strict=True):
            out[f"X_{sp.ids[key].split('(')[0]}"] = 100.0 * X
        # extents, reagent consumption and heat of reaction
        xi_fixed = self._fixed_extents(n_in)
        extents = list(zip(self.fixed[0], xi_fixed, strict=True))
        for it in self.kin:
            extents.append((it["rx"], float(z[names.index(
                f"extent_{sp.ids[it['key_i']].split('(')[0]}")])))
        solids_t_h = float(sp.mw[self.solids] @ n_in[self.solids]) / 1000.0
        used = np.zeros(len(sp))
        q = 0.0
        for rx, xi in extents:
            used -= nu_vector(rx, sp) * xi
            q += xi * rx.dH() / MJ_H_PER_KW
        for i in np.nonzero((used > 0) & ~self.solids)[0]:
            if sp.ids[i] != "H2O(l)" and solids_t_h > 0:
                out[f"{sp.ids[i].split('(')[0]}_consumed"] = \
                    float(used[i] * sp.mw[i]) / solids_t_h
        out["heat_of_reaction"] = q
        T_dis = float(sol.outlets["discharge"][1])
        for it in self.kin:
            if "tank_acidity" in it:
                users = it["tank_acidity"].users
                Xs = [np.array([float(z[names.index(f"X_{sp.ids[u['key_i']].split('(')[0]}"
                                                    f"_tank{k + 1}")]) for k in range(N)])
                      for u in users]
                out |= it["tank_acidity"].report(n_in, Xs, T_dis)
        tau = self._tau
        if tau is None and "tau_tank_h" in names:
            tau = float(z[names.index("tau_tank_h")])
        if tau is not None:
            out["residence_time_per_tank"] = tau
        out["agitator_power"] = self.agitator_power()
        T = float(sol.outlets["discharge"][1])
        out["heat_loss"] = self.loss_coefficient() * (T - self.p["ambient_temperature"])
        return out

    def _internal_names(self) -> list[str]:
        names = []
        if self.p["residence_time"] is None and self.kin:
            names.append("tau_tank_h")
        for it in self.kin:
            key = self._species.ids[it["key_i"]].split("(")[0]
            names += [f"X_{key}_tank{k + 1}" for k in range(self.p["tanks"])]
            names.append(f"extent_{key}")
        return names

