"""A failed solve as data (issue #20): ``solve(fs, raise_on_failure=False)`` returns a
record with status "failed" that names the cause, instead of raising; by default the
error is raised as before (and the command line exits 3)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from tests.solve.failing_units import FreeInternal, NoRoot, line_of

import polyflow
from polyflow import Flowsheet
from polyflow.errors import ConvergenceError, SingularSystemError, SpecificationError
from polyflow.result import Result
from polyflow.units import Feed, Heater, Product, StoichiometricReactor
from polyflow.units.base import Unit


def test_non_convergence_is_a_failed_record_naming_unit_and_equation():
    fs = line_of(NoRoot("bad"))
    with pytest.raises(ConvergenceError) as info:
        polyflow.solve(fs, max_iter=8)
    r = polyflow.solve(fs, max_iter=8, raise_on_failure=False)
    assert r.status == "failed" and not r.converged and not r.closed
    assert r.message == str(info.value)
    assert r.failure["error"] == "ConvergenceError"
    assert r.failure["worst"][0]["unit"] == "bad"
    assert r.failure["worst"][0]["variable"] == "z^2 + 1 = 0"
    assert r.iterations == 8
    # the streams hold Newton's last iterate (finite), for diagnosis
    assert np.all(np.isfinite(r.flows_kmol_h))
    assert "failed" in repr(r)


def test_structural_singularity_is_a_failed_record_naming_the_free_unknown():
    r = line_of(FreeInternal("odd")).solve(raise_on_failure=False)
    assert r.status == "failed"
    assert r.failure["error"] == SingularSystemError.__name__
    assert {"place": "unit 'odd'", "variable": "lonely"} in r.failure["unconstrained"]
    assert np.all(np.isnan(r.flows_kmol_h))       # no iterate: no numbers pretend
    assert r.stream_names == ["a", "b"]


def test_negative_flow_is_a_failed_record_naming_unit_and_stream():
    """A reactor that converts more acid than reaches it: the balance needs a negative
    flow, a specification error that names the unit."""
    fs = Flowsheet(["H2O", "H2SO4", "CuO", "CuSO4"])
    fs.add(Feed("feed", flows_kg_h={"H2O": 1000.0, "H2SO4": 1.0, "CuO": 100.0}))
    fs.add(StoichiometricReactor("leach", reactions=[
        {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO", "conversion": "90 %"}]))
    fs.add(Product("out"))
    fs.connect("f", "feed", "leach")
    fs.connect("p", "leach", "out")
    with pytest.raises(SpecificationError, match="negative flow"):
        fs.solve()
    r = fs.solve(raise_on_failure=False)
    assert r.status == "failed"
    assert r.failure["error"] == "SpecificationError" and r.failure["unit"] == "leach"
    assert "stream 'p'" in r.message


class TwiceHot(Unit):
    """Test unit: outlet = inlet, its temperature equal to the inlet's and fixed too
    (one equation more than unknowns).

    Source: a constructed over-specified case for the assembly's count check.
    """

    model = "test_twice_hot"

    def equations(self, eq) -> None:
        out, (inlet,) = eq.outlets["out"], eq.all_inlets
        eq.species_map(out, [(inlet, 1.0)])
        eq.temperature_equal(out, inlet)
        eq.temperature_fixed(out, 300.0)


def test_an_over_specified_unit_is_a_failed_record_naming_it():
    fs = line_of(TwiceHot("hot"))
    with pytest.raises(SpecificationError, match="over-specified"):
        fs.solve()
    r = fs.solve(raise_on_failure=False)
    assert r.failure["error"] == "SpecificationError" and r.failure["unit"] == "hot"
    assert "over-specified" in r.message
    assert r.units["hot"].model == "test_twice_hot"


def test_a_converged_record_has_no_failure():
    r = line_of(Heater("heat", temperature="50 degC")).solve(raise_on_failure=False)
    assert r.status == "converged" and r.failure is None and r.message == ""


def test_a_failed_record_pickles_and_round_trips():
    r = line_of(NoRoot("bad")).solve(max_iter=3, raise_on_failure=False)
    copy = Result.from_dict(json.loads(json.dumps(r.to_dict())))
    assert copy.status == "failed" and copy.failure == r.failure
    assert pickle.loads(pickle.dumps(r)).message == r.message
