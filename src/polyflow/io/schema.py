"""The shape of a flowsheet document, checked before anything is read from it.

Every section and every key the reader interprets is checked here for its TOML type
(a table, a list, a string, a name), every value anywhere in the document for what no
field accepts (NaN or infinite numbers, integers beyond 64 bits, dates), and the
document for its size (:data:`LIMITS`). Each error names the file and the line where
the value is written, the feed, unit or product, and the field; the reader then reads
values (quantities, grades, parameters) with the knowledge that their containers have
the right type. The format is documented in ``docs/flowsheet-format.md``; the same
value checks apply to ``--set`` values (:func:`check_value`).

>>> from polyflow.io.lines import LineIndex
>>> check_document({"units": {"tank": 5}}, "plant.toml", LineIndex('[units]\\ntank = 5'))
Traceback (most recent call last):
...
polyflow.errors.InputError: plant.toml:2: unit 'tank': a unit is a table [units.tank] ...
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from typing import Any

from polyflow.errors import InputError, did_you_mean

__all__ = ["FLOWSHEET_KEYS", "LIMITS", "TOP_LEVEL", "check_document", "check_entry",
           "check_name", "check_value", "decode"]

TOP_LEVEL = ("flowsheet", "feeds", "units", "products", "streams", "specs", "economics")
FLOWSHEET_KEYS = ("name", "description", "species", "include", "options", "overrides",
                  "size_classes", "sieves", "sized", "reroute", "format_version")

#: Upper limits of one flowsheet (with its includes). They keep a mistyped number from
#: asking for gigabytes before the first equation: a plant of 10,000 units reads in
#: seconds, the largest shipped plant (the refinery) has about 200 units and 100 species.
LIMITS = {
    "file_bytes": 16 * 2**20,       # one flowsheet file
    "include_depth": 16,            # nested includes
    "units": 20_000,                # feeds + units + products of the plant
    "streams": 40_000,
    "species": 1_000,               # species named in [flowsheet] species
    "name_chars": 200,              # a feed, unit, product or stream name
    "stream_unknowns": 20_000_000,  # streams x components (species x size classes)
}

_INT64 = 2**63
_Line = Callable[..., int | None]


def decode(data: bytes, file: str) -> str:
    """The text of a flowsheet file: UTF-8, with or without a byte-order mark; UTF-16
    and other encodings are refused with the line of the first byte that is not UTF-8.

    >>> decode(b"\\xef\\xbb\\xbfname = 'x'", "a.toml")
    "name = 'x'"
    >>> decode(b"name = 'W\\xe4sche'", "a.toml")
    Traceback (most recent call last):
    ...
    polyflow.errors.InputError: a.toml:1: the file is not UTF-8 (byte 0xe4 at column 10); ...
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16; flowsheet files are UTF-8", file=file, line=1,
                         hint="save it as UTF-8 (in Notepad: Save as, Encoding UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(f"the file is not UTF-8 (byte 0x{data[err.start]:02x} at column "
                         f"{column})", file=file, line=line,
                         hint="save it as UTF-8; a Latin-1 or Windows-1252 editor writes "
                              "accented letters and ° as single bytes") from None


def check_value(value: Any, fail: Callable[..., InputError], *path: str) -> None:
    """Refuse what no field of the format accepts, anywhere inside ``value``: NaN and
    infinite numbers, integers beyond 64 bits (the TOML limit), dates and times.
    ``fail(message, *path, value=...)`` builds the error at the path of the value."""
    if isinstance(value, bool | str):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise fail("numbers must be finite", *path, value=value,
                   hint="give a number, or a quantity with its unit as a string")
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise fail("an integer must fit in 64 bits", *path, value=f"{str(value)[:12]}...",
                   hint="a stage, tank or cell count is a small whole number")
    if isinstance(value, _dt.date | _dt.time):
        raise fail("no field of a flowsheet is a date or a time", *path, value=str(value),
                   hint="quote the text if it is a name: \"...\"")
    if isinstance(value, Mapping):
        for k, v in value.items():
            check_value(v, fail, *path, str(k))
    elif isinstance(value, list):
        for v in value:
            check_value(v, fail, *path)


