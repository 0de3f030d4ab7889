"""``polyflow design``: unit sizing from targets, verified by simulation."""

from __future__ import annotations

import math

import click

__all__ = ["design"]


class _Finite(click.ParamType):
    """A float that is a finite number (click's FLOAT takes 'nan' and 'inf')."""

    name = "number"

    def convert(self, value, param, ctx):
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(x):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return x


FINITE = _Finite()


def _cut_options(command):
    """The options both REE design commands share: the feed, the separation factor, the
    organic flow multiplier and which elements stand for A and B."""
    for option in reversed((
            click.option("--feed-a", "f_A", type=FINITE, required=True,
                         help="Molar fraction of the more extractable element A in the "
                              "feed rare earths."),
            click.option("--beta", type=FINITE, required=True,
                         help="Separation factor A/B at the split."),
            click.option("--multiplier", type=FINITE, default=1.2, show_default=True,
                         help="Organic flow as a multiple of the minimum."),
            click.option("--a", "A", default="Nd", show_default=True,
                         help="Element standing for A (La, Ce, Pr, Nd)."),
            click.option("--b", "B", default="Pr", show_default=True,
                         help="Element standing for B (La, Ce, Pr, Nd)."))):
        command = option(command)
    return command


def _failure(err) -> click.ClickException:
    """A polyflow error as a click failure with the exit code of docs/exit-codes.md."""
    from polyflow.errors import ConvergenceError, InputError, SingularSystemError

    failure = click.ClickException(str(err))
    failure.exit_code = 3 if isinstance(err, ConvergenceError | SingularSystemError) \
        else 2 if isinstance(err, InputError) else 1
    return failure


@click.group()
def design() -> None:
    """Design calculations (size a unit from targets, then simulate it)."""


@design.command("ree-cascade")
@_cut_options
@click.option("--purity-a", "P_A", type=FINITE, default=0.99, show_default=True,
              help="Purity of the A product (strip liquor), fraction.")
@click.option("--purity-b", "P_B", type=FINITE, default=0.99, show_default=True,
              help="Purity of the B product (raffinate), fraction.")
@click.option("--no-verify", is_flag=True, help="Skip the simulation of the design.")
def ree_cascade(f_A, beta, P_A, P_B, multiplier, A, B, no_verify) -> None:
    """Minimum and chosen extraction/scrub flows and stage numbers of a two-product
    rare-earth cascade (Xu's theory of counter-current extraction), then the achieved
    purity and recovery from the rigorous ree_cascade unit."""
    from polyflow.design.ree import design_cascade, verify_design
    from polyflow.errors import PolyflowError

    try:
        d = design_cascade(f_A, beta, P_A, P_B, multiplier)
        for line in d.lines():
            click.echo(line)
        if not no_verify:
            v = verify_design(d, A=A, B=B)
            click.echo(f"verification ({A} as A, {B} as B; {v['iterations']} Newton "
                       f"iterations, closure {v['closure']:.1e}):")
            click.echo(f"  A product purity {100 * v['A_purity']:.3f} %, recovery "
                       f"{100 * v['A_recovery']:.3f} %")
            click.echo(f"  B product purity {100 * v['B_purity']:.3f} %, recovery "
                       f"{100 * v['B_recovery']:.3f} %")
    except PolyflowError as err:
        raise _failure(err) from None


@design.command("ree-plant")
@_cut_options
@click.option("--grade-a", "grade_A", type=FINITE, default=0.995, show_default=True,
              help="A's oxide by mass of the A product (Nd2O3 in the Nd oxide), fraction.")
@click.option("--grade-b", "grade_B", type=FINITE, default=0.99, show_default=True,
              help="B's oxide by mass of the B product, fraction.")
def ree_plant(f_A, beta, grade_A, grade_B, multiplier, A, B) -> None:
    """Purity to plant: design an A/B cut from oxide grades by mass, solve it as a plant
    (rigorous cascade with its scrub reflux, oxalate precipitation, calcination), add
    stages until the plant meets the grades, and print the grades, the reagents per
    tonne of oxide and the effluent."""
    from polyflow.design.ree_plant import design_to_plant
    from polyflow.errors import PolyflowError

    try:
        d, out = design_to_plant(f_A, beta, grade_A, grade_B, A, B, multiplier)
    except PolyflowError as err:
        raise _failure(err) from None
    for line in d.lines():
        click.echo(line)
    v = d.verification
    click.echo(f"plant ({out['iterations']} Newton iterations, closure {out['closure']:.1e}): "
               f"{v['added_extraction']} extraction and {v['added_scrub']} scrub stages "
               f"added to the theory's")
    ox = out["oxide_kg_h"]
    click.echo(f"  {A} product {ox['A']:.4g} kg/h: {100 * out['grade_A']:.4f} % {A}'s oxide")
    click.echo(f"  {B} product {ox['B']:.4g} kg/h: {100 * out['grade_B']:.4f} % {B}'s oxide")
    click.echo("reagents (kg per t of both oxides):")
    for name, kg in out["reagents_kg_per_t"].items():
        click.echo(f"  {name}: {kg:.4g}")
    total_t = (ox["A"] + ox["B"]) / 1000.0
    click.echo("effluent, oxalate filtrates (kg per t of both oxides):")
    for name, kg in out["effluent_kg_h"].items():
        click.echo(f"  {name}: {kg / total_t:.4g}")
