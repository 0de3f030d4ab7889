"""Solve one batch of study points in order, each warm-started from its nearest solved
neighbour, a failure retried by continuation from that neighbour before it is reported.

A batch is the unit of work a process (or a Dask worker) takes: it reads the plant once,
solves the base plant warm from the base solution it is given (no Newton step when
nothing changed), then each point. The points of a batch share a
:class:`~polyflow.solve.driver.Reuse`: a point whose plant has the structure of the last
one solved skips the structural check, keeps the ordering of the LU, and starts with
chord steps on the last point's factored Jacobian (docs/studies.md). The rows depend only
on the batch (never on the
worker that solves it or on the other batches), so a study gives the same table on one
process or on a cluster.

Status of a point (the ``status`` column): ``converged`` (balances closed to 1e-9);
``infeasible`` (the plant has no solution there: its solved material balance needs a
negative flow, or continuation from the neighbour ends where a reagent runs out; the
unit is named in ``cause``); ``failed`` (Newton did not converge, the system is
singular, or a value is wrong: the error's message in ``cause``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from polyflow.errors import PolyflowError

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["solve_batch"]

#: errors of a warm solve retried by continuation from the neighbour (a
#: SpecificationError of the driver is certain, the material balance solved there needs
#: a negative flow; continuation then tells where between the neighbour and the point the
#: plant stops, which often names the consuming unit better)
RETRY = ("ConvergenceError", "SingularSystemError", "SpecificationError")


class Plant:
    """What the batches solved in one process share: the plant read once, the readers
    of the outputs, and a :class:`~polyflow.solve.driver.Reuse` whose assembly each
    point rewrites in place (:mod:`polyflow.solve.rebind`). Each batch forgets the
    factors (``Reuse.new_batch``): its rows never depend on the batch solved before it
    in the same process. A Dask worker keeps one (:mod:`polyflow.study.cluster`)."""

    def __init__(self, flowsheet: str | Path, base: Flowsheet | None = None) -> None:
        from polyflow.io.reader import load
        from polyflow.solve.driver import Reuse

        self.file = str(flowsheet)
        self.base = base if base is not None else load(flowsheet)
        self.reuse = Reuse()
        self._readers: dict[tuple[str, ...], Any] = {}

    def reader(self, outputs: list[str]):
        from polyflow.study.outputs import Outputs

        key = tuple(outputs)
        if key not in self._readers:
            self._readers[key] = Outputs(outputs, self.base)
        return self._readers[key]


def solve_batch(flowsheet: str | Path, base_x: np.ndarray | None,
                points: list[tuple[int, tuple, dict[str, Any]]], outputs: list[str],
                scales: list[float], base: Flowsheet | None = None, retry: bool = True,
                progress: Callable[[int], None] | None = None, plant: Plant | None = None
                ) -> list[dict[str, Any]]:
    """Rows of ``points`` (``(index, numbers, overrides)``), in order. ``base_x`` is the
    base plant's solution (None: the first point starts cold); ``scales`` the spread of
    each varied input (the distance to a neighbour is measured in these); ``base`` the
    plant already read (else read from ``flowsheet``), or ``plant`` what earlier
    batches of this process kept; ``retry`` False skips the continuation of a failed
    point; ``progress(1)`` is called after each point."""
    from polyflow.solve.driver import solve

    if plant is None:
        plant = Plant(flowsheet, base)
    base = plant.base
    reader = plant.reader(outputs)
    solved: list[tuple[tuple, Result]] = []
    reuse = plant.reuse  # the structure and the last factors, from point to point
    reuse.new_batch()
    reuse.assembly = ""
    if base_x is not None:
        first = solve(base, x0=base_x, raise_on_failure=False, reuse=reuse,
                      lean=reader.units_read())
        fallback = first if first.converged else None
    else:
        fallback = None
    rows = []
    for index, numbers, overrides in points:
        t0, c0 = time.perf_counter(), time.process_time()
        result, start, cause = _solve_point(base, flowsheet, overrides,
                                            _nearest(numbers, solved, scales) or fallback,
                                            retry, reuse, reader.units_read())
        row = {"point": index, "numbers": numbers}
        if result.converged and not result.closed:
            row.update(status="failed", cause="the element balance does not close to 1e-9")
        elif result.converged:
            row.update(status="converged", cause="")
            solved.append((numbers, result))
        else:
            kind = (result.failure or {}).get("error", "")
            row.update(status="infeasible" if kind == "SpecificationError" else "failed",
                       cause=cause)
        row.update(iterations=int(result.iterations), start=start,
                   assembly=reuse.assembly if start != "none" else "",
                   outputs=reader.values(result), solve_s=time.perf_counter() - t0,
                   timings={**result.timings, "cpu_s": time.process_time() - c0})
        rows.append(row)
        if progress is not None:
            progress(1)
    return rows


def _solve_point(base, file, overrides, neighbour, retry: bool, reuse, lean
                 ) -> tuple[Result, str, str]:
    """(record, how it was started, the cause when it failed); ``lean``: what the
    record may leave out (``solve(lean=...)``)."""
    from polyflow.solve.continuation import solve_variant
    from polyflow.solve.driver import solve
    from polyflow.solve.record import failed_record
    from polyflow.study.variant import variant

    try:
        fs = variant(base, overrides, file)
    except PolyflowError as err:
        return failed_record(base, err, {}), "none", str(err)
    if neighbour is None:
        result = solve(fs, raise_on_failure=False, reuse=reuse, lean=lean)
        return result, "cold", result.message
    try:
        result = solve(fs, x0=neighbour.x, raise_on_failure=False, reuse=reuse, lean=lean)
    except ValueError:      # the neighbour's unknowns are another plant's (a spec dropped)
        result = solve(fs, raise_on_failure=False, reuse=reuse, lean=lean)
        return result, "cold", result.message
    kind = (result.failure or {}).get("error")
    if result.converged or not retry or kind not in RETRY:
        return result, "warm", result.message
    try:        # cold, then continuation from the neighbour (solve/continuation.py)
        return solve_variant(fs, neighbour), "continuation", ""
    except PolyflowError as err:
        if kind == "SpecificationError":    # certain: keep it, and what continuation saw
            result.message = f"{result.message} [continuation from the nearest solved " \
                             f"point: {err}]"
            return result, "continuation", result.message
        return failed_record(fs, err, {}), "continuation", str(err)


def _nearest(numbers: tuple, solved: list[tuple[tuple, Result]], scales: list[float]):
    """The solved point nearest to ``numbers`` (words: 0 if equal, else 1 apart)."""
    best, best_d = None, math.inf
    for other, result in solved:
        d = 0.0
        for a, b, s in zip(numbers, other, scales, strict=True):
            if isinstance(a, str) or isinstance(b, str):
                d += 0.0 if a == b else 1.0
            else:
                d += ((a - b) / s) ** 2
        if d < best_d:
            best, best_d = result, d
    return best
