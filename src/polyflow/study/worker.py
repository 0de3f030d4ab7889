"""What a Dask worker keeps between a study's batches: the plant read once and its last
assembly (:class:`polyflow.study.points.Plant`), held by a worker plugin. Imported only
when a study runs on Dask (``distributed`` is an optional extra)."""

from __future__ import annotations

import uuid

from distributed import WorkerPlugin, get_worker

__all__ = ["PlantPlugin", "solve_on_worker"]


class PlantPlugin(WorkerPlugin):
    """A Dask worker plugin: the study's plant, read once by each worker at ``setup``
    (registered under a name of its own, so two studies on one cluster do not mix)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.plant = None
        self.name = f"polyflow-study-{uuid.uuid4().hex}"

    def setup(self, worker=None) -> None:
        from polyflow.study.points import Plant

        self.plant = Plant(self.file)

    def teardown(self, worker=None) -> None:
        self.plant = None


def solve_on_worker(name: str, file: str, base_x, batch, outputs, scales, retry):
    """One batch on a Dask worker, with the plant its :class:`PlantPlugin` keeps."""
    from polyflow.study.points import solve_batch

    plugin = get_worker().plugins.get(name)
    plant = plugin.plant if plugin is not None else None
    return solve_batch(file, base_x, batch, outputs, scales, None, retry, None, plant)
