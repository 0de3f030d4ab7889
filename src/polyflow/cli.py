"""The ``polyflow`` command line (click only; no model logic here): the group, its
``--debug`` and Ctrl-C handling; each command lives in a module of
:mod:`polyflow.commands` (``run``, ``compare``, ``plot``, ``check``, ``units`` and
``species``), :mod:`polyflow.design.cli` and :mod:`polyflow.study.cli`.

Exit codes (docs/exit-codes.md): 0 success; 2 bad input (file, option, specification,
output path); 3 the solve failed (no convergence, singular system, open balance); 130
interrupted (Ctrl-C); 1 anything else (a bug). Tracebacks only with ``--debug``.
"""

from __future__ import annotations

import click

from polyflow.commands.check import check
from polyflow.commands.compare import compare
from polyflow.commands.guard import PolyflowCLIError
from polyflow.commands.listings import species, units
from polyflow.commands.plot import plot
from polyflow.commands.run import run
from polyflow.design.cli import design
from polyflow.study.cli import sensitivity, study  # issue #16

__all__ = ["main"]


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


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.version_option(package_name="polyflow")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """polyflow: flowsheet simulation of poly-metallic refineries."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _command in (run, compare, plot, check, units, species, design, study, sensitivity):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
