"""The matched start ordering (``options["start_ordering"] = "matched"``): Newton's first
LU is taken on the columns permuted to a nonzero diagonal (a maximum bipartite matching,
Duff & Koster, SIAM J. Matrix Anal. Appl. 22 (2001) 973). It must solve the same linear
system, and a plant solved with it must reach the same steady state in the same number
of iterations (its speed is measured in benchmarks/ree_cascade.py --first-lu)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from polyflow.solve.structure import factor

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import ree_cascade  # noqa: E402


class _System:      # factor names the unknowns only when J is singular
    pass


def test_matched_factor_solves_the_same_system():
    # a sparse matrix whose diagonal is zero (a cyclic shift plus a band): the matching
    # permutes its columns; the solution must be that of J itself
    n = 40
    rng = np.random.default_rng(7)
    shift = sp.csc_matrix((rng.uniform(1, 2, n), (np.arange(n), (np.arange(n) + 1) % n)),
                          shape=(n, n))
    band = sp.random(n, n, density=0.05, random_state=3, format="csc")
    band.setdiag(0.0)
    J = (shift + band).tocsc()
    assert np.count_nonzero(J.diagonal()) < n // 2
    b = rng.standard_normal(n)
    x = factor(J, _System(), matched=True).solve(b)
    np.testing.assert_allclose(J @ x, b, rtol=0, atol=1e-12 * np.abs(b).max())
    np.testing.assert_allclose(x, factor(J, _System()).solve(b), rtol=1e-10, atol=1e-12)


def test_ree_cascade_same_steady_state_matched():
    """A 15-element, 50-stage constant-D cascade (the model whose first factorisation
    was 10-15 times its later ones at 200 stages): same iterations, same flows."""
    fs = ree_cascade.build(50, 2.0, "distribution")
    fs.options["start_ordering"] = "plain"
    plain = fs.solve(max_iter=100)
    matched = ree_cascade.build(50, 2.0, "distribution").solve(max_iter=100)   # default
    assert matched.iterations == plain.iterations
    assert max(matched.closure.values()) < 1e-12
    big = np.abs(plain.flows_kmol_h).max()
    np.testing.assert_allclose(matched.flows_kmol_h, plain.flows_kmol_h, rtol=1e-9,
                               atol=1e-12 * big)


def test_an_unknown_start_ordering_is_refused_with_the_choices():
    import pytest

    from polyflow.errors import InputError
    fs = ree_cascade.build(5, 2.0, "distribution")
    fs.options["start_ordering"] = "amd"
    with pytest.raises(InputError, match="start_ordering") as err:
        fs.solve()
    assert '"plain"' in str(err.value.hint)
