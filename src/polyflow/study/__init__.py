"""Studies: many runs of one plant (grids, Monte Carlo) and exact sensitivities.

::

    from polyflow.study import read_study, run_study, sensitivities
    table = run_study(read_study("wash.toml"))          # a StudyTable: one row per point
    table.write("wash.csv")

A study file names a flowsheet, the result numbers to report (``outputs``, paths as in
the JSON result and docs/specs.md) and the inputs to vary (``[vary."PATH"]``, any
``--set`` path), either as a grid of values (full factorial) or, with a
``[monte_carlo]`` table, as distributions sampled by a seeded numpy Generator
(docs/studies.md).
"""

__all__ = ["Study", "StudyTable", "read_study", "run_study", "sensitivities"]

#: where each public name lives (imported on first use: `polyflow --help` and the
#: commands of other packages do not pay for numpy/scipy through this package)
_HOME = {"Study": "design", "read_study": "design", "StudyTable": "runner",
         "run_study": "runner", "sensitivities": "sensitivity"}


def __getattr__(name: str):
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"polyflow.study.{_HOME[name]}"), name)
    raise AttributeError(f"module 'polyflow.study' has no attribute {name!r}")
