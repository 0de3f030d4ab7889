"""Speed of the aqueous speciation rows (not a test: run it, read the figures).

    python benchmarks/speciation.py

200 copper-plant liquors (15 masters incl. H+: sulphate, Cu, Fe(II), Fe(III), Na, K, Cl,
Ca, Mg, Al, Mn, Zn, F, carbonate; 111 aqueous species of phreeqc.dat; gypsum as a
complementarity row) at 10–70 °C: the time of one call of
:func:`polyflow.chem.speciation.residuals` (rows, ∂/∂x, ∂/∂T for all 200 at once; the
best of 50 calls, so that other load on the machine does not count), and of a cold-start
:func:`polyflow.chem.speciate.speciate` of all 200. Target of the task: residual and
Jacobian of 200 solutions × ~15 masters well under 5 ms.
"""

from __future__ import annotations

import time

import numpy as np

from polyflow.chem.equilibria import load_equilibria
from polyflow.chem.speciate import speciate
from polyflow.chem.speciation import aqueous_system, residuals

MASTERS = ["SO4-2", "Cu+2", "Fe+2", "Fe+3", "Na+", "K+", "Cl-", "Ca+2", "Mg+2", "Al+3",
           "Mn+2", "Zn+2", "F-", "CO3-2"]


def liquors(sys, n: int = 200, seed: int = 1):
    rng = np.random.default_rng(seed)
    t = np.zeros((n, len(sys.masters)))
    t[:, 1:] = 10 ** rng.uniform(-4, -1.5, (n, len(sys.masters) - 1))
    zk = np.array([sys.z[sys.index(m)] for m in sys.masters])
    k = sys.masters.index("SO4-2")
    t[:, k] = 0.0
    t[:, k] = np.maximum((10 ** rng.uniform(-3, -0.5, n) + t[:, 1:] @ zk[1:]) / 2,
                         10 ** rng.uniform(-4, -2, n))   # an acid excess, or some sulphate
    return t, rng.uniform(283, 343, n)


def main() -> None:
    sys = aqueous_system(load_equilibria("phreeqc"), MASTERS, minerals=["Gypsum"])
    t, T = liquors(sys)
    t0 = time.perf_counter()
    sol = speciate(sys, t, T)
    cold = time.perf_counter() - t0
    best = np.inf
    for _ in range(50):
        t0 = time.perf_counter()
        residuals(sys, sol.x, t, T)
        best = min(best, time.perf_counter() - t0)
    print(f"{len(T)} solutions, {len(sys.masters)} masters, {len(sys.species)} species, "
          f"{sys.n_unknowns} unknowns each")
    print(f"residuals + Jacobians (x, T), one call: {best * 1e3:.2f} ms (best of 50)")
    print(f"speciate from a cold start: {cold * 1e3:.0f} ms, {sol.iterations} iterations, "
          f"all converged: {bool(sol.converged.all())}")


if __name__ == "__main__":
    main()
