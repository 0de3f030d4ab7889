"""One run: assemble, check degrees of freedom, Newton, verify, build the record."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from polyflow.chem.species import T_REF
from polyflow.errors import ConvergenceError, PolyflowError, SingularSystemError, SpecificationError
from polyflow.solve.assemble import assemble
from polyflow.solve.diagnose import negative_flow_error
from polyflow.solve.newton import NewtonReport, newton_solve
from polyflow.solve.record import failed_record, solved_record
from polyflow.solve.structure import check_structure

if TYPE_CHECKING:
    from collections.abc import Collection

    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["Reuse", "solve", "solve_flowsheet"]


class Reuse:
    """What one solve leaves to the next solve of a plant of the same structure (the
    next point of a study: ``polyflow.study.points``): the last plant solved, its
    assembled system and the factors of its last Jacobian. The next plant (the same
    plant with other numbers, ``polyflow.study.variant``) is not assembled again: the
    units that differ rewrite their numbers into a copy of the last system
    (``polyflow.solve.rebind``; ``assembly`` says "in place" or why it was assembled in
    full; ``Reuse(in_place=False)`` always assembles). A plant whose system has the
    same sparsity pattern (the same units and streams, numbers changed) skips the
    structural check,
    keeps the column ordering of the LU (``solve.structure.OrderedFactor``) and, started
    from a neighbour's solution, takes chord steps with these factors first
    (``newton_solve(factors=...)``). A cache held by a batch of points, never part of a
    record (it holds SuperLU objects, which do not pickle).

    >>> import polyflow
    >>> from polyflow.study.variant import variant
    >>> fs = polyflow.load("flowsheets/copper_oxide_leach.toml")
    >>> reuse = Reuse()
    >>> base = polyflow.solve(fs, reuse=reuse)
    >>> cold = reuse.factorisations
    >>> point = solve(variant(fs, {"ore.grades.Cu": "1.25 %"}), x0=base.x, reuse=reuse)
    >>> point.status, reuse.factorisations < cold, reuse.assembly
    ('converged', True, 'in place')
    """

    def __init__(self, in_place: bool = True) -> None:
        #: the last system solved, and that plant's system without its specs
        self.system = None
        self.plain = None
        self.factors: tuple | None = None
        #: LU factorisations the last solve took
        self.factorisations = 0
        #: rewrite the last solve's system for the next plant (``solve.rebind``) instead
        #: of assembling it in full, when its structure is the same
        self.in_place = in_place
        #: the last plant solved, its assembly and spec layout (what is rewritten)
        self.fs = self.asm = self.layout = None
        #: how the last solve's system was made: "in place", or why it was assembled
        #: in full
        self.assembly = ""

    def new_batch(self) -> None:
        """Forget the last factors (a batch of points starts with its own Newton
        step, so its rows do not depend on the batch solved before it); the assembly and
        the LU's column ordering (a function of the pattern alone) are kept."""
        self.factors = None


def _rebind(reuse: Reuse | None, fs: Flowsheet):
    """(assembly, spec layout) of ``fs`` rewritten in place from the last solve kept in
    ``reuse`` (:mod:`polyflow.solve.rebind`), or why it was assembled in full."""
    if reuse is None or not reuse.in_place:
        return "assembled in full"
    if reuse.asm is None:
        return "assembled in full: the first solve"
    from polyflow.solve.rebind import rebind

    return rebind(reuse.fs, reuse.asm, reuse.layout, fs)


def _same_pattern(old, system) -> bool:
    """Whether ``system`` has the sparsity pattern of ``old`` (None: no)."""
    return old is not None and old.n == system.n and old.n_rows == system.n_rows \
        and old.nnz == system.nnz and np.array_equal(old._indptr, system._indptr) \
        and np.array_equal(old._indices, system._indices)


