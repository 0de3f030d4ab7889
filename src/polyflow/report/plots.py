"""Figures of a flowsheet and its results (``polyflow plot``), drawn with matplotlib.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state, no display needed); :func:`figure_bytes` renders one to PNG or SVG bytes with the
Agg canvas so the caller can write it atomically. Figures read a result record (the
flowsheet figure also a flowsheet); where units and streams go is
:mod:`polyflow.report.layout`'s job, recycle streams included. The recovery and size
charts live in :mod:`polyflow.report.charts` and are re-exported here; the colours come
from :mod:`polyflow.report.colours`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path as MplPath

from polyflow.errors import InputError, did_you_mean
from polyflow.report import tables
from polyflow.report.charts import check_element as _check_element
from polyflow.report.charts import psd_figure, recovery_figure
from polyflow.report.colours import colour_of
from polyflow.report.layout import (
    LANE_PITCH,
    MARGIN,
    STREAM_FONT,
    TITLE_SPACE,
    UNIT_FONT,
    Layout,
    Topology,
    layout,
    recycle_streams,
    topology,
)
from polyflow.report.text import fmt, plain

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["PLOT_KINDS", "figure_bytes", "flowsheet_figure", "layout", "psd_figure",
           "recovery_figure", "recycle_streams", "sankey_figure", "streams_figure"]

PLOT_KINDS = ("flowsheet", "pfd", "sankey", "streams", "recovery", "psd", "waterfall")
IMAGE_FORMATS = ("png", "svg", "pdf")

#: box fill by unit role; recycle and stream colours
ROLE_COLOUR = {"feed": "#d8ecd4", "process": "#dce6f2", "product": "#fbe3c8"}
ROLE_EDGE = {"feed": "#3c7a34", "process": "#2f5d8a", "product": "#b3651d"}
STREAM_COLOUR = "#333333"
RECYCLE_COLOUR = "#c0392b"


# -- drawing helpers ---------------------------------------------------------------------
def _canvas_figure(width: float, height: float) -> tuple[Figure, Any]:
    """A figure of ``width`` × ``height`` inches whose data coordinates are inches."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _draw_units(ax, top: Topology, lay: Layout,
                labels: Mapping[str, str] | None = None) -> None:
    labels = labels or {}
    for n, (x, y) in lay.pos.items():
        role = top.roles[n]
        w, h = lay.box[n]
        text = labels.get(n, n)
        extra = text.count("\n")
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    fc=ROLE_COLOUR[role], ec=ROLE_EDGE[role], lw=1.0, zorder=3))
        ax.text(x, y, text, ha="center", va="center", fontsize=UNIT_FONT if not extra else 7.5,
                zorder=4)


def _stream_label(ax, text: str, at: tuple[float, float], colour: str) -> None:
    ax.text(*at, text, ha="center", va="center", fontsize=STREAM_FONT, color=colour, zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})


def _title(ax, lay: Layout, title: str) -> None:
    ax.text(lay.width / 2, lay.height - MARGIN - 0.1, title, ha="center", va="top",
            fontsize=12, weight="bold")


def _legend(fig: Figure, handles: list) -> None:
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))


def _role_handles() -> list:
    return [Patch(fc=ROLE_COLOUR[r], ec=ROLE_EDGE[r], label=f"{r} unit")
            for r in ("feed", "process", "product")]


# -- flowsheet ---------------------------------------------------------------------------
def flowsheet_figure(source: Result | Flowsheet, title: str | None = None) -> Figure:
    """The plant as a diagram: units as boxes in process order, streams as arrows labelled
    with their names, recycle streams dashed and red in lanes below the plant."""
    top = topology(source)
    lay = layout(top)
    fig, ax = _canvas_figure(lay.width, lay.height)
    _title(ax, lay, title or f"{top.name}: flowsheet ({len(top.roles)} units, "
                             f"{len(lay.routes)} streams, {len(lay.recycles)} recycles)")
    _draw_units(ax, top, lay)
    for k, route in lay.routes.items():
        recycle = k in lay.recycles
        colour = RECYCLE_COLOUR if recycle else STREAM_COLOUR
        ax.add_patch(FancyArrowPatch(
            path=MplPath(route), arrowstyle="-|>", mutation_scale=9, lw=1.3 if recycle else 1.0,
            color=colour, linestyle=(0, (4, 2)) if recycle else "-", zorder=2,
            joinstyle="round"))
        _stream_label(ax, k, lay.label_at[k], colour)
    _legend(fig, [*_role_handles(),
                  Line2D([], [], color=STREAM_COLOUR, lw=1.0, label="stream"),
                  Line2D([], [], color=RECYCLE_COLOUR, lw=1.3, ls=(0, (4, 2)),
                         label="recycle stream")])
    return fig


