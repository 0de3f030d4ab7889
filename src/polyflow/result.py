"""The result of one solve as plain data: a record, like scipy's ``OptimizeResult``.

:class:`Result` holds numpy arrays, dicts and strings only: the streams (names, ends,
species flows, temperatures, enthalpies), what reports need of the species (ids, molar
masses, phases, element matrix, size classes) and of the units (model, role, area,
scalar parameters, ports, declared results with their units of measure), the status
(``"converged"`` or ``"failed"`` with the named cause), Newton's iterations and
residual history, timings and the schema version. The driver
(:mod:`polyflow.solve.record`) builds it; reports, exports, plots and comparisons read
only it, so it pickles (plain :mod:`pickle`), travels between processes and round-trips
through :meth:`Result.to_dict` / :meth:`Result.from_dict` (JSON-safe).

Figures (closure, recovery, assays, reagents...) are computed from the record on demand;
nothing is solved again. Tables come as plain Python structures, and as a pandas
DataFrame through :meth:`Result.dataframe` where pandas is installed.

In the process that solved it, a record also keeps a link to its flowsheet
(``result.flowsheet``, ``result.unit_solution(name)``) for notebook use; that link is
neither pickled nor written by :meth:`to_dict`, and no report uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

import numpy as np

from polyflow.errors import DataError, FlowsheetError, did_you_mean
from polyflow.records import SpeciesInfo, StreamEnds, UnitInfo, result_key

__all__ = ["SCHEMA", "Result", "SpeciesInfo", "StreamEnds", "UnitInfo", "result_key"]

#: version of the record's layout (bump it when a field changes meaning)
SCHEMA = 1
#: densities used to turn phase masses into volumes [kg/m3] unless the flowsheet sets them
DEFAULT_DENSITY = {"aq": 1000.0, "org": 800.0}
#: closure a run must reach to be called closed (DESIGN "Convergence")
CLOSURE_TOL = 1e-9
#: element amounts below this fraction of the plant's total feed mass are round-off zeros
CLOSURE_FLOOR = 1e-12
PHASES = ("s", "aq", "org", "g", "l")


def _array(value: Any, dtype=float) -> np.ndarray:
    return np.asarray(value, dtype=dtype)


@dataclass(eq=False)
class Result:
    """Solved flowsheet as a record. ``status`` is ``"converged"`` or ``"failed"``
    (then ``message`` and ``failure`` name the cause); ``streams`` lists the stream
    ends; ``flows_kmol_h[stream, species]``, ``T_K[stream]``, ``H_kW[stream]``; ``units``
    maps unit name to :class:`UnitInfo`; ``closure``, ``recovery``, ``energy`` and the
    other figures are properties computed from these."""

    flowsheet_name: str
    source: str | None
    status: str
    message: str
    species: SpeciesInfo
    streams: list[StreamEnds]
    flows_kmol_h: np.ndarray
    T_K: np.ndarray
    H_kW: np.ndarray
    units: dict[str, UnitInfo]
    x: np.ndarray
    iterations: int = 0
    max_scaled_residual: float = float("nan")
    history: list[float] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    density: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DENSITY))
    #: sizes of the solved system: unknowns, Jacobian nonzeros
    system: dict[str, int] = field(default_factory=dict)
    #: for a failed solve: the error's kind, unit, field, hint and named rows/variables
    failure: dict[str, Any] | None = None
    #: design specifications and what they reached (polyflow.solve.spec_outcome)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the streams' speciation (polyflow.solve.aqueous_rows): ``database`` and, one value
    #: per stream in stream order (None where a stream has no water or is a reagent
    #: beyond the activity model), ``pH``, ``ionic_strength_mol_kg``, ``free_acid_g_L``
    aqueous: dict[str, Any] = field(default_factory=dict)
    schema: int = SCHEMA
    #: what the run was made from (polyflow.io.provenance): the flowsheet path as given,
    #: its content hash, the --set overrides and --spec specs, the polyflow version and
    #: the outputs' format version; {} for a flowsheet built in code
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {s.name: k for k, s in enumerate(self.streams)}
        self._live = None     # the flowsheet, in the process that solved it only

    # -- pickling: fields only (no caches, no live flowsheet) ---------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    # -- status -----------------------------------------------------------------------
    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def flowsheet(self):
        """The solved :class:`~polyflow.flowsheet.Flowsheet` (a convenience in the
        process that solved it; not carried by pickles or :meth:`to_dict`)."""
        if self._live is None:
            raise FlowsheetError(
                "this result carries no flowsheet (it was unpickled or read from a dict)",
                hint=f"reload it with polyflow.load({self.source!r})" if self.source
                else "keep the flowsheet beside the result")
        return self._live

    def unit_solution(self, unit: str):
        """The solved streams of one unit as the unit sees them
        (:class:`~polyflow.solve.solution.UnitSolution`; needs the live flowsheet)."""
        from polyflow.solve.solution import UnitSolution

        fs = self.flowsheet
        info = self.units[unit]
        return UnitSolution(
            fs.species,
            {p: [(self.flows_kmol_h[self._s(s)], float(self.T_K[self._s(s)])) for s in ss]
             for p, ss in info.inlets.items()},
            {p: (self.flows_kmol_h[self._s(s)], float(self.T_K[self._s(s)]))
             for p, s in info.outlets.items()},
            self.x[info.internal[0]:info.internal[1]])

    # -- stream access ----------------------------------------------------------------
    @property
    def stream_names(self) -> list[str]:
        return [s.name for s in self.streams]

    def stream_index(self, name: str) -> int:
        """Row of stream ``name`` in ``flows_kmol_h`` and ``T_K``."""
        try:
            return self._index[name]
        except KeyError:
            raise FlowsheetError(f"no stream named {name!r}",
                                 hint=did_you_mean(name, self.stream_names)) from None

    _s = stream_index

    def stream(self, name: str) -> StreamEnds:
        return self.streams[self.stream_index(name)]

    @property
    def mass_flows(self) -> np.ndarray:
        """kg/h [stream, species]."""
        return self.flows_kmol_h * self.species.mw

    def flow_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow of every species in ``stream`` [kg/h]."""
        row = self.flows_kmol_h[self._s(stream)] * self.species.mw
        return {sid: float(v) for sid, v in zip(self.species.ids, row, strict=True)}

    def base_flow_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow of every species [kg/h], size classes added up to their species
        (the same as :meth:`flow_kg_h` for a flowsheet without sizes)."""
        row = self.flows_kmol_h[self._s(stream)] * self.species.mw
        m = np.bincount(self.species.base_index, weights=row,
                        minlength=len(self.species.base_ids))
        return {sid: float(v) for sid, v in zip(self.species.base_ids, m, strict=True)}

    # -- particle sizes ----------------------------------------------------------------
    def _class_mass(self, stream: str, species: str | None = None) -> np.ndarray:
        from polyflow.psd import class_mass

        if self.species.size_classes is None:
            raise FlowsheetError("this flowsheet has no particle sizes",
                                 hint="add size_classes = { top = '...', bottom = '...' } "
                                      "to [flowsheet] and a psd to the ore feed")
        base = None
        if species is not None:
            try:
                base = self.species.base_of(species)
            except DataError as err:
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
        el = self.species.element_kg_per_kmol @ n
        return {e: float(v) for e, v in zip(self.species.elements, el, strict=True)}

    def phase_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow by phase code (s, aq, org, g, l) [kg/h]."""
        m = self.flows_kmol_h[self._s(stream)] * self.species.mw
        return {ph: float(m[self.species.phase == ph].sum()) for ph in PHASES}

    def enthalpy_kW(self, stream: str) -> float:
        """Enthalpy flow on the formation basis [kW]."""
        return float(self.H_kW[self._s(stream)])

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

    # -- units ------------------------------------------------------------------------
    def inlet_total_kmol_h(self, unit: str) -> np.ndarray:
        """Sum of the species flows entering ``unit`` [kmol/h]."""
        idx = [self._s(s) for ss in self.units[unit].inlets.values() for s in ss]
        return self.flows_kmol_h[idx].sum(axis=0) if idx else np.zeros(len(self.species))

    def outlet_stream(self, unit: str, port: str) -> str:
        """The stream leaving ``unit`` through outlet ``port``."""
        return self.units[unit].outlets[port]

    # -- plant balances ----------------------------------------------------------------
    @cached_property
    def feeds(self) -> list[str]:
        """Streams entering the plant (leaving a feed unit)."""
        return [s.name for s in self.streams if self.units[s.src].role == "feed"]

    @cached_property
    def products(self) -> dict[str, str]:
        """Product unit name -> the stream that enters it."""
        return {s.dst: s.name for s in self.streams if self.units[s.dst].role == "product"}

    def _sum_elements(self, streams: list[str]) -> np.ndarray:
        idx = [self._s(s) for s in streams]
        n = self.flows_kmol_h[idx].sum(axis=0) if idx else np.zeros(len(self.species))
        return self.species.element_kg_per_kmol @ n

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
        mass = self.mass_flows
        floor = CLOSURE_FLOOR * float(sum(mass[self._s(s)].sum() for s in self.feeds))
        for e, fin in self.element_in_kg_h.items():
            fout = self.element_out_kg_h[e]
            big = max(abs(fin), abs(fout), floor)
            out[e] = abs(fin - fout) / big if big > 0 else 0.0
        return out

    @property
    def closed(self) -> bool:
        return self.converged and all(v < CLOSURE_TOL for v in self.closure.values())

    @cached_property
    def recovery(self) -> dict[str, dict[str, float]]:
        """Fraction of each element's plant feed reporting to each product unit."""
        rec: dict[str, dict[str, float]] = {}
        out = {prod: self.elements_kg_h(stream) for prod, stream in self.products.items()}
        for e, fin in self.element_in_kg_h.items():
            rec[e] = {prod: (out[prod][e] / fin if fin > 0 else 0.0) for prod in self.products}
        return rec

    @cached_property
    def energy(self) -> dict[str, dict[str, float]]:
        """Per process unit: electrical power, heat duty (heat added; negative = removed)
        [kW], and the model's declared results, keyed ``NAME_UNIT`` (``power_kW``,
        ``heat_of_reaction_kW``, ``mass_pull_%``) as in the JSON document."""
        out: dict[str, dict[str, float]] = {}
        for name, u in self.units.items():
            if u.role != "process":
                continue
            out[name] = {"power_kW": u.power_kW, "duty_kW": u.duty_kW,
                         **{result_key(k, u.result_units.get(k, "")): v
                            for k, v in u.results.items()}}
        return out

    # -- per tonne of ore, reagents, water, areas ---------------------------------------
    def _feeds_of(self, category: str) -> dict[str, str]:
        """Feed unit -> its stream, for feeds of one category."""
        return {s.src: s.name for s in self.streams
                if self.units[s.src].role == "feed"
                and self.units[s.src].params.get("category") == category}

    @cached_property
    def ore_t_h(self) -> float:
        """Dry solids of all ore feeds [t/h]: the basis of every per-tonne figure."""
        return sum(self.phase_kg_h(s)["s"] for s in self._feeds_of("ore").values()) / 1000.0

    @cached_property
    def reagent_kg_h(self) -> dict[str, dict[str, float]]:
        """Reagent feed -> species it brings (water excluded) -> kg/h. Flows below
        ``CLOSURE_FLOOR`` of the plant's feed mass are round-off of a solved feed."""
        water = self.species.index.get("H2O(l)")
        out: dict[str, dict[str, float]] = {}
        mw = self.species.mw
        floor = CLOSURE_FLOOR * float(sum((self.flows_kmol_h[self._s(s)] * mw).sum()
                                          for s in self.feeds))
        for feed, stream in self._feeds_of("reagent").items():
            m = self.flows_kmol_h[self._s(stream)] * mw
            for i, kg in enumerate(m):
                if kg > floor and i != water:
                    out.setdefault(feed, {})[self.species.ids[i]] = float(kg)
        return out

    def per_t_ore(self, kg_h: float) -> float:
        """kg/h as kg per tonne of dry ore (0 without ore)."""
        return kg_h / self.ore_t_h if self.ore_t_h > 0 else 0.0

    @cached_property
    def reagents(self) -> dict[str, dict[str, float]]:
        """Reagent feed -> ``"SPECIES [kg/h]"`` and ``"SPECIES [kg/t ore]"`` (the JSON
        document's form of :attr:`reagent_kg_h`; no ore, no kg/t)."""
        out: dict[str, dict[str, float]] = {}
        for feed, flows in self.reagent_kg_h.items():
            for sid, kg in flows.items():
                out.setdefault(feed, {})[f"{sid} [kg/h]"] = kg
                if self.ore_t_h > 0:
                    out[feed][f"{sid} [kg/t ore]"] = kg / self.ore_t_h
        return out

    @cached_property
    def water(self) -> dict[str, dict[str, float]]:
        """Water balance [kg/h]: liquid water in with each feed, out with each product."""
        i = self.species.index.get("H2O(l)")
        if i is None:
            return {"in": {}, "out": {}}
        m = self.flows_kmol_h[:, i] * self.species.mw[i]
        fin = {s.src: float(m[k]) for k, s in enumerate(self.streams)
               if self.units[s.src].role == "feed"}
        fout = {p: float(m[self._s(s)]) for p, s in self.products.items()}
        return {"in": fin, "out": fout}

    @cached_property
    def power_by_area(self) -> dict[str, dict[str, float]]:
        """Area -> electrical power [kW], heat duty [kW], and kWh per tonne of ore."""
        out: dict[str, dict[str, float]] = {}
        for name, terms in self.energy.items():
            a = out.setdefault(self.units[name].area, {"power_kW": 0.0, "duty_kW": 0.0})
            a["power_kW"] += terms["power_kW"]
            a["duty_kW"] += terms["duty_kW"]
        for a in out.values():
            a["kWh_per_t_ore"] = a["power_kW"] / self.ore_t_h if self.ore_t_h > 0 else 0.0
        return out

    # -- tables -----------------------------------------------------------------------
    def stream_table(self) -> list[dict[str, Any]]:
        """One row per stream as a metallurgist reads it (see polyflow.report.tables)."""
        from polyflow.report.tables import stream_rows

        return stream_rows(self)

    def dataframe(self):
        """The stream table as a pandas DataFrame (needs pandas: ``pip install
        'polyflow[pandas]'``; without it, :meth:`stream_table` gives the same rows)."""
        try:
            import pandas as pd  # optional dependency
        except ImportError:
            raise ImportError("result.dataframe() needs pandas: pip install "
                              "'polyflow[pandas]' (or use result.stream_table(), the same "
                              "rows as dicts)") from None

        return pd.DataFrame(self.stream_table()).set_index("stream")

    @property
    def plot(self):
        """The result's figures for a notebook: ``result.plot.sankey("Cu")``,
        ``.recovery()``, ``.streams()``, ``.psd()``, ``.flowsheet()``, ``.pfd()``, each a
        matplotlib figure (:class:`polyflow.report.accessor.ResultPlots`)."""
        from polyflow.report.accessor import ResultPlots

        return ResultPlots(self)

    # -- the record as plain data ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-safe data (lists, dicts, str, numbers); the inverse of
        :meth:`from_dict`. The ``--format json`` report is a different document:
        :func:`polyflow.report.export.json_document`."""
        return {
            "schema": self.schema, "flowsheet_name": self.flowsheet_name,
            "source": self.source, "status": self.status, "message": self.message,
            "species": self.species.to_dict(),
            "streams": [[s.name, s.src, s.src_port, s.dst, s.dst_port] for s in self.streams],
            "flows_kmol_h": self.flows_kmol_h.tolist(), "T_K": self.T_K.tolist(),
            "H_kW": self.H_kW.tolist(),
            "units": {n: u.to_dict() for n, u in self.units.items()},
            "x": self.x.tolist(), "iterations": int(self.iterations),
            "max_scaled_residual": float(self.max_scaled_residual),
            "history": [float(h) for h in self.history], "timings": dict(self.timings),
            "density": dict(self.density), "system": dict(self.system),
            "failure": self.failure, "specs": self.specs, "aqueous": self.aqueous,
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """The record written by :meth:`to_dict` (also after a JSON round trip)."""
        if d.get("schema") != SCHEMA:
            raise DataError(f"result record of schema {d.get('schema')!r}; this polyflow "
                            f"reads schema {SCHEMA}", hint="solve the flowsheet again")
        species = SpeciesInfo.from_dict(d["species"])
        n_streams = len(d["streams"])
        return cls(
            flowsheet_name=d["flowsheet_name"], source=d["source"], status=d["status"],
            message=d["message"], species=species,
            streams=[StreamEnds(*s) for s in d["streams"]],
            flows_kmol_h=_array(d["flows_kmol_h"]).reshape(n_streams, len(species)),
            T_K=_array(d["T_K"]), H_kW=_array(d["H_kW"]),
            units={n: UnitInfo.from_dict(u) for n, u in d["units"].items()},
            x=_array(d["x"]), iterations=d["iterations"],
            max_scaled_residual=d["max_scaled_residual"], history=list(d["history"]),
            timings=dict(d["timings"]), density=dict(d["density"]),
            system=dict(d["system"]), failure=d["failure"], specs=dict(d.get("specs", {})),
            aqueous=dict(d.get("aqueous", {})), schema=d["schema"],
            provenance=dict(d.get("provenance", {})))

    def aqueous_of(self, stream: str) -> dict[str, float | None]:
        """pH (activity scale), ionic strength [mol/kg water] and free acid [g/L H2SO4]
        of ``stream``; None each where it has no speciation."""
        k = self.stream_index(stream)
        return {key: (self.aqueous[key][k] if key in self.aqueous else None)
                for key in ("pH", "ionic_strength_mol_kg", "free_acid_g_L")}

    def _repr_html_(self) -> str:
        """A notebook's view: status, closure and recoveries (the stream table is
        ``result.dataframe()``)."""
        from html import escape

        head = f"<p><b>{escape(self.flowsheet_name)}</b>: {escape(repr(self))}</p>"
        if not self.converged:
            return head
        rows = "".join(
            f"<tr><td>{escape(e)}</td>" + "".join(
                f"<td>{escape(p)} {100 * v:.2f} %</td>" for p, v in rec.items()) + "</tr>"
            for e, rec in self.recovery.items())
        return head + f"<table><caption>recovery by element</caption>{rows}</table>"

    def __repr__(self) -> str:
        if not self.converged:
            return f"Result({self.flowsheet_name!r}: {self.status}: {self.message})"
        worst = max(self.closure.values(), default=0.0)
        return (f"Result({self.flowsheet_name!r}: converged in {self.iterations} "
                f"iterations, worst element closure {worst:.1e})")
