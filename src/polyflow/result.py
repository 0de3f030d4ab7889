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
nothing is solved again: those of one stream in :mod:`polyflow.result_views.stream`,
the plant's balances and tables in :mod:`polyflow.result_views.plant`. Tables come as
plain Python structures, and as a pandas DataFrame through :meth:`Result.dataframe`
where pandas is installed.

In the process that solved it, a record also keeps a link to its flowsheet
(``result.flowsheet``, ``result.unit_solution(name)``) for notebook use; that link is
neither pickled nor written by :meth:`to_dict`, and no report uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from polyflow.errors import DataError, FlowsheetError, did_you_mean
from polyflow.records import SpeciesInfo, StreamEnds, UnitInfo, result_key
from polyflow.result_views.plant import CLOSURE_FLOOR as CLOSURE_FLOOR
from polyflow.result_views.plant import CLOSURE_TOL as CLOSURE_TOL
from polyflow.result_views.plant import PlantBalances
from polyflow.result_views.stream import PHASES as PHASES
from polyflow.result_views.stream import StreamFigures

__all__ = ["SCHEMA", "Result", "SpeciesInfo", "StreamEnds", "UnitInfo", "result_key"]

#: version of the record's layout (bump it when a field changes meaning)
SCHEMA = 1
#: densities used to turn phase masses into volumes [kg/m3] unless the flowsheet sets them
DEFAULT_DENSITY = {"aq": 1000.0, "org": 800.0}


def _array(value: Any, dtype=float) -> np.ndarray:
    return np.asarray(value, dtype=dtype)


@dataclass(eq=False)
class Result(StreamFigures, PlantBalances):
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
