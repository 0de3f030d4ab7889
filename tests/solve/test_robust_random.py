"""Random valid plants either converge or fail with a named, correct cause.

The plants of `tests.strategies.random_acid_plant` have units whose specification can be
infeasible (an acid leach short of acid, a thickener fed thicker than its underflow, a
cooler taking more heat than its stream holds). Their material balance does not depend on
temperature, so the oracle for "infeasible" is the same plant with its coolers replaced by
plain mixers: if that plant's material balance needs a negative flow, the real plant must
be reported infeasible naming the same unit, stream and species, never as a temperature
at the 200 K floor (the wrong cause 12 of 200 such plants were given before). If the
material balance is feasible, the only admissible failure is the temperature floor,
reached through a cooler, or (named as such) a liquor whose heat capacity summed on the
standard, infinite-dilution values of its solutes nearly vanishes (tens of % H2SO4(aq):
SO4²⁻ −293 J/(mol K), Wagman et al., J. Phys. Chem. Ref. Data 11 suppl. 2 (1982)).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from tests.strategies import build_acid_plant, random_acid_plant

from polyflow.errors import ConvergenceError, PolyflowError, SpecificationError

NEGATIVE = re.compile(r"unit '(\w+)'.*negative flow of (\S+) in stream '(\w+)'")


def _outcome(fs):
    try:
        return fs.solve(), None
    except PolyflowError as err:
        return None, err


def test_a_leach_of_round_off_size_against_no_acid_closes():
    """Found by a random run: a leach of 2.2e-16 of the CuO against no acid at all.
    Newton converges with 2.7e-16 kg/h of H2SO4(aq) negative, within round-off of the
    feasible; zeroing that flow made 8.9e-17 kg/h of sulphur from nothing, a closure of
    4.4e-8 against the floor (1e-12 of the 2,001 kg/h feed). Round-off negatives that the
    closure would see are now left as solved (docs/solver.md), and sulphur balances."""
    recipe = {"feed": {"H2O": 1000.0, "CuSO4": 0.0, "H2SO4": 0.0, "CuO": 1.0,
                       "SiO2": 1000.0},
              "T": 25.0, "units": [("reactor", 0.0, None), ("leach", 2.2e-16, None)],
              "second": []}
    result = build_acid_plant(recipe).solve()
    assert result.converged
    assert result.element_in_kg_h["S"] == 0.0
    assert result.flow_kg_h("s1")["CuSO4(aq)"] > 0.0        # the leach did dissolve CuO
    assert abs(result.element_out_kg_h["S"]) < 1e-30
    assert max(result.closure.values()) < 1e-9


# Derandomized so that CI runs the same 120 plants every time. Random runs found two
# cases (session 3 closing note): a plant whose oracle liquor has a vanishing heat
# capacity (handled below), and a converged plant that made a trace of sulphur from
# nothing (the test above).
@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(random_acid_plant())
def test_random_plants_converge_or_name_the_real_cause(recipe):
    result, err = _outcome(build_acid_plant(recipe))
    _, oracle = _outcome(build_acid_plant(recipe, duties=False))
    if result is not None:
        assert result.converged
        assert max(result.closure.values()) < 1e-9
        assert oracle is None
        return
    if isinstance(oracle, ConvergenceError) and "heat capacity" in str(oracle):
        # the oracle's own liquor has a vanishing heat capacity (strong acid on
        # infinite-dilution values): the real plant, whose streams are the same liquors,
        # must name that cause too
        assert isinstance(err, ConvergenceError) and "heat capacity" in str(err), err
        return
    if oracle is not None:                      # the material balance is infeasible
        assert isinstance(oracle, SpecificationError), oracle
        assert isinstance(err, SpecificationError), err
        want = NEGATIVE.search(str(oracle))
        got = NEGATIVE.search(str(err))
        assert want and got, (err, oracle)
        assert got.groups() == want.groups(), (str(err), str(oracle))
    else:                                       # feasible flows: only the energy can fail
        assert isinstance(err, ConvergenceError), err
        if "heat capacity" in str(err):
            # a strong acid liquor on infinite-dilution heat capacities: checked here
            stream = re.search(r"stream '(\w+)' has a heat capacity of (\S+) kW/K",
                               str(err))
            assert stream, err
            result = build_acid_plant(recipe, duties=False).solve()
            flows = result.flow_kg_h(stream.group(1))
            # a strong acid: more H2SO4(aq) than a third of the water
            assert flows.get("H2SO4(aq)", 0.0) > flows["H2O(l)"] / 3, (err, flows)
        else:
            assert "200 K limit" in str(err), err
            assert any(kind == "cooler" for kind, _, _ in recipe["units"])
