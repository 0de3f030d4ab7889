"""``polyflow compare``: solve several flowsheets and show them side by side."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.commands.guard import PolyflowCLIError, output_checked
from polyflow.commands.options import report_options
from polyflow.commands.output import write_or_echo
from polyflow.commands.solving import run_economics, solve_files

__all__ = ["compare"]


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@report_options("Override a unit or feed parameter in every file.")
def compare(files: tuple[Path, ...], fmt: str, output: Path | None,
            sets: tuple[str, ...], quiet: bool) -> None:
    """Solve FILES and show them side by side: recoveries, product grades, reagents per
    tonne of ore, power by area and water, with the difference to the first file."""
    from polyflow.report.compare import render_compare

    if len(files) < 2:
        raise click.UsageError("give at least two flowsheet files to compare")
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give the file with -o "
                               "PATH.xlsx")
    output_checked(output)
    results = solve_files(files, sets, quiet)
    paths = {label: str(f) for label, f in zip(results, files, strict=True)}
    economics = {label: run_economics(f, results[label], sets)
                 for label, f in zip(results, files, strict=True)}
    write_or_echo(output, render_compare(results, fmt, paths, economics), quiet,
                  bom=fmt == "csv")
    open_balance = [label for label, r in results.items() if not r.closed]
    if open_balance:
        raise PolyflowCLIError("the element balance does not close to 1e-9 in "
                               + ", ".join(open_balance), 3)
