"""A process flow diagram for a report (``polyflow plot --kind pfd``): equipment symbols
by unit model, numbered streams with a stream table keyed to the numbers, one page per
line (``cu/``, ``au/``, ... prefixes of an integrated plant) or per area of a large plant,
each page at most A3, written as PDF (several pages) or SVG with real text.

Streams that leave a page end at an off-page connector naming the page they go to and
their number, as drawings do. Units and streams are placed by
:func:`polyflow.report.layout.layout` (process order left to right, recycles routed below
and drawn dashed), on each page's own sub-plant.

>>> import polyflow                                            # doctest: +SKIP
>>> pages = pfd_pages(polyflow.load("flowsheets/refinery.toml").solve())  # doctest: +SKIP
>>> open("refinery_pfd.pdf", "wb").write(pdf_bytes(pages))     # doctest: +SKIP
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from polyflow.report.layout import Topology, layout, topology

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet
    from polyflow.result import Result

__all__ = ["A3", "page_groups", "pdf_bytes", "pfd_pages", "stream_numbers"]

#: ISO 216 A3 landscape [inches]: 420 × 297 mm
A3 = (420 / 25.4, 297 / 25.4)
#: a plant with more units than this and no lines is drawn one page per area
UNITS_PER_PAGE = 40
#: stream-table rows per page
TABLE_ROWS = 42
LINE_COLOUR = "#222222"
RECYCLE_COLOUR = "#c0392b"
FILL = {"feed": "#e3f1df", "process": "#ffffff", "product": "#fdebd6"}


# -- grouping and numbering ----------------------------------------------------------------
def stream_numbers(source: Result | Flowsheet) -> dict[str, int]:
    """Stream name -> its number on the drawing (1, 2, ... in the plant's own order)."""
    return {s.name: k + 1 for k, s in enumerate(source.streams)}


def _group_of(name: str, area: str | None, by_area: bool) -> str:
    if "/" in name:
        return name.split("/", 1)[0]
    return (area or "plant") if by_area else "plant"


def page_groups(source: Result | Flowsheet) -> dict[str, list[str]]:
    """Page -> its units: the lines of an integrated plant (the prefix before ``/``; units
    without one form the ``plant`` page), else the areas of a plant of more than
    UNITS_PER_PAGE units, else one page."""
    units = source.units
    by_area = len(units) > UNITS_PER_PAGE and not any("/" in n for n in units)
    groups: dict[str, list[str]] = {}
    for n, u in units.items():
        groups.setdefault(_group_of(n, getattr(u, "area", None), by_area), []).append(n)
    return groups


def _page_topology(top: Topology, members: Sequence[str], group: str,
                   page_of: dict[str, str], numbers: dict[str, int]) -> Topology:
    """The page's units, and an off-page connector (a feed or product node) for each
    stream that enters from or leaves to another page."""
    inside = set(members)
    roles = {n: top.roles[n] for n in members}
    streams = []
    for k, u, v in top.streams:
        if u in inside and v in inside:
            streams.append((k, u, v))
        elif v in inside:
            stub = f"from {page_of[u]} #{numbers[k]}"
            roles[stub] = "feed"
            streams.append((k, stub, v))
        elif u in inside:
            stub = f"to {page_of[v]} #{numbers[k]}"
            roles[stub] = "product"
            streams.append((k, u, stub))
    weights = {k: top.weights.get(k, 0.0) for k, _, _ in streams}
    return Topology(group, roles, streams, {n: top.categories.get(n, "other") for n in roles
                                            if roles[n] == "feed"}, weights,
                    frozenset(k for k in top.slurries if k in weights))


# -- symbols ---------------------------------------------------------------------------------
def _outline(ax, patch) -> None:
    patch.set(fc="white", ec=LINE_COLOUR, lw=0.9, zorder=3)
    ax.add_patch(patch)


def _tank(ax, x, y, w, h):
    _outline(ax, Rectangle((x - w / 2, y - h / 2), w, h))
    ax.add_line(Line2D([x, x], [y + h / 2 + 0.06, y - h / 4], color=LINE_COLOUR, lw=0.8,
                       zorder=4))
    ax.add_line(Line2D([x - w / 6, x + w / 6], [y - h / 4] * 2, color=LINE_COLOUR, lw=0.8,
                       zorder=4))


def _thickener(ax, x, y, w, h):
    _outline(ax, Polygon([(x - w / 2, y + h / 2), (x + w / 2, y + h / 2),
                          (x + w / 2, y), (x, y - h / 2), (x - w / 2, y)]))


def _cyclone(ax, x, y, w, h):
    _outline(ax, Polygon([(x - w / 4, y + h / 2), (x + w / 4, y + h / 2),
                          (x + w / 4, y + h / 6), (x, y - h / 2), (x - w / 4, y + h / 6)]))


def _mill(ax, x, y, w, h):
    _outline(ax, FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle=f"round,pad=0,rounding_size={h / 2:.3f}"))
    for dx in (-w / 3, w / 3):
        ax.add_line(Line2D([x + dx] * 2, [y - h / 2, y + h / 2], color=LINE_COLOUR, lw=0.6,
                           zorder=4))