# -- sankey ------------------------------------------------------------------------------
#: Sankey: flows below this share of the largest are hidden (``--min-share``)
MIN_SHARE = 1e-3


def sankey_topology(result: Result, element: str, min_share: float = MIN_SHARE
                    ) -> tuple[Topology, dict[str, float], float]:
    """The plant a Sankey draws: without the feeds and products whose flow of
    ``element`` is at most ``min_share`` of the largest stream's (a water or reagent
    feed without the element is not drawn); with every stream's flow [kg/h] and the
    threshold [kg/h]."""
    if not 0.0 <= min_share < 1.0:
        raise InputError(f"a share of the largest flow from 0 to 1 (got {min_share})",
                         field="--min-share", hint="e.g. --min-share 0.001 (0.1 %)")
    top = topology(result)
    flow = {s: result.elements_kg_h(s)[element] for s in result.stream_names}
    threshold = max(min_share, 1e-9) * max(flow.values())
    ends = [u for k, u, v in top.streams if top.roles[u] == "feed" and flow[k] <= threshold]
    ends += [v for k, u, v in top.streams if top.roles[v] == "product"
             and flow[k] <= threshold]
    if ends:
        gone = set(ends)
        top = Topology(top.name, {n: r for n, r in top.roles.items() if n not in gone},
                       [(k, u, v) for k, u, v in top.streams if u not in gone
                        and v not in gone], {n: c for n, c in top.categories.items()
                                             if n not in gone},
                       top.weights, top.slurries)
    return top, flow, threshold


