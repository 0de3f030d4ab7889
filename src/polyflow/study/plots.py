"""Figures of studies and sensitivities (matplotlib, no pyplot: no global state):
a tornado of elasticities, a spider of one output against every varied input (each in %
of its median), a scatter matrix of outputs against varied inputs, and a feasibility
map of two varied inputs (converged, infeasible, failed)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from polyflow.errors import InputError

if TYPE_CHECKING:
    from polyflow.study.runner import StudyTable

__all__ = ["feasibility_figure", "scatter_figure", "spider_figure", "tornado_figure"]

STATUS_STYLE = {"converged": ("tab:green", "o"), "infeasible": ("tab:orange", "s"),
                "failed": ("tab:red", "x")}


def tornado_figure(doc: dict[str, Any], top: int = 15) -> Figure:
    """Elasticities ``(dy/dp)·p/y`` of one output (a :func:`sensitivities` entry),
    largest first: the change of the output in % for 1 % more of each input."""
    items = [(p, s["elasticity"]) for p, s in doc["sensitivities"].items()
             if s["elasticity"] is not None and abs(s["elasticity"]) > 1e-9]
    items.sort(key=lambda t: abs(t[1]), reverse=True)
    items = items[:top][::-1]
    fig = Figure(figsize=(8, 0.4 * len(items) + 1.5))
    ax = fig.add_subplot()
    ax.barh([p for p, _ in items], [e for _, e in items],
            color=["tab:blue" if e > 0 else "tab:red" for _, e in items])
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_xlabel(f"elasticity of {doc['output']} (% change per % change of the input)")
    ax.set_title(f"{doc['output']} = {doc['value']:.4g} {doc.get('unit') or ''}")
    fig.tight_layout()
    return fig


def _numeric(table: StudyTable, column: str) -> list[float]:
    out = []
    for v in table.column(column):
        out.append(float(v) if isinstance(v, int | float) else math.nan)
    return out


def scatter_figure(table: StudyTable) -> Figure:
    """Each output (rows) against each varied input (columns), converged points only."""
    ins = [c for c in table.varied if any(isinstance(v, float) for v in table.column(c))]
    outs = table.outputs
    if not ins or not outs:
        raise InputError("a scatter matrix needs numeric varied inputs and outputs")
    fig = Figure(figsize=(2.6 * len(ins) + 1, 2.2 * len(outs) + 1))
    ok = [r["status"] == "converged" for r in table.rows]
    for i, o in enumerate(outs):
        y = _numeric(table, o)
        for j, c in enumerate(ins):
            ax = fig.add_subplot(len(outs), len(ins), i * len(ins) + j + 1)
            x = _numeric(table, c)
            ax.scatter([a for a, k in zip(x, ok, strict=True) if k],
                       [b for b, k in zip(y, ok, strict=True) if k], s=6)
            if i == len(outs) - 1:
                ax.set_xlabel(c, fontsize=8)
            if j == 0:
                ax.set_ylabel(o, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def spider_figure(table: StudyTable, output: str | None = None) -> Figure:
    """One output (the first unless named) against each numeric varied input, both as
    % change from their medians over the converged points: the steepest line is the
    input the output follows most (over the study's range, not only at one point):
    each input's points with their least-squares line."""
    output = output or (table.outputs[0] if table.outputs else None)
    if output not in table.outputs:
        raise InputError(f"no output {output!r} in the study",
                         hint="outputs: " + ", ".join(table.outputs))
    ok = [k for k, r in enumerate(table.rows) if r["status"] == "converged"]
    y = np.array(_numeric(table, output))[ok]
    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    y0 = float(np.median(y)) if len(y) else math.nan
    for c in table.varied:
        x = np.array(_numeric(table, c))[ok]
        if not len(x) or np.isnan(x).all():
            continue
        x0 = float(np.median(x))
        if x0 == 0.0 or y0 == 0.0:
            continue
        dx, dy = 100 * (x / x0 - 1), 100 * (y / y0 - 1)
        dots = ax.scatter(dx, dy, s=8)
        if np.ptp(dx) > 0:          # least-squares line through the points
            slope, cut = np.polyfit(dx, dy, 1)
            ends = np.array([dx.min(), dx.max()])
            ax.plot(ends, slope * ends + cut, color=dots.get_facecolor()[0], lw=1.2,
                    label=f"{c} (slope {slope:.3g})")
    ax.axhline(0.0, color="grey", lw=0.6)
    ax.axvline(0.0, color="grey", lw=0.6)
    ax.set_xlabel("input, % from its median")
    ax.set_ylabel(f"{output}, % from its median")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def feasibility_figure(table: StudyTable, x: str | None = None, y: str | None = None
                       ) -> Figure:
    """Status of every point over two varied inputs (the first two unless named);
    infeasible points are labelled with the unit their cause names."""
    cols = table.varied
    x = x or (cols[0] if cols else None)
    y = y or (cols[1] if len(cols) > 1 else None)
    if x not in cols or y not in cols:
        raise InputError("a feasibility map needs two varied inputs",
                         hint="varied columns: " + ", ".join(cols))
    fig = Figure(figsize=(7, 5.5))
    ax = fig.add_subplot()
    xs, ys = _numeric(table, x), _numeric(table, y)
    for status, (colour, marker) in STATUS_STYLE.items():
        idx = [k for k, r in enumerate(table.rows) if r["status"] == status]
        if idx:
            ax.scatter([xs[k] for k in idx], [ys[k] for k in idx], c=colour,
                       marker=marker, label=f"{status} ({len(idx)})")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(loc="best", fontsize=8)
    ax.set_title("feasibility of the plant over two inputs")
    fig.tight_layout()
    return fig
