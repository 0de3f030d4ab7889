"""The parts of a result record (:class:`polyflow.result.Result`): what reports need of
the species (:class:`SpeciesInfo`), each stream's ends (:class:`StreamEnds`) and each
unit (:class:`UnitInfo`), as plain data with ``to_dict``/``from_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.errors import DataError, did_you_mean

__all__ = ["SpeciesInfo", "StreamEnds", "UnitInfo", "result_key"]


def _array(value: Any, dtype=float) -> np.ndarray:
    return np.asarray(value, dtype=dtype)


@dataclass(eq=False)
class SpeciesInfo:
    """What reports need of the flowsheet's species (see
    :class:`~polyflow.chem.species.SpeciesSet` for the meaning of each field);
    ``aliases`` maps every other name of a species of the set to its id."""

    ids: list[str]
    base_ids: list[str]
    base_index: np.ndarray
    mw: np.ndarray
    phase: np.ndarray
    elements: list[str]
    element_matrix: np.ndarray
    size_index: np.ndarray
    size_classes: np.ndarray | None = None
    aliases: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {sid: i for i, sid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    def mask(self, phases: str | tuple[str, ...]) -> np.ndarray:
        ph = (phases,) if isinstance(phases, str) else tuple(phases)
        return np.isin(self.phase, ph)

    def base_of(self, key: str) -> str:
        """The species id that ``key`` (an id, alias or size component) names."""
        if key in self.index:
            return self.ids[self.index[key]].partition("|")[0]
        sid = self.aliases.get(key, key)
        if sid not in self.base_ids:
            raise DataError(f"species {key!r} is not in this flowsheet's species list",
                            hint=did_you_mean(key, [*self.base_ids, *self.aliases]))
        return sid

    def components(self, key: str) -> np.ndarray:
        """Positions of all size classes of a species (of an unsized one, its one)."""
        k = self.base_ids.index(self.base_of(key))
        return np.nonzero(self.base_index == k)[0]

    def idx(self, key: str) -> int:
        """Position of a species; an error for a species split into size classes."""
        if key in self.index:
            return self.index[key]
        comps = self.components(key)
        if len(comps) != 1:
            raise DataError(f"species {key!r} is split into {len(comps)} size classes; "
                            f"take them all with components({key!r})")
        return int(comps[0])

    @cached_property
    def element_kg_per_kmol(self) -> np.ndarray:
        """kg of each element per kmol of each species: [element, species]."""
        aw = np.array([atomic_weight(e) for e in self.elements])
        return self.element_matrix * aw[:, None]

    def to_dict(self) -> dict[str, Any]:
        return {"ids": list(self.ids), "base_ids": list(self.base_ids),
                "base_index": self.base_index.tolist(), "mw": self.mw.tolist(),
                "phase": [str(p) for p in self.phase], "elements": list(self.elements),
                "element_matrix": self.element_matrix.tolist(),
                "size_index": self.size_index.tolist(),
                "size_classes": None if self.size_classes is None
                else self.size_classes.tolist(),
                "aliases": dict(self.aliases)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeciesInfo:
        return cls(ids=list(d["ids"]), base_ids=list(d["base_ids"]),
                   base_index=_array(d["base_index"], int), mw=_array(d["mw"]),
                   phase=np.array(d["phase"]), elements=list(d["elements"]),
                   element_matrix=_array(d["element_matrix"]).reshape(
                       len(d["elements"]), len(d["ids"])),
                   size_index=_array(d["size_index"], int),
                   size_classes=None if d["size_classes"] is None
                   else _array(d["size_classes"]),
                   aliases=dict(d["aliases"]))


class StreamEnds(NamedTuple):
    """One stream: from ``src.src_port`` to ``dst.dst_port``."""

    name: str
    src: str
    src_port: str
    dst: str
    dst_port: str


@dataclass
class UnitInfo:
    """One unit as reports see it: model, role (``feed``, ``product``, ``process``),
    area, its scalar parameters (``params``, in internal units), the stream of each
    outlet and the streams of each inlet, its internal unknowns' slice of ``x``, and for
    a process unit its results: ``power_kW`` (electrical), ``duty_kW`` (heat added) and
    the model's declared results (``results``: name -> value, ``result_units``: name ->
    unit of measure, ``""`` for a pure number; see
    :class:`~polyflow.units.base.Reported`), and ``outlet_kinds`` (outlet -> what it
    carries: ``coarse``/``fine`` for a size classifier, ``concentrate``/``tailings``
    for a flotation bank)."""

    model: str
    role: str
    area: str
    params: dict[str, Any] = field(default_factory=dict)
    inlets: dict[str, list[str]] = field(default_factory=dict)
    outlets: dict[str, str] = field(default_factory=dict)
    internal: tuple[int, int] = (0, 0)
    power_kW: float = 0.0
    duty_kW: float = 0.0
    results: dict[str, float] = field(default_factory=dict)
    result_units: dict[str, str] = field(default_factory=dict)
    outlet_kinds: dict[str, str] = field(default_factory=dict)

    def outlet_of_kind(self, kind: str) -> str | None:
        """The outlet port that carries ``kind`` (``"coarse"``...), if any."""
        return next((p for p, k in self.outlet_kinds.items() if k == kind), None)

    def result_table(self) -> dict[str, float]:
        """Power, duty and the declared results keyed ``NAME [UNIT]`` for tables."""
        out = {"power [kW]": self.power_kW, "duty [kW]": self.duty_kW}
        for name, v in self.results.items():
            uom = self.result_units.get(name, "")
            out[f"{name} [{uom}]" if uom else name] = v
        return out

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["internal"] = list(self.internal)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UnitInfo:
        d = dict(d)
        d["internal"] = tuple(d["internal"])
        return cls(**d)


def result_key(name: str, unit_of_measure: str) -> str:
    """The key of a declared result in tables and JSON: ``NAME_UNIT`` (``power_kW``,
    ``mass_pull_%``), or the name alone for a pure number.

    >>> result_key("specific_energy", "kWh/t"), result_key("wash_ratio", "")
    ('specific_energy_kWh/t', 'wash_ratio')
    """
    return f"{name}_{unit_of_measure}" if unit_of_measure else name
