"""Studies (issue #16): grid rows equal single runs with --set, failed and infeasible
points are rows with their cause, Monte Carlo points are the seed's, the same seed gives
the same table locally and on a real Dask cluster, and sensitivities equal central
differences of full runs and a closed form."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tests.conftest import ccd_cascade

from polyflow.cli import main
from polyflow.errors import InputError
from polyflow.io.reader import load
from polyflow.solve.driver import solve
from polyflow.study import read_study, run_study, sensitivities
from polyflow.study.design import study_from_dict
from polyflow.study.outputs import Outputs
from polyflow.study.sensitivity import default_parameters
from polyflow.study.writers import table_bytes

ROOT = Path(__file__).resolve().parents[2]
LEACH = ROOT / "flowsheets" / "copper_oxide_leach.toml"
OUTPUTS = ["recovery.Cu.cathode", "streams.pls.g_L.Cu", "streams.leach_discharge.T_K",
           "energy.cu_recovery.duty_kW"]


def _write(tmp_path: Path, text: str, name: str = "study.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'flowsheet = "{LEACH.as_posix()}"\n' + text)
    return path


GRID = f"""outputs = {json.dumps(OUTPUTS)}
[vary."process_water.flow"]
values = ["90 m3/h", "130 m3/h"]
[vary."ore.grades.Cu"]
values = ["1.0 %", "1.4 %"]
"""

MONTE_CARLO = """outputs = ["recovery.Cu.cathode", "streams.pls.g_L.Cu"]
batch = 3
[monte_carlo]
samples = 6
seed = 11
[vary."ore.grades.Cu"]
distribution = "normal"
mean = "1.2 %"
sd = "0.1 %"
[vary."process_water.flow"]
distribution = "triangular"
low = "80 m3/h"
mode = "110 m3/h"
high = "140 m3/h"
"""


def test_grid_rows_equal_single_runs_with_set(tmp_path):
    """Each row of a 2×2×2 grid (full factorial over two feeds' fields and a unit's
    nested parameter) equals `polyflow run --set` of that point to 1e-9, although the
    points are made from the plant read once and warm-started from each other."""
    grid = GRID + """[vary."ccd2.split.underflow.solution"]
values = ["45 %", "55 %"]
"""
    study = read_study(_write(tmp_path, grid))
    done: list[int] = []
    table = run_study(study, progress=done.append)
    assert done == [1] * 8                       # the progress bar moves point by point
    cols = ["process_water.flow [m3/h]", "ore.grades.Cu [%]",
            "ccd2.split.underflow.solution [%]"]
    assert [tuple(r[c] for c in cols) for r in table.rows] == [
        (w, g, s) for w in (90.0, 130.0) for g in (1.0, 1.4) for s in (45.0, 55.0)]
    reader = Outputs(OUTPUTS, load(LEACH))
    for row in table.rows:
        fs = load(LEACH, {"process_water.flow": f"{row[cols[0]]:g} m3/h",
                          "ore.grades.Cu": f"{row[cols[1]]:g} %",
                          "ccd2.split.underflow.solution": f"{row[cols[2]]:g} %"})
        single = reader.values(solve(fs))
        assert row["status"] == "converged"
        assert row["start"] == "warm"
        assert row["assembly"] == "in place"     # the last point's system rewritten
        for path in OUTPUTS:
            assert row[path] == pytest.approx(single[path], rel=1e-9, abs=1e-9), path
    # the grid moves the PLS: more wash water dilutes it, more copper concentrates it
    g = table.column("streams.pls.g_L.Cu")
    assert g[0] > g[4] and g[2] > g[0]
    # the table records what it was made from, in every format (issue #18)
    from polyflow.io.provenance import files_sha256

    prov = table.provenance
    assert prov["study_sha256"] == files_sha256([study.source])
    assert prov["flowsheet_sha256"] == files_sha256([LEACH])
    csv_text = table_bytes(table, "csv").decode()
    assert f"# study sha256: {prov['study_sha256']}" in csv_text.splitlines()
    assert f"# polyflow version: {prov['polyflow_version']}" in csv_text.splitlines()
    assert json.loads(table_bytes(table, "json"))["provenance"] == prov
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(table_bytes(table, "xlsx")))["Provenance"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert prov["study_sha256"] in values and prov["flowsheet_sha256"] in values


def test_failed_and_infeasible_points_are_rows_with_their_cause(tmp_path):
    """Too little acid: the leach consumes more acid than reaches it (infeasible: the
    warm solve's balance needs a negative flow, and continuation from the solved
    neighbour names the leach, where the acid runs out); a negative flow is refused
    (failed). Neither row is dropped."""
    text = """outputs = ["recovery.Cu.cathode"]
