"""Exact sensitivities of result numbers to a plant's inputs, from the converged Jacobian.

At the solution ``F(x*(p); p) = 0``, so by the implicit function theorem
``∂F/∂x · dx/dp = −∂F/∂p`` (Griewank & Walther, *Evaluating Derivatives*, 2nd ed., SIAM
(2008), §15.1; for flowsheets, Biegler, Grossmann & Westerberg, *Systematic Methods of
Chemical Process Design* (1997), §13.5). An output ``y(x, p)`` then has

    dy/dp = ∂y/∂p − λᵀ ∂F/∂p,   with   (∂F/∂x)ᵀ λ = ∂y/∂x            (adjoint)

one solve with the transposed, once-factored Jacobian per output, whatever the number of
inputs. ``∂F/∂p`` is the change of the owning unit's rows when that unit is rebuilt at
``p ± h`` (:class:`polyflow.solve.freed_unit.FreedUnit`, as a spec frees an input; exact for
the many rows affine in ``p``, central differences of relative step 1e-6 otherwise);
``∂y/∂x`` is exact for the ratios of linear forms that stream and recovery outputs are,
and central differences over the unit's columns for a unit's report
(:mod:`polyflow.solve.measures`). Derivatives are given per unit of the input as the file
writes it, and as the elasticity ``(dy/dp)·p/y`` (with ``p`` in absolute units).

With design specifications the spec rows and freed inputs are part of ``F``: the
derivatives are those of the plant that keeps meeting its targets (the freed inputs
move). Inputs of a unit whose input a spec frees are not offered yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse.linalg as spla

from polyflow.errors import InputError, PolyflowError
from polyflow.solve.freed import freed_parameter
from polyflow.solve.freed_unit import FD_STEP, FreedUnit

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet

__all__ = ["Sensitivity", "default_parameters", "sensitivities"]


@dataclass
class Sensitivity:
    """``dy/dp`` of one output to one input, per unit of the input as written."""

    param: str
    value: float            # the input's value, in ``param_unit``
    param_unit: str
    derivative: float
    unit: str               # of the derivative: output unit per input unit
    elasticity: float | None


def default_parameters(fs: Flowsheet) -> list[str]:
    """Every number of every feed table and process unit that a spec could free (a
    quantity or a number, at the top of the table or inside its sub-tables), except
    those of units whose input a spec frees."""
    out: list[str] = []
    spec_units = {s.vary.partition(".")[0] for s in fs.specs.values()}
    for name, unit in fs.units.items():
        if unit.role == "product" or name in spec_units:
            continue
        table = fs.tables.get(name, getattr(unit, "raw", {}))
        for path in _numeric_paths(table):
            text = f"{name}.{'.'.join(path)}"
            try:
                freed_parameter(fs, text)
            except PolyflowError:
                continue
            out.append(text)
    return out


def _numeric_paths(table: Mapping, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    from polyflow.quantity import _QUANTITY

    out = []
    for key, v in table.items():
        if key in ("model", "kind", "category", "area"):
            continue
        if isinstance(v, Mapping):
            out += _numeric_paths(v, (*prefix, key))
        elif (isinstance(v, int | float) and not isinstance(v, bool)) or \
                (isinstance(v, str) and _QUANTITY.match(v)):
            out.append((*prefix, key))
    return out


def sensitivities(fs: Flowsheet, outputs: list[str], params: list[str] | None = None,
                  result=None) -> list[dict[str, Any]]:
    """For each output: ``{"output", "value", "unit", "sensitivities": {param:
    {"derivative", "unit", "elasticity", "value", "param_unit"}}}``. ``params`` default
    to :func:`default_parameters`; ``result`` is the converged record of ``fs`` (solved
    here if not given)."""
    from polyflow.solve.assemble import assemble
    from polyflow.solve.measures import measure
    from polyflow.solve.specs import _ref_flow, unit_builder

    if result is None:
        from polyflow.solve.driver import solve

        result = solve(fs)
    asm = assemble(fs)
    system = asm.system
    x = np.asarray(result.x, dtype=float)
    ref_flow = _ref_flow(fs, system)
    full = system
    freed_units: set[str] = set()
    if fs.specs:        # the specs' rows and freed inputs are part of F: targets held
        from polyflow.solve.specs import attach_specs

        spec_asm, layout = attach_specs(fs, assemble(fs))
        full = spec_asm.system
        freed_units = set(layout.units)
    if len(x) != full.n:
        raise InputError("the result does not belong to this flowsheet (its unknowns "
                         "differ)", hint="pass the record of this flowsheet's solve")
    full.species_ref = np.ones(full.S)
    lu = spla.splu(full.jacobian(x, ref_flow).tocsc())
    params = default_parameters(fs) if params is None else list(params)
    freed = {p: freed_parameter(fs, p) for p in params}
    held = [p for p, f in freed.items() if f.unit in freed_units]
    if held:
        raise InputError(f"{held[0]} belongs to a unit whose input a spec frees; its "
                         "sensitivity is not computed yet", field="param",
                         hint="leave it out (--param), or drop that spec")
    dFdp: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    units: dict[str, Any] = {}
    for p, f in freed.items():
        fu = FreedUnit(fs, asm, f.unit, [f], np.array([full.n]), ref_flow,
                       unit_builder(fs, f.unit, [f]))
        h = FD_STEP * max(abs(f.p0), 1.0)
        up, dn = min(f.p0 + h, f.upper), max(f.p0 - h, f.lower)
        xloc = x[fu.x_cols]
        r_up = fu.residual(np.append(xloc, up))[0]
        r_dn = fu.residual(np.append(xloc, dn))[0]
        dFdp[p] = (fu.rows, (r_up - r_dn) / (up - dn))
        units[p] = (fu, up, dn)
    out = []
    for path in outputs:
        m = measure(path, system, fs, asm)
        if m.reads_unit is not None and m.reads_unit in freed_units:
            raise InputError(f"output {path!r} reads unit {m.reads_unit!r}, whose input a "
                             "spec frees: its sensitivity is not computed yet",
                             field="output", hint="choose a stream or recovery output")
        y = float(m.value(x[m.cols]))
        g = np.zeros(full.n)
        g[m.cols] = _gradient(m, x[m.cols])
        lam = lu.solve(g, trans="T")
        sens = {}
        for p, f in freed.items():
            rows, dr = dFdp[p]
            d = -float(lam[rows] @ dr)
            if m.reads_unit is not None and m.reads_unit == f.unit:     # ∂y/∂p at fixed x
                fu, up, dn = units[p]
                xl = x[m.cols]
                d += (m.report(xl, fu.unit_at([up])) - m.report(xl, fu.unit_at([dn]))) \
                    / (up - dn)
            d_file = d * f.factor / m.factor            # per unit of input as written
            p_file = (f.p0 - f.offset) / f.factor
            elasticity = d * f.p0 / y if y != 0.0 and f.p0 != 0.0 else None
            out_unit = m.unit or "1"
            sens[p] = {"derivative": d_file,
                       "unit": f"{out_unit} per {f.symbol}" if f.symbol else out_unit,
                       "elasticity": elasticity, "value": p_file,
                       "param_unit": f.symbol}
        out.append({"output": path, "value": y, "unit": m.unit, "sensitivities": sens})
    return out


def _gradient(m, xloc: np.ndarray) -> np.ndarray:
    """``∂y/∂x`` on the measure's columns: exact for a ratio of linear forms."""
    if m.func is None:
        if m.den is None:
            return m.num.copy()
        b = float(m.den @ xloc)
        y = float(m.num @ xloc) / b
        return (m.num - y * m.den) / b
    grad = np.zeros(len(xloc))
    for j in range(len(xloc)):
        h = 1e-7 * max(abs(xloc[j]), 1e-3)
        a, b = xloc.copy(), xloc.copy()
        a[j] += h
        b[j] -= h
        grad[j] = (m.func(a) - m.func(b)) / (2 * h)
    return grad
