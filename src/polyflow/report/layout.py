"""Where the units and streams of a plant go in a drawing: pure geometry, no matplotlib.

A plant is read as a :class:`Topology` (unit roles and stream ends) from a result record
or a flowsheet. **Recycle streams** are defined once, here (:func:`recycle_streams`):
the back edges of a depth-first search from the feeds, ore feeds first, then other
feeds, reagents and water, each by name, following a unit's streams in name order. They
are the streams that return material to a unit the main flow has already passed; every
one lies on a cycle of the graph (:func:`loop_streams`: both ends in one strongly
connected set of units), and removing them leaves the plant acyclic. The water balance
(:mod:`polyflow.report.water`) and the figures (:mod:`polyflow.report.plots`) use these
two functions.

The layout (:func:`layout`): without the recycles the graph is acyclic, and its
topological generations become columns, left to right, with feeds in the first column
and products in the last. Streams between neighbouring columns are drawn straight;
longer streams run in lanes above the plant and recycles in lanes below it, so no line
crosses a unit. Geometry is in inches, so the figure grows with the plant and the text
stays the same size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = ["Layout", "Topology", "layout", "loop_streams", "recycle_streams", "topology"]

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
#: a stream with more solids than this fraction of its mass is a slurry (less: a solution
#: with entrained solids, such as a raffinate or a thickener overflow)
SLURRY_SOLIDS = 0.01
#: feeds by category, in the order the depth-first search starts from them
FEED_ORDER = {"ore": 0, "other": 1, "reagent": 2, "water": 3}


@dataclass
class Topology:
    """A plant as a graph: its name, each unit's role (``feed``, ``process``,
    ``product``) and feed category, and each stream's ends."""

    name: str
    roles: dict[str, str]
    streams: list[tuple[str, str, str]]                  # (stream, src unit, dst unit)
    categories: dict[str, str] = field(default_factory=dict)
    #: stream -> mass flow [kg/h], where the plant is solved: the search for recycles
    #: starts at the heaviest feed and follows the heaviest stream first, so the main line
    #: runs forward and what returns is recycle
    weights: dict[str, float] = field(default_factory=dict)
    #: streams that carry solids (over SLURRY_SOLIDS of their mass, of a solved plant):
    #: the search follows the ore first
    slurries: frozenset[str] = frozenset()

    def graph(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        for n, role in self.roles.items():
            g.add_node(n, role=role)
        g.add_edges_from((u, v, k) for k, u, v in self.streams)
        return g

    def feeds(self) -> list[str]:
        """Feed units, ore first, then other feeds, reagents and water; within each, the
        heaviest first (of a solved plant), then by name."""
        out_flow: dict[str, float] = {}
        for k, u, _ in self.streams:
            out_flow[u] = out_flow.get(u, 0.0) + self.weights.get(k, 0.0)
        return sorted((n for n, r in self.roles.items() if r == "feed"),
                      key=lambda n: (FEED_ORDER.get(self.categories.get(n, "other"), 1),
                                     -out_flow.get(n, 0.0), n))


def topology(source: Any) -> Topology:
    """The topology of a :class:`~polyflow.result.Result` record or of a
    :class:`~polyflow.flowsheet.Flowsheet` (both list ``units`` with a ``role`` and
    ``streams`` with ``name``, ``src`` and ``dst``)."""
    if isinstance(source, Topology):
        return source
    name = getattr(source, "flowsheet_name", None) or getattr(source, "name", "")
    roles, categories = {}, {}
    for n, u in source.units.items():
        roles[n] = u.role
        params = getattr(u, "params", None) or getattr(u, "p", {})
        if u.role == "feed":
            categories[n] = params.get("category", "other")
    weights, slurries = {}, frozenset()
    mass = getattr(source, "mass_flows", None)
    if mass is not None and getattr(source, "converged", False):
        names = [s.name for s in source.streams]
        weights = dict(zip(names, mass.sum(axis=1).tolist(), strict=True))
        solids = mass[:, source.species.mask("s")].sum(axis=1)
        slurries = frozenset(n for n, m, t in zip(names, solids.tolist(),
                                                   weights.values(), strict=True)
                             if m > SLURRY_SOLIDS * t)
    return Topology(name, roles, [(s.name, s.src, s.dst) for s in source.streams], categories,
                    weights, slurries)


def loop_streams(source: Any) -> list[str]:
    """Streams on a cycle of the plant: both ends in one strongly connected set of
    units (every stream of a recycle loop, forward and back)."""
    top = topology(source)
    comp: dict[str, tuple[int, int]] = {}
    for k, nodes in enumerate(nx.strongly_connected_components(top.graph())):
        for n in nodes:
            comp[n] = (k, len(nodes))
    return [s for s, u, v in top.streams if comp[u][0] == comp[v][0] and comp[u][1] > 1]


def recycle_streams(source: Any, feeds: Iterable[str] | None = None
                    ) -> set[tuple[str, str, str]]:
    """Back edges ``(src, dst, stream)`` of a depth-first search that starts at the feeds
    (ore first, see :meth:`Topology.feeds`, or ``feeds`` in the order given), then at
    any unit not reached: the streams that close a loop. Removing them leaves an acyclic
    graph. ``source`` is a result, a flowsheet, a :class:`Topology` or a networkx
    multigraph. Of a solved plant (a result) the search starts at the heaviest feed of
    each category and leaves each unit by the streams that carry solids first, heaviest
    first: the ore's path runs forward and the solutions that return are the recycles,
    whatever their names (names only break ties of equal flows, and order an unsolved
    plant).

    >>> g = nx.MultiDiGraph()
    >>> g.add_edges_from([("feed", "mix", "a"), ("mix", "split", "b"),
    ...                   ("split", "mix", "recycle"), ("split", "out", "c")])
    ['a', 'b', 'recycle', 'c']
    >>> recycle_streams(g, ["feed"])
    {('split', 'mix', 'recycle')}
    """
    weights: Mapping[str, float] = {}
    slurries: frozenset[str] = frozenset()
    if isinstance(source, nx.MultiDiGraph):
        graph = source
        starts = list(feeds) if feeds is not None else []
    else:
        top = topology(source)
        graph = top.graph()
        starts = list(feeds) if feeds is not None else top.feeds()
        weights, slurries = top.weights, top.slurries
    on_stack, done = set(), set()
    back: set[tuple[str, str, str]] = set()

    def out_edges(node):
        return iter(sorted(graph.out_edges(node, keys=True),
                           key=lambda e: (e[2] not in slurries, -weights.get(e[2], 0.0),
                                          e[1], e[2])))

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
    return graph.nodes[node].get("role", "process")


def _columns(graph: nx.MultiDiGraph, recycles: set) -> list[list[str]]:
    """Units in columns: topological generations of the graph without its recycles, a feed
    just before the unit it feeds and a product just after the unit that makes it, each
    column ordered to limit crossings."""
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from((u, v) for u, v, k in graph.edges(keys=True)
                       if (u, v, k) not in recycles and u != v)
    col = {n: i for i, gen in enumerate(nx.topological_generations(dag)) for n in gen}
    # feeds stand just before the first unit they feed and products just after the unit
    # that makes them, rather than bussed from the far left and to the far right
    for n in graph.nodes:
        if _role(graph, n) == "feed":
            after = [col[v] for v in dag.successors(n) if _role(graph, v) != "feed"]
            col[n] = max(min(after, default=1) - 1, 0)
    for n in graph.nodes:
        if _role(graph, n) == "product":
            before = [col[u] for u in dag.predecessors(n)]
            col[n] = max(before, default=0) + 1
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


def layout(source: Any, lane_pitch: float = LANE_PITCH,
           labels: Mapping[str, str] | None = None) -> Layout:
    """Place the units of a result's or a flowsheet's plant in columns and route every
    stream (see the module docstring); ``labels`` (unit -> text) replaces unit names in
    the boxes and sizes them."""
    labels = labels or {}
    top = topology(source)
    graph = top.graph()
    back = recycle_streams(top)
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
