"""Including a flowsheet under a prefix, so that several plants join into one.

``include = [{file = "gold_cil.toml", prefix = "au"}]`` reads the gold plant with every
feed, unit, product and stream renamed ``au/NAME``; a stream reference ``leach.out``
becomes ``au/leach.out``. Unit parameters that name a stream of the included file (a
lime dose's ``target_stream``, a mill's ``bond_feed``) are renamed with it, and so are
its overrides and reroutes (parameters declared ``Param(stream=True)``). Species are shared,
not prefixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SEPARATOR", "PrefixedIndex", "prefixed"]

SEPARATOR = "/"


def _name(prefix: str, name: str) -> str:
    return f"{prefix}{SEPARATOR}{name}"


def _ref(prefix: str, ref: str) -> str:
    """``unit.port`` -> ``prefix/unit.port``."""
    return _name(prefix, ref.strip())


def _stream_params(spec: Mapping) -> set[str]:
    """Parameters of this unit's model that name a stream (``Param(stream=True)``)."""
    from polyflow.units.registry import model_registry

    cls = model_registry().get(str(spec.get("model", "")))
    return {k for k, p in cls.params.items() if p.stream} if cls else set()


def _renamed(spec: Any, streams: set[str], prefix: str) -> Any:
    """A unit or feed table with its stream-naming parameters under ``prefix``."""
    if not isinstance(spec, Mapping):
        return spec
    keys = _stream_params(spec)
    return {k: (_name(prefix, v) if k in keys and isinstance(v, str) and v in streams else v)
            for k, v in spec.items()}


def prefixed(doc: Mapping, prefix: str) -> dict:
    """A copy of a parsed flowsheet document with its names under ``prefix``."""
    out: dict[str, Any] = {}
    streams = set(doc.get("streams", {}))
    for section in ("feeds", "units", "products"):
        if section in doc:
            out[section] = {_name(prefix, n): _renamed(spec, streams, prefix)
                            for n, spec in doc[section].items()}
    if "streams" in doc:
        new: dict[str, Any] = {}
        for n, spec in doc["streams"].items():
            if isinstance(spec, str) and "->" in spec:
                src, _, dst = spec.partition("->")
                spec = f"{_ref(prefix, src)} -> {_ref(prefix, dst)}"
            elif isinstance(spec, Mapping) and {"from", "to"} <= set(spec):
                spec = {**spec, "from": _ref(prefix, str(spec["from"])),
                        "to": _ref(prefix, str(spec["to"]))}
            new[_name(prefix, n)] = spec
        out["streams"] = new
    if "specs" in doc:
        from polyflow.io.spec_tables import prefixed_specs

        out["specs"] = prefixed_specs(doc["specs"], prefix, SEPARATOR)
    head = dict(doc.get("flowsheet", {}))
    if "overrides" in head:
        head["overrides"] = {_name(prefix, k): v for k, v in head["overrides"].items()}
    if "reroute" in head:
        head["reroute"] = {
            _name(prefix, k): ({e: _ref(prefix, str(r)) for e, r in v.items()}
                               if isinstance(v, Mapping) else _ref(prefix, v))
            for k, v in head["reroute"].items()}
    out["flowsheet"] = head
    return out


class PrefixedIndex:
    """Line lookups for a prefixed document: strips the prefix again."""

    def __init__(self, index, prefix: str) -> None:
        self.index = index
        self.head = _name(prefix, "")

    def line(self, *path: str) -> int | None:
        return self.index.line(*(p[len(self.head):] if p.startswith(self.head) else p
                                 for p in path))
