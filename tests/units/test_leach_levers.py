"""Leach kinetics that see the reagent, the temperature and the grind (issue #14 item 2):
less acid, a colder tank or a coarser feed leach less, by the amounts the rate law
(order in acid, Arrhenius, shrinking core per size class) gives in closed form."""

from __future__ import annotations

import math

import pytest
from scipy import optimize
from tests.small_plants import leach_train

from polyflow.errors import InputError
from polyflow.units.leach_tanks import LeachTanks, shrinking_core_cstr_series

RX = "CuO + H2SO4 -> CuSO4 + H2O"
M_ACID = 98.072         # the species table's molar mass of H2SO4 [g/mol]
#: order in H2SO4 and activation energy of oxide copper leaching under chemical control
#: (cuprite in H2SO4: Bai, Fu, Li & Wen, Physicochem. Probl. Miner. Process. 54 (2018) 300)
ORDER, EA = 0.81, 45.28


def ore(acid_kmol_h: float) -> dict[str, str]:
    """10 kmol/h of CuO in 10 t/h of quartz and 20 t/h of water, with the acid."""
    return {"CuO": "10 kmol/h", "SiO2": "10 t/h", "H2SO4": f"{acid_kmol_h} kmol/h",
            "H2O": "20 t/h"}


def leach(acid_kmol_h=20.0, temperature="30 degC", tanks=1, psd=None, **reaction):
    rx = {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.25 1/h",
          "reagent": "H2SO4", "order": ORDER, "k_concentration": "50 g/L",
          "activation_energy": f"{EA} kJ/mol", "k_temperature": "30 degC", **reaction}
    if psd is not None:
        rx.update(psd=psd, k_size="100 um")
    r = leach_train(ore(acid_kmol_h),
                    LeachTanks("leach", tanks=tanks, residence_time=f"{4 * tanks} h",
                               temperature=temperature, reactions=[rx])).solve()
    assert r.converged and max(r.closure.values()) < 1e-9
    return r.energy["leach"]


def closed_form(acid_kmol_h: float, T: float = 303.15) -> float:
    """One tank, τ = 4 h: X = X̄(θ), θ = τ k (C/50)^0.81 e^(−Ea/R (1/T − 1/303.15)),
    C the acid left in the tank [g/L] = (acid − 10 X) M / V, V the liquor (m3/h at
    1000 kg/m3): solved for X by bisection."""
    V = (20000 + acid_kmol_h * M_ACID) / 1000.0
    arr = math.exp(-EA / 8.314462618e-3 * (1 / T - 1 / 303.15))

    def resid(X):
        C = max((acid_kmol_h - 10 * X) * M_ACID / V, 0.0)
        theta = 4.0 * 0.25 * arr * (C / 50.0) ** ORDER
        return X - shrinking_core_cstr_series(theta, 1.0, 1, "chemical")

    return optimize.brentq(resid, 0.0, 1.0, xtol=1e-14)


@pytest.mark.parametrize("acid", [12.0, 20.0, 40.0])
def test_conversion_follows_the_acid_left_in_the_tank(acid):
    """The unit's conversion is the fixed point of the shrinking core at the tank's own
    free acid (Levenspiel (1999) ch. 25 in mixed flow, rate ∝ C^0.81)."""
    x = leach(acid)["X_CuO_tank1_%"] / 100
    assert x == pytest.approx(closed_form(acid), rel=1e-8)


def test_less_acid_leaches_less():
    """Cutting the acid from 20 to 16.6 kmol/h (17 %, the cut of issue #14) lowers the
    conversion: with order 0.81 the rate falls with the acid left, 42 -> 30 g/L here."""
    X = [leach(a)["X_CuO_tank1_%"] for a in (40.0, 20.0, 16.6, 12.0)]
    assert X[0] > X[1] > X[2] > X[3]
    assert 1.0 < X[1] - X[2] < 10.0