def check_name(name: str, what: str, fail: Callable[..., InputError], *path: str) -> None:
    """A feed, unit, product or stream name: not empty, no ``.`` (it separates the unit
    from its port), no ``->``, no control characters, at most ``name_chars`` long."""
    if not name.strip():
        raise fail(f"a {what} needs a name that is not empty", *path,
                   hint="write a word such as leach_1")
    if "." in name or "->" in name or any(ord(c) < 32 for c in name):
        raise fail(f"{what} name {name!r} cannot hold '.', '->' or control characters", *path,
                   hint="'.' separates a unit from its port (tank.out); use '_' instead")
    if len(name) > LIMITS["name_chars"]:
        raise fail(f"a {what} name is at most {LIMITS['name_chars']} characters", *path,
                   value=name[:40] + "...")


def check_document(doc: Mapping, file: str, index) -> None:
    """Check the shape of one parsed flowsheet file (``index.line(*path)`` gives the line
    of a key); raise :class:`InputError` at the first value of the wrong type."""

    def fail(message: str, *path: str, value: Any = None, hint: str | None = None,
             unit: str | None = None, field: str | None = None) -> InputError:
        return InputError(message, file=file, line=index.line(*path), unit=unit,
                          field=field, value=value, hint=hint)

    def value_fail(message: str, *path: str, **kw: Any) -> InputError:
        named = len(path) > 2 and path[0] in ("feeds", "units", "products", "specs")
        return fail(message, *path, unit=path[1] if named else None,
                    field=".".join(path[2 if named else 1:]) or None, **kw)

    check_value(doc, value_fail)
    for key, value in doc.items():
        if key not in TOP_LEVEL:
            raise fail(f"unknown section [{key}]", key, hint=did_you_mean(key, TOP_LEVEL))
        if not isinstance(value, Mapping):
            raise fail(f"[{key}] must be a table", key, value=value,
                       hint=f"write [{key}] on a line of its own, then its entries")
    _flowsheet(doc.get("flowsheet", {}), fail)
    for section, what in (("feeds", "feed"), ("units", "unit"), ("products", "product")):
        for name, spec in doc.get(section, {}).items():
            check_name(name, what, fail, section, name)
            check_entry(section, name, spec, fail)
    for name, spec in doc.get("streams", {}).items():
        check_name(name, "stream", fail, "streams", name)
        if isinstance(spec, str):
            continue
        if not (isinstance(spec, Mapping) and isinstance(spec.get("from"), str)
                and isinstance(spec.get("to"), str)):
            raise fail(f"stream {name!r} must read 'unit.port -> unit.port' or "
                       "{from = 'unit.port', to = 'unit.port'}", "streams", name, value=spec)


