"""``polyflow plot``: diagrams, Sankeys, stream tables, recoveries and size
distributions to PNG, SVG or PDF."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.commands.guard import guarded, output_checked, overrides
from polyflow.commands.options import names
from polyflow.commands.output import write_or_echo
from polyflow.commands.solving import run_economics, solve_files

__all__ = ["plot"]


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["flowsheet", "pfd", "sankey", "streams",
                                           "recovery", "psd", "waterfall"]),
              default="flowsheet", show_default=True, help="What to draw.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Image file, .png, .svg or .pdf [default: <file stem>_<kind>.png; "
                   "pfd: .pdf, every page].")
@click.option("--element", help="Element to follow (sankey; recovery: only these, "
                                "comma-separated).")
@click.option("--streams", "streams", help="Streams to show, comma-separated "
                                           "(streams, psd).")
@click.option("--columns", help="Stream table columns, comma-separated, as in "
                                "'polyflow run --format csv' (streams).")
@click.option("--set", "sets", multiple=True, metavar="UNIT.PARAM=VALUE",
              help="Override a unit parameter (in every file).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
# -- sankey threshold (issue #18) --
@click.option("--min-share", type=click.FloatRange(0.0, 1.0, max_open=True), default=1e-3,
              show_default=True, help="Sankey: hide flows at most this share of the largest "
                                      "(and the feeds and products that carry no more).")
def plot(files: tuple[Path, ...], kind: str, output: Path | None, element: str | None,
         streams: str | None, columns: str | None, sets: tuple[str, ...],
         quiet: bool, min_share: float) -> None:
    """Draw FILE as a flowsheet diagram, a process flow diagram for a report (pfd: equipment
    symbols, numbered streams, a page per line, the stream table; PDF), an element Sankey,
    the stream table, recoveries (of several FILES side by side) or particle size
    distributions, to PNG, SVG or PDF."""
    from polyflow.report import plots

    if len(files) > 1 and kind != "recovery":
        raise click.UsageError(f"--kind {kind} draws one flowsheet; only --kind recovery "
                               "takes several files")
    if kind == "sankey" and not element:
        raise click.UsageError("--kind sankey needs --element, e.g. --element Cu")
    path, image_format = _plot_output(output, files[0], kind)
    output_checked(path)
    from polyflow.report.provenance import provenance_line

    if kind == "flowsheet":             # the diagram needs no solve
        from polyflow.io.reader import load

        fs = guarded(load, files[0], overrides(sets))
        subject = provenance_line(getattr(fs, "provenance", {}))
        fig = plots.flowsheet_figure(fs)
    else:
        results = solve_files(files, sets, quiet)
        first = next(iter(results.values()))
        subject = "\n".join(provenance_line(r.provenance) for r in results.values())
        if kind == "pfd":
            from polyflow.report.pfd import pdf_bytes, pfd_pages

            pages = guarded(pfd_pages, first)
            if image_format == "pdf":
                write_or_echo(path, pdf_bytes(pages), quiet)
                return
            if len(pages) > 1 and not quiet:
                click.echo(f"note: the diagram has {len(pages)} pages; {path.name} shows the "
                           "first (name the file .pdf for all)", err=True)
            write_or_echo(path, plots.figure_bytes(pages[0], image_format,
                                                   subject=subject), quiet)
            return
        draw = {
            "sankey": lambda: plots.sankey_figure(first, element, min_share=min_share),
            "streams": lambda: plots.streams_figure(first, names(streams), names(columns)),
            "recovery": lambda: plots.recovery_figure(
                results if len(results) > 1 else first, names(element)),
            "psd": lambda: plots.psd_figure(first, names(streams)),
            "waterfall": lambda: _waterfall(files[0], first, sets),
        }[kind]
        fig = guarded(draw)
    write_or_echo(path, plots.figure_bytes(fig, image_format, subject=subject), quiet)


def _plot_output(output: Path | None, first: Path, kind: str) -> tuple[Path, str]:
    """The image file and its format (png, svg or pdf, from the suffix)."""
    default = "pdf" if kind == "pfd" else "png"
    path = output if output is not None else Path(f"{first.stem}_{kind}.{default}")
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise click.BadParameter(f"{path.name!r}: name the image .png, .svg or .pdf",
                                 param_hint="-o")
    return path, suffix


def _waterfall(file: Path, result, sets: tuple[str, ...]):
    from polyflow.report.economics import waterfall_figure

    economics = run_economics(file, result, sets)
    if economics is None:
        raise click.UsageError(f"--kind waterfall needs an [economics] table in {file}")
    return waterfall_figure(economics, f"{result.flowsheet_name}: value from feeds to "
                                       "operating margin [MUSD/y]")