def _crusher(ax, x, y, w, h):
    _outline(ax, Polygon([(x - w / 2, y + h / 2), (x + w / 2, y + h / 2),
                          (x + w / 6, y - h / 2), (x - w / 6, y - h / 2)]))


def _screen(ax, x, y, w, h):
    _outline(ax, Polygon([(x - w / 2, y + h / 4), (x + w / 2, y - h / 4),
                          (x + w / 2, y - h / 2), (x - w / 2, y)]))


def _cells(ax, x, y, w, h):
    n = 3
    cw = w / n
    for i in range(n):
        _outline(ax, Rectangle((x - w / 2 + i * cw, y - h / 2), cw * 0.9, h))


def _settler(ax, x, y, w, h):
    _outline(ax, Rectangle((x - w / 2, y - h / 2), w, h))
    ax.add_line(Line2D([x - w / 4] * 2, [y - h / 2, y + h / 2], color=LINE_COLOUR, lw=0.8,
                       zorder=4))


def _cells_plates(ax, x, y, w, h):
    _outline(ax, Rectangle((x - w / 2, y - h / 2), w, h))
    for i in range(1, 6):
        xi = x - w / 2 + i * w / 6
        ax.add_line(Line2D([xi, xi], [y - h / 3, y + h / 3], color=LINE_COLOUR, lw=0.5,
                           zorder=4))


def _column(ax, x, y, w, h):
    _outline(ax, FancyBboxPatch((x - w / 6, y - h / 2), w / 3, h,
                                boxstyle=f"round,pad=0,rounding_size={w / 8:.3f}"))


def _mixer(ax, x, y, w, h):
    _outline(ax, Circle((x, y), min(w, h) / 2))


def _splitter(ax, x, y, w, h):
    r = min(w, h) / 2
    _outline(ax, Polygon([(x - r, y), (x, y + r), (x + r, y), (x, y - r)]))


def _heater(ax, x, y, w, h):
    r = min(w, h) / 2
    _outline(ax, Circle((x, y), r))
    ax.add_line(Line2D([x - r, x - r / 3, x, x + r / 3, x + r],
                       [y, y + r / 2, y - r / 2, y + r / 2, y], color=LINE_COLOUR, lw=0.6,
                       zorder=4))


def _filter(ax, x, y, w, h):
    _outline(ax, Rectangle((x - w / 2, y - h / 2), w, h))
    ax.add_line(Line2D([x - w / 2, x + w / 2], [y - h / 2, y + h / 2], color=LINE_COLOUR,
                       lw=0.6, zorder=4))


