"""Start-up and the phases of one run (not a test: run it, read the figures; issue #19).

    python benchmarks/startup.py [--src PATH] [--repeat N]

Each figure is the median of N fresh interpreters (default 7):

* ``python -c "import click"``: the floor any click command line pays;
* ``polyflow --help`` (what the console script runs): start-up as a user sees it;
* ``polyflow run flowsheets/refinery.toml`` in phases, as the command runs them: import
  (``polyflow.cli``, then the reader and the report), load (read, validate, build the
  units), solve (of which: build = assemble the system and attach the specs, Newton,
  record; and Newton's iterations and LU factorisations), economics, the products table
  (``polyflow.effluent.products``, which the text report prints), report (the text, with
  the products table again: it is not cached).

``--cpu`` reports CPU time (user + system) instead of wall time, the figure to compare on
a machine that others share. ``--src`` times another checkout's ``src`` folder (e.g. an
exported older commit) with this interpreter, for before/after figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PHASES = r"""
import json, time
clock = time.CLOCK
t0 = clock()
import polyflow.cli
t_cli = clock()
from polyflow.io.reader import load
from polyflow.report import render
t1 = clock()
fs = load(FILE)
t2 = clock()
from polyflow.solve.driver import solve
try:
    from polyflow.solve.driver import Reuse      # to read the count of factorisations
except ImportError:                              # an older checkout (--src)
    Reuse = None
reuse = Reuse() if Reuse else None
result = solve(fs, reuse=reuse) if reuse else solve(fs)
t3 = clock()
from polyflow.economics import economics_of
economics = economics_of(FILE, result, {})
t4 = clock()
from polyflow.effluent.products import products
products(result)
t5 = clock()
text = render(result, "text", economics)
t6 = clock()
# the solve's build again, alone, on the same clock: assemble, specs, structural check
from polyflow.solve.assemble import assemble
from polyflow.solve.specs import attach_specs
from polyflow.solve.structure import check_structure
t7 = clock()
asm = assemble(fs)
asm = attach_specs(fs, asm)[0] if fs.specs else asm
check_structure(asm.system)
t8 = clock()
print(json.dumps({"import cli": t_cli - t0, "import": t1 - t0, "load": t2 - t1,
                  "solve": t3 - t2, "build": t8 - t7, "newton+record": t3 - t2 - (t8 - t7),
                  "economics": t4 - t3, "products": t5 - t4, "report": t6 - t5,
                  "total": t6 - t0,
                  "iterations": result.iterations, "LU": reuse.factorisations if reuse else -1}))
"""


def _child(args: list[str], env: dict, cpu: bool) -> float:
    """Wall time of a child process, or its CPU time (user + system) with ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) if cpu \
        else wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cpu", action="store_true",
                        help="CPU time (user + system) instead of wall time: the figure a "
                             "quiet machine's wall clock shows, on a machine shared by "
                             "others")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    py = sys.executable
    refinery = str(ROOT / "flowsheets" / "refinery.toml")
    bare = [_child([py, "-c", "import click"], env, args.cpu) for _ in range(args.repeat)]
    script = ("try:\n    from polyflow.__main__ import main\n"      # the console script
              "except ImportError:\n    from polyflow.cli import main\nmain()")  # before it
    helps = [_child([py, "-c", script, "--help"], env, args.cpu) for _ in range(args.repeat)]
    runs = []
    for _ in range(args.repeat):
        code = PHASES.replace("FILE", repr(refinery)).replace(
            "time.CLOCK", "time.process_time" if args.cpu else "time.perf_counter")
        out = subprocess.run([py, "-c", code], env=env,
                             check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"source: {args.src}; {'CPU' if args.cpu else 'wall'} time, median of "
          f"{args.repeat} fresh interpreters; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  python -c 'import click'   {statistics.median(bare):6.3f} s")
    print(f"  polyflow --help            {statistics.median(helps):6.3f} s")
    counts = ("iterations", "LU")
    print("  polyflow run refinery.toml: " + ", ".join(
        f"{k} {statistics.median(r[k] for r in runs):.3f} s" for k in runs[0]
        if k not in counts))
    print("    (build and newton+record are parts of solve; products is also inside report; "
          "Newton: " + ", ".join(f"{statistics.median(r[k] for r in runs):g} {k}"
                                 for k in counts) + ")")


if __name__ == "__main__":
    main()
