"""Thickener: underflow at a given % solids, overflow with a solids loss."""

from __future__ import annotations

import math

import numpy as np

from polyflow.errors import InputError
from polyflow.slurry import volume_per_kmol
from polyflow.units._hydro_common import (
    fixed_split_rows,
    liquor_split,
    phase_masks,
    solids_ratio,
    split_energy,
)
from polyflow.units._tank_loads import pump_power_kW
from polyflow.units.base import Param, Reported, Unit

__all__ = ["Thickener"]

#: ft·lbf/ft² in N·m/m² (torque per square foot of diameter: 1.35582 N·m over
#: 0.092903 m²)
FT_LBF_PER_FT2 = 1.3558179483314004 / 0.09290304
#: efficiency of a rake drive's gearbox (judgement)
DRIVE_EFFICIENCY = 0.8


def _m_per_min(value: object) -> float:
    """A rake tip speed in m/min: a number, or a string ending in 'm/min'."""
    text = str(value).strip()
    if text.endswith("m/min"):
        text = text[:-5].strip()
    try:
        v = float(text)
    except ValueError:
        raise InputError("expected a speed in m/min ('10 m/min')", value=value) from None
    if not 0.5 <= v <= 60.0:
        raise InputError("a rake tip speed is 0.5-60 m/min (8-12 typical)", value=value)
    return v


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

    **Loads.** The underflow pump draws ``ρ g Q_u H/η`` (``underflow_pump_head``,
    ``pump_efficiency``; :func:`~polyflow.units._tank_loads.pump_power_kW`). Given its
    ``diameter`` (of each of ``thickeners``) the unit reports its solids flux (solids
    fed per m2 of settling area and hour) and its rake drive at the design torque
    ``T = Z D²`` (Z the ``torque_factor`` in ft·lbf/ft²: light duty 5–10, medium 10–20,
    heavy 20–35; MIP Process Technologies, "Thickener design" note, a vendor's rule,
    secondary) turning the rake tip at ``rake_tip_speed`` (8–12 m/min, ibid.):
    ``P = T·2v/D`` over a gear efficiency of 0.8, an upper bound since the running
    torque is below the design torque. A 12 m medium-duty (Z = 15) thickener: T =
    15 × (12 × 3.281)² ft·lbf = 31.5 kN·m, at 10 m/min 0.875 kW at the rake, 1.09 kW
    drawn. The pumps' and rakes' heat is not put into the pulp: it shows as the unit's
    duty.

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
        "diameter": Param("length", "diameter of each thickener (solids flux, rake drive)",
                          bounds=(1.0, 200.0)),
        "thickeners": Param.integer("identical thickeners in parallel", default=1,
                                    bounds=(1, 20)),
        "torque_factor": Param("ratio", "rake design torque factor Z (ft·lbf/ft², T = Z D²)",
                               default=15.0, bounds=(1.0, 100.0)),
        "rake_tip_speed": Param(None, "rake tip speed in m/min ('10 m/min' or 10)",
                                default=10.0, parse=_m_per_min),
        "underflow_pump_head": Param("length", "head of the underflow pump (judgement 20 m)",
                                     default=20.0, bounds=(0.0, 200.0)),
        "pump_efficiency": Param("fraction", "underflow pump efficiency", default=0.7,
                                 bounds=(0.2, 1.0)),
    }
    results = {
        "liquor_to_underflow": Reported("%", "feed liquor leaving with the underflow"),
        "solids_flux": Reported("t/(m2 h)", "solids fed per m2 of settling area (with "
                                            "the diameter)"),
        "drive_power": Reported("kW", "rake drives at the design torque (with the diameter)"),
        "pump_power": Reported("kW", "underflow pump"),
    }

    def bind(self, species) -> None:
        self.solids, self.gas, self.liquor = phase_masks(species)
        self.volume = volume_per_kmol(species)

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
        out = {"liquor_to_underflow": 100.0 * liq_uf / liq_in if liq_in > 0 else 0.0,
               "pump_power": self.pump_power(sol)}
        D = self.p["diameter"]
        if D is not None:
            area = self.p["thickeners"] * math.pi * D * D / 4.0
            out["solids_flux"] = float(mw[self.solids] @ n_in[self.solids]) / 1000.0 / area
            out["drive_power"] = self.drive_power()
        return out

    def drive_power(self) -> float:
        """Rake drives at the design torque [kW] (0 without a diameter)."""
        D = self.p["diameter"]
        if D is None:
            return 0.0
        torque = self.p["torque_factor"] * FT_LBF_PER_FT2 * D * D          # N m
        omega = 2.0 * self.p["rake_tip_speed"] / 60.0 / D                # rad/s
        return self.p["thickeners"] * torque * omega / DRIVE_EFFICIENCY / 1000.0

    def pump_power(self, sol) -> float:
        """Underflow pump power [kW]."""
        n_uf = sol.outlets["underflow"][0]
        mw = sol.species.mw
        mass = float(mw[self.solids | self.liquor] @ n_uf[self.solids | self.liquor])
        if mass <= 0:
            return 0.0
        vol = float(self.volume[self.solids | self.liquor] @ n_uf[self.solids | self.liquor])
        return pump_power_kW(vol, mass / vol, self.p["underflow_pump_head"],
                             self.p["pump_efficiency"])

    def power_kW(self, sol) -> float:
        return self.drive_power() + self.pump_power(sol)
