"""Assemble a flowsheet into one equation system, and check it without solving.

Free functions of the flowsheet, as networkx's algorithms are functions of the graph:
``assemble(fs)`` collects every unit's equations into one
:class:`~polyflow.solve.system.EquationSystem` and maps its unknowns to streams and
units; ``check(fs)`` also checks the structure (degrees of freedom, structural rank)
without solving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from polyflow.errors import InputError, PolyflowError, SpecificationError
from polyflow.solve.aqueous_rows import aqueous_rows
from polyflow.solve.batch import BatchEquations
from polyflow.solve.structure import check_structure
from polyflow.solve.system import EquationSystem, SystemBuilder, UnitEquations

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet, StreamSpec
    from polyflow.units.base import Unit

__all__ = ["Assembly", "assemble", "check"]


@dataclass
class Assembly:
    """What :func:`assemble` produces: the system and how it maps to streams."""

    system: EquationSystem
    streams: list[StreamSpec]
    stream_index: dict[str, int]
    unit_rows: dict[str, tuple[int, int]]   # unit -> (rows added, unknowns owned)
    ports: dict[str, tuple[dict[str, list[int]], dict[str, int]]]
    internal: dict[str, np.ndarray]


def assemble(fs: Flowsheet) -> Assembly:
    """Check the graph and collect every unit's equations into one system."""
    fs._check_ports()
    streams = fs.streams
    index = {s.name: k for k, s in enumerate(streams)}
    builder = SystemBuilder(fs.species, [s.name for s in streams])
    ordering = fs.options.get("start_ordering", "matched")
    if ordering not in ("matched", "plain"):
        raise InputError(f"option start_ordering = {ordering!r} is not known",
                         field="start_ordering",
                         hint='use "matched" (the default: the start-up LU on columns '
                              'matched to a nonzero diagonal) or "plain" (COLAMD alone)')
    builder.match_start = ordering == "matched"
    try:
        builder.aqueous = aqueous_rows(fs, builder, [s.name for s in streams])
    except PolyflowError as err:
        raise fs._err(err) from None
    unit_rows: dict[str, tuple[int, int]] = {}
    ports: dict[str, tuple[dict[str, list[int]], dict[str, int]]] = {}
    internal: dict[str, np.ndarray] = {}
    none = np.zeros(0, dtype=int)
    stride = builder.stride
    #: units written in bulk, by class: (unit index, first row, unit, inlets, outlets)
    batches: dict[type, list[tuple[int, int, Unit, dict, dict]]] = {}
    for u, (name, unit) in enumerate(fs.units.items()):
        builder.unit_names.append(name)
        inlets = {p.rstrip("*"): [index[s] for s in fs._into[name, p.rstrip("*")]]
                  for p in unit.inlet_ports()}
        outlets = {p: index[fs._from[name, p]] for p in unit.outlet_ports()}
        ports[name] = (inlets, outlets)
        if unit.batchable():
            # its rows are reserved here, in plant order, and written with its kind's
            owned = len(outlets) * stride
            start = builder.reserve_rows(owned)
            batches.setdefault(type(unit), []).append((u, start, unit, inlets, outlets))
            internal[name] = none
            unit_rows[name] = (owned, owned)
            continue
        eq = UnitEquations(builder, u, name, inlets, outlets)
        start = builder.n_vars + len(builder.var_names)
        try:
            unit.equations(eq)
        except PolyflowError as err:
            raise fs._err(err.located(unit=name)) from None
        internal[name] = np.arange(start, start + eq.internal_added)
        owned = len(outlets) * builder.stride + eq.internal_added
        _check_count(fs, name, eq.rows_added, owned, len(outlets), builder.stride,
                     eq.internal_added)
        unit_rows[name] = (eq.rows_added, owned)
    for cls, group in batches.items():
        beq = BatchEquations(builder, [g[0] for g in group], [g[1] for g in group],
                             [g[3] for g in group], [g[4] for g in group])
        try:
            cls.equations_batch([g[2] for g in group], beq)
        except PolyflowError as err:
            raise fs._err(err) from None
        for (_, _, unit, _, outlets), written in zip(group, beq.written.tolist(),
                                                     strict=True):
            _check_count(fs, unit.name, written, len(outlets) * stride, len(outlets),
                         stride, 0)
    return Assembly(builder.freeze(), streams, index, unit_rows, ports, internal)


def _check_count(fs: Flowsheet, name: str, rows: int, owned: int, n_out: int,
                 stride: int, n_internal: int) -> None:
    if rows != owned:
        kind = "over" if rows > owned else "under"
        raise fs._err(SpecificationError(
            f"{kind}-specified: it gives {rows} equations for {owned} "
            f"unknowns ({n_out} outlet streams × {stride} + "
            f"{n_internal} internal)", unit=name,
            hint="give exactly one specification per unknown (for example either "
                 "'temperature' or 'duty', not both)"))


def check(fs: Flowsheet) -> Assembly:
    """Parse-level and degrees-of-freedom checks, no solve; returns the assembly."""
    assembly = assemble(fs)
    if fs.specs:
        from polyflow.solve.specs import attach_specs

        assembly = attach_specs(fs, assembly)[0]
    check_structure(assembly.system)
    return assembly
