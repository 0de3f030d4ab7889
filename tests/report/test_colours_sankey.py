"""Fixed colours across figures, Sankey thresholds and ``result.plot`` (issue #18)."""

from __future__ import annotations

import re

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from polyflow.errors import InputError
from polyflow.report.colours import ELEMENT_COLOUR, PALETTE, colour_of, colours
from polyflow.report.plots import recovery_figure, sankey_figure, sankey_topology


def _bar_colours(fig: Figure) -> dict[str, str]:
    """Legend label -> bar colour of a recovery figure."""
    ax = fig.axes[0]
    return {c.get_label(): to_hex(c.patches[0].get_facecolor())
            for c in ax.containers if c.patches}


def test_a_name_has_one_colour_everywhere():
    assert colour_of("Cu") == ELEMENT_COLOUR["Cu"]
    assert colour_of("cathode") == colour_of("cathode") in PALETTE
    names = [f"product{i}" for i in range(len(PALETTE))]
    assert len(set(colours(names).values())) == len(PALETTE)      # distinct in a figure
    # the colour does not depend on the order the names come in
    assert colours(names) == colours(list(reversed(names)))


def test_a_product_keeps_its_colour_between_figures(base_result, hot_result):
    one = _bar_colours(recovery_figure(base_result))
    only_cu = _bar_colours(recovery_figure(base_result, ["Cu"]))
    hot = _bar_colours(recovery_figure(hot_result))
    assert one["cathode"] == only_cu["cathode"] == hot["cathode"]
    assert len(set(one.values())) == len(one)
    side = _bar_colours(recovery_figure({"base": base_result, "hot": hot_result}))
    assert side == colours(["base", "hot"])


def _stream_labels(fig: Figure, names) -> set[str]:
    return {t.get_text().split("\n")[0] for t in fig.axes[0].texts} & set(names)


def test_sankey_leaves_out_feeds_and_products_without_the_element(base_result):
    top, flow, threshold = sankey_topology(base_result, "Cu")
    assert "ore" in top.roles
    # sulphuric acid and process water carry no copper; nor do the gases
    for gone in ("acid", "process_water", "offgas", "anode_gas"):
        assert gone not in top.roles, gone
    assert threshold == pytest.approx(1e-3 * max(flow.values()))


def test_sankey_hides_flows_below_the_share_and_writes_no_e_notation(base_result):
    names = base_result.stream_names
    flow = {s: base_result.elements_kg_h(s)["Cu"] for s in names}
    for share in (0.0, 1e-3, 0.5):
        fig = sankey_figure(base_result, "Cu", min_share=share)
        drawn = _stream_labels(fig, names)
        floor = max(share, 1e-9) * max(flow.values())      # 0: round-off of the solve
        assert drawn == {s for s in names if flow[s] > floor}
        texts = [t.get_text() for t in fig.axes[0].texts]
        texts += [t.get_text() for t in fig.legends[0].get_texts()]
        assert not [t for t in texts if re.search(r"\d[eE][+-]?\d", t)]
    with pytest.raises(InputError, match="a share of the largest flow"):
        sankey_figure(base_result, "Cu", min_share=1.5)


def test_sankey_bands_are_in_the_element_colour(base_result):
    fig = sankey_figure(base_result, "Cu")
    colours_drawn = {to_hex(line.get_color()) for line in fig.axes[0].lines}
    assert ELEMENT_COLOUR["Cu"] in colours_drawn


def test_result_plot_returns_figures_a_notebook_shows(base_result, hot_result):
    fig = base_result.plot.sankey("Cu", min_share=0.01)
    assert isinstance(fig, Figure)
    assert fig._repr_png_().startswith(b"\x89PNG")
    both = base_result.plot.recovery(others={"hot": hot_result})
    assert set(_bar_colours(both)) == {base_result.flowsheet_name, "hot"}
    assert isinstance(base_result.plot.streams(["pls"]), Figure)
    assert isinstance(base_result.plot.flowsheet(), Figure)
    assert "sankey(element)" in repr(base_result.plot)
    with pytest.raises(InputError, match="no element 'Xx'"):
        base_result.plot.sankey("Xx")
