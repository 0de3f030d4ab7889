"""Benchmark: 15-element rare-earth cascades of 50, 200 and 500 stages from the default
start; prints solve time, Newton iterations and closure for each equilibrium model and
adjacent separation factor, and for the pH model with extractant order 3 (D ∝ (F/T_A)^3)
on 9.6 kmol/h of extractant (capacity 1.6 kmol/h of metal for the 1.3 fed; at the 4.8
kmol/h of the other rows and β = 10 the 200- and 500-stage cascades lie beyond a turning
point in the extractant). Run: python benchmarks/ree_cascade.py; with --impurities: 15
rare earths + 6 impurities + the NH4+ of a 30 % saponified organic x 200 stages.

A second table times Newton's first LU factorisation (its start-up Jacobian) against its
last one (the same sparsity pattern), with SuperLU's plain COLAMD ordering and with the
columns first matched to a nonzero diagonal (``options["start_ordering"] = "matched"``,
polyflow.solve.structure.matched_lu): ``python benchmarks/ree_cascade.py --first-lu``."""


from __future__ import annotations

import sys
import time

import numpy as np

from polyflow import Flowsheet
from polyflow.design.ree import connect_cascade
from polyflow.units import Feed
from polyflow.units.ree import REECascade, complex_id

ELEMENTS = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
            "Lu", "Y"]


