"""What a report shows: its sections, streams and plant area (``polyflow run
--sections``, ``--streams``, ``--area``).

A :class:`Selection` is checked against the result before anything is written, so a
mistyped section, stream or area is an input error naming what exists. The plant-wide
tables (element balance, recovery) are the plant's whatever the area: an area has no
closure of its own.

>>> Selection(sections=("summary", "recovery")).wants("streams")
False
>>> Selection().wants("streams")
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from polyflow.errors import InputError, did_you_mean

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["SECTIONS", "Selection"]

#: the sections of the text and Markdown reports, in the order they are printed
SECTIONS = ("summary", "streams", "balance", "recovery", "energy", "units", "comminution",
            "reagents", "water", "lines", "economics")


@dataclass(frozen=True)
class Selection:
    """Sections to show (None: all), streams to show by name (None: all), and a plant
    area (None: the whole plant; else the streams into or out of that area's units and
    the units of that area in the energy, unit-result and comminution tables)."""

    sections: tuple[str, ...] | None = None
    streams: tuple[str, ...] | None = None
    area: str | None = None

    def wants(self, section: str) -> bool:
        return self.sections is None or section in self.sections

    def checked(self, result: Result) -> Selection:
        """This selection, or an :class:`InputError` naming the option and what exists."""
        for s in self.sections or ():
            if s not in SECTIONS:
                raise InputError(f"no report section {s!r}", field="--sections",
                                 hint=did_you_mean(s, SECTIONS) or
                                 "sections: " + ", ".join(SECTIONS))
        for s in self.streams or ():
            if s not in result.stream_names:
                raise InputError(f"no stream {s!r} in {result.flowsheet_name}",
                                 field="--streams", hint=did_you_mean(s, result.stream_names))
        areas = sorted({u.area for u in result.units.values()})
        if self.area is not None and self.area not in areas:
            raise InputError(f"no area {self.area!r} in {result.flowsheet_name}",
                             field="--area", hint=did_you_mean(self.area, areas) or
                             "areas: " + ", ".join(areas))
        return self

    def _in_area(self, result: Result, unit: str) -> bool:
        return self.area is None or result.units[unit].area == self.area

    def stream_names(self, result: Result) -> list[str]:
        """The streams shown: those named (in the order named), else every stream, then
        only those into or out of a unit of the area."""
        names = list(self.streams) if self.streams else result.stream_names
        return [n for n in names if self._in_area(result, result.stream(n).src)
                or self._in_area(result, result.stream(n).dst)]

    def stream_rows(self, result: Result, rows: Sequence[Mapping[str, Any]]
                    ) -> list[dict[str, Any]]:
        """``rows`` keyed by ``stream``, kept for the streams shown, in their order."""
        if self.streams is None and self.area is None:
            return [dict(r) for r in rows]
        by_name = {r["stream"]: r for r in rows}
        return [dict(by_name[n]) for n in self.stream_names(result) if n in by_name]

    def unit_rows(self, result: Result, rows: Sequence[Mapping[str, Any]]
                  ) -> list[dict[str, Any]]:
        """Rows keyed by ``unit``, kept for the units of the area (rows without a unit,
        such as totals, are kept)."""
        return [dict(r) for r in rows if "unit" not in r or r["unit"] not in result.units
                or self._in_area(result, r["unit"])]

    @classmethod
    def from_options(cls, sections: str | None, streams: str | None,
                     area: str | None) -> Selection:
        """From the command line's comma-separated ``--sections`` and ``--streams``."""
        def names(text: str | None) -> tuple[str, ...] | None:
            if not text:
                return None
            return tuple(t.strip() for t in text.split(",") if t.strip()) or None

        return cls(names(sections), names(streams), area or None)
