"""The ``[economics]`` table of a flowsheet file and the prices file it names.

Every number is an entry ``{ value = "9380 USD/t", date = "2024-10-18", source = "..." }``:
a value with its unit (:mod:`polyflow.economics.quantities`), the date it holds for and
where it comes from (a judgement says so). Prices of commodities, reagents and utilities
live in a prices file (``prices = "economics/prices_2026.toml"``, relative to the flowsheet
file; its tables ``[prices]``, ``[reagents]``, ``[utilities]``); the flowsheet's own
``[economics]`` table holds the plant's terms (which products are sold on what terms, the
value of its feeds, finance, capital and operating factors) and may replace any entry of
the prices file. ``--set economics.prices.Cu='10000 USD/t'`` replaces an entry's value
(its source then reads "--set"); ``--set economics.finance.discount_rate='10 %'`` alike.
The layout is documented in ``docs/economics.md``.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polyflow.economics.quantities import parse_econ
from polyflow.errors import InputError, PolyflowError, did_you_mean
from polyflow.io.lines import LineIndex

__all__ = ["CAPITAL", "FINANCE", "OPERATING", "UTILITIES", "EconomicsInputs", "Entry",
           "Terms", "read_economics"]

#: the entries each section must have, and the kind of each value
UTILITIES = {"power": "USD/kWh", "grid_co2": "kg/kWh", "water": "USD/m3", "fuel": "USD/GJ",
             "fuel_co2": "kg/GJ", "fuel_efficiency": "fraction"}
FINANCE = {"discount_rate": "fraction", "tax_rate": "fraction", "life": "y",
           "depreciation_life": "y", "operating_hours": "h/y"}
CAPITAL = {"lang_factor": "number", "contingency": "fraction", "cepci": "number"}
OPERATING = {"maintenance": "fraction", "labour": "USD/y"}
SECTIONS = ("prices", "reagents", "utilities", "products", "feeds", "returned", "finance",
            "capital", "operating", "schedule", "consumables", "equipment", "transfers")
_SET = "--set on the command line"


@dataclass
class Entry:
    """One number: ``value`` in its kind's internal unit, as written (``text``), its
    ``date`` and ``source``, and ``basis`` (for a commodity price: the element or
    formula the price is per unit of)."""

    value: float
    text: str
    source: str
    date: str = ""
    basis: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"value": self.text, "source": self.source}
        if self.date:
            out["date"] = self.date
        if self.basis:
            out["basis"] = self.basis
        return out


@dataclass
class Terms:
    """How a product is sold or a feed is valued: ``payable`` fraction of each priced
    basis it contains (keys of the commodity prices), a ``treatment`` charge per kg of
    dry solids [USD/kg], ``refining`` charges per kg of each payable basis [USD/kg]."""

    payable: dict[str, float]
    source: str
    treatment: float = 0.0
    refining: dict[str, float] = field(default_factory=dict)
    #: element -> (grade above which it is charged, charge [USD/kg of dry solids] per
    #: ``step`` of grade above it, ``step``): a smelter's penalty, pro rata
    penalties: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    #: value this stream on the terms instead of the feed's own (the net smelter return
    #: of an ore: the concentrate it makes, sold on these terms)
    stream: str = ""
    #: for a transfer between lines: priced basis -> the line that receives it
    to: dict[str, str] = field(default_factory=dict)


@dataclass
class EconomicsInputs:
    """Everything the economics of one run reads, as plain data."""

    file: str
    prices: dict[str, Entry]
    reagents: dict[str, Entry]
    utilities: dict[str, Entry]
    products: dict[str, Terms]
    feeds: dict[str, Terms]
    returned: list[str]
    finance: dict[str, Entry]
    capital: dict[str, Entry]
    operating: dict[str, Entry]
    schedule: dict[int, float]
    schedule_source: str
    #: unit model -> consumables (grinding media, liners...) per kWh its units draw
    consumables: dict[str, Entry] = field(default_factory=dict)
    #: stream -> how it is valued when it passes from one line to others (the ledger's
    #: transfer at market terms; no cash changes hands)
    transfers: dict[str, Terms] = field(default_factory=dict)
    #: unit name -> cost curve, where a unit is not priced on its model's curve
    #: (``data/cost_models.csv``): a stoichiometric reactor that is an autoclave
    equipment: dict[str, str] = field(default_factory=dict)


class _Where:
    """File and line of each section's entries, for error messages."""

    def __init__(self) -> None:
        self.places: dict[tuple[str, str], tuple[str, LineIndex, tuple[str, ...]]] = {}

    def add(self, section: str, key: str, file: str, index: LineIndex,
            prefix: tuple[str, ...]) -> None:
        self.places[(section, key)] = (file, index, prefix)

    def error(self, message: str, section: str, key: str = "", *fields: str,
              **kw) -> InputError:
        place = self.places.get((section, key)) or self.places.get((section, ""))
        file = line = None
        if place:
            file, index, prefix = place
            line = index.line(*prefix, section, *([key] if key else []), *fields)
        name = ".".join(p for p in ("economics", section, key, *fields) if p)
        return InputError(message, file=file, line=line, field=name, **kw)


