"""The rare-earth cascade against closed forms and an independent stage-by-stage solve."""

from __future__ import annotations

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.errors import InputError
from polyflow.units import Feed, Product
from polyflow.units.ree import REECascade, complex_id


def cascade(els, feed_kmol, n, m=0, k=1, acid_feed=0.0, strip_acid=10.0, **kw):
    """1 m3/h aqueous feed, 1 m3/h organic (P507 + kerosene), strip acid 1 m3/h."""
    sp = ["H2O", "HCl", "P507", "kerosene", *[f"{e}Cl3" for e in els],
          *[complex_id(e) for e in els]]
    fs = Flowsheet(sp)
    mw = dict(zip(fs.species.ids, fs.species.mw, strict=True))
    solutes = {f"{e}Cl3(aq)": q * mw[f"{e}Cl3(aq)"] for e, q in zip(els, feed_kmol,
                                                                     strict=True)}
    solutes["HCl(aq)"] = acid_feed * mw["HCl(aq)"]
    fs.add(Feed("pls", flows_kg_h={"H2O": 1000.0 - sum(solutes.values()), **solutes}))
    if m:
        fs.add(Feed("wash", flows_kg_h={"H2O": 1000.0}))
    fs.add(Feed("acid", flows_kg_h={"H2O": 1000.0, "HCl": strip_acid * mw["HCl(aq)"]}))
    p507 = 1.0 * mw["C16H35O3P(org)"]
    fs.add(Feed("solvent", flows_kg_h={"P507": p507, "kerosene": 800.0 - p507}))
    fs.add(REECascade("sx", elements=els, extraction_stages=n, scrub_stages=m,
                      strip_stages=k, **kw))
    for p in ("raffinate", "liquor", "stripped"):
        fs.add(Product(p))
    fs.connect("f", "pls", "sx.feed")
    if m:
        fs.connect("w", "wash", "sx.scrub")
    fs.connect("s", "acid", "sx.strip")
    fs.connect("o", "solvent", "sx.organic")
    fs.connect("raf", "sx.raffinate", "raffinate")
    fs.connect("liq", "sx.strip_liquor", "liquor")
    fs.connect("org", "sx.organic", "stripped")
    return fs


@pytest.mark.parametrize(("D", "n"), [(0.5, 3), (1.5, 5), (3.0, 8), (1.0, 6)])
def test_kremser_fraction_unextracted(D, n):
    """Kremser: with E = D·O/A, the fraction of the solute leaving in the raffinate of n
    counter-current stages fed barren solvent is (E − 1)/(E^(n+1) − 1), or 1/(n + 1) at
    E = 1 (Seader, Henley & Roper, Separation Process Principles, 3rd ed., eq. 5-29;
    Treybal, Mass-Transfer Operations, 3rd ed., eq. 10.50)."""
    fs = cascade(["Nd"], [0.05], n, equilibrium="distribution", distribution={"Nd": D},
                 strip_distribution=1e-6, extractant_per_metal=3)
    r = fs.solve()
    frac = r.elements_kg_h("raf")["Nd"] / r.elements_kg_h("f")["Nd"]
    expected = 1 / (n + 1) if D == 1.0 else (D - 1) / (D ** (n + 1) - 1)
    assert frac == pytest.approx(expected, rel=1e-9)
    assert r.iterations <= 4


def test_murphree_efficiency_one_stage():
    """One stage at Murphree efficiency η (organic phase) extracts ηE/(1 + ηE) of the
    solute... exactly: o = η·D·a (barren organic in), so a = F/(1 + ηD) at O/A = 1."""
    fs = cascade(["La"], [0.05], 1, equilibrium="distribution", distribution={"La": 2.0},
                 strip_distribution=1e-6, extractant_per_metal=3, efficiency="60 %")
    r = fs.solve()
    frac = r.elements_kg_h("raf")["La"] / r.elements_kg_h("f")["La"]
    assert frac == pytest.approx(1 / (1 + 0.6 * 2.0), rel=1e-9)


def test_closure_over_120_stages_four_elements():
    """Element balances of La, Ce, Pr, Nd (and Cl, P, C, H, O) close over 120 stages."""
    fs = cascade(["La", "Ce", "Pr", "Nd"], [0.02, 0.04, 0.01, 0.02], 50, m=50, k=20,
                 equilibrium="distribution",
                 distribution={"La": 0.3, "Ce": 0.8, "Pr": 1.6, "Nd": 2.4})
    r = fs.solve()
    assert max(r.closure.values()) < 1e-9
    assert r.iterations <= 5


