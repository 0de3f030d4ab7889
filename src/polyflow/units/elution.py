"""Elution (stripping) of gold from loaded activated carbon into a hot caustic-cyanide eluate."""

from __future__ import annotations

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.units._hydro_common import phase_masks, split_energy
from polyflow.units.base import Param, Reported, Unit

__all__ = ["Elution"]

AU_MW = atomic_weight("Au")     # g/mol, the tables' (IUPAC 2021, abridged)


class Elution(Unit):
    """Elution column (AARL or Zadra): the hot eluant (``eluant``, caustic-cyanide
    solution or water after a caustic pre-soak) strips the fraction
    ``strip_efficiency`` of the gold from the loaded carbon (``loaded_carbon``) into the
    ``eluate``; the stripped carbon leaves as ``barren_carbon`` (to regeneration and
    back to adsorption; losses of carbon fines are a splitter after this unit).

    .. math::

        n_{eluate} = n_{eluant} + E\\,n_{Au,carbon},\\qquad
        n_{barren} = n_{carbon} - E\\,n_{Au,carbon}

    Gold on carbon is ``NaAu(CN)2(aq)`` carried by the carbon stream (the tables have
    no adsorbed-gold species; see ``carbon_adsorption``); every other species of the
    loaded carbon stays with the carbon, every species of the eluant goes to the
    eluate, so the eluate volume is the eluant volume (reported in bed volumes of
    carbon at ``carbon_bulk_density``). Both outlets leave at ``temperature`` (the
    heating duty is reported), or adiabatically.

    Source: Marsden & House, *The Chemistry of Gold Extraction*, 2nd ed., SME (2006),
    ch. 7 (§7.7 elution: AARL and Zadra procedures, 95-99 % strip efficiency, barren
    carbon 20-100 g/t Au, 110-140 °C, 5-15 bed volumes of eluate).

    Example: 1 t/h of carbon loaded at 4000 g/t stripped at 97.5 % leaves barren
    carbon at 100 g/t and puts 3.9 kg/h of gold into the eluate:

    >>> from polyflow import Flowsheet
    >>> from polyflow.chem.elements import atomic_weight
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "NaOH", "NaAu(CN)2", "C(s)"])
    >>> mw = fs.species.mw[fs.species.idx("NaAu(CN)2")]
    >>> _ = fs.add(Feed("carbon", flows_kg_h={"C(s)": 1000, "NaAu(CN)2": 4 / atomic_weight("Au")
    ...                                                 * mw}))
    >>> _ = fs.add(Feed("eluant", flows={"H2O": "10 t/h", "NaOH": "0.2 t/h"}))
    >>> _ = fs.add(Elution("elution", strip_efficiency="97.5 %", temperature="120 degC"))
    >>> _ = fs.add(Product("eluate")); _ = fs.add(Product("barren"))
    >>> fs.connect("c", "carbon", "elution.loaded_carbon")
    >>> fs.connect("e", "eluant", "elution.eluant")
    >>> fs.connect("el", "elution.eluate", "eluate")
    >>> fs.connect("b", "elution.barren_carbon", "barren")
    >>> e = fs.solve().energy["elution"]
    >>> round(e["barren_carbon_Au_g/t"], 3), round(e["eluate_Au_kg/h"], 3)
    (100.0, 3.9)
    """

    model = "elution"
    inlets = ("loaded_carbon", "eluant*")
    outlets = ("eluate", "barren_carbon")
    params = {
        "strip_efficiency": Param("fraction", "fraction of the gold on carbon stripped into "
                                  "the eluate (typically 95-99 %)", required=True,
                                  bounds=(0.0, 1.0)),
        "aurocyanide": Param(None, "species of the gold on carbon", default="NaAu(CN)2(aq)"),
        "carbon_species": Param(None, "species of the activated carbon", default="C(s)"),
        "carbon_bulk_density": Param("density", "bulk density of the carbon bed "
                                     "(for bed volumes)", default=480.0,
                                     bounds=(200.0, 1000.0)),
        "temperature": Param("temperature", "elution temperature (heated column)",
                             bounds=(273.15, 453.15)),
        "power": Param("power", "pumps and heater electrical power (0 if heated by fuel)",
                       default=0.0, bounds=(0.0, 1e4)),
    }
    results = {
        "strip_efficiency": Reported("%", "gold stripped from the loaded carbon"),
        "eluate_Au": Reported("kg/h", "gold to the eluate"),
        "loaded_carbon_Au": Reported("g/t", "gold on the loaded carbon"),
        "barren_carbon_Au": Reported("g/t", "gold left on the barren carbon"),
        "eluate": Reported("m3/h", "eluate volume"),
        "bed_volumes": Reported("", "eluate volume over carbon bed volume"),
        "eluate_Au_concentration": Reported("mg/L", "gold in the eluate"),
    }

    def bind(self, species) -> None:
        self.solids, self.gas, self.liquor = phase_masks(species)
        try:
            self.au = species.idx(self.p["aurocyanide"])
            self.cs = species.idx(self.p["carbon_species"])
        except Exception as err:
            raise self.fail(str(err), "aurocyanide") from None
        self.mw = species.mw
        els = list(species.elements)
        self.au_per_mol = float(species.element_matrix[els.index("Au"), self.au]) \
            if "Au" in els else 1.0

    def equations(self, eq) -> None:
        S = eq.S
        E = self.p["strip_efficiency"]
        carbon = eq.inlets["loaded_carbon"][0]
        eluants = eq.inlets["eluant"]
        el, bc = eq.outlets["eluate"], eq.outlets["barren_carbon"]
        to_eluate = np.zeros(S)
        to_eluate[self.au] = E
        eq.species_map(el, [(carbon, to_eluate)] + [(s, 1.0) for s in eluants])
        eq.species_map(bc, [(carbon, 1.0 - to_eluate)])
        split_energy(eq, [el, bc], temperature=self.p["temperature"])

    def power_kW(self, sol) -> float:
        return float(self.p["power"])

    def report(self, sol) -> dict[str, float]:
        g = AU_MW * self.au_per_mol / self.mw[self.au]           # kg Au per kg aurocyanide
        n_c = sol.inlets["loaded_carbon"][0][0]
        n_b = sol.outlets["barren_carbon"][0]
        n_e = sol.outlets["eluate"][0]
        carbon_t_h = float(n_c[self.cs] * self.mw[self.cs]) / 1000.0
        out = {"strip_efficiency": 100.0 * self.p["strip_efficiency"],
               "eluate_Au": float((n_c[self.au] - n_b[self.au]) * self.mw[self.au] * g)}
        if carbon_t_h > 0:
            out["loaded_carbon_Au"] = float(n_c[self.au] * self.mw[self.au] * g * 1000
                                                / carbon_t_h)
            out["barren_carbon_Au"] = float(n_b[self.au] * self.mw[self.au] * g * 1000
                                                / carbon_t_h)
            vol = float(self.mw[self.liquor] @ n_e[self.liquor]) / 1000.0     # m3/h
            out["eluate"] = vol
            out["bed_volumes"] = vol / (carbon_t_h * 1000.0 / self.p["carbon_bulk_density"])
            if vol > 0:
                out["eluate_Au_concentration"] = out["eluate_Au"] * 1000.0 / vol
        return out
