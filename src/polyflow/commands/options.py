"""Options and option parsers several commands share: the report options of ``run`` and
``compare``, ``--spec``, and report control (``--sections``, ``--streams``, ``--area``)."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.errors import InputError

__all__ = ["SPEC_HELP", "names", "report_options", "selection", "selection_options",
           "specs"]

SPEC_HELP = ("Solve for an input: 'NAME: vary=UNIT.FIELD, target=JSON.PATH, value=V[, "
             "bounds=LO..HI]', e.g. --spec 'vary=acid.flows.H2SO4, "
             "target=streams.pls.g_L.H2SO4, value=6 g/L' (docs/specs.md).")


def report_options(set_help: str):
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


def specs(values: tuple[str, ...]) -> dict:
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


def names(text: str | None) -> list[str] | None:
    """A comma-separated option as a list (None when not given)."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


# -- report control (issue #18): which sections, streams and area a report shows -------
#: polyflow.report.selection.SECTIONS, written out so that --help imports no report
#: (a test checks that they agree)
SECTIONS_HELP = ("summary, streams, balance, recovery, energy, units, comminution, "
                 "reagents, water, lines, economics")


def selection_options(fn):
    """--sections, --streams, --area (polyflow.report.selection)."""
    for option in reversed([
        click.option("--sections", metavar="NAME,...",
                     help="Report only these sections (text, md), comma-separated: "
                          f"{SECTIONS_HELP}."),
        click.option("--streams", "stream_names", metavar="NAME,...",
                     help="Show only these streams (text, md, csv), comma-separated."),
        click.option("--area", metavar="AREA",
                     help="Show only the streams into or out of this area's units, and "
                          "its units' energy and results (text, md, csv)."),
    ]):
        fn = option(fn)
    return fn


def selection(fmt: str, sections: str | None, streams: str | None,
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
