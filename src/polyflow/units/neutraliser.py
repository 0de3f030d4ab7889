"""Lime neutralisation of an acid bleed: gypsum formed, lime demand to a free-acid target."""

from __future__ import annotations

import numpy as np

from polyflow.errors import InputError
from polyflow.solve.system import MJ_H_PER_KW
from polyflow.units._hydro_common import (
    nu_vector,
    phase_masks,
    reaction_rows,
    resolve_reaction,
    split_energy,
)
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix, read_reactions

__all__ = ["AGENTS", "Neutraliser", "free_acid_g_L"]

#: phases a liquor at equilibrium may form by default (where the database and the
#: flowsheet's species have them): metal hydroxides and oxides, gypsum, fluorite, stibnite;
#: Zn and Mn hydroxides by their phreeqc.dat or llnl.dat names (each database has one)
DEFAULT_MINERALS = ("Gypsum", "Fe(OH)3(a)", "Fe(OH)3", "Tenorite", "Fluorite", "Stibnite",
                    "Portlandite", "Gibbsite", "Pyrochroite", "Mn(OH)2(am)", "Zn(OH)2(e)",
                    "Zn(OH)2(epsilon)")
#: H2S stripping pressure: the vent gas in equilibrium with the liquor carries at most
#: 100 ppmv H2S (0.01 kPa), NIOSH's IDLH concentration (NIOSH Pocket Guide, CAS 7783-06-4)
H2S_STRIP_KPA = 0.01
#: CO2 leaves when its equilibrium pressure exceeds one atmosphere (effervescence)
CO2_STRIP_KPA = 101.325

#: neutralising agents and their reaction with sulfuric acid (gypsum formed)
AGENTS = {
    "CaO(s)": "CaO + H2SO4 + H2O -> CaSO4*2H2O(s)",
    "Ca(OH)2(s)": "Ca(OH)2 + H2SO4 -> CaSO4*2H2O(s)",
    "CaCO3(s)": "CaCO3(s) + H2SO4 + H2O -> CaSO4*2H2O(s) + CO2(g)",
}
M_H2SO4 = 98.0785  # g/mol


def free_acid_g_L(target_free_acid: float | None, target_pH: float | None) -> float:
    """Free sulfuric acid [g/L] of a target given as such or as a pH proxy: fully
    dissociated acid, [H+] = 2 [H2SO4] = 10^-pH mol/L (a proxy only: above pH ~2 the
    bisulfate equilibrium and metal hydrolysis decide the real pH).

    >>> round(free_acid_g_L(None, 1.0), 4)      # 0.05 mol/L × 98.08 g/mol
    4.9039
    """
    if target_free_acid is not None:
        return float(target_free_acid)
    if target_pH is not None:
        return 10.0 ** (-target_pH) / 2.0 * M_H2SO4
    raise InputError("a neutralisation target is needed: give target_free_acid or target_pH")


#: other names of the agents
AGENT_ALIASES = {"CaO": "CaO(s)", "lime": "CaO(s)", "quicklime": "CaO(s)",
                 "Ca(OH)2": "Ca(OH)2(s)", "slaked lime": "Ca(OH)2(s)",
                 "hydrated lime": "Ca(OH)2(s)", "CaCO3": "CaCO3(s)", "limestone": "CaCO3(s)"}


def _agent_param() -> Param:
    return Param.choice("neutralising agent: CaO, Ca(OH)2 or CaCO3", tuple(AGENTS),
                        default="Ca(OH)2(s)", aliases=AGENT_ALIASES)


