"""Hydrocyclone: Whiten's efficiency curve with a corrected d50c and water bypass; the cut
size, water split and pressure from the cyclones' geometry by Plitt's model, or given."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from polyflow.comminution import whiten_efficiency
from polyflow.errors import InputError, PolyflowError
from polyflow.plitt import ROPING_SOLIDS_VOLUME
from polyflow.psd import representative_sizes, require_sizes
from polyflow.quantity import parse_quantity
from polyflow.slurry import LIQUOR_DENSITY, solid_density_per_species, volume_per_kmol
from polyflow.units._cyclone_blocks import (
    REF_DELTA_RHO,
    add_plitt_rows,
    cyclone_state,
    pump_shaft_kW,
)
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.capacity import utilisation, warn
from polyflow.units.separator import distribute

__all__ = ["Hydrocyclone", "read_sizes_by_mineral"]


def read_sizes_by_mineral(value: object) -> dict[str, float]:
    """``{mineral = "45 um"}`` -> ``{mineral: 4.5e-5}`` (metres)."""
    if not isinstance(value, Mapping):
        raise InputError("expected a table {mineral = size}, e.g. {'Au(s)' = '20 um'}",
                         value=value)
    out = {}
    for k, v in value.items():
        try:
            out[str(k)] = parse_quantity(v, "length")
        except InputError as err:
            raise InputError(f"size of {k!r}: {err.message}", hint=err.hint) from None
        if not out[str(k)] > 0:
            raise InputError(f"size of {k!r} must be above zero", value=v)
    return out


def partition_vector(unit: Unit, species, d50: float, alpha: float, bypass: float,
                     liquid: float, by_mineral: dict[str, float]) -> np.ndarray:
    """Fraction of each species to the coarse product: ``Rf + (1 − Rf)·E(d/d50)`` for the
    size classes (``d50`` per mineral where given), ``liquid`` for water, solutes and
    solids without sizes, 0 for gases."""
    sieves = require_sizes(unit, species)
    d = representative_sizes(sieves)
    f = np.where(species.mask("g"), 0.0, liquid)
    sized = species.size_index >= 0
    d50s = np.full(len(species), d50)
    for key, size in by_mineral.items():
        try:
            d50s[species.components(key)] = size
        except PolyflowError as err:
            raise unit.fail(f"{err.message}", "d50c_minerals", hint=err.hint) from None
    k = species.size_index[sized]
    f[sized] = bypass + (1.0 - bypass) * whiten_efficiency(d[k] / d50s[sized], alpha)
    return f


class Hydrocyclone(Unit):
    """Hydrocyclone classifier: a partition curve with a corrected cut size d50c,
    sharpness α and the water split to underflow, which carries a bypass of every size
    (Lynch & Rao's form with Whiten's efficiency curve); the cut size and the water split
    from the cyclones' geometry by Plitt's model, or given.

    **By geometry** (``diameter`` given): a cluster of ``cyclones`` equal cyclones of
    diameter ``diameter``, inlet ``inlet``, vortex finder ``vortex_finder``, apex ``apex``
    and free vortex height ``free_vortex_height`` shares the feed; at the flow per
    cyclone and the feed solids by volume, Plitt's model (Flintoff et al.'s form of the
    cut size, :mod:`polyflow.plitt`) gives the corrected cut size of each mineral (its
    own density difference: ``d50c ∝ (Δρ/1.6)^{-0.5}``), the pressure drop and the
    volumetric flow split ``S``; the water split ``Rf`` (also the bypass) makes the
    underflow volume ``S/(1 + S)`` of the feed pulp. More flow per cyclone cuts finer and
    raises the pressure. The cut size and ``Rf`` are unknowns of the plant system, with
    analytic Jacobians. Reported: cut size at the feed's mean solids density, pressure,
    flow per cyclone, underflow solids by volume; the underflow ropes above 56 % solids
    by volume (Plitt, Conil & Broussaud 1990), which is reported and warned
    (:class:`~polyflow.units.capacity.CapacityWarning`), as is a pressure above
    ``max_pressure``. Where the apex cannot pass the solids the cut sends it (the volume
    balance would need less than no water), the water split is held at 5 %: a roping
    underflow, flagged and warned. ``d50c_factor``, ``pressure_factor`` and
    ``split_factor`` are
    Flintoff et al.'s calibration factors (1 by default).

    **Given** (``d50c`` and ``water_to_underflow``, the option for a surveyed cyclone):

    .. math::

        E_{c}(x) = \\frac{e^{\\alpha x} - 1}{e^{\\alpha x} + e^{\\alpha} - 2},\\quad
        x = \\frac{d}{d_{50c}},\\qquad
        E_a = R_f + (1 - R_f)\\,E_c

    ``E_a`` is the fraction of each size class to the underflow; water and solutes go to
    the underflow in the fraction ``water_to_underflow`` (Rf), which is also the bypass
    unless ``bypass`` is given. For fixed d50c the split is linear in the flows. Denser
    minerals classify finer (Stokes: d50c ∝ 1/√(ρs − ρl)): ``d50c_minerals`` gives a
    mineral its own cut size. Solids without sizes follow the water.

    **Feed pump.** By geometry the cluster's feed pump is counted in the unit's power:
    ``P = Q (Δp + ρ_pulp g H)/η`` with ``Δp`` the cyclone pressure drop, ``H``
    (``pump_head``) the static lift and pipe friction from the sump to the cyclone inlet
    and ``η`` the ``pump_efficiency`` (:func:`~polyflow.units._tank_loads.pump_power_kW`;
    Wilson, Addie, Sellgren & Clift, *Slurry Transport Using Centrifugal Pumps*, 3rd
    ed. (2006)). With ``pump_heat = "pulp"`` its shaft power heats the pulp but for the
    potential energy the pulp carries to the cyclone inlet, ``ρ_pulp g Q H`` (the pump's
    own losses heat it in the casing, the pressure head is dissipated in the cyclone;
    :func:`~polyflow.units._cyclone_blocks.pump_heat_kW`): the energy balance
    ``Σ H_in − H_underflow − H_overflow + P − ρ g Q H = 0`` sets the outlets'
    temperature (+0.14 K in the shipped concentrator), and the unit's duty
    (``H_out − H_in − P``) is the lift, ``−ρ g Q H``; this is the default. With
    ``"duty"`` the outlets leave
    at the feed temperature and the whole power shows as the unit's (negative) duty
    (the option kept for comparison: since the projected Newton the energy row costs no
    iterations, 8 for the concentrate-refining refinery against 9 with ``"duty"``).

    Source: Lynch & Rao, "Modelling and scale-up of hydrocyclone classifiers", Proc. 11th
    Int. Mineral Processing Congress, Cagliari (1975) 245–269; Plitt, "A mathematical
    model of the hydrocyclone classifier", CIM Bulletin 69 (1976) 114–123; Flintoff,
    Plitt & Turak, "Cyclone modelling: a review of present technology", CIM Bulletin 80
    (1987) 39–50; Plitt, Conil & Broussaud, Minerals Eng. 3 (1990) 533–535; Napier-Munn,
    Morrell, Morrison & Kojovic, *Mineral Comminution Circuits*, JKMRC (1996), ch. 10;
    Wills & Finch, *Wills' Mineral Processing Technology*, 8th ed. (2016), ch. 9.

    Example: at the corrected cut size E_c = 1/2, so with 30 % of the water to the
    underflow the class between the 150 and 106 µm sieves (size √(150 × 106) = 126.1 µm)
    splits 0.3 + 0.7 × 0.5 = 65 % to the underflow when d50c = 126.1 µm; the next,
    at 89.2 µm (x = 0.707, E_c = 0.278 with α = 3), 0.3 + 0.7 × 0.278 = 49.4 %:

    >>> from polyflow.chem.species import load_database
    >>> sp = load_database().subset(["H2O", "SiO2"]).sized([150e-6, 106e-6, 75e-6])
    >>> c = Hydrocyclone("cyc", d50c="126.1 um", alpha=3.0, water_to_underflow="30 %")
    >>> c.bind(sp)
    >>> c.fractions["underflow"].round(3).tolist()   # water, then the three classes
    [0.3, 0.65, 0.494, 0.408]

    By geometry: 100 t/h of quartz (37.74 m3/h) in 200 m3/h of water through two
    500 mm cyclones (inlet 100, vortex finder 150, apex 110 mm, free vortex 1.5 m) is
    118.9 m3/h a cyclone at 15.9 % solids by volume; Plitt's pressure
    1.88 × 1981^1.78 × e^{0.087}/(50^0.37 × 10^0.94 × 150^0.28 × 346^0.87) = 62.2 kPa
    and cut 60.4 µm (:mod:`polyflow.plitt`):

    >>> from polyflow import Flowsheet
    >>> from polyflow.io.feeds import sized_flows
    >>> from polyflow.psd import sieve_series
    >>> from polyflow.units import Feed, Product
    >>> sp = load_database().subset(["H2O", "SiO2"]).sized(sieve_series(1e-3, 20e-6))
    >>> fs = Flowsheet(sp)
    >>> _ = fs.add(Feed("pulp", flows_kg_h=sized_flows(sp, {"SiO2(s)": 1e5, "H2O(l)": 2e5},
    ...                 {"ggs": {"xmax": "1 mm", "m": 0.9}})))
    >>> _ = fs.add(Hydrocyclone("cyc", diameter="500 mm", inlet="100 mm",
    ...     vortex_finder="150 mm", apex="110 mm", free_vortex_height="1.5 m", cyclones=2))
    >>> _ = fs.add(Product("uf")); _ = fs.add(Product("of"))
    >>> fs.connect("f", "pulp", "cyc"); fs.connect("u", "cyc.underflow", "uf")
    >>> fs.connect("o", "cyc.overflow", "of")
    >>> e = fs.solve().energy["cyc"]
    >>> round(e["flow_per_cyclone_m3/h"], 1), round(e["pressure_kPa"], 1), round(e["d50c_um"], 1)
    (118.9, 62.2, 60.4)
    """

    model = "hydrocyclone"
    inlets = ("in*",)
    outlets = ("underflow", "overflow")
    params = {
        "diameter": Param("length", "cyclone diameter Dc (sizing by geometry)",
                          bounds=(0.01, 2.0)),
        "inlet": Param("length", "inlet diameter Di (of a circle of the inlet's area)",
                       bounds=(0.002, 1.0)),
        "vortex_finder": Param("length", "vortex finder diameter Do", bounds=(0.002, 1.0)),
        "apex": Param("length", "apex (spigot) diameter Du", bounds=(0.002, 1.0)),
        "free_vortex_height": Param("length", "free vortex height h (vortex finder to "
                                              "apex)", bounds=(0.02, 10.0)),
        "cyclones": Param.integer("cyclones operating in the cluster", default=1,
                                  bounds=(1, 100)),
        "viscosity": Param("ratio", "liquor viscosity in cP (mPa s)", default=1.0,
                           bounds=(0.1, 100.0)),
        "solids_density": Param("density", "density of solids not in "
                                           "data/mineral_densities.csv", default=2700.0,
                                bounds=(1001.0, 25000.0)),
        "pump_head": Param("length", "feed pump static lift and friction head (sump to "
                                     "cyclone inlet; judgement 15 m)", default=15.0,
                           bounds=(0.0, 200.0)),
        "pump_efficiency": Param("fraction", "feed pump efficiency on the slurry",
                                 default=0.7, bounds=(0.2, 1.0)),
        "pump_heat": Param.choice("'pulp': the feed pump's power but the lift heats the "
                                  "pulp (an energy row); 'duty': its heat shows as the "
                                  "unit's duty (outlets at the feed temperature)",
                                  ("duty", "pulp"), default="pulp"),
        "max_pressure": Param("pressure", "highest pressure drop the cluster is run at "
                                          "(utilisation)", bounds=(1.0, 1000.0)),
        "d50c_factor": Param("ratio", "calibration factor of the cut size", default=1.0,
                             bounds=(0.1, 10.0)),
        "pressure_factor": Param("ratio", "calibration factor of the pressure",
                                 default=1.0, bounds=(0.1, 10.0)),
        "split_factor": Param("ratio", "calibration factor of the flow split",
                              default=1.0, bounds=(0.1, 10.0)),
        "d50c": Param("length", "corrected cut size (50 % of a size to underflow, bypass "
                                "excluded; the option instead of the geometry)",
                      bounds=(1e-7, 0.1)),
        "alpha": Param("ratio", "sharpness α of the efficiency curve (2.5–4 typical)",
                       default=3.0, bounds=(0.05, 50.0)),
        "water_to_underflow": Param("fraction", "water split to the underflow Rf (with "
                                                "d50c)", bounds=(0.0, 1.0)),
        "bypass": Param("fraction", "solids of every size short-circuited to underflow "
                                    "(default: Rf)", bounds=(0.0, 1.0)),
        "d50c_minerals": Param(None, "mineral -> its own d50c (denser minerals cut finer)",
                               default={}, parse=read_sizes_by_mineral),
    }
    results = {
        "d50c": Reported("um", "corrected cut size (by geometry: at the feed's mean "
                               "solids density)"),
        "underflow_solids": Reported("%", "solids in the underflow slurry, by mass"),
        "pressure": Reported("kPa", "pressure drop (Plitt)"),
        "flow_per_cyclone": Reported("m3/h", "feed pulp per cyclone"),
        "feed_solids_volume": Reported("%", "solids in the feed pulp, by volume"),
        "underflow_solids_volume": Reported("%", "solids in the underflow pulp, by volume"),
        "water_to_underflow": Reported("%", "feed water to the underflow (Rf)"),
        "roping": Reported("", "1 when the underflow solids exceed 56 % by volume"),
        "utilisation": Reported("%", "pressure drop over max_pressure"),
        "pump_power": Reported("kW", "feed pump power (by geometry)"),
        "pump_heat": Reported("kW", "feed pump power that heats the pulp (all but the "
                                    "lift, by geometry)"),
    }
    outlet_kinds = {"underflow": "coarse", "overflow": "fine"}

    GEOMETRY = ("diameter", "inlet", "vortex_finder", "apex", "free_vortex_height")

    @property
    def by_geometry(self) -> bool:
        return self.p["diameter"] is not None

    def validate(self) -> None:
        p = self.p
        if self.by_geometry:
            missing = [k for k in self.GEOMETRY if p[k] is None]
            if missing:
                raise self.misspecified(f"a cyclone sized by its geometry needs "
                                        f"'{missing[0]}'", missing[0])
            for key in ("d50c", "water_to_underflow", "bypass"):
                if p[key] is not None:
                    raise self.misspecified(f"over-specified: '{key}' follows from the "
                                            "geometry (Plitt's model)", key,
                                            hint=f"remove '{key}', or the diameter to give "
                                                 "the cut size")
            if p["d50c_minerals"]:
                raise self.misspecified("over-specified: by geometry each mineral's cut "
                                        "size follows from its density", "d50c_minerals")
            return
        for key in ("d50c", "water_to_underflow"):
            if p[key] is None:
                raise self.misspecified(f"give the geometry (diameter, inlet, vortex_finder, "
                                        f"apex, free_vortex_height) or '{key}'", key)

    def geometry(self) -> dict[str, float]:
        p = self.p
        return {"dc": p["diameter"], "di": p["inlet"], "do": p["vortex_finder"],
                "du": p["apex"], "h": p["free_vortex_height"]}

    def bind(self, species) -> None:
        self.species = species
        if self.by_geometry:
            sieves = require_sizes(self, species)
            rho = solid_density_per_species(species, self.p["solids_density"])
            d = representative_sizes(sieves)
            sized = species.size_index >= 0
            self.volume = volume_per_kmol(species, self.p["solids_density"])
            reduced = np.zeros(len(species))
            drho = np.maximum(rho[sized] - LIQUOR_DENSITY, 1.0)
            reduced[sized] = d[species.size_index[sized]] * 1e6 \
                * np.sqrt(drho / REF_DELTA_RHO)
            self.reduced_size = reduced
            self.rho = rho
            return
        rf = self.p["water_to_underflow"]
        bypass = rf if self.p["bypass"] is None else self.p["bypass"]
        u = partition_vector(self, species, self.p["d50c"], self.p["alpha"], bypass, rf,
                             self.p["d50c_minerals"])
        self.fractions = {"underflow": u, "overflow": 1.0 - u}

    def equations(self, eq) -> None:
        if self.by_geometry:
            add_plitt_rows(self, eq)
        else:
            distribute(eq, self.fractions)

    def report(self, sol) -> dict[str, float]:
        n, _ = sol.outlets["underflow"]
        sp = self.species
        m = n * sp.mw
        solids = float(m[sp.mask("s")].sum())
        slurry = solids + float(m[sp.mask(("aq", "l"))].sum())
        out = {"underflow_solids": 100.0 * solids / slurry if slurry > 0 else 0.0}
        if not self.by_geometry:
            out["d50c"] = self.p["d50c"] * 1e6
            return out
        n_in = sol.inlet_total()
        s = sp.mask("s")
        Q, Vs = float(self.volume @ n_in), float(self.volume[s] @ n_in[s])
        mass = float((sp.mw * n_in)[~sp.mask("g")].sum())
        st = cyclone_state(self, Q, Vs, mass)
        rho_mean = float((sp.mw * n_in)[s].sum()) / Vs if Vs > 0 else 2650.0
        y, rf = (float(v) for v in sol.internal[:2])
        d50 = math.exp(y) / math.sqrt(max(rho_mean - LIQUOR_DENSITY, 1.0) / REF_DELTA_RHO)
        qu, vsu = float(self.volume @ n), float(self.volume[s] @ n[s])
        phi_u = vsu / qu if qu > 0 else 0.0
        roping = phi_u > ROPING_SOLIDS_VOLUME
        if roping:
            warn(self.name, f"the underflow holds {100 * phi_u:.0f} % solids by volume, "
                            f"above the roping limit of 56 % (Plitt, Conil & Broussaud "
                            f"1990); open the apex or add cyclones")
        out.update({"d50c": d50, "pressure": st["pressure"], "flow_per_cyclone": Q /
                    self.p["cyclones"], "feed_solids_volume": 100.0 * st["phi"],
                    "underflow_solids_volume": 100.0 * phi_u, "water_to_underflow": 100 * rf,
                    "roping": float(roping)})
        out["pump_power"] = self.pump_power(sol)
        if self.p["pump_heat"] == "pulp":
            out["pump_heat"] = float(sol.internal[2])
        u = utilisation(self.name, "pressure drop", st["pressure"], self.p["max_pressure"],
                        "add cyclones to the cluster or use larger ones")
        if u is not None:
            out["utilisation"] = u
        return out

    def pump_power(self, sol) -> float:
        """Feed pump power [kW]: ``Q (Δp + ρ g H)/η`` (0 without the geometry)."""
        if not self.by_geometry:
            return 0.0
        sp = self.species
        n_in = sol.inlet_total()
        s = sp.mask("s")
        Q, Vs = float(self.volume @ n_in), float(self.volume[s] @ n_in[s])
        mass = float((sp.mw * n_in)[~sp.mask("g")].sum())
        return pump_shaft_kW(self, Q, Vs, mass)

    def power_kW(self, sol) -> float:
        return self.pump_power(sol)
