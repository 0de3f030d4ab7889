"""Equations written in bulk per unit kind (polyflow.solve.batch) are the equations each
unit writes one at a time: the same rows in the same places, the same residuals and
Jacobian, the same solution bit for bit (the closed form being the per-unit assembly,
which the rest of the suite checks against published values)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import polyflow
from polyflow.solve import assemble, solve
from polyflow.units import Feed, Heater, Mixer, Product, Splitter
from polyflow.units import StoichiometricReactor as Reactor
from polyflow.units.base import Unit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import plant_scale  # noqa: E402

SHIPPED = sorted((ROOT / "flowsheets").glob("*.toml"))


def _one_at_a_time(monkeypatch):
    monkeypatch.setattr(Unit, "batchable", lambda self: False)


def _same_system(a, b):
    sa, sb = a.system, b.system
    assert (sa.n, sa.n_rows) == (sb.n, sb.n_rows)
    assert np.array_equal(sa.row_unit, sb.row_unit)
    assert np.array_equal(sa.row_stream, sb.row_stream)
    assert np.array_equal(sa.row_var, sb.row_var)
    assert (sa.A != sb.A).nnz == 0 and np.array_equal(sa.rhs, sb.rhs)
    assert np.array_equal(sa.e_row[np.argsort(sa.e_row)], sb.e_row[np.argsort(sb.e_row)])
    x = np.random.default_rng(3).uniform(1.0, 400.0, sa.n)
    ra, sca = sa.residual(x)
    rb, scb = sb.residual(x)
    assert np.array_equal(ra, rb) and np.array_equal(sca, scb)
    assert (sa.jacobian(x) != sb.jacobian(x)).nnz == 0


@pytest.mark.parametrize("shape", ["loop", "local", "cascade"])
def test_generated_plants_batched_as_one_at_a_time(shape, monkeypatch):
    batched = assemble(plant_scale.build(shape, 60))
    assert any(u.batchable() for u in plant_scale.build(shape, 60).units.values())
    with monkeypatch.context() as m:
        _one_at_a_time(m)
        single = assemble(plant_scale.build(shape, 60))
    _same_system(batched, single)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_plants_batched_as_one_at_a_time(path, monkeypatch):
    batched = assemble(polyflow.load(path))
    with monkeypatch.context() as m:
        _one_at_a_time(m)
        single = assemble(polyflow.load(path))
    _same_system(batched, single)


def test_mixed_kinds_solve_bit_for_bit(monkeypatch):
    """Heaters by duty and by temperature, a reactor, a splitter with two inlets (mixing
    by its energy balance) and one with per-outlet fractions: the same solution."""
    def plant():
        fs = polyflow.Flowsheet(plant_scale.SPECIES)
        fs.options["speciation"] = False
        fs.add(Feed("a", flows_kg_h=plant_scale.FEED, temperature="30 degC"))
        fs.add(Feed("b", flows_kg_h={"H2O": 5e4}, temperature="80 degC"))
        fs.add(Feed("c", flows_kg_h={"H2O": 2e4, "CuSO4": 50.0}, temperature="20 degC"))
        fs.add(Mixer("m"))
        fs.add(Heater("h1", duty="-200 kW"))
        fs.add(Heater("h2", temperature="60 degC"))
        fs.add(Reactor("r", reactions=plant_scale.LEACH))
        fs.add(Splitter("s2", fractions={"x": "25 %", "y": "35 %", "z": "rest"}))
        for p in ("p1", "p2", "p3"):
            fs.add(Product(p))
        fs.connect("a1", "a", "m")
        fs.connect("c1", "c", "m")
        fs.connect("m1", "m", "h1")
        fs.connect("h12", "h1", "h2")
        fs.connect("h2r", "h2", "r")
        fs.connect("r1", "r", "s2")
        fs.connect("b1", "b", "s2")
        fs.connect("x", "s2.x", "p1")
        fs.connect("y", "s2.y", "p2")
        fs.connect("z", "s2.z", "p3")
        return fs

    batched = solve(plant())
    with monkeypatch.context() as m:
        _one_at_a_time(m)
        single = solve(plant())
    assert batched.iterations == single.iterations
    assert np.array_equal(batched.x, single.x)
    # and it is a solution: the two-inlet splitter mixes 30 °C slurry and 80 °C water
    assert 30.0 < batched.temperature_C("x") < 80.0
    assert batched.temperature_C("x") == batched.temperature_C("z")