def _flowsheet(head: Mapping, fail) -> None:
    def need(key: str, ok: bool, what: str, hint: str | None = None) -> None:
        if not ok:
            raise fail(f"[flowsheet] {key} must be {what}", "flowsheet", key, field=key,
                       value=head[key], hint=hint)

    for key in head:
        if key not in FLOWSHEET_KEYS:
            raise fail(f"[flowsheet] has no field {key!r}", "flowsheet", key,
                       hint=did_you_mean(key, FLOWSHEET_KEYS))
    for key in ("name", "description"):
        if key in head:
            need(key, isinstance(head[key], str), "text in quotes")
    if "species" in head:
        sp = head["species"]
        need("species", isinstance(sp, list) and all(isinstance(s, str) and s.strip()
                                                      for s in sp),
             "a list of species names", "species = ['H2O', 'CuSO4', ...]")
        if len(sp) > LIMITS["species"]:
            raise fail(f"at most {LIMITS['species']} species", "flowsheet", "species",
                       field="species", value=len(sp))
    if "include" in head:
        inc = head["include"]
        items = inc if isinstance(inc, list) else [inc]
        for item in items:
            ok = (isinstance(item, str) and item.strip()) or (
                isinstance(item, Mapping) and set(item) <= {"file", "prefix"}
                and isinstance(item.get("file"), str) and item["file"].strip()
                and isinstance(item.get("prefix", ""), str)
                and "." not in item.get("prefix", ""))
            need("include", bool(ok), "a file name, {file = '...', prefix = '...'} or a list "
                 "of them", "a prefix is a name without '.'")
    for key in ("options", "overrides", "reroute", "size_classes"):
        if key in head:
            need(key, isinstance(head[key], Mapping), "a table")
    for key in ("sieves", "sized"):
        if key in head:
            need(key, isinstance(head[key], list), "a list")
    for key in head.get("overrides", {}):
        unit, dot, param = key.partition(".")
        if not (unit.strip() and dot and param.strip()):
            raise fail(f"override {key!r} must read \"UNIT.PARAM\" = value, in quotes",
                       "flowsheet", "overrides", key, field=f"overrides.{key}",
                       hint="write \"leach.temperature\" = \"60 degC\"")
    for key, value in head.get("reroute", {}).items():
        ok = isinstance(value, str) or (isinstance(value, Mapping) and value
                                        and set(value) <= {"from", "to"}
                                        and all(isinstance(v, str) for v in value.values()))
        if not ok:
            raise fail(f"reroute {key!r} must be 'unit.port' (the new destination) or a table "
                       "with 'from' and/or 'to'", "flowsheet", "reroute", key, value=value)


_TEXT = {"feeds": ("kind", "category", "area", "model"), "units": ("model", "area"),
         "products": ("area", "kind")}
_TABLES = ("grades", "mineralogy", "concentrations", "speciation", "flows", "psd")


def check_entry(section: str, name: str, spec: Any, fail) -> None:
    """Check one ``[feeds.NAME]``, ``[units.NAME]`` or ``[products.NAME]`` table (also
    after overrides have changed it); ``fail(message, *path, **fields)`` builds the
    error."""
    what = {"feeds": "feed", "units": "unit", "products": "product"}[section]
    if not isinstance(spec, Mapping):
        example = {"feeds": "kind = 'ore', ...", "units": "model = 'mixer'",
                   "products": "kind = 'residue' (or nothing)"}[section]
        raise fail(f"a {what} is a table [{section}.{name}]", section, name, unit=name, value=spec,
                   hint=f"write [{section}.{name}] and under it {example}")
    for key in _TEXT[section]:
        if key in spec and not isinstance(spec[key], str):
            raise fail(f"{key} must be text in quotes", section, name, key, unit=name,
                       field=key, value=spec[key])
    if section == "units" and "model" not in spec:
        raise fail("a unit needs a model", section, name, unit=name,
                   hint="add model = '<name>'; 'polyflow units' lists them")
    if section != "feeds" or "model" in spec:
        return
    for key in _TABLES:
        if key in spec and not isinstance(spec[key], Mapping):
            raise fail(f"{key} must be a table", section, name, key, unit=name, field=key,
                       value=spec[key], hint=f"write {key} = {{ ... }}")
    for key in ("mineralogy", "speciation"):
        for element, carriers in spec.get(key, {}).items():
            if not isinstance(carriers, str | Mapping):
                raise fail(f"{key}.{element} must name the species that carry {element}",
                           section, name, key, unit=name, field=f"{key}.{element}",
                           value=carriers,
                           hint=f"write {key} = {{ {element} = {{ SPECIES = '100 %' }} }}")
    gangue = spec.get("gangue")
    if gangue is not None and not isinstance(gangue, str | Mapping):
        raise fail("gangue must name a species or give a table of species and shares",
                   section, name, "gangue", unit=name, field="gangue", value=gangue)