def test_colder_tank_leaches_less_by_arrhenius():
    """45.28 kJ/mol (Bai et al. 2018): 10 K colder divides k by
    e^(Ea/R (1/293.15 − 1/303.15)) = 1.85; the conversion is the closed form at that k."""
    cold = leach(temperature="20 degC")["X_CuO_tank1_%"] / 100
    warm = leach(temperature="40 degC")["X_CuO_tank1_%"] / 100
    assert cold == pytest.approx(closed_form(20.0, 293.15), rel=1e-8)
    assert warm == pytest.approx(closed_form(20.0, 313.15), rel=1e-8)
    assert cold < closed_form(20.0) < warm


def test_coarser_feed_leaches_less():
    """Shrinking core per size class: the time for complete conversion grows with the
    particle radius (chemical control, Levenspiel eq. 25.23) and its square (diffusion
    control, eq. 25.35), so a coarser grind leaches less, more so under diffusion."""
    def X(p80, kin="chemical"):
        psd = {"rosin_rammler": {"p80": f"{p80} um", "n": 1.0}}
        return leach(psd=psd, kinetics=kin)["X_CuO_tank1_%"]

    chem = [X(p) for p in (75, 150, 300)]
    diff = [X(p, "diffusion") for p in (75, 150, 300)]
    assert chem[0] > chem[1] > chem[2]
    assert diff[0] > diff[1] > diff[2]
    assert diff[0] - diff[2] > chem[0] - chem[2]


def test_fine_feed_of_one_size_is_the_single_particle_result():
    """A feed all finer than a few µm, with k given at 100 µm, leaches as fast as the
    acid allows: the conversion tends to the closed form at a rate constant 100/d times
    larger, that is complete conversion."""
    psd = {"sizes": ["1 um", "2 um"], "passing": ["0 %", "100 %"]}
    assert leach(psd=psd, acid_kmol_h=40.0)["X_CuO_tank1_%"] > 99.0


def test_reagent_needs_its_reference_concentration():
    with pytest.raises(InputError, match="k_concentration"):
        LeachTanks("leach", residence_time="4 h", reactions=[
            {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.2 1/h",
             "reagent": "H2SO4"}])
    with pytest.raises(InputError, match="together"):
        LeachTanks("leach", residence_time="4 h", reactions=[
            {"equation": RX, "key": "CuO", "kinetics": "chemical", "k": "0.2 1/h",
             "k_size": "100 um"}])


def test_analytic_jacobian_of_the_conversion_rows_matches_finite_differences():
    """The shrinking-core rows' Jacobian (∂θ/∂x analytic: the tank's acid, the key's
    flow, the liquor volume, τ from the tank volume, T by Arrhenius) equals central
    differences of the same rows, at the solution and away from it (DESIGN: analytic
    Jacobians checked against finite differences)."""
    import numpy as np

    from polyflow.solve.assemble import assemble
    from polyflow.solve.system import Block

    fs = leach_train(ore(20.0), LeachTanks("leach", tanks=3, tank_volume="10 m3", reactions=[
        {"equation": RX, "key": "CuO", "kinetics": "diffusion", "k": "0.25 1/h",
         "reagent": "H2SO4", "order": ORDER, "k_concentration": "50 g/L",
         "activation_energy": f"{EA} kJ/mol", "k_temperature": "30 degC",
         "psd": {"rosin_rammler": {"p80": "150 um", "n": 1.0}}, "k_size": "100 um"}]))
    r = fs.solve()
    system = assemble(fs).system
    xcols = set(assemble(fs).internal["leach"][1:4].tolist())
    blocks = [b for b in system.blocks
              if len(b.rows) == 3 and set(b.cols.tolist()) >= xcols]
    assert len(blocks) == 1
    b = blocks[0]
    fd = Block(b.rows, b.cols, b.func)
    rng = np.random.default_rng(7)
    for scale in (0.0, 0.05):
        x = r.x[b.cols] * (1 + scale * rng.uniform(-1, 1, len(b.cols)))
        np.testing.assert_allclose(b.jacobian(x), fd.jacobian(x), rtol=2e-5, atol=1e-7)
