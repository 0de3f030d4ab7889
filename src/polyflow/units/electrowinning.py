"""Electrowinning: cathode metal by Faraday's law from the tankhouse current, the cell
voltage and current efficiency from the cell up (or given)."""

from __future__ import annotations

import numpy as np

from polyflow.chem.reactions import Reaction
from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._ew_cell import cell_data, cell_voltage
from polyflow.units._hydro_common import (
    FARADAY,
    nu_vector,
    phase_masks,
    reaction_rows,
    resolve_reaction,
)
from polyflow.units.base import Param, Reported, Unit

__all__ = ["Electrowinning"]

COPPER_EW = "CuSO4 + H2O -> Cu(s) + H2SO4 + 0.5 O2(g)"
#: the ferric species whose Fe3+ shuttles between cathode and anode, Fe atoms per unit
FERRIC = {"Fe2(SO4)3(aq)": 2.0}


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
    stops naming this unit and the metal salt it runs short of (a spec on the current,
    such as the spent electrolyte's copper, makes the production follow the copper
    that arrives).

    **The cell from the cell up** (when ``cell_voltage`` is not given; copper, whose
    parameters are in ``data/ew_cell.csv``; needs ``temperature`` and the current
    density):

    .. math::

        U_{cell} = E_{rev}(T, Q) + \\eta_a + |\\eta_c| + \\frac{i\\,d}{\\kappa}
        + U_{hw},\\qquad
        \\eta = \\frac{2.303\\,RT}{\\alpha n F}\\log_{10}\\frac{i}{i_0},\\qquad
        \\eta_{CE} = \\eta_{CE,0} - \\frac{F\\,k_m\\,C_{Fe^{3+}}}{i}

    ``E_rev`` is the reversible voltage of the cell reaction at T (Gibbs–Helmholtz from
    E° at 25 °C and ΔH of the species data) with the Nernst term of the spent
    electrolyte's formula concentrations (mol/L, activity coefficients 1); the
    overpotentials are Tafel's (O2 on Pb–Ca–Sn at the anode, Cu2+ at the cathode); κ the
    electrolyte conductivity from its copper, free acid and temperature; ``d`` the
    ``anode_cathode_gap``; ``U_hw`` the contacts and conductors. The current efficiency
    is ``base_current_efficiency`` (shorts, stray currents) less the ferric shuttle,
    Fe3+ reduced at its mass-transfer limit (``Fe2(SO4)3(aq)`` in the electrolyte): it
    falls with Fe3+ and rises with the current density. Given ``cell_voltage`` and
    ``current_efficiency`` are used as typed (the fixed options).

    Source: Faraday's law with current efficiency and specific energy, Schlesinger,
    King, Sole & Davenport, *Extractive Metallurgy of Copper*, 5th ed. (2011), ch. 17
    (eqs. 17.1–17.4, the cell-voltage breakdown); tankhouse practice in Beukes &
    Badenhorst, "Copper electrowinning: theoretical and practical design", *J. S. Afr.
    Inst. Min. Metall.* 109 (2009) 343; Tafel kinetics, Bard & Faulkner,
    *Electrochemical Methods*, 2nd ed. (2001), §3.4; ferric current loss, Das & Gopala
    Krishna, *Int. J. Miner. Process.* 46 (1996) 91; parameters and their status in
    ``data/ew_cell.csv``.

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
        "cell_voltage": Param("voltage", "voltage across each cell, fixed; from the cell "
                              "model if not given", bounds=(0.1, 10.0)),
        "current_efficiency": Param("fraction", "share of the current that plates metal, "
                                    "fixed; from the ferric loss if not given",
                                    bounds=(0.3, 1.0)),
        "base_current_efficiency": Param("fraction", "current efficiency without ferric "
                                         "iron (shorts, stray currents)", default=0.92,
                                         bounds=(0.3, 1.0)),
        "anode_cathode_gap": Param("length", "electrolyte path from anode to cathode face",
                                   default=0.04, bounds=(0.005, 0.2)),
        "hardware_voltage": Param("voltage", "contacts and conductors (default from "
                                  "data/ew_cell.csv)", bounds=(0.0, 2.0)),
        "solution_density": Param("density", "electrolyte density for its concentrations",
                                  default=1000.0, bounds=(700.0, 2000.0)),
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
        "cell_voltage": Reported("V", "voltage across each cell"),
        "current_efficiency": Reported("%", "share of the current that plates metal"),
        "current_density": Reported("A/m2", "cathode current density"),
        "reversible_potential": Reported("V", "reversible cell voltage (Nernst, at T)"),
        "anode_overpotential": Reported("V", "Tafel overpotential of the anode"),
        "cathode_overpotential": Reported("V", "Tafel overpotential of the cathode"),
        "ohmic_drop": Reported("V", "electrolyte IR drop, i·gap/κ"),
        "hardware_drop": Reported("V", "contacts and conductors"),
        "conductivity": Reported("S/m", "electrolyte conductivity"),
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
        if self.p["cell_voltage"] is None:
            if self.p["temperature"] is None:
                raise self.fail("the cell model (no 'cell_voltage' given) needs the "
                                "electrolyte 'temperature' (e.g. '45 degC')", "temperature",
                                hint="or give 'cell_voltage' (e.g. '2.0 V')")
            if self.p["cathode_area"] is None:
                raise self.fail("the cell model (no 'cell_voltage' given) needs the current "
                                "density: give 'current_density' and 'cathode_area'",
                                "cathode_area", hint="or give 'cell_voltage' (e.g. '2.0 V')")

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
        self.liquor = phase_masks(species)[2]
        self.cathode = np.zeros(len(species), bool)
        self.cathode[self.metal] = True
        self.cell = None
        if self.p["cell_voltage"] is None:
            self.cell = cell_data(metal_id)
            if self.cell is None:
                raise self.fail(f"no cell-model data for {metal_id!r} in data/ew_cell.csv: "
                                "give 'cell_voltage'", "cell_voltage")
        #: the ferric species of the electrolyte (index, Fe per formula unit), if any
        self.ferric = [(species.index[k], v) for k, v in FERRIC.items()
                       if k in species.index] if self.p["current_efficiency"] is None else []
        if self.ferric and self.p["cathode_area"] is None:
            raise self.fail("the ferric current loss needs the cathode area: give "
                            "'current_density' and 'cathode_area', or 'current_efficiency'",
                            "cathode_area")

    # -- Faraday ---------------------------------------------------------------------
    @property
    def base_efficiency(self) -> float:
        ce = self.p["current_efficiency"]
        return float(ce if ce is not None else self.p["base_current_efficiency"])

    def metal_kmol_h(self) -> float:
        """Metal plated [kmol/h] = I N η / (z F) (mol/s × 3.6 = kmol/h), at the base
        (iron-free) current efficiency."""
        amps = self.cell_current_A * self.p["cells"] * self.base_efficiency
        return amps / (self.p["electrons"] * FARADAY) * 3.6

    def power_kW_total(self, voltage: float | None = None) -> float:
        U = self.p["cell_voltage"] if voltage is None else voltage
        return self.cell_current_A * self.p["cells"] * U / 1000.0

    def specific_energy_kWh_t(self) -> float:
        """kWh per tonne of metal: z F U / (η M), in kWh/t (fixed cell voltage)."""
        return self.power_kW_total() / (self.metal_kmol_h() * self.mw_metal / 1000.0)

    def _ferric_coefficient(self) -> float:
        """c in ξ = ξ₀ − c n_Fe/Q [kmol/h of metal; n_Fe kmol/h of Fe, Q m3/h]: the loss
        current N A F k_m C_Fe (C = 1000 n_Fe/Q mol/m3) over zF, in kmol/h."""
        k_m = (self.cell or cell_data("Cu(s)"))["k_m_ferric"]
        return (self.p["cells"] * self.p["cathode_area"] * k_m * 1000.0 * 3.6
                / self.p["electrons"])

    def equations(self, eq) -> None:
        ins = eq.all_inlets
        cath = eq.outlets["cathode"]
        spent = eq.outlets["spent_electrolyte"]
        gas = eq.outlets["anode_gas"]
        masks = {cath: self.cathode.astype(float),
                 gas: (self.gas & ~self.cathode).astype(float)}
        masks[spent] = 1.0 - masks[cath] - masks[gas]
        if not self.ferric:
            change = self.nu * self.metal_kmol_h()
            for out, m in masks.items():
                eq.species_map(out, [(s, m) for s in ins], constant=m * change)
        else:
            self._ferric_equations(eq, ins, masks, spent)
        if self.p["temperature"] is not None:
            eq.temperature_fixed(spent, self.p["temperature"])
        else:
            eq.energy_balance(ins, [cath, spent, gas], primary=spent,
                              duty_kW=self.power_kW_total())
        eq.temperature_equal(cath, spent)
        eq.temperature_equal(gas, spent)

    def _ferric_equations(self, eq, ins, masks, spent) -> None:
        """Metal plated ξ an internal unknown: ξ Q − ξ₀ Q + c n_Fe = 0 (product form of
        ξ = ξ₀ − c n_Fe/Q, Q the electrolyte volume flow entering), outlets linear in ξ."""
        S = eq.S
        xi0 = self.metal_kmol_h()
        xi = eq.internal(["metal_plated_kmol_h"], [xi0], lower=0.0)[0]
        mw = eq.species.mw
        wq = np.where(self.liquor, mw / self.p["solution_density"], 0.0)
        fe = np.zeros(S)
        for i, k in self.ferric:
            fe[i] = k
        c = self._ferric_coefficient()
        in_cols = [eq.flows(s) for s in ins]
        cols = np.concatenate([[xi], *in_cols])

        def f(x):
            n = sum(x[1 + j * S:1 + (j + 1) * S] for j in range(len(in_cols)))
            Q = float(wq @ n)
            r = x[0] * Q - xi0 * Q + c * float(fe @ n)
            return np.array([r]), np.array([abs(x[0] * Q) + abs(xi0 * Q) + abs(c * fe @ n)])

        def jac(x):
            n = sum(x[1 + j * S:1 + (j + 1) * S] for j in range(len(in_cols)))
            Q = float(wq @ n)
            d = (x[0] - xi0) * wq + c * fe
            return np.concatenate([[Q], np.tile(d, len(in_cols))])[None, :]

        def f0(x):      # start: the iron-free production (Q = 0 at the all-zero start)
            return np.array([x[0] - xi0]), np.array([abs(x[0]) + xi0])

        def j0(x):
            J = np.zeros((1, len(x)))
            J[0, 0] = 1.0
            return J

        eq.nonlinear(cols, 1, f, jac, stream=spent, var=ROW_INTERNAL,
                     labels=["metal plated (current efficiency with the ferric loss)"],
                     start=(f0, j0))
        ident = np.eye(S)
        for out, m in masks.items():
            reaction_rows(eq, eq.flows(out), in_cols, ident, [self.nu], [xi], out, mask=m)

    # -- results ---------------------------------------------------------------------
    def _plated_kmol_h(self, sol) -> float:
        if not self.ferric:
            return self.metal_kmol_h()
        return float(sol.internal[0])

    def _cell(self, sol) -> dict[str, float]:
        """Cell voltage and its parts at the spent electrolyte (the cell contents)."""
        if self.cell is None:
            return {"cell_voltage": float(self.p["cell_voltage"])}
        sp = sol.species
        n = sol.outlets["spent_electrolyte"][0]
        Q = float(sp.mw[self.liquor] @ n[self.liquor]) / self.p["solution_density"]  # m3/h
        conc = np.where(self.liquor, n / max(Q, 1e-30), 0.0)              # kmol/m3 = mol/L
        lnQ = 0.0
        for sid, v in self.rx.nu.items():
            i = sp.index[sid]
            if self.liquor[i] and sid != "H2O(l)":
                lnQ += v / self.nu_m * np.log(max(conc[i], 1e-9))
        g_L = conc * sp.mw                                                  # kg/m3 = g/L
        acid = float(g_L[sp.index["H2SO4(aq)"]]) if "H2SO4(aq)" in sp.index else 0.0
        cu = float(g_L[self.rx_salt_index(sp)] * self.mw_metal
                   / sp.mw[self.rx_salt_index(sp)]) if self.rx_salt_index(sp) is not None \
            else 0.0
        return cell_voltage(self.cell, i=self.p["current_density"],
                            T=float(self.p["temperature"]),
                            gap=self.p["anode_cathode_gap"],
                            dH_kJ=self.rx.dH() / self.nu_m, z=self.p["electrons"], lnQ=lnQ,
                            acid_g_L=acid, cu_g_L=cu, hardware=self.p["hardware_voltage"])

    def rx_salt_index(self, sp) -> int | None:
        """The dissolved salt the metal is plated from (the aqueous reactant carrying
        the metal's element)."""
        element = self._species.ids[self.metal].split("(")[0]
        for sid, v in self.rx.nu.items():
            i = sp.index[sid]
            if v < 0 and self.liquor[i] and element in sid:
                return i
        return None

    def _efficiency(self, sol) -> float:
        return self._plated_kmol_h(sol) * self.p["electrons"] * FARADAY / 3.6 / (
            self.cell_current_A * self.p["cells"])

    def power_kW(self, sol) -> float:
        return self.power_kW_total(self._cell(sol)["cell_voltage"])

    def report(self, sol) -> dict[str, float]:
        xi = self._plated_kmol_h(sol)
        cell = self._cell(sol)
        power = self.power_kW_total(cell["cell_voltage"])
        out = {"current": self.cell_current_A * self.p["cells"] / 1000.0,
               "cathode": xi * self.mw_metal,
               "specific_energy": power / (xi * self.mw_metal / 1000.0) if xi > 0 else 0.0,
               "thermoneutral_voltage": self.rx.dH() / self.nu_m * 1000.0
               / (self.p["electrons"] * FARADAY),
               "current_efficiency": 100.0 * self._efficiency(sol)}
        out.update(cell)
        if self.p["cathode_area"] is not None:
            out["current_density"] = self.cell_current_A / self.p["cathode_area"]
        sp = sol.species
        for sid, label in (("H2SO4(aq)", "acid_regenerated"), ("O2(g)", "oxygen")):
            if sid in sp.index and self.nu[sp.index[sid]] > 0:
                i = sp.index[sid]
                out[label] = float(self.nu[i] * xi * sp.mw[i])
        return out
