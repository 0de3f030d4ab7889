"""Flotation bank: N cells in series with first-order kinetics per mineral (and size); the
residence time from the cells' volume and the pulp flow, or given."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from polyflow.errors import InputError, PolyflowError
from polyflow.psd import representative_sizes
from polyflow.quantity import parse_quantity
from polyflow.slurry import volume_per_kmol
from polyflow.units._flotation_blocks import add_cell_rows
from polyflow.units._tank_loads import G, blower_power_kW, tank_geometry
from polyflow.units.base import Param, Reported, Unit, read_fraction_table
from polyflow.units.capacity import utilisation
from polyflow.units.separator import distribute

__all__ = ["FlotationBank", "bank_recovery"]

FORMS = ("cells", "klimpel")


def bank_recovery(k: np.ndarray, tau: float, n: int, rmax: np.ndarray | float = 1.0,
                  form: str = "cells") -> np.ndarray:
    """Flotation recovery of a bank. ``cells``: ``R∞ (1 − (1 + kτ)^−N)`` for N perfectly
    mixed cells of residence time τ each; ``klimpel``: ``R∞ [1 − (1 − e^{−kt})/(kt)]``
    (rectangular distribution of rate constants up to k, plug flow, t = Nτ).

    >>> round(float(bank_recovery(np.array([1.0]), 2.0, 4)[0]), 6)   # 1 − 3^-4
    0.987654
    """
    k = np.asarray(k, dtype=float)
    if form == "klimpel":
        kt = k * tau * n
        safe = np.where(kt > 0, kt, 1.0)
        r = np.where(kt > 1e-12, 1.0 - (-np.expm1(-kt)) / safe, 0.5 * kt)
    else:
        r = 1.0 - (1.0 + k * tau) ** (-float(n))
    return np.asarray(rmax, dtype=float) * r


def _per_m3(value: object, unit: str) -> float:
    """A figure per m3 of cell: ``"1.0 kW/m3"`` (in ``unit``) or a bare number."""
    text = str(value).strip()
    if isinstance(value, str):
        if not text.endswith(unit):
            raise InputError(f"expected a figure in {unit}", value=value,
                             hint=f"write e.g. '1.0 {unit}'")
        text = text[:-len(unit)].strip()
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"expected a number of {unit}", value=value) from None
    if not 0.0 <= x < 1e3:
        raise InputError(f"must be between 0 and 1000 {unit}", value=value)
    return x


def _kinetics(value: object) -> dict[str, dict]:
    """``{mineral = {k = "1.2 1/min", rmax = "95 %", by_size = {sizes, factor}}}``."""
    if not isinstance(value, Mapping):
        raise InputError("expected a table {mineral = {k = '1.2 1/min', rmax = '95 %'}}",
                         value=value)
    out = {}
    for name, entry in value.items():
        if not isinstance(entry, Mapping) or "k" not in entry:
            raise InputError(f"kinetics of {name!r} needs k (a rate such as '1.2 1/min')",
                             value=entry)
        extra = set(entry) - {"k", "rmax", "by_size"}
        if extra:
            raise InputError(f"kinetics of {name!r} has no field {sorted(extra)[0]!r}",
                             hint="use k, rmax and by_size")
        try:
            k = parse_quantity(entry["k"], "rate")
            rmax = parse_quantity(entry.get("rmax", 1.0), "fraction")
        except InputError as err:
            raise InputError(f"kinetics of {name!r}: {err.message}", hint=err.hint) from None
        if k < 0 or not 0.0 <= rmax <= 1.0:
            raise InputError(f"kinetics of {name!r}: k must be ≥ 0 and rmax 0–100 %",
                             value=dict(entry))
        by_size = None
        if "by_size" in entry:
            t = entry["by_size"]
            if not isinstance(t, Mapping) or set(t) != {"sizes", "factor"} \
                    or len(t["sizes"]) != len(t["factor"]) or len(t["sizes"]) < 2:
                raise InputError(f"kinetics of {name!r}: by_size needs lists sizes and "
                                 f"factor of the same length (two or more)")
            try:
                xs = [parse_quantity(x, "length") for x in t["sizes"]]
            except InputError as err:
                raise InputError(f"kinetics of {name!r}: {err.message}") from None
            by_size = (np.array(xs), np.array([float(f) for f in t["factor"]]))
        out[str(name)] = {"k": k, "rmax": rmax, "by_size": by_size}
    return out


class FlotationBank(Unit):
    """A bank of N flotation cells in series: first-order kinetics per mineral (and per
    size class where ``by_size`` factors are given), a fixed water recovery to the
    concentrate, and entrainment of fine gangue with the water.

    .. math::

        R_{float,i} = R_{\\infty,i}\\big(1 - (1 + k_i\\tau)^{-N}\\big)\\quad
        \\text{or (Klimpel)}\\quad
        R_{\\infty,i}\\Big[1 - \\frac{1 - e^{-k_i N\\tau}}{k_i N\\tau}\\Big],

        R_i = R_{float,i} + (1 - R_{float,i})\\,ENT_i\\,R_w

    with τ the residence time of each cell: by the cells (``cell_volume``),
    ``τ = V (1 − ε_air)/Q`` with ``Q`` the pulp flow into the bank and ``ε_air`` the air
    hold-up, so that more throughput means less time and less recovery (τ is an unknown
    of the plant system, ``τ·Q − V_eff = 0``, with analytic Jacobians); or given
    (``cell_residence_time``, the option for laboratory kinetics at a known time).
    By the cells, the bank reports its air (``specific_air`` per m3 of cell) and draws
    ``specific_power`` per m3 of cell (mechanisms; the power leaves as heat to the air,
    a duty), and its utilisation is the pulp flow over ``max_pulp_flow``. With forced
    air (``aeration = "forced"``, tank cells) a blower delivers that air against the
    pulp's head over the cell depth and the air line's loss: ``Δp = ρ_pulp g H +
    air_line_loss`` (``H`` the depth of a cylindrical cell of height ``cell_aspect`` ×
    diameter, ``ρ_pulp`` from the solved pulp; or ``blower_pressure`` given), with the
    adiabatic power of :func:`~polyflow.units._tank_loads.blower_power_kW` at
    ``blower_efficiency``, added to the bank's power; self-aspirating cells
    (``aeration = "self"``) need none. The superficial gas velocity ``Jg`` (air over
    the cell's cross-section) is reported: 1–2 cm/s is the usual range of mechanical
    cells (Gorain, Franzidis & Manlapig, Miner. Eng. 10 (1997) 367–379). Minerals not
    in ``kinetics`` do not float
    (k = 0). Water and solutes go to the concentrate in the fraction R_w. Linear in the
    flows, so rougher–scavenger–cleaner circuits with recycled cleaner tails solve in the
    same sparse system. Rougher, cleaner and scavenger are banks joined by mixers.

    Source: Wills & Finch, *Wills' Mineral Processing Technology*, 8th ed. (2016),
    §12.6 (flotation kinetics: N cells in series, Klimpel model); Klimpel, "Selection of
    chemical reagents for flotation", in *Mineral Processing Plant Design*, SME (1980)
    907–934; entrainment as a fraction of the water recovery: Savassi et al., Int. J.
    Miner. Process. 53 (1998) 1–20 (here a single entrainment factor per mineral);
    residence time of the pulp from cell volume less air hold-up and pulp flow, and
    specific power and air of mechanical cells: Wills & Finch 8th ed. §12.8 and §12.9
    (the defaults are judgements within the ranges given there: air hold-up 10–20 %,
    about 1 kW and 0.1–0.3 m3/min of air per m3 of cell for mechanical cells of
    10–100 m3; give the vendor's figures for a design).

    Example: a mineral with k = 0.5 /min, R∞ = 95 % in 6 cells of 2 min:
    R = 0.95 × (1 − 2^−6) = 93.52 %; with k = 0 and ENT = 0.2, R_w = 20 % a gangue
    reports 0.2 × 0.2 = 4 % to the concentrate:

    >>> from polyflow.chem.species import load_database
    >>> sp = load_database().subset(["H2O", "CuFeS2", "SiO2"])
    >>> b = FlotationBank("rougher", n_cells=6, cell_residence_time="2 min",
    ...                   water_recovery="20 %", entrainment={"SiO2": 0.2},
    ...                   kinetics={"CuFeS2": {"k": "0.5 1/min", "rmax": "95 %"}})
    >>> b.bind(sp)
    >>> (100 * b.fractions["concentrate"]).round(2).tolist()
    [20.0, 93.52, 4.0]

    By the cells: 4 cells of 20 m3 with 15 % air hold 17 m3 of pulp each; 200 t/h of
    water, 2 t/h of chalcopyrite (4.18 t/m3) and 100 t/h of quartz (2.65 t/m3) are
    238.2 m3/h, so τ = 17/238.2 h = 4.28 min and R = 0.95 (1 − (1 + 0.6 × 4.282)^−4)
    = 94.41 %:

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "CuFeS2", "SiO2"])
    >>> _ = fs.add(Feed("pulp", flows_kg_h={"H2O": 2e5, "CuFeS2": 2e3, "SiO2": 1e5}))
    >>> _ = fs.add(FlotationBank("bank", n_cells=4, cell_volume="20 m3",
    ...                          water_recovery="10 %",
    ...                          kinetics={"CuFeS2": {"k": "0.6 1/min", "rmax": "95 %"}}))
    >>> _ = fs.add(Product("conc")); _ = fs.add(Product("tails", kind="residue"))
    >>> fs.connect("f", "pulp", "bank"); fs.connect("c", "bank.concentrate", "conc")
    >>> fs.connect("t", "bank.tailings", "tails")
    >>> r = fs.solve()
    >>> round(r.energy["bank"]["residence_time_min"], 2), round(100 * r.recovery["Cu"]["conc"], 2)
    (4.28, 94.41)
    """

    model = "flotation_bank"
    inlets = ("in*",)
    outlets = ("concentrate", "tailings")
    params = {
        "n_cells": Param.integer("cells in series", required=True, bounds=(1, 100)),
        "cell_volume": Param("volume", "volume of each cell (sizing by the cells)",
                             bounds=(0.01, 1000.0)),
        "air_holdup": Param("fraction", "air hold-up in the pulp (V_eff = V (1 − ε))",
                            default=0.15, bounds=(0.0, 0.5)),
        "specific_power": Param(None, "mechanism power per m3 of cell (kW/m3)",
                                default=1.0, parse=lambda v: _per_m3(v, "kW/m3")),
        "specific_air": Param(None, "air per m3 of cell (m3/min per m3)", default=0.2,
                              parse=lambda v: _per_m3(v, "m3/min/m3")),
        "max_pulp_flow": Param("volume_flow", "pulp flow the bank is designed to pass "
                                              "(utilisation)", bounds=(0.0, 1e6)),
        "solids_density": Param("density", "density of solids not in "
                                           "data/mineral_densities.csv", default=2700.0,
                                bounds=(500.0, 25000.0)),
        "cell_residence_time": Param("time", "residence time of each cell (the option "
                                             "instead of cell_volume)", bounds=(1e-6, 24.0)),
        "kinetics": Param(None, "mineral -> {k (1/min), rmax, by_size = {sizes, factor}}",
                          required=True, parse=_kinetics),
        "water_recovery": Param("fraction", "water to the concentrate Rw", required=True,
                                bounds=(0.0, 1.0)),
        "entrainment": Param(None, "mineral -> entrainment factor ENT (its recovery by "
                                   "entrainment per unit water recovery)", default={},
                             parse=lambda v: read_fraction_table(v, "entrainment of")),
        "form": Param.choice("'cells' (N mixed cells) or 'klimpel'", FORMS, default="cells"),
        "aeration": Param.choice("'forced' (a blower; tank cells) or 'self' "
                                 "(self-aspirating mechanism)", ("forced", "self"),
                                 default="forced"),
        "blower_pressure": Param("pressure", "blower pressure rise (default: pulp head over "
                                             "the cell depth + air_line_loss)",
                                 bounds=(0.1, 1000.0)),
        "air_line_loss": Param("pressure", "pressure lost in the air line and distributor",
                               default=5.0, bounds=(0.0, 100.0)),
        "blower_efficiency": Param("fraction", "blower efficiency (adiabatic, at the shaft)",
                                   default=0.7, bounds=(0.2, 1.0)),
        "cell_aspect": Param("ratio", "cell depth over diameter (cylindrical tank cell)",
                             default=1.0, bounds=(0.3, 3.0)),
    }
    results = {
        "mass_pull": Reported("%", "feed solids reporting to the concentrate"),
        "residence_time": Reported("min", "residence time of the pulp in each cell"),
        "pulp_flow": Reported("m3/h", "pulp flow into the bank"),
        "air": Reported("m3/min", "air to the bank"),
        "Jg": Reported("cm/s", "superficial gas velocity: air over the cell cross-section"),
        "blower_pressure": Reported("kPa", "pressure rise of the blower"),
        "blower_power": Reported("kW", "blower power of the bank (forced air)"),
        "utilisation": Reported("%", "pulp flow over max_pulp_flow"),
    }
    outlet_kinds = {"concentrate": "concentrate", "tailings": "tailings"}

    @property
    def by_cells(self) -> bool:
        return self.p["cell_volume"] is not None

    def validate(self) -> None:
        given = [k for k in ("cell_volume", "cell_residence_time") if self.p[k] is not None]
        if len(given) != 1:
            raise self.misspecified("give the cells' 'cell_volume' or the "
                                    "'cell_residence_time' (one of them)",
                                    "cell_volume" if not given else given[1])

    def effective_volume(self) -> float:
        """Pulp volume of one cell [m3]: the cell less its air hold-up."""
        return self.p["cell_volume"] * (1.0 - self.p["air_holdup"])

    def bind(self, species) -> None:
        S = len(species)
        k = np.zeros(S)
        rmax = np.zeros(S)
        sieves = getattr(species, "size_classes", None)
        for name, kin in self.p["kinetics"].items():
            try:
                comps = species.components(name)
            except PolyflowError as err:
                raise self.fail(f"kinetics: {err.message}", "kinetics", hint=err.hint) \
                    from None
            factor = np.ones(len(comps))
            if kin["by_size"] is not None and sieves is not None:
                xs, fs = kin["by_size"]
                order = np.argsort(xs)
                d = representative_sizes(sieves)[species.size_index[comps]]
                factor = np.interp(np.log(d), np.log(xs[order]), fs[order])
            k[comps] = kin["k"] * factor
            rmax[comps] = kin["rmax"]
        ent = np.zeros(S)
        for name, v in self.p["entrainment"].items():
            try:
                ent[species.components(name)] = v
            except PolyflowError as err:
                raise self.fail(f"entrainment: {err.message}", "entrainment",
                                hint=err.hint) from None
        rw = self.p["water_recovery"]
        self.species = species
        self.k, self.rmax, self.ent = k, rmax, ent
        if self.by_cells:
            self.volume = volume_per_kmol(species, self.p["solids_density"])
            return
        r = bank_recovery(k, self.p["cell_residence_time"], self.p["n_cells"], rmax,
                          self.p["form"])
        r = r + (1.0 - r) * ent * rw
        r = np.where(species.mask(("aq", "l", "org")), rw, r)
        r = np.where(species.mask("g"), 0.0, r)
        self.fractions = {"concentrate": r, "tailings": 1.0 - r}

    def equations(self, eq) -> None:
        if self.by_cells:
            add_cell_rows(self, eq)
        else:
            distribute(eq, self.fractions)

    def air_m3_min(self) -> float:
        """Air to the bank [m3/min]."""
        return self.p["specific_air"] * self.p["cell_volume"] * self.p["n_cells"]

    def blower(self, sol) -> tuple[float, float]:
        """Blower pressure rise [kPa] and power [kW] (0, 0 for self-aspirating cells)."""
        p = self.p
        if p["aeration"] == "self":
            return 0.0, 0.0
        dp = p["blower_pressure"]
        if dp is None:
            n = sol.inlet_total()
            q = float(self.volume @ n)                             # m3/h
            rho = float(n @ self.species.mw) / q if q > 0 else 1000.0
            _, depth, _ = tank_geometry(p["cell_volume"], p["cell_aspect"])
            dp = rho * G * depth / 1000.0 + p["air_line_loss"]     # kPa
        return dp, blower_power_kW(self.air_m3_min(), 1000.0 * dp, p["blower_efficiency"])

    def power_kW(self, sol) -> float:
        if not self.by_cells:
            return 0.0
        return self.p["specific_power"] * self.p["cell_volume"] * self.p["n_cells"] + \
            self.blower(sol)[1]

    def report(self, sol) -> dict[str, float]:
        solids = self.species.mask("s")
        mw = self.species.mw
        feed = float((sol.inlet_total() * mw)[solids].sum())
        conc = float((sol.outlets["concentrate"][0] * mw)[solids].sum())
        out = {"mass_pull": 100.0 * conc / feed if feed > 0 else 0.0}
        if self.by_cells:
            q = float(self.volume @ sol.inlet_total())
            out["residence_time"] = 60.0 * float(sol.internal[0])
            out["pulp_flow"] = q
            out["air"] = self.air_m3_min()
            d, _, _ = tank_geometry(self.p["cell_volume"], self.p["cell_aspect"])
            out["Jg"] = 100.0 * self.air_m3_min() / 60.0 / (self.p["n_cells"] * math.pi
                                                            * d * d / 4.0)
            if self.p["aeration"] == "forced":
                out["blower_pressure"], out["blower_power"] = self.blower(sol)
            u = utilisation(self.name, "pulp flow", q, self.p["max_pulp_flow"],
                            "add cells or larger ones")
            if u is not None:
                out["utilisation"] = u
        return out
