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

from polyflow.study.design import Study, read_study
from polyflow.study.runner import StudyTable, run_study
from polyflow.study.sensitivity import sensitivities

__all__ = ["Study", "StudyTable", "read_study", "run_study", "sensitivities"]
