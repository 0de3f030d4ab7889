"""Work kept between factorisations and between plants (docs/solver.md, "Reusing work
between factorisations and between plants"): the kept column ordering gives the same
factors bit for bit; chord steps from a neighbour's factors reach the root a cold solve
reaches, to the study's 1e-9; a plant of another structure is not given them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse.linalg as spla

from polyflow.io.reader import load
from polyflow.solve.assemble import assemble
from polyflow.solve.driver import Reuse, solve
from polyflow.solve.structure import OrderedFactor
from polyflow.study.variant import variant

ROOT = Path(__file__).resolve().parents[2]
LEACH = ROOT / "flowsheets" / "copper_oxide_leach.toml"


def _jacobian(name: str):
    fs = load(ROOT / "flowsheets" / name)
    result = solve(fs)
    system = assemble(fs).system
    system.species_ref = np.ones(system.S)
    return system, system.jacobian(result.x)


def test_kept_ordering_gives_the_same_factors_bit_for_bit():
    """SuperLU's COLAMD ordering of each Jacobian against the kept one, on the SX-EW
    plant's plant block (the speciation rows left out, as Newton does)."""
    system, J = _jacobian("copper_sx_ew.toml")
    keep = system.plant_block
    rows, cols = keep
    block = J[rows][:, cols]
    b = np.random.default_rng(1).standard_normal(len(rows))
    ordered = OrderedFactor(J, keep)
    first = ordered.lu(J).solve(b)               # orders the columns, keeps the order
    J2 = J.copy()
    J2.data *= 1.0 + 0.01 * np.random.default_rng(2).random(J2.nnz)   # new values
    second = ordered.lu(J2).solve(b)             # the kept order, natural ordering
    assert ordered.inv is not None
    want1 = spla.splu(block, permc_spec="COLAMD").solve(b)
    want2 = spla.splu(J2[rows][:, cols], permc_spec="COLAMD").solve(b)
    assert np.array_equal(first, want1)
    assert np.array_equal(second, want2)
    assert not np.array_equal(first, second)     # the values did change


def test_chord_steps_reach_the_cold_solution():
    """A point solved from its neighbour with the neighbour's factors (no factorisation)
    equals the same point solved cold, to the study's 1e-9."""
    fs = load(LEACH)
    reuse = Reuse()
    base = solve(fs, reuse=reuse)
    cold_lu = reuse.factorisations
    point = variant(fs, {"ore.grades.Cu": "1.3 %", "ore.solids": "260 t/h"}, LEACH)
    warm = solve(point, x0=base.x, reuse=reuse)
    assert warm.converged and warm.closed
    assert reuse.factorisations < cold_lu
    cold = solve(point)
    np.testing.assert_allclose(warm.flows_kmol_h, cold.flows_kmol_h, rtol=1e-9,
                               atol=1e-12 * np.abs(cold.flows_kmol_h).max())
    np.testing.assert_allclose(warm.T_K, cold.T_K, rtol=1e-9)


def test_another_structure_is_not_given_the_factors():
    """A plant with other units (another flowsheet) after a solve with the same Reuse
    is checked and factored afresh: it converges as it does alone."""
    reuse = Reuse()
    leach = solve(load(LEACH), reuse=reuse)
    other = load(ROOT / "flowsheets" / "gold_cil.toml")
    alone = solve(other)
    again = solve(other, reuse=reuse)
    assert reuse.system is not None and reuse.system.n != len(leach.x)
    assert again.iterations == alone.iterations
    assert np.array_equal(again.x, alone.x)
