"""Reading flowsheet files (TOML) into a :class:`~polyflow.flowsheet.Flowsheet`.

The format is documented in ``docs/flowsheet-format.md``. Every error names the file,
the line, the unit and the field, and what would fix it. Nothing is written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polyflow.errors import DataError, InputError, PolyflowError, did_you_mean
from polyflow.io.lines import LineIndex
from polyflow.io.namespace import PrefixedIndex, prefixed
from polyflow.io.overrides import WRONG_VALUE, errors_placed, overridden, take_overrides
from polyflow.io.provenance import check_format_version, provenance_of
from polyflow.io.schema import LIMITS, check_document, check_entry, check_value, decode
from polyflow.io.spec_tables import read_specs

if TYPE_CHECKING:
    from polyflow.flowsheet import Flowsheet

__all__ = ["ECONOMICS", "LineIndex", "load", "read_document", "without_economics"]

OPTION_KEYS = ("solution_density", "organic_density", "speciation")
#: the table (and ``--set`` prefix) of prices and costs, read by polyflow.economics
ECONOMICS = "economics"
#: the name this helper had before it moved to io/overrides.py (branches in flight use it)
_take_overrides = take_overrides


def without_economics(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides minus ``economics.…`` keys: those set the ``[economics]`` table,
    which :mod:`polyflow.economics` reads after the solve (it changes no unit)."""
    return {k: v for k, v in (overrides or {}).items()
            if k.partition(".")[0] != ECONOMICS}


def read_document(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict, LineIndex]]:
    """The file and the files it includes (included first), each parsed with its lines
    and its shape checked (:mod:`polyflow.io.schema`)."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise InputError(f"include cycle: {chain}", file=str(path),
                         hint="remove one of the includes")
    if len(seen) >= LIMITS["include_depth"]:
        raise InputError(f"includes are nested more than {LIMITS['include_depth']} deep",
                         file=str(seen[-1]), hint="include the files from one main file")
    text = decode(_read_bytes(path, seen), str(path))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        line = int(m.group(1)) if m else None
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        raise InputError(f"not valid TOML: {msg}", file=str(path), line=line,
                         hint="see docs/flowsheet-format.md for the syntax") from None
    except ValueError as err:   # an integer of more than 4,300 digits
        raise InputError(f"not valid TOML: {err}", file=str(path),
                         hint="a number of the format fits in 64 bits") from None
    index = LineIndex(text)
    check_document(doc, str(path), index)
    includes = doc.get("flowsheet", {}).get("include", [])
    if isinstance(includes, str | Mapping):
        includes = [includes]
    docs: list[tuple[Path, dict, LineIndex]] = []
    for inc in includes:
        if isinstance(inc, Mapping):
            sub_docs = read_document(path.parent / inc["file"], (*seen, path))
            prefix = str(inc.get("prefix", ""))
            if prefix:
                sub_docs = [(f, prefixed(d, prefix), PrefixedIndex(i, prefix))
                            for f, d, i in sub_docs]
            docs.extend(sub_docs)
        else:
            docs.extend(read_document(path.parent / inc, (*seen, path)))
    docs.append((path, doc, index))
    return docs


def _read_bytes(path: Path, seen: tuple[Path, ...]) -> bytes:
    where = f" (included from {seen[-1]})" if seen else ""
    try:
        if path.stat().st_size > LIMITS["file_bytes"]:
            raise InputError(f"the file is larger than {LIMITS['file_bytes'] // 2**20} MiB"
                             f"{where}", file=str(path), hint="is it a flowsheet file?")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such flowsheet file{where}", file=str(path),
                         hint="check the path") from None
    except OSError as err:
        raise InputError(f"cannot read the file{where}: {err.strerror}",
                         file=str(path)) from None


def _located(err: PolyflowError, file: Path, index: LineIndex, *path: str) -> PolyflowError:
    return err.located(file=str(file), line=index.line(*path))


def _sized_species(species_set, docs: list[tuple[Path, dict, LineIndex]]):
    """The species set with size classes, when a file of the flowsheet declares them
    (``size_classes`` or ``sieves``, and optionally ``sized``; the last file that declares
    them wins, the main file last)."""
    found = None
    for file, doc, index in docs:
        head = doc.get("flowsheet", {})
        if "size_classes" in head or "sieves" in head or "sized" in head:
            found = (file, head, index)
    if found is None:
        return species_set
    from polyflow.psd import read_size_classes

    file, head, index = found
    key = "sieves" if "sieves" in head else "size_classes"
    try:
        sieves = read_size_classes(head.get("size_classes"), head.get("sieves"))
    except PolyflowError as err:
        raise _located(err, file, index, "flowsheet", key) from None
    which = head.get("sized")
    if which is not None and (not isinstance(which, list)
                              or not all(isinstance(s, str) for s in which)):
        raise InputError("sized must be a list of solid species", file=str(file),
                         line=index.line("flowsheet", "sized"), field="sized")
    try:
        return species_set.sized(sieves, which)
    except PolyflowError as err:
        raise _located(err.located(field="sized"), file, index, "flowsheet", "sized") from None


def _check_size(docs: list[tuple[Path, dict, LineIndex]]) -> None:
    """The plant's size against :data:`polyflow.io.schema.LIMITS`."""
    units = sum(len(d.get(s, {})) for _f, d, _i in docs for s in ("feeds", "units", "products"))
    streams = sum(len(d.get("streams", {})) for _f, d, _i in docs)
    for what, n in (("units", units), ("streams", streams)):
        if n > LIMITS[what]:
            raise InputError(f"the plant has {n:,} {what}; at most {LIMITS[what]:,} are read "
                             f"from files", file=str(docs[-1][0]),
                             hint="build larger plants in Python (polyflow.Flowsheet)")