class Neutraliser(Unit):
    """Neutralisation tank: the ``lime`` inlet's agent (CaO, Ca(OH)2 or CaCO3) reacts
    with the free sulfuric acid of the ``feed`` (an acid bleed, a raffinate) to gypsum,
    ``utilisation`` of the agent reacting (the rest leaves unreacted with the solids);
    optional ``precipitate`` reactions (fixed conversions, e.g. copper or iron
    hydroxides) follow. CO2 from limestone leaves by the ``vent``.

    .. math::

        \\mathrm{Ca(OH)_2 + H_2SO_4 \\to CaSO_4{\\cdot}2H_2O}\\ (CaO: +H_2O;\\ CaCO_3:
        +H_2O \\to \\ldots + CO_2),\\qquad \\xi = u\\,n_{agent,in}

    The lime is either a plant feed at a fixed rate (the residual acid is then a
    result) or a :class:`LimeDose` that the plant solves so that the residual free acid
    equals a target (a design variable). With ``target_free_acid`` (g/L) or
    ``target_pH`` (proxy, :func:`free_acid_g_L`) the report also gives the agent that
    target needs, whatever the lime inlet carries.

    With ``chemistry = "equilibrium"`` the inlets (the agent as delivered, dissolved)
    mix into one liquor that comes to equilibrium with the phases it may form
    (``minerals``: by default gypsum, Fe(OH)3, tenorite, fluorite, stibnite, portlandite
    where the ``database``, phreeqc.dat or llnl.dat, and the flowsheet's species have
    them) and strips H2S(g) to the vent above ``H2S_strip_pressure`` (CO2 above 1 atm):
    the speciation rows of :mod:`polyflow.chem.speciation` (Parkhurst & Appelo 2013,
    USGS TM 6-A43, eqs. 27–37) with a Fischer–Burmeister row per phase, s_p ≥ 0,
    SI_p ≤ 0, s_p·SI_p = 0 (Fischer 1992, Optimization 24, 269), as rows of the plant
    system (:mod:`polyflow.units._liquor_equilibrium`). The phases leave as their
    species (W·s_p/1000 kmol/h), the liquor in the ions of its masters (the flowsheet
    must list them: ``H+``, ``OH-``, ``Ca+2``, ``SO4-2``, ...). The unit reports the outlet
    ``pH``, ``ionic_strength``, ``dissolved_ELEMENT`` (mg/L), ``precipitated_SPECIES`` and
    ``H2S_vented``. The dose is the ``lime`` feed's: a fixed rate (the pH a result), or,
    with ``target_pH``, a :class:`LimeDose` with ``target = "charge"``: the unit then
    holds log10 a(H+) = −pH with the base b the liquor lacks as an unknown (leaving as
    OH-, so the outlet carries a charge −b) and the dose is what makes the outlet
    neutral (b = 0): a row nearly linear in the dose, so Newton need not follow the
    steep titration curve (the staged HDS pair is two such units in series, e.g. 3.5
    then 8.5). Checked against PHREEQC (tests/units/test_neutraliser_equilibrium.py).

    Source: lime and limestone neutralisation of acidic process solutions and gypsum
    formation, Aubé & Zinck, "Lime treatment of acid mine drainage in Canada", Proc.
    Brazil–Canada Seminar on Mine Rehabilitation (2003); stoichiometry as in
    Schlesinger et al., *Extractive Metallurgy of Copper*, 5th ed. (2011), §15.9
    (raffinate bleed treatment).

    Example: a bleed with 98.08 kg/h of free acid (1 kmol/h) and 60 kg/h of slaked lime
    (0.8098 kmol/h) at 100 % utilisation keeps 0.1902 kmol/h of acid and forms
    0.8098 kmol/h (139.4 kg/h) of gypsum:

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "H2SO4", "Ca(OH)2", "CaSO4*2H2O(s)", "CO2(g)"])
    >>> _ = fs.add(Feed("bleed", flows={"H2O": "10 t/h", "H2SO4": "1 kmol/h"}))
    >>> _ = fs.add(Feed("lime", flows={"Ca(OH)2": "60 kg/h"}, category="reagent"))
    >>> _ = fs.add(Neutraliser("neutraliser", agent="Ca(OH)2"))
    >>> _ = fs.add(Product("tails")); _ = fs.add(Product("vent"))
    >>> fs.connect("b", "bleed", "neutraliser.feed"); fs.connect("l", "lime", "neutraliser.lime")
    >>> fs.connect("t", "neutraliser.slurry", "tails"); fs.connect("v", "neutraliser.vent", "vent")
    >>> r = fs.solve()
    >>> round(r.flow_kg_h("t")["CaSO4*2H2O(s)"], 1)
    139.4
    """

    model = "neutraliser"
    inlets = ("feed*", "lime")
    outlets = ("slurry", "vent")
    params = {
        "agent": _agent_param(),
        "chemistry": Param.choice("'stoichiometric' (lime reacts with the free H2SO4) or "
                                  "'equilibrium' (the liquor speciated with its minerals)",
                                  ("stoichiometric", "equilibrium"), default="stoichiometric"),
        "database": Param.choice("equilibrium database (chemistry = equilibrium)",
                                 ("phreeqc", "llnl"), default="phreeqc"),
        "minerals": Param(None, "phases that may form (chemistry = equilibrium); default: "
                                "those of DEFAULT_MINERALS the database and species have",
                          parse=lambda v: tuple(str(m) for m in v)),
        "liquor_elements": Param(None, "chemistry = equilibrium: the elements (besides H "
                                 "and O) whose aqueous species are speciated; those of "
                                 "others pass unchanged (default: all)",
                                 parse=lambda v: tuple(str(e) for e in v)),
        "H2S_strip_pressure": Param("pressure", "H2S partial pressure of the vent gas in "
                                    "equilibrium with the liquor", default=H2S_STRIP_KPA,
                                    bounds=(1e-6, 101.325)),
        "utilisation": Param("fraction", "share of the agent that reacts", default=1.0,
                             bounds=(0.3, 1.0)),
        "precipitate": Param(None, "further reactions {equation, key, conversion}, e.g. "
                                   "metal hydroxides", default=[], parse=read_reactions),
        "target_free_acid": Param("concentration", "free acid to neutralise to (for the "
                                  "reported lime demand)", bounds=(0.0, 500.0)),
        "target_pH": Param("ratio", "stoichiometric: pH proxy of the target (fully "
                           "dissociated acid, at most 3); equilibrium: the pH the liquor is "
                           "held at, with a lime_dose (target = 'charge') on the lime inlet",
                           bounds=(-1.0, 14.0)),
        "solution_density": Param("density", "liquor density", default=1000.0,
                                  bounds=(700.0, 2500.0)),
        "temperature": Param("temperature", "outlet temperature (isothermal); adiabatic if "
                             "not given", bounds=(273.15, 373.15)),
    }
    results = {
        "free_acid_in": Reported("kg/h", "free acid entering"),
        "residual_free_acid": Reported("g/L", "free acid left in the solution"),
        "agent": Reported("kg/h", "neutralising agent fed"),
        "gypsum": Reported("kg/h", "gypsum formed"),
        "heat_of_reaction": Reported("kW", "Σ ξ ΔHr(25 °C), negative when exothermic"),
        "agent_demand_to_target": Reported("kg/h", "agent the target free acid or pH needs"),
        "pH": Reported("", "outlet liquor pH, -log10 a(H+) (chemistry = equilibrium)"),
        "ionic_strength": Reported("", "outlet liquor ionic strength, mol/kg water"),
        "dissolved_{element}": Reported("mg/L", "element dissolved in the outlet liquor"),
        "precipitated_{species}": Reported("kg/h", "phase formed at equilibrium"),
        "H2S_vented": Reported("kg/h", "H2S(g) stripped to the vent"),
    }

    def validate(self) -> None:
        if self.p["target_free_acid"] is not None and self.p["target_pH"] is not None:
            raise self.misspecified("over-specified: give 'target_free_acid' or 'target_pH', "
                                    "not both", "target_pH")
        if self.p["chemistry"] == "stoichiometric" and self.p["target_pH"] is not None \
                and self.p["target_pH"] > 3.0:
            raise self.fail("a pH proxy above 3 means nothing (the stoichiometric model "
                            "counts free H2SO4 only)", "target_pH",
                            hint="use chemistry = 'equilibrium' to neutralise to a pH")

    def bind(self, species) -> None:
        self._species = species
        self.solids, self.gas, self.liquor = phase_masks(species)
        if self.p["chemistry"] == "equilibrium":
            self._bind_equilibrium(species)
            return
        self.eqm = None
        self.agent_rx, self.agent_i = resolve_reaction(self, AGENTS[self.p["agent"]],
                                                       self.p["agent"], 1, "agent")
        rxs, keys, X = [self.agent_rx], [self.agent_i], [self.p["utilisation"]]
        for k, r in enumerate(self.p["precipitate"], start=2):
            rx, key = resolve_reaction(self, r["equation"], r["key"], k, "precipitate")
            rxs.append(rx)
            keys.append(key)
            X.append(r["conversion"])
        self.rxs, self.keys, self.X = rxs, keys, X
        self.M = conversion_matrix(rxs, keys, X, species)
        self.acid = species.idx("H2SO4")

    def _bind_equilibrium(self, species) -> None:
        from polyflow.errors import PolyflowError
        from polyflow.units._liquor_equilibrium import MINERAL_SPECIES, LiquorEquilibrium

        db = self.p["database"]
        minerals = self.p["minerals"]
        if minerals is None:
            from polyflow.chem.equilibria import load_equilibria
            phases = load_equilibria(db).phases
            minerals = [m for m in DEFAULT_MINERALS if m in phases
                        and MINERAL_SPECIES[m] in species.index]
        gases = {}
        if "H2S(g)" in species.index:
            gases["H2S(g)"] = self.p["H2S_strip_pressure"] / 101.325
        if "CO2(g)" in species.index:
            gases["CO2(g)"] = CO2_STRIP_KPA / 101.325
        agent = self.p["agent"]
        dissolve = [agent] if agent in species.index else []
        try:
            self.eqm = LiquorEquilibrium.build(species, db, minerals, gases, dissolve,
                                               self.p["liquor_elements"])
        except PolyflowError as err:
            raise self.fail(err.message, err.field or "minerals", hint=err.hint) from None
        self.agent_i = species.idx(agent) if agent in species.index else None
        self.acid = species.index.get("H2SO4(aq)")

    def equations(self, eq) -> None:
        out, vent = eq.outlets["slurry"], eq.outlets["vent"]
        if self.eqm is not None:
            lime = eq.inlets.get("lime", [])
            dose = eq.flows(lime[0])[self.agent_i] if lime and self.agent_i is not None \
                else None
            self.eqm.write(eq, eq.all_inlets, out, vent, self.p["target_pH"], dose)
            split_energy(eq, [out, vent], temperature=self.p["temperature"], reactive=True)
            return
        ins = [eq.flows(s) for s in eq.all_inlets]
        gas = self.gas.astype(float)
        reaction_rows(eq, eq.flows(out), ins, self.M, [], [], out, mask=1.0 - gas)
        reaction_rows(eq, eq.flows(vent), ins, self.M, [], [], vent, mask=gas)
        split_energy(eq, [out, vent], temperature=self.p["temperature"], reactive=True)

    def _report_equilibrium(self, sol) -> dict[str, float]:
        from polyflow.chem.aqueous_map import M_WATER

        sp = sol.species
        eqm = self.eqm
        lay = eqm.layout(self.p["target_pH"] is not None)
        x = np.asarray(sol.internal, dtype=float)
        n_in = sol.inlet_total()
        n_out, _ = sol.outlets["slurry"]
        n_vent, _ = sol.outlets["vent"]
        mw = sp.mw
        out = {"pH": float(-lay.take("log_a", x)[0]), "ionic_strength": float(lay.take("I", x))}
        if self.agent_i is not None:
            lime_in = sum(n for n, _ in sol.inlets["lime"]) if sol.inlets.get("lime") else 0
            out["agent"] = float(np.asarray(lime_in)[self.agent_i] * mw[self.agent_i]) \
                if np.ndim(lime_in) else 0.0
        for p, i in enumerate(eqm.phase_species):
            src = n_vent if eqm.phase_gas[p] else n_out
            key = "H2S_vented" if sp.ids[i] == "H2S(g)" else f"precipitated_{sp.ids[i]}"
            passed = 0.0 if eqm.dissolve[i] else n_in[i]
            out[key] = float((src[i] - passed) * mw[i])
            if sp.ids[i] == "CaSO4*2H2O(s)":
                out["gypsum"] = out[key]
        W = M_WATER * float(n_out[eqm.water])             # kg/h water
        if W > 0:
            aq = sp.mask("aq")
            for e, el in enumerate(sp.elements):
                if el in ("H", "O"):
                    continue
                kg = float(sp.element_matrix[e][aq] @ n_out[aq]) * _atomic_weight(el)
                if kg > 0:
                    out[f"dissolved_{el}"] = 1e6 * kg / W    # per kg water ~ per L
        return out

    def report(self, sol) -> dict[str, float]:
        if self.eqm is not None:
            return self._report_equilibrium(sol)
        sp = sol.species
        n_in = sol.inlet_total()
        n_out = sol.outlets["slurry"][0]
        mw = sp.mw
        V = float(mw[self.liquor] @ n_out[self.liquor]) / self.p["solution_density"]
        out = {"free_acid_in": float(n_in[self.acid] * mw[self.acid]),
               "residual_free_acid": float(n_out[self.acid] * mw[self.acid]) / V
               if V > 0 else 0.0}
        lime_in = sum(n for n, _ in sol.inlets["lime"])
        out["agent"] = float(lime_in[self.agent_i] * mw[self.agent_i])
        gyp = sp.index.get("CaSO4*2H2O(s)")
        if gyp is not None:
            out["gypsum"] = float((n_out[gyp] - n_in[gyp]) * mw[gyp])
        n = n_in.astype(float).copy()
        q = 0.0
        for rx, key, X in zip(self.rxs, self.keys, self.X, strict=True):
            nu = nu_vector(rx, sp)
            xi = X * n[key] / abs(nu[key])
            n += nu * xi
            q += xi * rx.dH()
        out["heat_of_reaction"] = float(q / MJ_H_PER_KW)
        if self.p["target_free_acid"] is not None or self.p["target_pH"] is not None:
            C = free_acid_g_L(self.p["target_free_acid"], self.p["target_pH"])
            acid_in = float(n_in[self.acid])          # kmol/h
            to_remove = max(acid_in - C * V / mw[self.acid], 0.0)
            out["agent_demand_to_target"] = float(to_remove / self.p["utilisation"]
                                                       * mw[self.agent_i])
        return out


def _charges(species) -> np.ndarray:
    """Charge of every species (ions carry one; formula units none)."""
    return np.array([float(sp.formula.charge) for sp in species.species])


def _atomic_weight(element: str) -> float:
    from polyflow.chem.elements import atomic_weight
    return atomic_weight(element)
