"""The flowsheet: a networkx MultiDiGraph of unit operations joined by named streams.

Nodes are unit names with the unit object as node data (``graph.nodes[name]["unit"]``);
edges are streams, keyed by stream name, with their ports as edge data. Algorithms are
functions of the flowsheet (:func:`polyflow.solve.assemble`, :func:`polyflow.solve.check`,
:func:`polyflow.solve.solve`), following networkx; the methods of the same names are
conveniences that call them.

>>> from polyflow.units import Feed, Mixer, Product
>>> fs = Flowsheet(["H2O", "CuSO4"], name="two feeds")
>>> _ = fs.add(Feed("water", flows_kg_h={"H2O": 1000.0}, temperature="20 degC"))
>>> _ = fs.add(Feed("pls", flows_kg_h={"H2O": 1000.0}, temperature="60 degC"))
>>> _ = fs.add(Mixer("tank"))
>>> _ = fs.add(Product("out"))
>>> fs.connect("w", "water", "tank")
>>> fs.connect("p", "pls", "tank")
>>> fs.connect("mixed", "tank", "out")
>>> result = fs.solve()
>>> result.converged, round(result.temperature_C("mixed"), 2)
(True, 40.0)
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from polyflow.chem.species import SpeciesSet, load_database
from polyflow.errors import FlowsheetError, InputError, PolyflowError, did_you_mean
from polyflow.units.base import Unit

if TYPE_CHECKING:
    from polyflow.result import Result
    from polyflow.solve.assemble import Assembly

__all__ = ["Flowsheet", "StreamSpec"]


@dataclass(frozen=True)
class StreamSpec:
    """One stream: from ``src.src_port`` to ``dst.dst_port``."""

    name: str
    src: str
    src_port: str
    dst: str
    dst_port: str


class Flowsheet:
    """A plant: species set, units and streams. Build it in code or with
    :func:`polyflow.load`; call :meth:`solve` for a :class:`~polyflow.result.Result`."""

    def __init__(self, species: SpeciesSet | Sequence[str], name: str = "",
                 source: str | Path | None = None, options: dict | None = None) -> None:
        self.species = species if isinstance(species, SpeciesSet) else \
            load_database().subset(list(species))
        self.name = name
        self.source = str(source) if source else None
        self.graph = nx.MultiDiGraph()
        #: "unit:NAME", "unit:NAME:FIELD", "stream:NAME" -> (file, line) where it is written
        self.where: dict[str, tuple[str, int]] = {}
        self.options = dict(options or {})
        #: design specifications by name (polyflow.solve.specs.Spec)
        self.specs: dict = {}
        #: feed tables as written in the file, after overrides (what a spec varies)
        self.tables: dict = {}
        self._streams: dict[str, StreamSpec] = {}
        self._from: dict[tuple[str, str], str] = {}         # (unit, outlet) -> stream
        self._into: dict[tuple[str, str], list[str]] = {}   # (unit, inlet) -> streams

    # -- building ---------------------------------------------------------------------
    @property
    def units(self) -> dict[str, Unit]:
        return {n: d["unit"] for n, d in self.graph.nodes(data=True)}

    @property
    def streams(self) -> list[StreamSpec]:
        return list(self._streams.values())

    def unit(self, name: str) -> Unit:
        if name not in self.graph:
            raise self._err(FlowsheetError(f"no unit named {name!r}",
                                           hint=did_you_mean(name, self.graph.nodes)))
        return self.graph.nodes[name]["unit"]

    def set(self, path: str, value: Any) -> None:
        """Change one input, as ``--set PATH=VALUE`` does on the command line: ``path``
        is ``UNIT.FIELD`` or ``UNIT.FIELD.KEY`` inside a table (a feed's ``flows``,
        ``grades`` or ``solids``), ``value`` as a flowsheet file writes it, with its units.
        The unit is rebuilt from its table with the new value, so a wrong value is refused
        here with the unit, field and what is accepted, and nothing changes.

        >>> import polyflow
        >>> fs = polyflow.load("flowsheets/copper_sx_ew.toml")      # doctest: +SKIP
        >>> fs.set("leach.temperature", "45 degC")                  # doctest: +SKIP
        >>> fs.set("ore.grades.Cu", "1.4 %")                        # doctest: +SKIP
        """
        from polyflow.io.feed_units import build_feed

        name, _, rest = path.partition(".")
        unit = self.unit(name)
        if not rest:
            raise InputError(f"set {path!r}: write UNIT.FIELD (or UNIT.FIELD.KEY)",
                             unit=name, hint="fields: " + ", ".join(unit.params))
        is_feed = name in self.tables
        table = copy.deepcopy(dict(self.tables[name] if is_feed else unit.raw))
        node = table
        keys = rest.split(".")
        for key in keys[:-1]:
            inner = node.get(key, {})
            if not isinstance(inner, Mapping):
                raise InputError(f"set {path!r}: {key!r} of {name!r} is not a table",
                                 unit=name, field=key)
            node[key] = dict(inner)
            node = node[key]
        node[keys[-1]] = value
        if is_feed:
            new = build_feed(self.species, name, table,
                             self.options.get("density", {}).get("aq", 1000.0))
        else:
            new = type(unit)(name, **table)
        new.area = unit.area
        new.bind(self.species)
        self.graph.nodes[name]["unit"] = new
        if is_feed:
            self.tables[name] = table
        if getattr(self, "provenance", None):   # the outputs record it as a --set
            self.provenance["overrides"][path] = value

    def add(self, unit: Unit) -> Unit:
        if unit.name in self.graph:
            raise self._err(FlowsheetError(f"a unit named {unit.name!r} exists already",
                                           unit=unit.name, hint="give each unit its own name"))
        try:
            unit.bind(self.species)
        except PolyflowError as err:
            raise self._err(err.located(unit=unit.name), f"unit:{unit.name}") from None
        self.graph.add_node(unit.name, unit=unit)
        return unit

    def _split_port(self, ref: str, outlet: bool, stream: str) -> tuple[str, str]:
        name, _, port = ref.partition(".")
        unit = self.unit(name) if name in self.graph else None
        if unit is None:
            raise self._err(FlowsheetError(
                f"stream {stream!r} {'comes from' if outlet else 'goes to'} unknown unit "
                f"{name!r}", hint=did_you_mean(name, self.graph.nodes)), f"stream:{stream}")
        ports = unit.outlet_ports() if outlet else unit.inlet_ports()
        if not port:
            if len(ports) != 1:
                raise self._err(FlowsheetError(
                    f"stream {stream!r}: unit {name!r} has {'outlets' if outlet else 'inlets'}"
                    f" {', '.join(p.rstrip('*') for p in ports)}; name one as "
                    f"'{name}.{ports[0].rstrip('*')}'", unit=name), f"stream:{stream}")
            port = ports[0]
        port = port.rstrip("*")
        plain = [p.rstrip("*") for p in ports]
        if port not in plain:
            kind = "outlet" if outlet else "inlet"
            raise self._err(FlowsheetError(
                f"stream {stream!r}: unit {name!r} ({unit.model}) has no {kind} {port!r}",
                unit=name, hint=did_you_mean(port, plain)), f"stream:{stream}")
        return name, port

    def connect(self, name: str, src: str, dst: str) -> None:
        """Add stream ``name`` from ``"unit.port"`` (or ``"unit"``) to ``"unit.port"``."""
        if name in self._streams:
            raise self._err(FlowsheetError(f"stream {name!r} is defined twice",
                                           hint="give each stream its own name"),
                            f"stream:{name}")
        su, sp_ = self._split_port(src, True, name)
        du, dp = self._split_port(dst, False, name)
        if (su, sp_) in self._from:
            raise self._err(FlowsheetError(
                f"outlet '{su}.{sp_}' feeds stream {self._from[su, sp_]!r} already; stream "
                f"{name!r} cannot start there too", unit=su,
                hint="an outlet carries one stream: add a splitter to divide it"),
                f"stream:{name}")
        many = any(p == dp + "*" for p in self.unit(du).inlet_ports())
        if self._into.get((du, dp)) and not many:
            raise self._err(FlowsheetError(
                f"inlet '{du}.{dp}' receives stream {self._into[du, dp][0]!r} already; stream "
                f"{name!r} cannot enter there too", unit=du,
                hint="an inlet takes one stream: add a mixer, or use a unit whose inlet "
                     "takes many"), f"stream:{name}")
        spec = StreamSpec(name, su, sp_, du, dp)
        self._streams[name] = spec
        self._from[su, sp_] = name
        self._into.setdefault((du, dp), []).append(name)
        self.graph.add_edge(su, du, key=name, spec=spec)

    def drop_orphan_products(self) -> list[str]:
        """Remove product units that no stream reaches (a rerouted stream's old end)."""
        orphans = [n for n, u in self.units.items()
                   if u.role == "product" and not self._into.get((n, "in"))]
        self.graph.remove_nodes_from(orphans)
        return orphans

    def drop_orphan_feeds(self, names: Iterable[str]) -> list[str]:
        """Remove the feeds among ``names`` that no stream leaves any more (the old
        source of a stream rerouted ``from`` another unit, e.g. a fresh-water feed
        replaced by a process-water tank)."""
        orphans = [n for n in dict.fromkeys(names) if n in self.graph
                   and self.units[n].role == "feed"
                   and not any(u == n for u, _ in self._from)]
        self.graph.remove_nodes_from(orphans)
        return orphans

    def _err(self, err: PolyflowError, where: str | None = None) -> PolyflowError:
        """Place ``err`` at the file and line where the faulty item is written."""
        keys = [where] if where else []
        if err.unit:
            keys += [f"unit:{err.unit}:{err.field}", f"unit:{err.unit}"]
        for key in keys:
            if key in self.where:
                file, line = self.where[key]
                return err.located(file=file, line=line)
        return err.located(file=self.source)

    # -- checking and assembly ------------------------------------------------------------
    def _check_ports(self) -> None:
        for name, unit in self.units.items():
            for p in unit.outlet_ports():
                if (name, p.rstrip("*")) not in self._from:
                    raise self._err(FlowsheetError(
                        f"outlet '{name}.{p}' is not connected", unit=name,
                        hint=f"add a stream from '{name}.{p}' (to a product if it leaves "
                             "the plant)"))
            for p in unit.inlet_ports():
                if not self._into.get((name, p.rstrip("*"))):
                    raise self._err(FlowsheetError(
                        f"inlet '{name}.{p.rstrip('*')}' is not connected", unit=name,
                        hint=f"add a stream to '{name}.{p.rstrip('*')}'"))

    def assemble(self) -> Assembly:
        """Check the graph and collect every unit's equations into one system (see
        :func:`polyflow.solve.assemble`)."""
        from polyflow.solve.assemble import assemble

        return assemble(self)

    def check(self) -> Assembly:
        """Parse-level and degrees-of-freedom checks, no solve; returns the assembly
        (see :func:`polyflow.solve.check`)."""
        from polyflow.solve.assemble import check

        return check(self)

    def solve(self, *, tol: float = 1e-10, max_iter: int = 50, progress=None,
              x0: np.ndarray | None = None, raise_on_failure: bool = True) -> Result:
        """Solve mass and energy balances together; returns a :class:`Result` record
        (see :func:`polyflow.solve.solve`)."""
        from polyflow.solve.driver import solve

        return solve(self, tol=tol, max_iter=max_iter, progress=progress, x0=x0,
                     raise_on_failure=raise_on_failure)

    def __repr__(self) -> str:
        return (f"Flowsheet({self.name!r}: {self.graph.number_of_nodes()} units, "
                f"{self.graph.number_of_edges()} streams, {len(self.species)} species)")

    def _repr_html_(self) -> str:
        """A notebook's view: the units by role with their models and areas."""
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(n)}</td><td>{escape(u.model)}</td><td>{escape(u.role)}</td>"
            f"<td>{escape(str(u.area))}</td></tr>" for n, u in self.units.items())
        return (f"<p><b>{escape(self.name or 'flowsheet')}</b>: "
                f"{self.graph.number_of_nodes()} units, {self.graph.number_of_edges()} "
                f"streams, {len(self.species)} species</p><table><thead><tr><th>unit</th>"
                f"<th>model</th><th>role</th><th>area</th></tr></thead><tbody>{rows}"
                "</tbody></table>")
