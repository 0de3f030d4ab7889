"""The numbers a study reports, read from a result record by their path.

Paths are those of the JSON result (docs/json-output.md) and of spec targets
(:mod:`polyflow.solve.measures`): ``streams.S.FIELD[.KEY]`` is evaluated by the spec
code's :class:`~polyflow.solve.measures.Measure` on the solved unknowns (so
``streams.pls.g_L.Cu`` means the same in a study, a spec and a sensitivity); every other
path (``recovery.Cu.cathode``, ``energy.ew.power_kW``, ``reagents...``, ``ore_t_h``)
walks the record's figures. A failed point reads NaN.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from polyflow.errors import InputError, did_you_mean
from polyflow.io.spec_tables import split_path

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["Outputs"]

#: record figures a path may start with (besides ``streams``)
FIGURES = ("recovery", "energy", "reagents", "water", "power_by_area", "closure",
           "ore_t_h", "specs", "element_in_kg_h", "element_out_kg_h")


class Outputs:
    """Readers of the output paths of one plant (built once from the base plant)."""

    def __init__(self, paths: list[str], fs: Flowsheet) -> None:
        self.paths = list(paths)
        self._measures: dict[str, Any] = {}
        streams = [p for p in paths if split_path(p)[:1] == ["streams"]]
        if streams:
            from polyflow.solve.assemble import assemble
            from polyflow.solve.measures import measure

            asm = assemble(fs)
            for p in streams:
                try:
                    self._measures[p] = measure(p, asm.system, fs, asm)
                except InputError as err:
                    raise InputError(err.message.replace("target", "output", 1),
                                     field="outputs", hint=err.hint) from None
        for p in paths:
            head = split_path(p)[0]
            if head != "streams" and head not in FIGURES:
                raise InputError(f"output {p!r}: a path starts with streams or one of "
                                 + ", ".join(FIGURES), field="outputs",
                                 hint=did_you_mean(head, ("streams", *FIGURES)))

    def units_read(self) -> frozenset[str] | bool:
        """What a point's record must hold for these outputs (``solve(lean=...)``): the
        names of the units whose reports they read (``energy.UNIT.KEY``), or True when
        an output reads every unit's (``power_by_area``, ``energy.UNIT`` alone)."""
        names = set()
        for p in self.paths:
            parts = split_path(p)
            if parts[0] == "power_by_area" or (parts[0] == "energy" and len(parts) < 3):
                return True
            if parts[0] == "energy":
                names.add(parts[1])
        return frozenset(names)

    def check(self, result: Result) -> None:
        """Raise :class:`InputError` for a path the (converged) ``result`` lacks."""
        for p in self.paths:
            self.value(result, p, strict=True)

    def values(self, result: Result) -> dict[str, float]:
        return {p: self.value(result, p) for p in self.paths}

    def value(self, result: Result, path: str, strict: bool = False) -> float:
        if not result.converged:
            return math.nan
        m = self._measures.get(path)
        if m is not None:
            return float(m.value(result.x[m.cols]))
        parts = split_path(path)
        node: Any = getattr(result, parts[0])
        for i, key in enumerate(parts[1:], start=1):
            if not isinstance(node, dict) or key not in node:
                if not strict:
                    return math.nan      # e.g. a unit that reports a key only sometimes
                choices = list(node) if isinstance(node, dict) else []
                raise InputError(f"output {path!r}: {'.'.join(parts[:i])} has no "
                                 f"{key!r}", field="outputs", hint=did_you_mean(key, choices))
            node = node[key]
        if isinstance(node, bool) or not isinstance(node, int | float):
            if strict:
                raise InputError(f"output {path!r} is not a number", field="outputs",
                                 hint="name one number, e.g. recovery.Cu.cathode")
            return math.nan
        return float(node)
