"""Where a command's report goes: a file (atomically) or standard output."""

from __future__ import annotations

from pathlib import Path

import click

from polyflow.commands.guard import PolyflowCLIError

__all__ = ["terminal_width", "write_or_echo"]


def write_or_echo(output: Path | None, content: str | bytes, quiet: bool,
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


def terminal_width(output: Path | None) -> int | None:
    """The terminal's width when the report goes to a terminal (tables are cut into
    blocks that fit); None for a file or a pipe (full rows, for pasting)."""
    import shutil
    import sys

    if output is not None or not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size((120, 24)).columns, 60)
