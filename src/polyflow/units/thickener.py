"""Thickener: underflow at a given % solids, overflow with a solids loss."""

from __future__ import annotations

import numpy as np

from polyflow.units._hydro_common import (
    fixed_split_rows,
    liquor_split,
    phase_masks,
    solids_ratio,
    split_energy,
)
from polyflow.units.base import Param, Reported, Unit

__all__ = ["Thickener"]


class Thickener(Unit):
    """Gravity thickener specified as the plant specifies it: the underflow solids
    mass fraction ``underflow_solids`` and the share of the feed solids lost to the
    overflow, ``overflow_solids`` (0 by default). The underflow liquor is set by its
    solids and its % solids; every liquor species splits in the same proportion (a
    thickener does not separate solutes); gases report to the overflow.

    .. math::

        M_{s,uf} = (1-\\lambda) M_{s,in},\\qquad
        f\\,L_{in} = \\frac{1-w}{w}\\,M_{s,uf},\\qquad
        n_{uf,i} = f\\,n_{in,i}\\ (i \\in \\text{liquor}),\\qquad
        n_{of} = n_{in} - n_{uf}

    with ``w`` the underflow solids mass fraction, ``λ`` the overflow solids loss,
    ``L`` liquor masses and ``f`` (an internal unknown) the liquor split fraction,
    written in product form so it stays finite when the unit is empty. Both outlets
    leave at the temperature of the mixed feed. The underflow cannot hold more liquor
    than arrives: a feed thicker than ``w`` gives a negative overflow, which the solver
    reports naming this unit.

    Source: the thickener mass balance of Wills & Finch, *Wills' Mineral Processing
    Technology*, 8th ed. (2016), §15.2 (pulp density relations, eq. 15.3) and McCabe,
    Smith & Harriott, *Unit Operations of Chemical Engineering*, 7th ed. (2005), ch. 20
    (underflow carrying a fixed ratio of solution to solids).

    Example: 100 t/h of solids in 300 t/h of water thickened to a 50 % solids underflow:
    the underflow carries 100 t/h of water, the overflow 200 t/h.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "SiO2"])
    >>> _ = fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "300 t/h"}))
    >>> _ = fs.add(Thickener("thickener", underflow_solids="50 %"))
    >>> _ = fs.add(Product("tails")); _ = fs.add(Product("clear"))
    >>> fs.connect("feed", "slurry", "thickener")
    >>> fs.connect("uf", "thickener.underflow", "tails")
    >>> fs.connect("of", "thickener.overflow", "clear")
    >>> r = fs.solve()
    >>> round(r.flow_kg_h("uf")["H2O(l)"] / 1000, 6), round(r.flow_kg_h("of")["H2O(l)"] / 1000, 6)
    (100.0, 200.0)
    """

    model = "thickener"
    inlets = ("feed*",)
    outlets = ("underflow", "overflow")
    params = {
        "underflow_solids": Param("fraction", "underflow solids, mass fraction of the pulp",
                                  required=True, bounds=(0.05, 0.85)),
        "overflow_solids": Param("fraction", "share of the feed solids lost to the overflow",
                                 default=0.0, bounds=(0.0, 0.2)),
    }
    results = {
        "liquor_to_underflow": Reported("%", "feed liquor leaving with the underflow"),
    }

    def bind(self, species) -> None:
        self.solids, self.gas, self.liquor = phase_masks(species)

    def equations(self, eq) -> None:
        uf, of = eq.outlets["underflow"], eq.outlets["overflow"]
        ins = eq.all_inlets
        loss = self.p["overflow_solids"]
        # solids and gas rows of the underflow (linear)
        keep = np.where(self.solids, 1.0 - loss, 0.0)
        fixed_split_rows(eq, uf, ins, keep, np.nonzero(~self.liquor)[0])
        # liquor rows of the underflow (nonlinear: split in proportion to the solids)
        f = eq.internal(["liquor_split"], [0.5])[0]
        c = solids_ratio(self.p["underflow_solids"])
        liquor_split(eq, [([eq.flows(s) for s in ins], f, c)], eq.flows(uf), uf)
        eq.initialiser(np.concatenate([eq.flows(s) for s in ins]), [f],
                       self._start_split(len(ins), c, eq.species.mw))
        # overflow: the rest
        eq.species_map(of, [(s, 1.0) for s in ins] + [(uf, -1.0)])
        split_energy(eq, [uf, of])

    def _start_split(self, n_in: int, c: float, mw: np.ndarray):
        """Start value of the liquor split from the inlets: ``f = c (1 − λ) M_s / L_in``
        (the unit's own equation solved for ``f``), NaN where the feed holds less liquor
        than the underflow needs (then Newton keeps its iterate and the balance shows
        the shortage)."""
        keep = 1.0 - self.p["overflow_solids"]

        def func(x: np.ndarray) -> np.ndarray:
            n = x.reshape(n_in, -1).sum(axis=0)
            L = float(mw[self.liquor] @ n[self.liquor])
            need = c * keep * float(mw[self.solids] @ n[self.solids])
            if not (np.isfinite(L) and np.isfinite(need)) or need < 0 or need > L:
                return np.array([np.nan])
            return np.array([need / L if L > 0 else 0.0])
        return func

    def report(self, sol) -> dict[str, float]:
        n_uf = sol.outlets["underflow"][0]
        n_in = sol.inlet_total()
        mw = sol.species.mw
        liq_in = float(mw[self.liquor] @ n_in[self.liquor])
        liq_uf = float(mw[self.liquor] @ n_uf[self.liquor])
        return {"liquor_to_underflow": 100.0 * liq_uf / liq_in if liq_in > 0 else 0.0}
