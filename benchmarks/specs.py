"""What a design specification costs (not a test: run it, read the figures).

    python benchmarks/specs.py

For each case: Newton iterations and wall time of the plain run (the varied input at its
solved value, given with ``--set``), and of the run with the spec(s) solved in the one
system. A spec should cost at most a few Newton iterations more, never an outer loop
(issue #13). The shipped plants' own specs are timed against the plant with them removed
(inputs as written in the file) and against the plant with the inputs ``--set`` to the
solved values.
"""

from __future__ import annotations

import time
from pathlib import Path

import polyflow
from polyflow.solve.specs import Spec

ROOT = Path(__file__).resolve().parents[1] / "flowsheets"

CASES = [
    ("copper_oxide_leach", [Spec("w", "process_water.flow", "streams.pls.g_L.Cu", "15 g/L")]),
    ("copper_oxide_leach", [Spec("g", "ore.grades.Cu",
                                 "streams.cathode_copper.elements_kg_h.Cu", "2 t/h")]),
    ("copper_sx_ew", None),          # the plant's own specs (and its lime dose)
    ("copper_sx_ew", [Spec("p", "ew.current_density", "energy.ew.power_kW", "5 MW")]),
    ("gold_cil", [Spec("cn", "cyanide.flows.NaCN", "streams.preleach_discharge.g_L.NaCN",
                       "0.2 g/L")]),
    ("gold_cil", [Spec("p80", "cyclones.d50c", "streams.cyclone_overflow.p80_um", 70.0)]),
    ("refinery", None),
    # the other shipped plants, with their own specs (none but gold_cil's cyanide)
    ("antimony_alkaline", None),
    ("copper_oxide_leach", None),
    ("copper_oxide_leach_hot_acid", None),
    ("gold_cil", None),
    ("grinding_flotation", None),
    ("ree_separation", None),
    ("tungsten_apt", None),
]


def _solved_feed(fs, spec: Spec) -> bool:
    """A spec read from a ``lime_dose`` or ``water_makeup`` feed (io/solved_feed_specs)."""
    unit = fs.units.get(spec.name)
    return unit is not None and unit.role == "feed" and \
        spec.vary.startswith(f"{spec.name}.flows.")


def timed(make, repeats: int = 3):
    """(result, the least wall time of ``repeats`` solves of a fresh ``make()``)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        fs = make()
        t0 = time.perf_counter()
        result = fs.solve()
        best = min(best, time.perf_counter() - t0)
    return result, best


def main() -> None:
    print(f"{'plant':<20} {'spec(s)':<42} {'plain it':>8} {'plain s':>8} {'spec it':>8} "
          f"{'spec s':>7} {'--set it':>8}")
    for plant, specs in CASES:
        path = ROOT / f"{plant}.toml"
        def with_specs_fs(path=path, specs=specs):
            fs = polyflow.load(path)
            if specs is not None:
                fs.specs = {k: s for k, s in fs.specs.items() if _solved_feed(fs, s)}
                fs.specs.update({s.name: s for s in specs})
            return fs

        def plain_fs(path=path):
            fs = polyflow.load(path)
            # the file's [specs] removed; its solved feeds (lime_dose, water_makeup: read
            # as a feed and a spec named after it) stay, as they were before they were specs
            fs.specs = {k: s for k, s in fs.specs.items() if _solved_feed(fs, s)}
            return fs

        names = ", ".join(f"{s.vary}->{s.target}" for s in with_specs_fs().specs.values())
        try:
            with_specs, t_spec = timed(with_specs_fs)
        except polyflow.errors.PolyflowError as err:
            print(f"{plant:<20} {names[:42]:<42} failed: {str(err).splitlines()[0][:60]}")
            continue
        plain, t_plain = timed(plain_fs)
        sets = {d["vary"]: d["value"] for d in with_specs.specs.values()}
        at_value = polyflow.load(path, sets).solve()
        print(f"{plant:<20} {names[:42]:<42} {plain.iterations:>8} {t_plain:>8.3f} "
              f"{with_specs.iterations:>8} {t_spec:>7.3f} {at_value.iterations:>8}")


if __name__ == "__main__":
    main()
