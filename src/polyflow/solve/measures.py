"""Measures: numbers of the result as functions of the unknowns ``x``, with their Jacobian.

A spec's target (``solve/specs.py``) is one of these, named by the dotted path of the
number in the JSON result (``docs/json-output.md``), plus a few stream-table quantities:

====================================  ====================================  ===============
path                                  value                                 unit (bare no.)
====================================  ====================================  ===============
``streams.S.T_K``                     temperature of stream S               K
``streams.S.temperature``             the same                              K
``streams.S.mass_kg_h.SPECIES``       mass flow of a species (all sizes)    kg/h
``streams.S.elements_kg_h.E``         mass flow of element E                kg/h
``streams.S.g_L.X``                   element or species X in the solution  g/L
``streams.S.solids_%``                solids / (solids + solution + liquid)  %
``streams.S.p80_um``, ``p50_um``      passing sizes of the sized solids     µm
``streams.S.pH``                      pH of stream S (activity scale)       (none)
``streams.S.ionic_strength_mol_kg``   ionic strength of stream S            mol/kg water
``recovery.E.PRODUCT``                element E to a product / E fed         fraction
``energy.UNIT.KEY``                   power_kW, duty_kW or a report value   the key's unit
====================================  ====================================  ===============

Most targets are ratios of two linear forms of the flows (a concentration, a recovery,
% solids); they are written as the *linear* row ``a·x − v·(b·x) = 0`` rather than
``a·x/b·x = v``, so that the target row is as linear as the balance itself and defined at
zero flow. Passing sizes and unit reports are general functions, differentiated by central
differences over their few columns. A pH or ionic-strength target reads the stream's
own speciation unknowns (polyflow.solve.aqueous_rows: pH = −log10 a(H+), on the activity
scale), a linear form whose row is exact; the speciation rows in the same system carry
its dependence on the flows and temperature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.errors import InputError, did_you_mean
from polyflow.io.spec_tables import split_path

__all__ = ["Measure", "measure", "split_path"]

#: report keys: suffix -> (dimension of a value with units, internal units per key unit)
REPORT_SUFFIXES = (("_kW", "power", 1.0), ("_kWh/t", "specific_energy", 1.0),
                   ("_kg/h", "mass_flow", 1.0), ("_kg_h", "mass_flow", 1.0),
                   ("_g/L", "concentration", 1.0), ("_g_L", "concentration", 1.0),
                   ("_%", "fraction", 0.01), ("_pct", "fraction", 0.01),
                   ("_kA", "current", 1000.0), ("_V", "voltage", 1.0),
                   ("_m3_h", "volume_flow", 1.0), ("_h", "time", 1.0))
STREAM_FIELDS = ("T_K", "temperature", "mass_kg_h", "elements_kg_h", "g_L", "solids_%",
                 "p80_um", "p50_um", "pH", "ionic_strength_mol_kg")
TOP = ("streams", "recovery", "energy")


@dataclass
class Measure:
    """One number of the result on the unknowns ``cols``.

    Either a ratio of linear forms ``num·x[cols] / den·x[cols]`` (``den`` None: the
    linear form itself), or a general ``func(x[cols])``. The value is in the path's own
    unit (``unit``); ``dimension`` and ``factor`` (internal units per path unit) read a
    target given with units of measure."""

    path: str
    unit: str
    dimension: str | None
    factor: float
    cols: np.ndarray
    num: np.ndarray | None = None
    den: np.ndarray | None = None
    func: Callable[[np.ndarray], float] | None = None
    #: the unit whose report this measure reads (rebuilt when a spec varies it)
    reads_unit: str | None = None
    #: functions of (xloc, unit) for report measures: set by :func:`measure`
    report: Callable | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.num is not None:     # keep the columns the forms read (the structure check
            keep = self.num != 0     # asks whether any of them moves with the input)
            if self.den is not None:
                keep |= self.den != 0
            self.cols, self.num = self.cols[keep], self.num[keep]
            if self.den is not None:
                self.den = self.den[keep]

    def value(self, xloc: np.ndarray) -> float:
        if self.func is not None:
            return float(self.func(xloc))
        top = float(self.num @ xloc)
        if self.den is None:
            return top
        bottom = float(self.den @ xloc)
        return top / bottom if bottom != 0.0 else float("nan")


def measure(path: str, system, fs, asm) -> Measure:
    """The :class:`Measure` at ``path`` of the assembled plant (see the module table).

    Raises :class:`InputError` naming the part of the path that is wrong, with the names
    that would be right."""
    parts = split_path(path)
    if not parts or parts[0] not in TOP:
        raise InputError(f"target {path!r}: a target starts with streams, recovery or energy",
                         field="target", hint=did_you_mean(parts[0] if parts else "", TOP))
    kind = parts[0]
    if kind == "streams":
        return _stream_measure(path, parts, system, fs, asm)
    if kind == "recovery":
        return _recovery_measure(path, parts, system, fs, asm)
    return _report_measure(path, parts, system, fs, asm)


def _need(path: str, parts: list[str], n: int, form: str) -> None:
    if len(parts) != n:
        raise InputError(f"target {path!r} must read {form}", field="target")


def _stream_index(path: str, name: str, asm) -> int:
    if name not in asm.stream_index:
        raise InputError(f"target {path!r}: no stream {name!r}", field="target",
                         hint=did_you_mean(name, asm.stream_index))
    return asm.stream_index[name]


def _element_weights(species, element: str) -> np.ndarray:
    """kg of ``element`` per kmol of each species."""
    e = species.elements.index(element)
    return species.element_matrix[e] * atomic_weight(element)


def _what(path: str, species, key: str, phase: str | None = None) -> np.ndarray:
    """kg per kmol of each component of element or species ``key`` (an element symbol
    means the element, as in feed grades)."""
    if key in species.elements:
        w = _element_weights(species, key)
    else:
        try:
            comps = species.components(key)
        except Exception:
            raise InputError(f"target {path!r}: {key!r} is neither an element nor a species "
                             f"of the plant", field="target",
                             hint=did_you_mean(key, [*species.elements,
                                                     *species.base_ids])) from None
        w = np.zeros(len(species))
        w[comps] = species.mw[comps]
    if phase is not None:
        w = w * species.mask(phase)
    return w


def _stream_measure(path, parts, system, fs, asm) -> Measure:
    if len(parts) < 3:
        raise InputError(f"target {path!r} must read streams.NAME.FIELD", field="target",
                         hint="fields: " + ", ".join(STREAM_FIELDS))
    s = _stream_index(path, parts[1], asm)
    what = parts[2]
    sp = system.species
    S = system.S
    flows = np.arange(s * system.stride, s * system.stride + S)
    if what in ("T_K", "temperature"):
        _need(path, parts, 3, f"streams.{parts[1]}.{what}")
        return Measure(path, "K", "temperature", 1.0, np.array([flows[-1] + 1]),
                       num=np.ones(1))
    if what in ("pH", "ionic_strength_mol_kg"):
        _need(path, parts, 3, f"streams.{parts[1]}.{what}")
        aq = getattr(system, "aqueous", None)
        if aq is None:
            raise InputError(f"target {path!r}: the plant has no speciation (no H2O in "
                             "its species, or options.speciation = false)", field="target",
                             hint=f"target the free acid instead: streams.{parts[1]}.g_L."
                                  "H2SO4")
        # the stream's own speciation unknowns: pH = -log10 a(H+), I; linear forms, so
        # the target row's derivative is exact (the speciation rows carry the rest)
        if what == "pH":
            return Measure(path, "", None, 1.0, np.array([aq.cols[s, 0]]),
                           num=-np.ones(1))
        return Measure(path, "mol/kg", None, 1.0, np.array([aq.cols[s, aq.K]]),
                       num=np.ones(1))
    if what in ("mass_kg_h", "elements_kg_h", "g_L"):
        _need(path, parts, 4, f"streams.{parts[1]}.{what}.NAME")
        if what == "elements_kg_h" and parts[3] not in sp.elements:
            raise InputError(f"target {path!r}: no element {parts[3]!r} in the plant",
                             field="target", hint=did_you_mean(parts[3], sp.elements))
        if what == "g_L":
            rho = fs.options.get("density", {}).get("aq", 1000.0)
            return Measure(path, "g/L", "concentration", 1.0, flows,
                           num=_what(path, sp, parts[3], "aq"),
                           den=sp.mw * sp.mask("aq") / rho)
        return Measure(path, "kg/h", "mass_flow", 1.0, flows,
                       num=_what(path, sp, parts[3]))
    if what == "solids_%":
        _need(path, parts, 3, f"streams.{parts[1]}.solids_%")
        return Measure(path, "%", "fraction", 0.01, flows, num=100.0 * sp.mw * sp.mask("s"),
                       den=sp.mw * sp.mask(("s", "aq", "l")))
    if what in ("p80_um", "p50_um"):
        _need(path, parts, 3, f"streams.{parts[1]}.{what}")
        if getattr(sp, "size_classes", None) is None:
            raise InputError(f"target {path!r}: this flowsheet has no particle sizes",
                             field="target")
        from polyflow.psd import class_mass, percentile_size

        q = 0.8 if what == "p80_um" else 0.5
        return Measure(path, "um", "length", 1e-6, flows, func=lambda n: 1e6 * percentile_size(
            sp.size_classes, class_mass(sp, n), q))
    raise InputError(f"target {path!r}: streams have no field {what!r}", field="target",
                     hint=did_you_mean(what, STREAM_FIELDS))


def _recovery_measure(path, parts, system, fs, asm) -> Measure:
    _need(path, parts, 3, "recovery.ELEMENT.PRODUCT")
    sp = system.species
    element, product = parts[1], parts[2]
    if element not in sp.elements:
        raise InputError(f"target {path!r}: no element {element!r} in the plant",
                         field="target", hint=did_you_mean(element, sp.elements))
    units = fs.units
    products = {s.dst: asm.stream_index[s.name] for s in asm.streams
                if units[s.dst].role == "product"}
    if product not in products:
        raise InputError(f"target {path!r}: no product {product!r}", field="target",
                         hint=did_you_mean(product, products))
    feeds = [asm.stream_index[s.name] for s in asm.streams if units[s.src].role == "feed"]
    streams = [products[product], *feeds]
    cols = np.concatenate([np.arange(k * system.stride, k * system.stride + system.S)
                           for k in streams])
    w = _element_weights(sp, element)
    num = np.concatenate([w, np.zeros(len(feeds) * system.S)])
    den = np.concatenate([np.zeros(system.S), np.tile(w, len(feeds))])
    return Measure(path, "", "fraction", 1.0, cols, num=num, den=den)


def _report_measure(path, parts, system, fs, asm) -> Measure:
    _need(path, parts, 3, "energy.UNIT.KEY")
    name, key = parts[1], parts[2]
    process = [n for n, u in fs.units.items() if u.role == "process"]
    if name not in process:
        raise InputError(f"target {path!r}: no process unit {name!r}", field="target",
                         hint=did_you_mean(name, process))
    inlets, outlets = asm.ports[name]
    streams = sorted({*[s for ss in inlets.values() for s in ss], *outlets.values()})
    stride = system.stride
    stream_cols = np.concatenate([np.arange(k * stride, (k + 1) * stride) for k in streams])
    internal = np.asarray(asm.internal[name], dtype=int)
    cols = np.concatenate([stream_cols, internal])
    where = {k: i * stride for i, k in enumerate(streams)}
    S, n_stream = system.S, len(stream_cols)
    dimension, factor, unit_text = None, 1.0, ""
    if key in ("power_kW", "duty_kW"):
        dimension, unit_text = "power", "kW"
    else:
        for suffix, dim, f in REPORT_SUFFIXES:
            if key.endswith(suffix):
                dimension, factor, unit_text = dim, f, suffix[1:]
                break

    def solution(xloc):
        from polyflow.solve.solution import UnitSolution

        def at(k):
            i = where[k]
            return xloc[i:i + S], float(xloc[i + S])

        return UnitSolution(system.species, {p: [at(k) for k in ss] for p, ss in inlets.items()},
                            {p: at(k) for p, k in outlets.items()}, xloc[n_stream:])

    def report(xloc, unit):
        sol = solution(xloc)
        if key == "power_kW":
            return float(unit.power_kW(sol))
        if key == "duty_kW":
            return sol.H_out() - sol.H_in() - float(unit.power_kW(sol))
        from polyflow.records import result_key
        from polyflow.units.base import result_declaration

        values = {}
        for n, v in unit.report(sol).items():     # keyed as the JSON document keys them
            decl = result_declaration(type(unit), n)
            values[result_key(n, decl.unit if decl is not None else "")] = v
        if key not in values:
            raise InputError(f"target {path!r}: unit {name!r} reports no {key!r}",
                             field="target",
                             hint=did_you_mean(key, ["power_kW", "duty_kW", *values]))
        return float(values[key])

    unit = fs.units[name]
    # a key the unit does not report is named when the report is first read with flows
    # (a unit may report some keys only with flow, so none is refused here)
    return Measure(path, unit_text, dimension, factor, cols,
                   func=lambda xloc: report(xloc, unit), reads_unit=name, report=report)
