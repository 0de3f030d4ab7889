"""Charts of results (``polyflow plot --kind recovery|psd``): recovery bars and particle
size distributions, drawn with matplotlib without pyplot (no global state), in the fixed
colours of :mod:`polyflow.report.colours`. :mod:`polyflow.report.plots` re-exports them
beside the diagrams (flowsheet, Sankey, stream table).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from polyflow.errors import FlowsheetError, InputError, did_you_mean
from polyflow.report import tables
from polyflow.report.colours import colours

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["check_element", "psd_figure", "recovery_figure"]


def check_element(result: Result, element: str) -> float:
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
        results = {results.flowsheet_name: results}
    for r in results.values():
        for e in elements or ():
            check_element(r, e)
    pairs = _recovery_pairs(results, elements)
    if len(results) == 1:
        result = next(iter(results.values()))
        groups = list(dict.fromkeys(e for e, _ in pairs))
        series = {prod: [100 * result.recovery[e][prod] for e in groups]
                  for prod in dict.fromkeys(p for _, p in pairs)}
        xlabel, title = "element", f"{result.flowsheet_name}: recovery to products"
        group_labels = groups
        # a product's colour is fixed by its name among all the plant's products
        palette = colours(result.products)
    else:
        group_labels = [f"{e} → {p}" for e, p in pairs]
        series = {label: [100 * r.recovery.get(e, {}).get(p, 0.0) for e, p in pairs]
                  for label, r in results.items()}
        xlabel = "element → product"
        title = "Recovery to products: " + " vs ".join(results)
        palette = colours(results)
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
        bars = ax.bar(xs, values, bar_w * 0.95, label=name, color=palette[name])
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
    palette = colours(names)
    for s in names:
        sizes, passing = result.psd(s)
        ax.semilogx(sizes, passing, marker="o", ms=3, label=s, color=palette[s])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel("particle size [µm]")
    ax.set_ylabel("cumulative passing [%]")
    ax.set_ylim(0, 100)
    ax.set_title(textwrap.fill(f"{result.flowsheet_name}: particle size distributions", 60))
    ax.grid(which="both", alpha=0.3)
    if len(names) > 1:
        ax.legend(fontsize=8, title="stream", title_fontsize=8)
    return fig
