"""Figures of a flowsheet and its results (``polyflow plot``), drawn with matplotlib.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state, no display needed); :func:`figure_bytes` renders one to PNG or SVG bytes with the
Agg canvas so the caller can write it atomically.

The flowsheet and Sankey figures share one layout (:func:`layout`): recycle streams are
the back edges of a depth-first search from the feeds (:func:`recycle_streams`); without
them the graph is acyclic, and its topological generations become columns, left to right,
with feeds in the first column and products in the last. Streams between neighbouring
columns are drawn straight; longer streams run in lanes above the plant and recycles in
lanes below it, so no line crosses a unit. Geometry is in inches, so the figure grows
with the plant and the text stays the same size.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

from polyflow.errors import FlowsheetError, InputError, did_you_mean
from polyflow.report import tables
from polyflow.report.text import fmt

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["PLOT_KINDS", "figure_bytes", "flowsheet_figure", "layout", "psd_figure",
           "recovery_figure", "recycle_streams", "sankey_figure", "streams_figure"]

PLOT_KINDS = ("flowsheet", "sankey", "streams", "recovery", "psd")
IMAGE_FORMATS = ("png", "svg")

#: box fill by unit role; recycle and stream colours
ROLE_COLOUR = {"feed": "#d8ecd4", "process": "#dce6f2", "product": "#fbe3c8"}
ROLE_EDGE = {"feed": "#3c7a34", "process": "#2f5d8a", "product": "#b3651d"}
STREAM_COLOUR = "#333333"
RECYCLE_COLOUR = "#c0392b"
BAND_COLOUR = "#2f7fbf"
#: layout sizes [inches] and fonts [points]
UNIT_FONT = 9
STREAM_FONT = 7
CHAR_WIDTH = 0.62 * UNIT_FONT / 72      # average width of a character at UNIT_FONT
BOX_HEIGHT = 0.34
ROW_PITCH = 0.78
LANE_PITCH = 0.22
MARGIN = 0.35
TITLE_SPACE = 0.55
LEGEND_SPACE = 0.45


# -- graph analysis ----------------------------------------------------------------------
def _feeds(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True)
                  if getattr(d.get("unit"), "role", None) == "feed")


def recycle_streams(graph: nx.MultiDiGraph, feeds: Iterable[str] | None = None
                    ) -> set[tuple[str, str, str]]:
    """Back edges ``(src, dst, stream)`` of a depth-first search that starts at the feeds
    (by name), then at any unit not reached: the streams that close a loop. Removing them
    leaves an acyclic graph.

    >>> g = nx.MultiDiGraph()
    >>> g.add_edges_from([("feed", "mix", "a"), ("mix", "split", "b"),
    ...                   ("split", "mix", "recycle"), ("split", "out", "c")])
    ['a', 'b', 'recycle', 'c']
    >>> recycle_streams(g, ["feed"])
    {('split', 'mix', 'recycle')}
    """
    starts = list(feeds) if feeds is not None else _feeds(graph)
    on_stack, done = set(), set()
    back: set[tuple[str, str, str]] = set()

    def out_edges(node):
        return iter(sorted(graph.out_edges(node, keys=True), key=lambda e: (e[1], e[2])))

    for start in [*starts, *sorted(graph.nodes)]:
        if start in on_stack or start in done:
            continue
        on_stack.add(start)
        stack = [(start, out_edges(start))]
        while stack:
            node, edges = stack[-1]
            for u, v, k in edges:
                if v in on_stack:
                    back.add((u, v, k))
                elif v not in done:
                    on_stack.add(v)
                    stack.append((v, out_edges(v)))
                    break
            else:
                stack.pop()
                on_stack.discard(node)
                done.add(node)
    return back


def _role(graph: nx.MultiDiGraph, node: str) -> str:
    return getattr(graph.nodes[node].get("unit"), "role", "process")


def _columns(graph: nx.MultiDiGraph, recycles: set) -> list[list[str]]:
    """Units in columns: topological generations of the graph without its recycles, feeds
    in the first column and products in the last, each column ordered to limit crossings."""
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from((u, v) for u, v, k in graph.edges(keys=True)
                       if (u, v, k) not in recycles and u != v)
    col = {n: i for i, gen in enumerate(nx.topological_generations(dag)) for n in gen}
    last = max(col.values(), default=0)
    for n in graph.nodes:
        role = _role(graph, n)
        if role == "feed":
            col[n] = 0
        elif role == "product":
            col[n] = max(last, 1)
    columns: list[list[str]] = [[] for _ in range(max(col.values(), default=0) + 1)]
    for n in nx.dfs_preorder_nodes(dag) if dag.number_of_nodes() else []:
        columns[col[n]].append(n)
    for n in graph.nodes:                   # units dfs did not reach (none in practice)
        if n not in columns[col[n]]:
            columns[col[n]].append(n)
    _order_columns(columns, dag)
    return [c for c in columns if c]


def _order_columns(columns: list[list[str]], dag: nx.DiGraph, sweeps: int = 4) -> None:
    """Barycentre heuristic: sort each column by the mean row of its neighbours in the
    columns already placed, sweeping right then left."""
    for _ in range(sweeps):
        for order, neighbours in ((range(1, len(columns)), dag.predecessors),
                                  (range(len(columns) - 2, -1, -1), dag.successors)):
            row = {n: i - (len(c) - 1) / 2 for c in columns for i, n in enumerate(c)}
            for c in order:
                def key(n, row=row, neighbours=neighbours):
                    near = [row[m] for m in neighbours(n)]
                    return sum(near) / len(near) if near else row[n]
                columns[c].sort(key=key)


@dataclass
class Layout:
    """Where every unit and stream goes [inches from the lower left corner]."""

    pos: dict[str, tuple[float, float]]
    box: dict[str, tuple[float, float]]                 # unit -> (width, height)
    routes: dict[str, list[tuple[float, float]]]        # stream -> polyline
    label_at: dict[str, tuple[float, float]]            # stream -> label position
    recycles: set[str]
    width: float
    height: float
    edges: dict[str, tuple[str, str]] = field(default_factory=dict)   # stream -> (src, dst)


def _assign_lanes(spans: list[tuple[str, float, float]], gap: float = 0.15) -> dict[str, int]:
    """Pack horizontal runs (stream, x0, x1) into as few lanes as possible."""
    ends: list[float] = []
    lane: dict[str, int] = {}
    for name, x0, x1 in sorted(spans, key=lambda s: (s[1], s[2])):
        for i, end in enumerate(ends):
            if end + gap < x0:
                ends[i] = x1
                lane[name] = i
                break
        else:
            ends.append(x1)
            lane[name] = len(ends) - 1
    return lane


def _box_size(text: str) -> tuple[float, float]:
    """Width and height of a unit box [inches] holding ``text`` (one or more lines)."""
    lines = text.split("\n")
    return (max(max(len(line) for line in lines), 4) * CHAR_WIDTH + 0.25,
            BOX_HEIGHT + 0.16 * (len(lines) - 1))


def layout(flowsheet: Flowsheet, lane_pitch: float = LANE_PITCH,
           labels: Mapping[str, str] | None = None) -> Layout:
    """Place the units in columns and route every stream (see the module docstring);
    ``labels`` (unit -> text) replaces unit names in the boxes and sizes them."""
    labels = labels or {}
    graph = flowsheet.graph
    back = recycle_streams(graph)
    columns = _columns(graph, back)
    col = {n: c for c, units in enumerate(columns) for n in units}
    box = {n: _box_size(labels.get(n, n)) for n in graph.nodes}
    edges = {k: (u, v) for u, v, k in graph.edges(keys=True)}
    longest = max((len(k) for k in edges), default=8)
    gap = min(max(longest * 0.62 * STREAM_FONT / 72 + 0.45, 1.1), 2.0)
    col_box = [max(box[n][0] for n in units) for units in columns]
    # x: column centres; gap_x[c] is the middle of the gap right of column c
    xs, x = [], MARGIN + gap / 2
    for w in col_box:
        xs.append(x + w / 2)
        x += w + gap
    gap_x = {c: xs[c] + col_box[c] / 2 + gap / 2 for c in range(len(columns))}
    gap_x[-1] = MARGIN + gap / 4
    recycle_names = {k for _, _, k in back}
    long_fwd = [k for k, (u, v) in edges.items()
                if k not in recycle_names and col[v] - col[u] > 1]
    lane_runs = {k: (gap_x[col[edges[k][0]]], gap_x[col[edges[k][1]] - 1])
                 for k in [*long_fwd, *recycle_names]}
    top = _assign_lanes([(k, min(lane_runs[k]), max(lane_runs[k])) for k in long_fwd])
    bottom = _assign_lanes([(k, min(lane_runs[k]), max(lane_runs[k]))
                            for k in recycle_names])
    n_top, n_bottom = max(top.values(), default=-1) + 1, max(bottom.values(), default=-1) + 1
    rows = max(len(c) for c in columns) if columns else 1
    core = rows * ROW_PITCH
    y0 = MARGIN + LEGEND_SPACE + (n_bottom * lane_pitch + 0.3 if n_bottom else 0)
    pos = {}
    for c, units in enumerate(columns):
        mid = y0 + core / 2
        for i, n in enumerate(units):
            pos[n] = (xs[c], mid + ((len(units) - 1) / 2 - i) * ROW_PITCH)
    core_top = y0 + core
    height = core_top + (n_top * lane_pitch + 0.3 if n_top else 0) + TITLE_SPACE + MARGIN
    width = x + MARGIN - gap / 2
    lane_y = {k: core_top + 0.15 + (i + 0.5) * lane_pitch for k, i in top.items()}
    lane_y |= {k: y0 - 0.15 - (i + 0.5) * lane_pitch for k, i in bottom.items()}
    ports = _port_offsets(edges, pos, lane_y, core_top)
    routes, label_at = {}, {}
    jog: dict[int, int] = {}
    for k, (u, v) in edges.items():
        (xu, yu), (xv, yv) = pos[u], pos[v]
        start = (xu + box[u][0] / 2, yu + ports[k][0])
        end = (xv - box[v][0] / 2, yv + ports[k][1])
        if k in lane_y:
            ga, gb = _gap_slot(gap_x[col[u]], col[u], jog), _gap_slot(
                gap_x[col[v] - 1], col[v] - 1, jog)
            yl = lane_y[k]
            routes[k] = [start, (ga, start[1]), (ga, yl), (gb, yl), (gb, end[1]), end]
            label_at[k] = ((ga + gb) / 2, yl)
        else:
            routes[k] = [start, end]
            label_at[k] = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    return Layout(pos, box, routes, label_at, recycle_names, width, height, edges)


def _gap_slot(x: float, column: int, used: dict[int, int], step: float = 0.1) -> float:
    """An x in the gap right of ``column`` not yet used by another lane's vertical run."""
    i = used.get(column, 0)
    used[column] = i + 1
    return x + step * ((i + 1) // 2) * (1 if i % 2 else -1)


def _port_offsets(edges, pos, lane_y, core_top) -> dict[str, list[float]]:
    """Vertical offsets of each stream's start and end on its units' box sides, ordered
    by where the stream goes so that lines leaving one unit do not cross."""
    out: dict[str, list[float]] = {k: [0.0, 0.0] for k in edges}
    for side, this, other in ((0, 0, 1), (1, 1, 0)):
        by_unit: dict[str, list[str]] = {}
        for k, uv in edges.items():
            by_unit.setdefault(uv[this], []).append(k)
        for _unit, streams in by_unit.items():
            def height(k, other=other):
                return lane_y.get(k, pos[edges[k][other]][1])
            streams.sort(key=height, reverse=True)
            n = len(streams)
            step = min(0.09, 0.8 * BOX_HEIGHT / max(n, 1))
            for i, k in enumerate(streams):
                out[k][side] = ((n - 1) / 2 - i) * step
    return out


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


def _draw_units(ax, flowsheet: Flowsheet, lay: Layout,
                labels: Mapping[str, str] | None = None) -> None:
    labels = labels or {}
    for n, (x, y) in lay.pos.items():
        role = flowsheet.units[n].role
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


def _flowsheet_of(source: Result | Flowsheet) -> Flowsheet:
    return getattr(source, "flowsheet", source)


# -- flowsheet ---------------------------------------------------------------------------
def flowsheet_figure(source: Result | Flowsheet, title: str | None = None) -> Figure:
    """The plant as a diagram: units as boxes in process order, streams as arrows labelled
    with their names, recycle streams dashed and red in lanes below the plant."""
    fs = _flowsheet_of(source)
    lay = layout(fs)
    fig, ax = _canvas_figure(lay.width, lay.height)
    _title(ax, lay, title or f"{fs.name}: flowsheet ({len(fs.units)} units, "
                             f"{len(lay.routes)} streams, {len(lay.recycles)} recycles)")
    _draw_units(ax, fs, lay)
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
def _check_element(result: Result, element: str) -> float:
    """The element's plant feed [kg/h]; an InputError if the plant has none of it."""
    elements = list(result.species.elements)
    if element not in elements:
        raise InputError(f"no element {element!r} in this flowsheet's species",
                         field="--element", hint=did_you_mean(element, elements))
    fed = result.element_in_kg_h[element]
    if fed <= 0:
        raise InputError(f"no {element} is fed to the plant", field="--element",
                         hint="choose an element the feeds carry: " + ", ".join(
                             e for e in elements if result.element_in_kg_h[e] > 0))
    return fed


def sankey_figure(result: Result, element: str, max_width_pt: float = 22.0) -> Figure:
    """The flow of one element through the plant: every stream a band whose width is
    proportional to the element's flow [kg/h]; feeds and products labelled with their
    flows and products with their share of the feed (recovery)."""
    fed = _check_element(result, element)
    fs = result.flowsheet
    flow = {s: result.elements_kg_h(s)[element] for s in result.stream_names}
    biggest = max(flow.values())
    labels = {}
    for spec in fs.streams:
        unit = fs.units[spec.src]
        if unit.role == "feed":
            labels[spec.src] = f"{spec.src}\n{fmt(flow[spec.name])} kg/h"
        elif fs.units[spec.dst].role == "product":
            kg = flow[spec.name]
            labels[spec.dst] = f"{spec.dst}\n{fmt(kg)} kg/h, {100 * kg / fed:.1f} %"
    lay = layout(fs, lane_pitch=max(LANE_PITCH, max_width_pt / 72 + 0.12), labels=labels)
    fig, ax = _canvas_figure(lay.width, lay.height)
    _title(ax, lay, f"{fs.name}: {element} flow through the plant "
                    f"({fmt(fed)} kg/h {element} fed)")
    _draw_units(ax, fs, lay, labels)
    for k, route in lay.routes.items():
        recycle = k in lay.recycles
        colour = RECYCLE_COLOUR if recycle else BAND_COLOUR
        xs, ys = zip(*route, strict=True)
        if flow[k] <= 1e-9 * biggest:
            ax.plot(xs, ys, color="#bbbbbb", lw=0.6, ls=":", zorder=1)
            continue
        lw = max(max_width_pt * flow[k] / biggest, 0.8)
        ax.plot(xs, ys, color=colour, lw=lw, alpha=0.55, solid_capstyle="butt",
                solid_joinstyle="round", zorder=2)
        ax.plot(*route[-1], marker=">", color=colour, ms=5, zorder=3)
        _stream_label(ax, f"{k}\n{fmt(flow[k])}", lay.label_at[k], colour)
    _legend(fig, [
        Line2D([], [], color=BAND_COLOUR, lw=max_width_pt, alpha=0.55,
               label=f"{fmt(biggest)} kg/h {element}"),
        Line2D([], [], color=BAND_COLOUR, lw=max_width_pt / 4, alpha=0.55,
               label=f"{fmt(biggest / 4)} kg/h"),
        Line2D([], [], color=RECYCLE_COLOUR, lw=6, alpha=0.55, label="recycle stream"),
        Line2D([], [], color="#bbbbbb", lw=0.6, ls=":", label=f"no {element}")])
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
    fig.text(0.5, 1 - MARGIN / height, f"{result.flowsheet.name}: streams", ha="center",
             va="top", fontsize=12, weight="bold")
    return fig


# -- recovery ----------------------------------------------------------------------------
def _recovery_pairs(results: Mapping[str, Result], elements: Sequence[str] | None
                    ) -> list[tuple[str, str]]:
    """(element, product) pairs with a recovery above 0.05 % in at least one result."""
    pairs: list[tuple[str, str]] = []
    for r in results.values():
        for e in tables.assay_elements(r):
            if elements and e not in elements:
                continue
            for prod, frac in r.recovery[e].items():
                if frac > 5e-4 and (e, prod) not in pairs:
                    pairs.append((e, prod))
    return pairs


def recovery_figure(results: Result | Mapping[str, Result],
                    elements: Sequence[str] | None = None) -> Figure:
    """Recovery of each element to each product [%] as grouped bars: for one result, a
    group per element with a bar per product; for several (``{label: Result}``), a group
    per element and product with a bar per result."""
    if not isinstance(results, Mapping):
        results = {results.flowsheet.name: results}
    for r in results.values():
        for e in elements or ():
            _check_element(r, e)
    pairs = _recovery_pairs(results, elements)
    if len(results) == 1:
        result = next(iter(results.values()))
        groups = list(dict.fromkeys(e for e, _ in pairs))
        series = {prod: [100 * result.recovery[e][prod] for e in groups]
                  for prod in dict.fromkeys(p for _, p in pairs)}
        xlabel, title = "element", f"{result.flowsheet.name}: recovery to products"
        group_labels = groups
    else:
        group_labels = [f"{e} → {p}" for e, p in pairs]
        series = {label: [100 * r.recovery.get(e, {}).get(p, 0.0) for e, p in pairs]
                  for label, r in results.items()}
        xlabel = "element → product"
        title = "Recovery to products: " + " vs ".join(results)
    n_series = max(len(series), 1)
    width_in = max(6.5, 0.4 * n_series * len(group_labels) + 3.5)
    fig = Figure(figsize=(width_in, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bar_w = 0.8 / n_series
    annotate = n_series * len(group_labels) <= 60
    bar_inches = (width_in - 3.0) / max(len(group_labels), 1) * bar_w
    upright = bar_inches < 0.32            # "100.0" at 7 pt is about 0.3 in wide
    for i, (name, values) in enumerate(series.items()):
        xs = [g + (i - (n_series - 1) / 2) * bar_w for g in range(len(group_labels))]
        bars = ax.bar(xs, values, bar_w * 0.95, label=name)
        if annotate:
            ax.bar_label(bars, labels=[f"{v:.1f}" if v >= 0.05 else "" for v in values],
                         fontsize=7, padding=1, rotation=90 if upright else 0)
    ax.set_xticks(range(len(group_labels)), group_labels,
                  rotation=30 if len(group_labels) > 6 else 0,
                  ha="right" if len(group_labels) > 6 else "center")
    ax.set_ylim(0, 118 if upright else 110)
    ax.set_ylabel("recovery [% of element fed]")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if len(series) > 1:
        ax.legend(fontsize=8, title="product" if len(results) == 1 else "flowsheet",
                  title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# -- particle size distributions -----------------------------------------------------------
def psd_figure(result: Result, streams: Sequence[str] | None = None) -> Figure:
    """Cumulative % passing against particle size of chosen streams (default: every stream
    carrying solids). Needs a flowsheet with size classes (``species.size_classes``); the
    curves come from ``Result.psd(stream) -> (sizes_um, cumulative % passing)``."""
    species = result.species
    classes = getattr(species, "size_classes", None)
    if classes is None or len(classes) == 0:
        raise InputError("this flowsheet carries no particle size distributions",
                         hint="psd plots need a flowsheet with size classes; choose another "
                              "--kind (flowsheet, sankey, streams, recovery)")
    known = result.stream_names
    if streams:
        for s in streams:
            if s not in known:
                raise FlowsheetError(f"no stream named {s!r}", hint=did_you_mean(s, known))
        names = list(streams)
    else:
        names = [s for s in known if result.phase_kg_h(s)["s"] > 0]
    fig = Figure(figsize=(7.5, 5.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for s in names:
        sizes, passing = result.psd(s)
        ax.semilogx(sizes, passing, marker="o", ms=3, label=s)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel("particle size [µm]")
    ax.set_ylabel("cumulative passing [%]")
    ax.set_ylim(0, 100)
    ax.set_title(textwrap.fill(f"{result.flowsheet.name}: particle size distributions", 60))
    ax.grid(which="both", alpha=0.3)
    if len(names) > 1:
        ax.legend(fontsize=8, title="stream", title_fontsize=8)
    return fig


# -- output ------------------------------------------------------------------------------
def figure_bytes(fig: Figure, image_format: str, dpi: float = 150.0) -> bytes:
    """The figure as PNG or SVG bytes (large figures get a lower resolution so the PNG
    stays below about 12,000 pixels a side)."""
    if image_format not in IMAGE_FORMATS:
        raise InputError(f"cannot write a {image_format!r} image",
                         hint="name the output file .png or .svg")
    w, h = fig.get_size_inches()
    dpi = min(dpi, 12000 / max(w, h, 1e-9))
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format=image_format, dpi=dpi, facecolor="white")
    return buf.getvalue()
