"""``polyflow study`` and ``polyflow sensitivity`` (click only; the work is in
:mod:`polyflow.study`). Exit codes as ``polyflow run``: 2 bad input, 3 the base solve
failed, 1 anything else; a study whose points fail still exits 0 (they are rows)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from polyflow.commands.guard import guarded as _guarded
from polyflow.commands.guard import overrides

__all__ = ["sensitivity", "study"]


def _image(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise click.BadParameter(f"{path.name!r}: name the image .png or .svg")
    return fmt


def _save(fig, path: Path, quiet: bool) -> None:
    from polyflow.report import write_atomic
    from polyflow.report.plots import figure_bytes

    write_atomic(path, figure_bytes(fig, _image(path)))
    if not quiet:
        click.echo(f"wrote {path}", err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Table file: .csv, .json, .xlsx or .parquet (atomically) "
                   "[default: CSV on standard output].")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Solve batches on a local Dask cluster of this many processes.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Solve batches on a running Dask scheduler, e.g. tcp://host:8786.")
@click.option("--scatter", type=click.Path(dir_okay=False, path_type=Path),
              help="Draw outputs against varied inputs to this .png/.svg.")
@click.option("--feasibility", type=click.Path(dir_okay=False, path_type=Path),
              help="Draw the status of each point over the first two varied inputs.")
@click.option("--spider", type=click.Path(dir_okay=False, path_type=Path),
              help="Draw the first output against each varied input, in % of medians.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def study(file: Path, output: Path | None, workers: int, scheduler: str | None,
          scatter: Path | None, feasibility: Path | None, spider: Path | None,
          quiet: bool) -> None:
    """Run the study FILE (a grid or Monte Carlo over --set paths; docs/studies.md):
    one row per point with the varied inputs, the outputs, status and cause."""
    from polyflow.study.design import read_study
    from polyflow.study.runner import run_study
    from polyflow.study.writers import table_bytes

    for image in (scatter, feasibility, spider):
        if image is not None:
            _image(image)
    spec = _guarded(read_study, file)
    n = len(spec.points())
    if quiet:
        table = _guarded(run_study, spec, workers=workers, scheduler=scheduler)
    else:
        with click.progressbar(length=n, label=f"{n} points", file=sys.stderr) as bar:
            table = _guarded(run_study, spec, workers=workers, scheduler=scheduler,
                             progress=bar.update)
    if output is not None:
        _guarded(table.write, output)
        if not quiet:
            click.echo(f"wrote {output}", err=True)
    else:
        click.echo(table_bytes(table, "csv").decode(), nl=False)
    if scatter is not None:
        from polyflow.study.plots import scatter_figure

        _save(_guarded(scatter_figure, table), scatter, quiet)
    if feasibility is not None:
        from polyflow.study.plots import feasibility_figure

        _save(_guarded(feasibility_figure, table), feasibility, quiet)
    if spider is not None:
        from polyflow.study.plots import spider_figure

        _save(_guarded(spider_figure, table), spider, quiet)
    if not quiet:
        c = table.counts()
        click.echo(f"{n} points: {c['converged']} converged, {c['infeasible']} "
                   f"infeasible, {c['failed']} failed "
                   f"({table.timings['total_s']:.1f} s)", err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", "outputs", multiple=True, required=True, metavar="PATH",
              help="A result number, e.g. streams.pls.g_L.Cu (repeat for several).")
@click.option("--param", "params", multiple=True, metavar="PATH",
              help="An input, e.g. ore.grades.Cu (repeat; default: every number of "
                   "every feed and unit).")
@click.option("--set", "sets", multiple=True, metavar="UNIT.PARAM=VALUE",
              help="Override an input before solving.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON here (atomically) instead of standard output.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              help="Tornado of elasticities to this .png/.svg (one per output: _2, _3...).")
@click.option("-q", "--quiet", is_flag=True, help="No messages on standard error.")
def sensitivity(file: Path, outputs: tuple[str, ...], params: tuple[str, ...],
                sets: tuple[str, ...], json_file: Path | None, plot: Path | None,
                quiet: bool) -> None:
    """Exact derivatives of outputs of FILE with respect to its inputs, from the
    converged Jacobian (implicit function theorem, one adjoint solve per output), with
    units and elasticities."""
    from polyflow.io.reader import load
    from polyflow.report import write_atomic
    from polyflow.study.sensitivity import sensitivities

    if plot is not None:
        _image(plot)
    fs = _guarded(load, file, overrides(sets))
    docs = _guarded(sensitivities, fs, list(outputs), list(params) or None)
    text = json.dumps(docs[0] if len(docs) == 1 else docs, indent=1) + "\n"
    if json_file is not None:
        write_atomic(json_file, text)
        if not quiet:
            click.echo(f"wrote {json_file}", err=True)
    else:
        click.echo(text, nl=False)
    if plot is not None:
        from polyflow.study.plots import tornado_figure

        for i, doc in enumerate(docs, start=1):
            path = plot if i == 1 else plot.with_name(f"{plot.stem}_{i}{plot.suffix}")
            _save(tornado_figure(doc), path, quiet)
