"""Every plot kind renders headlessly to a valid PNG and SVG; layout and error paths."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from matplotlib.image import imread

from polyflow.errors import InputError
from polyflow.report import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the PNG header, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])


def check_png(data: bytes, path) -> None:
    path.write_bytes(data)
    width, height = png_size(data)
    assert len(data) > 5_000
    assert 300 < width < 13_000 and 200 < height < 13_000
    assert imread(io.BytesIO(data)).shape[:2] == (height, width)


def check_svg(data: bytes) -> None:
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    assert len(data) > 5_000


def render_both(fig, tmp_path, name):
    check_png(plots.figure_bytes(fig, "png"), tmp_path / f"{name}.png")
    check_svg(plots.figure_bytes(fig, "svg"))


def test_recycle_streams_are_the_back_edges_of_a_loop():
    g = nx.MultiDiGraph()
    g.add_edges_from([("feed", "mix", "fresh"), ("mix", "split", "mixed"),
                      ("split", "mix", "recycle"), ("split", "out", "exit"),
                      ("split", "split", "self")])
    assert plots.recycle_streams(g, ["feed"]) == {("split", "mix", "recycle"),
                                                  ("split", "split", "self")}


def test_recycles_of_the_shipped_plant_and_its_columns(base_result):
    lay = plots.layout(base_result.flowsheet)
    assert lay.recycles == {"raffinate_recycle", "ccd2_overflow", "ccd3_overflow"}
    xs = {n: x for n, (x, _) in lay.pos.items()}
    columns = sorted(set(xs.values()))
    assert xs["ore"] == xs["acid"] == min(xs.values())            # the leach's feeds left
    # every feed stands one column before the first unit it feeds, every product one
    # column after the unit that makes it (not bussed from the far left or to the right)
    for s in base_result.streams:
        role_src = base_result.units[s.src].role
        role_dst = base_result.units[s.dst].role
        if role_src == "feed":
            assert columns.index(xs[s.dst]) - columns.index(xs[s.src]) >= 1
        if role_dst == "product":
            assert columns.index(xs[s.dst]) - columns.index(xs[s.src]) == 1
    assert xs["cathode"] > xs["cathode_harvest"]
    assert xs["leach"] < xs["ccd1"] < xs["cu_recovery"] < xs["cathode_harvest"]
    # a recycle runs in a lane below every unit
    lowest = min(y for _, y in lay.pos.values())
    assert min(y for _, y in lay.routes["raffinate_recycle"]) < lowest


def test_flowsheet_plot_draws_recycles_dashed_and_red(base_result, tmp_path):
    fig = plots.flowsheet_figure(base_result)
    arrows = [p for p in fig.axes[0].patches if p.__class__.__name__ == "FancyArrowPatch"]
    assert len(arrows) == len(base_result.stream_names)
    red = [a for a in arrows if a.get_linestyle() != "-"]
    assert len(red) == 3
    render_both(fig, tmp_path, "flowsheet")


def test_flowsheet_plot_grows_with_a_large_plant(tmp_path):
    from tests.conftest import ccd_cascade

    small = plots.flowsheet_figure(ccd_cascade(3, 1.5)).get_size_inches()
    fig = plots.flowsheet_figure(ccd_cascade(30, 1.5))              # 64 units
    assert fig.get_size_inches()[0] > 5 * small[0]
    check_png(plots.figure_bytes(fig, "png", dpi=50), tmp_path / "big.png")


def test_sankey_widths_follow_the_element_flow(base_result, tmp_path):
    fig = plots.sankey_figure(base_result, "Cu")
    lines = {round(line.get_linewidth(), 6) for line in fig.axes[0].lines}
    assert max(lines) == pytest.approx(22.0)            # the largest Cu flow
    render_both(fig, tmp_path, "sankey")


def test_sankey_of_an_unknown_element_says_which_exist(base_result):
    with pytest.raises(InputError, match=r"no element 'Cx'.*did you mean 'C'"):
        plots.sankey_figure(base_result, "Cx")
    with pytest.raises(InputError, match="no element 'Au'"):
        plots.sankey_figure(base_result, "Au")


def test_stream_table_figure(base_result, tmp_path):
    fig = plots.streams_figure(base_result, ["ore_feed", "pls"], ["solids [t/h]",
                                                                  "Cu solution [g/L]"])
    texts = {t.get_text() for t in fig.axes[0].tables[0].get_celld().values()
             for t in [t.get_text()]}
    assert {"pls", "11.18", "Cu solution\n[g/L]"} <= texts
    render_both(fig, tmp_path, "streams")
    with pytest.raises(InputError, match="no column 'Cu grade'"):
        plots.streams_figure(base_result, None, ["Cu grade"])


def test_recovery_bars_one_and_two_files(base_result, hot_result, tmp_path):
    one = plots.recovery_figure(base_result)
    assert one.axes[0].get_ylabel() == "recovery [% of element fed]"
    assert one.axes[0].get_legend() is not None
    render_both(one, tmp_path, "recovery")
    two = plots.recovery_figure({"base": base_result, "hot": hot_result}, ["Cu"])
    labels = [t.get_text() for t in two.axes[0].get_legend().get_texts()]
    assert labels == ["base", "hot"]
    heights = [b.get_height() for b in two.axes[0].patches]
    assert 100 * hot_result.recovery["Cu"]["cathode"] == pytest.approx(max(heights))


def test_psd_needs_size_classes(base_result):
    with pytest.raises(InputError, match="this flowsheet carries no particle size"):
        plots.psd_figure(base_result)


def test_psd_plot_of_the_shipped_grinding_circuit(tmp_path):
    """The grinding circuit carries size classes: feed, mill discharge and cyclone
    overflow are three curves, each ending at 100 % passing."""
    from pathlib import Path

    import polyflow

    path = Path(__file__).resolve().parents[2] / "flowsheets" / "grinding_flotation.toml"
    result = polyflow.load(path).solve()
    fig = plots.psd_figure(result, ["ore_feed", "cyclone_overflow"])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "particle size [µm]"
    assert len(ax.get_lines()) == 2 and ax.get_legend() is not None
    assert max(ax.get_lines()[1].get_ydata()) == pytest.approx(100.0, abs=1e-6)
    render_both(fig, tmp_path, "psd")


def test_figure_bytes_refuses_other_formats(base_result):
    with pytest.raises(InputError, match=r"name the output file \.png, \.svg or \.pdf"):
        plots.figure_bytes(plots.recovery_figure(base_result), "bmp")
