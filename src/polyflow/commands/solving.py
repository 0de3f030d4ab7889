"""Reading, solving and costing flowsheets for the commands (the work is in
:mod:`polyflow.io`, :mod:`polyflow.solve` and :mod:`polyflow.economics`)."""

from __future__ import annotations

from pathlib import Path

from polyflow.commands.guard import guarded, overrides
from polyflow.commands.progress import CompareProgress

__all__ = ["run_economics", "solve_files"]


def run_economics(file: Path, result, sets: tuple[str, ...]):
    """The run's economics (polyflow.economics; None without an [economics] table)."""
    from polyflow.economics import economics_of

    if not result.converged:
        return None
    return guarded(economics_of, file, result, overrides(sets))


def solve_files(files: tuple[Path, ...], sets: tuple[str, ...], quiet: bool) -> dict:
    """Read and solve each file with the same overrides: {label: Result}, labelled by
    file stem (numbered where two stems are the same); their progress on a terminal
    unless ``quiet``."""
    from polyflow.io.reader import load
    from polyflow.report.compare import unique_labels

    values = overrides(sets)
    labels = unique_labels([f.stem for f in files])
    results = {}
    progress = CompareProgress(quiet, len(files))
    try:
        for i, (label, file) in enumerate(zip(labels, files, strict=True), start=1):
            progress.file(i, label)
            fs = guarded(load, file, values)
            results[label] = guarded(fs.solve, progress=progress)
    finally:
        progress.done()
    return results
