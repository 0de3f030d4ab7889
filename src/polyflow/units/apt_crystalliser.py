"""APT evaporative crystalliser: ammonium paratungstate from ammonium tungstate liquor."""

from __future__ import annotations

import numpy as np

from polyflow.errors import PolyflowError
from polyflow.solve.system import MJ_H_PER_KW
from polyflow.units._hydro_common import nu_vector, phase_masks, resolve_reaction
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix

__all__ = ["AptCrystalliser"]

APT_REACTION = "12 (NH4)2WO4 -> APT + 14 NH3 + 2 H2O"


class AptCrystalliser(Unit):
    """Evaporative crystalliser for ammonium paratungstate (APT, the tetrahydrate
    (NH4)10[H2W12O42]·4H2O): boiling the ammonium tungstate strip liquor drives off
    ammonia and water, the pH falls and APT crystallises. The plant practice is a
    fixed crystallisation yield per pass (the rest of the tungsten stays in the mother
    liquor, which keeps the impurities out of the crystals and is recycled or bled):

    .. math::

        12\\,(NH_4)_2WO_4 \\to (NH_4)_{10}[H_2W_{12}O_{42}]\\cdot 4H_2O + 14\\,NH_3
        + 2\\,H_2O,\\qquad \\xi = Y\\,n_{(NH_4)_2WO_4,in}/12

    then a fraction ``evaporation`` of the liquid water leaves as steam and a fraction
    ``ammonia_stripped`` of the dissolved ammonia as gas (``vapour``), the crystals
    (every solid) leave dry as ``crystals`` (a centrifuge after it sets the cake
    moisture), the rest is the ``mother_liquor``. All streams leave at
    ``temperature`` (boiling, about 100 °C at atmospheric pressure); the heat the
    evaporation needs is the unit's duty.

    Parameters: ``yield_per_pass`` 0–0.999 (plants crystallise 85–95 % of the WO3 per
    pass; more drags the impurities into the APT), ``evaporation`` 0–0.99, ``ammonia_stripped``
    0–1, ``temperature`` 60–110 °C.

    With a mother-liquor recycle and a bleed b of it, the tungsten reaching the crystals
    is Y/(1 − (1 − Y)(1 − b)) of that fed to the loop .

    Source: APT crystallisation by evaporation, yield per pass and mother-liquor
    practice, Lassner & Schubert, *Tungsten* (1999), §6.2.4; APT tetrahydrate formation,
    van Put, Witkamp & van Rosmalen, *Hydrometallurgy* 34 (1993) 187; crystalliser
    material and energy balance, McCabe, Smith & Harriott, *Unit Operations of
    Chemical Engineering*, 7th ed. (2005), §27.2.

    Example: 1.2 kmol/h of (NH4)2WO4 at 90 % yield gives 0.09 kmol/h of APT,
    0.09 × 3132.5 = 281.9 kg/h:

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "H2O(g)", "NH3", "NH3(g)", "(NH4)2WO4", "APT"])
    >>> _ = fs.add(Feed("at", flows={"H2O": "2 t/h", "(NH4)2WO4": "1.2 kmol/h"}))
    >>> _ = fs.add(AptCrystalliser("cryst", yield_per_pass="90 %", evaporation="60 %"))
    >>> for p in ("apt", "ml", "vap"): _ = fs.add(Product(p))
    >>> fs.connect("f", "at", "cryst"); fs.connect("c", "cryst.crystals", "apt")
    >>> fs.connect("m", "cryst.mother_liquor", "ml"); fs.connect("v", "cryst.vapour", "vap")
    >>> round(fs.solve().flow_kg_h("c")["(NH4)10[H2W12O42]*4H2O(s)"], 1)
    281.9
    """

    model = "apt_crystalliser"
    inlets = ("feed*",)
    outlets = ("crystals", "mother_liquor", "vapour")
    params = {
        "yield_per_pass": Param("fraction", "share of the ammonium tungstate fed "
                                            "crystallised as APT per pass",
                                default=0.90, bounds=(0.0, 0.999)),
        "evaporation": Param("fraction", "share of the liquid water evaporated",
                             default=0.60, bounds=(0.0, 0.99)),
        "ammonia_stripped": Param("fraction", "share of the dissolved NH3 to the vapour",
                                  default=1.0, bounds=(0.0, 1.0)),
        "temperature": Param("temperature", "boiling temperature of the crystalliser",
                             default=373.15, bounds=(333.15, 383.15)),
        "reaction": Param(None, "crystallisation reaction, key first",
                          default=APT_REACTION),
        "key": Param(None, "tungstate crystallised", default="(NH4)2WO4(aq)"),
    }
    results = {
        "APT": Reported("kg/h", "ammonium paratungstate crystallised"),
        "yield_per_pass": Reported("%", "tungsten crystallised per pass"),
        "tungsten_crystallised": Reported("kmol/h", "tungsten to the crystals"),
        "water_evaporated": Reported("kg/h", "water to the vapour"),
        "ammonia_to_vapour": Reported("kg/h", "ammonia to the vapour"),
        "heat_of_crystallisation": Reported("kW", "ξ ΔHr(25 °C) of the crystallisation"),
    }

    def bind(self, species) -> None:
        self.sp = species
        self._species = species
        rx, key = resolve_reaction(self, self.p["reaction"], self.p["key"], 1, "reaction")
        self.rx, self.key = rx, key
        self.nu = nu_vector(rx, species)
        self.R = conversion_matrix([rx], [key], [self.p["yield_per_pass"]], species)
        self.solids, self.gas, self.liquor = phase_masks(species)
        try:
            self.w_l, self.w_g = species.idx("H2O(l)"), species.idx("H2O(g)")
            self.a_l, self.a_g = species.idx("NH3(aq)"), species.idx("NH3(g)")
        except PolyflowError as err:
            raise self.fail(err.message, "evaporation",
                            hint="the flowsheet needs H2O, H2O(g), NH3 and NH3(g)") from None

    def _maps(self):
        """(vapour, remaining liquor) matrices applied after the reaction."""
        S = len(self.sp)
        V = np.zeros((S, S))
        V[self.w_g, self.w_l] = self.p["evaporation"]
        V[self.a_g, self.a_l] = self.p["ammonia_stripped"]
        V += np.diag(self.gas.astype(float))           # gases fed leave with the vapour
        L = np.diag(self.liquor.astype(float))
        L[self.w_l, self.w_l] -= self.p["evaporation"]
        L[self.a_l, self.a_l] -= self.p["ammonia_stripped"]
        return V @ self.R, L @ self.R

    def equations(self, eq) -> None:
        ins = eq.all_inlets
        cr, ml, vap = (eq.outlets[k] for k in ("crystals", "mother_liquor", "vapour"))
        Vm, Lm = self._maps()
        C = np.diag(self.solids.astype(float)) @ self.R
        eq.species_map(cr, [(s, C) for s in ins])
        eq.species_map(ml, [(s, Lm) for s in ins])
        eq.species_map(vap, [(s, Vm) for s in ins])
        eq.temperature_fixed(cr, self.p["temperature"])
        eq.temperature_equal(ml, cr)
        eq.temperature_equal(vap, cr)

    def report(self, sol) -> dict[str, float]:
        sp = sol.species
        n_in = sol.inlet_total()
        k = self.key
        xi = self.p["yield_per_pass"] * n_in[k] / abs(self.nu[k])
        cr = sol.outlets["crystals"][0]
        vap = sol.outlets["vapour"][0]
        return {"APT": float(cr[self.solids] @ sp.mw[self.solids]),
                "yield_per_pass": 100.0 * self.p["yield_per_pass"],
                "tungsten_crystallised": float(12.0 * xi),
                "water_evaporated": float(vap[self.w_g] * sp.mw[self.w_g]),
                "ammonia_to_vapour": float(vap[self.a_g] * sp.mw[self.a_g]),
                "heat_of_crystallisation": float(xi * self.rx.dH() / MJ_H_PER_KW)}
