"""``polyflow design``: unit sizing from targets, verified by simulation."""

from __future__ import annotations

import click

__all__ = ["design"]


@click.group()
def design() -> None:
    """Design calculations (size a unit from targets, then simulate it)."""


@design.command("ree-cascade")
@click.option("--feed-a", "f_A", type=float, required=True,
              help="Fraction of the more extractable group A in the feed rare earths.")
@click.option("--beta", type=float, required=True, help="Separation factor A/B at the split.")
@click.option("--purity-a", "P_A", type=float, default=0.99, show_default=True,
              help="Purity of the A product (strip liquor), fraction.")
@click.option("--purity-b", "P_B", type=float, default=0.99, show_default=True,
              help="Purity of the B product (raffinate), fraction.")
@click.option("--multiplier", type=float, default=1.2, show_default=True,
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
    except PolyflowError as err:
        raise click.ClickException(str(err)) from None
