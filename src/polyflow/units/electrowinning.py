"""Electrowinning: cathode metal by Faraday's law from the tankhouse current."""

from __future__ import annotations

import numpy as np

from polyflow.chem.reactions import Reaction
from polyflow.units._hydro_common import FARADAY, nu_vector, resolve_reaction
from polyflow.units.base import Param, Reported, Unit

__all__ = ["Electrowinning"]

COPPER_EW = "CuSO4 + H2O -> Cu(s) + H2SO4 + 0.5 O2(g)"


class Electrowinning(Unit):
    """Electrowinning tankhouse: the current fixes the metal plated (Faraday's law), the
    cell voltage the power. The overall cell reaction (default copper:
    ``CuSO4 + H2O -> Cu(s) + H2SO4 + 0.5 O2(g)``) regenerates acid in the spent
    electrolyte and evolves oxygen at the anodes; the model takes the metal, its
    electron count and its reaction, so antimony (3 electrons) or gold reuse it.

    .. math::

        \\dot n_{M} = \\frac{I\\,N_{cells}\\,\\eta_{CE}}{z F},\\qquad
        P = I\\,N_{cells}\\,U_{cell},\\qquad
        e = \\frac{P}{\\dot m_M} = \\frac{z F U_{cell}}{\\eta_{CE} M_M}

    ``I`` is the current through each cell, from ``current`` or from ``current_density``
    × ``cathode_area`` (plated area per cell, both faces of every cathode). The metal
    leaves as ``cathode``, gases as ``anode_gas``, the rest as ``spent_electrolyte``.
    The power not stored chemically (``I (U_cell − ΔH_r/zF)`` per cell) heats the
    electrolyte: the energy balance carries the electrical power as the duty, and
    ``power_kW`` returns it; with ``temperature`` given the outlets are held there and
    the duty shows the heat the tankhouse loses. The production is fixed by the
    current: an electrolyte carrying less metal than that is infeasible and the solve
    stops naming this unit and the metal salt it runs short of.

    Source: Faraday's law with current efficiency and specific energy, Schlesinger,
    King, Sole & Davenport, *Extractive Metallurgy of Copper*, 5th ed. (2011), ch. 17
    (eqs. 17.1–17.4); tankhouse practice in Beukes & Badenhorst, "Copper electrowinning:
    theoretical and practical design", *J. S. Afr. Inst. Min. Metall.* 109 (2009) 343.

    Example: 1 kA for one hour at 100 % current efficiency plates
    1000 × 3600 × 63.546 / (2 × 96485.33) = 1185.5 g of copper; at 2.0 V and 90 %
    current efficiency the specific energy is 1874.5 kWh per tonne of copper.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "Cu(s)", "O2(g)"])
    >>> _ = fs.add(Feed("electrolyte", flows={"H2O": "10 t/h", "CuSO4": "0.1 t/h"}))
    >>> _ = fs.add(Electrowinning("ew", current="1 kA", current_efficiency="100 %",
    ...                           cell_voltage="2.0 V"))
    >>> for p in ("cathode", "spent", "oxygen"): _ = fs.add(Product(p))
    >>> fs.connect("e", "electrolyte", "ew"); fs.connect("cu", "ew.cathode", "cathode")
    >>> fs.connect("s", "ew.spent_electrolyte", "spent")
    >>> fs.connect("o", "ew.anode_gas", "oxygen")
    >>> round(fs.solve().flow_kg_h("cu")["Cu(s)"], 4)
    1.1855
    >>> ew = Electrowinning("ew", current="1 kA", current_efficiency="90 %",
    ...                     cell_voltage="2.0 V")
    >>> ew.bind(fs.species); round(ew.specific_energy_kWh_t(), 1)
    1874.5
    """

    model = "electrowinning"
    inlets = ("electrolyte*",)
    outlets = ("cathode", "spent_electrolyte", "anode_gas")
    params = {
        "metal": Param(None, "species plated at the cathode", default="Cu(s)"),
        "reaction": Param(None, "overall cell reaction, per mole of metal", default=COPPER_EW),
        "electrons": Param.integer("electrons per atom of metal deposited (Cu 2, Sb 3, Au 1)",
                                   default=2, bounds=(1, None)),
        "current": Param("current", "current through each cell", bounds=(1e-3, 1e7)),
        "current_density": Param("current_density", "cathode current density",
                                 bounds=(1.0, 2000.0)),
        "cathode_area": Param("area", "plated cathode area per cell (both faces)",
                              bounds=(1e-4, 1e4)),
        "cells": Param.integer("number of cells in the tankhouse", default=1, bounds=(1, None)),
        "cell_voltage": Param("voltage", "voltage across each cell", required=True,
                              bounds=(0.1, 10.0)),
        "current_efficiency": Param("fraction", "share of the current that plates metal",
                                    default=0.92, bounds=(0.3, 1.0)),
        "temperature": Param("temperature", "electrolyte temperature held by the tankhouse "
                             "(heat losses, coolers); adiabatic if not given",
                             bounds=(273.15, 373.15)),
    }
    results = {
        "current": Reported("kA", "cell-house current"),
        "cathode": Reported("kg/h", "metal plated"),
        "specific_energy": Reported("kWh/t", "energy per tonne of cathode"),
        "thermoneutral_voltage": Reported("V", "ΔH / (n F) of the cell reaction"),
        "acid_regenerated": Reported("kg/h", "acid made at the anode"),
        "oxygen": Reported("kg/h", "oxygen evolved at the anode"),
    }

    def validate(self) -> None:
        by_density = self.p["current_density"] is not None or self.p["cathode_area"] is not None
        if self.p["current"] is not None and by_density:
            raise self.misspecified("over-specified: give 'current', or 'current_density' and "
                                    "'cathode_area', not both", "current")
        if self.p["current"] is None and (self.p["current_density"] is None
                                          or self.p["cathode_area"] is None):
            raise self.fail("give the cell current: 'current' (e.g. '35 kA'), or "
                            "'current_density' (e.g. '300 A/m2') and 'cathode_area' per cell "
                            "(e.g. '110 m2')", "current")

    @property
    def cell_current_A(self) -> float:
        if self.p["current"] is not None:
            return float(self.p["current"])
        return float(self.p["current_density"] * self.p["cathode_area"])

    def bind(self, species) -> None:
        self._species = species
        self.rx: Reaction
        self.rx, _ = resolve_reaction(self, self.p["reaction"], None, 1, "reaction")
        try:
            self.metal = species.idx(self.p["metal"])
        except Exception as err:
            raise self.fail(str(err), "metal") from None
        metal_id = species.ids[self.metal]
        nu_m = self.rx.nu.get(metal_id, 0.0)
        if nu_m <= 0:
            raise self.fail(f"the reaction {self.p['reaction']!r} does not produce the metal "
                            f"{metal_id!r}", "reaction",
                            hint="write the overall cell reaction with the metal as a product")
        self.nu_m = nu_m
        self.nu = nu_vector(self.rx, species) / nu_m       # per mole of metal
        self.mw_metal = float(species.mw[self.metal])
        self.gas = species.mask("g")
        self.cathode = np.zeros(len(species), bool)
        self.cathode[self.metal] = True

    # -- Faraday ---------------------------------------------------------------------
    def metal_kmol_h(self) -> float:
        """Metal plated [kmol/h] = I N η / (z F) (mol/s × 3.6 = kmol/h)."""
        amps = self.cell_current_A * self.p["cells"] * self.p["current_efficiency"]
        return amps / (self.p["electrons"] * FARADAY) * 3.6

    def power_kW_total(self) -> float:
        return self.cell_current_A * self.p["cells"] * self.p["cell_voltage"] / 1000.0

    def specific_energy_kWh_t(self) -> float:
        """kWh per tonne of metal: z F U / (η M), in kWh/t."""
        return self.power_kW_total() / (self.metal_kmol_h() * self.mw_metal / 1000.0)

    def equations(self, eq) -> None:
        ins = eq.all_inlets
        cath = eq.outlets["cathode"]
        spent = eq.outlets["spent_electrolyte"]
        gas = eq.outlets["anode_gas"]
        change = self.nu * self.metal_kmol_h()
        masks = {cath: self.cathode.astype(float),
                 gas: (self.gas & ~self.cathode).astype(float)}
        masks[spent] = 1.0 - masks[cath] - masks[gas]
        for out, m in masks.items():
            eq.species_map(out, [(s, m) for s in ins], constant=m * change)
        if self.p["temperature"] is not None:
            eq.temperature_fixed(spent, self.p["temperature"])
        else:
            eq.energy_balance(ins, [cath, spent, gas], primary=spent,
                              duty_kW=self.power_kW_total())
        eq.temperature_equal(cath, spent)
        eq.temperature_equal(gas, spent)

    def power_kW(self, sol) -> float:
        return self.power_kW_total()

    def report(self, sol) -> dict[str, float]:
        xi = self.metal_kmol_h()
        out = {"current": self.cell_current_A * self.p["cells"] / 1000.0,
               "cathode": xi * self.mw_metal,
               "specific_energy": self.specific_energy_kWh_t(),
               "thermoneutral_voltage": self.rx.dH() / self.nu_m * 1000.0
               / (self.p["electrons"] * FARADAY)}
        sp = sol.species
        for sid, label in (("H2SO4(aq)", "acid_regenerated"), ("O2(g)", "oxygen")):
            if sid in sp.index and self.nu[sp.index[sid]] > 0:
                i = sp.index[sid]
                out[label] = float(self.nu[i] * xi * sp.mw[i])
        return out
