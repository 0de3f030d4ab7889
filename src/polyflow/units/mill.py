"""Ball mill: by its equipment (Rowland power, Herbst–Fuerstenau energy-specific breakage)
or by a residence time; Austin's population balance in mixed cells; the power heats the
slurry."""

from __future__ import annotations

import math

import numpy as np

from polyflow.comminution import (
    BALL_CHARGE_DENSITY,
    austin_breakage,
    austin_selection,
    bond_energy,
    mill_matrix,
    operating_work_index,
    read_energy_rate,
    read_work_index,
    rowland_ball_mill_power,
)
from polyflow.errors import InputError
from polyflow.psd import (
    class_mass,
    expand_matrix,
    percentile_size_gradient,
    representative_sizes,
    require_sizes,
)
from polyflow.slurry import volume_per_kmol
from polyflow.units._mill_blocks import add_energy_breakage, add_heat_rows
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.capacity import utilisation

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
    perfectly mixed cells, sized by its equipment (diameter, length, ball filling, speed)
    or, as an option, by a given residence time; the power heats the slurry.

    **By equipment** (``diameter`` given): the power at the pinion of ``mills`` identical
    wet overflow mills by Bond's power equation in Rowland's form
    (:func:`~polyflow.comminution.rowland_ball_mill_power`), and breakage rates that
    follow the specific energy (Herbst & Fuerstenau): ``S_i = S_i^E P/H``, so over the
    mean residence time ``τ = H/F`` each class sees ``S_i τ = S_i^E E`` with
    ``E = P/F`` the energy per tonne of mill feed solids (fresh feed and circulating
    load). Twice the feed through the same mill gets half the energy per tonne and a
    coarser product. ``E`` is an unknown of the plant system (``E·F − P = 0``) and the
    product rows carry their analytic Jacobian (``dM/dE = −K C^{N+1}``). The residence
    time is reported from the slurry hold-up (the voids of the ball charge, porosity
    ``charge_porosity``, filled with slurry) and the pulp flow.

    **By residence time** (``residence_time`` and ``s1`` in 1/min, the option kept for
    pilot data): the product is linear in the feed, ``p = [(I + τ/N (I − b) S)^{-1}]^N f``,
    and the power is Bond's law (``wi_kwh_t``) or given (``power``).

    Specific rates of breakage ``S_i = s1 (x_i/1 mm)^α / (1 + (x_i/μ)^Λ)`` (``s1`` in
    1/min, or ``s1_energy`` in t/kWh) and Austin's normalised breakage function
    ``B(x, y) = φ(x/y)^γ + (1 − φ)(x/y)^β``:

    .. math::

        p = \\big[(I + \\tfrac{S^E E}{N}(I - b))^{-1}\\big]^N f,\\quad E = P/F,\\qquad
        P = 10\\,W_i\\Big(\\frac{1}{\\sqrt{P_{80}}} - \\frac{1}{\\sqrt{F_{80}}}\\Big) Q,
        \\qquad H_{out} = H_{in} + h_f P

    F80, P80 and the throughput Q are those of the mill's own feed and discharge, or of
    the streams named by ``bond_feed`` (the circuit's fresh feed) and ``bond_product`` (the
    circuit product): Bond's work index is defined on that closed-circuit basis. With the
    power known (equipment, or ``power`` given) the operating work index
    ``Wi_op = (P/Q) / (10 (1/√P80 − 1/√F80))`` is reported. A fraction
    ``heat_fraction`` of the power heats the slurry (wet grinding: nearly all of it).
    Utilisation: drawn power over the installed ``motor_power`` (a
    :class:`~polyflow.units.capacity.CapacityWarning` above 100 %).

    Source: Austin, Klimpel & Luckie, *Process Engineering of Size Reduction: Ball
    Milling*, SME-AIME (1984), ch. 4–6; Herbst & Fuerstenau, Int. J. Miner. Process. 7
    (1980) 1–31 (specific-energy breakage rates); Bond, "Crushing and grinding
    calculations", Br. Chem. Eng. 6 (1961) 378–385; Rowland & Kjos, "Rod and ball mills",
    *Mineral Processing Plant Design*, SME (1980) (mill power); Rowland, "The Bond work
    index, a tool to measure grinding efficiency", SME-AIME Fall Meeting (1976); Wills &
    Finch, *Wills' Mineral Processing Technology*, 8th ed. (2016), §5.4 and ch. 7.

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

    By its equipment: a 1.2 m × 1.5 m mill with 35 % balls at 75 % of critical speed
    draws 4.879 × 1.2^0.3 × 2.15 × 0.75 × (1 − 0.1/2^1.5) = 8.016 kW per tonne of its
    0.35 × 1.696 m3 × 4.65 t/m3 = 2.761 t of balls, 22.1 kW, which is 2.21 kWh per
    tonne of the 10 t/h; the slurry (10 m3/h of water, 3.77 of quartz) fills the voids
    (40 %) of the charge, 0.2375 m3: 1.03 min:

    >>> fs = Flowsheet(sp)
    >>> _ = fs.add(Feed("ore", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e4, "H2O(l)": 1e4},
    ...                 {"ggs": {"xmax": "2 mm", "m": 1.0}})))
    >>> _ = fs.add(BallMill("mill", diameter="1.2 m", length="1.5 m", s1_energy="1 t/kWh"))
    >>> _ = fs.add(Product("ground"))
    >>> fs.connect("feed", "ore", "mill"); fs.connect("discharge", "mill", "ground")
    >>> e = fs.solve().energy["mill"]
    >>> round(e["power_kW"], 1), round(e["mill_energy_kWh/t"], 2), round(e["residence_time_min"], 2)
    (22.1, 2.21, 1.03)
    """

    model = "ball_mill"
    inlets = ("in*",)
    outlets = ("out",)
    params = {
        "diameter": Param("length", "mill diameter inside the liners (sizing by equipment)",
                          bounds=(0.1, 15.0)),
        "length": Param("length", "effective grinding length inside the liners",
                        bounds=(0.1, 30.0)),
        "ball_filling": Param("fraction", "fraction of the mill volume the ball charge "
                                          "fills (Rowland's Vp)", default=0.35,
                              bounds=(0.05, 0.5)),
        "critical_speed": Param("fraction", "speed as a fraction of critical", default=0.75,
                                bounds=(0.3, 0.95)),
        "ball_size": Param("length", "top ball size (Rowland's slump term, mills over "
                                     "3.3 m)", bounds=(0.01, 0.15)),
        "mills": Param.integer("identical mills in parallel", default=1, bounds=(1, 20)),
        "motor_power": Param("power", "installed motor power of each mill (utilisation)",
                             bounds=(1.0, 1e5)),
        "charge_porosity": Param("fraction", "voids of the ball charge, filled with slurry "
                                             "(hold-up)", default=0.4, bounds=(0.2, 0.6)),
        "solids_density": Param("density", "density of solids not in "
                                           "data/mineral_densities.csv", default=2700.0,
                                bounds=(500.0, 25000.0)),
        "s1_energy": Param(None, "specific-energy rate of breakage at 1 mm (t/kWh; "
                                 "Herbst–Fuerstenau S^E)", parse=read_energy_rate),
        "s1": Param("rate", "specific rate of breakage at 1 mm (Austin's a; the "
                            "residence-time option)", bounds=(0.0, 1e6)),
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
        "residence_time": Param("time", "mean residence time of the solids (the option "
                                        "instead of the equipment)", bounds=(1e-6, 24.0)),
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
        "mill_energy": Reported("kWh/t", "power per tonne of mill feed solids, circulating "
                                         "load included (E = P/F)"),
        "residence_time": Reported("min", "mean residence time of the slurry (hold-up over "
                                          "pulp flow)"),
        "pulp_flow": Reported("m3/h", "slurry flow through the mill(s)"),
        "ball_charge": Reported("t", "mass of the ball charge of all mills"),
        "utilisation": Reported("%", "drawn power over installed motor power"),
    }

    @property
    def by_equipment(self) -> bool:
        return self.p["diameter"] is not None

    def validate(self) -> None:
        p = self.p
        if self.by_equipment:
            if p["length"] is None or p["s1_energy"] is None:
                raise self.misspecified("a mill sized by its equipment needs 'length' and "
                                        "'s1_energy' (t/kWh) with its 'diameter'",
                                        "length" if p["length"] is None else "s1_energy")
            for key in ("residence_time", "s1", "power"):
                if p[key] is not None:
                    raise self.misspecified(f"over-specified: '{key}' follows from the "
                                            "equipment (diameter, length, ball filling, "
                                            "speed)", key,
                                            hint=f"remove '{key}', or the diameter to use "
                                                 "the residence-time option")
            return
        if p["residence_time"] is None or p["s1"] is None:
            raise self.misspecified("give the equipment (diameter, length, s1_energy) or "
                                    "the residence-time option ('residence_time' and 's1')",
                                    "residence_time" if p["residence_time"] is None else "s1")
        if p["wi_kwh_t"] is None and p["power"] is None:
            raise self.misspecified("under-specified: give the Bond work index 'wi_kwh_t' "
                                    "(power by Bond's law) or the drawn 'power'", "wi_kwh_t")

    def drawn_power(self) -> float | None:
        """Power of all mills [kW]: Rowland's (equipment), the given one, or ``None``
        (Bond's law on the solved sizes)."""
        p = self.p
        if self.by_equipment:
            return p["mills"] * rowland_ball_mill_power(
                p["diameter"], p["length"], p["ball_filling"], p["critical_speed"],
                p["ball_size"])
        return p["power"]

    def holdup_m3(self) -> float:
        """Slurry held in the voids of the ball charges of all mills [m3]."""
        p = self.p
        volume = math.pi / 4.0 * p["diameter"] ** 2 * p["length"]
        return p["mills"] * volume * p["ball_filling"] * p["charge_porosity"]

    def bind(self, species) -> None:
        sieves = require_sizes(self, species)
        eq_mode = self.by_equipment
        S = austin_selection(representative_sizes(sieves),
                             self.p["s1_energy"] if eq_mode else self.p["s1"],
                             self.p["alpha"], self.p["mu"], self.p["lambda"])
        S[-1] = 0.0                      # the pan does not break (it has no finer class)
        b = austin_breakage(sieves, self.p["phi"], self.p["gamma"], self.p["beta"])
        self.selection, self.breakage = S, b
        if not eq_mode:
            self.class_matrix = mill_matrix(S, b, self.p["residence_time"],
                                            self.p["n_cells"])
            self.M = expand_matrix(species, self.class_matrix)
        self.species = species
        self.power_fixed = self.drawn_power()
        self.volume = volume_per_kmol(species, self.p["solids_density"])

    # -- equations ---------------------------------------------------------------------
    def _stream(self, eq, name: str) -> int:
        try:
            return eq.stream(name)
        except InputError as err:
            raise self.fail(err.message.replace(" in the plant", "") + " for the Bond basis",
                            "bond_feed",
                            hint=err.hint) from None

    def bond_residual(self, z: np.ndarray, n_feed: np.ndarray, n_product: np.ndarray,
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Residuals of the four Bond rows (power, F80 [µm], P80 [µm], feed solids
        [t/h]), their scales and their Jacobian ``[d/dz | d/dn_feed | d/dn_product]``
        (sized flows only)."""
        sp = self.species
        sized = sp.size_index >= 0
        mw = sp.mw[sized]
        cls = sp.size_index[sized]
        sieves = sp.size_classes
        ns = int(sized.sum())
        J = np.zeros((4, 4 + 2 * ns))
        J[np.arange(4), np.arange(4)] = 1.0
        mf, mp = class_mass(sp, n_feed), class_mass(sp, n_product)
        t_h = float(mf.sum()) / 1000.0
        f80 = p80 = 0.0
        if t_h > 0.0 and mp.sum() > 0.0:
            f80, gf = percentile_size_gradient(sieves, mf, 0.8)
            p80, gp = percentile_size_gradient(sieves, mp, 0.8)
            f80, p80 = f80 * 1e6, p80 * 1e6
            J[1, 4:4 + ns] = -1e6 * gf[cls] * mw
            J[2, 4 + ns:] = -1e6 * gp[cls] * mw
        J[3, 4:4 + ns] = -mw / 1000.0
        if self.power_fixed is not None:
            power = self.power_fixed
        else:                            # Bond's law on the sizes held in z
            wi, fz, pz, tz = self.p["wi_kwh_t"], z[1], z[2], z[3]
            power = 0.0
            if fz > 0 and pz > 0 and pz < fz:
                w = bond_energy(wi, fz, pz)
                power = w * tz
                J[0, 1] = -5.0 * wi * fz ** -1.5 * tz
                J[0, 2] = 5.0 * wi * pz ** -1.5 * tz
                J[0, 3] = -w
        g = np.array([power, f80, p80, t_h])
        return z - g, np.abs(z) + np.abs(g), J

    def equations(self, eq) -> None:
        sp = eq.species
        S = eq.S
        out = eq.outlets["out"]
        ins = eq.all_inlets
        z = eq.internal(list(MILL_VARS), [0.0] * len(MILL_VARS))
        if self.by_equipment:
            add_energy_breakage(self, eq, out, ins)
        else:
            eq.species_map(out, [(s, self.M) for s in ins])
        feeds = [self._stream(eq, self.p["bond_feed"])] if self.p["bond_feed"] else ins
        prod = self._stream(eq, self.p["bond_product"]) if self.p["bond_product"] else out
        nf = len(feeds)
        # the Bond terms depend on the sized species only: the block reads just those
        sized = np.nonzero(sp.size_index >= 0)[0]
        ns = len(sized)
        cols = np.concatenate([z, *[eq.flows(s)[sized] for s in feeds],
                               eq.flows(prod)[sized]])

        def split_bond(xloc):
            feed = np.zeros(S)
            feed[sized] = xloc[4:4 + nf * ns].reshape(nf, ns).sum(axis=0)
            product = np.zeros(S)
            product[sized] = xloc[4 + nf * ns:]
            return self.bond_residual(xloc[:4], feed, product)

        def bond(xloc):
            r, scale, _ = split_bond(xloc)
            return r, scale

        def bond_jac(xloc):
            _, _, J = split_bond(xloc)
            return np.hstack([J[:, :4], np.tile(J[:, 4:4 + ns], nf), J[:, 4 + ns:]])

        eq.nonlinear(cols, 4, bond, bond_jac, labels=[f"Bond {v}" for v in MILL_VARS])
        add_heat_rows(eq, int(z[0]), ins, out, self.p["heat_fraction"])

    # -- results -----------------------------------------------------------------------
    def power_kW(self, sol) -> float:
        return float(sol.internal[0])

    def report(self, sol) -> dict[str, float]:
        power, f80, p80, t_h = (float(v) for v in sol.internal[:4])
        w = power / t_h if t_h > 0 else 0.0
        out = {"F80": f80, "P80": p80, "specific_energy": w}
        if self.power_fixed is not None:
            out["operating_work_index"] = operating_work_index(w, f80, p80)
        if self.by_equipment:
            n_in = sol.inlet_total()
            feed_t_h = float((n_in * self.species.mw)[self.species.mask("s")].sum()) / 1e3
            q = float(self.volume @ n_in)
            out["mill_energy"] = power / feed_t_h if feed_t_h > 0 else 0.0
            out["pulp_flow"] = q
            out["residence_time"] = 60.0 * self.holdup_m3() / q if q > 0 else 0.0
            out["ball_charge"] = self.holdup_m3() / self.p["charge_porosity"] \
                * BALL_CHARGE_DENSITY / 1e3
        if self.p["motor_power"] is not None:
            u = utilisation(self.name, "drawn power", power,
                            self.p["motor_power"] * self.p["mills"],
                            "a larger motor, a lower ball filling or speed")
            out["utilisation"] = u
        return {k: (v if math.isfinite(v) else 0.0) for k, v in out.items()}
