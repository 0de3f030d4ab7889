"""Cone or jaw crusher: Whiten's classification-and-breakage model, Bond's law power."""

from __future__ import annotations

import numpy as np

from polyflow.comminution import (
    austin_breakage,
    bond_energy,
    read_work_index,
    whiten_classification,
    whiten_crusher_matrix,
)
from polyflow.psd import (
    class_mass,
    expand_matrix,
    percentile_size,
    representative_sizes,
    require_sizes,
)
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.capacity import utilisation

__all__ = ["Crusher", "bond_terms"]


def bond_terms(species, n_feed: np.ndarray, n_product: np.ndarray, wi: float
               ) -> dict[str, float]:
    """F80, P80 [µm], solids [t/h], Bond specific energy [kWh/t] and power [kW] of a
    size reduction from ``n_feed`` to ``n_product`` (species flows, kmol/h)."""
    sieves = species.size_classes
    mf, mp = class_mass(species, n_feed), class_mass(species, n_product)
    f80 = percentile_size(sieves, mf, 0.8) * 1e6
    p80 = percentile_size(sieves, mp, 0.8) * 1e6
    t_h = float(mf.sum()) / 1000.0
    w = bond_energy(wi, f80, p80) if t_h > 0 else 0.0
    return {"F80_um": f80, "P80_um": p80, "solids_t_h": t_h, "specific_energy_kWh/t": w,
            "power_kW": w * t_h}


