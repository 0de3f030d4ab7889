"""``polyflow check``: read, validate and count degrees of freedom, without solving."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.commands.guard import guarded
from polyflow.commands.options import SPEC_HELP, specs

__all__ = ["check"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--spec", "spec_texts", multiple=True, metavar="SPEC", help=SPEC_HELP)
def check(file: Path, spec_texts: tuple[str, ...]) -> None:
    """Read and validate FILE and check degrees of freedom, without solving."""
    from polyflow.io.reader import load
    from polyflow.report.text import text_table

    fs = guarded(load, file, None, specs(spec_texts))
    asm = guarded(fs.check)
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