def _read(path: Path, what: str = "the prices file") -> tuple[dict, LineIndex]:
    from polyflow.io.schema import decode

    try:
        text = decode(path.read_bytes(), str(path))     # a BOM accepted, UTF-16 named
    except OSError as err:
        raise InputError(f"cannot read {what}: {err.strerror}", file=str(path),
                         hint="check the path in [economics] prices = '...'"
                         if what == "the prices file" else "check the include") from None
    try:
        return tomllib.loads(text), LineIndex(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"not valid TOML: {err}", file=str(path)) from None


def _set(table: dict, path: list[str], value: Any, where: _Where) -> None:
    """Apply one ``--set economics.PATH=value``: an entry's value, or a key."""
    node: Any = table
    for i, part in enumerate(path[:-1]):
        if not isinstance(node, dict) or part not in node:
            choices = list(node) if isinstance(node, dict) else []
            raise InputError(f"--set economics.{'.'.join(path)}: no {part!r} in "
                             f"[economics{''.join('.' + p for p in path[:i])}]",
                             field="economics." + ".".join(path),
                             hint=did_you_mean(part, choices))
        node = node[part]
    last = path[-1]
    if isinstance(node.get(last), dict) and "value" in node[last] \
            and not isinstance(value, dict):
        node[last] = {**node[last], "value": value, "source": _SET}
    elif last in node or path[0] in ("schedule", "returned"):
        node[last] = value
    else:
        raise InputError(f"--set economics.{'.'.join(path)}: no {last!r} there",
                         field="economics." + ".".join(path),
                         hint=did_you_mean(last, list(node)))


def _entry(raw: Any, kind: str, section: str, key: str, where: _Where,
           need_date: bool) -> Entry:
    if not isinstance(raw, Mapping) or "value" not in raw or "source" not in raw:
        raise where.error("an entry is { value = '...', date = '...', source = '...' }",
                          section, key, value=raw,
                          hint="every number of the economics carries its source "
                               "(and a price its date)")
    if need_date and not raw.get("date") and raw.get("source") != _SET:
        raise where.error("a price needs the date it holds for", section, key,
                          hint="add date = 'YYYY-MM-DD' (or 'YYYY')")
    try:
        value = float(raw["value"]) if kind == "number" else parse_econ(raw["value"], kind)
    except (TypeError, ValueError) as err:
        if isinstance(err, PolyflowError):
            raise where.error(err.message, section, key, "value", value=raw["value"],
                              hint=err.hint) from None
        raise where.error("expected a number", section, key, "value",
                          value=raw["value"]) from None
    return Entry(value, str(raw["value"]), str(raw["source"]), str(raw.get("date", "")),
                 str(raw.get("basis", "")))


def _entries(raw: Mapping, kinds: Mapping[str, str], section: str, where: _Where,
             need_date: bool = False) -> dict[str, Entry]:
    missing = [k for k in kinds if k not in raw]
    if missing:
        raise where.error(f"[economics.{section}] lacks {', '.join(missing)}", section,
                          hint=f"give each of {', '.join(kinds)}")
    for k in raw:
        if k not in kinds:
            raise where.error(f"unknown entry {k!r}", section, k,
                              hint=did_you_mean(k, kinds))
    return {k: _entry(raw[k], kinds[k], section, k, where, need_date) for k in kinds}


