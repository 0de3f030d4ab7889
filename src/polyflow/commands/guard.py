"""Our errors to click's, with the exit codes of docs/exit-codes.md (0 success; 2 bad
input; 3 the solve failed; 130 interrupted; 1 anything else), and the ``--set`` values
every command reads. Shared by :mod:`polyflow.cli` and :mod:`polyflow.study.cli`."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.errors import ConvergenceError, InputError, PolyflowError, SingularSystemError

__all__ = ["PolyflowCLIError", "guarded", "literal", "output_checked", "overrides"]


class PolyflowCLIError(click.ClickException):
    """An error shown as one line ``Error: ...`` that exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


def guarded(fn, *args, **kw):
    """``fn(*args, **kw)``, a :class:`~polyflow.errors.PolyflowError` turned into one line
    and exit 3 (no convergence, singular system), 2 (bad input) or 1; raised as it is
    with ``polyflow --debug``."""
    ctx = click.get_current_context()
    try:
        return fn(*args, **kw)
    except PolyflowError as err:
        if (ctx.find_root().obj or {}).get("debug"):
            raise
        code = 3 if isinstance(err, ConvergenceError | SingularSystemError) else \
            2 if isinstance(err, InputError) else 1
        raise PolyflowCLIError(str(err), code) from None


def output_checked(output: Path | None) -> None:
    """A bad -o path is an input error found before the solve (exit 2)."""
    if output is not None:
        from polyflow.io.output_path import check_output_path

        try:
            check_output_path(output)
        except InputError as err:
            raise PolyflowCLIError(str(err), 2) from None


def overrides(values: tuple[str, ...]) -> dict[str, str]:
    """``--set UNIT.PARAM=VALUE`` options, by path."""
    out = {}
    for item in values:
        key, eq, value = item.partition("=")
        if not eq or "." not in key:
            raise click.BadParameter(f"{item!r} must read unit.param=value",
                                     param_hint="--set")
        out[key.strip()] = literal(value.strip())
    return out


def literal(text: str):
    """A --set value: a TOML value if it reads as one (numbers, tables), else a string."""
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except ValueError:          # not TOML (TOMLDecodeError), or an int of 4,300+ digits
        return text
