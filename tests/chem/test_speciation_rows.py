"""The speciation rows: analytic Jacobians against central finite differences, and the
rows' meaning (charge and mass closure at the solution, linear totals)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polyflow.chem.aqueous import stream_rows, stream_system
from polyflow.chem.aqueous_map import totals
from polyflow.chem.speciate import speciate
from polyflow.chem.species import load_database


def _case(database, names, flows, minerals=()):
    sp = load_database().subset(names)
    sys, cmap = stream_system(sp, database, minerals)
    flows = np.atleast_2d(np.array(flows, dtype=float))
    t, _ = totals(cmap, flows)
    T = np.full(flows.shape[0], 310.0)
    sol = speciate(sys, t, T)
    # a point off the solution, so that every row and mineral term is exercised
    x = sol.x + 0.05 * np.sin(np.arange(sol.x.size)).reshape(sol.x.shape)
    return sys, cmap, x, flows, T


CASES = {
    "PLS with gypsum (phreeqc.dat, WATEQ/Davies)": (
        "phreeqc", ["H2O", "CuSO4(aq)", "FeSO4(aq)", "Fe2(SO4)3(aq)", "H2SO4(aq)",
                    "CaCl2(aq)", "NaCl(aq)"],
        [[55.5, 0.06, 0.02, 0.01, 0.1, 0.04, 0.2], [55.5, 0.001, 0.001, 0.0, 0.02, 0.1, 0.01]],
        ["Gypsum"]),
    "cyanide and carbonate (llnl.dat, B-dot and CO2)": (
        "llnl", ["H2O", "NaCN(aq)", "NaOH(aq)", "NaHCO3(aq)", "CaCl2(aq)"],
        [[55.5, 0.005, 0.002, 0.01, 0.003]], ["Calcite"]),
}


@pytest.mark.parametrize("name", CASES)
def test_jacobians_against_finite_differences(name):
    """J_x, J_flows and J_T against central differences (relative 1e-5 of the column)."""
    sys, cmap, x, flows, T = _case(*CASES[name])
    _F, J, Jn, JT = stream_rows(sys, cmap, x, flows, T)

    def fd(f, v, h):
        cols = []
        for k in range(v.shape[1]):
            vp, vm = v.copy(), v.copy()
            step = h * max(1.0, abs(v[0, k]))
            vp[:, k] += step
            vm[:, k] -= step
            cols.append((f(vp) - f(vm)) / (2 * step))
        return np.stack(cols, axis=-1)

    Jx_fd = fd(lambda v: stream_rows(sys, cmap, v, flows, T)[0], x, 1e-7)
    Jn_fd = fd(lambda v: stream_rows(sys, cmap, x, v, T)[0], flows, 1e-7)
    JT_fd = fd(lambda v: stream_rows(sys, cmap, x, flows, v[:, 0])[0], T[:, None], 1e-6)[..., 0]
    for A, B in ((J, Jx_fd), (Jn, Jn_fd), (JT[..., None], JT_fd[..., None])):
        scale = np.abs(B).max(axis=(0, 1), keepdims=True) + 1e-12    # per column
        assert np.abs((A - B) / scale).max() < 1e-5


def test_solution_closes_charge_and_every_master():
    """At the solution, Σ z m = 0 and every master's total is met to 1e-10 relative."""
    sys, cmap, _x, flows, T = _case(*CASES["PLS with gypsum (phreeqc.dat, WATEQ/Davies)"])
    t, _ = totals(cmap, flows)
    sol = speciate(sys, t, T)
    m = sol.molality
    K = len(sys.masters)
    assert np.abs(m @ sys.z).max() < 1e-10 * (m @ np.abs(sys.z)).max()
    found = m @ sys.nu[:, 1:] + sol.minerals_formed @ sys.mnu[:, 1:]
    assert np.allclose(found, t[:, 1:K], rtol=1e-10, atol=2e-14)   # zero totals: floor 1e-14


def test_totals_are_linear_in_flows_per_kg_water():
    """t = 1000 A n / W: doubling every solute at fixed water doubles the totals."""
    _sys, cmap, _x, flows, _T = _case(*CASES["cyanide and carbonate (llnl.dat, B-dot and CO2)"])
    t1, _ = totals(cmap, flows)
    f2 = flows.copy()
    f2[:, 1:] *= 2
    t2, _ = totals(cmap, f2)
    assert np.allclose(t2, 2 * t1, rtol=1e-14)