def _terms(raw: Any, section: str, key: str, prices: Mapping[str, Entry],
           where: _Where) -> Terms:
    if not isinstance(raw, Mapping) or "payable" not in raw or "source" not in raw:
        raise where.error("terms are { payable = { KEY = '96.5 %' }, source = '...' } "
                          "(and optionally treatment, refining)", section, key, value=raw)
    unknown = set(raw) - {"payable", "source", "treatment", "refining", "penalties",
                          "stream", "to", "note"}
    if unknown:
        raise where.error(f"unknown field {sorted(unknown)[0]!r}", section, key,
                          hint="terms take payable, treatment, refining, penalties, "
                               "stream (feeds), to (transfers), source, note")

    def price_key(k: str, f: str) -> str:
        if k not in prices:
            raise where.error(f"no commodity price {k!r}", section, key, f, k,
                              hint=did_you_mean(k, prices, more="add it to [prices]"))
        return k

    try:
        payable = {price_key(k, "payable"): parse_econ(v, "fraction")
                   for k, v in dict(raw["payable"]).items()}
        refining = {price_key(k, "refining"): parse_econ(v, "USD/kg")
                    for k, v in dict(raw.get("refining", {})).items()}
        treatment = parse_econ(raw.get("treatment", "0 USD/t"), "USD/kg")
        penalties = {}
        for el, pen in dict(raw.get("penalties", {})).items():
            if not isinstance(pen, Mapping) or set(pen) != {"above", "charge", "per"}:
                raise where.error("a penalty is { above = '0.1 %', charge = '3 USD/t', "
                                  "per = '0.1 %' }", section, key, "penalties", el,
                                  value=pen)
            penalties[el] = (parse_econ(pen["above"], "fraction"),
                             parse_econ(pen["charge"], "USD/kg"),
                             parse_econ(pen["per"], "fraction"))
            if penalties[el][2] <= 0:
                raise where.error("a penalty's step 'per' must be above zero", section,
                                  key, "penalties", el, value=pen["per"])
    except PolyflowError as err:
        if isinstance(err, InputError) and err.file:
            raise
        raise where.error(err.message, section, key, value=err.value,
                          hint=err.hint) from None
    stream = raw.get("stream", "")
    if not isinstance(stream, str) or (stream and section != "feeds"):
        raise where.error("stream names the stream a feed is valued as (feeds only)",
                          section, key, "stream", value=stream)
    to = raw.get("to", {})
    if section == "transfers":
        if not isinstance(to, Mapping) or set(to) != set(payable) \
                or not all(isinstance(v, str) for v in to.values()):
            raise where.error("a transfer names the line that receives each payable: "
                              "to = { Cu = 'cu', Au = 'au' }", section, key, "to", value=to)
    elif to:
        raise where.error("'to' belongs to [economics.transfers]", section, key, "to")
    return Terms(payable, str(raw["source"]), treatment, refining, penalties, stream,
                 dict(to))


def _chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict, LineIndex]]:
    """The economics tables that apply to ``path``: those of the files it includes without
    a prefix (a variant of a whole plant: its base file), base first, then its own."""
    path = path.resolve()
    if path in seen:        # an include cycle: the flowsheet reader names it
        return []
    doc, index = _read(path, "the flowsheet file")
    out: list[tuple[Path, dict, LineIndex]] = []
    includes = doc.get("flowsheet", {}).get("include", [])
    for inc in [includes] if isinstance(includes, str | Mapping) else includes:
        if isinstance(inc, str):
            out += _chain(path.parent / inc, (*seen, path))
        elif isinstance(inc, Mapping) and not inc.get("prefix") and "file" in inc:
            out += _chain(path.parent / str(inc["file"]), (*seen, path))
    if isinstance(doc.get("economics"), Mapping):
        out.append((path, doc["economics"], index))
    return out


def _merge_file(path: Path, table: Mapping, index: LineIndex, merged: dict[str, Any],
                where: _Where) -> None:
    """Lay one file's ``[economics]`` table (and its prices file) over ``merged``; an
    entry ``NAME = false`` under ``products`` or ``feeds`` removes an inherited one."""
    if "prices" in table and not isinstance(table["prices"], str | Mapping):
        raise InputError("prices must name the prices file", file=str(path),
                         line=index.line("economics", "prices"))
    if isinstance(table.get("prices"), str):
        ppath = (path.parent / table["prices"]).resolve()
        pdoc, pindex = _read(ppath)
        for section in ("prices", "reagents", "utilities"):
            for key, raw in pdoc.get(section, {}).items():
                merged.setdefault(section, {})[key] = raw
                where.add(section, key, str(ppath), pindex, ())
            where.add(section, "", str(ppath), pindex, ())
        table = {k: v for k, v in table.items() if k != "prices"}
    for section, raw in table.items():
        if section not in SECTIONS:
            raise InputError(f"[economics] has no section {section!r}", file=str(path),
                             line=index.line("economics", section),
                             hint=did_you_mean(section, SECTIONS))
        if isinstance(raw, Mapping):
            for key, value in raw.items():
                if value is False and section in ("products", "feeds"):
                    merged.get(section, {}).pop(key, None)
                    continue
                merged.setdefault(section, {})[key] = copy.deepcopy(value)
                where.add(section, key, str(path), index, ("economics",))
        else:
            merged[section] = copy.deepcopy(raw)
        where.add(section, "", str(path), index, ("economics",))


