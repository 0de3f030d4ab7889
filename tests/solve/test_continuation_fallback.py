"""A variant run (``--set``, ``--spec``) whose cold start fails is continued from the
file's own plant, and says so.

The variant: the shipped SX–EW plant at 144 m3/h of CCD wash water with the tankhouse at
its smallest current, 1 A/m2 (``--set`` of the current spec's input drops that spec;
the leach acid spec stays). It is feasible (test_robust_sx_ew: 28 g/L Cu in the spent
electrolyte) but Newton from the all-zero start stalls on it, naming the spent
electrolyte's copper; natural-parameter continuation (Allgower & Georg, *Introduction
to Numerical Continuation Methods*, SIAM (2003), ch. 1) from the file's plant
(250 m3/h, 300 A/m2) reaches it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import polyflow
from polyflow.cli import main
from polyflow.errors import PolyflowError
from polyflow.io.reader import load

PLANT = Path(__file__).parents[2] / "flowsheets" / "copper_sx_ew.toml"
SETS = {"wash_water.flow": "144 m3/h", "ew.current_density": "1 A/m2"}
SAID = "converged by continuation from the file's own values in"


def test_the_variant_fails_from_the_cold_start():
    with pytest.raises(PolyflowError, match="negative flow of CuSO4"):
        load(PLANT, SETS).solve()


def test_polyflow_run_continues_from_the_files_plant_and_says_so():
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


def test_polyflow_solve_with_a_base_is_the_same_continuation():
    base = load(PLANT)
    result = polyflow.solve(load(PLANT, SETS), base=base)
    assert result.converged and result.message.startswith(SAID)
    steps = int(result.message.split(" in ")[1].split()[0])
    assert steps >= 2                       # not the one warm solve of a plain neighbour
    assert max(result.closure.values()) < 1e-9


def test_a_spec_beyond_its_bounds_is_not_continued():
    """At 160 m3/h the current spec needs 96 A/m2, below its 150 A/m2 bound, where the
    plant has no solution (test_robust_sx_ew): no continuation can change that, so the
    run stops at once with that cause (exit code 2, a specification error)."""
    res = CliRunner().invoke(main, ["run", str(PLANT), "--set",
                                    "wash_water.flow=160 m3/h"])
    assert res.exit_code == 2, res.output
    assert "spec 'spent_electrolyte_copper' needs ew.current_density = 96.3" in res.stderr
    assert SAID not in res.output
