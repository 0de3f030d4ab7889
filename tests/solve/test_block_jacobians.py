"""Every analytic Jacobian a unit writes equals central differences of its own residual.

A wrong derivative does not change a converged answer (the residual decides it), only the
iterations it takes: so it hides. This test evaluates every nonlinear block with an
analytic Jacobian of every shipped flowsheet at that plant's solution, and at a point
displaced from it, against central differences (Nocedal & Wright, *Numerical
Optimization*, 2nd ed., §8.1: truncation error O(h²)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyflow
from polyflow.solve.assemble import assemble

FLOWSHEETS = sorted((Path(__file__).resolve().parents[2] / "flowsheets").glob("*.toml"))


def _central(func, x, h):
    return _differences(func, x, h)[0]


def _differences(func, x, h):
    """Central, forward and backward differences (columns of the Jacobian)."""
    f0 = func(x)[0]
    cen, fwd, bwd = [], [], []
    for j in range(len(x)):
        step = h * max(1.0, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += step
        xm[j] -= step
        fp, fm = func(xp)[0], func(xm)[0]
        cen.append((fp - fm) / (2 * step))
        fwd.append((fp - f0) / step)
        bwd.append((f0 - fm) / step)
    return np.array(cen).T, np.array(fwd).T, np.array(bwd).T


@pytest.mark.parametrize("path", FLOWSHEETS, ids=[p.stem for p in FLOWSHEETS])
def test_analytic_block_jacobians_match_central_differences(path):
    fs = polyflow.load(path)
    result = fs.solve()
    system = assemble(fs).system
    x_sol = result.x
    rng = np.random.default_rng(7)
    checked = 0
    for block in system.builder.blocks:
        if block.jac is None:
            continue
        if len(block.cols) > 400:        # a cascade: along random directions instead
            xloc = x_sol[block.cols].copy()
            J = block.jacobian(xloc) if block.pattern is None else None
            for _ in range(3):
                v = rng.uniform(-1, 1, len(xloc)) * np.maximum(np.abs(xloc), 1e-6)
                h = 1e-6
                d_fd = (block.func(xloc + h * v)[0] - block.func(xloc - h * v)[0]) / (2 * h)
                if J is None:
                    ri, ci = block.pattern
                    d = np.bincount(ri, weights=np.asarray(block.jac(xloc)) * v[ci],
                                    minlength=len(block.rows))
                else:
                    d = J @ v
                assert np.allclose(d, d_fd, rtol=1e-5, atol=1e-9 * np.abs(d_fd).max()), (
                    f"{path.stem}: the large block of unit "
                    f"{system.row_label(int(block.rows[0]))[0]} disagrees with central "
                    "differences along a random direction")
            checked += 1
            continue
        # the equations, at the solution and off it (rows that vanish there must still
        # agree), and the start-up equations of the first iteration, if any
        cases = [(block, False), (block, True)]
        if block.start is not None and block.start[1] is not None:
            cases.append((block.started(first=True), True))
        for form, displaced in cases:
            xloc = x_sol[block.cols].copy()
            if displaced:
                xloc = xloc * (1.0 + 0.05 * rng.uniform(-1, 1, len(xloc)))
            J = form.jacobian(xloc)
            J_fd, J_fwd, J_bwd = _differences(form.func, xloc, 1e-6)
            scale = np.maximum(np.abs(J).max(axis=1, keepdims=True), 1e-300)
            tol = 1e-5 * scale + 1e-12
            # at a kink (a flow exactly at zero under max(n, 0), say) the derivative is
            # one-sided: it must then equal one of the one-sided differences
            bad = (np.abs(J - J_fd) > tol) & (np.abs(J - J_fwd) > 10 * tol) & \
                (np.abs(J - J_bwd) > 10 * tol)
            assert not bad.any(), (
                f"{path.stem}: block on rows {block.rows[:3]}... (unit "
                f"{system.row_label(int(block.rows[0]))[0]}): analytic Jacobian differs "
                f"from central differences at {np.argwhere(bad)[:5].tolist()}")
        checked += 1
    assert checked or not system.builder.blocks
