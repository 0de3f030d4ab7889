"""The ``polyflow`` command line (click only; no model logic here).

Exit codes (docs/exit-codes.md): 0 success; 2 bad input (file, option, specification,
output path); 3 the solve failed (no convergence, singular system, open balance); 130
interrupted (Ctrl-C); 1 anything else (a bug). Tracebacks only with ``--debug``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from polyflow.errors import ConvergenceError, InputError, PolyflowError, SingularSystemError

__all__ = ["main"]


class PolyflowCLIError(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


class _Main(click.Group):
    """The command group; Ctrl-C at any moment ends the run with one line and exit 130
    (click's own "Aborted!" exits 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise PolyflowCLIError("interrupted (Ctrl-C); nothing was written", 130) from None


def _output_checked(output: Path | None) -> None:
    """A bad -o path is an input error found before the solve (exit 2)."""
    if output is not None:
        from polyflow.io.output_path import check_output_path

        try:
            check_output_path(output)
        except InputError as err:
            raise PolyflowCLIError(str(err), 2) from None


def _run_guarded(ctx: click.Context, fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except PolyflowError as err:
        if ctx.obj.get("debug"):
            raise
        code = 3 if isinstance(err, ConvergenceError | SingularSystemError) else \
            2 if isinstance(err, InputError) else 1
        raise PolyflowCLIError(str(err), code) from None


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        key, eq, value = item.partition("=")
        if not eq or "." not in key:
            raise click.BadParameter(f"{item!r} must read unit.param=value",
                                     param_hint="--set")
        out[key.strip()] = _literal(value.strip())
    return out


def _literal(text: str):
    """A --set value: a TOML value if it reads as one (numbers, tables), else a string."""
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except ValueError:          # not TOML (TOMLDecodeError), or an int of 4,300+ digits
        return text


class _Progress:
    """Newton progress on stderr, only on a terminal and after the first second."""

    def __init__(self, quiet: bool) -> None:
        self.on = not quiet and sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self.shown = False

    def __call__(self, iteration: int, residual: float) -> None:
        if not self.on or time.perf_counter() - self.t0 < 1.0:
            return
        self.shown = True
        click.echo(f"\rNewton iteration {iteration:3d}  largest scaled residual "
                   f"{residual:9.2e}", err=True, nl=False)

    def done(self) -> None:
        if self.shown:
            click.echo("", err=True)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.version_option(package_name="polyflow")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """polyflow: flowsheet simulation of poly-metallic refineries."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _report_options(set_help: str):
    """The options `run` and `compare` share: format, output file, overrides, quiet."""
    def decorate(fn):
        for option in reversed([
            click.option("--format", "fmt",
                         type=click.Choice(["text", "csv", "json", "md", "xlsx"]),
                         default="text", show_default=True,
                         help="Output format (xlsx needs -o: one sheet per table)."),
            click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                         help="Write to this file (atomically) instead of standard output."),
            click.option("--set", "sets", multiple=True, metavar="UNIT.PARAM=VALUE",
                         help=set_help),
            click.option("-q", "--quiet", is_flag=True, help="No progress output."),
        ]):
            fn = option(fn)
        return fn
    return decorate


def _specs(values: tuple[str, ...]) -> dict:
    """--spec options (polyflow.io.spec_tables.parse_spec_option), by name."""
    from polyflow.io.spec_tables import parse_spec_option

    out = {}
    for i, text in enumerate(values, start=1):
        try:
            spec = parse_spec_option(text, i)
        except InputError as err:
            raise click.BadParameter(str(err), param_hint="--spec") from None
        out[spec.name] = spec
    return out


# -- report control (issue #18): which sections, streams and area a report shows -------
#: polyflow.report.selection.SECTIONS, written out so that --help imports no report
#: (a test checks that they agree)
_SECTIONS_HELP = ("summary, streams, balance, recovery, energy, units, comminution, "
                  "reagents, water, lines, economics")


def _selection_options(fn):
    """--sections, --streams, --area (polyflow.report.selection)."""
    for option in reversed([
        click.option("--sections", metavar="NAME,...",
                     help="Report only these sections (text, md), comma-separated: "
                          f"{_SECTIONS_HELP}."),
        click.option("--streams", "stream_names", metavar="NAME,...",
                     help="Show only these streams (text, md, csv), comma-separated."),
        click.option("--area", metavar="AREA",
                     help="Show only the streams into or out of this area's units, and "
                          "its units' energy and results (text, md, csv)."),
    ]):
        fn = option(fn)
    return fn


def _selection(fmt: str, sections: str | None, streams: str | None,
               area: str | None):
    """The report's :class:`~polyflow.report.selection.Selection` (None: everything)."""
    if not (sections or streams or area):
        return None
    from polyflow.report.selection import Selection

    if fmt in ("json", "xlsx"):
        raise click.UsageError(f"--sections, --streams and --area shape the text, md and "
                               f"csv reports; --format {fmt} writes the whole record")
    sel = Selection.from_options(sections, streams, area)
    if fmt == "csv" and sel.sections is not None and sel.sections != ("streams",):
        raise click.UsageError("--format csv is the stream table; use --format text or md "
                               "for other sections (--streams and --area apply to it)")
    return sel
# -- end of report control ------------------------------------------------------------


_SPEC_HELP = ("Solve for an input: 'NAME: vary=UNIT.FIELD, target=JSON.PATH, value=V[, "
              "bounds=LO..HI]', e.g. --spec 'vary=acid.flows.H2SO4, "
              "target=streams.pls.g_L.H2SO4, value=6 g/L' (docs/specs.md).")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_report_options("Override a unit or feed parameter, e.g. --set leach.temperature='50 degC', "
                 "or an economics entry, e.g. --set economics.prices.Cu='10000 USD/t'.")
@click.option("--spec", "specs", multiple=True, metavar="SPEC", help=_SPEC_HELP)
@_selection_options
@click.pass_context
def run(ctx, file: Path, fmt: str, output: Path | None, sets: tuple[str, ...],
        quiet: bool, specs: tuple[str, ...], sections: str | None,
        stream_names: str | None, area: str | None) -> None:
    """Solve the flowsheet FILE and report streams, balances, recoveries and energy."""
    from polyflow.io.reader import load

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give the file with -o "
                               "PATH.xlsx")
    selection = _selection(fmt, sections, stream_names, area)
    _output_checked(output)
    fs = _run_guarded(ctx, load, file, _overrides(sets), _specs(specs))
    from polyflow.report import render  # after the input is checked: a bad file fails fast
    progress = _Progress(quiet)
    try:
        if sets or specs:       # a variant: continuation from the file's own plant if need be
            from polyflow.solve.continuation import solve_variant

            base = _run_guarded(ctx, load, file)
            result = _run_guarded(ctx, solve_variant, fs, base, progress=progress)
        else:
            result = _run_guarded(ctx, fs.solve, progress=progress)
    finally:
        progress.done()
    if result.message and not quiet:
        click.echo(f"note: {result.message}", err=True)
    economics = _economics(ctx, file, result, sets)
    if fmt == "xlsx":
        from polyflow.report.xlsx import result_workbook

        text = result_workbook(result, economics)
    else:
        text = _run_guarded(ctx, render, result, fmt, economics,
                            width=_terminal_width(output), selection=selection)
    _write_or_echo(output, text, quiet, bom=fmt == "csv")
    if not result.closed:
        raise PolyflowCLIError("the element balance does not close to 1e-9", 3)
    from polyflow.solve.spec_outcome import at_bound_message

    if at_bound_message(result.specs):
        raise PolyflowCLIError(at_bound_message(result.specs), 3)


def _economics(ctx, file: Path, result, sets: tuple[str, ...]):
    """The run's economics (polyflow.economics; None without an [economics] table)."""
    from polyflow.economics import economics_of

    if not result.converged:
        return None
    return _run_guarded(ctx, economics_of, file, result, _overrides(sets))


class _CompareProgress(_Progress):
    """Progress of several solves: "file i of n" and Newton's iterations, on a terminal
    after the first second of the whole comparison."""

    def __init__(self, quiet: bool, n_files: int) -> None:
        super().__init__(quiet)
        self.n_files = n_files
        self.prefix = ""

    def file(self, i: int, label: str) -> None:
        """Solving file ``i`` (from 1) now."""
        self.prefix = f"file {i} of {self.n_files} ({label}): "
        if self.on and time.perf_counter() - self.t0 >= 1.0:
            self.shown = True
            click.echo(f"\r{self.prefix}reading and solving{' ' * 40}", err=True, nl=False)

    def __call__(self, iteration: int, residual: float) -> None:
        if not self.on or time.perf_counter() - self.t0 < 1.0:
            return
        self.shown = True
        click.echo(f"\r{self.prefix}Newton iteration {iteration:3d}  largest scaled "
                   f"residual {residual:9.2e}", err=True, nl=False)


def _solve_files(ctx, files: tuple[Path, ...], sets: tuple[str, ...], quiet: bool,
                 progress: _CompareProgress | None = None) -> dict:
    """Read and solve each file with the same overrides: {label: Result}, labelled by
    file stem (numbered where two stems are the same)."""
    from polyflow.io.reader import load
    from polyflow.report.compare import unique_labels

    overrides = _overrides(sets)
    labels = unique_labels([f.stem for f in files])
    results = {}
    for i, (label, file) in enumerate(zip(labels, files, strict=True), start=1):
        if progress is not None:
            progress.file(i, label)
        fs = _run_guarded(ctx, load, file, overrides)
        results[label] = _run_guarded(ctx, fs.solve, progress=progress)
    return results


def _write_or_echo(output: Path | None, content: str | bytes, quiet: bool,
                   bom: bool | None = None) -> None:
    """Write ``content`` to ``output`` (a CSV with ``bom``: the UTF-8 byte-order mark for
    Excel; None: by the file's suffix) or echo it to standard output."""
    from polyflow.report import write_atomic

    if output is not None:
        try:
            write_atomic(output, content, bom)
        except OSError as err:      # checked before the solve; a full disk, a race
            raise PolyflowCLIError(f"-o {output}: cannot write: {err.strerror}", 2) from None
        if not quiet:
            click.echo(f"wrote {output}", err=True)
    else:
        click.echo(content, nl=False)


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@_report_options("Override a unit or feed parameter in every file.")
@click.pass_context
def compare(ctx, files: tuple[Path, ...], fmt: str, output: Path | None,
            sets: tuple[str, ...], quiet: bool) -> None:
    """Solve FILES and show them side by side: recoveries, product grades, reagents per
    tonne of ore, power by area and water, with the difference to the first file."""
    from polyflow.report.compare import render_compare

    if len(files) < 2:
        raise click.UsageError("give at least two flowsheet files to compare")
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give the file with -o "
                               "PATH.xlsx")
    _output_checked(output)
    progress = _CompareProgress(quiet, len(files))
    try:
        results = _solve_files(ctx, files, sets, quiet, progress)
    finally:
        progress.done()
    paths = {label: str(f) for label, f in zip(results, files, strict=True)}
    economics = {label: _economics(ctx, f, results[label], sets)
                 for label, f in zip(results, files, strict=True)}
    _write_or_echo(output, render_compare(results, fmt, paths, economics), quiet,
                   bom=fmt == "csv")
    open_balance = [label for label, r in results.items() if not r.closed]
    if open_balance:
        raise PolyflowCLIError("the element balance does not close to 1e-9 in "
                               + ", ".join(open_balance), 3)


