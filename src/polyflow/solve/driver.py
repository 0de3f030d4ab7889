"""One run: assemble, check degrees of freedom, Newton, verify, wrap in a Result."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from polyflow.chem.species import T_REF
from polyflow.solve.diagnose import negative_flow_error
from polyflow.solve.newton import check_structure, newton_solve

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["solve_flowsheet"]


def solve_flowsheet(fs: Flowsheet, *, tol: float = 1e-10, max_iter: int = 50,
                    progress=None, x0: np.ndarray | None = None) -> Result:
    from polyflow.result import Result

    t0 = time.perf_counter()
    asm = fs.assemble()
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

    def infeasible(x: np.ndarray, certain: bool, converged: bool = False):
        err = negative_flow_error(system, asm.streams, x, ref_species, ref_flow, converged,
                                  certain)
        return None if err is None else fs._err(err)

    report = newton_solve(system, x0, tol=tol, max_iter=max_iter, ref_flow=ref_flow,
                          progress=progress, warm=warm, diagnose=infeasible)
    t_solve = time.perf_counter() - t0 - t_build
    err = infeasible(report.x, certain=True, converged=True)
    if err is not None:
        raise err
    N, _ = system.stream_view(report.x)
    # round-off negatives (within the tolerance just checked) are zero flows
    N[N < 0] = 0.0
    return Result(fs, asm, report, timings={"build_s": t_build, "solve_s": t_solve})
