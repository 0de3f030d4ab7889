"""``polyflow run``: solve one flowsheet and report it."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.commands.guard import PolyflowCLIError, guarded, output_checked, overrides
from polyflow.commands.options import (
    SPEC_HELP,
    report_options,
    selection,
    selection_options,
    specs,
)
from polyflow.commands.output import terminal_width, write_or_echo
from polyflow.commands.progress import Progress
from polyflow.commands.solving import run_economics

__all__ = ["run"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@report_options("Override a unit or feed parameter, e.g. --set leach.temperature='50 degC', "
                "or an economics entry, e.g. --set economics.prices.Cu='10000 USD/t'.")
@click.option("--spec", "spec_texts", multiple=True, metavar="SPEC", help=SPEC_HELP)
@selection_options
def run(file: Path, fmt: str, output: Path | None, sets: tuple[str, ...],
        quiet: bool, spec_texts: tuple[str, ...], sections: str | None,
        stream_names: str | None, area: str | None) -> None:
    """Solve the flowsheet FILE and report streams, balances, recoveries and energy."""
    from polyflow.io.reader import load

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give the file with -o "
                               "PATH.xlsx")
    chosen = selection(fmt, sections, stream_names, area)
    output_checked(output)
    fs = guarded(load, file, overrides(sets), specs(spec_texts))
    from polyflow.report import render  # after the input is checked: a bad file fails fast
    progress = Progress(quiet)
    try:
        if sets or spec_texts:  # a variant: continuation from the file's own plant if need be
            from polyflow.solve.continuation import solve_variant

            base = guarded(load, file)
            result = guarded(solve_variant, fs, base, progress=progress)
        else:
            result = guarded(fs.solve, progress=progress)
    finally:
        progress.done()
    if result.message and not quiet:
        click.echo(f"note: {result.message}", err=True)
    economics = run_economics(file, result, sets)
    if fmt == "xlsx":
        from polyflow.report.xlsx import result_workbook

        text = result_workbook(result, economics)
    else:
        text = guarded(render, result, fmt, economics,
                       width=terminal_width(output), selection=chosen)
    write_or_echo(output, text, quiet, bom=fmt == "csv")
    if not result.closed:
        raise PolyflowCLIError("the element balance does not close to 1e-9", 3)
    from polyflow.solve.spec_outcome import at_bound_message

    if at_bound_message(result.specs):
        raise PolyflowCLIError(at_bound_message(result.specs), 3)