def test_separation_factor_model_splits_at_beta():
    """Constant β with the organic near capacity: the organic of each stage has y_i ∝ β_i x_i
    (checked on the solved profile: o_i a_k/(o_k a_i) = β_i/β_k in every extraction stage)."""
    els = ["La", "Ce"]
    fs = cascade(els, [0.1, 0.1], 8, m=6, k=3, equilibrium="separation_factor",
                 separation_factors={"La": 1.0, "Ce": 4.0})
    r = fs.solve()
    prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
    a, o = prof["aqueous"][:14], prof["organic"][:14]
    ratio = o[:, 1] * a[:, 0] / (o[:, 0] * a[:, 1])
    assert ratio == pytest.approx(np.full(14, 4.0), rel=1e-8)
    assert max(r.closure.values()) < 1e-9


def _stagewise_pH(D0, m, W, V, feed, acid_in, n, tol=1e-13):
    """Independent solve of an extraction section of n stages (feed at stage n, barren
    organic at stage 1), log D_i = m pH + b_i, 3 H+ per REE extracted: stage-by-stage
    successive substitution on the acid profile, element balances by Thomas solves."""
    E = len(feed)
    h = np.full(n, acid_in + 3 * 0.5 * sum(feed))
    for _ in range(5000):
        c = h / W
        a = np.zeros((n, E))
        for i in range(E):
            Dj = D0[i] * c ** (-m)                      # o = D·(V/W)·a
            s = Dj * V / W
            A = np.zeros((n, n))
            rhs = np.zeros(n)
            for j in range(n):                          # a_j + o_j − a_{j+1} − o_{j−1} = in
                A[j, j] = 1 + s[j]
                if j + 1 < n:
                    A[j, j + 1] = -1
                if j > 0:
                    A[j, j - 1] = -s[j - 1]
            rhs[n - 1] = feed[i]
            a[:, i] = np.linalg.solve(A, rhs)
        o = a * (D0[None, :] * c[:, None] ** (-m)) * V / W
        ext = o - np.vstack([np.zeros(E), o[:-1]])
        new = np.zeros(n)
        for j in range(n - 1, -1, -1):
            new[j] = (new[j + 1] if j + 1 < n else acid_in) + 3 * ext[j].sum()
        if np.max(np.abs(new - h)) < tol * h.max():
            return a, new
        h = 0.5 * h + 0.5 * new
    raise AssertionError("stage-by-stage iteration did not converge")


def test_pH_model_matches_stage_by_stage_iteration():
    """pH-dependent distribution, log D = 3 pH + b (slope analysis for Ln3+ with P507,
    Xie et al., Miner. Eng. 56 (2014) 10-28): the solved stages agree with a plain
    successive-substitution calculation written here. It converges from the default
    start since the acidity row is written on ln(h/W) (it was xfail before)."""
    els = ["La", "Pr", "Nd"]
    feed = [0.004, 0.002, 0.003]
    b = {"La": -4.3, "Pr": -3.7, "Nd": -3.5}
    n = 6
    fs = cascade(els, feed, n, k=2, acid_feed=0.05, strip_acid=2.0, equilibrium="pH",
                 pH_intercept=b, pH_slope=3.0)
    r = fs.solve()
    prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
    sol = r.unit_solution("sx")
    lay = fs.units["sx"].internal_layout()
    W, V = lay.take("V_aq_extraction", sol.internal), lay.take("V_org", sol.internal)
    a, h = _stagewise_pH(np.array([10 ** b[e] for e in els]), 3.0, W, V, feed, 0.05, n)
    assert prof["aqueous"][:n] == pytest.approx(a, rel=1e-7, abs=1e-14)
    assert prof["acid"][:n] == pytest.approx(h, rel=1e-7)
    assert max(r.closure.values()) < 1e-9
    assert r.iterations <= 10


def test_start_profile_is_kremser_for_each_element():
    """The cascade's start profile (constant D, held acidity) is exact for constant D:
    each element follows Kremser on its own, (E − 1)/(E^(n+1) − 1) of the feed left in
    the raffinate of n stages (Seader, Henley & Roper, 3rd ed., eq. 5-29)."""
    from polyflow.units.ree.sum_rates import start_profile
    n, D = 6, np.array([0.5, 3.0])
    N, E = n, 2
    aq_in = np.zeros((N, E))
    aq_in[-1] = [1.0, 2.0]          # feed at stage n, barren organic at stage 1
    a, o, *_ = start_profile(np.tile(D, (N, 1)), np.zeros((N, E)), np.zeros((N, E)), 1.0,
                             N, aq_in, np.zeros(E), np.zeros(N), np.ones(N), 1.0, 1.0,
                             3.0, np.zeros(N), np.zeros(N), False)
    kremser = (D - 1) / (D ** (n + 1) - 1)
    assert a[0] / aq_in[-1] == pytest.approx(kremser, rel=1e-12)
    assert (a[0] + o[-1]) == pytest.approx(aq_in[-1], rel=1e-12)


