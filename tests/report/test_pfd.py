"""The process flow diagram for a report (issue #18): pages at most A3, every stream
numbered on the drawing and in the stream table keyed to it, a page per line of an
integrated plant with off-page connectors, and PDF/SVG text kept as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import polyflow
from polyflow.cli import main
from polyflow.report.pfd import A3, page_groups, pdf_bytes, pfd_pages, stream_numbers

ROOT = Path(__file__).resolve().parents[2]
PLANT = ROOT / "flowsheets" / "copper_sx_ew.toml"


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text()
                                                                  for t in fig.texts]


@pytest.fixture(scope="module")
def solved():
    return polyflow.load(PLANT).solve()


def test_pages_fit_a3_and_carry_every_stream_number(solved):
    pages = pfd_pages(solved)
    numbers = stream_numbers(solved)
    for fig in pages:
        w, h = fig.get_size_inches()
        assert w <= A3[0] + 1e-9 and h <= A3[1] + 1e-9
    diagram, table = pages[0], pages[1:]
    on_drawing = set(_texts(diagram))
    assert {str(n) for n in numbers.values()} <= on_drawing
    in_table = "\n".join(t for fig in table for t in _texts(fig)).split("\n")
    assert {str(n) for n in numbers.values()} <= set(in_table)
    assert all(name in in_table for name in numbers)


def test_pdf_pages_are_at_most_a3(solved):
    pdf = pdf_bytes(pfd_pages(solved))
    assert pdf.startswith(b"%PDF")
    boxes = [tuple(float(v) for v in m.groups()) for m in re.finditer(
        rb"/MediaBox \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\s*\]", pdf)]
    assert len(boxes) == 2
    for _, _, w, h in boxes:        # points: A3 landscape is 1190.55 x 841.89
        assert w <= 1190.6 and h <= 841.9


def test_an_integrated_plant_has_a_page_per_line_with_off_page_connectors():
    fs = polyflow.load(ROOT / "flowsheets" / "refinery.toml")
    groups = page_groups(fs)
    assert {"cu", "au", "sb", "w", "ree", "cuau"} <= set(groups)
    pages = pfd_pages(fs)                 # unsolved: the diagrams only
    assert len(pages) == len(groups)
    cu = "\n".join(_texts(pages[list(groups).index("cu")]))
    numbers = stream_numbers(fs)
    leaving = {numbers[s.name] for s in fs.streams if s.src.startswith("cu/")
               and not s.dst.startswith("cu/")}
    # each stream that leaves the copper line ends at a connector naming its page and number
    shown = {int(n) for n in re.findall(r"to \w+ #(\d+)", cu)}
    assert leaving and shown == leaving


def test_cli_writes_the_pdf_and_svg_keeps_text(tmp_path):
    out = tmp_path / "plant.pdf"
    r = CliRunner().invoke(main, ["plot", str(PLANT), "--kind", "pfd", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF")
    svg = tmp_path / "sheet.svg"
    r = CliRunner().invoke(main, ["plot", str(PLANT), "--kind", "flowsheet", "-o", str(svg),
                                  "-q"])
    assert r.exit_code == 0, r.output
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text and "leach_feed_box" in text