[vary."acid.flows.H2SO4"]
values = ["9 t/h", "0.5 t/h", "-1 t/h"]
"""
    table = run_study(read_study(_write(tmp_path, text)))
    status = table.column("status")
    assert status == ["converged", "infeasible", "failed"]
    infeasible, failed = table.rows[1], table.rows[2]
    assert "consumes more H2SO4(aq) than reaches it" in infeasible["cause"]
    assert "[continuation from the nearest solved point:" in infeasible["cause"]
    assert "unit 'leach'" in infeasible["cause"] and "run out" in infeasible["cause"]
    assert infeasible["start"] == "continuation"
    assert math.isnan(infeasible["recovery.Cu.cathode"])
    assert "non-negative" in failed["cause"] and "'acid'" in failed["cause"]
    csv = [line for line in table_bytes(table, "csv").decode().splitlines()
           if not line.startswith("#")]             # the provenance lines
    assert len(csv) == 4 and csv[2].split(",")[2:4] == ["", "infeasible"]
    doc = json.loads(table_bytes(table, "json"))
    assert doc["counts"] == {"converged": 1, "infeasible": 1, "failed": 1}
    assert doc["rows"][1]["recovery.Cu.cathode"] is None
    # without continuation the point is still reported, with the warm solve's cause
    quick = run_study(read_study(_write(tmp_path, "continuation = false\n" + text)))
    assert quick.column("status") == status
    assert quick.rows[1]["start"] == "warm" and "continuation" not in quick.rows[1]["cause"]


def test_monte_carlo_points_are_the_seeds():
    """Samples come from numpy.random.default_rng(seed), one column per input in file
    order; the same seed gives the same points, another seed others."""
    study = study_from_dict(__import__("tomllib").loads(
        f'flowsheet = "{LEACH.as_posix()}"\n' + MONTE_CARLO))
    points = [n for n, _ in study.points()]
    rng = np.random.default_rng(11)
    grades = rng.normal(1.2, 0.1, 6)
    flows = rng.triangular(80.0, 110.0, 140.0, 6)
    assert [p[0] for p in points] == list(grades)
    assert [p[1] for p in points] == list(flows)
    assert next(o for _, o in study.points())["ore.grades.Cu"] == f"{float(grades[0])!r} %"
    study.seed = 12
    assert next(n for n, _ in study.points())[0] != grades[0]


@pytest.mark.parametrize(("dist", "params", "mean", "var"), [
    ("uniform", {"low": 2.0, "high": 5.0}, 3.5, 9 / 12),
    ("triangular", {"low": 1.0, "mode": 2.0, "high": 6.0}, 3.0, (1 + 4 + 36 - 2 - 6 - 12) / 18),
    ("lognormal", {"mean": 2.0, "sd": 0.5}, 2.0, 0.25),
    ("discrete", {"values": [1, 2, 4], "weights": [1, 1, 2]}, 2.75, 1.6875),
])
def test_distributions_have_their_closed_form_moments(dist, params, mean, var):
    """Sample moments of 40,000 draws within 5 standard errors of the closed forms
    (uniform (b−a)²/12; triangular (a²+b²+c²−ab−ac−bc)/18; lognormal from its mean and
    sd by construction; a discrete law by its weights)."""
    doc = {"flowsheet": "x.toml", "outputs": [], "monte_carlo": {"samples": 40000, "seed": 3},
           "vary": {"u.p": {"distribution": dist, **params}}}
    x = np.array([n[0] for n, _ in study_from_dict(doc).points()], dtype=float)
    se = math.sqrt(var / len(x))
    assert abs(x.mean() - mean) < 5 * se
    assert x.var() == pytest.approx(var, rel=0.05)


def test_study_file_errors_name_the_field(tmp_path):
    with pytest.raises(InputError, match="distribution 'gauss'") as err:
        read_study(_write(tmp_path, """outputs = []
[monte_carlo]
samples = 3
[vary."ore.grades.Cu"]
distribution = "gauss"
mean = "1 %"
"""))
    assert "normal" in str(err.value) and "study.toml" in str(err.value)
    with pytest.raises(InputError, match="same unit"):
        read_study(_write(tmp_path, """outputs = []
[vary."process_water.flow"]
values = ["90 m3/h", "0.03 m3/s"]
"""))
    bad_output = _write(tmp_path, """outputs = ["recovery.Cu.cathodes"]
