"""Discharge-limit tables: reading, listing and the "most stringent of several" rule.

A table is one data file ``polyflow/data/discharge_limits_<name>.csv`` per source, its
citation in the ``#`` header and in ``sources*.csv`` (column ``source``). Each row is one
limit: a parameter, the basis the source puts it on (``total``, ``dissolved``, ``unstated``
where the source does not say, ``n/a`` for pH and temperature), an optional lower and upper
bound, the unit, the averaging period the source states (``maximum for any 1 day``,
``monthly mean``, ``grab sample``, ...) and the locator in the source.

The World Bank Group EHS Guidelines (Mining, 2007, Introduction) ask a project to meet
"whichever is more stringent" of the host-country levels and the guideline's;
:func:`most_stringent` applies that rule to any tables: per parameter and basis it keeps the
tightest upper bound and the tightest lower bound found in any of them, whatever their
averaging period (a steady-state effluent has the same value over a day and a month).

>>> table = load_limits("us_epa_440j_bat_mill")
>>> [(lim.maximum, lim.averaging) for lim in table.limits_for("Cu")]
[(0.3, 'maximum for any 1 day'), (0.15, 'average of daily values for 30 consecutive days')]
>>> strict = most_stringent("us_epa_440j_bat_mill", "canada_mdmer_sch4")
>>> [(lim.basis, lim.maximum, lim.table) for lim in strict.limits_for("Zn")]
[('total', 0.5, 'canada_mdmer_sch4'), ('unstated', 0.5, 'us_epa_440j_bat_mill')]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from polyflow.chem.elements import element_table, read_data_csv
from polyflow.errors import DataError, InputError, did_you_mean

__all__ = [
    "BASES",
    "PARAMETERS",
    "Limit",
    "LimitTable",
    "list_tables",
    "load_limits",
    "most_stringent",
    "parameter_unit",
]

PREFIX = "discharge_limits_"
#: What a limit is on: the total (unfiltered) value, the dissolved (filtered) value, a
#: basis the source does not state, or not applicable (pH, temperature).
BASES = ("total", "dissolved", "unstated", "n/a")
#: Parameters other than elements (an element symbol, e.g. ``Cu``, is a metal or metalloid
#: as the element, in mg/L). Name -> unit, meaning.
PARAMETERS = {
    "pH": ("pH", "pH (activity scale)"),
    "temperature": ("degC", "effluent temperature"),
    "temperature_rise": ("K", "effluent temperature above the receiving water"),
    "TSS": ("mg/L", "total suspended solids"),
    "TDS": ("mg/L", "total dissolved solids"),
    "sulphate": ("mg/L", "sulphate as SO4"),
    "sulphide": ("mg/L", "sulphide as S"),
    "fluoride": ("mg/L", "fluoride as F"),
    "chloride": ("mg/L", "chloride as Cl"),
    "CN_total": ("mg/L", "total cyanide as CN"),
    "CN_WAD": ("mg/L", "weak-acid-dissociable cyanide as CN"),
    "CN_free": ("mg/L", "free cyanide (HCN + CN-) as CN"),
    "Cr(VI)": ("mg/L", "hexavalent chromium as Cr"),
    "Ra-226": ("Bq/L", "radium-226 activity"),
    "COD": ("mg/L", "chemical oxygen demand"),
    "BOD5": ("mg/L", "5-day biochemical oxygen demand"),
    "oil_and_grease": ("mg/L", "oil and grease"),
    "phenols": ("mg/L", "phenols"),
}
#: Tables asked for but not shipped, with the reason (see docs/effluent-limits.md).
NOT_TRANSCRIBED = (
    ("pak_neqs_2000", "Pakistan's NEQS for municipal and liquid industrial effluents "
                      "(SRO 549(I)/2000)"),
)


def parameter_unit(name: str) -> str:
    """The unit in which ``name`` is given: ``mg/L`` for an element symbol.

    >>> parameter_unit("Zn"), parameter_unit("Ra-226"), parameter_unit("pH")
    ('mg/L', 'Bq/L', 'pH')

    Raises :class:`~polyflow.errors.InputError` for an unknown name, with the closest ones.
    """
    if name in PARAMETERS:
        return PARAMETERS[name][0]
    if name in element_table():
        return "mg/L"
    aliases = {"CN": "CN_total, CN_WAD or CN_free", "Cr6": "Cr(VI)", "SO4": "sulphate",
               "F": "fluoride", "S": "sulphide"}
    hint = (f"write {aliases[name]}" if name in aliases
            else did_you_mean(name, [*PARAMETERS, *element_table()]))
    raise InputError("unknown effluent parameter", field=name, value=name, hint=hint)


@dataclass(frozen=True)
class Limit:
    """One limit of a discharge table; ``minimum``/``maximum`` are None where unbounded."""

    parameter: str
    basis: str
    minimum: float | None
    maximum: float | None
    unit: str
    averaging: str
    source: str
    where: str
    secondary: bool = False
    note: str = ""
    #: the table the limit was read from
    table: str = ""

    def describe(self) -> str:
        """The bound as text: ``<= 0.3``, ``6 to 9``, ``>= 6``.

        >>> Limit("pH", "n/a", 6.0, 9.0, "pH", "grab sample", "X", "t1").describe()
        '6 to 9'
        """
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            return f"{lo:g} to {hi:g}"
        return f">= {lo:g}" if lo is not None else f"<= {hi:g}"


@dataclass(frozen=True)
class LimitTable:
    """A named, ordered set of limits with the citations of its sources."""

    name: str
    limits: tuple[Limit, ...]
    #: source key -> full citation (from sources*.csv)
    citations: tuple[tuple[str, str], ...] = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(lim.parameter for lim in self.limits))

    def limits_for(self, parameter: str) -> tuple[Limit, ...]:
        """Every limit on ``parameter`` (empty if the table has none)."""
        return tuple(lim for lim in self.limits if lim.parameter == parameter)

    def __len__(self) -> int:
        return len(self.limits)


def _data_folder():
    return resources.files("polyflow.data")


def list_tables() -> list[str]:
    """Names of the discharge-limit tables shipped with polyflow, sorted.

    >>> list_tables()
    ['canada_mdmer_sch4', 'us_epa_440f_nsps_mine', 'us_epa_440j_bat_mill',
     'us_epa_440j_bat_mine', 'us_epa_440j_bpt_mine', 'us_epa_440j_nsps_mine',
     'wbg_mining_2007']
    """
    return sorted(p.name[len(PREFIX):-4] for p in _data_folder().iterdir()
                  if p.name.startswith(PREFIX) and p.name.endswith(".csv"))


@cache
def _sources() -> dict[str, str]:
    out: dict[str, str] = {}
    for p in sorted(_data_folder().iterdir(), key=lambda p: p.name):
        if p.name.startswith("sources") and p.name.endswith(".csv"):
            for row in read_data_csv(p.name):
                out[row["key"].strip()] = row["citation"].strip()
    return out


def _number(text: str, fname: str, line: int, field: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataError("not a number", file=fname, line=line, field=field,
                        value=text) from None
    if not math.isfinite(value) or value < 0:
        raise DataError("must be a finite number >= 0", file=fname, line=line, field=field,
                        value=text)
    return value


def _limit_from_row(row: dict[str, str], name: str, fname: str, line: int) -> Limit:
    parameter = (row.get("parameter") or "").strip()
    try:
        unit = parameter_unit(parameter)
    except InputError as err:
        raise DataError(f"unknown parameter {parameter!r}", file=fname, line=line,
                        field="parameter", hint=err.hint) from None
    basis = (row.get("basis") or "").strip()
    if basis not in BASES:
        raise DataError("basis must be one of " + ", ".join(BASES), file=fname, line=line,
                        field="basis", value=basis, hint=did_you_mean(basis, BASES))
    if (row.get("unit") or "").strip() != unit:
        raise DataError(f"parameter {parameter!r} is given in {unit}", file=fname,
                        line=line, field="unit", value=row.get("unit"))
    lo = _number(row.get("minimum", ""), fname, line, "minimum")
    hi = _number(row.get("maximum", ""), fname, line, "maximum")
    if lo is None and hi is None:
        raise DataError("a limit needs a minimum or a maximum", file=fname, line=line)
    if lo is not None and hi is not None and lo > hi:
        raise DataError("minimum above maximum", file=fname, line=line, field="minimum",
                        value=f"{lo:g} > {hi:g}")
    source = (row.get("source") or "").strip()
    if source not in _sources():
        raise DataError(f"unknown source {source!r}", file=fname, line=line, field="source",
                        hint="add it to sources_discharge.csv")
    averaging = (row.get("averaging") or "").strip()
    if not averaging:
        raise DataError("the averaging period the source states is missing", file=fname,
                        line=line, field="averaging")
    return Limit(parameter=parameter, basis=basis, minimum=lo, maximum=hi, unit=unit,
                 averaging=averaging, source=source, where=(row.get("where") or "").strip(),
                 secondary=(row.get("secondary") or "").strip().lower() == "yes",
                 note=(row.get("note") or "").strip(), table=name)


@cache
def load_limits(name: str) -> LimitTable:
    """Read the table ``discharge_limits_<name>.csv`` (cached; the result is immutable).

    Raises :class:`~polyflow.errors.DataError` for an unknown name (with the close names)
    or a malformed row (with its file and line).
    """
    names = list_tables()
    if name not in names:
        missing = dict(NOT_TRANSCRIBED)
        hint = (f"{missing[name]} is not transcribed (see docs/effluent-limits.md); "
                f"shipped tables: {', '.join(names)}" if name in missing
                else did_you_mean(name, names))
        raise DataError(f"unknown discharge-limit table {name!r}", hint=hint)
    fname = f"{PREFIX}{name}.csv"
    rows = read_data_csv(fname)
    if not rows:
        raise DataError("the table has no rows", file=fname)
    limits = tuple(_limit_from_row(row, name, fname, i) for i, row in enumerate(rows, 1))
    keys = dict.fromkeys(lim.source for lim in limits)
    return LimitTable(name=name, limits=limits,
                      citations=tuple((k, _sources()[k]) for k in keys))


def _as_table(table: str | LimitTable) -> LimitTable:
    return load_limits(table) if isinstance(table, str) else table


def most_stringent(*tables: str | LimitTable | Sequence[str | LimitTable],
                   name: str | None = None) -> LimitTable:
    """One table holding, per (parameter, basis), the tightest bounds of ``tables``.

    The upper bound kept is the lowest ``maximum`` of any table (any averaging period) and
    the lower bound the highest ``minimum``; each kept limit keeps the table, averaging and
    locator it came from (a range can so combine two rows). Limits on different bases stay
    apart: a total and a dissolved limit constrain different quantities.

    Raises :class:`~polyflow.errors.DataError` when the tightest bounds leave an empty
    range (no effluent can meet both tables).
    """
    flat: list[LimitTable] = []
    for t in tables:
        flat.extend(_as_table(x) for x in ((t,) if isinstance(t, str | LimitTable) else t))
    if not flat:
        raise InputError("most_stringent needs at least one table")
    upper: dict[tuple[str, str], Limit] = {}
    lower: dict[tuple[str, str], Limit] = {}
    for lim in (lim for t in flat for lim in t.limits):
        key = (lim.parameter, lim.basis)
        if lim.maximum is not None and (key not in upper or lim.maximum < upper[key].maximum):
            upper[key] = lim
        if lim.minimum is not None and (key not in lower or lim.minimum > lower[key].minimum):
            lower[key] = lim
    merged: list[Limit] = []
    for key in dict.fromkeys([*upper, *lower]):
        hi, lo = upper.get(key), lower.get(key)
        if hi is not None and lo is not None and hi is not lo:
            if lo.minimum > hi.maximum:
                raise DataError(f"{key[0]}: the tightest bounds leave no range "
                                f"({lo.minimum:g} from {lo.table}, {hi.maximum:g} from "
                                f"{hi.table})")
            merged.append(replace(hi, minimum=lo.minimum, averaging=(
                hi.averaging if hi.averaging == lo.averaging
                else f"minimum: {lo.averaging}; maximum: {hi.averaging}"),
                table=hi.table if hi.table == lo.table else f"{lo.table}+{hi.table}",
                where=hi.where if hi.where == lo.where else f"{lo.where}; {hi.where}"))
        else:   # one row holds both bounds, or only one bound exists
            merged.append(hi if hi is not None else lo)
    merged.sort(key=lambda lim: (lim.parameter, lim.basis))
    citations = dict(c for t in flat for c in t.citations)
    return LimitTable(name=name or "most_stringent(" + "+".join(t.name for t in flat) + ")",
                      limits=tuple(merged), citations=tuple(citations.items()))


def tables_of(tables: Iterable[str | LimitTable]) -> list[LimitTable]:
    """Each of ``tables`` as a :class:`LimitTable` (names are loaded)."""
    return [_as_table(t) for t in tables]
