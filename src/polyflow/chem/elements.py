"""Elements and standard atomic weights, read from ``data/elements.csv`` (IUPAC 2021)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from polyflow.errors import DataError, did_you_mean

__all__ = ["atomic_weight", "element_table", "read_data_csv"]


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of a packaged CSV data file; lines starting with '#' are its citation header."""
    text = resources.files("polyflow.data").joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


@cache
def element_table() -> dict[str, float]:
    """Map element symbol -> standard atomic weight [g/mol].

    >>> element_table()["Cu"]
    63.546
    """
    return {row["symbol"]: float(row["atomic_weight"]) for row in read_data_csv("elements.csv")}


def atomic_weight(symbol: str) -> float:
    """Standard atomic weight of ``symbol`` [g/mol]; a clear error for an unknown symbol.

    >>> atomic_weight("Au")
    196.97
    """
    table = element_table()
    try:
        return table[symbol]
    except KeyError:
        raise DataError(f"unknown element symbol {symbol!r}",
                        hint=did_you_mean(symbol, table)) from None
