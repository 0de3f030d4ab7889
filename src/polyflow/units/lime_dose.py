"""The lime dose: a reagent feed whose rate the plant solves to a neutraliser's target."""

from __future__ import annotations

import numpy as np

from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._hydro_common import phase_masks
from polyflow.units._solved_feed import SolvedFeed
from polyflow.units.base import Param
from polyflow.units.feed import FEED_CATEGORIES
from polyflow.units.neutraliser import _agent_param, _charges, free_acid_g_L

__all__ = ["LimeDose"]


class LimeDose(SolvedFeed):
    """A reagent feed whose rate the plant solves: the agent flow (an internal unknown,
    kmol/h) is such that the free acid in ``target_stream`` equals ``target_free_acid``
    (or the ``target_pH`` proxy), or, with ``target = "charge"``, that ``target_stream``
    is electroneutral, Σ z_i n_i = 0 (the outlet of an equilibrium :class:`Neutraliser`
    holding a ``target_pH``, which carries the base it lacks as a charge). It is a plant
    feed (a boundary: the reagent enters here and counts in the element balance and,
    as category ``reagent``, in kg/t ore), so put it on the ``lime`` inlet of a
    :class:`Neutraliser` and name the neutraliser's outlet as the target.

    .. math::  n_{out} = q\\,e_{agent},\\qquad
        m_{H_2SO_4}(target) - \\frac{C^*}{\\rho} L(target) = 0

    Both rows are linear, so the design variable costs nothing in the solve.

    Source: the design specification ("controller") of equation-oriented simulators,
    Westerberg et al., *Process Flowsheeting*, Cambridge (1979), ch. 5; the target as in
    :class:`Neutraliser`.

    Example: lime to take a bleed of 1 kmol/h free acid in 10 t/h of water down to
    4.904 g/L (pH 1 proxy): the neutralised liquor is 10.05 m3/h, so it keeps
    0.5025 kmol/h of acid and needs 0.4975 kmol/h = 36.9 kg/h of Ca(OH)2.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> from polyflow.units.neutraliser import Neutraliser
    >>> fs = Flowsheet(["H2O", "H2SO4", "Ca(OH)2", "CaSO4*2H2O(s)", "CO2(g)"])
    >>> _ = fs.add(Feed("bleed", flows={"H2O": "10000 kg/h", "H2SO4": "1 kmol/h"}))
    >>> _ = fs.add(LimeDose("lime", agent="Ca(OH)2", target_stream="t", target_pH=1.0))
    >>> _ = fs.add(Neutraliser("neutraliser", agent="Ca(OH)2"))
    >>> _ = fs.add(Product("tails")); _ = fs.add(Product("vent"))
    >>> fs.connect("b", "bleed", "neutraliser.feed"); fs.connect("l", "lime", "neutraliser.lime")
    >>> fs.connect("t", "neutraliser.slurry", "tails"); fs.connect("v", "neutraliser.vent", "vent")
    >>> r = fs.solve()
    >>> e = r.energy["neutraliser"]
    >>> round(r.flow_kg_h("l")["Ca(OH)2(s)"], 1), round(e["residual_free_acid_g/L"], 3)
    (36.9, 4.904)
    """

    model = "lime_dose"
    params = {
        "agent": _agent_param(),
        "target_stream": Param(None, "the stream whose free acid is held at the target",
                               required=True, stream=True),
        "target_free_acid": Param("concentration", "free acid in the target stream",
                                  bounds=(0.0, 500.0)),
        "target_pH": Param("ratio", "pH proxy of the target", bounds=(-1.0, 3.0)),
        "target": Param.choice("'free_acid' (target_free_acid or the target_pH proxy in "
                               "target_stream) or 'charge' (the dose that makes "
                               "target_stream electroneutral: the outlet of an equilibrium "
                               "neutraliser that holds a target_pH)",
                               ("free_acid", "charge"), default="free_acid"),
        "solution_density": Param("density", "liquor density", default=1000.0,
                                  bounds=(700.0, 2500.0)),
        "temperature": Param("temperature", "reagent temperature", default=298.15,
                             bounds=(273.15, 373.15)),
        "category": Param.choice("feed category (reagent: reported per tonne of ore)",
                                 FEED_CATEGORIES, default="reagent"),
    }

    def validate(self) -> None:
        given = [k for k in ("target_free_acid", "target_pH") if self.p[k] is not None]
        if self.p["target"] == "charge":
            if given:
                raise self.misspecified(f"over-specified: target = 'charge' takes no "
                                        f"{given[0]!r} (the neutraliser holds the pH)",
                                        given[0])
            return
        if len(given) != 1:
            raise self.misspecified(("over" if given else "under") + "-specified: give "
                                    "'target_free_acid' or 'target_pH'", "target_free_acid")

    def bind(self, species) -> None:
        self._species = species
        try:
            self.agent_i = species.idx(self.p["agent"])
            self.acid = species.idx("H2SO4")
        except Exception as err:
            raise self.fail(str(err), "agent") from None
        self.liquor = phase_masks(species)[2]

    def equations(self, eq) -> None:
        charge = self.p["target"] == "charge"
        # held at a pH, the dose is the master total of the agent's cation in the
        # neutraliser's liquor: a negative iterate would leave that total negative (no
        # speciation), so Newton keeps it >= 0; a plant that needs acid, not lime, then
        # fails to converge with the dose at zero
        out, t = self.solved_feed_rows(eq, self.agent_i, "agent_kmol_h",
                                       lower=0.0 if charge else None)
        if charge:
            z = eq.species.charge if hasattr(eq.species, "charge") else _charges(eq.species)
            nz = np.nonzero(z)[0]
            eq.linear_rows(1, out, ROW_INTERNAL, np.zeros(len(nz), int), eq.flows(t)[nz],
                           z[nz])
            return
        C = free_acid_g_L(self.p["target_free_acid"], self.p["target_pH"])
        mw = eq.species.mw
        a = np.where(self.liquor, -C / self.p["solution_density"] * mw, 0.0)
        a[self.acid] += mw[self.acid]
        nz = np.nonzero(a)[0]
        eq.linear_rows(1, out, ROW_INTERNAL, np.zeros(len(nz), int), eq.flows(t)[nz], a[nz])