def _long_pH_cascade(n_stages, beta, els, extractant="4.8 kmol/h", **kw):
    """15-element pH cascade with a heavy-element reflux scrub (the benchmark's)."""
    E = len(els)
    fs = Flowsheet(["H2O", "HCl", "P507", "kerosene", *[f"{e}Cl3" for e in els],
                    *[complex_id(e) for e in els]])
    fs.add(Feed("pls", flows={"H2O": "1000 kg/h", "HCl": "1 kmol/h",
                              **{f"{e}Cl3": f"{1.0 / E} kmol/h" for e in els}}))
    heavy = els[E // 2:]
    fs.add(Feed("reflux", flows={"H2O": "300 kg/h",
                                 **{f"{e}Cl3": f"{0.3 / len(heavy)} kmol/h" for e in heavy}}))
    fs.add(Feed("acid", flows={"H2O": "1000 kg/h", "HCl": "6 kmol/h"}))
    fs.add(Feed("solvent", flows={"kerosene": "600 kg/h", "P507": extractant}))
    n = m = 2 * n_stages // 5
    mid = beta ** ((E - 1) / 2)
    fs.add(REECascade("sx", elements=els, equilibrium="pH", extraction_stages=n,
                      scrub_stages=m, strip_stages=n_stages - n - m, pH_slope=3.0,
                      pH_intercept={e: float(np.log10(beta ** i / mid))
                                    for i, e in enumerate(els)}, **kw))
    from polyflow.design.ree import connect_cascade
    connect_cascade(fs, "sx", feed="pls", scrub="reflux")
    return fs


@pytest.mark.parametrize("beta", [1.2, 10.0])
def test_pH_cascade_of_200_stages_and_15_elements_converges_from_the_file(beta):
    """Without the start profile Newton failed on every 15-element pH cascade (the
    distribution ratios span β^14 and the first step empties some stages): now it
    converges in a few iterations and every element closes."""
    els = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
           "Lu", "Y"]
    r = _long_pH_cascade(200, beta, els).solve(max_iter=30)
    assert r.iterations <= 15
    assert max(r.closure.values()) < 1e-12


@pytest.mark.parametrize("beta", [2.0, 10.0])
def test_pH_cascade_with_extractant_order_converges(beta):
    """pH model with D ∝ (F/T_A)^3 (acidity and loading both unknown), 15 elements on
    200 stages, 9.6 kmol/h of extractant (capacity 1.6 kmol/h of metal for 1.3 fed):
    without the acidity-and-loading start profile Newton failed here (a NaN residual
    from an overflowed equilibrium row, or a singular Jacobian)."""
    els = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
           "Lu", "Y"]
    fs = _long_pH_cascade(200, beta, els, extractant="9.6 kmol/h", extractant_order=3.0)
    r = fs.solve(max_iter=30)
    assert max(r.closure.values()) < 1e-12
    prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
    assert np.all(prof["free_extractant"] > 0) and np.all(prof["acid"] > 0)


