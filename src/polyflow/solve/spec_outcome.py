"""What design specifications give after the solve: the ``specs`` section of the result,
inputs held at their bounds, and the continuation when a spec fails from the cold start.

The solve itself is one Newton system (:mod:`polyflow.solve.specs`); everything here
runs only where a spec's input leaves its bounds or Newton fails from the all-zero
start.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from polyflow.errors import ConvergenceError, PolyflowError
from polyflow.solve.specs import SolvedSpec, SpecLayout, unit_builder

__all__ = ["after_failure", "at_bound_message", "finish_specs", "hold_then_release",
           "infeasible_beyond_bounds", "spec_lines", "spec_report"]

#: an input within this relative distance of a bound is on it
BOUND_TOL = 1e-9
#: continuation (hold_then_release): Newton iterations per step, and step halvings
CONTINUATION_ITER = 15
CONTINUATION_CUTS = 3


def hold_then_release(layout: SpecLayout, solve, x0: np.ndarray):
    """Continuation for a spec that fails from the cold start (its input's effect can
    vanish at an early iterate, such as an isotherm stage still without metal, or the
    target lies far from the start): solve with every input held at its start value (the
    plain plant), then move the targets from what that solution gives to the values
    asked, in one step if Newton takes it, else in smaller steps (halved on failure, at
    most CONTINUATION_CUTS times). ``solve(x, warm, max_iter)`` runs Newton. Returns the
    Newton report (iterations of every stage) or None."""
    layout.hold = True
    try:
        held = solve(x0, False, None)
    except PolyflowError:
        return None
    finally:
        layout.hold = False
    start = [_achieved(s, layout, held.x) for s in layout.specs]
    x, t, step = held.x, 0.0, 1.0
    iterations, history, report = held.iterations, list(held.history), held
    try:
        while t < 1.0:
            t_new = min(1.0, t + step)
            for s, m0 in zip(layout.specs, start, strict=True):
                s.goal = m0 + t_new * (s.target - m0)
            try:
                report = solve(x, True, CONTINUATION_ITER)
            except PolyflowError:
                step /= 2.0
                if step < 0.5 ** CONTINUATION_CUTS:
                    return None
                continue
            x, t = report.x, t_new
            iterations += report.iterations
            history += report.history
            step = min(2.0 * step, 1.0)
    finally:
        for s in layout.specs:
            s.goal = s.target
    return replace(report, iterations=iterations, history=history)


def finish_specs(fs, layout: SpecLayout, report, build, resolve):
    """The record of a solve with specs: ``build(flowsheet)`` makes it from the
    flowsheet whose units stand at the solved inputs (their reports and power read
    them), with ``specs`` attached; a spec whose input left its bounds is solved again
    with the input at the bound (``resolve(flowsheet)`` solves a flowsheet)."""
    x = report.x
    out = [s for s in layout.specs if not _within(s, x[s.p_col])]
    if out:
        at = {s.spec.name: (s.lower if x[s.p_col] < s.lower else s.upper) for s in out}
        needs = {s.spec.name: float(x[s.p_col]) for s in out}
        held = _solve_at_bounds(fs, layout, at, resolve, needs)
        held.iterations += report.iterations        # both solves count
        return held
    solved = _fixed(fs, layout, {s.spec.name: float(x[s.p_col]) for s in layout.specs})
    solved.specs = fs.specs
    for name, fu in layout.units.items():
        solved.graph.nodes[name]["unit"] = fu.unit_at([float(x[c]) for c in fu.p_cols])
    result = build(solved)
    result.specs = spec_report(layout, x, {})
    return result


def infeasible_beyond_bounds(fs, layout: SpecLayout, x: np.ndarray, resolve):
    """Newton converged to a solution with a negative flow while a spec's input lies
    outside its bounds: the negative flow is what the out-of-bounds input implies (a
    raffinate bleed fraction below 0 % is water flowing back into the plant, and every
    flow downstream of it turns negative), so the real cause is the spec's bound. Solve
    with those inputs at their nearer bounds (status ``at_bound``); when that plant has
    no solution either, the error names each spec, the input it needs and what fails at
    the bound. ``None`` when every input is within its bounds (the negative flow is then
    the plant's own)."""
    out = [s for s in layout.specs if not _within(s, x[s.p_col])]
    if not out:
        return None
    at = {s.spec.name: (s.lower if x[s.p_col] < s.lower else s.upper) for s in out}
    needs = {s.spec.name: float(x[s.p_col]) for s in out}
    return _solve_at_bounds(fs, layout, at, resolve, needs)


def after_failure(fs, layout: SpecLayout, err: PolyflowError, resolve):
    """A solve with specs did not converge: when a bounded spec's target lies outside
    what its input reaches between its bounds, solve with the input at the nearer bound
    (status ``at_bound``); else re-raise ``err`` naming the specs."""
    at: dict[str, float] = {}
    nowhere: list[str] = []        # specs at both of whose bounds the plant fails too
    for s in layout.specs:
        if not (np.isfinite(s.lower) and np.isfinite(s.upper)):
            continue
        ends, failed = {}, {}
        for p in (s.lower, s.upper):
            try:
                r = resolve(_fixed(fs, layout, {s.spec.name: p}))
            except PolyflowError as bad:
                failed[p] = bad
                continue
            ends[p] = _measure_on(s, r.x, r)
        if len(failed) == 2:
            first = failed[s.lower]
            where = f" (unit '{first.unit}')" if first.unit else ""
            nowhere.append(f"held at either bound of spec {s.spec.name!r} "
                           f"({s.freed.format(s.lower)}, {s.freed.format(s.upper)}) the "
                           f"plant does not solve either; at {s.freed.format(s.lower)}"
                           f"{where}: {first.message}")
        if len(ends) == 2:
            lo_v, hi_v = ends[s.lower], ends[s.upper]
            if not min(lo_v, hi_v) <= s.target <= max(lo_v, hi_v):
                at[s.spec.name] = s.lower if abs(lo_v - s.target) < abs(hi_v - s.target) \
                    else s.upper
    if not at:
        names = ", ".join(repr(s.spec.name) for s in layout.specs)
        if nowhere:
            err.message += f" (with spec(s) {names}; " + "; ".join(nowhere) + ")"
        elif isinstance(err, ConvergenceError):
            err.message += f" (with spec(s) {names}: does the plain run converge? bounds " \
                           "on a spec let polyflow tell an unreachable target)"
        else:
            err.message += f" (with spec(s) {names}: a target that does not move with its " \
                           "input where it is solved makes the system singular)"
        err.args = (err._render(),)
        raise err
    return _solve_at_bounds(fs, layout, at, resolve)


def _measure_on(s: SolvedSpec, x: np.ndarray, result) -> float:
    m = s.measure
    if m.func is not None and m.report is not None:
        return float(m.report(x[m.cols], result.flowsheet.units[m.reads_unit]))
    return m.value(x[m.cols])


def _within(s: SolvedSpec, p: float) -> bool:
    tol = BOUND_TOL * max(abs(s.lower) if np.isfinite(s.lower) else 0.0,
                          abs(s.upper) if np.isfinite(s.upper) else 0.0, 1.0)
    return s.lower - tol <= p <= s.upper + tol


def _fixed(fs, layout: SpecLayout, at: Mapping[str, float]):
    """A copy of ``fs`` with the inputs of the specs in ``at`` fixed at those values
    (those specs dropped, the others kept)."""
    new = copy.copy(fs)
    new.graph = fs.graph.copy()
    new.tables = dict(fs.tables)
    new.specs = {k: v for k, v in fs.specs.items() if k not in at}
    for s in layout.specs:
        if s.spec.name not in at:
            continue
        name = s.freed.unit
        unit = unit_builder(new, name, [s.freed])([at[s.spec.name]])
        new.graph.nodes[name]["unit"] = unit
        if name in new.tables:
            new.tables[name] = s.freed.table_at(new.tables[name], at[s.spec.name])
    return new


def _solve_at_bounds(fs, layout: SpecLayout, at: Mapping[str, float], resolve,
                     needs: Mapping[str, float] | None = None):
    """The plant with the inputs of the specs in ``at`` held at those bounds. When that
    plant has no solution either, its error says so, naming each spec, the bound and
    (``needs``) the input value that meets the target outside the bounds."""
    fixed = _fixed(fs, layout, at)
    try:
        result = resolve(fixed)
    except PolyflowError as err:
        raise _beyond_bounds(layout, at, needs or {}, err) from None
    prior = getattr(result, "specs", None) or {}
    values = {s.spec.name: (at[s.spec.name], _measure_on(s, result.x, result))
              for s in layout.specs if s.spec.name in at}
    report = {**spec_report(layout, None, values), **prior}
    result.specs = {s.spec.name: report[s.spec.name] for s in layout.specs}
    return result


def _beyond_bounds(layout: SpecLayout, at: Mapping[str, float],
                   needs: Mapping[str, float], err: PolyflowError) -> PolyflowError:
    """``err`` (the plant with inputs held at their bounds has no solution) prefixed with
    the specs that drove them there: the real cause is the spec's bound, the flow named
    after it is what fails at that bound."""
    parts = []
    for s in layout.specs:
        if s.spec.name not in at:
            continue
        span = f"{s.freed.format(s.lower)} .. {s.freed.format(s.upper)}"
        need = (f" needs {s.spec.vary} = {s.freed.format(needs[s.spec.name])}, outside "
                f"its bounds {span};" if s.spec.name in needs else
                f" cannot meet its target within its bounds {span};")
        parts.append(f"spec {s.spec.name!r}{need} held at its bound "
                     f"{s.freed.format(at[s.spec.name])} the plant has no solution")
    err.message = "; ".join(parts) + ": " + err.message
    err.hint = ("widen the spec's bounds (if the plant can run there) or change the target"
                + (f"; {err.hint}" if err.hint else ""))
    err.args = (err._render(),)
    err.beyond_bounds = True        # no continuation can help (solve_variant)
    return err


def spec_report(layout: SpecLayout, x: np.ndarray | None,
                at_bound: Mapping[str, tuple[float, float]]) -> dict[str, dict]:
    """The JSON ``specs`` section: per spec its input (``value``: text that ``--set``
    accepts), target, the value asked and the value achieved, and ``at_bound``."""
    out = {}
    for s in layout.specs:
        if s.spec.name in at_bound:
            p, achieved = at_bound[s.spec.name]
        elif x is not None:
            p = float(x[s.p_col])
            achieved = _achieved(s, layout, x)
        else:
            continue
        out[s.spec.name] = {
            "vary": s.spec.vary, "target": s.spec.target,
            "value": s.freed.format(p), "target_value": s.target,
            "achieved": achieved, "at_bound": s.spec.name in at_bound,
            "unit": s.measure.unit,
        }
    return out


def _achieved(s: SolvedSpec, layout: SpecLayout, x: np.ndarray) -> float:
    m = s.measure
    if m.func is not None and m.report is not None and m.reads_unit in layout.units:
        fu = layout.units[m.reads_unit]
        return float(m.report(x[m.cols], fu.unit_at([float(x[c]) for c in fu.p_cols])))
    return m.value(x[m.cols])


def spec_lines(specs: Mapping[str, Mapping]) -> list[str]:
    """Terminal summary lines of the ``specs`` section (none without specs)."""
    lines = []
    for name, d in specs.items():
        unit = f" {d['unit']}" if d.get("unit") else ""
        state = "AT BOUND, target not met: " if d["at_bound"] else ""
        lines.append(f"Spec {name}: {state}{d['vary']} = {d['value']} gives {d['target']} = "
                     f"{d['achieved']:.6g}{unit} (target {d['target_value']:.6g}{unit})")
    return lines


def at_bound_message(specs: Mapping[str, Mapping]) -> str | None:
    """The error line for specs held at a bound (``None`` when every target is met)."""
    bad = [(n, d) for n, d in specs.items() if d["at_bound"]]
    if not bad:
        return None
    return "; ".join(f"spec {n!r} drives {d['vary']} to its bound {d['value']}: "
                     f"{d['target']} reaches {d['achieved']:.6g} there, not "
                     f"{d['target_value']:.6g}" for n, d in bad)
