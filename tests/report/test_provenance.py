"""Every output records what it was made from (issue #18): the flowsheet path as given,
its content hash (with its includes), the --set overrides and --spec specs, the polyflow
version and the outputs' format version; flowsheet files carry ``format_version``."""

from __future__ import annotations

import hashlib
import io
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from tests.io.test_reader import GOOD

import polyflow
from polyflow.cli import main
from polyflow.errors import InputError
from polyflow.io.provenance import FLOWSHEET_FORMAT, OUTPUT_FORMAT

ROOT = Path(__file__).resolve().parents[2]
#: 100 kg/h Cu dissolved as CuSO4 in the ore's 2.5 t/h moisture and the water feed; the
#: solution is 1000 kg/m3, so 10 g/L is 10 m3/h = 10 t/h of water and CuSO4 together (a
#: closed form: the thickener splits solution, not Cu from water)
SPEC = "cu: vary=water.flow, target=streams.s5.g_L.Cu, value=10 g/L"


@pytest.fixture
def plant(tmp_path, monkeypatch):
    """The test plant in the working directory, given by a relative path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plant.toml").write_text(GOOD)
    return "plant.toml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _sha256(*files: Path) -> str:
    """The documented content hash: each file's byte length (8 bytes, big-endian), then
    its bytes, includes first."""
    h = hashlib.sha256()
    for f in files:
        data = f.read_bytes()
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


VARIANT = ("--set", "thickener.split.underflow.solution=40 %", "--spec", SPEC)


def test_json_records_path_as_given_hash_overrides_specs_and_versions(plant, tmp_path):
    res = run("run", plant, "--format", "json", *VARIANT)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    prov = doc["provenance"]
    assert prov["flowsheet"] == "plant.toml" and doc["source"] == "plant.toml"
    assert prov["flowsheet_sha256"] == _sha256(tmp_path / "plant.toml")
    assert prov["overrides"] == {"thickener.split.underflow.solution": "40 %"}
    assert prov["specs"] == {"cu": {"vary": "water.flow", "target": "streams.s5.g_L.Cu",
                                    "value": "10 g/L", "bounds": None}}
    assert prov["polyflow_version"] == polyflow.__version__
    assert prov["format_version"] == doc["format_version"] == OUTPUT_FORMAT == 1
    assert prov["flowsheet_format_version"] == 1
    # the spec was met as the closed form says (the record describes the run it made)
    cuso4 = doc["streams"]["s1"]["mass_kg_h"]["CuSO4(aq)"]
    assert doc["streams"]["s2"]["mass_kg_h"]["H2O(l)"] == pytest.approx(
        10_000.0 - 2500.0 - cuso4, rel=1e-6)


def test_the_hash_follows_the_bytes_of_the_file_and_its_includes(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(GOOD)
    option = tmp_path / "option.toml"
    option.write_text('[flowsheet]\ninclude = ["base.toml"]\nname = "option"\n')
    first = polyflow.load(option).provenance["flowsheet_sha256"]
    assert first == _sha256(base, option)
    base.write_text(GOOD.replace('flow = "5 m3/h"', 'flow = "6 m3/h"'))
    assert polyflow.load(option).provenance["flowsheet_sha256"] != first


def test_csv_file_has_a_bom_and_the_provenance_before_its_header(plant, tmp_path):
    res = run("run", plant, "--format", "csv", "-o", "out.csv", *VARIANT)
    assert res.exit_code == 0, res.output
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                    # utf-8-sig, for Excel
    text = raw.decode("utf-8-sig")
    head = [line for line in text.splitlines() if line.startswith("#")]
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert "# flowsheet file (as given): plant.toml" in head
    assert "# --set: thickener.split.underflow.solution='40 %'" in head
    assert f"# --spec: {SPEC.replace(': ', ': ', 1)}" in head
    assert f"# polyflow version: {polyflow.__version__}" in head
    assert "# output format_version: 1" in head
    assert body[0].startswith("stream,from,to,T [°C]") and len(body) == 1 + 5


def test_workbook_summary_records_overrides_and_version(plant, tmp_path):
    res = run("run", plant, "--format", "xlsx", "-o", "out.xlsx", *VARIANT)
    assert res.exit_code == 0, res.output
    ws = load_workbook(io.BytesIO((tmp_path / "out.xlsx").read_bytes()))["Summary"]
    items = {}
    for item, value in ws.iter_rows(min_row=2, values_only=True):
        items.setdefault(item, []).append(value)
    assert items["source"] == ["plant.toml"]                  # not an absolute path
    assert items["--set"] == ["thickener.split.underflow.solution='40 %'"]
    assert items["--spec"] == [SPEC]
    assert items["polyflow version"] == [polyflow.__version__]
    assert items["output format_version"] == [1]
    assert items["flowsheet sha256 (with includes)"] == [_sha256(tmp_path / "plant.toml")]


def test_text_header_names_the_inputs(plant):
    res = run("run", plant, "--set", "thickener.split.underflow.solution=40 %")
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("Inputs:"))
    assert line.startswith("Inputs: plant.toml (sha256 ")
    assert "--set thickener.split.underflow.solution='40 %'" in line
    assert f"polyflow {polyflow.__version__}, output format 1" in line


def test_compare_records_each_case(plant, tmp_path):
    (tmp_path / "other.toml").write_text(GOOD.replace('flow = "5 m3/h"', 'flow = "6 m3/h"'))
    res = run("compare", plant, "other.toml", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["format_version"] == OUTPUT_FORMAT
    files = doc["files"]
    assert files["other"]["provenance"]["flowsheet"] == "other.toml"
    assert files["plant"]["provenance"]["polyflow_version"] == polyflow.__version__


def test_fs_set_in_a_notebook_is_recorded_as_an_override(tmp_path):
    (tmp_path / "plant.toml").write_text(GOOD)
    fs = polyflow.load(tmp_path / "plant.toml")
    fs.set("water.flow", "6 m3/h")
    assert fs.solve().provenance["overrides"] == {"water.flow": "6 m3/h"}


def test_the_record_keeps_its_provenance_through_to_dict(tmp_path):
    (tmp_path / "plant.toml").write_text(GOOD)
    r = polyflow.load(tmp_path / "plant.toml", {"water.flow": "6 m3/h"}).solve()
    back = polyflow.Result.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back.provenance == r.provenance and back.provenance["overrides"]


# -- the flowsheet's format_version ------------------------------------------------------
def test_a_file_without_format_version_reads_as_version_1(tmp_path):
    (tmp_path / "plant.toml").write_text(GOOD)
    assert polyflow.load(tmp_path / "plant.toml").provenance["flowsheet_format_version"] == 1


def test_a_newer_format_is_refused_with_file_line_and_fix(plant):
    Path(plant).write_text(GOOD.replace("[flowsheet]\n", "[flowsheet]\nformat_version = 2\n"))
    with pytest.raises(InputError, match=r"plant.toml:2: field 'format_version': the file is "
                                         r"of flowsheet format 2; .* up to 1"):
        polyflow.load(plant)
    res = run("run", plant)
    assert res.exit_code == 2 and "update polyflow" in res.output


@pytest.mark.parametrize("bad", ["0", "1.5", '"1"', "true"])
def test_a_format_version_that_is_not_a_whole_number_from_1_is_refused(plant, bad):
    Path(plant).write_text(GOOD.replace("[flowsheet]\n", f"[flowsheet]\nformat_version = {bad}\n"))
    with pytest.raises(InputError, match="give a whole number from 1"):
        polyflow.load(plant)


def test_every_shipped_flowsheet_declares_the_current_format():
    for path in sorted((ROOT / "flowsheets").glob("*.toml")):
        head = tomllib.loads(path.read_text())["flowsheet"]
        assert head.get("format_version") == FLOWSHEET_FORMAT, path.name


def test_every_pfd_page_names_its_inputs(tmp_path):
    """The process flow diagram's pages carry the file, its hash and the version at
    their foot, with their page number."""
    from polyflow.report.pfd import pfd_pages

    (tmp_path / "plant.toml").write_text(GOOD)
    result = polyflow.load(tmp_path / "plant.toml", {"water.flow": "6 m3/h"}).solve()
    pages = pfd_pages(result)
    digest = _sha256(tmp_path / "plant.toml")[:12]
    for i, fig in enumerate(pages, start=1):
        foot = fig.texts[-1].get_text()
        assert f"(sha256 {digest}), --set water.flow='6 m3/h'; polyflow " in foot
        assert foot.endswith(f"page {i} of {len(pages)}")


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_plot_files_carry_the_inputs_in_their_metadata(plant, tmp_path, suffix):
    res = run("plot", plant, "--kind", "recovery", "--set", "water.flow=6 m3/h",
              "-o", f"r.{suffix}")
    assert res.exit_code == 0, res.output
    data = (tmp_path / f"r.{suffix}").read_bytes()
    digest = _sha256(tmp_path / "plant.toml")[:12]
    if suffix == "png":
        from PIL import Image

        subject = Image.open(io.BytesIO(data)).text["Subject"]
    elif suffix == "svg":
        subject = data.decode()
    else:
        subject = data.decode("latin-1")
    for fragment in ("Inputs: plant.toml", digest, "--set water.flow='6 m3/h'",
                     f"polyflow {polyflow.__version__}"):
        assert fragment in subject, (suffix, fragment)
