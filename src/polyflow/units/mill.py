"""Ball mill: Austin's population balance in mixed cells; Bond's law power that heats the
slurry."""

from __future__ import annotations

import math

import numpy as np

from polyflow.comminution import (
    austin_breakage,
    austin_selection,
    bond_energy,
    mill_matrix,
    operating_work_index,
    read_work_index,
)
from polyflow.errors import InputError
from polyflow.psd import (
    class_mass,
    expand_matrix,
    percentile_size,
    representative_sizes,
    require_sizes,
)
from polyflow.solve.system import MJ_H_PER_KW, ROW_ENERGY
from polyflow.units.base import Param, Reported, Unit

__all__ = ["BallMill"]

#: internal unknowns of a mill, in this order
MILL_VARS = ("power_kW", "F80_um", "P80_um", "feed_t_h")


def _stream_name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        from polyflow.errors import InputError

        raise InputError("expected a stream name", value=value)
    return value.strip()


class BallMill(Unit):
    """Ball (or rod) mill: size-by-size population balance (Austin) in ``n_cells`` equal
    perfectly mixed cells; power by Bond's law, or given; the power heats the slurry.

    Specific rates of breakage ``S_i = s1 (x_i/1 mm)^α / (1 + (x_i/μ)^Λ)`` [1/min] and
    Austin's normalised breakage function ``B(x, y) = φ(x/y)^γ + (1 − φ)(x/y)^β`` give, for
    every sized mineral, a product linear in the feed (so a closed circuit is solved in
    the same sparse system and its circulating load is a result):

    .. math::

        p = \\big[(I + \\tfrac{\\tau}{N}(I - b)\\,S)^{-1}\\big]^N f,\\qquad
        P = 10\\,W_i\\Big(\\frac{1}{\\sqrt{P_{80}}} - \\frac{1}{\\sqrt{F_{80}}}\\Big) Q,
        \\qquad H_{out} = H_{in} + h_f P

    F80, P80 and the throughput Q are those of the mill's own feed and discharge, or of
    the streams named by ``bond_feed`` (the circuit's fresh feed) and ``bond_product`` (the
    circuit product): Bond's work index is defined on that closed-circuit basis. With
    ``power`` given (the mill's drawn power) the power is fixed and the operating work
    index ``Wi_op = (P/Q) / (10 (1/√P80 − 1/√F80))`` is reported instead. A fraction
    ``heat_fraction`` of the power heats the slurry (wet grinding: nearly all of it).

    Source: Austin, Klimpel & Luckie, *Process Engineering of Size Reduction: Ball
    Milling*, SME-AIME (1984), ch. 4–6; Bond, "Crushing and grinding calculations",
    Br. Chem. Eng. 6 (1961) 378–385; Rowland, "The Bond work index, a tool to measure
    grinding efficiency", SME-AIME Fall Meeting (1976); Wills & Finch, *Wills' Mineral
    Processing Technology*, 8th ed. (2016), §5.4 and ch. 7.

    Example: 10 t/h of quartz ground from a GGS feed (top 2 mm, slope 1) in one mixed
    mill with S = 1 /min at 1 mm, α = 1, τ = 5 min, Wi = 15 kWh/t. Bond's law on the
    mill's own feed and discharge (F80 1,579 µm, P80 571 µm) gives
    10 × 15 × (1/√571.3 − 1/√1,578.5) = 2.50 kWh/t, 25.0 kW, which warms 10 t/h of
    quartz (0.74 kJ/(kg K)) and 10 t/h of water (4.18 kJ/(kg K)) by
    25.0 × 3600 / 49,200 = 1.83 K:

    >>> from polyflow import Flowsheet
    >>> from polyflow.chem.species import load_database
    >>> from polyflow.io.feeds import sized_flows
    >>> from polyflow.psd import sieve_series
    >>> from polyflow.units import Feed, Product
    >>> sp = load_database().subset(["H2O", "SiO2"]).sized(sieve_series(2e-3, 20e-6))
    >>> fs = Flowsheet(sp)
    >>> _ = fs.add(Feed("ore", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e4, "H2O(l)": 1e4},
    ...                 {"ggs": {"xmax": "2 mm", "m": 1.0}})))
    >>> _ = fs.add(BallMill("mill", s1="1 1/min", residence_time="5 min",
    ...                     wi_kwh_t="15 kWh/t"))
    >>> _ = fs.add(Product("ground"))
    >>> fs.connect("feed", "ore", "mill"); fs.connect("discharge", "mill", "ground")
    >>> r = fs.solve()
    >>> e = r.energy["mill"]
    >>> round(e["F80_um"], -1), round(e["P80_um"], -1), round(e["power_kW"], 1)
    (1580.0, 570.0, 25.0)
    >>> round(r.temperature_C("discharge") - 25.0, 2)
    1.83
    """

    model = "ball_mill"
    inlets = ("in*",)
    outlets = ("out",)
    params = {
        "s1": Param("rate", "specific rate of breakage at 1 mm (Austin's a)", required=True,
                    bounds=(0.0, 1e6)),
        "alpha": Param("ratio", "slope α of the selection function", default=1.0,
                       bounds=(0.0, 5.0)),
        "mu": Param("length", "size μ where abnormal breakage halves the rate (none: no "
                              "turn-down)", bounds=(1e-6, 1.0)),
        "lambda": Param("ratio", "sharpness Λ of the turn-down above μ", default=2.5,
                        bounds=(0.1, 20.0)),
        "phi": Param("ratio", "breakage function: share of the fine (γ) branch",
                     default=0.5, bounds=(0.0, 1.0)),
        "gamma": Param("ratio", "breakage function: fine-end slope γ", default=1.0,
                       bounds=(0.05, 5.0)),
        "beta": Param("ratio", "breakage function: coarse-end slope β", default=4.0,
                      bounds=(0.1, 20.0)),
        "residence_time": Param("time", "mean residence time of the solids",
                                required=True, bounds=(1e-6, 24.0)),
        "n_cells": Param.integer("equal perfectly mixed cells in series (residence time "
                                 "distribution)", default=1, bounds=(1, 50)),
        "wi_kwh_t": Param("specific_energy", "Bond ball mill work index (kWh/t; kWh/st is "
                                             "converted)", parse=read_work_index),
        "power": Param("power", "drawn power, when known (else Bond's law)",
                       bounds=(0.0, 1e6)),
        "bond_feed": Param(None, "stream whose F80 and solids rate are the Bond basis "
                                 "(circuit fresh feed; default the mill feed)",
                           parse=_stream_name, stream=True),
        "bond_product": Param(None, "stream whose P80 is the Bond basis (circuit product; "
                                    "default the mill discharge)", parse=_stream_name,
                              stream=True),
        "heat_fraction": Param("fraction", "share of the power that heats the slurry",
                               default=1.0, bounds=(0.0, 1.0)),
    }
    results = {
        "F80": Reported("um", "80 % passing size of the feed solids"),
        "P80": Reported("um", "80 % passing size of the product solids"),
        "specific_energy": Reported("kWh/t", "power per tonne of solids milled"),
        "operating_work_index": Reported("kWh/t", "Bond work index the given power implies"),
    }

    def validate(self) -> None:
        if self.p["wi_kwh_t"] is None and self.p["power"] is None:
            raise self.misspecified("under-specified: give the Bond work index 'wi_kwh_t' "
                                    "(power by Bond's law) or the drawn 'power'", "wi_kwh_t")

    def bind(self, species) -> None:
        sieves = require_sizes(self, species)
        S = austin_selection(representative_sizes(sieves), self.p["s1"], self.p["alpha"],
                             self.p["mu"], self.p["lambda"])
        S[-1] = 0.0                      # the pan does not break (it has no finer class)
        b = austin_breakage(sieves, self.p["phi"], self.p["gamma"], self.p["beta"])
        self.class_matrix = mill_matrix(S, b, self.p["residence_time"], self.p["n_cells"])
        self.M = expand_matrix(species, self.class_matrix)
        self.species = species

    # -- equations ---------------------------------------------------------------------
    def _stream(self, eq, name: str) -> int:
        try:
            return eq.stream(name)
        except InputError as err:
            raise self.fail(err.message.replace(" in the plant", "") + " for the Bond basis",
                            "bond_feed",
                            hint=err.hint) from None

    def bond_values(self, n_feed: np.ndarray, n_product: np.ndarray) -> np.ndarray:
        """(power [kW], F80 [µm], P80 [µm], feed solids [t/h]) from species flows."""
        sp = self.species
        mf, mp = class_mass(sp, n_feed), class_mass(sp, n_product)
        t_h = float(mf.sum()) / 1000.0
        if t_h <= 0.0 or mp.sum() <= 0.0:
            return np.array([self.p["power"] or 0.0, 0.0, 0.0, max(t_h, 0.0)])
        f80 = percentile_size(sp.size_classes, mf, 0.8) * 1e6
        p80 = percentile_size(sp.size_classes, mp, 0.8) * 1e6
        if self.p["power"] is not None:
            power = self.p["power"]
        else:
            power = bond_energy(self.p["wi_kwh_t"], f80, p80) * t_h
        return np.array([power, f80, p80, t_h])

    def equations(self, eq) -> None:
        sp = eq.species
        S = eq.S
        out = eq.outlets["out"]
        ins = eq.all_inlets
        eq.species_map(out, [(s, self.M) for s in ins])
        z = eq.internal(list(MILL_VARS), [0.0] * len(MILL_VARS))
        feeds = [self._stream(eq, self.p["bond_feed"])] if self.p["bond_feed"] else ins
        prod = self._stream(eq, self.p["bond_product"]) if self.p["bond_product"] else out
        nf = len(feeds)
        # the Bond terms depend on the sized species only: the block reads just those
        # (its finite-difference Jacobian then costs one evaluation per sized flow)
        sized = np.nonzero(sp.size_index >= 0)[0]
        ns = len(sized)
        cols = np.concatenate([z, *[eq.flows(s)[sized] for s in feeds],
                               eq.flows(prod)[sized]])

        def bond(xloc):
            flows = np.zeros((nf + 1, S))
            flows[:, sized] = xloc[4:].reshape(nf + 1, ns)
            g = self.bond_values(flows[:nf].sum(axis=0), flows[nf])
            return xloc[:4] - g, np.abs(xloc[:4]) + np.abs(g)

        eq.nonlinear(cols, 4, bond, labels=[f"Bond {v}" for v in MILL_VARS])
        # energy: Σ H_in − H_out + h_f·P = 0, determining the discharge temperature
        streams = [*ins, out]
        ecols = np.concatenate([[z[0]], *[np.append(eq.flows(s), eq.temperature(s))
                                          for s in streams]])
        k = len(ins)
        coef = np.array([1.0] * k + [-1.0])
        hf = self.p["heat_fraction"]

        def split(xloc):
            m = xloc[1:].reshape(k + 1, S + 1)
            return m[:, :S], np.maximum(m[:, S], 1.0)

        def energy(xloc):
            n, T = split(xloc)
            if n[-1].sum() <= 0.0:             # empty discharge: carry the temperature
                r = T[-1] - T[:-1].mean()
                return np.array([r]), np.array([abs(T[-1]) + abs(T[:-1].mean())])
            H = (n * sp.h_molar(T)).sum(axis=1) / MJ_H_PER_KW
            r = coef @ H + hf * xloc[0]
            return np.array([r]), np.array([np.abs(H).sum() + abs(hf * xloc[0])])

        def energy_jac(xloc):
            n, T = split(xloc)
            J = np.zeros((1, len(xloc)))
            if n[-1].sum() <= 0.0:
                J[0, 1 + (S + 1) * np.arange(k) + S] = -1.0 / k
                J[0, 1 + (S + 1) * k + S] = 1.0
                return J
            h = sp.h_molar(T) / MJ_H_PER_KW
            dHdT = (n * sp.cp_molar(T)).sum(axis=1) / MJ_H_PER_KW
            J[0, 0] = hf
            for j in range(k + 1):
                base = 1 + (S + 1) * j
                J[0, base: base + S] = coef[j] * h[j]
                J[0, base + S] = coef[j] * dHdT[j]
            return J

        def start(xloc):
            _, T = split(xloc)
            r = T[-1] - T[:-1].mean()
            return np.array([r]), np.array([abs(T[-1]) + abs(T[:-1].mean())])

        def start_jac(xloc):
            J = np.zeros((1, len(xloc)))
            J[0, 1 + (S + 1) * np.arange(k) + S] = -1.0 / k
            J[0, 1 + (S + 1) * k + S] = 1.0
            return J

        eq.nonlinear(ecols, 1, energy, energy_jac, stream=out, var=ROW_ENERGY,
                     start=(start, start_jac))

    # -- results -----------------------------------------------------------------------
    def power_kW(self, sol) -> float:
        return float(sol.internal[0])

    def report(self, sol) -> dict[str, float]:
        power, f80, p80, t_h = (float(v) for v in sol.internal[:4])
        w = power / t_h if t_h > 0 else 0.0
        out = {"F80": f80, "P80": p80, "specific_energy": w}
        if self.p["power"] is not None:
            out["operating_work_index"] = operating_work_index(w, f80, p80)
        return {k: (v if math.isfinite(v) else 0.0) for k, v in out.items()}