def _plot_output(output: Path | None, first: Path, kind: str) -> tuple[Path, str]:
    """The image file and its format (png, svg or pdf, from the suffix)."""
    default = "pdf" if kind == "pfd" else "png"
    path = output if output is not None else Path(f"{first.stem}_{kind}.{default}")
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise click.BadParameter(f"{path.name!r}: name the image .png, .svg or .pdf",
                                 param_hint="-o")
    return path, suffix


def _terminal_width(output: Path | None) -> int | None:
    """The terminal's width when the report goes to a terminal (tables are cut into
    blocks that fit); None for a file or a pipe (full rows, for pasting)."""
    import shutil
    import sys

    if output is not None or not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size((120, 24)).columns, 60)


def _names(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


@main.command()
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
@click.pass_context
def plot(ctx, files: tuple[Path, ...], kind: str, output: Path | None, element: str | None,
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
    _output_checked(path)
    from polyflow.report.provenance import provenance_line

    if kind == "flowsheet":             # the diagram needs no solve
        from polyflow.io.reader import load

        fs = _run_guarded(ctx, load, files[0], _overrides(sets))
        subject = provenance_line(getattr(fs, "provenance", {}))
        fig = plots.flowsheet_figure(fs)
    else:
        progress = _CompareProgress(quiet, len(files))
        try:
            results = _solve_files(ctx, files, sets, quiet, progress)
        finally:
            progress.done()
        first = next(iter(results.values()))
        subject = "\n".join(provenance_line(r.provenance) for r in results.values())
        if kind == "pfd":
            from polyflow.report.pfd import pdf_bytes, pfd_pages

            pages = _run_guarded(ctx, pfd_pages, first)
            if image_format == "pdf":
                _write_or_echo(path, pdf_bytes(pages), quiet)
                return
            if len(pages) > 1 and not quiet:
                click.echo(f"note: the diagram has {len(pages)} pages; {path.name} shows the "
                           "first (name the file .pdf for all)", err=True)
            _write_or_echo(path, plots.figure_bytes(pages[0], image_format,
                                                    subject=subject), quiet)
            return
        draw = {
            "sankey": lambda: plots.sankey_figure(first, element, min_share=min_share),
            "streams": lambda: plots.streams_figure(first, _names(streams), _names(columns)),
            "recovery": lambda: plots.recovery_figure(
                results if len(results) > 1 else first, _names(element)),
            "psd": lambda: plots.psd_figure(first, _names(streams)),
            "waterfall": lambda: _waterfall(ctx, files[0], first, sets),
        }[kind]
        fig = _run_guarded(ctx, draw)
    _write_or_echo(path, plots.figure_bytes(fig, image_format, subject=subject), quiet)


def _waterfall(ctx, file: Path, result, sets: tuple[str, ...]):
    from polyflow.report.economics import waterfall_figure

    economics = _economics(ctx, file, result, sets)
    if economics is None:
        raise click.UsageError(f"--kind waterfall needs an [economics] table in {file}")
    return waterfall_figure(economics, f"{result.flowsheet_name}: value from feeds to "
                                       "operating margin [MUSD/y]")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--spec", "specs", multiple=True, metavar="SPEC", help=_SPEC_HELP)
@click.pass_context
def check(ctx, file: Path, specs: tuple[str, ...]) -> None:
    """Read and validate FILE and check degrees of freedom, without solving."""
    from polyflow.io.reader import load
    from polyflow.report.text import text_table

    fs = _run_guarded(ctx, load, file, None, _specs(specs))
    asm = _run_guarded(ctx, fs.check)
    rows = [{"unit": name, "model": fs.units[name].model, "equations": r, "unknowns": u}
            for name, (r, u) in asm.unit_rows.items()]
    click.echo(f"{fs.name}: {len(fs.units)} units, {len(asm.streams)} streams, "
               f"{len(fs.species)} species")
    with_specs = f" (with {len(fs.specs)} spec(s): as many inputs freed as targets " \
        "added, each target reachable from its input)" if fs.specs else ""
    aq = asm.system.aqueous
    n_aq = aq.N * aq.n if aq is not None else 0
    speciation = f" (and {n_aq} speciation equations and unknowns: {aq.n} per stream, " \
        f"{aq.database}.dat)" if aq is not None else ""
    click.echo(f"{asm.system.n_rows - n_aq} equations for {asm.system.n - n_aq} unknowns"
               f"{with_specs}{speciation}; every unit specified exactly; the structure is "
               f"non-singular.")
    click.echo(text_table(rows))


@main.command()
@click.argument("model", required=False)
def units(model: str | None) -> None:
    """The catalogue of unit models and their parameters (or one MODEL in full)."""
    from polyflow.errors import did_you_mean
    from polyflow.report.catalogue import describe, summary

    if model is None:
        click.echo(summary())
        return
    try:
        click.echo(describe(model))
    except KeyError:
        from polyflow.units.registry import model_registry

        raise click.BadParameter(f"no model {model!r}; "
                                 f"{did_you_mean(model, model_registry())}") from None


@main.command()
@click.argument("text", required=False, default="")
def species(text: str) -> None:
    """Search the species tables (id, formula, name or alias containing TEXT)."""
    from polyflow.chem.species import load_database
    from polyflow.report.text import text_table

    db = load_database()
    t = text.lower()
    rows = [{"id": sp.id, "name": sp.name, "aliases": "; ".join(sp.aliases),
             "M [g/mol]": sp.molar_mass, "dHf [kJ/mol]": sp.dHf,
             "source": "/".join(dict.fromkeys(s for s in sp.sources if s))}
            for sp in db if not t or t in " ".join([sp.id, sp.name, *sp.aliases]).lower()]
    if not rows:
        raise click.BadParameter(f"no species matches {text!r}", param_hint="TEXT")
    click.echo(text_table(rows))
    click.echo(f"{len(rows)} of {len(db)} species. Sources: " + "; ".join(
        f"{k} = {v}" for k, v in sorted(db.sources.items())
        if any(k in r["source"].split("/") for r in rows)))


from polyflow.design.cli import design  # noqa: E402

main.add_command(design)

from polyflow.study.cli import sensitivity, study  # noqa: E402  (issue #16)

main.add_command(study)
main.add_command(sensitivity)


if __name__ == "__main__":  # pragma: no cover
    main()
