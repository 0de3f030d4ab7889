"""Solver failures are errors that name units, streams and variables, never NaN."""

from __future__ import annotations

import numpy as np
import pytest
from tests.solve.failing_units import FreeInternal, NoRoot, line_of

from polyflow import Flowsheet
from polyflow.errors import ConvergenceError, SingularSystemError
from polyflow.units import Feed, Mixer, Product, Splitter
from polyflow.units.base import Unit


def test_non_convergence_names_unit_stream_and_equation():
    with pytest.raises(ConvergenceError, match=r"did not converge in 8 iterations.*\n"
                                               r"largest scaled residuals:\n.*unit 'bad', "
                                               r"z\^2 \+ 1 = 0") as info:
        line_of(NoRoot("bad")).solve(max_iter=8)
    assert info.value.worst[0][1] == "bad"
    assert info.value.iterations == 8


def test_structural_singularity_names_the_free_unknown_and_the_surplus_unit():
    with pytest.raises(SingularSystemError, match=r"structurally singular.*units with a "
                                                  r"surplus equation: odd.*\n"
                                                  r"unconstrained variables:\n"
                                                  r"  unit 'odd', lonely"):
        line_of(FreeInternal("odd")).solve()


def test_recycle_with_no_exit_is_singular_not_nan():
    """A loop that sends 100 % back has no steady state: an error names the loop's
    streams instead of returning NaN."""
    fs = Flowsheet(["H2O"])
    fs.add(Feed("feed", flows={"H2O": "1 t/h"}))
    fs.add(Mixer("mix"))
    fs.add(Splitter("split", fractions={"recycle": "100 %", "out": "rest"}))
    fs.add(Product("product"))
    fs.connect("fresh", "feed", "mix")
    fs.connect("mixed", "mix", "split")
    fs.connect("recycle", "split.recycle", "mix")
    fs.connect("exit", "split.out", "product")
    with pytest.raises(SingularSystemError, match=r"unconstrained variables:\n  stream "
                                                  r"'(mixed|recycle)', flow of H2O\(l\)") as e:
        fs.solve()
    names = {s for s, _ in e.value.unconstrained}
    assert names <= {"stream 'mixed'", "stream 'recycle'"}


def test_fd_jacobian_of_a_block_matches_the_analytic_one():
    """Finite-difference Jacobians of nonlinear blocks agree with analytic ones."""
    from polyflow.solve.system import Block

    def f(v):
        return np.array([v[0] ** 2 * v[1], np.exp(v[1]) - v[0]]), np.ones(2)

    def jac(v):
        return np.array([[2 * v[0] * v[1], v[0] ** 2], [-1.0, np.exp(v[1])]])

    v = np.array([1.3, 0.7])
    fd = Block(np.arange(2), np.arange(2), f).jacobian(v)
    np.testing.assert_allclose(fd, jac(v), rtol=1e-7)


def test_unit_class_without_source_is_refused_at_definition():
    with pytest.raises(TypeError, match="must cite its equation's source"):
        class NoSource(Unit):
            """A unit without a citation."""

            model = "test_no_source"

            def equations(self, eq) -> None: ...


def test_sparse_block_pattern_gives_the_same_jacobian_as_dense():
    """A block declared with a sparsity pattern and analytic values assembles the same
    Jacobian entries as its dense finite-difference form."""
    from polyflow.solve.system import Block

    def f(v):
        return np.array([v[0] * v[2], v[1] ** 3]), np.ones(2)

    ri, ci = np.array([0, 0, 1]), np.array([0, 2, 1])

    def jac(v):
        return np.array([v[2], v[0], 3 * v[1] ** 2])

    v = np.array([0.4, 1.1, 2.5])
    sparse = Block(np.array([7, 8]), np.array([3, 4, 5]), f, jac, pattern=(ri, ci))
    dense = Block(np.array([7, 8]), np.array([3, 4, 5]), f)
    np.testing.assert_allclose(sparse.jacobian(v), dense.jacobian(v), rtol=1e-7, atol=1e-9)
    rows, cols = sparse.global_pattern()
    assert rows.tolist() == [7, 7, 8]
    assert cols.tolist() == [3, 5, 4]
