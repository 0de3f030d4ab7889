"""Study batches on Dask ``distributed``: a local cluster of processes (``--workers N``)
or a running scheduler (``--scheduler tcp://host:8786``).

Each batch is one task (:func:`polyflow.study.points.solve_batch`); workers read the
flowsheet file themselves, so on a cluster of several machines the file (and its
includes) must be at the same absolute path on each (a shared file system). Each worker
reads it once, when the study registers its plugin (:mod:`polyflow.study.worker`),
and keeps the plant and its last assembly (:class:`polyflow.study.points.Plant`) for all
the batches it solves: reading the refinery takes 2–3 s, about five of its warm points.
Workers of a local cluster are processes with one thread each (Newton's sparse LU holds
the GIL) and one BLAS thread (Dask's ``distributed.nanny.pre-spawn-environ`` sets
``OPENBLAS_NUM_THREADS=1``, as :mod:`polyflow` does in the process that starts them).
"""

from __future__ import annotations

import contextlib
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
    gets the time taken to start the cluster (or connect to it), ``plant_s`` the time
    the workers took to read the plant, ``points_s`` the time the batches took."""
    t0 = time.perf_counter()
    client, cluster = _client(workers, scheduler)
    if timings is not None:
        timings["cluster_s"] = time.perf_counter() - t0
    from distributed import as_completed

    from polyflow.study.worker import PlantPlugin, solve_on_worker

    plugin = PlantPlugin(file)
    try:
        client.register_plugin(plugin, name=plugin.name)
        if timings is not None:
            timings["plant_s"] = time.perf_counter() - t0 - timings["cluster_s"]
        t1 = time.perf_counter()
        x = client.scatter(base_x, broadcast=True) if base_x is not None else None
        futures = [client.submit(solve_on_worker, plugin.name, file, x, batch, outputs,
                                 scales, retry, pure=False)
                   for batch in batches]
        order = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(futures)
        for fut in as_completed(futures):
            rows = fut.result()
            out[order[fut.key]] = rows
            if progress is not None:
                progress(len(rows))
        if timings is not None:
            timings["points_s"] = time.perf_counter() - t1
        return out
    finally:
        with contextlib.suppress(Exception):     # the cluster may be going away
            client.unregister_worker_plugin(plugin.name)
        client.close()
        if cluster is not None:
            cluster.close()
