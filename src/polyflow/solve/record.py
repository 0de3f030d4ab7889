"""Build the result record (:class:`~polyflow.result.Result`) from a solved system.

This is the one place that reads the live flowsheet, its assembly and its unit objects
after a solve: it copies what reports need into plain data (stream ends and values,
species arrays, each unit's metadata and declared results). A failed solve gives a
record too, with ``status = "failed"`` and the error's named cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from polyflow.errors import ConvergenceError, PolyflowError, SingularSystemError
from polyflow.result import DEFAULT_DENSITY, Result, SpeciesInfo, StreamEnds, UnitInfo
from polyflow.solve.solution import UnitSolution
from polyflow.solve.system import MJ_H_PER_KW
from polyflow.units.base import Unit, declared_results

if TYPE_CHECKING:
    from collections.abc import Collection

    from polyflow.chem.species import SpeciesSet
    from polyflow.flowsheet import Assembly, Flowsheet
    from polyflow.solve.newton import NewtonReport

__all__ = ["failed_record", "solved_record", "species_info"]

#: a heat duty below this fraction of the unit's enthalpy flows is round-off: zero
DUTY_ROUNDOFF = 1e-9


def species_info(species: SpeciesSet) -> SpeciesInfo:
    """The species arrays reports need, with every alias of the set's species."""
    aliases: dict[str, str] = {}
    for sid in species.base_ids:
        sp = species.database[sid]
        for a in sp.aliases:
            aliases[a] = sid
        if sp.charge and sp.formula.text not in aliases and sp.formula.text != sid:
            aliases[sp.formula.text] = sid
    return SpeciesInfo(
        ids=list(species.ids), base_ids=list(species.base_ids),
        base_index=np.array(species.base_index, dtype=int), mw=np.array(species.mw),
        phase=np.array(species.phase), elements=list(species.elements),
        element_matrix=np.array(species.element_matrix, dtype=float),
        size_index=np.array(species.size_index, dtype=int),
        size_classes=None if getattr(species, "size_classes", None) is None
        else np.array(species.size_classes, dtype=float),
        aliases=aliases)


def _plain(value: Any) -> Any:
    """A parameter value as plain data, or ``None`` when it is not a scalar."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    return None


def _unit_info(unit: Unit, inlets: dict[str, list[str]], outlets: dict[str, str],
               internal: tuple[int, int]) -> UnitInfo:
    params = {k: v for k, v in ((k, _plain(v)) for k, v in unit.p.items()) if v is not None
              or unit.p[k] is None}
    return UnitInfo(model=unit.model, role=unit.role, area=unit.area, params=params,
                    inlets=inlets, outlets=outlets, internal=internal,
                    outlet_kinds=dict(unit.outlet_kinds))


def _stream_enthalpy(species: SpeciesSet, N: np.ndarray, T: np.ndarray) -> np.ndarray:
    """H[s] = (Σ_i n_si h_i(T_s) + H_ex,s) [kW] on the formation basis, with ``H_ex`` the
    heat of dilution of concentrated electrolytes (:mod:`polyflow.chem.dilution`), as the
    energy rows of the solve count it."""
    if len(T) == 0:
        return np.zeros(0)
    H = np.einsum("si,si->s", N, species.h_molar(T))
    if species.apparent is not None:
        H = H + species.H_excess(N)[0]
    return H / MJ_H_PER_KW


def _reports(unit: Unit) -> bool:
    """Whether the unit's class computes power or results (else both are nothing)."""
    cls = type(unit)
    return cls.report is not Unit.report or cls.power_kW is not Unit.power_kW


def _unit_results(unit: Unit, info: UnitInfo, species: SpeciesSet, N: np.ndarray,
                  T: np.ndarray, ins: dict[str, list[int]], outs: dict[str, int],
                  x: np.ndarray) -> None:
    """Power and the unit's declared results, into ``info``."""
    sol = UnitSolution(
        species, {p: [(N[k], float(T[k])) for k in ss] for p, ss in ins.items()},
        {p: (N[k], float(T[k])) for p, k in outs.items()},
        x[info.internal[0]:info.internal[1]])
    info.power_kW = float(unit.power_kW(sol))
    info.results, info.result_units = declared_results(unit, sol)


def _duties(units: dict[str, UnitInfo], ports, H: np.ndarray) -> None:
    """Heat duty of every process unit [kW]: H_out − H_in − power (heat added),
    zero where it is round-off of the enthalpy flows."""
    names = [n for n, u in units.items() if u.role == "process"]
    rows_in, cols_in, rows_out, cols_out = [], [], [], []
    for k, n in enumerate(names):
        ins, outs = ports[n]
        for ss in ins.values():
            rows_in += [k] * len(ss)
            cols_in += ss
        rows_out += [k] * len(outs)
        cols_out += list(outs.values())
    h_in = np.bincount(rows_in, weights=H[cols_in], minlength=len(names))
    h_out = np.bincount(rows_out, weights=H[cols_out], minlength=len(names))
    power = np.array([units[n].power_kW for n in names])
    duty = h_out - h_in - power
    small = np.abs(duty) < DUTY_ROUNDOFF * np.maximum(np.maximum(np.abs(h_out),
                                                                 np.abs(h_in)), 1.0)
    duty[small] = 0.0
    for n, d in zip(names, duty.tolist(), strict=True):
        units[n].duty_kW = d


