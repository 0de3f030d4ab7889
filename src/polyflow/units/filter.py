"""Filter: cake at a given moisture, with an optional displacement wash."""

from __future__ import annotations

import numpy as np

from polyflow.units._hydro_common import (
    fixed_split_rows,
    liquor_split,
    phase_masks,
    solids_ratio,
    split_energy,
)
from polyflow.units.base import Param, Unit

__all__ = ["Filter"]


class Filter(Unit):
    """Filter (belt, drum, press) making a cake of moisture ``cake_moisture`` (mass
    fraction of liquor in the wet cake), with an optional cake wash: when
    ``wash_efficiency`` is given the filter has a ``wash_water`` inlet, and the wash
    displaces that fraction of the cake's original liquor, its place taken by wash
    liquor. Filtrate and wash filtrate leave together as ``filtrate`` with the solids
    share ``filtrate_solids``; gases go to the filtrate.

    .. math::

        L_{cake} = \\frac{m}{1-m} M_{s,cake},\\qquad
        f\\,L_{feed} = (1-E) L_{cake},\\qquad g\\,L_{wash} = E\\,L_{cake},\\qquad
        n_{cake,i} = f\\,n_{feed,i} + g\\,n_{wash,i}

    (``m`` cake moisture, ``E`` wash efficiency; without a wash ``E = 0``). The fraction
    of the feed's solute left in the cake is ``(1 − E) L_cake / L_feed``. The wash must
    at least replace the liquor it displaces (``L_wash ≥ E L_cake``).

    Source: displacement washing with a wash efficiency, Wakeman & Tarleton,
    *Solid/Liquid Separation: Principles of Industrial Filtration*, Elsevier (2005),
    ch. 6 (cake washing, wash efficiency); cake moisture balance as in Wills & Finch,
    *Wills' Mineral Processing Technology*, 8th ed. (2016), §15.3.

    Example: 100 t/h of solids in 100 t/h of solution holding 10 t/h of CuSO4, filtered
    to a 20 % moisture cake (25 t/h of liquor) and washed at 80 % efficiency: the cake
    keeps (1 − 0.8) × 25/100 = 5 % of the copper sulfate.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    >>> _ = fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "90 t/h",
    ...                                  "CuSO4": "10 t/h"}))
    >>> _ = fs.add(Feed("water", flows={"H2O": "30 t/h"}))
    >>> _ = fs.add(Filter("filter", cake_moisture="20 %", wash_efficiency="80 %"))
    >>> _ = fs.add(Product("cake")); _ = fs.add(Product("solution"))
    >>> fs.connect("feed", "slurry", "filter.feed"); fs.connect("w", "water", "filter.wash_water")
    >>> fs.connect("c", "filter.cake", "cake"); fs.connect("f", "filter.filtrate", "solution")
    >>> r = fs.solve()
    >>> round(r.flow_kg_h("c")["CuSO4(aq)"] / 10000, 6)
    0.05
    """

    model = "filter"
    inlets = ("feed*", "wash_water*")
    outlets = ("cake", "filtrate")
    params = {
        "cake_moisture": Param("fraction", "liquor in the wet cake, mass fraction",
                               required=True, bounds=(0.02, 0.8)),
        "wash_efficiency": Param("fraction", "share of the cake liquor displaced by the "
                                 "wash (gives the filter a wash_water inlet)",
                                 bounds=(0.0, 0.999)),
        "filtrate_solids": Param("fraction", "share of the feed solids passing to the "
                                 "filtrate", default=0.0, bounds=(0.0, 0.1)),
    }

    def inlet_ports(self) -> tuple[str, ...]:
        return self.inlets if self.p["wash_efficiency"] is not None else ("feed*",)

    def bind(self, species) -> None:
        self.solids, self.gas, self.liquor = phase_masks(species)

    def equations(self, eq) -> None:
        cake, filtrate = eq.outlets["cake"], eq.outlets["filtrate"]
        ins = eq.all_inlets
        keep = np.where(self.solids, 1.0 - self.p["filtrate_solids"], 0.0)
        fixed_split_rows(eq, cake, ins, keep, np.nonzero(~self.liquor)[0])
        c = solids_ratio(1.0 - self.p["cake_moisture"])
        E = self.p["wash_efficiency"]
        feeds = [eq.flows(s) for s in eq.inlets["feed"]]
        if E is None:
            f = eq.internal(["feed_liquor_to_cake"], [0.5])
            groups = [(feeds, f[0], c)]
        else:
            f = eq.internal(["feed_liquor_to_cake", "wash_liquor_to_cake"], [0.5, 0.5])
            groups = [(feeds, f[0], (1.0 - E) * c),
                      ([eq.flows(s) for s in eq.inlets["wash_water"]], f[1], E * c)]
        liquor_split(eq, groups, eq.flows(cake), cake, what="cake")
        eq.species_map(filtrate, [(s, 1.0) for s in ins] + [(cake, -1.0)])
        split_energy(eq, [cake, filtrate])