def load(path: str | Path, overrides: Mapping[str, Any] | None = None,
         specs: Mapping[str, Any] | None = None) -> Flowsheet:
    """Read a flowsheet file (and its includes) into a :class:`Flowsheet`.

    ``overrides`` maps ``"unit.param"`` (or ``"unit.param.key"`` inside a table) to a new
    value (as written in a file), for comparing options without editing files; ``specs``
    adds design specifications (:mod:`polyflow.solve.specs`) to those of the files.
    """
    # the files are read and checked before numpy, networkx and the unit models are
    # imported: a bad file fails in a tenth of a second (benchmarks/startup.py)
    given = path
    path = Path(path)
    docs = read_document(path)
    versions = [check_format_version(d.get("flowsheet", {}), str(f),
                                     i.line("flowsheet", "format_version"))
                for f, d, i in docs]
    from polyflow.chem.species import load_database
    from polyflow.flowsheet import Flowsheet
    from polyflow.io.feed_units import build_feed
    from polyflow.io.solved_feed_specs import as_spec
    from polyflow.quantity import parse_quantity
    from polyflow.units.product import Product
    from polyflow.units.registry import model_registry

    main_path, main_doc, main_index = docs[-1]
    head = main_doc.get("flowsheet", {})
    # species: union over the included files, in order
    species: list[str] = []
    for file, doc, index in docs:
        sp = doc.get("flowsheet", {}).get("species", [])
        if not isinstance(sp, list) or not all(isinstance(s, str) for s in sp):
            raise InputError("species must be a list of names", file=str(file),
                             line=index.line("flowsheet", "species"), field="species")
        species.extend(s for s in sp if s not in species)
    if not species:
        raise InputError("the flowsheet names no species", file=str(main_path),
                         hint="add species = ['H2O', ...] to [flowsheet]")
    options: dict[str, Any] = {}
    density: dict[str, float] = {}
    for file, doc, index in docs:
        for key, value in doc.get("flowsheet", {}).get("options", {}).items():
            if key not in OPTION_KEYS:
                raise InputError(f"unknown option {key!r}", file=str(file),
                                 line=index.line("flowsheet", "options", key),
                                 hint=did_you_mean(key, OPTION_KEYS))
            if key == "speciation":     # the streams' speciation (solve/aqueous_rows.py)
                if value not in (True, False, "phreeqc", "llnl"):
                    raise InputError(f"option speciation = {value!r}: give true, false, "
                                     "\"phreeqc\" or \"llnl\"", file=str(file),
                                     line=index.line("flowsheet", "options", key),
                                     field="speciation")
                options["speciation"] = value
                continue
            try:
                density["aq" if key == "solution_density" else "org"] = \
                    parse_quantity(value, "density")
            except PolyflowError as err:
                raise _located(err, file, index, "flowsheet", "options", key) from None
    options["density"] = density
    try:
        species_set = load_database().subset(species)
    except DataError as err:
        raise _located(InputError(err.message, hint=err.hint), main_path, main_index,
                       "flowsheet", "species") from None
    species_set = _sized_species(species_set, docs)
    fs = Flowsheet(species_set, name=head.get("name", main_path.stem), source=str(main_path),
                   options=options)
    #: what the run is made from (polyflow.io.provenance): path as given, content hash,
    #: the command line's --set and --spec; the reports write it
    fs.provenance = provenance_of(given, [f for f, _d, _i in docs], overrides, specs,
                                  versions[-1])
    file_overrides: dict[str, Any] = {}
    origin: dict[str, tuple[str, int | None]] = {}      # where each override is written
    for file, doc, index in docs:
        table = doc.get("flowsheet", {}).get("overrides", {})
        file_overrides.update(table)
        origin.update({k: (str(file), index.line("flowsheet", "overrides", k))
                       for k in table})
    overrides = without_economics(overrides)
    cli_keys = list(overrides)
    for key, value in overrides.items():
        origin[key] = (f"--set {key}", None)
        check_value(value, lambda msg, *_, k=key, **kw: InputError(msg, file=f"--set {k}",
                                                                     **kw))
    overrides = {**file_overrides, **overrides}
    _check_size(docs)
    registry = model_registry()
    defined: dict[str, Path] = {}

    def claim(name: str, file: Path, index: LineIndex, *where: str) -> None:
        if name in defined:
            raise InputError(f"{name!r} is defined twice (also in {defined[name]})",
                             file=str(file), line=index.line(*where),
                             hint="give every feed, unit and product its own name")
        defined[name] = file
        fs.where[f"unit:{name}"] = (str(file), index.line(*where) or 0)

    for file, doc, index in docs:
        for name, spec in doc.get("feeds", {}).items():
            claim(name, file, index, "feeds", name)
            if not isinstance(spec, Mapping):
                raise InputError("a feed is a table", file=str(file),
                                 line=index.line("feeds", name), unit=name)
            taken = overridden(overrides, name)
            spec = {**spec, **take_overrides(overrides, name, spec)}
            fs.tables[name] = spec
            with errors_placed(name, taken, origin, lambda err, f=file, i=index, n=name:
                               _located(err, f, i, "feeds", n,
                                        *[p for p in (err.field or "").split(".") if p])):
                if taken:       # an override may change a field's type (--set ore.model=5)
                    check_entry("feeds", name, spec, lambda msg, *_, **kw: InputError(msg,
                                                                                      **kw))
                solved = as_spec(name, spec, density.get("aq", 1000.0), str(file),
                                 index.line("feeds", name, "model"))
                if solved is not None:      # a solved feed: a plain feed and its spec
                    spec, feed_spec = solved
                    fs.tables[name] = spec
                    if feed_spec is not None:
                        fs.specs[name] = feed_spec
                fs.add(build_feed(fs.species, name, spec, density.get("aq", 1000.0),
                                  file, index))
        for name, spec in doc.get("units", {}).items():
            claim(name, file, index, "units", name)
            if not isinstance(spec, Mapping) or "model" not in spec:
                raise InputError("a unit needs a model", file=str(file),
                                 line=index.line("units", name), unit=name,
                                 hint="add model = '<name>'; 'polyflow units' lists them")
            model = spec["model"]
            if model not in registry or registry[model].role != "process":
                raise InputError(f"unknown model {model!r}", file=str(file),
                                 line=index.line("units", name, "model"), unit=name,
                                 field="model", hint=did_you_mean(
                                     model, [m for m, c in registry.items()
                                             if c.role == "process"]))
            params = {k: v for k, v in spec.items() if k not in ("model", "area")}
            taken = overridden(overrides, name)
            params.update(take_overrides(overrides, name, params))
            for pname in params:
                fs.where[f"unit:{name}:{pname}"] = (str(file),
                                                    index.line("units", name, pname) or 0)
            with errors_placed(name, taken, origin, lambda err, f=file, i=index, n=name:
                               _located(err, f, i, "units", n, err.field or "")):
                unit = registry[model](name, **params)
                unit.area = str(spec.get("area", name))
                fs.add(unit)
        for name, spec in doc.get("products", {}).items():
            claim(name, file, index, "products", name)
            spec = dict(spec)
            area = str(spec.pop("area", name))
            with errors_placed(name, [], {}, lambda err, f=file, i=index, n=name:
                               _located(err, f, i, "products", n, err.field or "")):
                fs.add(Product(name, **spec))
                fs.units[name].area = area
    if overrides:
        key = next(iter(overrides))
        raise InputError(f"override {key}: no unit {key.partition('.')[0]!r} in the flowsheet",
                         file=origin[key][0], line=origin[key][1],
                         hint=did_you_mean(key.partition(".")[0], fs.units))
    reroute: dict[str, Any] = {}
    moved_from: list[str] = []      # units a rerouted stream no longer leaves
    for _file, doc, _index in docs:
        reroute.update(doc.get("flowsheet", {}).get("reroute", {}))
    for file, doc, index in docs:
        for name, spec in doc.get("streams", {}).items():
            fs.where[f"stream:{name}"] = (str(file), index.line("streams", name) or 0)
            if isinstance(spec, str):
                src, arrow, dst = spec.partition("->")
                if not arrow:
                    raise InputError(f"stream {name!r} must read 'unit.port -> unit.port'",
                                     file=str(file), line=index.line("streams", name),
                                     value=spec)
            elif isinstance(spec, Mapping) and {"from", "to"} <= set(spec):
                src, dst = str(spec["from"]), str(spec["to"])
            else:
                raise InputError(f"stream {name!r} needs 'from' and 'to'", file=str(file),
                                 line=index.line("streams", name),
                                 hint="write name = {from = 'a.out', to = 'b.in'} or "
                                      "name = 'a.out -> b.in'")
            if name in reroute:
                src, dst = _rerouted(name, reroute.pop(name), src, dst, main_path,
                                     main_index, moved_from)
            try:
                fs.connect(name, src.strip(), dst.strip())
            except PolyflowError:
                raise
            except WRONG_VALUE as err:      # a port named by a number (rest = 2.5)
                raise InputError(f"stream {name!r}: a port of its units is not a name "
                                 f"({type(err).__name__}: {err})", file=str(file),
                                 line=index.line("streams", name),
                                 hint="ports are words, such as overflow") from None
    if reroute:
        key = next(iter(reroute))
        raise InputError(f"reroute {key!r}: no stream of that name",
                         file=str(main_path), line=main_index.line("flowsheet", "reroute"),
                         hint=did_you_mean(key, [s.name for s in fs.streams]))
    fs.drop_orphan_products()
    fs.drop_orphan_feeds(moved_from)
    unknowns = len(fs.species) * len(fs.streams)
    if unknowns > LIMITS["stream_unknowns"]:
        raise InputError(f"{len(fs.streams):,} streams of {len(fs.species):,} components "
                         f"(species x size classes) are {unknowns:,} flows; at most "
                         f"{LIMITS['stream_unknowns']:,} are read from files",
                         file=str(main_path), hint="use fewer size classes or species")
    for file, doc, index in docs:          # design specifications (solve/specs.py)
        fs.specs.update(read_specs(doc.get("specs", {}), str(file), index.line))
    # the command line wins: a --set or --spec of a file spec's input replaces that spec
    fixed = set(cli_keys) | {s.vary for s in (specs or {}).values()}
    fs.specs = {k: s for k, s in fs.specs.items() if s.vary not in fixed}
    fs.specs.update(specs or {})
    return fs


def _rerouted(name: str, new: Any, src: str, dst: str, file: Path, index: LineIndex,
              moved_from: list[str]) -> tuple[str, str]:
    """A reroute: ``"unit.port"`` (the stream's new destination) or a table
    ``{from = "unit.port", to = "unit.port"}`` with either key or both."""
    if isinstance(new, str):
        return src, new
    if not isinstance(new, Mapping) or not new or set(new) - {"from", "to"}:
        raise InputError(f"reroute {name!r} must be 'unit.port' (the new destination) or "
                         "a table with 'from' and/or 'to'", file=str(file),
                         line=index.line("flowsheet", "reroute", name), value=new,
                         hint=f'write "{name}" = {{from = "tank.out"}} to take the stream '
                              "from another unit")
    if "from" in new:
        moved_from.append(src.strip().partition(".")[0])
    return str(new.get("from", src)), str(new.get("to", dst))