def _units(fs: Flowsheet) -> dict[str, tuple[dict[str, list[str]], dict[str, str]]]:
    """Unit -> (inlet port -> stream names, outlet port -> stream name), from the graph."""
    ins: dict[str, dict[str, list[str]]] = {n: {} for n in fs.units}
    outs: dict[str, dict[str, str]] = {n: {} for n in fs.units}
    for s in fs.streams:
        outs[s.src][s.src_port] = s.name
        ins[s.dst].setdefault(s.dst_port, []).append(s.name)
    return {n: (ins[n], outs[n]) for n in fs.units}


def solved_record(fs: Flowsheet, asm: Assembly, report: NewtonReport,
                  timings: dict[str, float], lean: bool | Collection[str] = False
                  ) -> Result:
    """The record of a converged solve; ``lean``: without the streams' speciation
    properties (``aqueous`` empty: a study's points, whose outputs do not read them);
    a collection of unit names: also only those units' power and reports."""
    reports = lean if not isinstance(lean, bool) else None
    system = asm.system
    N, T = system.stream_view(report.x)
    N, T = N.copy(), T.copy()
    species = fs.species
    H = _stream_enthalpy(species, N, T)
    streams = [StreamEnds(s.name, s.src, s.src_port, s.dst, s.dst_port) for s in asm.streams]
    names = [s.name for s in asm.streams]
    units: dict[str, UnitInfo] = {}
    for name, unit in fs.units.items():
        inlets, outlets = asm.ports[name]
        idx = asm.internal[name]
        internal = (int(idx[0]), int(idx[-1]) + 1) if len(idx) else (0, 0)
        info = _unit_info(unit, {p: [names[k] for k in ss] for p, ss in inlets.items()},
                          {p: names[k] for p, k in outlets.items()}, internal)
        if unit.role == "process" and _reports(unit) and (reports is None
                                                           or name in reports):
            _unit_results(unit, info, species, N, T, inlets, outlets, report.x)
        units[name] = info
    _duties(units, asm.ports, H)
    result = Result(
        flowsheet_name=fs.name, source=fs.source, status="converged", message="",
        species=species_info(species), streams=streams, flows_kmol_h=N, T_K=T, H_kW=H,
        units=units, x=np.array(report.x), iterations=int(report.iterations),
        max_scaled_residual=float(report.max_scaled_residual),
        history=[float(h) for h in report.history], timings=dict(timings),
        density={**DEFAULT_DENSITY, **fs.options.get("density", {})},
        system={"unknowns": int(system.n), "nnz": int(system.nnz)},
        aqueous={} if lean else aqueous_record(system, report.x),
        provenance=dict(getattr(fs, "provenance", None) or {}))
    result._live = fs
    return result


def aqueous_record(system, x: np.ndarray) -> dict[str, Any]:
    """The streams' pH, ionic strength and free acid as plain lists (None where a stream
    has no speciation), and the database; {} for a plant without speciation."""
    aq = system.aqueous
    if aq is None:
        return {}
    props = aq.properties(x)
    return {"database": aq.database,
            "unsolved": [int(k) for k in np.nonzero(aq.given_up)[0]],
            **{k: [None if not np.isfinite(v) else float(v) for v in a]
               for k, a in props.items()}}


def _failure(err: PolyflowError) -> dict[str, Any]:
    out: dict[str, Any] = {"error": type(err).__name__, "message": err.message,
                           "file": err.file, "line": err.line, "unit": err.unit,
                           "field": err.field, "hint": err.hint}
    if isinstance(err, ConvergenceError):
        out["worst"] = [{"scaled_residual": float(r), "unit": u, "stream": s, "variable": v}
                        for r, u, s, v in err.worst]
    if isinstance(err, SingularSystemError):
        out["unconstrained"] = [{"place": p, "variable": v} for p, v in err.unconstrained]
    return out


def failed_record(fs: Flowsheet, err: PolyflowError, timings: dict[str, float],
                  asm: Assembly | None = None) -> Result:
    """The record of a solve that failed with ``err``: ``status = "failed"``, the
    error's full message, and its named units, rows and variables in ``failure``.
    Streams are those of the flowsheet; their values are the last Newton iterate when
    the error carries one (``err.x``), else NaN; units carry no results."""
    S = len(fs.species)
    specs = asm.streams if asm is not None else fs.streams
    x = getattr(err, "x", None)
    if asm is not None and x is not None:
        N, T = (a.copy() for a in asm.system.stream_view(x))
        H = _stream_enthalpy(fs.species, N, T)
    else:
        N, T, H = np.full((len(specs), S), np.nan), np.full(len(specs), np.nan), \
            np.full(len(specs), np.nan)
        x = np.zeros(0)
    ports = _units(fs)
    units = {name: _unit_info(unit, *ports[name], (0, 0)) for name, unit in fs.units.items()}
    result = Result(
        flowsheet_name=fs.name, source=fs.source, status="failed", message=str(err),
        species=species_info(fs.species),
        streams=[StreamEnds(s.name, s.src, s.src_port, s.dst, s.dst_port) for s in specs],
        flows_kmol_h=N, T_K=T, H_kW=H, units=units, x=np.array(x, dtype=float),
        iterations=int(getattr(err, "iterations", 0)), timings=dict(timings),
        density={**DEFAULT_DENSITY, **fs.options.get("density", {})},
        system={"unknowns": int(asm.system.n), "nnz": int(asm.system.nnz)}
        if asm is not None else {},
        failure=_failure(err), provenance=dict(getattr(fs, "provenance", None) or {}))
    result._live = fs
    return result
