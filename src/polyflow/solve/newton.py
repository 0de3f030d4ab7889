"""Damped Newton on the whole plant: one sparse LU per iteration, no tear streams.

Convergence (DESIGN "Convergence"): every residual divided by the sum of the absolute
values of its terms is below ``tol`` (1e-10). The element closure is checked by the
caller on the converged streams.

Failures never return NaN: a singular Jacobian raises :class:`SingularSystemError`
naming the unknowns that no equation fixes, and non-convergence raises
:class:`ConvergenceError` naming the units and streams with the largest residuals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from polyflow.errors import ConvergenceError, SingularSystemError
from polyflow.solve.diagnose import (
    MIN_CP_FRACTION,
    material_only,
    material_solved,
    vanishing_heat_capacity,
)
from polyflow.solve.scaling import equilibrate, scaled, tame_huge_rows
from polyflow.solve.structure import (
    OrderedFactor,
    check_structure,
    matched_lu,
    null_direction,
    singular,
)
from polyflow.solve.system import EquationSystem

__all__ = ["NewtonReport", "check_structure", "newton_solve"]  # check_structure: re-exported

MAX_DT = 200.0  # K: largest temperature change of one Newton step
T_MIN = 200.0   # K: no stream is colder; a step that goes below is held there
MAX_HALVINGS = 10  # backtracking steps of the line search
#: once converged (below tol) but above this, one more Newton step brings the balance to
#: round-off: quadratic convergence makes it nearly free of risk and cheap
POLISH_TOL = 1e-13
TAU = 0.99       # fraction to the boundary
#: a flow the full Newton step takes to within this fraction of its gap from its bound
#: is taken onto the bound, not to 99 % of the way (see _to_boundary)
ONTO_BOUND = 1e-3
#: a flow whose fraction to the boundary alone would cut the step below this is projected
#: onto its bound instead of cutting it (see _to_boundary)
STEP_FLOOR = 0.5
NEAR_ROOT = 1e-6  # below this scaled residual norm, Newton steps are not cut back
#: units' start profiles are computed after this many first Newton steps (each from the
#: inlet flows of that iterate: in a recycle the inlets settle over the first steps)
INIT_STEPS = 2
#: Newton stops as stalled when the scaled residual 2-norm has not fallen below
#: STALL_FACTOR times its value STALL_WINDOW iterations before (a failing run then
#: costs a dozen iterations, not max_iter; converging runs of the shipped plants never
#: keep their norm flat for more than 3)
STALL_WINDOW = 10
STALL_FACTOR = 0.99
#: a step with a neighbour's (or an earlier iterate's) factored Jacobian (a chord step)
#: is kept only if it cuts the scaled residual 2-norm to this fraction or less; else the
#: Jacobian is evaluated and factored afresh at the iterate
CHORD_RATE = 0.3


@dataclass
class NewtonReport:
    x: np.ndarray
    iterations: int
    converged: bool
    max_scaled_residual: float
    history: list[float] = field(default_factory=list)
    #: LU factorisations of the Jacobian taken (the chord steps took none)
    factorisations: int = 0
    #: the last factored Jacobian, as ``newton_solve(factors=...)`` takes it (not data:
    #: a solver object, for the next point of a study)
    factors: tuple | None = field(default=None, repr=False, compare=False)


def newton_solve(system: EquationSystem, x0: np.ndarray, *, tol: float = 1e-10,
                 max_iter: int = 50, ref_flow: float = 1.0,
                 progress: Callable[[int, float], None] | None = None,
                 warm: bool = False,
                 diagnose: Callable[[np.ndarray, bool], Exception | None] | None = None,
                 factors: tuple | None = None) -> NewtonReport:
    """Solve ``F(x) = 0`` from ``x0``; see the module docstring for the guarantees.

    Unless ``warm`` (``x0`` is a previous solution), the first iteration uses the
    start-up equations of nonlinear blocks that have them. Later steps are damped by
    backtracking until the scaled residual norm decreases (Armijo condition), and by a
    limit on temperature changes. When Newton fails, ``diagnose(x, material_solved)``
    (the driver's check for an infeasible specification) is asked first: the error it
    returns is raised instead of the non-convergence, whose symptoms (a stream at the
    temperature floor) would blame the wrong cause.

    ``factors`` (with ``warm``): the factored Jacobian of a solved plant of the same
    structure (a neighbouring study point: its report's ``factors``). Steps are then
    chord steps with it (Kelley, *Iterative Methods for Linear and Nonlinear Equations*,
    SIAM 1995, §5.4: no Jacobian, no factorisation; the same root, reached at a linear
    rate) as long as each cuts the scaled residual norm to CHORD_RATE of its value; a
    step that does not is replaced by a Newton step, whose factors the next steps reuse
    in the same way. Chord steps end only below POLISH_TOL (or after a Newton step), so
    the root is as close as a Newton solve's polished one. Without ``factors`` every
    step is a Newton step."""
    x = x0.copy()
    history: list[float] = []
    n_stream_vars = system.n_streams * system.stride
    T_idx = np.arange(system.S, n_stream_vars, system.stride)
    err = np.inf
    polished = False
    stalled = False
    norms: list[float] = []
    n_factor = 0
    last = factors
    chord = factors is not None and warm
    # speciation that no other row reads (block-triangular below the plant) is solved
    # only on the iterate where the plant's rows have converged: the plant's iterates do
    # not depend on it (docs/solver.md, "Speciation rows and nonlinear elimination")
    lazy = system.aqueous is not None and not system.aqueous_coupled
    if warm:
        system.eliminate(x)       # units solved by nonlinear elimination (system.py)
    if not lazy:
        system.settle(x)
    r, scale = system.residual(x, ref_flow, not warm, speciation=not lazy)
    for it in range(max_iter + 1):
        first = it == 0 and not warm
        _check_finite(system, r, it)
        rel = scaled(r, scale)
        err = float(rel.max()) if len(rel) else 0.0
        if lazy and err < tol and not first and (err < POLISH_TOL or polished or
                                                  it == max_iter):   # about to stop
            system.settle(x)
            rows, r[rows], scale[rows] = system.aqueous.residual(x)
            _check_finite(system, r, it)
            rel = scaled(r, scale)
            err = float(rel.max()) if len(rel) else 0.0
        history.append(err)
        norms.append(float(np.linalg.norm(rel)))
        if progress is not None:
            progress(it, err)
        if err < tol and not first and (err < POLISH_TOL or polished or it == max_iter):
            return NewtonReport(x, it, True, err, history, n_factor, last)
        if it == max_iter:
            break
        if err >= tol and it > STALL_WINDOW + INIT_STEPS and \
                norms[-1] > STALL_FACTOR * norms[-1 - STALL_WINDOW]:
            stalled = True
            break
        polished = err < tol and not first   # converged: one more step to round-off
        if chord and factors is not None:
            solve, row_c, col_c = factors
            dx = col_c * solve(-row_c * r)
            trial = _line_search(system, x, dx, _dT_limit(dx, T_idx), rel, False, ref_flow,
                                 T_idx, halvings=0) if np.all(np.isfinite(dx)) else None
            if trial is not None and np.all(np.isfinite(trial[1])) and \
                    np.linalg.norm(scaled(trial[1], trial[2])) <= CHORD_RATE * norms[-1]:
                x, r, scale = trial
                polished = False      # a chord step converges linearly: to POLISH_TOL
                continue
        J = system.jacobian(x, ref_flow, first, speciation=not lazy)  # scaled in place
        row_s, col_s = equilibrate(system, x, scale, ref_flow)
        with np.errstate(over="ignore", invalid="ignore"):
            J.data *= row_s[J.indices] * col_s[system.csc_columns]
        _check_finite_jacobian(system, J, it)
        tame_huge_rows(J, row_s)
        solve = _solver(system, J, first and system.match_start)
        n_factor += 1
        last = (solve, row_s, col_s)
        factors = last if chord else None
        dx = col_s * solve(-row_s * r)
        if not np.all(np.isfinite(dx)):
            raise SingularSystemError("the Newton step is not finite (singular Jacobian)",
                                      unconstrained=null_direction(J, system))
        x, r, scale = _line_search(system, x, dx, _dT_limit(dx, T_idx), rel, first,
                                   ref_flow, T_idx)
        if it < INIT_STEPS and not warm and system.initialisers:
            x, r, scale = _initialise(system, x, r, scale, ref_flow, always=it == 0,
                                      lazy=lazy)
    if lazy:
        system.settle(x)          # the failed iterate's speciation, for its record
    rel = scaled(r, scale)
    if diagnose is not None:
        certain, x_mat = material_solved(system, rel), x
        if not certain:
            x_mat, certain = material_only(system, x, ref_flow)
        cause = diagnose(x_mat, certain)
        if cause is not None:
            raise cause
    worst = [(float(rel[w]), *system.row_label(int(w))) for w in np.argsort(-rel)[:10]]
    cp = vanishing_heat_capacity(system, x, ref_flow)
    if cp is not None:
        name, c, sid, w = cp
        raise ConvergenceError(
            f"Newton did not converge: stream '{name}' has a heat capacity of {c:.3g} "
            f"kW/K (under {100 * MIN_CP_FRACTION:.0f} % of water's per kg), so its energy "
            f"balance hardly fixes its temperature: the standard heat capacity of {sid} "
            f"(negative, valid for dilute solutions; here {100 * w:.3g} % of the "
            f"stream's mass) cancels the water's", worst=worst,
            iterations=max_iter,
            hint=f"dilute {sid} or give the stream's temperature instead of a duty")
    cold = [system.var_label(int(j))[0] for j in T_idx[x[T_idx] <= T_MIN]]
    if cold:
        failure = ConvergenceError(
            f"Newton did not converge: the temperature of stream(s) {', '.join(cold[:6])} "
            f"falls to the {T_MIN:.0f} K limit", worst=worst, iterations=it,
            hint="a unit removes more heat than its stream holds: check the duties")
    elif stalled:
        failure = ConvergenceError(
            f"Newton stalls: the scaled residual has not fallen over the last "
            f"{STALL_WINDOW} of {it} iterations (largest scaled residual {err:.2e}, "
            f"target {tol:.0e}); the rows that stall are listed", worst=worst,
            iterations=it,
            hint="check the named units' parameters; a nonlinear unit may need a better "
                 "start (solve a neighbouring plant and continue from it: "
                 "polyflow.solve.continuation.solve_variant)")
    else:
        failure = ConvergenceError(
            f"Newton did not converge in {max_iter} iterations (largest scaled residual "
            f"{err:.2e}, target {tol:.0e})", worst=worst, iterations=max_iter,
            hint="check the named units' parameters; a nonlinear unit may need a better "
                 "start")
    failure.x = x     # the last iterate, for a failed result record
    raise failure


def _dT_limit(dx: np.ndarray, T_idx: np.ndarray) -> float:
    """The step length that keeps every temperature change within MAX_DT."""
    dT = np.abs(dx[T_idx]).max() if len(T_idx) else 0.0
    return MAX_DT / dT if dT > MAX_DT else 1.0


def _solver(system: EquationSystem, J: sp.csc_matrix,
            matched: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """``rhs -> J⁻¹ rhs`` with ``J`` factored. Speciation that no other row reads is block-
    triangular below the plant (its rows read flows and T, nothing reads its unknowns),
    and ``settle`` solves it on the point the step reaches: the step then solves the
    plant's own rows only (the speciation part is zero), an LU the size of the plant
    without speciation. A singular plant is factored whole, for the error's names.

    ``matched`` (the start-up Jacobian, unless the plant's ``start_ordering`` is
    ``"plain"``): factored with the matched column pre-ordering of
    :func:`~polyflow.solve.structure.matched_lu`, and its ordering not kept, so the
    kept one (:class:`OrderedFactor`) comes from a Jacobian of the real equations."""
    n = system.n
    keep = system.plant_block
    lu = None
    if matched:
        lu = matched_lu(J if keep is None else J[keep[0]][:, keep[1]])
    if lu is None:
        ordered = getattr(system, "ordered_factor", None)
        if ordered is None:
            ordered = system.ordered_factor = OrderedFactor(J, keep)
        lu = ordered.lu(J)
    if lu is None:                # named on the whole system (the speciation rows, if
        raise singular(J, system)  # left out, are identity rows there)
    if keep is None:
        return lu.solve
    rows, cols = keep

    def solve(rhs: np.ndarray) -> np.ndarray:
        dx = np.zeros(n)
        dx[cols] = lu.solve(rhs[rows])
        return dx
    return solve


def _initialise(system: EquationSystem, x: np.ndarray, r: np.ndarray, scale: np.ndarray,
                ref_flow: float, always: bool, lazy: bool = False):
    """Units' start profiles (see ``UnitEquations.initialiser``) for the inlet flows of
    the current iterate; after the first step, kept only where they lower the residual."""
    trial = x.copy()
    for read, write, func in system.initialisers:
        new = np.asarray(func(trial[read]), dtype=float)
        if np.all(np.isfinite(new)):
            trial[write] = new
    system.eliminate(trial)
    if not lazy:
        system.settle(trial)
    r_t, scale_t = system.residual(trial, ref_flow, speciation=not lazy)
    if always or (np.all(np.isfinite(r_t)) and np.linalg.norm(scaled(r_t, scale_t))
                  < np.linalg.norm(scaled(r, scale))):
        return trial, r_t, scale_t
    return x, r, scale


def _check_finite(system: EquationSystem, r: np.ndarray, it: int) -> None:
    if not np.all(np.isfinite(r)):
        bad = np.nonzero(~np.isfinite(r))[0][:8]
        raise ConvergenceError("a unit returned a residual that is not a number",
                               worst=[(float("nan"), *system.row_label(int(b))) for b in bad],
                               iterations=it)


def _check_finite_jacobian(system: EquationSystem, J: sp.csc_matrix, it: int) -> None:
    """An equilibrated Jacobian entry that is not finite (a unit's derivative, or its
    product with the equilibration scales, beyond the floating-point range: an iterate
    far from any physical state) is reported as non-convergence naming its rows,
    rather than given to SuperLU."""
    bad = ~np.isfinite(J.data)
    if np.any(bad):
        rows = np.unique(J.indices[bad])[:8]
        raise ConvergenceError("a unit returned a derivative that is not a finite number "
                               "(the Newton iterate is far from any physical state)",
                               worst=[(float("nan"), *system.row_label(int(r))) for r in rows],
                               iterations=it,
                               hint="a nonlinear unit may need a better start")


def _to_boundary(system: EquationSystem, x: np.ndarray,
                 dx: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest step in (0, 1] that keeps bounded stream flows strictly inside their bounds
    (fraction to the boundary, τ = 0.99), and the flows the full step takes onto their
    bound (to be held there). Flows already at a bound do not limit the step. Nor does a
    flow that the full step lands on its bound to within ONTO_BOUND of its gap: its root
    lies on the bound (a species a unit consumes completely), and stopping at 99 % of
    the way would cut its residual a hundredfold per iteration only, a linear crawl (the
    refinery's antimony filter cake took 3 such steps); it is projected onto the bound.
    So is a flow that alone would cut the step below STEP_FLOOR: a full step far past
    the bound says its root lies on it, and the fraction to the boundary would shrink
    its gap a hundredfold per iteration with steps of 1e-3 to 1e-7 for all the others
    (the malachite of the refinery's Cu-Au concentrate: 13 iterations, now 8; the
    refinery with refined concentrate: 24, now 8); the other unknowns take the step, as
    in the projected Newton method for simple bounds (Bertsekas, *SIAM J. Control
    Optim.* 20 (1982) 221; Kelley, *Iterative Methods for Optimization*, SIAM 1999,
    ch. 5), and the line search judges the projected point. Moderate cuts (above
    STEP_FLOOR) stay: the shipped plants other than the two refineries take the same
    iterates as without.
    Bounded internal unknowns do not limit the step: they are projected onto their bound
    instead, so a root that lies on the bound (a complete strip) is reached exactly."""
    b = system.free_bounded
    none = np.zeros(0, dtype=int)
    if not len(b):
        return 1.0, none
    gap = x[b] - system.lower[b]
    # a flow already within round-off of its bound (relative to that species' scale)
    # counts as on it: waiting for it would only crawl
    N, _ = system.stream_view(x)
    species_scale = np.maximum(np.abs(N).max(axis=0, initial=0.0), system.species_ref)
    tiny = 1e-9 * species_scale[b % system.stride]
    moving = (dx[b] < 0) & (gap > tiny)
    onto = moving & (np.abs(gap + dx[b]) <= ONTO_BOUND * gap)
    with np.errstate(over="ignore"):
        onto |= moving & (TAU * gap < -STEP_FLOOR * dx[b])
    moving &= ~onto
    if not np.any(moving):
        return 1.0, b[onto]
    with np.errstate(over="ignore"):          # a step of 1e-300 against a wide gap
        return float(min(1.0, np.min(TAU * gap[moving] / -dx[b][moving]))), b[onto]


def _line_search(system: EquationSystem, x: np.ndarray, dx: np.ndarray, alpha: float,
                 rel: np.ndarray, first: bool, ref_flow: float, T_idx: np.ndarray,
                 halvings: int = MAX_HALVINGS):
    """Backtrack from ``alpha`` until ‖F/scale‖₂ decreases by the Armijo fraction; after
    the first (start-up) step, or after MAX_HALVINGS, the step is taken as it is.
    Bounded unknowns are kept inside their bounds (fraction to the boundary, then held
    at the bound)."""
    norm0 = float(np.linalg.norm(rel))
    onto = np.zeros(0, dtype=int)
    if not first:
        limit, onto = _to_boundary(system, x, dx)
        alpha = min(alpha, limit)
    held = system.held
    # speciation no other row reads is not settled here (newton_solve settles it once
    # the plant's rows have converged): the trial norms are those of the plant alone
    each = system.aqueous is not None and system.aqueous_coupled
    for _ in range(halvings + 1):
        trial = x + alpha * dx
        trial[T_idx] = np.maximum(trial[T_idx], T_MIN)
        trial[held] = np.maximum(trial[held], system.lower[held])
        trial[onto] = np.maximum(trial[onto], system.lower[onto])
        capped = system.capped
        trial[capped] = np.minimum(trial[capped], system.upper[capped])
        if not first:
            system.eliminate(trial)
        if each:
            system.settle(trial)
        r, scale = system.residual(trial, ref_flow, speciation=each)
        if first or not np.all(np.isfinite(r)):
            if first:
                break
            alpha *= 0.5
            continue
        rel_trial = scaled(r, scale)
        # near the root the norm is round-off and need not fall: take the full step
        if norm0 < NEAR_ROOT or float(np.linalg.norm(rel_trial)) <= (1.0 - 1e-4 * alpha) * norm0:
            break
        alpha *= 0.5
    return trial, r, scale
