"""One run: assemble, check degrees of freedom, Newton, verify, wrap in a Result."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from polyflow.chem.species import T_REF
from polyflow.errors import ConvergenceError, SingularSystemError, SpecificationError
from polyflow.solve.newton import check_structure, newton_solve

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["solve_flowsheet"]

#: a converged flow below -NEGATIVE_TOL × (reference flow of that species) is infeasible
NEGATIVE_TOL = 1e-9
#: ... or below -ROUNDOFF × (the plant's feed flow): round-off of the linear solve
ROUNDOFF = 1e-14


def solve_flowsheet(fs: Flowsheet, *, tol: float = 1e-10, max_iter: int = 50,
                    progress=None, x0: np.ndarray | None = None,
                    retry: bool = True) -> Result:
    from polyflow.result import Result

    t0 = time.perf_counter()
    asm = fs.assemble()
    layout = None
    if fs.specs:                    # design specifications: one more unknown and row each
        from polyflow.solve.specs import attach_specs

        asm, layout = attach_specs(fs, asm)
    system = asm.system
    check_structure(system)
    t_build = time.perf_counter() - t0
    feed_flows = [u.feed_flows() for u in fs.units.values() if u.role == "feed"]
    ref_species = np.max(np.abs(feed_flows), axis=0) if feed_flows else np.ones(system.S)
    ref_flow = float(ref_species.sum()) or 1.0
    system.species_ref = ref_species
    warm = x0 is not None
    if x0 is None:
        x0 = np.zeros(system.n)
        x0[system.S: system.n_streams * system.stride: system.stride] = T_REF
        x0[system.n_streams * system.stride:] = system.x_guess_internal
    try:
        report = newton_solve(system, x0, tol=tol, max_iter=max_iter, ref_flow=ref_flow,
                              progress=progress, warm=warm)
    except (ConvergenceError, SingularSystemError) as err:
        if layout is None or not retry:     # specs: continuation, then the bounds
            raise
        from polyflow.solve.spec_outcome import after_failure, hold_then_release

        report = hold_then_release(layout, lambda x, w, n: newton_solve(
            system, x, tol=tol, max_iter=n or max_iter, ref_flow=ref_flow,
            progress=progress, warm=w), x0)
        if report is None:
            return after_failure(fs, layout, err, lambda f: solve_flowsheet(
                f, tol=tol, max_iter=max_iter, progress=progress, retry=False))
    t_solve = time.perf_counter() - t0 - t_build
    N, _ = system.stream_view(report.x)
    allowed = NEGATIVE_TOL * ref_species + ROUNDOFF * ref_flow
    worst = np.unravel_index(np.argmin(N / allowed), N.shape) if N.size else None
    if worst is not None and N[worst] < -allowed[worst[1]]:
        s, i = worst
        spec = asm.streams[s]
        sid = system.species.ids[i]
        kg = N[worst] * system.species.mw[i]
        raise fs._err(SpecificationError(
            f"the balance needs a negative flow of {sid} in stream {spec.name!r} "
            f"({kg:.4g} kg/h): the unit consumes more {sid} than reaches it",
            unit=spec.src,
            hint=f"add {sid} upstream of '{spec.src}' or lower the conversion that uses it"))
    # round-off negatives (within the tolerance just checked) are zero flows
    N[N < 0] = 0.0
    result = Result(fs, asm, report, timings={"build_s": t_build, "solve_s": t_solve})
    if layout is not None:
        from polyflow.solve.spec_outcome import finish_specs

        return finish_specs(fs, layout, result, lambda f: solve_flowsheet(
            f, tol=tol, max_iter=max_iter, progress=progress))
    return result
