"""``polyflow units`` and ``polyflow species``: the catalogue of unit models and the
species tables."""

from __future__ import annotations

import click

__all__ = ["species", "units"]


@click.command()
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


@click.command()
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
