"""Colours of products, elements, streams and flowsheets, defined once for every figure.

A name always gets the same colour, in every figure and every run: an element of
:data:`ELEMENT_COLOUR` its own (copper brown, gold gold...), any other name the slot of a
fixed palette chosen by a stable hash of the name (CRC-32, not Python's salted
``hash``). Where two names of one figure fall in the same slot, :func:`colours` moves
the later name (in name order) to the next free slot, so that a figure never shows two
series in one colour; pass the plant's full list of names (all its products) so that
the choice does not depend on which of them a figure happens to show.

>>> colour_of("Cu")
'#b87333'
>>> colour_of("cathode") == colour_of("cathode")
True
>>> a, b = colours(["x", "y"]).values(); a != b
True
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

__all__ = ["ELEMENT_COLOUR", "PALETTE", "colour_of", "colours"]

#: matplotlib's "tab20" colours, darker of each pair first (distinct on screen and paper)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")

#: elements in the colour a metallurgist associates with them
ELEMENT_COLOUR = {
    "Cu": "#b87333", "Au": "#d4a017", "Ag": "#a8a9ad", "Sb": "#4f6d7a", "W": "#2e4053",
    "Fe": "#8e3b1f", "S": "#c9b300", "Zn": "#6c8ebf", "Pb": "#555566", "Ni": "#4e9a06",
    "Co": "#0047ab", "Mo": "#6a5acd", "Ca": "#b0a48a", "Si": "#9c9c9c", "Na": "#7fb3d5",
    "La": "#2a9d8f", "Ce": "#e76f51", "Pr": "#6ab04c", "Nd": "#8e44ad", "C": "#333333",
    "N": "#3b5ba5", "Cl": "#48c9b0", "Mn": "#9b2335", "As": "#7d3c98",
}


def _slot(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) % len(PALETTE)


def colour_of(name: str) -> str:
    """The colour of one element (:data:`ELEMENT_COLOUR`) or name (its palette slot)."""
    return ELEMENT_COLOUR.get(name) or PALETTE[_slot(name)]


def colours(names: Iterable[str]) -> dict[str, str]:
    """A colour for every name, distinct within ``names`` (up to the palette's 20; an
    element keeps its own colour)."""
    names = list(dict.fromkeys(names))
    out = {n: ELEMENT_COLOUR[n] for n in names if n in ELEMENT_COLOUR}
    taken = {PALETTE.index(c) for c in out.values() if c in PALETTE}
    for n in sorted(n for n in names if n not in out):
        slot = _slot(n)
        for step in range(len(PALETTE)):
            if (slot + step) % len(PALETTE) not in taken:
                slot = (slot + step) % len(PALETTE)
                break
        taken.add(slot)
        out[n] = PALETTE[slot]
    return {n: out[n] for n in names}
