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


@click.group()
def design() -> None:
    """Design calculations (size a unit from targets, then simulate it)."""


@design.command("ree-cascade")
@click.option("--feed-a", "f_A", type=FINITE, required=True,
              help="Fraction of the more extractable group A in the feed rare earths.")
@click.option("--beta", type=FINITE, required=True, help="Separation factor A/B at the split.")
@click.option("--purity-a", "P_A", type=FINITE, default=0.99, show_default=True,
              help="Purity of the A product (strip liquor), fraction.")
@click.option("--purity-b", "P_B", type=FINITE, default=0.99, show_default=True,
              help="Purity of the B product (raffinate), fraction.")
@click.option("--multiplier", type=FINITE, default=1.2, show_default=True,
              help="Organic flow as a multiple of the minimum.")
@click.option("--a", "A", default="Nd", show_default=True, help="Element standing for A.")
@click.option("--b", "B", default="Pr", show_default=True, help="Element standing for B.")
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
    except PolyflowError as err:      # exit codes of docs/exit-codes.md
        from polyflow.errors import ConvergenceError, InputError, SingularSystemError

        failure = click.ClickException(str(err))
        failure.exit_code = 3 if isinstance(err, ConvergenceError | SingularSystemError) \
            else 2 if isinstance(err, InputError) else 1
        raise failure from None