[vary."process_water.flow"]
values = ["90 m3/h"]
""")
    with pytest.raises(InputError, match="cathode"):
        run_study(read_study(bad_output))


def _dask_cluster(tmp_path: Path):
    """A real scheduler and one worker, each its own process (the `dask` command)."""
    sched_file = tmp_path / "scheduler.json"
    env_python = sys.executable
    common = ["--no-dashboard"]
    sched = subprocess.Popen([env_python, "-m", "dask", "scheduler", "--port", "0",
                              "--scheduler-file", str(sched_file), *common],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        for _ in range(600):
            if sched_file.exists() and sched_file.read_text().strip():
                break
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        worker = subprocess.Popen([env_python, "-m", "dask", "worker", address,
                                   "--nworkers", "1", "--nthreads", "1", *common],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(1, timeout=120)
        return address, [worker, sched]
    except Exception:
        for p in (worker, sched):
            if p is not None:
                p.kill()
        raise


def test_same_seed_same_csv_locally_and_on_a_dask_cluster(tmp_path):
    """Six Monte Carlo points in two batches: the CSV of one process equals, byte for
    byte, the CSV of a real distributed scheduler and worker started here."""
    pytest.importorskip("distributed")
    path = _write(tmp_path, MONTE_CARLO)
    local = tmp_path / "local.csv"
    remote = tmp_path / "remote.csv"
    runner = CliRunner()
    res = runner.invoke(main, ["study", str(path), "-o", str(local), "-q"])
    assert res.exit_code == 0, res.output
    address, procs = _dask_cluster(tmp_path)
    try:
        res = runner.invoke(main, ["study", str(path), "-o", str(remote), "-q",
                                   "--scheduler", address])
        assert res.exit_code == 0, res.output
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    assert remote.read_bytes() == local.read_bytes()
    assert local.read_bytes().startswith(b"\xef\xbb\xbf")      # a CSV file for Excel
    lines = local.read_text(encoding="utf-8-sig").splitlines()
    assert "# Monte Carlo seed: 11" in lines                   # its provenance first
    lines = [line for line in lines if not line.startswith("#")]
    assert len(lines) == 7 and lines[0].startswith("point,ore.grades.Cu [%],")
    assert all(",converged," in line for line in lines[1:])


def _full_run(overrides: dict, reader: Outputs) -> dict[str, float]:
    return reader.values(solve(load(LEACH, overrides)))


@pytest.mark.parametrize("param", ["process_water.flow", "ore.grades.Cu",
                                   "ccd1.split.underflow.solution",
                                   "cu_recovery.temperature"])
def test_sensitivities_equal_central_differences_of_full_runs(param):
    """dy/dp by the adjoint of the converged Jacobian against (y(p+h) − y(p−h))/2h of
    two full runs with --set, h = 1e-4·p: the FD truncation error is O(h²) ≈ 1e-8
    relative, the round-off of the two runs ≈ 1e-10/1e-4; within 1e-6 of the scale."""
    fs = load(LEACH)
    outputs = ["streams.pls.g_L.Cu", "streams.leach_discharge.T_K",
               "energy.cu_recovery.duty_kW"]
    docs = sensitivities(fs, outputs, [param])
    reader = Outputs(outputs, fs)
    s0 = docs[0]["sensitivities"][param]
    v, sym = s0["value"], s0["param_unit"]
    h = 1e-4 * abs(v)
    up = _full_run({param: f"{v + h!r} {sym}" if sym else v + h}, reader)
    dn = _full_run({param: f"{v - h!r} {sym}" if sym else v - h}, reader)
    for doc in docs:
        out = doc["output"]
        fd = (up[out] - dn[out]) / (2 * h)
        scale = abs(doc["value"]) / abs(v)      # |y|/|p|: the derivative's natural size
        assert doc["sensitivities"][param]["derivative"] == pytest.approx(
            fd, abs=1e-6 * scale), out


def test_sensitivity_of_washing_loss_to_the_feed_is_the_kremser_fraction():
    """n ideal counter-current washing stages at wash ratio R pass the fraction
    (R − 1)/(R^(n+1) − 1) of the feed solute to the washed underflow (McCabe, Smith &
    Harriott, Unit Operations of Chemical Engineering, 7th ed., ch. 20), linearly: so
    d(solute lost)/d(solute fed) is that fraction, and the elasticity is 1."""
    n, R = 4, 2.0
    fs = ccd_cascade(n, R)
    doc, = sensitivities(fs, [f"streams.uf{n - 1}.mass_kg_h.CuSO4"],
                         ["slurry.flows_kg_h.CuSO4"])
    s = doc["sensitivities"]["slurry.flows_kg_h.CuSO4"]
    assert s["derivative"] == pytest.approx((R - 1) / (R ** (n + 1) - 1), rel=1e-9)
    assert s["elasticity"] == pytest.approx(1.0, rel=1e-9)


def test_sensitivity_command_writes_json_and_a_tornado(tmp_path):
    out = tmp_path / "sens.json"
    png = tmp_path / "tornado.png"
    res = CliRunner().invoke(main, ["sensitivity", str(LEACH), "--output",
                                    "streams.pls.g_L.Cu", "--param", "ore.grades.Cu",
                                    "--param", "process_water.flow", "--json", str(out),
                                    "--plot", str(png), "-q"])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["output"] == "streams.pls.g_L.Cu" and doc["unit"] == "g/L"
    s = doc["sensitivities"]["ore.grades.Cu"]
    assert s["unit"] == "g/L per %" and 0.9 < s["elasticity"] < 1.0
    assert png.read_bytes()[:4] == b"\x89PNG"
    res = CliRunner().invoke(main, ["sensitivity", str(LEACH), "--output",
                                    "streams.pls.g_L.Cux"])
    assert res.exit_code == 2 and "Cux" in res.output


def test_study_command_tables_and_plots(tmp_path):
    path = _write(tmp_path, GRID)
    runner = CliRunner()
    xlsx, json_file = tmp_path / "t.xlsx", tmp_path / "t.json"
    res = runner.invoke(main, ["study", str(path), "-o", str(xlsx), "-q",
                               "--scatter", str(tmp_path / "s.png"),
                               "--feasibility", str(tmp_path / "f.svg"),
                               "--spider", str(tmp_path / "p.png")])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    ws = load_workbook(xlsx)["Study"]
    assert ws.max_row >= 5
    assert (tmp_path / "s.png").stat().st_size > 0
    assert (tmp_path / "f.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    res = runner.invoke(main, ["study", str(path), "-o", str(json_file), "-q"])
    assert json.loads(json_file.read_text())["counts"]["converged"] == 4
    res = runner.invoke(main, ["study", str(path), "-q", "-o", str(tmp_path / "t.txt")])
    assert res.exit_code == 2 and ".csv" in res.output
    assert not (tmp_path / "t.txt").exists()


def test_workers_without_distributed_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match=r"polyflow\[dask\]"):
        run_study(read_study(_write(tmp_path, GRID)), workers=2)


def test_sensitivities_with_a_spec_hold_its_target():
    """With a spec (wash water varied to hold the PLS at 12 g/L Cu) the derivatives are
    those of the plant that keeps its target: zero for the target, the wash water's
    change for the freed input, each equal to central differences of two full runs with
    the spec (h = 1e-4·p)."""
    from polyflow.solve.specs import parse_spec_option

    spec = parse_spec_option("w: vary=process_water.flow, target=streams.pls.g_L.Cu, "
                             "value=12 g/L", 1)

    def plant(overrides=None):
        return load(LEACH, overrides, {"w": spec})

    outputs = ["streams.pls.g_L.Cu", "streams.leach_discharge.T_K",
               "streams.wash_water.mass_kg_h.H2O"]
    param = "ore.grades.Cu"
    docs = sensitivities(plant(), outputs, [param])
    assert "process_water.flow" not in default_parameters(plant())
    reader = Outputs(outputs, load(LEACH))
    v = docs[0]["sensitivities"][param]["value"]
    h = 1e-4 * v
    up = reader.values(solve(plant({param: f"{v + h!r} %"})))
    dn = reader.values(solve(plant({param: f"{v - h!r} %"})))
    d = {doc["output"]: doc["sensitivities"][param]["derivative"] for doc in docs}
    assert abs(d["streams.pls.g_L.Cu"]) < 1e-9
    assert d["streams.wash_water.mass_kg_h.H2O"] > 1e5       # more copper: more wash water
    for doc in docs:
        out = doc["output"]
        fd = (up[out] - dn[out]) / (2 * h)
        scale = max(abs(doc["value"]), 1.0) / v
        assert d[out] == pytest.approx(fd, abs=1e-6 * scale), out
    with pytest.raises(InputError, match="a spec frees"):
        sensitivities(plant(), outputs, ["process_water.temperature"])
    bleed = parse_spec_option("b: vary=bleed_split.fractions.bleed, "
                              "target=streams.pls.g_L.Cu, value=12 g/L", 1)
    with pytest.raises(InputError, match="whose input a spec frees"):
        sensitivities(load(LEACH, None, {"b": bleed}), ["energy.bleed_split.power_kW"],
                      [param])


GOLD = ROOT / "flowsheets" / "gold_cil.toml"


def test_a_point_rewritten_in_place_equals_the_plant_assembled_in_full():
    """The gold CIL plant (a design spec frees the cyanide feed) solved point after point
    with the last point's system rewritten in place (solve/rebind.py) equals the same
    points assembled in full and single runs with --set to 1e-9 (a unit written in bulk
    by its class, the CIL's carbon adsorption's blocks and a count of leach tanks
    included); a point whose units write another structure (a temperature row where
    the detox reactor was adiabatic), that sets a spec's input or an input of the unit a
    spec frees is assembled in full, and says why."""
    from polyflow.solve.driver import Reuse
    from polyflow.study.variant import variant

    fs = load(GOLD)
    cases = [({"ore.grades.Au": "3.2 g/t", "ore.solids": "310 t/h"}, "in place"),
             ({"ore.grades.Au": "3.15 g/t", "preleach.k": "0.22 1/h"}, "in place"),
             ({"preleach.tanks": 3, "ore.solids": "305 t/h"}, "in place"),
             # the adiabatic detox reactor held at a temperature: another row there
             ({"detox.temperature": "30 degC"},
              "assembled in full: unit 'detox''s linear rows change their pattern"),
             ({"detox.temperature": "35 degC", "cil.k": 160}, "in place"),
             ({"cyanide.flows.H2O": "400 kg/h"},
              "assembled in full: a design spec frees an input of unit 'cyanide'"),
             ({"cyanide.flows.NaCN": "160 kg/h"}, "assembled in full: the design specs"),
             ({"ore.grades.Au": "3.05 g/t"}, "assembled in full: the design specs")]
    kept, full = Reuse(), Reuse(in_place=False)
    xk = solve(fs, reuse=kept).x
    xf = solve(fs, reuse=full).x
    reader = Outputs(["recovery.Au.gold", "streams.preleach_discharge.g_L.NaCN",
                      "energy.ew.power_kW"], fs)
    for overrides, how in cases:
        point = variant(fs, overrides, GOLD)
        warm = overrides != {"cyanide.flows.NaCN": "160 kg/h"}   # one unknown fewer
        a = solve(point, x0=xk if warm else None, reuse=kept)
        b = solve(point, x0=xf if warm else None, reuse=full)
        assert kept.assembly.startswith(how), (overrides, kept.assembly)
        assert a.converged and b.converged and a.closed
        ref = np.maximum(np.abs(b.x), 1e-6 * np.abs(b.x).max())
        assert np.max(np.abs(a.x - b.x) / ref) < 1e-9, overrides
        single = reader.values(solve(load(GOLD, overrides)))
        for path, value in reader.values(a).items():
            assert value == pytest.approx(single[path], rel=1e-9), (overrides, path)
        xk, xf = a.x, b.x


def test_a_batch_rows_do_not_depend_on_the_batch_solved_before_it(tmp_path):
    """A process keeps the plant and its last assembly from batch to batch
    (study.points.Plant) but not the factors: a batch's rows are the same, number for
    number, whether it is solved first, after another batch, or in a fresh process (so
    a study gives the same table on any number of Dask workers)."""
    from polyflow.study.points import Plant, solve_batch
    from polyflow.study.runner import _scales

    study = read_study(_write(tmp_path, MONTE_CARLO))
    pts = study.points()
    scales = _scales([n for n, _ in pts])
    jobs = [(i, n, o) for i, (n, o) in enumerate(pts)]
    first, second = jobs[:3], jobs[3:]
    base = load(LEACH)
    base_x = solve(base).x

    def rows(batch, plant):
        out = solve_batch(str(LEACH), base_x, batch, study.outputs, scales, plant=plant)
        return [{k: v for k, v in r.items() if k not in ("solve_s", "timings")}
                for r in out]

    kept = Plant(str(LEACH), base)
    in_order = rows(first, kept) + rows(second, kept)
    kept = Plant(str(LEACH), base)
    reversed_ = rows(second, kept) + rows(first, kept)
    fresh = rows(first, Plant(str(LEACH))) + rows(second, Plant(str(LEACH)))
    assert in_order == reversed_[3:] + reversed_[:3] == fresh
    assert all(r["assembly"] == "in place" and r["start"] == "warm" for r in in_order)
