"""What a study costs (not a test: run it, read the figures).

    python benchmarks/study.py                      # 1,000 refinery points, 1 and 2 workers
    python benchmarks/study.py --samples 40 --plant copper_oxide_leach
    python benchmarks/study.py --contention         # first: what 2 busy processes cost

A Monte Carlo of a plant over feed grades and throughput (issue #16). Prints: the time
to read the plant against the time to make a point from the plant read once
(polyflow.study.variant); each point's wall time (variant, warm-started solve from the
nearest solved neighbour, record), median and 90th percentile over converged warm
points, and its parts inside the solve (build: assemble and attach the specs; Newton;
record), and its CPU time (the figure to compare on a shared machine); and the whole
study's wall time on one process and on a local Dask cluster of 2 workers (same seed:
the two tables are checked equal), with the speed-up; how many points were assembled in
place (polyflow.solve.rebind) and the warm points' CPU summed over the workers (its
rise from 1 to 2 workers is what sharing the cores costs). Every line gives the load
average: on a shared machine the times grow with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from polyflow.io.reader import load
from polyflow.study import read_study, run_study
from polyflow.study.variant import variant

ROOT = Path(__file__).resolve().parents[1] / "flowsheets"

#: plant -> the study's varied inputs (feed grades and throughput) and outputs
PLANTS = {
    "refinery": ("""outputs = ["recovery.Cu.cu/cathode", "recovery.Au.au/gold",
           "energy.cu/ew.power_kW"]
[vary."cu/ore.grades.Cu"]
distribution = "normal"
mean = "1.2 %"
sd = "0.05 %"
[vary."cu/ore.solids"]
distribution = "triangular"
low = "240 t/h"
mode = "250 t/h"
high = "260 t/h"
[vary."au/ore.grades.Au"]
distribution = "uniform"
low = "3.0 g/t"
high = "3.4 g/t"
""", {"cu/ore.grades.Cu": "1.25 %"}),
    "copper_oxide_leach": ("""outputs = ["recovery.Cu.cathode", "streams.pls.g_L.Cu"]
[vary."ore.grades.Cu"]
distribution = "normal"
mean = "1.2 %"
sd = "0.1 %"
[vary."ore.solids"]
distribution = "triangular"
low = "225 t/h"
mode = "250 t/h"
high = "275 t/h"
""", {"ore.grades.Cu": "1.25 %"}),
}


def study_file(plant: str, samples: int, batch: int, folder: Path) -> Path:
    text, _ = PLANTS[plant]
    path = folder / f"{plant}_study.toml"
    path.write_text(f'flowsheet = "{(ROOT / f"{plant}.toml").as_posix()}"\n'
                    f"batch = {batch}\n[monte_carlo]\nsamples = {samples}\nseed = 1\n" + text)
    return path


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))] if values else float("nan")


def _interpreter_work(_) -> float:
    """CPU time of a fixed pure-Python loop (no memory traffic)."""
    c = time.process_time()
    total = 0
    for i in range(6_000_000):
        total += i
    return time.process_time() - c


def _memory_work(_) -> float:
    """CPU time of a fixed streaming numpy loop over 64 MB (memory bandwidth)."""
    import numpy as np

    a = np.random.default_rng(1).random(8_000_000)
    c = time.process_time()
    for _ in range(30):
        a = a * 1.0001 + 1e-9
    return time.process_time() - c


def contention() -> None:
    """What two busy processes cost each other on this machine, with no polyflow in
    it: the CPU time of the same work alone and two at once (a ratio above 1 is what
    the cores, caches or memory they share cost; a study's points pay it too)."""
    import multiprocessing as mp

    for label, work in (("pure Python", _interpreter_work), ("numpy, memory-bound",
                                                               _memory_work)):
        one = work(0)
        with mp.Pool(2) as pool:
            two = pool.map(work, [0, 1])
        print(f"  {label}: 1 process {one:.2f} s CPU; 2 at once {two[0]:.2f} and "
              f"{two[1]:.2f} s CPU: x{sum(two) / 2 / one:.2f} (load average "
              f"{os.getloadavg()[0]:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plant", default="refinery", choices=sorted(PLANTS))
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--contention", action="store_true",
                    help="also time fixed work on 1 and 2 processes (no polyflow)")
    args = ap.parse_args()
    if args.contention:
        contention()

    path = ROOT / f"{args.plant}.toml"
    t0 = time.perf_counter()
    base = load(path)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    variant(base, PLANTS[args.plant][1], path)
    t_variant = time.perf_counter() - t0
    print(f"{args.plant}: read the plant {t_read:.2f} s; a point from the plant read once "
          f"{1000 * t_variant:.1f} ms")
    tables = {}
    with tempfile.TemporaryDirectory() as tmp:
        study = read_study(study_file(args.plant, args.samples, args.batch, Path(tmp)))
        for n in args.workers:
            t0 = time.perf_counter()
            table = run_study(study, workers=n)
            wall = time.perf_counter() - t0
            tables[n] = table
            ok = [k for k, r in enumerate(table.rows)
                  if r["status"] == "converged" and r["start"] == "warm"]
            its = [r["iterations"] for r in table.rows if r["status"] == "converged"]
            parts = {"point": [table.solve_s[k] for k in ok]}
            for key in ("build_s", "solve_s", "record_s", "cpu_s"):
                parts[key] = [table.point_timings[k].get(key, float("nan")) for k in ok]
            print(f"  {n} worker(s): {args.samples} points in {wall:.1f} s "
                  f"(base solve {table.timings['base_s']:.1f} s, cluster start "
                  f"{table.timings.get('cluster_s', 0.0):.1f} s, plant read on the workers "
                  f"{table.timings.get('plant_s', 0.0):.1f} s; load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); {table.counts()}; "
                  f"Newton iterations median {statistics.median(its) if its else 0}; "
                  f"points assembled in place "
                  f"{sum(r['assembly'] == 'in place' for r in table.rows)}")
            print("    warm point, median / 90 %: " + "; ".join(
                f"{label} {_median(parts[key]):.3f} / {_p90(parts[key]):.3f} s"
                for label, key in (("whole point", "point"), ("build", "build_s"),
                                   ("Newton", "solve_s"), ("record", "record_s"),
                                   ("whole point CPU", "cpu_s"))))
            cpu = sum(parts["cpu_s"])
            print(f"    CPU of the warm points, summed over the workers: {cpu:.1f} s over "
                  f"{len(ok)} ({cpu / max(len(ok), 1):.3f} s each)")
    first = args.workers[0]
    for n in args.workers[1:]:
        same = tables[n].rows == tables[first].rows or all(
            str(a) == str(b) for a, b in zip(tables[n].rows, tables[first].rows, strict=True))
        ratio = tables[first].timings["points_s"] / tables[n].timings["points_s"]
        print(f"  {n} vs {first} worker(s): same table: {same}; the points alone (without "
              f"the base solve, the cluster's start and the workers' read) {ratio:.2f}x "
              f"faster")


if __name__ == "__main__":
    main()
