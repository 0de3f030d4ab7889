"""Design specifications as written: ``[specs.NAME]`` tables of a flowsheet file and
``--spec`` options (the solver's side is :mod:`polyflow.solve.specs`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from polyflow.errors import InputError, PolyflowError, did_you_mean

__all__ = ["SPEC_KEYS", "Spec", "parse_spec_option", "prefixed_specs", "read_specs",
           "split_path"]

SPEC_KEYS = ("vary", "target", "value", "bounds")


def split_path(text: str) -> list[str]:
    """``streams."a b".T_K`` -> ``['streams', 'a b', 'T_K']`` (quotes as in TOML keys)."""
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", text)
    return [p.strip().strip("\"'") for p in parts]


@dataclass(frozen=True)
class Spec:
    """One design specification as written (values still as text with units)."""

    name: str
    vary: str
    target: str
    value: Any
    bounds: tuple[Any, Any] | None = None
    file: str | None = None
    line: int | None = None
    #: (field, line) of each field written in the file
    lines: tuple[tuple[str, int], ...] = ()

    def error(self, err: PolyflowError) -> PolyflowError:
        """``err`` placed at this spec: file, the line of the field, ``specs.NAME.FIELD``."""
        line = dict(self.lines).get(err.field or "", self.line)
        err.field = f"specs.{self.name}" + (f".{err.field}" if err.field else "")
        return err.located(file=self.file, line=line)


# -- reading ------------------------------------------------------------------------------
def read_specs(table: Any, file: str | None = None, line_of=None) -> dict[str, Spec]:
    """Specs from a ``[specs]`` table: ``{NAME: {vary, target, value, bounds}}``;
    ``line_of(*keys)`` gives the line of a key for messages."""
    def line(*keys):
        return line_of("specs", *keys) if line_of else None

    if not isinstance(table, Mapping):
        raise InputError("[specs] must hold tables [specs.NAME]", file=file, line=line())
    out = {}
    for name, spec in table.items():
        if not isinstance(spec, Mapping):
            raise InputError(f"spec {name!r} must be a table with vary, target and value",
                             file=file, line=line(name))
        out[name] = _spec(name, dict(spec), file, lambda *k, n=name: line(n, *k))
    return out


def _spec(name: str, spec: dict, file: str | None, line) -> Spec:
    for key in spec:
        if key not in SPEC_KEYS:
            raise InputError(f"spec {name!r} has no field {key!r}", file=file, line=line(key),
                             field=key, hint=did_you_mean(key, SPEC_KEYS))
    for key in ("vary", "target", "value"):
        if key not in spec:
            raise InputError(f"spec {name!r} needs {key!r}", file=file, line=line(),
                             hint='write vary = "UNIT.FIELD", target = "PATH", value = ...')
    for key in ("vary", "target"):
        if not isinstance(spec[key], str):
            raise InputError(f"spec {name!r}: {key} must be a dotted path as a string",
                             file=file, line=line(key), field=key, value=spec[key])
    bounds = spec.get("bounds")
    if bounds is not None and (not isinstance(bounds, list | tuple) or len(bounds) != 2):
        raise InputError(f"spec {name!r}: bounds must be [lower, upper]", file=file,
                         line=line("bounds"), field="bounds", value=bounds)
    lines = tuple((k, line(k)) for k in SPEC_KEYS if k in spec and line(k))
    return Spec(name, spec["vary"].strip(), spec["target"].strip(), spec["value"],
                tuple(bounds) if bounds is not None else None, file, line(), lines)


def parse_spec_option(text: str, number: int = 1) -> Spec:
    """``--spec "[NAME:] vary=U.F, target=PATH, value=V[, bounds=LO..HI]"``.

    >>> s = parse_spec_option("acid: vary=acid.flow, target=streams.pls.g_L.H2SO4, value=6 g/L")
    >>> s.name, s.vary, s.target, s.value, s.bounds
    ('acid', 'acid.flow', 'streams.pls.g_L.H2SO4', '6 g/L', None)
    """
    name = f"spec{number}"
    head, colon, rest = text.partition(":")
    if colon and "=" not in head:
        name, text = head.strip(), rest
    fields: dict[str, Any] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, eq, value = item.partition("=")
        if not eq:
            raise InputError(f"--spec {text.strip()!r}: {item.strip()!r} must read key=value",
                             hint="write --spec 'NAME: vary=UNIT.FIELD, target=PATH, "
                                  "value=VALUE'")
        fields[key.strip()] = value.strip()
    if "bounds" in fields:
        lo, dots, hi = fields["bounds"].partition("..")
        if not dots:
            raise InputError("--spec bounds must read LOWER..UPPER", value=fields["bounds"])
        fields["bounds"] = [_number(lo.strip()), _number(hi.strip())]
    if "value" in fields:
        fields["value"] = _number(fields["value"])
    return _spec(name, fields, None, lambda *k: None)


def _number(text: str) -> Any:
    """A bare number as a float, anything else (a quantity with its unit) as text; NaN
    and infinity are refused here, before the solve."""
    try:
        x = float(text)
    except ValueError:
        return text
    if not math.isfinite(x):
        raise InputError("--spec values and bounds must be finite numbers", value=text)
    return x


def prefixed_specs(table: Any, prefix: str, sep: str) -> Any:
    """The ``[specs]`` of a file included under ``prefix``: spec names, the varied unit
    and the target's stream, unit or product renamed with the rest of the file. (A
    recovery keeps its meaning only where the included plant is the whole feed.)"""
    if not isinstance(table, Mapping):
        return table
    out = {}
    for name, spec in table.items():
        if isinstance(spec, Mapping):
            spec = dict(spec)
            if isinstance(spec.get("vary"), str):
                spec["vary"] = f"{prefix}{sep}{spec['vary'].strip()}"
            if isinstance(spec.get("target"), str):
                parts = split_path(spec["target"])
                k = {"streams": 1, "energy": 1, "recovery": 2}.get(parts[0])
                if k is not None and len(parts) > k:
                    parts[k] = f"{prefix}{sep}{parts[k]}"
                spec["target"] = ".".join(parts)
        out[f"{prefix}{sep}{name}"] = spec
    return out


# -- assembling ---------------------------------------------------------------------------