def _terminal(right: bool, role: str):
    def draw(ax, x, y, w, h):
        tip = w / 2 if right else -w / 2
        back = -w / 2 if right else w / 2
        notch = tip - (0.15 if right else -0.15)
        poly = Polygon([(x + back, y + h / 2), (x + notch, y + h / 2), (x + tip, y),
                        (x + notch, y - h / 2), (x + back, y - h / 2)])
        poly.set(fc=FILL[role], ec=LINE_COLOUR, lw=0.9, zorder=3)
        ax.add_patch(poly)
    return draw


def _box(ax, x, y, w, h):
    _outline(ax, FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0,rounding_size=0.05"))


#: unit model -> symbol (drawn in the unit's box, its name over it)
SYMBOLS: dict[str, Callable] = {
    "ball_mill": _mill, "crusher": _crusher, "screen": _screen, "hydrocyclone": _cyclone,
    "flotation_bank": _cells, "thickener": _thickener, "ccd": _thickener,
    "filter": _filter, "separator": _filter, "mixer": _mixer, "water_makeup": _mixer,
    "splitter": _splitter, "heater": _heater, "leach_tanks": _tank, "cyanide_leach": _tank,
    "carbon_adsorption": _tank, "neutraliser": _tank, "lime_dose": _tank,
    "stoichiometric_reactor": _tank, "precipitator": _tank, "digester": _tank,
    "apt_crystalliser": _tank, "sx_circuit": _settler, "sx_stage": _settler,
    "tungsten_amine_sx": _settler, "ree_cascade": _settler,
    "electrowinning": _cells_plates, "elution": _column,
}


# -- pages ----------------------------------------------------------------------------------
def _page_figure(width: float, height: float) -> tuple[Figure, Any, float]:
    """A page of at most A3 whose data coordinates are the layout's inches; returns the
    figure, its axes and the scale (≤ 1) that fitted the layout on the page."""
    scale = min(1.0, A3[0] / width, A3[1] / height)
    fig = Figure(figsize=(width * scale, height * scale))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax, scale


def _diagram_page(top: Topology, title: str, numbers: dict[str, int],
                  models: dict[str, str]) -> Figure:
    lay = layout(top)
    fig, ax, scale = _page_figure(lay.width, lay.height + 0.3)
    font = max(4.0, 7.5 * scale)
    ax.text(lay.width / 2, lay.height + 0.15, title, ha="center", va="center",
            fontsize=max(6.0, 12 * scale), weight="bold")
    for n, (x, y) in lay.pos.items():
        w, h = lay.box[n]
        role = top.roles[n]
        if role == "feed":
            draw = _terminal(True, "feed")
        elif role == "product":
            draw = _terminal(True, "product")
        else:
            draw = SYMBOLS.get(models.get(n, ""), _box)
        draw(ax, x, y, w, h)
        ax.text(x, y, n.split("/", 1)[-1], ha="center", va="center", fontsize=font, zorder=6,
                bbox={"boxstyle": "round,pad=0.08", "fc": "white", "ec": "none",
                      "alpha": 0.75})
    for k, route in lay.routes.items():
        recycle = k in lay.recycles
        colour = RECYCLE_COLOUR if recycle else LINE_COLOUR
        ax.add_patch(FancyArrowPatch(
            path=MplPath(route), arrowstyle="-|>", mutation_scale=8 * max(scale, 0.5),
            lw=0.9, color=colour, linestyle=(0, (4, 2)) if recycle else "-", zorder=2))
        ax.text(*lay.label_at[k], str(numbers[k]), ha="center", va="center",
                fontsize=font, color=colour, zorder=5,
                bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": colour,
                      "lw": 0.6})
    return fig