def read_economics(path: str | Path, overrides: Mapping[str, Any] | None = None
                   ) -> EconomicsInputs | None:
    """The economics of the flowsheet file ``path`` (None without an ``[economics]``
    table in it or in a file it includes without a prefix), with ``overrides``
    ``{"economics.SECTION.KEY": value}`` applied.

    A variant that includes a whole plant without a prefix (``include =
    ["refinery.toml"]``) inherits that plant's ``[economics]``; its own table replaces
    entries one by one, and ``"NAME" = false`` under ``[economics.products]`` or
    ``[economics.feeds]`` drops an inherited product's or feed's terms (a concentrate the
    variant no longer sells). Files included under a prefix keep their tables to
    themselves."""
    path = Path(path)
    chain = _chain(path)
    mine = {k.split(".", 1)[1]: v for k, v in (overrides or {}).items()
            if k.startswith("economics.")}
    if not chain:
        if mine:
            raise InputError("--set economics...: this flowsheet has no [economics] table",
                             file=str(path), hint="see docs/economics.md")
        return None
    where = _Where()
    merged: dict[str, Any] = {}
    for file, table, index in chain:
        _merge_file(file, table, index, merged, where)
    for key, value in mine.items():
        _set(merged, key.split("."), value, where)
    prices = {k: _entry(v, "USD/kg", "prices", k, where, True)
              for k, v in merged.get("prices", {}).items()}
    for k, e in prices.items():
        if not e.basis:
            raise where.error("a commodity price needs its basis (the element or formula "
                              "it is per unit of)", "prices", k, hint="add basis = 'Cu'")
    schedule_raw = dict(merged.get("schedule", {}))
    source = str(schedule_raw.pop("source", ""))
    if not schedule_raw or not source:
        raise where.error("the construction schedule is { source = '...', YEAR = '30 %', "
                          "... }", "schedule")
    try:
        schedule = {int(y): parse_econ(v, "fraction") for y, v in schedule_raw.items()}
    except (ValueError, PolyflowError) as err:
        raise where.error(f"schedule: {err}", "schedule") from None
    years = sorted(schedule)
    if years != list(range(years[0], years[-1] + 1)):
        raise where.error(f"the schedule's years {years} leave a gap", "schedule",
                          hint="give every construction year, '0 %' for an idle one")
    if abs(sum(schedule.values()) - 1.0) > 1e-9:
        raise where.error(f"the schedule spends {100 * sum(schedule.values()):.6g} % of the "
                          "capital", "schedule", hint="the shares must add up to 100 %")
    equipment = merged.get("equipment", {})
    if not isinstance(equipment, Mapping) or not all(isinstance(v, str)
                                                     for v in equipment.values()):
        raise where.error("equipment maps a unit to a cost curve: { \"cuau/pox\" = "
                          "\"autoclave\" }", "equipment")
    returned = merged.get("returned", [])
    if not isinstance(returned, list) or not all(isinstance(r, str) for r in returned):
        raise where.error("returned is a list of product names", "returned")
    return EconomicsInputs(
        file=str(path), prices=prices,
        reagents={k: _entry(v, "USD/kg", "reagents", k, where, True)
                  for k, v in merged.get("reagents", {}).items()},
        utilities=_entries(merged.get("utilities", {}), UTILITIES, "utilities", where, True),
        products={k: _terms(v, "products", k, prices, where)
                  for k, v in merged.get("products", {}).items()},
        feeds={k: _terms(v, "feeds", k, prices, where)
               for k, v in merged.get("feeds", {}).items()},
        returned=list(returned),
        finance=_entries(merged.get("finance", {}), FINANCE, "finance", where),
        capital=_entries(merged.get("capital", {}), CAPITAL, "capital", where),
        operating=_entries(merged.get("operating", {}), OPERATING, "operating", where),
        schedule=dict(sorted(schedule.items())), schedule_source=source,
        consumables={k: _entry(v, "USD/kWh", "consumables", k, where, True)
                     for k, v in merged.get("consumables", {}).items()},
        equipment=dict(equipment),
        transfers={k: _terms(v, "transfers", k, prices, where)
                   for k, v in merged.get("transfers", {}).items()})
