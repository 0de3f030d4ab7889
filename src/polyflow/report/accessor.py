"""``result.plot``: the figures of :mod:`polyflow.report.plots` from a result, for a
notebook.

Each method returns the :class:`matplotlib.figure.Figure` that ``polyflow plot`` would
write (built without pyplot, so nothing global changes). A notebook shows it as the cell's
value (its ``_repr_png_``), whether or not pyplot's inline backend is active; save it
with ``fig.savefig("cu.pdf")``.

>>> result.plot.sankey("Cu", min_share=0.01)            # doctest: +SKIP
>>> result.plot.recovery(others={"hot": hot_result})     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from polyflow.result import Result

__all__ = ["ResultPlots"]


def _shown(fig: Figure) -> Figure:
    """``fig`` with a ``_repr_png_``, so that a notebook displays it as a cell's value."""
    from polyflow.report.plots import figure_bytes

    fig._repr_png_ = lambda: figure_bytes(fig, "png", dpi=100.0)
    return fig


class ResultPlots:
    """The figures of one result: ``result.plot.sankey("Cu")``, ``.recovery()``,
    ``.streams()``, ``.psd()``, ``.flowsheet()``, ``.pfd()``."""

    def __init__(self, result: Result) -> None:
        self._result = result

    def __repr__(self) -> str:
        return (f"<plots of {self._result.flowsheet_name!r}: sankey(element), recovery(), "
                "streams(), psd(), flowsheet(), pfd()>")

    def sankey(self, element: str, *, min_share: float | None = None,
               max_width_pt: float = 22.0) -> Figure:
        """The flow of ``element`` through the plant
        (:func:`~polyflow.report.plots.sankey_figure`); flows at most ``min_share`` of
        the largest are hidden (default :data:`~polyflow.report.plots.MIN_SHARE`)."""
        from polyflow.report.plots import MIN_SHARE, sankey_figure

        return _shown(sankey_figure(self._result, element, max_width_pt,
                                    MIN_SHARE if min_share is None else min_share))

    def recovery(self, elements: Sequence[str] | None = None, *,
                 others: Mapping[str, Result] | None = None) -> Figure:
        """Recovery of each element to each product; with ``others`` ({label: Result})
        this result and those side by side (:func:`~polyflow.report.plots.recovery_figure`)."""
        from polyflow.report.plots import recovery_figure

        results = self._result if not others else \
            {self._result.flowsheet_name: self._result, **others}
        return _shown(recovery_figure(results, list(elements) if elements else None))

    def streams(self, streams: Sequence[str] | None = None,
                columns: Sequence[str] | None = None) -> Figure:
        """The stream table as a figure (:func:`~polyflow.report.plots.streams_figure`)."""
        from polyflow.report.plots import streams_figure

        return _shown(streams_figure(self._result, streams, columns))

    def psd(self, streams: Sequence[str] | None = None) -> Figure:
        """Particle size distributions (:func:`~polyflow.report.plots.psd_figure`)."""
        from polyflow.report.plots import psd_figure

        return _shown(psd_figure(self._result, streams))

    def flowsheet(self) -> Figure:
        """The plant as a diagram (:func:`~polyflow.report.plots.flowsheet_figure`)."""
        from polyflow.report.plots import flowsheet_figure

        return _shown(flowsheet_figure(self._result))

    def pfd(self) -> list[Figure]:
        """The process flow diagram's pages (:func:`~polyflow.report.pfd.pfd_pages`)."""
        from polyflow.report.pfd import pfd_pages

        return [_shown(page) for page in pfd_pages(self._result)]
