"""Named layouts of a unit's internal unknowns (or of any flat vector): blocks with a name
and a shape, in declaration order, instead of offset arithmetic such as
``x[2*N*E + 2*N + 5:]``.

A unit declares its blocks once, hands the names, start values and bounds to
``eq.internal`` and reads every block back by name, as global indices (from the indices
``eq.internal`` returns) or as values (from a solution's internal vector); the same layout
describes the local columns of a nonlinear block:

>>> import numpy as np
>>> lay = Layout()
>>> lay.add("aq", (2, 3), labels=[f"aq[{j},{e}]" for j in (1, 2) for e in "abc"])
>>> lay.add("acid", 2, lower=0.0)
>>> lay.add("V_org", guess=1.0)
>>> lay.size, lay.slice("acid"), lay.index("V_org")
(9, slice(6, 8, None), 8)
>>> z = np.arange(100, 109)                 # the global indices eq.internal returned
>>> lay.take("aq", z)[1].tolist(), int(lay.take("V_org", z))
([103, 104, 105], 108)
>>> lay.labels()[6:], lay.guesses()[8], lay.lower()[6:]
(['acid[1]', 'acid[2]', 'V_org'], 1.0, [0.0, 0.0, None])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Block", "Layout"]


@dataclass(frozen=True)
class Block:
    """One named block: its place ``start`` in the vector and its ``shape`` (``()``: a
    single unknown)."""

    name: str
    start: int
    shape: tuple[int, ...]
    guess: float | Sequence[float]
    lower: float | None
    upper: float | None
    labels: tuple[str, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def stop(self) -> int:
        return self.start + self.size


class Layout:
    """Blocks of a flat vector by name, in the order they are added."""

    def __init__(self) -> None:
        self._blocks: dict[str, Block] = {}
        self.size = 0

    def add(self, name: str, shape: int | tuple[int, ...] = (), *,
            guess: float | Sequence[float] = 0.0, lower: float | None = None,
            upper: float | None = None, labels: Sequence[str] | None = None) -> None:
        """Append the block ``name`` of ``shape`` (an int for a vector, ``()`` for one
        unknown; a zero size is allowed: a block a model variant does not use). ``guess``
        (a number or one per unknown), ``lower`` and ``upper`` apply to every unknown of
        the block; ``labels`` default to ``name[1]``, ``name[2]``, ... (``name`` alone
        for one unknown)."""
        if name in self._blocks:
            raise ValueError(f"layout block {name!r} is declared twice")
        shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
        if any(n < 0 for n in shape):
            raise ValueError(f"layout block {name!r}: negative shape {shape}")
        n = math.prod(shape)
        if labels is None:
            labels = [name] if shape == () else [f"{name}[{i + 1}]" for i in range(n)]
        if len(labels) != n:
            raise ValueError(f"layout block {name!r}: {len(labels)} labels for {n} unknowns")
        if not isinstance(guess, int | float) and len(guess) != n:
            raise ValueError(f"layout block {name!r}: {len(guess)} guesses for {n} unknowns")
        self._blocks[name] = Block(name, self.size, shape, guess, lower, upper, tuple(labels))
        self.size += n

    def __contains__(self, name: str) -> bool:
        return name in self._blocks

    def __getitem__(self, name: str) -> Block:
        try:
            return self._blocks[name]
        except KeyError:
            raise KeyError(f"layout has no block {name!r}; it has "
                           f"{', '.join(self._blocks)}") from None

    @property
    def names(self) -> list[str]:
        return list(self._blocks)

    def slice(self, name: str) -> slice:
        """Where block ``name`` lies in the flat vector."""
        b = self[name]
        return slice(b.start, b.stop)

    def index(self, name: str) -> np.ndarray | int:
        """Local indices of block ``name`` in its shape (an int for one unknown)."""
        b = self[name]
        if b.shape == ():
            return b.start
        return np.arange(b.start, b.stop).reshape(b.shape)

    def take(self, name: str, x: np.ndarray) -> Any:
        """Block ``name`` of ``x`` in its shape: global indices when ``x`` is the index
        array ``eq.internal`` returned, values when it is a solution's internal vector."""
        b = self[name]
        if b.shape == ():
            return x[b.start]
        return np.asarray(x[b.start:b.stop]).reshape(b.shape)

    def gather(self, arrays: Mapping[str, Any]) -> np.ndarray:
        """The flat vector of the blocks' entries in layout order (``arrays``: one entry
        per block, in its shape): e.g. the global columns of a nonlinear block whose
        local columns this layout names."""
        missing = [n for n in self._blocks if n not in arrays]
        if missing:
            raise KeyError(f"gather: no entry for block {missing[0]!r}")
        parts = []
        for name, b in self._blocks.items():
            part = np.asarray(arrays[name]).ravel()
            if len(part) != b.size:
                raise ValueError(f"gather: block {name!r} has {b.size} entries, got "
                                 f"{len(part)}")
            parts.append(part)
        return np.concatenate(parts) if parts else np.zeros(0)

    def declare(self, eq: Any) -> np.ndarray:
        """Add the layout's unknowns to a unit's equations (``eq.internal`` with the
        labels, start values and bounds); returns their global indices, to be read
        with :meth:`take`."""
        return eq.internal(self.labels(), self.guesses(), lower=self.lower(),
                           upper=self.upper())

    def labels(self) -> list[str]:
        return [lab for b in self._blocks.values() for lab in b.labels]

    def guesses(self) -> list[float]:
        out: list[float] = []
        for b in self._blocks.values():
            out += [float(b.guess)] * b.size if isinstance(b.guess, int | float) \
                else [float(g) for g in b.guess]
        return out

    def lower(self) -> list[float | None]:
        return [b.lower for b in self._blocks.values() for _ in range(b.size)]

    def upper(self) -> list[float | None]:
        return [b.upper for b in self._blocks.values() for _ in range(b.size)]
