"""Start-up and the phases of one run (not a test: run it, read the figures; issue #19).

    python benchmarks/startup.py [--src PATH] [--repeat N]

Each figure is the median of N fresh interpreters (default 7):

* ``python -c "import click"``: the floor any click command line pays;
* ``polyflow --help`` (what the console script runs): start-up as a user sees it;
* ``polyflow run flowsheets/refinery.toml`` in phases: import (``polyflow.cli``, then the
  reader and the report), load (read, validate, build the units), solve, report (text).

``--src`` times another checkout's ``src`` folder (e.g. an exported older commit) with
this interpreter, for before/after figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PHASES = r"""
import json, time
t0 = time.perf_counter()
import polyflow.cli
t_cli = time.perf_counter()
from polyflow.io.reader import load
from polyflow.report import render
t1 = time.perf_counter()
fs = load(FILE)
t2 = time.perf_counter()
result = fs.solve()
t3 = time.perf_counter()
text = render(result, "text")
t4 = time.perf_counter()
print(json.dumps({"import cli": t_cli - t0, "import": t1 - t0, "load": t2 - t1,
                  "solve": t3 - t2, "report": t4 - t3, "total": t4 - t0}))
"""


def _wall(args: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    py = sys.executable
    refinery = str(ROOT / "flowsheets" / "refinery.toml")
    bare = [_wall([py, "-c", "import click"], env) for _ in range(args.repeat)]
    script = "from polyflow.__main__ import main; main()"     # as the console script does
    helps = [_wall([py, "-c", script, "--help"], env) for _ in range(args.repeat)]
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([py, "-c", PHASES.replace("FILE", repr(refinery))], env=env,
                             check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"source: {args.src}; median of {args.repeat} fresh interpreters; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  python -c 'import click'   {statistics.median(bare):6.3f} s")
    print(f"  polyflow --help            {statistics.median(helps):6.3f} s")
    print("  polyflow run refinery.toml: " + ", ".join(
        f"{k} {statistics.median(r[k] for r in runs):.3f} s" for k in runs[0]))


if __name__ == "__main__":
    main()
