"""Plant-scale benchmark of the core solver (not a test: run it, read the figures).

    python benchmarks/plant_scale.py              # N = 100, 1000, 10000, all shapes
    python benchmarks/plant_scale.py --sizes 1000 --shapes cascade

Three shapes of generated flowsheet with N units and 6 species (water, acid, copper
sulfate, tenorite, quartz, oxygen):

* ``loop``: one long recycle loop: a mixer, then a chain of reactors and heaters, then a
  splitter sending half of the flow back to the mixer;
* ``local``: many local loops: blocks of mixer -> reactor -> splitter, each splitter
  sending 30 % back to its own mixer, the blocks in series;
* ``cascade``: a counter-current cascade of mixer/splitter pairs (the CCD topology):
  slurry enters stage 1 and moves forward, wash water enters the last stage and moves
  back; every splitter sends 40 % forward and 60 % back.

Each case runs in a fresh process, so the peak memory (max RSS) is that case's own. The
targets of issue #2: a 1,000-unit cascade solves in under 0.2 s and a 10,000-unit one in
under 3 s, closure below 1e-12.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SPECIES = ["H2O", "H2SO4", "CuSO4", "CuO", "SiO2", "O2(g)"]
FEED = {"H2O": 4.0e5, "H2SO4": 4.0e3, "CuSO4": 2.0e3, "CuO": 1.5e3, "SiO2": 2.5e5,
        "O2(g)": 10.0}
LEACH = [{"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO", "conversion": "2 %"}]
TARGETS = {("cascade", 1000): 0.2, ("cascade", 10000): 3.0}


def declare(shape: str, n_units: int):
    """The flowsheet with its units, not yet connected, and the list of its streams
    ``(name, from, to)``."""
    from polyflow import Flowsheet
    from polyflow.units import Feed, Heater, Mixer, Product, Splitter
    from polyflow.units import StoichiometricReactor as Reactor

    fs = Flowsheet(SPECIES, name=f"{shape} {n_units}")
    # the balances' core solver: without the streams' speciation, which costs ~1 s per
    # 1,000 wet streams (benchmarks/speciation_solve.py measures it on the shipped plants)
    fs.options["speciation"] = False
    fs.add(Feed("feed", flows_kg_h=FEED, temperature="30 degC"))
    fs.add(Product("product"))
    links: list[tuple[str, str, str]] = []
    if shape == "loop":
        k = max(n_units - 4, 1)
        fs.add(Mixer("mix"))
        links.append(("fresh", "feed", "mix"))
        prev = "mix"
        for i in range(k):
            name = f"u{i}"
            fs.add(Reactor(name, reactions=LEACH) if i % 2 == 0
                   else Heater(name, duty="1 kW"))
            links.append((f"s{i}", prev, name))
            prev = name
        fs.add(Splitter("split", fractions={"recycle": "50 %", "out": "rest"}))
        links += [("to_split", prev, "split"), ("recycle", "split.recycle", "mix"),
                  ("exit", "split.out", "product")]
    elif shape == "local":
        blocks = max((n_units - 2) // 3, 1)
        prev = "feed"
        for b in range(blocks):
            fs.add(Mixer(f"m{b}"))
            fs.add(Reactor(f"r{b}", reactions=LEACH))
            fs.add(Splitter(f"s{b}", fractions={"back": "30 %", "on": "rest"}))
            links += [(f"in{b}", prev, f"m{b}"), (f"mr{b}", f"m{b}", f"r{b}"),
                      (f"rs{b}", f"r{b}", f"s{b}"), (f"back{b}", f"s{b}.back", f"m{b}")]
            prev = f"s{b}.on"
        links.append(("exit", prev, "product"))
    elif shape == "cascade":
        stages = max((n_units - 4) // 2, 1)
        fs.add(Feed("wash", flows_kg_h={"H2O": 3.0e5}, temperature="20 degC"))
        fs.add(Product("overflow"))
        for k in range(stages):
            fs.add(Mixer(f"m{k}"))
            fs.add(Splitter(f"t{k}", fractions={"forward": "40 %", "back": "rest"}))
            links.append((f"f{k}", f"m{k}", f"t{k}"))
        links += [("slurry", "feed", "m0"), ("water", "wash", f"m{stages - 1}")]
        for k in range(stages):
            links.append((f"fw{k}", f"t{k}.forward",
                          f"m{k + 1}" if k < stages - 1 else "product"))
            links.append((f"bk{k}", f"t{k}.back", f"m{k - 1}" if k > 0 else "overflow"))
    else:
        raise SystemExit(f"unknown shape {shape!r}")
    return fs, links


def build(shape: str, n_units: int):
    """The connected flowsheet."""
    fs, links = declare(shape, n_units)
    for name, src, dst in links:
        fs.connect(name, src, dst)
    return fs


def _min_time(f, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def one_case(shape: str, n_units: int) -> dict:
    """One plant, every phase timed; ``lu_s`` is one LU factorisation (COLAMD, as
    Newton's) of the plant's last Newton matrix, best of 3, the unit of the ratios."""
    import scipy.sparse.linalg as spla

    import polyflow.solve.newton as newton
    from polyflow.solve import solve

    factored: list[tuple[float, object]] = []
    plain_factor = newton.factor

    def timed_factor(J, system, matched=False):
        t0 = time.perf_counter()
        lu = plain_factor(J, system, matched) if matched else plain_factor(J, system)
        factored.append((time.perf_counter() - t0, J))
        return lu

    newton.factor = timed_factor
    t_import = time.perf_counter()
    import scipy.interpolate  # noqa: F401  (the heat of dilution's, on first use)

    import polyflow.units  # noqa: F401  (every unit module, outside the phases)
    t_import = time.perf_counter() - t_import
    t0 = time.perf_counter()
    fs, links = declare(shape, n_units)
    t_declare = time.perf_counter() - t0
    t1 = time.perf_counter()
    for name, src, dst in links:
        fs.connect(name, src, dst)
    t_connect = time.perf_counter() - t1
    result = solve(fs)
    t_total = time.perf_counter() - t0
    newton.factor = plain_factor
    J_last = factored[-1][1]
    lu_s = _min_time(lambda: spla.splu(J_last, permc_spec="COLAMD"))
    t = result.timings
    return {
        "shape": shape, "units": len(fs.units), "streams": len(result.stream_names),
        "unknowns": result.system["unknowns"], "nnz": result.system["nnz"],
        "import_s": t_import, "declare_s": t_declare, "connect_s": t_connect,
        "assemble_s": t["build_s"],
        "first_lu_s": factored[0][0], "newton_s": t["solve_s"], "record_s": t["record_s"],
        "total_s": t_total, "lu_s": lu_s, "factorisations": len(factored),
        "iterations": result.iterations, "closure": max(result.closure.values()),
        "peak_MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


PHASES = ("declare", "connect", "assemble", "first_lu", "newton", "record")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000, 100000])
    ap.add_argument("--shapes", nargs="+", default=["loop", "local", "cascade"])
    ap.add_argument("--json", action="store_true", help="one JSON line per case")
    ap.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(one_case(args.case[0], int(args.case[1]))))
        return
    head = (f"{'shape':8} {'units':>6} {'unknowns':>9} {'LU s':>7} | "
            + " ".join(f"{p:>8}" for p in PHASES) + f" {'total':>7} | {'iter':>4} "
            f"{'closure':>8} {'MiB':>6}  target")
    if not args.json:
        print("phases as multiples of one LU factorisation of the plant's Jacobian")
        print(head)
        print("-" * len(head))
    for shape in args.shapes:
        for n in args.sizes:
            out = subprocess.run([sys.executable, __file__, "--case", shape, str(n)],
                                 capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(f"{shape:8} {n:>6}  FAILED: {out.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(out.stdout)
            if args.json:
                print(json.dumps(r))
                continue
            target = TARGETS.get((shape, n))
            verdict = ""
            if target is not None:
                ok = r["newton_s"] < target and r["closure"] < 1e-12
                verdict = f"solve < {target} s, closure < 1e-12: {'met' if ok else 'NOT met'}"
            lu = r["lu_s"]
            print(f"{shape:8} {r['units']:>6} {r['unknowns']:>9} {lu:>7.4f} | "
                  + " ".join(f"{r[p + '_s'] / lu:>8.1f}" for p in PHASES)
                  + f" {r['total_s'] / lu:>7.1f} | {r['iterations']:>4} "
                  f"{r['closure']:>8.1e} {r['peak_MiB']:>6.0f}  {verdict}")


if __name__ == "__main__":
    main()
