"""Run a study: solve the base plant, cut the points into batches, solve the batches in
this process or on Dask workers, and gather one row per point in point order.

The batches (``Study.batch`` points each, in point order) are the same whatever runs
them, and each batch's rows depend only on the batch (:mod:`polyflow.study.points`), so
the table is the same on one process, on ``--workers N`` and on a cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polyflow.study.design import Study

__all__ = ["StudyTable", "run_study"]

STATUS_COLUMNS = ("status", "cause", "iterations", "start", "assembly")


@dataclass
class StudyTable:
    """One row per point: ``point``, the varied inputs (column names with their units),
    the outputs by path, ``status``, ``cause``, ``iterations``, ``start`` (warm, cold
    or continuation) and ``assembly`` (``in place``: the last point's system rewritten
    with this point's numbers, else why it was assembled in full). ``solve_s`` holds
    each point's wall time (not in the table, so tables compare equal between runs),
    ``point_timings`` the solve's own phases of each point (``Result.timings``:
    build_s, solve_s, record_s, wall; and ``cpu_s``, the point's CPU time in the
    process that solved it); ``timings`` the study's own."""

    columns: list[str]
    rows: list[dict[str, Any]]
    varied: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    solve_s: list[float] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    point_timings: list[dict[str, float]] = field(default_factory=list)
    #: what the study was made from (:func:`study_provenance`): the study file and the
    #: flowsheet as given with their SHA-256, the seed, polyflow's version
    provenance: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> list[Any]:
        return [r[name] for r in self.rows]

    def counts(self) -> dict[str, int]:
        out = {"converged": 0, "infeasible": 0, "failed": 0}
        for r in self.rows:
            out[r["status"]] += 1
        return out

    def dataframe(self):
        """The table as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def write(self, path: str | Path) -> None:
        from polyflow.study.writers import write_table

        write_table(self, Path(path))


def _scales(points: list[tuple]) -> list[float]:
    """The spread of each varied input over the points (1 where it does not vary)."""
    if not points:
        return []
    out = []
    for col in zip(*points, strict=True):
        nums = [c for c in col if not isinstance(c, str)]
        spread = (max(nums) - min(nums)) if nums else 0.0
        out.append(spread if spread > 0 else 1.0)
    return out


def run_study(study: Study, *, workers: int | None = None, scheduler: str | None = None,
              progress: Callable[[int], None] | None = None) -> StudyTable:
    """Solve every point of ``study``; ``workers`` > 1 starts a local Dask cluster of
    processes, ``scheduler`` uses a running one (``tcp://host:8786``); ``progress(n)``
    is called with the number of points just finished (after each point on one
    process, after each batch on Dask)."""
    from polyflow.io.reader import load
    from polyflow.solve.driver import solve
    from polyflow.study.outputs import Outputs
    from polyflow.study.points import Plant, solve_batch

    t0 = time.perf_counter()
    distributed = bool(scheduler) or (workers or 1) > 1
    if distributed:
        from polyflow.study.cluster import check_dask

        check_dask()
    file = str(Path(study.flowsheet).resolve())
    base = load(file)
    reader = Outputs(study.outputs, base)
    base_result = solve(base, raise_on_failure=False)
    if base_result.converged:
        reader.check(base_result)         # a wrong output path fails before any point
    base_x = base_result.x if base_result.converged else None
    pts = study.points()
    scales = _scales([n for n, _ in pts])
    jobs = [(i, n, o) for i, (n, o) in enumerate(pts)]
    batches = [jobs[k:k + study.batch] for k in range(0, len(jobs), study.batch)]
    timings = {"base_s": time.perf_counter() - t0}
    if distributed:
        from polyflow.study.cluster import run_on_dask

        results = run_on_dask(batches, file, base_x, study.outputs, scales, workers,
                              scheduler, progress, study.continuation, timings)
    else:
        results = []
        plant = Plant(file, base)
        t1 = time.perf_counter()
        for batch in batches:
            results.append(solve_batch(file, base_x, batch, study.outputs, scales, base,
                                       study.continuation, progress, plant))
        timings["points_s"] = time.perf_counter() - t1
    rows = sorted((r for batch in results for r in batch), key=lambda r: r["point"])
    timings["total_s"] = time.perf_counter() - t0
    table = _table(study, rows, timings)
    table.provenance = study_provenance(study, getattr(base, "provenance", None) or {})
    return table


def study_provenance(study: Study, base: dict[str, Any]) -> dict[str, Any]:
    """The provenance a study table records (``base``: its flowsheet's, as read), in
    the form every output writes (polyflow.report.provenance): ``flowsheet`` is the
    study's flowsheet path as the study file gives it, ``overrides`` holds the seed."""
    from polyflow.io.provenance import OUTPUT_FORMAT, files_sha256, polyflow_version

    source = study.source
    out = {"study": source,
           "study_sha256": (files_sha256([source]) if source and Path(source).is_file()
                            else None),
           "flowsheet": str(study.flowsheet),
           "flowsheet_sha256": base.get("flowsheet_sha256"),
           "flowsheet_format_version": base.get("flowsheet_format_version", 1),
           "overrides": {}, "specs": {},
           "polyflow_version": polyflow_version(), "format_version": OUTPUT_FORMAT}
    if study.seed is not None:
        out["seed"] = study.seed
    return out


def _table(study: Study, raw: list[dict[str, Any]], timings: dict[str, float]) -> StudyTable:
    varied = [v.column for v in study.varied]
    columns = ["point", *varied, *study.outputs, *STATUS_COLUMNS]
    rows = []
    for r in raw:
        row: dict[str, Any] = {"point": r["point"]}
        row.update(zip(varied, r["numbers"], strict=True))
        row.update(r["outputs"])
        row.update({k: r[k] for k in STATUS_COLUMNS})
        rows.append(row)
    return StudyTable(columns, rows, varied, list(study.outputs),
                      [r["solve_s"] for r in raw], timings,
                      [r.get("timings", {}) for r in raw])

