"""Closed forms refuse arguments that have no meaning instead of returning NaN or 0
(an unknown control, a negative rate, a percentage for a fraction), naming the argument
and the value received."""

from __future__ import annotations

import math

import numpy as np
import pytest

from polyflow.comminution import whiten_efficiency
from polyflow.errors import InputError
from polyflow.psd import percentile_size
from polyflow.units._gold_common import first_order_cstr_series, kremser_unadsorbed
from polyflow.units.ccd import ideal_washing_loss
from polyflow.units.leach_tanks import LeachTanks, shrinking_core_cstr_series
from polyflow.units.neutraliser import free_acid_g_L
from polyflow.units.tungsten_amine_sx import kremser_unextracted

RX = "CuO + H2SO4 -> CuSO4 + H2O"


def test_shrinking_core_refuses_an_unknown_control_instead_of_computing_diffusion():
    with pytest.raises(InputError, match=r"field 'kinetics': the shrinking-core control "
                                         r"must be 'chemical' or 'diffusion' \(got 'chemcal'\)"):
        shrinking_core_cstr_series(0.25, 2.0, 1, "chemcal")


@pytest.mark.parametrize(("kc", "tau", "n", "field"), [
    (-0.1, 1.0, 1, "kc"), (math.nan, 1.0, 1, "kc"), (0.1, -1.0, 1, "tau_tank"),
    (0.1, math.inf, 1, "tau_tank"), (0.1, 1.0, 0, "n"), (0.1, 1.0, 1.5, "n"),
])
def test_shrinking_core_refuses_negative_or_non_finite_arguments(kc, tau, n, field):
    with pytest.raises(InputError, match=rf"field '{field}': "):
        shrinking_core_cstr_series(kc, tau, n, "chemical")


def test_shrinking_core_converts_nothing_without_reaction_or_time():
    """kc = 0 or τ = 0: X = 0 exactly (Levenspiel (1999) eq. 25.23 at t·kc = 0)."""
    assert shrinking_core_cstr_series(0.0, 2.0, 3, "diffusion") == 0.0
    assert shrinking_core_cstr_series(0.3, 0.0, 1, "chemical") == 0.0


def test_leach_reaction_with_a_negative_rate_constant_is_refused():
    with pytest.raises(InputError, match=r"field 'reactions': reaction 1: the rate constant "
                                         r"k must be ≥ 0 \(got '-0.25 1/h'\)"):
        LeachTanks("leach", residence_time="4 h", reactions=[
            {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "-0.25 1/h"}])


def test_percentile_refuses_a_percentage_and_mismatched_classes():
    sieves = np.array([1e-3, 0.5e-3, 0.25e-3])
    mass = np.array([0.1, 0.3, 0.6])
    with pytest.raises(InputError, match=r"field 'q': the passing fraction must be in "
                                         r"\(0, 1\] \(0.8 for the P80\) \(got 80\)"):
        percentile_size(sieves, mass, 80)
    with pytest.raises(InputError, match=r"field 'mass': 2 class masses for 3 sieves"):
        percentile_size(sieves, mass[:2], 0.8)
    # no mass: no P80, by definition (not an error: an empty stream)
    assert math.isnan(percentile_size(sieves, np.zeros(3), 0.8))


def test_whiten_efficiency_refuses_a_sharpness_of_zero():
    with pytest.raises(InputError, match=r"field 'alpha': .* must be above 0 \(got 0.0\)"):
        whiten_efficiency(np.array([0.5, 1.0]), 0.0)


@pytest.mark.parametrize("call", [
    lambda: kremser_unadsorbed(-2.0, 3),
    lambda: kremser_unextracted(-1.0, 1.0, 3),
    lambda: ideal_washing_loss(-0.5, 3),
    lambda: first_order_cstr_series(-0.5, 2.0, 3, 0.0, 0.9),
])
def test_kremser_forms_refuse_negative_factors(call):
    with pytest.raises(InputError, match=r"must be a finite number ≥ 0 \(got -"):
        call()


@pytest.mark.parametrize("call", [
    lambda: kremser_unadsorbed(2.0, -1),
    lambda: kremser_unextracted(2.0, 1.0, 0),
    lambda: ideal_washing_loss(2.0, 2.5),
    lambda: first_order_cstr_series(0.5, 2.0, True, 0.0, 0.9),
])
def test_kremser_forms_refuse_stage_counts_that_are_not_whole(call):
    with pytest.raises(InputError, match=r"whole number"):
        call()


def test_free_acid_needs_a_target():
    with pytest.raises(InputError, match="give target_free_acid or target_pH"):
        free_acid_g_L(None, None)
