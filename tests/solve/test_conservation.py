"""Conservation properties over random flowsheets (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from tests.strategies import random_plant


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_plant())
def test_every_element_is_conserved(fs):
    """Property: whatever the units and recycles, every element entering with the feeds
    leaves with the products to 1e-9 relative, and the solve converges."""
    r = fs.solve()
    assert r.converged
    for element, imbalance in r.closure.items():
        assert imbalance < 1e-9, (element, imbalance)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_plant())
def test_energy_is_conserved(fs):
    """Property: enthalpy in with the feeds plus the heat and power added in the units
    equals the enthalpy out with the products (first law, formation-enthalpy basis)."""
    r = fs.solve()
    h_in = sum(r.enthalpy_kW(s) for s in r.feeds)
    h_out = sum(r.enthalpy_kW(s) for s in r.products.values())
    added = sum(e["duty_kW"] + e["power_kW"] for e in r.energy.values())
    scale = max(abs(h_in), abs(h_out))
    assert abs(h_in + added - h_out) <= 1e-9 * scale
