"""The result of one solve: streams, element balances, recoveries and energy.

Everything here is computed from the converged unknowns; nothing is solved again.
Tables come as plain Python structures (lists of dicts, dicts of floats, numpy arrays),
and as a pandas DataFrame through :meth:`Result.dataframe` where pandas is installed.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.solve.solution import UnitSolution, enthalpy_kW

if TYPE_CHECKING:
    from polyflow.flowsheet import Assembly, Flowsheet
    from polyflow.solve.newton import NewtonReport

__all__ = ["Result"]

#: densities used to turn phase masses into volumes [kg/m3] unless the flowsheet sets them
DEFAULT_DENSITY = {"aq": 1000.0, "org": 800.0}
#: closure a run must reach to be called closed (DESIGN "Convergence")
CLOSURE_TOL = 1e-9
#: element amounts below this fraction of the plant's total feed mass are round-off zeros
CLOSURE_FLOOR = 1e-12


class Result:
    """Solved flowsheet. ``streams`` (names), ``closure``, ``recovery``, ``energy``."""

    def __init__(self, flowsheet: Flowsheet, assembly: Assembly, report: NewtonReport,
                 timings: dict[str, float] | None = None) -> None:
        self.flowsheet = flowsheet
        self.assembly = assembly
        self.species = flowsheet.species
        self.x = report.x
        self.iterations = report.iterations
        self.converged = report.converged
        self.max_scaled_residual = report.max_scaled_residual
        self.history = report.history
        self.timings = dict(timings or {})
        N, T = assembly.system.stream_view(self.x)
        self.flows_kmol_h = N.copy()     # [stream, species]
        self.T_K = T.copy()              # [stream]
        self.mass_flows = self.flows_kmol_h * self.species.mw   # kg/h [stream, species]
        aw = np.array([atomic_weight(e) for e in self.species.elements])
        # kg/h of each element in each species flow: [stream, element, species]
        self._el_per_species = self.species.element_matrix * aw[:, None]   # kg/kmol
        self.density = {**DEFAULT_DENSITY, **flowsheet.options.get("density", {})}
        #: design specifications and what they reached (polyflow.solve.specs.spec_report)
        self.specs: dict[str, dict[str, Any]] = {}

    # -- stream access ---------------------------------------------------------------
    @property
    def stream_names(self) -> list[str]:
        return [s.name for s in self.assembly.streams]

    def _s(self, name: str) -> int:
        try:
            return self.assembly.stream_index[name]
        except KeyError:
            from polyflow.errors import FlowsheetError, did_you_mean
            raise FlowsheetError(f"no stream named {name!r}",
                                 hint=did_you_mean(name, self.stream_names)) from None

    def flow_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow of every species in ``stream`` [kg/h]."""
        row = self.mass_flows[self._s(stream)]
        return {sid: float(v) for sid, v in zip(self.species.ids, row, strict=True)}

    def base_flow_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow of every species [kg/h], size classes added up to their species
        (the same as :meth:`flow_kg_h` for a flowsheet without sizes)."""
        row = self.mass_flows[self._s(stream)]
        m = np.bincount(self.species.base_index, weights=row,
                        minlength=len(self.species.base_ids))
        return {sid: float(v) for sid, v in zip(self.species.base_ids, m, strict=True)}

    # -- particle sizes ----------------------------------------------------------------
    def _class_mass(self, stream: str, species: str | None = None) -> np.ndarray:
        from polyflow.errors import FlowsheetError
        from polyflow.psd import class_mass

        if getattr(self.species, "size_classes", None) is None:
            raise FlowsheetError("this flowsheet has no particle sizes",
                                 hint="add size_classes = { top = '...', bottom = '...' } "
                                      "to [flowsheet] and a psd to the ore feed")
        base = None
        if species is not None:
            try:
                base = self.species.ids[self.species.components(species)[0]].partition("|")[0]
            except KeyError as err:
                raise FlowsheetError(str(err)) from None
            if self.species.size_index[self.species.components(base)[0]] < 0:
                raise FlowsheetError(f"{base!r} has no size classes in this flowsheet",
                                     hint="name a sized solid, or leave species out")
        return class_mass(self.species, self.flows_kmol_h[self._s(stream)], base)

    def psd(self, stream: str, species: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Size distribution of a stream's sized solids (or of one mineral): the class
        upper sizes [µm], coarsest first, and the cumulative % passing each."""
        from polyflow.psd import cumulative_passing

        m = self._class_mass(stream, species)
        return self.species.size_classes * 1e6, 100.0 * cumulative_passing(m)

    def passing_size_um(self, stream: str, percent: float, species: str | None = None
                        ) -> float:
        """Size [µm] that ``percent`` % of the sized solids pass (nan without solids),
        interpolated in log(size) between sieves (see :func:`polyflow.psd.percentile_size`)."""
        from polyflow.psd import percentile_size

        m = self._class_mass(stream, species)
        return percentile_size(self.species.size_classes, m, percent / 100.0) * 1e6

    def p80_um(self, stream: str, species: str | None = None) -> float:
        """80 % passing size of the stream's solids [µm]."""
        return self.passing_size_um(stream, 80.0, species)

    def p50_um(self, stream: str, species: str | None = None) -> float:
        """50 % passing size of the stream's solids [µm]."""
        return self.passing_size_um(stream, 50.0, species)

    def temperature_C(self, stream: str) -> float:
        return float(self.T_K[self._s(stream)] - 273.15)

    def elements_kg_h(self, stream: str, phase: str | None = None) -> dict[str, float]:
        """Mass flow of every element in ``stream`` (or in one phase of it) [kg/h]."""
        n = self.flows_kmol_h[self._s(stream)]
        if phase is not None:
            n = n * self.species.mask(phase)
        el = self._el_per_species @ n
        return {e: float(v) for e, v in zip(self.species.elements, el, strict=True)}

    def phase_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow by phase code (s, aq, org, g, l) [kg/h]."""
        m = self.mass_flows[self._s(stream)]
        return {ph: float(m[self.species.phase == ph].sum()) for ph in ("s", "aq", "org", "g", "l")}

    def enthalpy_kW(self, stream: str) -> float:
        s = self._s(stream)
        return enthalpy_kW(self.species, self.flows_kmol_h[s], float(self.T_K[s]))

    def solids_assay(self, stream: str) -> dict[str, float]:
        """Element grades of the solids [mass fraction of dry solids]."""
        solids = self.phase_kg_h(stream)["s"]
        if solids <= 0:
            return {}
        el = self.elements_kg_h(stream, "s")
        return {e: v / solids for e, v in el.items() if v > 0}

    def solution_volume_m3_h(self, stream: str, phase: str = "aq") -> float:
        return self.phase_kg_h(stream)[phase] / self.density[phase]

    def solution_g_L(self, stream: str, phase: str = "aq") -> dict[str, float]:
        """Element concentrations in the solution phase [g/L = kg/m3] (the solution
        density is a flowsheet option, 1000 kg/m3 for aqueous by default)."""
        vol = self.solution_volume_m3_h(stream, phase)
        if vol <= 0:
            return {}
        el = self.elements_kg_h(stream, phase)
        return {e: v / vol for e, v in el.items() if v > 0 and e not in ("H", "O")}

    # -- plant balances ----------------------------------------------------------------
    def _role_streams(self, role: str) -> list[str]:
        units = self.flowsheet.units
        if role == "feed":
            return [s.name for s in self.assembly.streams if units[s.src].role == "feed"]
        return [s.name for s in self.assembly.streams if units[s.dst].role == "product"]

    @cached_property
    def feeds(self) -> list[str]:
        """Streams entering the plant (leaving a feed unit)."""
        return self._role_streams("feed")

    @cached_property
    def products(self) -> dict[str, str]:
        """Product unit name -> the stream that enters it."""
        units = self.flowsheet.units
        return {s.dst: s.name for s in self.assembly.streams if units[s.dst].role == "product"}

    def _sum_elements(self, streams: list[str]) -> np.ndarray:
        idx = [self._s(s) for s in streams]
        n = self.flows_kmol_h[idx].sum(axis=0) if idx else np.zeros(len(self.species))
        return self._el_per_species @ n

    @cached_property
    def element_in_kg_h(self) -> dict[str, float]:
        return dict(zip(self.species.elements, self._sum_elements(self.feeds).tolist(),
                        strict=True))

    @cached_property
    def element_out_kg_h(self) -> dict[str, float]:
        return dict(zip(self.species.elements,
                        self._sum_elements(list(self.products.values())).tolist(), strict=True))

    @cached_property
    def closure(self) -> dict[str, float]:
        """Relative imbalance of every element over the plant: |in − out| / in.

        An element whose flows are below ``CLOSURE_FLOOR`` times the plant's feed mass
        is judged against that floor (its amounts are round-off, not material)."""
        out = {}
        floor = CLOSURE_FLOOR * float(sum(self.mass_flows[self._s(s)].sum()
                                          for s in self.feeds))
        for e, fin in self.element_in_kg_h.items():
            fout = self.element_out_kg_h[e]
            big = max(abs(fin), abs(fout), floor)
            out[e] = abs(fin - fout) / big if big > 0 else 0.0
        return out

    @property
    def closed(self) -> bool:
        return all(v < CLOSURE_TOL for v in self.closure.values())

    @cached_property
    def recovery(self) -> dict[str, dict[str, float]]:
        """Fraction of each element's plant feed reporting to each product unit."""
        rec: dict[str, dict[str, float]] = {}
        for e, fin in self.element_in_kg_h.items():
            rec[e] = {}
            for prod, stream in self.products.items():
                v = self.elements_kg_h(stream)[e]
                rec[e][prod] = v / fin if fin > 0 else 0.0
        return rec

    # -- units ------------------------------------------------------------------------
    def unit_solution(self, unit: str) -> UnitSolution:
        inlets, outlets = self.assembly.ports[unit]
        return UnitSolution(
            self.species,
            {p: [(self.flows_kmol_h[s], float(self.T_K[s])) for s in ss]
             for p, ss in inlets.items()},
            {p: (self.flows_kmol_h[s], float(self.T_K[s])) for p, s in outlets.items()},
            self.x[self.assembly.internal[unit]])

    @cached_property
    def energy(self) -> dict[str, dict[str, float]]:
        """Per unit: electrical power, heat duty (heat added; negative = removed) [kW],
        and what the unit reports besides (heat of reaction, specific energy...)."""
        out: dict[str, dict[str, float]] = {}
        for name, unit in self.flowsheet.units.items():
            if unit.role != "process":
                continue
            sol = self.unit_solution(name)
            power = float(unit.power_kW(sol))
            duty = sol.H_out() - sol.H_in() - power
            scale = max(abs(sol.H_out()), abs(sol.H_in()), 1.0)
            if abs(duty) < 1e-9 * scale:
                duty = 0.0
            out[name] = {"power_kW": power, "duty_kW": duty, **unit.report(sol)}
        return out

    # -- per tonne of ore, reagents, water, areas ---------------------------------------
    def _feeds_of(self, category: str) -> dict[str, str]:
        """Feed unit -> its stream, for feeds of one category."""
        units = self.flowsheet.units
        return {s.src: s.name for s in self.assembly.streams
                if units[s.src].role == "feed" and units[s.src].p["category"] == category}

    @cached_property
    def ore_t_h(self) -> float:
        """Dry solids of all ore feeds [t/h]: the basis of every per-tonne figure."""
        return sum(self.phase_kg_h(s)["s"] for s in self._feeds_of("ore").values()) / 1000.0

    @cached_property
    def reagents(self) -> dict[str, dict[str, float]]:
        """Reagent feed -> species (water excluded) -> kg/h and kg per tonne of ore."""
        water = self.species.index.get("H2O(l)")
        out: dict[str, dict[str, float]] = {}
        for feed, stream in self._feeds_of("reagent").items():
            m = self.mass_flows[self._s(stream)]
            for i, kg in enumerate(m):
                if kg > 0 and i != water:
                    sid = self.species.ids[i]
                    out.setdefault(feed, {})[f"{sid} [kg/h]"] = float(kg)
                    if self.ore_t_h > 0:
                        out[feed][f"{sid} [kg/t ore]"] = float(kg) / self.ore_t_h
        return out

    @cached_property
    def water(self) -> dict[str, dict[str, float]]:
        """Water balance [kg/h]: liquid water in with each feed, out with each product."""
        i = self.species.index.get("H2O(l)")
        if i is None:
            return {"in": {}, "out": {}}
        units = self.flowsheet.units
        fin = {s.src: float(self.mass_flows[self._s(s.name), i]) for s in self.assembly.streams
               if units[s.src].role == "feed"}
        fout = {p: float(self.mass_flows[self._s(s), i]) for p, s in self.products.items()}
        return {"in": fin, "out": fout}

    @cached_property
    def power_by_area(self) -> dict[str, dict[str, float]]:
        """Area -> electrical power [kW], heat duty [kW], and kWh per tonne of ore."""
        out: dict[str, dict[str, float]] = {}
        units = self.flowsheet.units
        for name, terms in self.energy.items():
            a = out.setdefault(units[name].area, {"power_kW": 0.0, "duty_kW": 0.0})
            a["power_kW"] += terms["power_kW"]
            a["duty_kW"] += terms["duty_kW"]
        for a in out.values():
            a["kWh_per_t_ore"] = a["power_kW"] / self.ore_t_h if self.ore_t_h > 0 else 0.0
        return out

    # -- export ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema in docs/json-output.md). With size classes, species
        masses are per species (size classes added up) and each stream with sized solids
        has ``psd`` (% passing each class's upper size) and ``p80_um``/``p50_um``."""
        sized = getattr(self.species, "size_classes", None) is not None
        streams = {}
        for s in self.assembly.streams:
            streams[s.name] = {
                "from": f"{s.src}.{s.src_port}", "to": f"{s.dst}.{s.dst_port}",
                "T_K": float(self.T_K[self._s(s.name)]),
                "mass_kg_h": self.base_flow_kg_h(s.name) if sized else self.flow_kg_h(s.name),
                "elements_kg_h": self.elements_kg_h(s.name),
            }
            if sized and self._class_mass(s.name).sum() > 0:
                _, passing = self.psd(s.name)
                streams[s.name].update({"psd_passing_%": passing.tolist(),
                                        "p80_um": self.p80_um(s.name),
                                        "p50_um": self.p50_um(s.name)})
        extra: dict[str, Any] = {}
        if sized:
            extra = {"size_classes_um": (self.species.size_classes * 1e6).tolist(),
                     "components": list(self.species.ids)}
        from polyflow.report.lines import (
            has_lines,
            line_reagent_rows,
            line_recovery_rows,
            line_rows,
        )
        from polyflow.report.water import water_balance

        return {
            "flowsheet": self.flowsheet.name, "source": self.flowsheet.source,
            "converged": bool(self.converged), "closed": self.closed,
            "iterations": int(self.iterations),
            "max_scaled_residual": float(self.max_scaled_residual),
            "closure": self.closure, "species": list(self.species.base_ids),
            "streams": streams, "recovery": self.recovery, "energy": self.energy,
            "ore_t_h": self.ore_t_h, "reagents": self.reagents, "water_kg_h": self.water,
            "water_balance": water_balance(self),
            "by_line": {"lines": line_rows(self), "recovery": line_recovery_rows(self),
                        "reagents": line_reagent_rows(self)} if has_lines(self) else {},
            "power_by_area": self.power_by_area, "specs": self.specs,
            "timings_s": self.timings, **extra,
        }

    def stream_table(self) -> list[dict[str, Any]]:
        """One row per stream as a metallurgist reads it (see polyflow.report.tables)."""
        from polyflow.report.tables import stream_rows

        return stream_rows(self)

    def dataframe(self):
        """The stream table as a pandas DataFrame (needs pandas)."""
        import pandas as pd  # optional dependency

        return pd.DataFrame(self.stream_table()).set_index("stream")

    def __repr__(self) -> str:
        worst = max(self.closure.values(), default=0.0)
        return (f"Result({self.flowsheet.name!r}: converged={self.converged} in "
                f"{self.iterations} iterations, worst element closure {worst:.1e})")
