"""Report control (issue #18): ``--sections``, ``--streams`` and ``--area`` on
``polyflow run``, for text, Markdown and CSV; CSV files with a UTF-8 byte-order mark."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from tests.report.conftest import BASE

from polyflow.cli import main
from polyflow.errors import InputError
from polyflow.report import write_atomic
from polyflow.report.export import render, render_csv, render_markdown, render_text
from polyflow.report.selection import SECTIONS, Selection

#: the streams into or out of the leach of copper_oxide_leach.toml (its areas are its units)
LEACH_STREAMS = ["leach_feed", "leach_discharge"]


def _block(text: str, title: str) -> list[str]:
    """The lines of the table under ``title`` (to the next blank line), without its header
    and rule."""
    lines = text.splitlines()
    start = lines.index(title) + 3
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _first_column(lines: list[str]) -> list[str]:
    return [line.split()[0] for line in lines]


def _csv_streams(text: str) -> list[str]:
    body = "".join(line for line in io.StringIO(text) if not line.startswith("#"))
    return [r["stream"] for r in csv.DictReader(io.StringIO(body))]


def test_sections_choose_what_the_text_report_shows(base_result):
    text = render_text(base_result, selection=Selection(sections=("summary", "recovery")))
    assert text.startswith("Flowsheet: ") and "Recovery to products" in text
    for title in ("Streams", "Element balance (feeds in, products out)", "Energy",
                  "Unit results", "Water balance"):
        assert title not in text.splitlines(), title
    only = render_text(base_result, selection=Selection(sections=("balance",)))
    assert only.splitlines()[0] == "Element balance (feeds in, products out)"
    assert render_text(base_result) == render_text(base_result, selection=Selection())


def test_streams_choose_the_rows_in_the_order_named(base_result):
    sel = Selection(streams=("raffinate", "pls"))
    text = render_text(base_result, selection=sel)
    assert _first_column(_block(text, "Streams")) == ["raffinate", "pls"]
    assert _csv_streams(render_csv(base_result, sel)) == ["raffinate", "pls"]
    md = render_markdown(base_result, selection=sel)
    assert "| raffinate |" in md and "| leach_feed |" not in md


def test_area_keeps_its_streams_and_its_units(base_result):
    sel = Selection(area="leach")
    text = render_text(base_result, selection=sel)
    assert _first_column(_block(text, "Streams")) == LEACH_STREAMS
    assert _first_column(_block(text, "Energy")) == ["leach"]
    assert _csv_streams(render(base_result, "csv", selection=sel)) == LEACH_STREAMS
    # the plant's balance is the plant's, whatever the area
    assert _block(text, "Element balance (feeds in, products out)") == \
        _block(render_text(base_result), "Element balance (feeds in, products out)")


@pytest.mark.parametrize(("sel", "message", "hint"), [
    (Selection(sections=("stream",)), "no report section 'stream'", "'streams'"),
    (Selection(streams=("pls2",)), "no stream 'pls2'", "'pls'"),
    (Selection(area="leech"), "no area 'leech'", "'leach'"),
])
def test_a_wrong_name_is_refused_with_what_exists(base_result, sel, message, hint):
    with pytest.raises(InputError, match=message) as err:
        render_text(base_result, selection=sel)
    assert hint in str(err.value)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_command_line_options(tmp_path):
    res = run("run", BASE, "--sections", "summary,streams", "--streams", "pls,raffinate")
    assert res.exit_code == 0, res.output
    assert _first_column(_block(res.output, "Streams")) == ["pls", "raffinate"]
    assert "Recovery to products" not in res.output
    res = run("run", BASE, "--format", "csv", "--area", "leach", "-o", tmp_path / "a.csv")
    assert res.exit_code == 0, res.output
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert _csv_streams(raw.decode("utf-8-sig")) == LEACH_STREAMS
    bad = run("run", BASE, "--area", "leech")
    assert bad.exit_code == 2 and "no area 'leech'" in bad.output
    for args in (("--format", "json", "--area", "leach"),
                 ("--format", "csv", "--sections", "recovery")):
        res = run("run", BASE, *args)
        assert res.exit_code == 2, (args, res.output)


def test_help_lists_every_section():
    res = run("run", "--help")
    assert all(name in " ".join(res.output.split()) for name in SECTIONS)


def test_csv_files_start_with_a_byte_order_mark_once(tmp_path):
    """utf-8-sig, so that Excel shows °C and Δ (not Â°C); any .csv, str or bytes (the
    study table's writer passes bytes); other files are written as given."""
    for content in ("T [°C]\n1\n", b"T [\xc2\xb0C]\n1\n", "\ufeffT [°C]\n1\n"):
        write_atomic(tmp_path / "t.csv", content)
        assert (tmp_path / "t.csv").read_bytes() == "\ufeffT [°C]\n1\n".encode()
    write_atomic(tmp_path / "t.txt", "T [°C]\n")
    assert (tmp_path / "t.txt").read_bytes() == "T [°C]\n".encode()
    write_atomic(tmp_path / "t.dat", "a,b\n", bom=True)
    assert (tmp_path / "t.dat").read_bytes().startswith(b"\xef\xbb\xbf")