class Crusher(Unit):
    """Crusher (cone, jaw, gyratory): Whiten's model of repeated classification and
    breakage in the chamber; power by Bond's law.

    A particle of size ``x`` is taken for breakage with probability ``C(x)`` (0 below
    ``K1``, 1 above ``K2``, ``1 − ((K2 − x)/(K2 − K1))^K3`` between: K1 is close to the
    closed-side setting, K2 to the open-side setting); broken particles return to the
    chamber. With the breakage matrix ``B`` (Austin's normalised breakage function,
    parameters φ, γ, β), the size-class balance is linear, for every sized mineral:

    .. math::

        p = (I - C)(I - B\\,C)^{-1} f,\\qquad
        W = 10\\,W_i\\Big(\\frac{1}{\\sqrt{P_{80}}} - \\frac{1}{\\sqrt{F_{80}}}\\Big),\\qquad
        P = W\\,Q

    with W in kWh/t, sizes in µm and Q the solids throughput [t/h]. Dry crushing: the
    power leaves as heat to the machine and the air, so the ore keeps its temperature
    and the energy report shows a heat duty of −P. Species without sizes pass through.

    Source: Whiten, "The simulation of crushing plants with models developed using pilot
    scale data", PhD thesis, University of Queensland (1972); Napier-Munn, Morrell,
    Morrison & Kojovic, *Mineral Comminution Circuits*, JKMRC (1996), §6.4; Bond, "Crushing
    and grinding calculations", Br. Chem. Eng. 6 (1961) 378–385; Wills & Finch, *Wills'
    Mineral Processing Technology*, 8th ed. (2016), §5.4 and ch. 6. Work indices
    tabulated per short ton are read with ``"13 kWh/st"`` (× 1.1023).

    Example: 100 t/h of quartz, GGS distribution with a 40 mm top size and slope 1
    (F80 = 32 mm; 31.6 mm interpolated on the √2 sieves), through a crusher with
    K1 = 8 mm, K2 = 20 mm, Wi = 15 kWh/t: the product P80 is 9.87 mm and Bond's law gives
    10 × 15 × (1/√9,870 − 1/√31,571) = 0.666 kWh/t, 66.6 kW.

    >>> from polyflow import Flowsheet
    >>> from polyflow.chem.species import load_database
    >>> from polyflow.io.feeds import sized_flows
    >>> from polyflow.psd import sieve_series
    >>> from polyflow.units import Feed, Product
    >>> sp = load_database().subset(["SiO2"]).sized(sieve_series(40e-3, 0.5e-3))
    >>> fs = Flowsheet(sp)
    >>> _ = fs.add(Feed("ore", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e5},
    ...                 {"ggs": {"xmax": "40 mm", "m": 1.0}})))
    >>> _ = fs.add(Crusher("cone", k1="8 mm", k2="20 mm", wi_kwh_t="15 kWh/t"))
    >>> _ = fs.add(Product("crushed"))
    >>> fs.connect("feed", "ore", "cone"); fs.connect("product", "cone", "crushed")
    >>> e = fs.solve().energy["cone"]
    >>> round(e["F80_um"]), round(e["P80_um"], -1), round(e["power_kW"], 1)
    (31571, 9870.0, 66.6)
    """

    model = "crusher"
    inlets = ("in*",)
    outlets = ("out",)
    params = {
        "k1": Param("length", "size below which nothing breaks (about the closed-side "
                              "setting)", required=True, bounds=(1e-6, 2.0)),
        "k2": Param("length", "size above which everything breaks (about the open-side "
                              "setting)", required=True, bounds=(1e-6, 2.0)),
        "k3": Param("ratio", "shape of the classification function (Whiten: 2.3 typical)",
                    default=2.3, bounds=(0.1, 20.0)),
        "wi_kwh_t": Param("specific_energy", "Bond crushing work index (kWh/t; kWh/st is "
                                             "converted)", required=True,
                          parse=read_work_index),
        "motor_power": Param("power", "installed motor power (utilisation)",
                             bounds=(1.0, 1e5)),
        "phi": Param("ratio", "breakage function: share of the fine (γ) branch",
                     default=0.4, bounds=(0.0, 1.0)),
        "gamma": Param("ratio", "breakage function: fine-end slope γ", default=0.9,
                       bounds=(0.05, 5.0)),
        "beta": Param("ratio", "breakage function: coarse-end slope β", default=4.0,
                      bounds=(0.1, 20.0)),
    }
    results = {
        "F80": Reported("um", "80 % passing size of the feed solids"),
        "P80": Reported("um", "80 % passing size of the product solids"),
        "specific_energy": Reported("kWh/t", "Bond energy per tonne of solids"),
        "utilisation": Reported("%", "Bond power over installed motor power"),
    }

    def validate(self) -> None:
        if self.p["k1"] >= self.p["k2"]:
            raise self.fail("k1 must be smaller than k2 (K1 about the closed-side setting, "
                            "K2 about the open-side setting)", "k2")

    def bind(self, species) -> None:
        sieves = require_sizes(self, species)
        C = whiten_classification(representative_sizes(sieves), self.p["k1"], self.p["k2"],
                                  self.p["k3"])
        b = austin_breakage(sieves, self.p["phi"], self.p["gamma"], self.p["beta"])
        self.class_matrix = whiten_crusher_matrix(C, b)
        self.M = expand_matrix(species, self.class_matrix)
        self.species = species

    def equations(self, eq) -> None:
        out = eq.outlets["out"]
        ins = eq.all_inlets
        eq.species_map(out, [(s, self.M) for s in ins])
        if len(ins) == 1:
            eq.temperature_equal(out, ins[0])
        else:
            eq.energy_balance(ins, [out], primary=out)

    def _bond(self, sol) -> dict[str, float]:
        return bond_terms(self.species, sol.inlet_total(), sol.outlet_total(),
                          self.p["wi_kwh_t"])

    def power_kW(self, sol) -> float:
        return self._bond(sol)["power_kW"]

    def report(self, sol) -> dict[str, float]:
        t = self._bond(sol)
        out = {"F80": t["F80_um"], "P80": t["P80_um"],
               "specific_energy": t["specific_energy_kWh/t"]}
        u = utilisation(self.name, "power", t["power_kW"], self.p["motor_power"],
                        "a larger crusher or a coarser setting")
        if u is not None:
            out["utilisation"] = u
        return out
