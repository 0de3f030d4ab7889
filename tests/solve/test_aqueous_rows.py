"""Every stream's speciation as rows of the one Newton system (polyflow.solve.aqueous_rows).

Oracles: the standalone engine (``chem.aqueous.speciate_streams``, itself checked against
PHREEQC in tests/chem/test_phreeqc_oracle.py), PHREEQC 3 itself (Parkhurst & Appelo 2013,
USGS TM 6-A43, via phreeqpython, phreeqc.dat) for the copper plant's liquors, central
differences for the Jacobian, and bisection over plain runs for a pH spec.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyflow
from polyflow.chem.aqueous import speciate_streams
from polyflow.errors import ConvergenceError, InputError
from polyflow.flowsheet import Flowsheet
from polyflow.report.export import json_document, render
from polyflow.solve.assemble import assemble
from polyflow.solve.specs import Spec
from polyflow.units import Feed, Mixer, Product

FLOWSHEETS = Path(__file__).resolve().parents[2] / "flowsheets"
SXEW = FLOWSHEETS / "copper_sx_ew.toml"
COPPER_STREAMS = ("pls", "raffinate", "loaded_electrolyte", "spent_electrolyte",
                  "leach_discharge", "neutralised")


def acid_dose(acid_kg_h: float, water_in_acid: float = 0.0) -> Flowsheet:
    """Water with 5 kg/h CuSO4 and a dose of sulphuric acid, mixed."""
    fs = Flowsheet(["H2O", "H2SO4", "CuSO4"], name="acid dose")
    fs.add(Feed("water", flows_kg_h={"H2O": 1000.0, "CuSO4": 5.0}))
    acid = {"H2SO4": acid_kg_h}
    if water_in_acid:
        acid["H2O"] = water_in_acid
    fs.add(Feed("acid", flows_kg_h=acid))
    fs.add(Mixer("mix"))
    fs.add(Product("out"))
    fs.connect("w", "water", "mix")
    fs.connect("a", "acid", "mix")
    fs.connect("liquor", "mix", "out")
    return fs


@pytest.fixture(scope="module")
def sxew():
    return polyflow.load(SXEW).solve()


def test_copper_streams_equal_the_standalone_engine(sxew):
    """pH and ionic strength of the copper SX-EW streams from the global solve equal the
    standalone speciation of the same flows and temperature (tolerance 0.01 in pH and 1 %
    in I; in fact they agree to the solver's tolerance)."""
    assert sxew.converged and sxew.aqueous["database"] == "phreeqc"
    k = [sxew.stream_index(s) for s in COPPER_STREAMS]
    sol = speciate_streams(polyflow.load(SXEW).species, sxew.flows_kmol_h[k], sxew.T_K[k])
    for j, s in enumerate(COPPER_STREAMS):
        got = sxew.aqueous_of(s)
        assert got["pH"] == pytest.approx(float(sol.pH[j]), abs=1e-6)
        assert got["ionic_strength_mol_kg"] == pytest.approx(float(sol.ionic_strength[j]),
                                                             rel=1e-6)
        assert got["free_acid_g_L"] == pytest.approx(float(sol.free_acid_g_L[j]), rel=1e-6)


def test_copper_pls_and_raffinate_against_phreeqc(sxew):
    """PHREEQC's pH (charge balance) and ionic strength of the PLS and raffinate totals
    equal the global solve's to 0.01 pH and 1 % (I 0.24-0.30 mol/kg, within the
    activity model's range)."""
    pytest.importorskip("phreeqpython")
    from tests.chem.liquors import ELEMENT, oracle

    from polyflow.chem.aqueous import stream_system
    from polyflow.chem.aqueous_map import totals

    _sys, cmap = stream_system(polyflow.load(SXEW).species, "phreeqc")
    for s in ("pls", "raffinate", "leach_discharge"):
        k = sxew.stream_index(s)
        t, _ = totals(cmap, sxew.flows_kmol_h[k][None, :])
        d = {"units": "mol/kgw", "pH": "7 charge", "temp": float(sxew.T_K[k]) - 273.15}
        for j, m in enumerate(cmap.masters[1:], start=1):
            d[ELEMENT[m]] = d.get(ELEMENT[m], 0.0) + float(t[0, j])
        ref = oracle("phreeqc").add_solution(d)
        got = sxew.aqueous_of(s)
        assert got["ionic_strength_mol_kg"] < 0.5
        assert got["pH"] == pytest.approx(ref.pH, abs=0.01)
        assert got["ionic_strength_mol_kg"] == pytest.approx(ref.I, rel=0.01)


def test_global_jacobian_against_central_differences():
    """The whole plant's Jacobian, speciation blocks included (on their own unknowns, the
    streams' flows and temperatures), equals central differences of the residuals at the
    solution, column by column (relative 1e-6 of the column's largest entry). The acid
    carries 2 % water: the heat of dilution of a stream with no water at all has a kink
    at zero water flow (chem.dilution), which central differences straddle."""
    fs = acid_dose(5.0, 0.1)
    result = fs.solve()
    asm = assemble(fs)
    system = asm.system
    x = result.x.copy()
    J = system.jacobian(x).toarray()
    fd = np.empty_like(J)
    for j in range(system.n):
        h = 1e-6 * max(1.0, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        fd[:, j] = (system.residual(xp)[0] - system.residual(xm)[0]) / (2 * h)
    aq = system.aqueous
    assert aq is not None and aq.N == 3
    rows = aq.rows.ravel()
    scale = np.abs(fd).max(axis=0) + 1e-12
    assert np.abs((J - fd) / scale).max() < 1e-6
    # the speciation rows do read the flows and the temperature (the test can fail)
    liquor = asm.stream_index["liquor"]
    flow_cols = np.arange(liquor * system.stride, (liquor + 1) * system.stride)
    assert np.abs(J[np.ix_(rows, flow_cols)]).max() > 1e-3


def test_ph_spec_equals_bisection_over_plain_runs():
    """A spec holding the liquor at pH 1.5 by the acid dose gives the dose that bisection
    over plain runs (no spec) finds, to 1e-8 relative."""
    fs = acid_dose(5.0)
    fs.specs["ph"] = Spec("ph", "acid.flows_kg_h.H2SO4", "streams.liquor.pH", 1.5)
    result = fs.solve()
    assert result.converged and result.aqueous_of("liquor")["pH"] == pytest.approx(1.5,
                                                                                  abs=1e-10)
    dose = float(result.specs["ph"]["value"])

    def ph(acid):
        return acid_dose(acid).solve().aqueous_of("liquor")["pH"]

    lo, hi = 1.0, 20.0           # pH falls as acid rises
    assert ph(lo) > 1.5 > ph(hi)
    while hi - lo > 1e-10 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ph(mid) > 1.5 else (lo, mid)
    assert dose == pytest.approx(0.5 * (lo + hi), rel=1e-8)


def test_ionic_strength_target_and_its_refusal_without_speciation():
    fs = acid_dose(5.0)
    fs.specs["i"] = Spec("i", "acid.flows_kg_h.H2SO4", "streams.liquor.ionic_strength_mol_kg",
                         0.2)
    result = fs.solve()
    assert result.aqueous_of("liquor")["ionic_strength_mol_kg"] == pytest.approx(0.2,
                                                                               rel=1e-10)
    off = acid_dose(5.0)
    off.options["speciation"] = False
    off.specs["ph"] = Spec("ph", "acid.flows_kg_h.H2SO4", "streams.liquor.pH", 1.5)
    with pytest.raises(InputError, match="no speciation"):
        off.solve()


def test_dry_and_concentrated_streams_report_null():
    """A stream without water (the acid as pure H2SO4(aq) formula units) and one beyond the
    activity model (98 % acid: 500 mol/kg) have no pH; the mixed liquor has one."""
    for water in (0.0, 0.1):      # kg/h of water in 5 kg/h acid: none, 2 %
        doc = json_document(acid_dose(5.0, water).solve())
        assert doc["streams"]["a"]["pH"] is None
        assert doc["streams"]["a"]["ionic_strength_mol_kg"] is None
        assert 1.0 < doc["streams"]["liquor"]["pH"] < 2.0
        assert doc["streams"]["w"]["pH"] > 4.0          # CuSO4 hydrolysis only


def test_speciation_off_leaves_the_balances_unchanged():
    on = acid_dose(5.0).solve()
    fs = acid_dose(5.0)
    fs.options["speciation"] = False
    off = fs.solve()
    assert off.aqueous == {} and off.aqueous_of("liquor")["pH"] is None
    assert np.array_equal(on.flows_kmol_h, off.flows_kmol_h)
    assert "pH" not in render(off, "text").split("Streams")[1].splitlines()[1]


def test_non_converging_speciation_names_the_stream(monkeypatch):
    """When the local speciation cannot be solved (here: its solver made to fail) and a
    spec reads it (the liquor's pH), the global Newton stalls on those rows and the error
    names the stream and 'speciation'. (Read by nothing, such a stream is given up and
    the plant solves: the test below.)"""
    import polyflow.solve.aqueous_rows as ar

    def fails(sys, t, T, x, **kw):
        return np.array(x, dtype=float), np.zeros(len(t), dtype=bool), 0

    monkeypatch.setattr(ar, "solve_speciation", fails)
    monkeypatch.setattr(ar, "initial_guess", lambda sys, t, T=None: np.tile(
        np.r_[-7.0, np.full(len(sys.masters) - 1, -30.0), 1e-7, 2e-7], (len(t), 1)))
    fs = acid_dose(5.0)
    fs.specs["ph"] = Spec("ph", "acid.flows_kg_h.H2SO4", "streams.liquor.pH", 1.5)
    with pytest.raises(ConvergenceError) as err:
        fs.solve(max_iter=3)
    _units, streams, what = zip(*[w[1:] for w in err.value.worst], strict=True)
    assert "liquor" in streams[:3]
    assert any(w.startswith("speciation") for w in what[:3])


def test_report_warns_beyond_the_activity_model(sxew):
    """The tankhouse electrolyte (I ≈ 5 mol/kg) is named with the pH error there."""
    text = render(sxew, "text")
    assert "Speciation beyond the activity model" in text
    warned = json_document(sxew)["aqueous_warnings"]
    assert any("'loaded_electrolyte'" in w and "more than 0.5" in w for w in warned)
    assert not any("'pls'" in w for w in warned)        # I 0.30 mol/kg


def test_a_liquor_beyond_the_activity_model_does_not_fail_the_plant():
    """36 % sulphuric acid with copper sulphate (about 6 mol/kg, ionic strength ~10): no
    start solves its speciation on the extended Debye-Hückel model (found by the random
    plant test). Nothing reads its pH, so the plant's balances solve, the stream reports
    no pH, and the report says why, rather than the whole solve failing on a report."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.strategies import build_acid_plant

    recipe = {"feed": {"H2O": 3000.0, "CuSO4": 38.17, "H2SO4": 1675.1, "CuO": 0.0,
                       "SiO2": 1000.0}, "T": 38.0,
              "units": [("mixer", None, None), ("mixer", None, None), ("separator", 0.0, 0.0)],
              "second": [(2, 0)]}
    result = build_acid_plant(recipe).solve()
    assert result.converged and max(result.closure.values()) < 1e-9
    unsolved = result.aqueous["unsolved"]
    assert unsolved
    name = result.streams[unsolved[0]].name
    assert result.aqueous_of(name)["pH"] is None
    from polyflow.report.tables import aqueous_warnings
    assert any("does not converge" in w and name in w for w in aqueous_warnings(result))
