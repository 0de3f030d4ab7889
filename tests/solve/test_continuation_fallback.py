"""A variant run (``--set``, ``--spec``) whose cold start fails is continued from the
file's own plant, and says so.

The variant: the shipped SX–EW plant at 160 m3/h of CCD wash water with the tankhouse
current fixed at 280 A/m2 (``--set`` of the current spec's input drops that spec; the
leach acid and leach density specs stay), feasible (test_robust_sx_ew). When this test
was written its variant (144 m3/h at 1 A/m2, before the leach density control) stalled
from the cold start; since the leach became equipment with its own start profile such
variants converge cold, and no shipped variant found since fails cold yet is reachable
(those tried fail both ways: infeasible). So the cold start's failure is
injected here (``cold_start_fails``: Newton from zero raises, as it did), and the test
checks what it is about: the fallback, natural-parameter continuation (Allgower &
Georg, *Introduction to Numerical Continuation Methods*, SIAM (2003), ch. 1) from the
file's plant (250 m3/h, 301 A/m2), and that the run says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import polyflow
from polyflow.cli import main
from polyflow.errors import ConvergenceError, PolyflowError
from polyflow.io.reader import load

PLANT = Path(__file__).parents[2] / "flowsheets" / "copper_sx_ew.toml"
SETS = {"wash_water.flow": "160 m3/h", "ew.current_density": "280 A/m2"}
SAID = "converged by continuation from the file's own values in"


@pytest.fixture
def cold_start_fails(monkeypatch):
    """The first Newton solve from the all-zero start (the variant's cold start) stalls;
    every other solve (the base plant's, the warm continuation steps) runs as it is."""
    import polyflow.solve.driver as driver

    real = driver.newton_solve
    calls = {"cold": 0}

    def newton(system, x0, **kw):
        if not kw.get("warm", False):
            calls["cold"] += 1
            if calls["cold"] == 1:
                raise ConvergenceError("Newton stalls (injected: the variant's cold start)",
                                       iterations=12)
        return real(system, x0, **kw)

    monkeypatch.setattr(driver, "newton_solve", newton)
    return calls


def test_the_injected_cold_start_failure_is_what_a_plain_solve_sees(cold_start_fails):
    with pytest.raises(PolyflowError, match="injected"):
        load(PLANT, SETS).solve()


def test_polyflow_run_continues_from_the_files_plant_and_says_so(cold_start_fails):
    args = ["run", str(PLANT), "--format", "json"]
    for key, value in SETS.items():
        args += ["--set", f"{key}={value}"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert f"note: {SAID}" in res.stderr
    doc = json.loads(res.stdout)
    assert doc["converged"] and doc["message"].startswith(SAID)
    assert max(doc["closure"].values()) < 1e-9
    assert doc["specs"]["leach_free_acid"]["achieved"] == pytest.approx(7.0, rel=1e-8)


def test_polyflow_solve_with_a_base_is_the_same_continuation(cold_start_fails):
    base = load(PLANT)
    result = polyflow.solve(load(PLANT, SETS), base=base)
    assert result.converged and result.message.startswith(SAID)
    steps = int(result.message.split(" in ")[1].split()[0])
    assert steps >= 2                       # not the one warm solve of a plain neighbour
    assert max(result.closure.values()) < 1e-9


def test_a_spec_beyond_its_bounds_is_not_continued():
    """At 140 m3/h of wash water the leach density spec needs a raffinate bleed of
    -2.03 % (water flowing back into the plant: the washed residue takes out more water
    than comes in, test_robust_sx_ew), below its 0 % bound, where the plant has no
    solution: no continuation can change that, so the run stops at once with that cause
    (exit code 2 or, when the material balance at the bound does not solve in Newton's
    first steps, 3)."""
    res = CliRunner().invoke(main, ["run", str(PLANT), "--set",
                                    "wash_water.flow=140 m3/h"])
    assert res.exit_code in (2, 3), res.output
    assert "spec 'leach_density' needs raffinate_split.fractions.bleed = -2.03" \
        in res.stderr, res.stderr
    assert SAID not in res.output


@pytest.mark.parametrize("path", sorted(PLANT.parent.glob("*.toml")),
                         ids=lambda p: p.stem)
def test_every_shipped_plant_read_twice_is_the_same_plant(path):
    """Continuation (and a study's warm starts) tell a variant's changed inputs by
    comparing its units with the base's: two reads of one file must compare equal, number
    for number (a unit holding a closure, such as a size distribution built as a lambda,
    once made every leach plant 'not the same plant', and continuation silently off)."""
    from polyflow.solve.continuation import changed_numbers

    assert changed_numbers(load(path), load(path)) == []
    varied = load(path, {next(n for n, u in load(path).units.items()
                              if u.role == "feed") + ".temperature": "30 degC"})
    assert len(changed_numbers(varied, load(path))) == 1