@pytest.mark.parametrize("eta", [1.0, 0.7])
def test_acid_loading_profile_solves_the_pH_cascade_with_order(eta):
    """The start profile of the pH model with an extractant order solves the whole
    cascade exactly: element balances, the Murphree equilibrium with
    D = K·c_H^−3·(F/T_A)^2, the acid balance (3 H+ per REE3+) with c_H = h/W, and
    F = T_A − ν Σ o = T_A·e^u, to round-off, for elements spanning 10^4."""
    from polyflow.units.ree.acid_loading import acid_loading_profile
    n_, m_, k, E = 6, 6, 4, 5
    N, ns = n_ + m_ + k, n_ + m_
    K = np.tile(0.3 * 10.0 ** np.arange(E), (N, 1))
    mm, nn = np.full((N, E), 3.0), np.full((N, E), 2.0)
    aq_in = np.zeros((N, E))
    aq_in[n_ - 1] = 0.2
    aq_in[ns - 1, 3:] = 0.1
    acid_in = np.zeros(N)
    acid_in[n_ - 1], acid_in[N - 1] = 0.5, 6.0
    W = np.array([1.3] * n_ + [0.3] * m_ + [1.0] * k)
    V, T_A, nu = 2.0, 9.6, 6.0
    a, o, h, free, u, v = acid_loading_profile(K, mm, nn, eta, ns, aq_in, np.zeros(E),
                                               acid_in, W, V, T_A, nu, np.zeros(N))
    prev = np.vstack([np.zeros(E), o[:-1]])
    nxt = np.vstack([a[1:], np.zeros(E)])
    nxt[ns - 1] = 0.0
    assert a + o == pytest.approx(nxt + prev + aq_in, rel=1e-10, abs=1e-14)
    D = K * np.exp(-3.0 * v[:, None] + 2.0 * u[:, None])
    assert o - (1 - eta) * prev == pytest.approx(eta * D * a * V / W[:, None], rel=1e-9,
                                                 abs=1e-14)
    h_next = np.append(h[1:], 0.0)
    h_next[ns - 1] = 0.0
    assert h == pytest.approx(h_next + acid_in + 3.0 * (o - prev).sum(axis=1), rel=1e-10)
    assert h == pytest.approx(W * np.exp(v), rel=1e-9)
    assert free == pytest.approx(T_A - nu * o.sum(axis=1), rel=1e-12)
    assert free == pytest.approx(T_A * np.exp(u), rel=1e-9)
    assert np.all(u < 0) and np.all(a >= 0) and np.all(h > 0)


def _long_sf_cascade(n_stages, beta, els):
    """15-element separation-factor cascade with a heavy-element reflux scrub (the
    benchmark's): organic near capacity (T_A/ν = 0.8 kmol/h of metal for 1.3 fed)."""
    E = len(els)
    fs = Flowsheet(["H2O", "HCl", "P507", "kerosene", *[f"{e}Cl3" for e in els],
                    *[complex_id(e) for e in els]])
    fs.add(Feed("pls", flows={"H2O": "1000 kg/h",
                              **{f"{e}Cl3": f"{1.0 / E} kmol/h" for e in els}}))
    heavy = els[E // 2:]
    fs.add(Feed("reflux", flows={"H2O": "300 kg/h",
                                 **{f"{e}Cl3": f"{0.3 / len(heavy)} kmol/h" for e in heavy}}))
    fs.add(Feed("acid", flows={"H2O": "1000 kg/h", "HCl": "6 kmol/h"}))
    fs.add(Feed("solvent", flows={"kerosene": "600 kg/h", "P507": "4.8 kmol/h"}))
    n = m = 2 * n_stages // 5
    fs.add(REECascade("sx", elements=els, equilibrium="separation_factor",
                      extraction_stages=n, scrub_stages=m, strip_stages=n_stages - n - m,
                      separation_factors={e: beta ** i for i, e in enumerate(els)}))
    from polyflow.design.ree import connect_cascade
    connect_cascade(fs, "sx", feed="pls", scrub="reflux")
    return fs


@pytest.mark.parametrize("beta", [2.0, 10.0])
def test_separation_factor_cascade_of_200_stages_and_15_elements_converges(beta):
    """Without the loaded start profile Newton failed here (singular Jacobian after the
    flat start emptied some stages): now every element closes and the loading stays
    below capacity in every stage."""
    els = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
           "Lu", "Y"]
    fs = _long_sf_cascade(200, beta, els)
    r = fs.solve(max_iter=30)
    assert max(r.closure.values()) < 1e-12
    prof = fs.units["sx"].stage_profile(r.unit_solution("sx"))
    assert np.all(prof["free_extractant"] > 0)


@pytest.mark.parametrize("eta", [1.0, 0.7])
def test_loaded_profile_solves_the_separation_factor_cascade(eta):
    """The separation-factor start profile solves the extraction and scrub stages
    exactly: element balances, the Murphree equilibrium with D = κβ·F/T_A, and
    F = T_A − ν Σ o = T_A·e^u, to round-off, for elements spanning β^4 = 10^4 (the
    strip section, linear, is left to Newton when η < 1)."""
    from polyflow.units.ree.loaded import loaded_profile
    n, m, k, E = 6, 6, 3, 5
    N, ns = n + m + k, n + m
    K = np.vstack([np.tile(20.0 * 10.0 ** np.arange(E), (ns, 1)), np.full((k, E), 0.01)])
    aq_in = np.zeros((N, E))
    aq_in[n - 1] = 0.2
    aq_in[ns - 1, 3:] = 0.1
    W = np.array([1.3] * n + [0.3] * m + [1.0] * k)
    V, T_A, nu = 2.0, 4.8, 6.0
    a, o, _, free, u = loaded_profile(K, eta, ns, aq_in, np.zeros(E), np.zeros(N), W, V,
                                      T_A, nu)
    prev = np.vstack([np.zeros(E), o[:-1]])
    nxt = np.vstack([a[1:], np.zeros(E)])
    nxt[ns - 1] = 0.0
    x = slice(0, ns)
    assert (a + o)[x] == pytest.approx((nxt + prev + aq_in)[x], rel=1e-10, abs=1e-14)
    D = K * np.exp(u)[:, None]
    assert (o - (1 - eta) * prev)[x] == pytest.approx((eta * D * a * V / W[:, None])[x],
                                                      rel=1e-9, abs=1e-14)
    assert free == pytest.approx(T_A - nu * o.sum(axis=1), rel=1e-12)
    assert free[x] == pytest.approx(T_A * np.exp(u[x]), rel=1e-9)
    assert np.all(u < 0) and np.all(a >= 0)