def solve(fs: Flowsheet, *, tol: float = 1e-10, max_iter: int = 50, progress=None,
          x0: np.ndarray | None = None, raise_on_failure: bool = True,
          retry: bool = True, reuse: Reuse | None = None,
          lean: bool | Collection[str] = False) -> Result:
    """Solve the mass and energy balances of ``fs`` together; returns the record.

    With design specifications (``fs.specs``) each frees one input and adds one target
    row in the same system (``x0`` may then be the plain plant's unknowns alone: the
    inputs start at their file values); a failed solve with specs is continued from the
    plant with the inputs held, then released (``retry``), and a spec driven past a
    bound is solved again at that bound.

    A solve that fails (the plant is over- or under-specified, singular, Newton does
    not converge, or the balance needs a negative flow) raises its
    :class:`~polyflow.errors.PolyflowError`, unless ``raise_on_failure=False``: then
    the record has ``status == "failed"``, the error's message in ``message`` and its
    named units, rows and variables in ``failure`` (for studies that run many cases).

    ``reuse`` (a :class:`Reuse`) carries the structure and the last factors from one
    solve to the next solve of the same plant with other numbers (a study's points);
    ``lean`` leaves the streams' speciation properties (pH, ionic strength, free acid)
    out of the record (``Result.aqueous`` empty: a study reads its outputs elsewhere);
    a collection of unit names also leaves out the other units' power and reports.

    >>> import polyflow
    >>> fs = polyflow.load("flowsheets/copper_oxide_leach.toml")
    >>> polyflow.solve(fs).status
    'converged'
    >>> failed = polyflow.solve(fs, max_iter=1, raise_on_failure=False)
    >>> failed.status, failed.failure["error"]
    ('failed', 'ConvergenceError')
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    asm = None
    try:
        rebound = _rebind(reuse, fs)
        if not isinstance(rebound, str):        # the last point's system, rewritten
            asm, layout = rebound
            known, plain = True, reuse.plain
        else:
            asm = assemble(fs)
            layout = None
            known = reuse is not None and _same_pattern(reuse.plain, asm.system)
            plain = asm.system
            if fs.specs:            # design specifications: one more unknown and row each
                from polyflow.solve.specs import attach_specs

                asm, layout = attach_specs(fs, asm, checked=known)
        if reuse is not None:
            reuse.assembly = "in place" if not isinstance(rebound, str) else rebound
        factors = None
        if known and _same_pattern(reuse.system, asm.system):
            if hasattr(reuse.system, "ordered_factor"):
                asm.system.ordered_factor = reuse.system.ordered_factor
            factors = reuse.factors if x0 is not None else None
        else:
            check_structure(asm.system)
        timings["build_s"] = time.perf_counter() - t0

        def again(f: Flowsheet, retry_: bool = True) -> Result:
            return solve(f, tol=tol, max_iter=max_iter, progress=progress, retry=retry_)

        report = _newton(fs, asm, layout, tol, max_iter, progress, x0, retry, again,
                         factors)
        if not isinstance(report, NewtonReport):  # a record: a spec solved at its bound
            return report
        timings["solve_s"] = time.perf_counter() - t0 - timings["build_s"]
        if reuse is not None:
            reuse.plain, reuse.system, reuse.factors = plain, asm.system, report.factors
            reuse.factorisations = report.factorisations
            reuse.fs, reuse.asm, reuse.layout = fs, asm, layout
        t_record = time.perf_counter()
        if layout is not None:
            from polyflow.solve.spec_outcome import finish_specs

            result = finish_specs(fs, layout, report,
                                  lambda f: solved_record(f, asm, report, timings, lean),
                                  again)
        else:
            result = solved_record(fs, asm, report, timings, lean)
    except PolyflowError as err:
        if raise_on_failure:
            raise
        timings.setdefault("build_s", time.perf_counter() - t0)
        return failed_record(fs, err, timings, asm)
    result.timings["record_s"] = time.perf_counter() - t_record
    return result


def _newton(fs: Flowsheet, asm, layout, tol: float, max_iter: int, progress, x0, retry,
            again, factors=None):
    system = asm.system
    feed_flows = [u.feed_flows() for u in fs.units.values() if u.role == "feed"]
    ref_species = np.max(np.abs(feed_flows), axis=0) if feed_flows else np.ones(system.S)
    ref_flow = float(ref_species.sum()) or 1.0
    system.species_ref = ref_species
    warm = x0 is not None
    cold = np.zeros(system.n)
    cold[system.S: system.n_streams * system.stride: system.stride] = T_REF
    cold[system.n_streams * system.stride:] = system.x_guess_internal
    if x0 is None:
        x0 = cold
    elif len(x0) != system.n:
        # the plain plant's solution (a neighbour's, continuation): the specs' inputs
        # start at their file values
        n_plain = system.n if layout is None else layout.n_plain
        if len(x0) != n_plain:
            raise ValueError(f"x0 has {len(x0)} values; the plant has {system.n} unknowns "
                             f"({n_plain} without its specs)")
        cold[:n_plain] = x0
        x0 = cold

    def infeasible(x: np.ndarray, certain: bool, converged: bool = False):
        err = negative_flow_error(system, asm.streams, x, ref_species, ref_flow, converged,
                                  certain)
        if err is None:
            return None
        err = fs._err(err)
        err.x = x
        return err

    def beyond_bounds(x: np.ndarray):
        """A negative flow while a spec's input is beyond its bounds: the bound is the
        cause (the plant solved at it, or an error naming the spec)."""
        if layout is None or not retry:
            return None
        from polyflow.solve.spec_outcome import infeasible_beyond_bounds

        return infeasible_beyond_bounds(fs, layout, x, lambda f: again(f, False))

    try:
        report = newton_solve(system, x0, tol=tol, max_iter=max_iter, ref_flow=ref_flow,
                              progress=progress, warm=warm, diagnose=infeasible,
                              factors=factors)
    except SpecificationError as err:       # infeasible where Newton stopped
        held = beyond_bounds(err.x) if getattr(err, "x", None) is not None else None
        if held is None:
            raise
        return held
    except (ConvergenceError, SingularSystemError) as err:
        if layout is None or not retry:     # specs: continuation, then the bounds
            raise
        from polyflow.solve.spec_outcome import after_failure, hold_then_release

        report = hold_then_release(layout, lambda x, w, n: newton_solve(
            system, x, tol=tol, max_iter=n or max_iter, ref_flow=ref_flow,
            progress=progress, warm=w), x0)
        if report is None:
            return after_failure(fs, layout, err, lambda f: again(f, False))
    err = infeasible(report.x, certain=True, converged=True)
    if err is not None:
        held = beyond_bounds(report.x)
        if held is not None:
            return held
        err.x = report.x
        err.iterations = report.iterations
        raise err
    _zero_invisible_negatives(fs, asm, report.x)
    return report


def _zero_invisible_negatives(fs: Flowsheet, asm, x: np.ndarray) -> None:
    """Set to zero the round-off negative flows of ``x`` (within the feasibility
    tolerance just checked), unless that would move an element's closure (feeds in
    against products out, ``Result.closure``) by a tenth of its tolerance: such flows
    in the plant's feed and product streams are left as solved. Zeroing them would
    create matter (a trace of sulphur in a plant fed none, where a leach took 2e-16 of
    its CuO against acid that is not there: tests/solve/test_robust_random.py)."""
    from polyflow.chem.elements import atomic_weight
    from polyflow.result import CLOSURE_FLOOR, CLOSURE_TOL

    system = asm.system
    N, _ = system.stream_view(x)
    negative = N < 0
    if not negative.any():
        return
    species = system.species
    aw = np.array([atomic_weight(e) for e in species.elements])
    E = species.element_matrix * aw[:, None]                    # kg/kmol [element, i]
    role = {name: unit.role for name, unit in fs.units.items()}   # fs.units: a new dict
    inlet = np.array([role[st.src] == "feed" for st in asm.streams])
    outlet = np.array([role[st.dst] == "product" for st in asm.streams])
    gain = np.where(negative, -N, 0.0)                          # what zeroing adds
    e_in, e_out = E @ N[inlet].sum(axis=0), E @ N[outlet].sum(axis=0)
    shift = E @ gain[inlet].sum(axis=0) - E @ gain[outlet].sum(axis=0)
    floor = CLOSURE_FLOOR * float((N[inlet] @ species.mw).sum())
    big = np.maximum(np.maximum(np.abs(e_in), np.abs(e_out)), floor)
    seen = np.abs(shift) > 0.1 * CLOSURE_TOL * big
    keep = np.zeros_like(negative)
    if seen.any():
        holds = (species.element_matrix[seen] != 0).any(axis=0)   # species with them
        keep[inlet | outlet] = negative[inlet | outlet] & holds
    N[negative & ~keep] = 0.0


#: the name of earlier versions
solve_flowsheet = solve
