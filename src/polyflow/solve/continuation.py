"""Continuation from a converged neighbour: solve a variant of a plant (a run with
``--set`` overrides) by stepping its changed numbers from the base plant's values,
each step one global Newton solve warm-started from the last, never a tear loop.

Natural-parameter continuation (Allgower & Georg, *Introduction to Numerical
Continuation Methods*, SIAM Classics 45 (2003), ch. 1 and §10.2 (step-length
adaptation)): the plant ``F(x; p(λ)) = 0`` with ``p(λ) = (1 − λ) p_base + λ p_target``
is followed from ``λ = 0`` (the base solution) to ``λ = 1``; a step whose Newton fails
is halved, a step that converges in few iterations is doubled. Every intermediate
plant is a real plant (the numbers between base and target), so when the branch ends
before ``λ = 1`` the plant has no solution on it: the flow that the last two
converged points extrapolate to zero first names the unit that runs short, with the
parameter value where it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from polyflow.errors import (
    ConvergenceError,
    PolyflowError,
    SingularSystemError,
    SpecificationError,
)

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["changed_numbers", "solve_variant"]

#: smallest continuation step before the branch is declared ended
MIN_STEP = 1.0 / 512
FIRST_STEP = 0.25
#: a warm step that converges within this many iterations doubles the next step
EASY = 4
#: Newton iterations allowed to one continuation step (a step that needs more is halved)
STEP_ITER = 15


def _blend(a: Any, b: Any, lam: float) -> Any:
    """``(1 − λ) a + λ b`` on every float inside ``a``/``b`` (dicts, tuples, lists);
    raises ValueError where they differ in anything but floats."""
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or a is None:
        if a != b:
            raise ValueError
        return a
    if isinstance(a, float | int) and isinstance(b, float | int):
        if isinstance(a, int) and isinstance(b, int):
            if a != b:
                raise ValueError
            return a
        return (1.0 - lam) * float(a) + lam * float(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if set(a) != set(b):
            raise ValueError
        return {k: _blend(a[k], b[k], lam) for k in a}
    if isinstance(a, tuple | list) and isinstance(b, tuple | list) and len(a) == len(b):
        return type(a)(_blend(x, y, lam) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape:
        return (1.0 - lam) * a + lam * b
    if a != b:
        raise ValueError
    return a


def changed_numbers(fs: Flowsheet, base: Flowsheet) -> list[tuple[str, str]]:
    """The ("unit", "param") pairs whose values differ between ``fs`` and ``base``;
    raises ValueError when the two are not the same plant with other numbers."""
    if set(fs.units) != set(base.units) or \
            [(s.name, s.src, s.dst) for s in fs.streams] != \
            [(s.name, s.src, s.dst) for s in base.streams]:
        raise ValueError("not the same plant")
    out = []
    for name, unit in fs.units.items():
        other = base.units[name]
        if type(unit) is not type(other) or set(unit.p) != set(other.p):
            raise ValueError("not the same plant")
        for key, value in unit.p.items():
            _blend(other.p[key], value, 0.5)          # raises where not numbers alike
            if _differs(value, other.p[key]):
                out.append((name, key))
    return out


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(np.any(np.asarray(a, dtype=object) != np.asarray(b, dtype=object)))
    except (ValueError, TypeError):
        return a != b


def _set(fs: Flowsheet, base: Flowsheet, target: dict, changed, lam: float) -> None:
    for name, key in changed:
        unit = fs.units[name]
        unit.p[key] = _blend(base.units[name].p[key], target[(name, key)], lam)
        unit.validate()
        unit.bind(fs.species)


def solve_variant(fs: Flowsheet, base: Flowsheet | Result, *, tol: float = 1e-10,
                  max_iter: int = 50, progress=None) -> Result:
    """Solve ``fs``, a plant that differs from ``base`` (a Flowsheet, or its converged
    Result) only in numbers (``--set`` overrides) and in its specs (``--spec``): from
    the cold start first, and when that fails, by continuation from the base solution
    (module docstring); with specs, every step solves them, each input starting at its
    file value (:func:`polyflow.solve.spec_outcome.hold_then_release` when a step does
    not take them at once). A result reached by continuation says so in ``message``
    ("converged by continuation from the file's own values in N steps") and counts the
    Newton iterations of every step. Raises the cold start's error when the plants
    differ in more than numbers or the base does not solve; a
    :class:`SpecificationError` naming the unit, stream and species that run short
    when the branch ends before the target."""
    from polyflow.result import Result
    from polyflow.solve.assemble import assemble
    from polyflow.solve.driver import solve_flowsheet

    try:
        return solve_flowsheet(fs, tol=tol, max_iter=max_iter, progress=progress)
    except (ConvergenceError, SpecificationError, SingularSystemError) as err:
        if getattr(err, "beyond_bounds", False):
            raise           # a spec's target needs its input outside its bounds
        cold = err
    base_fs = base.flowsheet if isinstance(base, Result) else base
    try:
        changed = changed_numbers(fs, base_fs)
    except ValueError:
        raise cold from None
    if not changed and not fs.specs:
        raise cold
    target = {(n, k): fs.units[n].p[k] for n, k in changed}
    try:
        x = base.x if isinstance(base, Result) and base.converged else \
            solve_flowsheet(base_fs, tol=tol).x
    except PolyflowError:
        raise cold from None
    n_plain = assemble(fs).system.n
    x = x[:n_plain]                         # the plain plant's unknowns (specs dropped)
    lam, step = 0.0, FIRST_STEP if changed else 1.0
    path: list[tuple[float, np.ndarray]] = [(0.0, x)]
    result, steps, iterations = None, 0, 0
    try:
        while lam < 1.0:
            trial = min(1.0, lam + step)
            _set(fs, base_fs, target, changed, trial)
            try:
                result = solve_flowsheet(fs, tol=tol, max_iter=STEP_ITER, x0=x,
                                         progress=progress)
            except PolyflowError:
                step /= 2
                if step < MIN_STEP or not changed:
                    break
                continue
            # the next step starts here; a spec held at a bound has no column in this
            # result, so then only the plain unknowns are carried
            lam = trial
            x = result.x if result.x.size == n_plain + len(fs.specs) else \
                result.x[:n_plain]
            path.append((lam, result.x[:n_plain]))
            steps += 1
            iterations += result.iterations
            if result.iterations <= EASY:
                step = min(2 * step, 1.0)
    finally:
        _set(fs, base_fs, target, changed, 1.0)
    if lam >= 1.0 and result is not None:
        result.iterations = iterations
        result.message = (f"converged by continuation from the file's own values in "
                          f"{steps} step{'s' if steps != 1 else ''}")
        return result
    if not changed:
        raise cold
    end = _branch_end(fs, base_fs, target, changed, path, cold)
    if isinstance(end, ConvergenceError) and isinstance(cold, SpecificationError):
        raise cold          # the cold start named an infeasibility; the branch adds none
    raise end


def _branch_end(fs, base_fs, target, changed, path, cold) -> PolyflowError:
    """The error when continuation stops at ``λ < 1``: the flow that the last two
    converged points extrapolate to zero first (the unit whose reagent or feed runs
    out), with the parameter values there."""
    lam, x = path[-1]
    asm = fs.assemble()
    system = asm.system
    what = ", ".join(f"{n}.{k}" for n, k in changed)
    at = _describe(base_fs, target, changed, lam)
    if len(path) < 2:
        return cold
    lam0, x0 = path[-2]
    N1, _ = system.stream_view(x)
    N0, _ = system.stream_view(x0)
    slope = (N1 - N0) / (lam - lam0)
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where((slope < 0) & (N1 > 0), lam - N1 / slope, np.inf)
    s, i = np.unravel_index(np.argmin(reach), reach.shape)
    # the branch ends where a flow runs out only if that flow's extrapolated zero lies
    # within a few of the last steps; otherwise Newton lost the branch (not converged)
    if not np.isfinite(reach[s, i]) or reach[s, i] - lam > max(4 * (lam - lam0), 0.01):
        return ConvergenceError(
            f"continuation from the base plant could not follow {what} past {at}; no "
            f"flow there is about to run out, so this is a failure to converge, not an "
            f"infeasible plant", iterations=STEP_ITER,
            hint="solve a plant nearer the one asked for and continue from it")
    # streams that run out together (a circuit): name the one leaving the unit that
    # consumes the species, not a splitter that only divides what is left
    ties = np.nonzero(reach[:, i] <= reach[s, i] + 1e-6 * max(1.0, abs(reach[s, i])))[0]
    s = max(ties, key=lambda t: _consumed(asm.streams, N1[:, i], asm.streams[t].src))
    spec = asm.streams[s]
    sid = fs.species.ids[i]
    kg = N1[s, i] * fs.species.mw[i]
    err = SpecificationError(
        f"the plant has no solution between its base and the values asked for: "
        f"stepping {what} from the base, the solution ends at {at}, where the flow of "
        f"{sid} in stream {spec.name!r} ({kg:.4g} kg/h and falling) is about to run out: "
        f"the unit consumes more {sid} than reaches it",
        unit=spec.src,
        hint=f"add {sid} upstream of '{spec.src}' or change {what} less")
    return fs._err(err)


def _consumed(streams, n: np.ndarray, unit: str) -> float:
    """Flow of one species into ``unit`` minus out of it [kmol/h]."""
    into = sum(n[k] for k, st in enumerate(streams) if st.dst == unit)
    out = sum(n[k] for k, st in enumerate(streams) if st.src == unit)
    return float(into - out)


def _text(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {_text(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_text(x) for x in v) + ")"
    return str(v)


def _describe(base_fs, target, changed, lam) -> str:
    parts = []
    for n, k in changed:
        v = _blend(base_fs.units[n].p[k], target[(n, k)], lam)
        parts.append(f"{n}.{k} = {_text(v)}")
    return ", ".join(parts) + f" ({100 * lam:.1f} % of the way)"
