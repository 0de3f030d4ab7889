"""Study batches on Dask ``distributed``: a local cluster of processes (``--workers N``)
or a running scheduler (``--scheduler tcp://host:8786``).

Each batch is one task (:func:`polyflow.study.points.solve_batch`); workers read the
flowsheet file themselves, so on a cluster of several machines the file (and its
includes) must be at the same absolute path on each (a shared file system). Workers of a
local cluster are processes with one thread each: Newton's sparse LU holds the GIL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from polyflow.errors import InputError

__all__ = ["check_dask", "run_on_dask"]


def check_dask() -> None:
    """Raise :class:`InputError` saying what to install when distributed is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError("--workers and --scheduler need Dask distributed",
                         hint="pip install 'polyflow[dask]'") from None


def _client(workers: int | None, scheduler: str | None):
    check_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def run_on_dask(batches: list, file: str, base_x, outputs: list[str], scales: list[float],
                workers: int | None, scheduler: str | None,
                progress: Callable[[int], None] | None = None, retry: bool = True,
                timings: dict[str, float] | None = None) -> list[list[dict[str, Any]]]:
    """The rows of every batch (in batch order), solved on Dask; ``timings["cluster_s"]``
    gets the time taken to start the cluster (or connect to it)."""
    t0 = time.perf_counter()
    client, cluster = _client(workers, scheduler)
    if timings is not None:
        timings["cluster_s"] = time.perf_counter() - t0
    from distributed import as_completed

    from polyflow.study.points import solve_batch

    try:
        x = client.scatter(base_x, broadcast=True) if base_x is not None else None
        futures = [client.submit(solve_batch, file, x, batch, outputs, scales, None, retry,
                                 pure=False)
                   for batch in batches]
        order = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(futures)
        for fut in as_completed(futures):
            rows = fut.result()
            out[order[fut.key]] = rows
            if progress is not None:
                progress(len(rows))
        return out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
