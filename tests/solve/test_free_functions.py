"""assemble, check and solve are free functions of the flowsheet (networkx style); the
Flowsheet methods of the same names call them."""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import recycle_loop

import polyflow
from polyflow.solve import Assembly, assemble, check, solve


def test_top_level_solve_calls_the_free_function():
    """polyflow.solve is the solve package, callable as the function, so that the
    package's modules stay importable by their dotted names."""
    import polyflow.solve.newton as newton

    assert callable(newton.newton_solve)
    assert polyflow.assemble is assemble and polyflow.check is check
    fs = recycle_loop(0.5)
    assert np.array_equal(polyflow.solve(fs).flows_kmol_h, solve(fs).flows_kmol_h)
    assert polyflow.solve(fs, raise_on_failure=False).status == "converged"


def test_free_functions_and_methods_agree():
    fs = recycle_loop(0.5)
    asm = assemble(fs)
    assert isinstance(asm, Assembly)
    assert asm.system.n == check(fs).system.n == fs.check().system.n
    a, b = polyflow.solve(fs), fs.solve()
    assert np.array_equal(a.flows_kmol_h, b.flows_kmol_h)
    # closed form: a loop returning s of its flow carries feed / (1 - s)
    assert a.flow_kg_h("mixed")["H2O(l)"] == \
        pytest.approx(1000.0 / (1 - 0.5), rel=1e-12)


def test_a_warm_start_from_a_record():
    fs = recycle_loop(0.3)
    r = solve(fs)
    again = solve(fs, x0=r.x)
    assert again.iterations <= 1
    assert np.allclose(again.flows_kmol_h, r.flows_kmol_h, rtol=1e-12, atol=0)