def build(n_stages: int, beta: float, model: str, extractant: float = 4.8,
          order: float = 0.0) -> Flowsheet:
    els = ELEMENTS
    E = len(els)
    fs = Flowsheet(["H2O", "HCl", "P507", "kerosene", *[f"{e}Cl3" for e in els],
                    *[complex_id(e) for e in els]])
    acid = {"HCl": "1 kmol/h"} if model == "pH" else {}
    fs.add(Feed("pls", flows={"H2O": "1000 kg/h", **acid,
                              **{f"{e}Cl3": f"{1.0 / E} kmol/h" for e in els}}))
    heavy = els[E // 2:]
    fs.add(Feed("reflux", flows={"H2O": "300 kg/h",
                                 **{f"{e}Cl3": f"{0.3 / len(heavy)} kmol/h" for e in heavy}}))
    fs.add(Feed("acid", flows={"H2O": "1000 kg/h", "HCl": "6 kmol/h"}))
    fs.add(Feed("solvent", flows={"kerosene": "600 kg/h", "P507": f"{extractant} kmol/h"}))
    n = m = 2 * n_stages // 5
    k = n_stages - n - m
    betas = {e: beta ** i for i, e in enumerate(els)}
    if model == "separation_factor":
        kw = {"separation_factors": betas}
    elif model == "pH":
        # log D = 3 pH + b: D_i = β^i/β^((E-1)/2) at 1 mol/L acid (the feed acidity)
        mid = beta ** ((E - 1) / 2)
        kw = {"pH_intercept": {e: float(np.log10(b / mid)) for e, b in betas.items()},
              "pH_slope": 3.0, "extractant_order": order}
    else:
        mid = beta ** ((E - 1) / 2)
        kw = {"distribution": {e: b / mid for e, b in betas.items()}}
    fs.add(REECascade("sx", elements=els, equilibrium=model, extraction_stages=n,
                      scrub_stages=m, strip_stages=k, **kw))
    connect_cascade(fs, "sx", feed="pls", scrub="reflux")
    return fs


def first_lu() -> None:
    """Newton's first and last factorisation, plain and matched start ordering."""
    import polyflow.solve.newton as newton

    plain = newton._solver          # factors the Jacobian (the first with the matched
    seconds: list[float] = []       # ordering when asked; later ones with the kept one)

    def timed(system, J, matched=False):
        t0 = time.perf_counter()
        solve = plain(system, J, matched)
        seconds.append(time.perf_counter() - t0)
        return solve

    newton._solver = timed
    print("| model | stages | β | start ordering | first LU s | last LU s | first/last | "
          "Newton iter. | closure |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for model in ("distribution", "pH", "separation_factor"):
        for n_stages in (200, 500):
            for ordering in ("plain", "matched"):
                best = None
                for _ in range(2):                  # the smaller of two runs
                    fs = build(n_stages, 2.0, model)
                    fs.options["start_ordering"] = ordering
                    seconds.clear()
                    r = fs.solve(max_iter=100)
                    if best is None or seconds[0] < best[0]:
                        best = (seconds[0], seconds[-1], r)
                t_first, t_last, r = best
                print(f"| {model} | {n_stages} | 2 | {ordering} | {t_first:.3f} | "
                      f"{t_last:.3f} | {t_first / t_last:.1f} | {r.iterations} | "
                      f"{max(r.closure.values()):.1e} |", flush=True)
    newton._solver = plain


IMPURITIES = {"Fe": 3, "Al": 3, "Ca": 2, "Th": 4, "Mg": 2, "Sc": 3}


def build_impure(n_stages: int, beta: float, model: str, saponified: float = 0.3,
                 extractant: float = 9.6, order: float = 3.0) -> Flowsheet:
    """15 rare earths + Fe, Al, Ca, Th, Mg, Sc and the NH4+ of a saponified organic
    (``saponified`` of the extractant as NH4A): the impurities at constant D (Fe, Th and
    Sc ahead of the rare earths, Al, Ca, Mg behind them), NH4 by its own equilibrium
    (pH model: data/ree_extraction.csv) or at D = 1e-6 (distribution model)."""
    els = ELEMENTS
    E = len(els)
    imp = list(IMPURITIES)

    def cl(e):
        z = IMPURITIES.get(e, 3)
        return f"{e}Cl{z}"
    fs = Flowsheet(["H2O", "HCl", "P507", "kerosene", "NH4Cl",
                    *[f"{e}Cl3" for e in els], *[cl(e) for e in imp],
                    *[complex_id(e) for e in els],
                    *[complex_id(e, IMPURITIES[e]) for e in imp], complex_id("NH4", 1)])
    fs.add(Feed("pls", flows={"H2O": "1000 kg/h", "HCl": "0.2 kmol/h",
                              **{f"{e}Cl3": f"{1.0 / E} kmol/h" for e in els},
                              **{cl(e): "0.002 kmol/h" for e in imp}}))
    heavy = els[E // 2:]
    fs.add(Feed("reflux", flows={"H2O": "300 kg/h",
                                 **{f"{e}Cl3": f"{0.3 / len(heavy)} kmol/h" for e in heavy}}))
    fs.add(Feed("acid", flows={"H2O": "1000 kg/h", "HCl": "6 kmol/h"}))
    fs.add(Feed("solvent", flows={"kerosene": "600 kg/h",
                                  "P507": f"{extractant * (1 - saponified)} kmol/h",
                                  complex_id("NH4", 1): f"{extractant * saponified} kmol/h"}))
    n = m = 2 * n_stages // 5
    k = n_stages - n - m
    mid = beta ** ((E - 1) / 2)
    betas = {e: beta ** i for i, e in enumerate(els)}
    const = {"Fe": 1e3, "Th": 1e3, "Sc": 1e3, "Al": 1e-3, "Ca": 1e-4, "Mg": 1e-4}
    if model == "pH":
        kw = {"pH_intercept": {e: float(np.log10(b / mid)) for e, b in betas.items()},
              "distribution": const, "extractant_order": order,
              "strip_distribution": {"all": 1e-3, "Fe": 1e3, "Th": 1e3, "Sc": 1e3}}
    else:
        kw = {"distribution": {**{e: b / mid for e, b in betas.items()}, **const,
                               "NH4": 1e-6},
              "strip_distribution": {"all": 1e-3, "Fe": 1e3, "Th": 1e3, "Sc": 1e3}}
    fs.add(REECascade("sx", elements=[*els, *imp, "NH4"], equilibrium=model,
                      extraction_stages=n, scrub_stages=m, strip_stages=k, **kw))
    connect_cascade(fs, "sx", feed="pls", scrub="reflux")
    return fs


def _row(cells: str, fs: Flowsheet) -> None:
    """Solve ``fs`` and print its table row after ``cells``: unknowns, solve time,
    iterations, closure (or the failure's kind)."""
    t0 = time.perf_counter()
    try:
        r = fs.solve(max_iter=100)
        dt = time.perf_counter() - t0
        print(f"| {cells} | {len(r.x):,} | {dt:.2f} | {r.iterations} | "
              f"{max(r.closure.values()):.1e} |")
    except Exception as err:
        dt = time.perf_counter() - t0
        print(f"| {cells} | - | {dt:.2f} | FAILED: {type(err).__name__} | - |")


def impure() -> None:
    """15 rare earths + 6 impurities + NH4 x 200 stages with saponification."""
    print("| model | stages | β adjacent | saponified | unknowns | solve s | Newton iter. | "
          "closure |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for model in ("distribution", "pH"):
        for beta in (1.2, 2.0):
            _row(f"{model} | 200 | {beta:g} | 30 %", build_impure(200, beta, model))


def main() -> None:
    if "--first-lu" in sys.argv:
        first_lu()
        return
    print("| model | stages | β adjacent | unknowns | solve s | Newton iter. | closure |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    cases = [(m, m, {}) for m in ("distribution", "pH", "separation_factor")]
    cases.append(("pH, order 3, 9.6 kmol/h HA", "pH", {"extractant": 9.6, "order": 3.0}))
    for label, model, kw in cases:
        for n_stages in (50, 200, 500):
            for beta in (1.2, 2.0, 10.0):
                _row(f"{label} | {n_stages} | {beta:g}", build(n_stages, beta, model, **kw))
    np.seterr(all="ignore")


if __name__ == "__main__":
    import sys
    impure() if "--impurities" in sys.argv else main()
