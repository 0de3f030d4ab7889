"""Design specifications solved inside the one Newton system.

A spec frees one input (``vary``, see :mod:`polyflow.solve.freed`) and adds one row that
holds a number of the result (``target``, see :mod:`polyflow.solve.measures`) at
``value``: the system stays square, and the solve is the same Newton on one more unknown
and one more row, never an outer loop (Westerberg, Hutchison, Motard & Winter, *Process
Flowsheeting*, Cambridge 1979, ch. 5: design specifications in equation-oriented
simulation). Before any number is computed, a spec whose target cannot depend on its input
is named: there must be a path in the plant's structure from the freed column to the
target's columns (:func:`check_reach`). After the solve, a spec whose input lands outside
its ``bounds`` is solved again with the input at the bound (status ``at_bound``).

In a flowsheet file::

    [specs.residue_copper]
    vary = "wash_water.flow"
    target = "recovery.Cu.residue"
    value = 0.03
    bounds = ["50 m3/h", "1000 m3/h"]

and on the command line ``--spec "residue_copper: vary=wash_water.flow,
target=recovery.Cu.residue, value=0.03, bounds=50 m3/h..1000 m3/h"``.

What happens after the solve (bounds, the continuation when the cold start fails, the
``specs`` section of the result) is in :mod:`polyflow.solve.spec_outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from polyflow.errors import (
    InputError,
    PolyflowError,
    SpecificationError,
)
from polyflow.io.spec_tables import Spec, parse_spec_option, prefixed_specs, read_specs
from polyflow.solve.freed import Freed, freed_parameter
from polyflow.solve.freed_unit import FreedUnit
from polyflow.solve.measures import Measure, measure
from polyflow.solve.system import ROW_INTERNAL, Block, EquationSystem

__all__ = [
    "SolvedSpec",
    "Spec",
    "SpecLayout",
    "attach_specs",
    "check_reach",
    "parse_spec_option",
    "prefixed_specs",
    "read_specs",
    "unit_builder",
]



@dataclass
class SolvedSpec:
    spec: Spec
    freed: Freed
    measure: Measure
    target: float                  # in the measure's own unit
    lower: float                   # user bounds [internal unit of the input]
    upper: float
    p_col: int = -1
    row: int = -1
    #: the value the target row holds now (the target, or a step of a continuation)
    goal: float = float("nan")

    def __post_init__(self) -> None:
        self.goal = self.target


@dataclass
class SpecLayout:
    """What :func:`attach_specs` added: one entry per spec, and the freed units."""

    specs: list[SolvedSpec]
    units: dict[str, FreedUnit] = field(default_factory=dict)
    n_plain: int = 0
    #: target rows hold their inputs at the start values instead (hold_then_release)
    hold: bool = False


def attach_specs(fs, asm, checked: bool = False):
    """Free each spec's input and add its target row to ``asm``'s system; returns
    ``(assembly, layout)``. Raises :class:`SpecificationError` naming a spec whose target
    does not depend on its input (before any number is computed). ``checked``: the
    structure was checked on a plant with the same pattern (a study's previous point,
    ``solve.driver.Reuse``), so the structural checks are skipped."""
    from polyflow.solve.structure import check_structure

    plain: EquationSystem = asm.system
    if not checked:
        check_structure(plain)
    solved = [_resolve(fs, asm, spec) for spec in fs.specs.values()]
    _check_unique(solved)
    b = plain.builder
    lower_plain = plain.lower.copy()
    ref_flow = _ref_flow(fs, plain)
    layout = SpecLayout(solved, n_plain=plain.n)
    by_unit: dict[str, list[SolvedSpec]] = {}
    for s in solved:
        by_unit.setdefault(s.freed.unit, []).append(s)
    for name, group in by_unit.items():
        lo = [s.freed.lower for s in group]
        up = [s.freed.upper for s in group]
        cols = b.new_internal([f"{name}.{s.freed.text.partition('.')[2]} (spec "
                               f"'{s.spec.name}')" for s in group],
                              [s.freed.p0 for s in group], lo, up)
        for s, c in zip(group, cols, strict=True):
            s.p_col = int(c)
        fu = FreedUnit(fs, asm, name, [s.freed for s in group], cols, ref_flow,
                       unit_builder(fs, name, [s.freed for s in group]))
        layout.units[name] = fu
    graph = influence_graph(plain) if solved and not checked else None
    for s in solved if not checked else ():
        check_reach(plain, s, layout.units[s.freed.unit], graph)
    for fu in layout.units.values():
        _drop_rows(b, fu.rows)
        b.blocks.append(fu.block())
    for s in solved:
        u = b.unit_names.index(s.freed.unit)
        s.row = int(b.new_rows(1, u, -1, ROW_INTERNAL)[0])
        b.row_text[s.row] = f"spec '{s.spec.name}': {s.spec.target} = {s.target:g}"
        b.blocks.append(_target_block(s, layout, fs))
    system = EquationSystem(b)
    # the freed units' flows stay as free as they were (an infeasible plant shows as a
    # negative flow, docs/solver.md); only the nonlinear units' flows are kept >= 0
    n_flows = system.n_streams * system.stride
    system.lower[:n_flows] = lower_plain[:n_flows]
    system.bounded = np.nonzero(np.isfinite(system.lower))[0]
    system.held = system.bounded[system.bounded >= n_flows]
    system.free_bounded = system.bounded[system.bounded < n_flows]
    return replace(asm, system=system), layout


def _resolve(fs, asm, spec: Spec) -> SolvedSpec:
    try:
        freed = freed_parameter(fs, spec.vary)
        m = measure(spec.target, asm.system, fs, asm)
        target = _target_value(m, spec.value)
        lo, hi = -np.inf, np.inf
        if spec.bounds is not None:
            lo, hi = (freed.parse(v, "bounds") for v in spec.bounds)
            if not lo < hi:
                raise InputError("bounds must be [lower, upper] with lower < upper",
                                 field="bounds", value=list(spec.bounds))
            # Newton starts from the file's value, moved inside the bounds
            freed = replace(freed, p0=min(max(freed.p0, lo), hi))
        _probe(fs, freed)
    except PolyflowError as err:
        raise spec.error(err) from None
    return SolvedSpec(spec, freed, m, target, lo, hi)


def _probe(fs, freed: Freed) -> None:
    """Refuse an input that cannot move continuously (a count of cells or stages)."""
    step = 1e-6 * max(abs(freed.p0), 1.0)
    p = freed.p0 + step if freed.p0 + step <= freed.upper else freed.p0 - step
    try:
        unit_builder(fs, freed.unit, [freed])([p])
    except PolyflowError as err:
        raise InputError(f"{freed.text} cannot be varied continuously: {err.message}",
                         field="vary", hint="a spec varies a real number; try other values "
                                            "of a count with --set") from None


def _target_value(m: Measure, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and m.dimension is not None:
        from polyflow.quantity import parse_quantity

        return parse_quantity(value, m.dimension) / m.factor
    raise InputError(f"value must be a number in {m.unit or 'the unit of ' + m.path}",
                     field="value", value=value)


def _check_unique(solved: list[SolvedSpec]) -> None:
    seen: dict[str, str] = {}
    for s in solved:
        key = s.freed.text
        if key in seen:
            raise s.spec.error(SpecificationError(
                f"{key} is varied by spec {seen[key]!r} already", field="vary",
                hint="each spec frees its own input"))
        seen[key] = s.spec.name
    targets: dict[str, str] = {}
    for s in solved:
        if s.spec.target in targets:
            raise s.spec.error(SpecificationError(
                f"the target {s.spec.target} is held by spec {targets[s.spec.target]!r} "
                "already", field="target", hint="two specs on one number fix it twice"))
        targets[s.spec.target] = s.spec.name


def _ref_flow(fs, system) -> float:
    """The plant feed flow the driver uses as the reference (same formula)."""
    feeds = [u.feed_flows() for u in fs.units.values() if u.role == "feed"]
    ref = np.max(np.abs(feeds), axis=0) if feeds else np.ones(system.S)
    return float(ref.sum()) or 1.0


def unit_builder(fs, name: str, freed: list[Freed]):
    """A function of the freed values returning the unit rebuilt at them (bound)."""
    from polyflow.io.feed_units import build_feed

    unit0 = fs.units[name]
    density = fs.options.get("density", {}).get("aq", 1000.0)

    def build(P):
        table = freed[0].table
        for f, p in zip(freed, P, strict=True):
            table = f.table_at(table, p)
        if freed[0].is_feed_table:
            unit = build_feed(fs.species, name, table, density)
        else:
            unit = type(unit0)(name, **table)
        unit.area = unit0.area
        unit.bind(fs.species)
        return unit

    return build


def _drop_rows(b, rows: np.ndarray) -> None:
    """Remove the equations the builder holds for ``rows`` (a unit's; the rows and their
    labels stay, filled by the freed unit's block)."""
    if len(rows):
        b.drop_rows(int(rows[0]), int(rows[-1]) + 1)


def _target_block(s: SolvedSpec, layout: SpecLayout, fs) -> Block:
    """The row ``target(x) = value`` (linear forms written without division; see
    :mod:`polyflow.solve.measures`); in the first iteration ``p = p0``."""
    m = s.measure
    cols = np.concatenate([m.cols, [s.p_col]])
    k = len(m.cols)
    p0 = s.freed.p0
    start_jac = np.zeros((1, k + 1))
    start_jac[0, k] = 1.0

    def start(x):
        return np.array([x[k] - p0]), np.array([abs(x[k]) + abs(p0)])

    if m.func is None:
        den = m.den

        def jac_row(x):
            a = m.num - (s.goal * den if den is not None else 0.0)
            return np.concatenate([a, [0.0]])[None, :]

        def func(x):
            n, v = x[:k], s.goal
            top = m.num @ n
            if den is None:
                return np.array([top - v]), np.array([abs(m.num) @ abs(n) + abs(v)])
            return (np.array([top - v * (den @ n)]),
                    np.array([abs(m.num) @ abs(n) + abs(v) * (abs(den) @ abs(n))]))

        return Block(np.array([s.row]), cols, *_holding(layout, func, jac_row,
                                                        start, lambda x: start_jac),
                     start=(start, lambda x: start_jac))
    fu = layout.units.get(m.reads_unit) if m.reads_unit else None

    def general(x):
        if fu is not None and m.report is not None:
            P = list(_p_values(fu, x, cols))
            value = m.report(x[:k], fu.unit_at(P))
        else:
            value = m.value(x[:k])
        return np.array([value - s.goal]), np.array([abs(value) + abs(s.goal)])

    if fu is not None:          # the report reads the freed unit at the current inputs
        cols = np.concatenate([m.cols, fu.p_cols])
    def held(x):
        return start(_start_x(x, cols, s.p_col, k))

    return Block(np.array([s.row]), cols, *_holding(layout, general, None, held, None),
                 start=(held, lambda x: _start_jac(cols, s.p_col)))


def _holding(layout: SpecLayout, func, jac, start, start_jac):
    """(func, jac) of a target row that holds its input at the start value while
    ``layout.hold`` (see :func:`hold_then_release`); ``jac`` None: differences of func."""
    def f(x):
        return (start if layout.hold else func)(x)

    if jac is None:
        return f, None
    return f, lambda x: (start_jac if layout.hold else jac)(x)


def _p_values(fu: FreedUnit, x: np.ndarray, cols: np.ndarray) -> list[float]:
    return [float(x[np.nonzero(cols == c)[0][0]]) for c in fu.p_cols]


def _start_x(x, cols, p_col, k):
    y = np.zeros(k + 1)
    y[k] = x[np.nonzero(cols == p_col)[0][0]]
    return y


def _start_jac(cols, p_col):
    J = np.zeros((1, len(cols)))
    J[0, np.nonzero(cols == p_col)[0][0]] = 1.0
    return J


# -- structure ----------------------------------------------------------------------------
def influence_graph(plain: EquationSystem) -> tuple[sp.csr_matrix, np.ndarray]:
    """(graph, matching) of the plain plant for :func:`check_reach`: an edge from unknown
    ``c`` to the unknown matched to each row that holds ``c``, plus one spare node."""
    from polyflow.solve.structure import matching

    match = matching(plain)      # the structural check's (kept on the system)
    coo = plain.pattern().tocoo()
    graph = sp.csr_matrix((np.ones(len(coo.row)), (coo.col, match[coo.row])),
                          shape=(plain.n + 1, plain.n + 1))
    return graph, match


def check_reach(plain: EquationSystem, s: SolvedSpec, fu: FreedUnit,
                graph: tuple[sp.csr_matrix, np.ndarray] | None = None) -> None:
    """Name a spec whose target cannot move with its input.

    With a perfect matching of the plain plant's rows to its unknowns, unknown ``c``
    influences unknown ``d`` when a row that holds ``c`` is matched to ``d``; the target
    depends on the input when such a path leads from the rows the input enters to a
    column the target reads (the structural non-zeros of ``J⁻¹ ∂F/∂p``; Duff, Erisman &
    Reid, *Direct Methods for Sparse Matrices*, 2nd ed. 2017, ch. 9). A target that reads
    the varied unit's own report depends on it directly."""
    j = [f.text for f in fu.freed].index(s.freed.text)
    if s.measure.reads_unit == s.freed.unit:
        return
    rows = fu.rows[fu.depends[j]]
    if not len(rows):
        raise s.spec.error(SpecificationError(
            f"{s.spec.vary} does not enter any equation of the plant (it changes only what "
            f"'{s.freed.unit}' reports), so no value of it can move {s.spec.target}",
            field="vary", hint="vary an input that the balance uses"))
    graph, match = graph or influence_graph(plain)
    start = plain.n          # a node for p: p -> the unknowns its rows are matched to
    extra = sp.csr_matrix((np.ones(len(rows)), (np.full(len(rows), start), match[rows])),
                          shape=graph.shape)
    reached = breadth_first_order(graph + extra, start, return_predecessors=False)
    if not np.isin(s.measure.cols, reached).any():
        raise s.spec.error(SpecificationError(
            f"the target {s.spec.target} does not depend on {s.spec.vary}: no chain of "
            f"equations leads from '{s.freed.unit}' to it (checked on the plant's structure, "
            "before solving)", field="target",
            hint="vary an input upstream of the target (or in a recycle that reaches it)"))
