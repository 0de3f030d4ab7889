"""What the concentrator's nonlinear rows cost (not a test: run it, read the figures).

    python benchmarks/concentrator.py

For the shipped concentrator and the refinery: Newton iterations, CPU time of the solve,
and the wall time spent in the nonlinear blocks' Jacobians and in the sparse LU
factorisations (cProfile), best of three. Issue #19 found the mill's finite-difference
Bond rows costing half a refinery Newton iteration; with the mill, cyclone and flotation
rows analytic (issue #14) the blocks' share falls. Figures measured on the 2-core build
machine under load (load average ~9), main at b9c48e4 against levers-grind:

    plant               iterations  solve CPU s  block Jacobians s  LU s
    grinding_flotation  4 -> 6      0.25 -> 0.12  0.74 -> 0.02      0.06 -> 0.26
    refinery            8 -> 8      2.50 -> 2.09  3.39 -> 1.79      3.23 -> 3.54

(the concentrator's rows now couple each unit's flows through its energy, cut size and
residence-time unknowns, which adds fill to the LU of the small plant).
"""

from __future__ import annotations

import cProfile
import pstats
import time
from pathlib import Path

import polyflow

ROOT = Path(__file__).resolve().parents[1] / "flowsheets"


def measure(stem: str, repeats: int = 3) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(repeats):
        fs = polyflow.load(ROOT / f"{stem}.toml")
        prof = cProfile.Profile()
        prof.enable()
        t = time.process_time()
        result = fs.solve()
        cpu = time.process_time() - t
        prof.disable()
        stats = pstats.Stats(prof).stats
        jac = sum(v[3] for k, v in stats.items()
                  if k[2] == "jacobian" and k[0].endswith("blocks.py"))
        lu = sum(v[3] for k, v in stats.items() if "gstrf" in k[2])
        for key, value in (("solve_cpu_s", cpu), ("block_jacobians_s", jac), ("lu_s", lu)):
            best[key] = min(best.get(key, float("inf")), value)
        best["iterations"] = result.iterations
    return best


if __name__ == "__main__":
    for stem in ("grinding_flotation", "refinery"):
        print(stem, {k: round(v, 3) for k, v in measure(stem).items()})
