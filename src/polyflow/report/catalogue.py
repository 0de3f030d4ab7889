"""The catalogue of unit models, generated from the unit classes so it cannot drift."""

from __future__ import annotations

import inspect

from polyflow.quantity import format_units
from polyflow.units.base import Unit
from polyflow.units.registry import model_registry

__all__ = ["describe", "markdown_reference", "summary"]


def _shipped() -> dict[str, type[Unit]]:
    """Models shipped in ``polyflow.units`` (not ones a script or test defines)."""
    return {m: c for m, c in model_registry().items()
            if c.__module__.startswith("polyflow.units.")}


def _first_line(cls: type[Unit]) -> str:
    return inspect.getdoc(cls).split("\n\n")[0].replace("\n", " ")


def _ports(ports: tuple[str, ...]) -> str:
    return ", ".join(p.replace("*", " (many)") for p in ports) or "-"


def _kind(p) -> str:
    """What a parameter takes: its units of measure, "whole number 1-500", "one of a, b",
    or "table" for a structured value (a dict or list read by the unit)."""
    if p.kind == "integer":
        low, high = p.bounds if p.bounds else (None, None)
        span = ("" if low is None and high is None else
                f" ≥ {low:g}" if high is None else f" {low:g}–{high:g}")
        return f"whole number{span}"
    if p.kind == "choice":
        return "one of " + ", ".join(p.choices)
    return format_units(p.dimension) if p.dimension else "table"


def _param_lines(cls: type[Unit]) -> list[str]:
    lines = []
    for name, p in cls.params.items():
        unit = (f"[{p.dimension}: {format_units(p.dimension)}]" if p.kind == "quantity"
                and p.dimension else f"[{_kind(p)}]" if p.kind != "quantity" else "")
        need = "required" if p.required else (
            f"default {p.default!r}" if p.default not in (None, {}, []) else "optional")
        lines.append(f"    {name:<14} {p.doc} {unit} ({need})".rstrip())
    return lines


def _result_lines(cls: type[Unit]) -> list[str]:
    """Power, duty and the model's declared results: name [unit of measure] meaning."""
    if cls.role != "process":
        return []
    rows = [("power", "kW", "electrical power drawn"),
            ("duty", "kW", "heat added (negative: removed)"),
            *((n, r.unit, r.doc) for n, r in cls.results.items())]
    return [f"    {n + (f' [{u}]' if u else ''):<28} {d}" for n, u, d in rows]


def summary() -> str:
    """One paragraph per model: name, ports, parameters."""
    out = []
    for name, cls in sorted(_shipped().items()):
        out.append(f"{name}  ({cls.__name__})")
        out.append(f"    {_first_line(cls)}")
        out.append(f"    inlets: {_ports(cls.inlets)};  outlets: {_ports(cls.outlets)}")
        out.extend(_param_lines(cls))
        out.append("")
    out.append("'polyflow units MODEL' shows a model's equations, source and example.")
    return "\n".join(out)


def describe(model: str) -> str:
    cls = model_registry()[model]
    results = _result_lines(cls)
    return "\n".join([f"{model}  ({cls.__module__}.{cls.__name__})", "",
                      inspect.getdoc(cls), "", "Parameters:", *_param_lines(cls),
                      *(["", "Results:", *results] if results else [])])


def markdown_reference() -> str:
    """docs/units.md: every model with its docstring and parameter table."""
    out = ["# Unit model reference", "",
           "Generated from the unit classes by `python -m polyflow.report.catalogue`; "
           "do not edit by hand.", ""]
    for name, cls in sorted(_shipped().items()):
        out += [f"## `{name}`", "", f"`{cls.__module__}.{cls.__name__}` — inlets: "
                f"{_ports(cls.inlets)}; outlets: {_ports(cls.outlets)}", "", "```text",
                inspect.getdoc(cls), "```", ""]
        if cls.params:
            out += ["| parameter | meaning | units | default |", "|---|---|---|---|"]
            for pname, p in cls.params.items():
                units = _kind(p)
                default = "required" if p.required else (
                    "" if p.default in (None, {}, []) else repr(p.default))
                out.append(f"| `{pname}` | {p.doc} | {units} | {default} |")
            out.append("")
        if cls.role == "process" and cls.results:
            out += ["| result | meaning | units |", "|---|---|---|"]
            for rname, r in cls.results.items():
                out.append(f"| `{rname}` | {r.doc} | {r.unit or '-'} |")
            out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown_reference())