def _trimmed(number: str) -> str:
    """``"0.100"`` -> ``"0.1"``, ``"50.0"`` -> ``"50"``."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def sankey_figure(result: Result, element: str, max_width_pt: float = 22.0,
                  min_share: float = MIN_SHARE) -> Figure:
    """The flow of one element through the plant: every stream a band whose width is
    proportional to the element's flow [kg/h], in the element's colour
    (:mod:`polyflow.report.colours`); feeds and products labelled with their flows and
    products with their share of the feed (recovery). Flows at most ``min_share`` of the
    largest are hidden, and so are feeds and products that carry no more (see
    :func:`sankey_topology`); labels are plain numbers, never in e-notation."""
    fed = _check_element(result, element)
    top, flow, threshold = sankey_topology(result, element, min_share)
    biggest = max(flow.values())
    band = colour_of(element)
    labels = {}
    for k, u, v in top.streams:
        if top.roles[u] == "feed":
            labels[u] = f"{u}\n{plain(flow[k])} kg/h"
        elif top.roles[v] == "product":
            labels[v] = f"{v}\n{plain(flow[k])} kg/h, {100 * flow[k] / fed:.1f} %"
    lay = layout(top, lane_pitch=max(LANE_PITCH, max_width_pt / 72 + 0.12), labels=labels)
    fig, ax = _canvas_figure(lay.width, lay.height)
    _title(ax, lay, f"{top.name}: {element} flow through the plant "
                    f"({plain(fed)} kg/h {element} fed)")
    _draw_units(ax, top, lay, labels)
    for k, route in lay.routes.items():
        if flow[k] <= threshold:
            continue
        colour = RECYCLE_COLOUR if k in lay.recycles else band
        xs, ys = zip(*route, strict=True)
        lw = max(max_width_pt * flow[k] / biggest, 0.8)
        ax.plot(xs, ys, color=colour, lw=lw, alpha=0.55, solid_capstyle="butt",
                solid_joinstyle="round", zorder=2)
        ax.plot(*route[-1], marker=">", color=colour, ms=5, zorder=3)
        _stream_label(ax, f"{k}\n{plain(flow[k])}", lay.label_at[k], colour)
    _legend(fig, [
        Line2D([], [], color=band, lw=max_width_pt, alpha=0.55,
               label=f"{plain(biggest)} kg/h {element}"),
        Line2D([], [], color=band, lw=max_width_pt / 4, alpha=0.55,
               label=f"{plain(biggest / 4)} kg/h"),
        Line2D([], [], color=RECYCLE_COLOUR, lw=6, alpha=0.55, label="recycle stream"),
        Line2D([], [], color="white", lw=0,
               label=f"not drawn: at most {_trimmed(plain(100 * min_share))} % of the "
                     "largest"
               if min_share > 0 else "not drawn: zero flows")])
    return fig


# -- stream table --------------------------------------------------------------------------
def default_stream_columns(result: Result) -> list[str]:
    """The columns a metallurgist reads first, leaving out those that are zero throughout."""
    rows = tables.stream_rows(result)
    main = ["T [°C]", "solids [t/h]", "solution [m3/h]", "solids [%]"]
    has = {c for r in rows for c, v in r.items() if isinstance(v, float) and v != 0.0}
    assays = [c for c in (rows[0] if rows else {}) if "solids [" in c or "solution [" in c
              if c not in main and c in has]
    return [*main, *assays]


def _pick(asked: Sequence[str], known: Sequence[str], what: str, option: str) -> list[str]:
    for name in asked:
        if name not in known:
            raise InputError(f"no {what} {name!r}", field=option,
                             hint=did_you_mean(name, known, more=f"{what}s are listed by "
                                               "'polyflow run FILE'"))
    return list(asked)


def streams_figure(result: Result, streams: Sequence[str] | None = None,
                   columns: Sequence[str] | None = None) -> Figure:
    """The stream table as a figure for a report: chosen streams (rows) and columns."""
    rows = {r["stream"]: r for r in tables.stream_rows(result)}
    names = _pick(streams, list(rows), "stream", "--streams") if streams else list(rows)
    all_columns = [c for c in next(iter(rows.values()), {}) if c != "stream"]
    cols = _pick(columns, all_columns, "column", "--columns") if columns else \
        default_stream_columns(result)
    headers = ["stream", *(c.replace(" [", "\n[") for c in cols)]
    cells = [[n, *(fmt(rows[n][c]) for c in cols)] for n in names]
    widths = [max(len(line) for line in [*h.split("\n"), *(r[i] for r in cells)]) * 0.075 + 0.2
              for i, h in enumerate(headers)]
    width = sum(widths) + 2 * MARGIN
    table_h = 0.42 + 0.24 * len(cells)
    height = table_h + TITLE_SPACE + 2 * MARGIN
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((MARGIN / width, MARGIN / height, 1 - 2 * MARGIN / width,
                       table_h / height))
    ax.set_axis_off()
    table = ax.table(cellText=cells, colLabels=headers, bbox=(0, 0, 1, 1),
                     colWidths=[w / sum(widths) for w in widths], cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (r, c), cell in table.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if r == 0:
            cell.set_facecolor("#dce6f2")
            cell.set_text_props(weight="bold", ha="center")
        elif r % 2 == 0:
            cell.set_facecolor("#f4f6f9")
        if c == 0 and r > 0:
            cell.set_text_props(ha="left")
    first_row_h = 0.42 / table_h
    for (r, _c), cell in table.get_celld().items():
        cell.set_height(first_row_h if r == 0 else (1 - first_row_h) / max(len(cells), 1))
    fig.text(0.5, 1 - MARGIN / height, f"{result.flowsheet_name}: streams", ha="center",
             va="top", fontsize=12, weight="bold")
    return fig


# -- output ------------------------------------------------------------------------------
def figure_bytes(fig: Figure, image_format: str, dpi: float = 150.0,
                 subject: str | None = None) -> bytes:
    """The figure as PNG, SVG or PDF bytes (large figures get a lower resolution so the
    PNG stays below about 12,000 pixels a side). SVG and PDF keep their text as text
    (selectable, searchable, editable), not as outlines. ``subject`` (the run's
    provenance line, :func:`polyflow.report.provenance.provenance_line`) goes into the
    file's metadata (PNG text chunk and PDF ``Subject``, SVG ``Description``), in ASCII."""
    if image_format not in IMAGE_FORMATS:
        raise InputError(f"cannot write a {image_format!r} image",
                         hint="name the output file .png, .svg or .pdf")
    w, h = fig.get_size_inches()
    dpi = min(dpi, 12000 / max(w, h, 1e-9))
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        key = "Description" if image_format == "svg" else "Subject"   # SVG: Dublin Core
        fig.savefig(buf, format=image_format, dpi=dpi, facecolor="white",
                    metadata={key: subject.replace("…", "...")} if subject else None)
    return buf.getvalue()
