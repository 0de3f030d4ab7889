"""Cost of the streams' speciation rows in the whole-plant solve (not a test: run it, read
the figures).

    python benchmarks/speciation_solve.py [FLOWSHEET ...] [--repeat 5]

For each flowsheet (default: every shipped one), the best of ``repeat`` solves with the
speciation rows (``options.speciation`` as shipped) and without (``speciation = false``),
interleaved so that other load on the machine falls on both alike; the Newton iterations
of each; the number of streams with speciation and the system's size.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polyflow

ROOT = Path(__file__).resolve().parents[1]


def best_solve(path: Path, speciation: bool, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        fs = polyflow.load(path)
        if not speciation:
            fs.options["speciation"] = False
        t0 = time.perf_counter()
        result = polyflow.solve(fs)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("flowsheets", nargs="*")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    paths = [Path(p) for p in args.flowsheets] or sorted((ROOT / "flowsheets").glob("*.toml"))
    print(f"{'flowsheet':28s} {'off [s]':>8s} {'it':>3s} {'on [s]':>8s} {'it':>3s} "
          f"{'wet/streams':>12s} {'unknowns':>9s} {'closure':>8s}")
    for p in paths:
        t_off, t_on, r_off, r_on = float("inf"), float("inf"), None, None
        for _ in range(args.repeat):        # interleaved
            t, r_off = best_solve(p, False, 1)
            t_off = min(t_off, t)
            t, r_on = best_solve(p, True, 1)
            t_on = min(t_on, t)
        wet = sum(v is not None for v in r_on.aqueous.get("pH", []))
        worst = max(r_on.closure.values(), default=0.0)
        print(f"{p.stem:28s} {t_off:8.3f} {r_off.iterations:3d} {t_on:8.3f} "
              f"{r_on.iterations:3d} {wet:5d}/{len(r_on.streams):<6d} "
              f"{r_on.system['unknowns']:9d} {worst:8.1e}")


if __name__ == "__main__":
    main()