def _table_pages(result: Result, numbers: dict[str, int], title: str) -> list[Figure]:
    """The stream table keyed to the drawing's numbers, A3 landscape pages."""
    from polyflow.report.tables import stream_rows

    header = ["#", "stream", "from", "to", "total t/h", "solids t/h", "solution m3/h",
              "solids %", "T °C"]
    keys = ["total [t/h]", "solids [t/h]", "solution [m3/h]", "solids [%]", "T [°C]"]
    rows = []
    for r in stream_rows(result):
        rows.append([str(numbers[r["stream"]]), r["stream"], r["from"], r["to"],
                     *(_num(r[k]) for k in keys)])
    pages = []
    for start in range(0, len(rows), TABLE_ROWS):
        fig = Figure(figsize=A3)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.03, 0.03, 0.94, 0.9))
        ax.set_axis_off()
        fig.text(0.5, 0.96, f"{title}: stream table ({start // TABLE_ROWS + 1} of "
                            f"{-(-len(rows) // TABLE_ROWS)})", ha="center", fontsize=12,
                 weight="bold")
        chunk = rows[start:start + TABLE_ROWS]
        # one text per column (a cell per text draws 30x slower in the PDF backend)
        widths = [0.035, 0.19, 0.17, 0.17, 0.08, 0.08, 0.1, 0.08, 0.07]
        x = 0.0
        for j, (head, w) in enumerate(zip(header, widths, strict=True)):
            right = j >= 4 or j == 0
            at = x + w - 0.01 if right else x
            ha = "right" if right else "left"
            ax.text(at, 1.0, head, ha=ha, va="top", fontsize=8, weight="bold",
                    transform=ax.transAxes)
            ax.text(at, 0.97, "\n".join(row[j] for row in chunk), ha=ha, va="top",
                    fontsize=7.5, linespacing=1.6, transform=ax.transAxes,
                    family="DejaVu Sans")
            x += w
        ax.add_line(Line2D([0, 1], [0.975, 0.975], color=LINE_COLOUR, lw=0.6,
                           transform=ax.transAxes))
        pages.append(fig)
    return pages


def _num(v: Any) -> str:
    if not isinstance(v, int | float):
        return str(v)
    if abs(v) < 5e-4:
        return "0"
    return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"


def pfd_pages(source: Result | Flowsheet, title: str | None = None) -> list[Figure]:
    """The diagram pages (one per line or area, at most A3 each) and, for a solved plant,
    the stream table pages keyed to the stream numbers."""
    top = topology(source)
    numbers = stream_numbers(source)
    models = {n: u.model for n, u in source.units.items()}
    groups = page_groups(source)
    page_of = {n: g for g, members in groups.items() for n in members}
    name = title or top.name
    pages = []
    for group, members in groups.items():
        sub = _page_topology(top, members, group, page_of, numbers) if len(groups) > 1 \
            else top
        heading = f"{name}: {group}" if len(groups) > 1 else name
        pages.append(_diagram_page(sub, heading, numbers, models))
    if getattr(source, "converged", False):
        pages += _table_pages(source, numbers, name)
    _footers(pages, getattr(source, "provenance", None) or {})
    return pages


def _footers(pages: Sequence[Figure], prov: dict) -> None:
    """Each page's foot: what it was drawn from (file as given, content hash, --set,
    polyflow version; polyflow.io.provenance) and its page number."""
    from polyflow.report.provenance import set_text

    source = ""
    if prov:
        digest = prov.get("flowsheet_sha256") or ""
        sets = "".join(f", --set {set_text(k, v)}" for k, v in prov.get("overrides", {}).items())
        source = (f"{prov['flowsheet']} (sha256 {digest[:12]}){sets}; polyflow "
                  f"{prov.get('polyflow_version')}   ")
    for i, fig in enumerate(pages, start=1):
        fig.text(0.01, 0.006, f"{source}page {i} of {len(pages)}", ha="left", va="bottom",
                 fontsize=6, color="#555555")


def pdf_bytes(pages: Sequence[Figure]) -> bytes:
    """The pages as one PDF, text as embedded TrueType (searchable and selectable)."""
    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf) as pdf:
        for fig in pages:
            pdf.savefig(fig, facecolor="white")
    return buf.getvalue()