def test_cold_start_converges_on_random_solutions():
    """200 random solutions of 14 masters (1e-4 to 0.03 mol/kg each, a random acid or base
    excess: pH 1 to 12.5, supersaturated hydroxides kept aqueous, 10–70 °C) converge from
    the strong-electrolyte start in one vectorised call, and close every balance."""
    from polyflow.chem.equilibria import load_equilibria
    from polyflow.chem.speciation import aqueous_system
    ms = ["SO4-2", "Cu+2", "Fe+2", "Fe+3", "Na+", "K+", "Cl-", "Ca+2", "Mg+2", "Al+3",
          "Mn+2", "Zn+2", "F-", "CO3-2"]
    sys = aqueous_system(load_equilibria("phreeqc"), ms)
    rng = np.random.default_rng(7)
    t = np.zeros((200, len(sys.masters)))
    t[:, 1:] = 10 ** rng.uniform(-4, -1.5, (200, len(ms)))
    t[:, 0] = rng.uniform(-0.05, 0.3, 200)    # net charge: an acid or base excess
    sol = speciate(sys, t, rng.uniform(283, 343, 200))
    assert sol.converged.all()
    assert sol.pH.min() < 1.5 and sol.pH.max() > 12
    assert np.allclose(sol.molality @ sys.nu[:, 1:], t[:, 1:], rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(acid=st.floats(0.0, 0.5), cu=st.floats(0.0, 0.8), lime=st.floats(0.0, 0.05),
       caustic=st.floats(0.0, 1.0), T=st.floats(278.0, 353.0))
def test_speciation_conserves_every_master_and_the_charge(acid, cu, lime, caustic, T):
    """Property: for any mix of acid, copper sulphate, calcium chloride and caustic
    (kmol per t water, pH −0.3 to 14, 5–80 °C), with gypsum and tenorite allowed to form, the
    solution closes the charge and every master (dissolved + formed) to 1e-9 relative, and
    each mineral either formed at SI = 0 or is undersaturated."""
    sp = load_database().subset(["H2O", "H2SO4(aq)", "CuSO4(aq)", "CaCl2(aq)", "NaOH(aq)"])
    sys, cmap = stream_system(sp, "llnl", ["Gypsum", "Tenorite"])
    flows = np.array([[55.508, acid, cu, lime, caustic]])
    t, _ = totals(cmap, flows)
    sol = speciate(sys, t, T)
    assert sol.converged[0]
    m = sol.molality
    assert abs(m @ sys.z)[0] <= 1e-9 * (m @ np.abs(sys.z))[0]
    found = m @ sys.nu[:, 1:] + sol.minerals_formed @ sys.mnu[:, 1:]
    assert np.allclose(found, t[:, 1:] + 1e-14, rtol=1e-9, atol=1e-15)
    for p, s in zip(sys.minerals, sol.minerals_formed[0], strict=True):
        si = sol.saturation_index[p][0]
        assert s >= -1e-12
        assert (abs(si) < 1e-6) if s > 1e-9 else (si < 1e-6)


def test_a_negative_total_is_an_error():
    from polyflow.chem.equilibria import load_equilibria
    from polyflow.chem.speciation import aqueous_system
    from polyflow.errors import DataError
    sys = aqueous_system(load_equilibria("phreeqc"), ["SO4-2", "Cu+2"])
    with pytest.raises(DataError, match="negative total of master 'SO4-2' in solution 1"):
        speciate(sys, np.array([[0.0, 0.1, 0.1], [0.0, -0.01, 0.0]]), 298.15)


def test_a_singular_solution_does_not_send_the_batch_to_least_squares():
    """The batched Newton step: a matrix with an exactly zero pivot gets the minimum-norm
    least-squares step (for the consistent system below, the closed form x = A⁺b), and
    the others keep the exact solve of their own system (issue #12)."""
    from polyflow.chem.speciate import _newton_step

    rng = np.random.default_rng(7)
    A = rng.normal(size=(5, 4, 4)) + 4.0 * np.eye(4)
    b = rng.normal(size=(5, 4))
    A[2] = np.diag([2.0, 1.0, 0.0, 4.0])          # singular: no equation on x_2
    b[2] = [2.0, -1.0, 0.0, 8.0]                  # consistent: x = (1, -1, 0, 2)
    A[4, 1] = np.nan                              # not finite: no step (zero)
    dx = _newton_step(A, b)
    for k in (0, 1, 3):
        assert np.allclose(A[k] @ dx[k], b[k], rtol=0, atol=1e-12)
    assert dx[2] == pytest.approx([1.0, -1.0, 0.0, 2.0], abs=1e-14)
    assert (dx[4] == 0.0).all()