def test_errors_name_the_fix():
    with pytest.raises(InputError, match=r"field 'equilibrium': must be one of "
                       r"'separation_factor', 'pH', 'distribution' \(got 'langmuir'\)"):
        REECascade("sx", elements=["La"], extraction_stages=2, equilibrium="langmuir")
    with pytest.raises(InputError, match="needs 'separation_factors'"):
        REECascade("sx", elements=["La"], extraction_stages=2)
    with pytest.raises(InputError, match="beyond the scrub section"):
        REECascade("sx", elements=["La"], extraction_stages=2, feed_stage=5,
                   separation_factors={"La": 1})
    with pytest.raises(InputError, match="whole number"):
        REECascade("sx", elements=["La"], extraction_stages=2.5,
                   separation_factors={"La": 1})
    with pytest.raises(InputError, match="no P507 complex"):
        REECascade("sx", elements=["Cu"], extraction_stages=2, equilibrium="distribution",
                   distribution={"Cu": 1}).bind(Flowsheet(["CuCl2", "HCl", "P507"]).species)


def test_damped_step_limits_the_step_keeps_logarithms_negative_and_backtracks():
    """The one damped Newton step of the start profiles (units/ree/damped.py): scaled as a
    whole to the limit of each unknown, a log-fraction that would cross 0 halved towards
    0, halved until the norm falls (Armijo), None when it cannot."""
    from polyflow.units.ree.damped import damped_step

    z = np.array([-1.0, 0.0])
    limit = np.array([2.0, 0.5])
    negative = np.array([True, False])
    # the second component's step 1.0 is twice its limit: the whole step is halved
    z1, _ = damped_step(z, np.array([0.4, 1.0]), np.array([1.0]), lambda t: t,
                        lambda t: np.array([t[1] - 0.5]), limit, negative, 5)
    np.testing.assert_allclose(z1, [-0.8, 0.5])
    # a log-fraction stepping past 0 goes half-way to 0 instead
    z2, _ = damped_step(z, np.array([1.5, 0.0]), np.array([1.0]), lambda t: t,
                        lambda t: np.array([t[0] + 0.5]), limit, negative, 5)
    np.testing.assert_allclose(z2, [-0.5, 0.0])
    # no decrease in any of the halvings, or a step that is not finite: None
    assert damped_step(z, np.array([0.1, 0.1]), np.array([1e-3]), lambda t: t,
                       lambda t: np.array([1.0]), limit, negative, 4) is None
    assert damped_step(z, np.array([np.nan, 0.1]), np.array([1.0]), lambda t: t,
                       lambda t: np.array([0.0]), limit, negative, 4) is None


def test_internal_layout_names_every_internal_unknown():
    """The cascade's named layout covers its internal unknowns exactly, in the order
    of their labels (no offset arithmetic left to drift)."""
    fs = cascade(["La", "Ce"], [0.004, 0.003], 4, 0, 2, acid_feed=0.05, strip_acid=2.0,
                 equilibrium="pH", pH_intercept={"La": -4.3, "Ce": -4.0}, extractant_order=2.0)
    unit = fs.units["sx"]
    r = fs.solve()
    lay = unit.internal_layout()
    assert lay.size == len(r.unit_solution("sx").internal) == 2 * 6 * 2 + 2 * 6 + 5 + 2 * 6
    assert lay.labels()[:2] == ["aq[1,La]", "aq[1,Ce]"]
    assert lay["ln_free_fraction"].size == lay["ln_acid_molarity"].size == 6
    assert lay.slice("ln_acid_molarity").stop == lay.size
