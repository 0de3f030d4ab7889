"""Newton's progress on standard error, on a terminal only and after the first second."""

from __future__ import annotations

import sys
import time

import click

__all__ = ["CompareProgress", "Progress"]


class Progress:
    """Newton progress on stderr, only on a terminal and after the first second."""

    def __init__(self, quiet: bool) -> None:
        self.on = not quiet and sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self.shown = False
        self.prefix = ""

    def __call__(self, iteration: int, residual: float) -> None:
        if not self.on or time.perf_counter() - self.t0 < 1.0:
            return
        self.shown = True
        click.echo(f"\r{self.prefix}Newton iteration {iteration:3d}  largest scaled "
                   f"residual {residual:9.2e}", err=True, nl=False)

    def done(self) -> None:
        if self.shown:
            click.echo("", err=True)


class CompareProgress(Progress):
    """Progress of several solves: "file i of n" and Newton's iterations, on a terminal
    after the first second of the whole comparison."""

    def __init__(self, quiet: bool, n_files: int) -> None:
        super().__init__(quiet)
        self.n_files = n_files

    def file(self, i: int, label: str) -> None:
        """Solving file ``i`` (from 1) now."""
        self.prefix = f"file {i} of {self.n_files} ({label}): "
        if self.on and time.perf_counter() - self.t0 >= 1.0:
            self.shown = True
            click.echo(f"\r{self.prefix}reading and solving{' ' * 40}", err=True, nl=False)
