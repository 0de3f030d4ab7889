"""``python -m polyflow`` and the ``polyflow`` console script.

The command line is imported inside a guard, so Ctrl-C during start-up ends with one
line and exit code 130 like Ctrl-C at any later moment (docs/exit-codes.md), never with
a traceback."""

from __future__ import annotations

import sys

__all__ = ["main"]

INTERRUPTED = "Error: interrupted (Ctrl-C); nothing was written"


def main() -> None:
    """Run the ``polyflow`` command group."""
    try:
        from polyflow.cli import main as command_line
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
    command_line()


if __name__ == "__main__":
    main()
