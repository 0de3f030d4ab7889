"""Check one effluent against discharge-limit tables: a pure function returning rows.

Each limit of each table gives one :class:`CheckRow` with the value compared, the bound,
its basis and averaging, and a status:

* ``pass`` -- the value compared is within the bound (bounds inclusive);
* ``exceed`` -- it is outside, or a dissolved value alone is above a limit on the total
  (the total is never below the dissolved value);
* ``not-assessed`` -- the effluent gives no value for the parameter, or only a value on
  another basis that cannot decide (a dissolved value below a limit on the total).

Basis rules: a ``total`` limit compares the total; with only the dissolved value it is
decided only by an exceedance, unless ``dissolved_as_total`` (a clarified liquid with no
suspended solids, whose dissolved and total values coincide). A ``dissolved`` limit compares
the dissolved value; a total at or below it passes it too. An ``unstated`` basis (the source
does not say) compares the total if given, else the dissolved value, and says which in the
row's note; ``n/a`` (TSS, COD, ...) does the same without a note. Radionuclides are given as
total activity in Bq/L.

Example: a neutralised, clarified effluent at pH 8.2 against the US EPA BAT limits for
flotation mills (40 CFR 440.103(b)) and Canada's MDMER Schedule 4, the more stringent value
of the two taken per parameter (the WBG rule):

>>> check = check_effluent(["us_epa_440j_bat_mill", "canada_mdmer_sch4"],
...     combine="most_stringent", pH=8.2, dissolved_as_total=True,
...     dissolved_mg_L={"Cu": 0.12, "Zn": 0.62, "Pb": 0.05, "Cd": 0.01, "As": 0.02})
>>> print(check.summary())
most_stringent(us_epa_440j_bat_mill+canada_mdmer_sch4): 2 exceed, 6 pass, 5 not assessed
  exceed Zn 0.62 mg/L, limit <= 0.5 mg/L (total, monthly mean, canada_mdmer_sch4)
  exceed Zn 0.62 mg/L, limit <= 0.5 mg/L (unstated, average of daily values for 30
         consecutive days, us_epa_440j_bat_mill)
  no limit in these tables: pH
>>> [r.parameter for r in check.rows if r.status == "not-assessed"]
['CN_total', 'Hg', 'Ni', 'Ra-226', 'TSS']
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from polyflow.effluent.limits import Limit, LimitTable, most_stringent, parameter_unit, tables_of
from polyflow.errors import InputError

__all__ = ["STATUSES", "CheckRow", "EffluentCheck", "check_effluent"]

STATUSES = ("pass", "exceed", "not-assessed")


@dataclass(frozen=True)
class CheckRow:
    """One limit applied to the effluent. ``value`` is None where not assessed."""

    parameter: str
    value: float | None
    limit: str
    minimum: float | None
    maximum: float | None
    unit: str
    basis: str
    #: what was compared: 'total', 'dissolved', 'pH', 'temperature' or '' (nothing)
    compared: str
    averaging: str
    status: str
    table: str
    source: str
    note: str = ""

    def line(self) -> str:
        """The row as one line of text (used by :meth:`EffluentCheck.summary`)."""
        unit = "" if self.unit == "pH" else f" {self.unit}"
        value = "no value" if self.value is None else f"{self.value:g}{unit}"
        return (f"{self.status} {self.parameter} {value}, limit {self.limit}{unit} "
                f"({self.basis}, {self.averaging}, {self.table})")


@dataclass(frozen=True)
class EffluentCheck:
    """The rows of one check, in table order, and a summary of them."""

    title: str
    rows: tuple[CheckRow, ...]
    #: parameters the effluent gives that no table limits
    unlimited: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def exceedances(self) -> tuple[CheckRow, ...]:
        return tuple(r for r in self.rows if r.status == "exceed")

    @property
    def compliant(self) -> bool:
        """No limit exceeded (rows not assessed do not count either way)."""
        return not self.exceedances

    def summary(self) -> str:
        """Counts of each status, then one line per exceedance."""
        head = (f"{self.title}: {self.count('exceed')} exceed, {self.count('pass')} pass, "
                f"{self.count('not-assessed')} not assessed")
        lines = [textwrap.fill(r.line(), width=88, initial_indent="  ",
                               subsequent_indent="         ") for r in self.exceedances]
        if self.unlimited:
            lines.append("  no limit in these tables: " + ", ".join(self.unlimited))
        return "\n".join([head, *lines])

    def to_dict(self) -> dict:
        """Plain data for JSON: the title, the counts and every row."""
        return {"title": self.title,
                "counts": {s: self.count(s) for s in STATUSES},
                "rows": [dict(r.__dict__) for r in self.rows],
                "unlimited": list(self.unlimited)}


def _values(name: str, given: Mapping[str, float] | None, field: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in (given or {}).items():
        try:
            unit = parameter_unit(key)
        except InputError as err:   # unknown name, with did-you-mean: name the argument
            raise InputError(err.message, field=f"{field}[{key!r}]", hint=err.hint) from None
        if unit not in ("mg/L", "Bq/L") or (unit == "Bq/L") != (field == "activity_Bq_L"):
            where = "activity_Bq_L" if unit == "Bq/L" else "the pH / temperature arguments"
            raise InputError(f"{key!r} is not given in {name}", field=f"{field}[{key!r}]",
                             hint=f"give it in {where}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InputError("must be a number", field=f"{field}[{key!r}]",
                             value=value) from None
        if not math.isfinite(v) or v < 0:
            raise InputError("must be a finite number >= 0", field=f"{field}[{key!r}]",
                             value=value)
        out[key] = v
    return out


def _status(value: float, lim: Limit) -> str:
    out = (lim.maximum is not None and value > lim.maximum) or (
        lim.minimum is not None and value < lim.minimum)
    return "exceed" if out else "pass"


def _compare(lim: Limit, dissolved: dict[str, float], total: dict[str, float],
             dissolved_as_total: bool) -> tuple[float | None, str, str, str]:
    """(value, compared, status, note) for one concentration limit."""
    p = lim.parameter
    d, t = dissolved.get(p), total.get(p)
    if lim.basis == "total":
        if t is not None:
            return t, "total", _status(t, lim), ""
        if d is not None and dissolved_as_total:
            return d, "dissolved", _status(d, lim), "dissolved taken as total"
        if d is not None and lim.maximum is not None and d > lim.maximum:
            return d, "dissolved", "exceed", "dissolved alone exceeds a limit on the total"
        if d is not None:
            return None, "", "not-assessed", "only the dissolved value is given"
    elif lim.basis == "dissolved":
        if d is not None:
            return d, "dissolved", _status(d, lim), ""
        if t is not None and lim.minimum is None and t <= lim.maximum:
            return t, "total", "pass", "the total is within it, so the dissolved value is"
        if t is not None:
            return None, "", "not-assessed", "only the total is given"
    elif lim.basis == "n/a":   # a parameter without a basis (TSS, COD, ...)
        v = t if t is not None else d
        if v is not None:
            return v, "total" if t is not None else "dissolved", _status(v, lim), ""
    else:   # unstated
        if t is not None:
            return t, "total", _status(t, lim), "basis not stated by the source: total compared"
        if d is not None:
            return d, "dissolved", _status(d, lim), (
                "basis not stated by the source: dissolved compared")
    return None, "", "not-assessed", "no value given"


def check_effluent(
    tables: str | LimitTable | Sequence[str | LimitTable],
    *,
    pH: float | None = None,
    temperature_C: float | None = None,
    receiving_water_C: float | None = None,
    dissolved_mg_L: Mapping[str, float] | None = None,
    total_mg_L: Mapping[str, float] | None = None,
    activity_Bq_L: Mapping[str, float] | None = None,
    dissolved_as_total: bool = False,
    combine: Literal["each", "most_stringent"] = "each",
) -> EffluentCheck:
    """Check one effluent against one or several discharge-limit tables.

    Parameters
    ----------
    tables : a table name (``"canada_mdmer_sch4"``), a :class:`LimitTable`, or several
    pH : effluent pH [-]
    temperature_C, receiving_water_C : effluent and receiving-water temperature [degC];
        a ``temperature_rise`` limit needs both
    dissolved_mg_L, total_mg_L : concentrations [mg/L] by element symbol (``"Cu"``) or
        parameter name (``"CN_WAD"``, ``"TSS"``, ``"sulphate"``)
    activity_Bq_L : total activity of radionuclides [Bq/L] (``"Ra-226"``)
    dissolved_as_total : take dissolved values as totals (a liquid without suspended solids)
    combine : ``"each"`` checks every limit of every table; ``"most_stringent"`` first
        merges the tables with :func:`~polyflow.effluent.limits.most_stringent`

    Returns an :class:`EffluentCheck` (pure: nothing is changed or cached).

    Raises :class:`~polyflow.errors.InputError` for an unknown parameter (with the closest
    names), a value that is not a finite number >= 0 or a pH outside 0-14, and
    :class:`~polyflow.errors.DataError` for an unknown table.
    """
    if combine not in ("each", "most_stringent"):
        raise InputError("must be 'each' or 'most_stringent'", field="combine", value=combine)
    listed = tables_of([tables] if isinstance(tables, str | LimitTable) else tables)
    if combine == "most_stringent":
        listed = [most_stringent(listed)]
    if pH is not None and not (isinstance(pH, int | float) and 0.0 <= pH <= 14.0):
        raise InputError("must be a number from 0 to 14", field="pH", value=pH)
    dissolved = _values("dissolved_mg_L", dissolved_mg_L, "dissolved_mg_L")
    total = _values("total_mg_L", total_mg_L, "total_mg_L")
    total.update(_values("activity_Bq_L", activity_Bq_L, "activity_Bq_L"))
    rows: list[CheckRow] = []
    for table in listed:
        for lim in table.limits:
            if lim.parameter == "pH":
                value, compared, note = pH, "pH", "" if pH is not None else "no pH given"
            elif lim.parameter == "temperature":
                value, compared = temperature_C, "temperature"
                note = "" if value is not None else "no temperature given"
            elif lim.parameter == "temperature_rise":
                known = temperature_C is not None and receiving_water_C is not None
                value = temperature_C - receiving_water_C if known else None
                compared = "temperature"
                note = "" if known else "needs temperature_C and receiving_water_C"
            else:
                value, compared, status, note = _compare(lim, dissolved, total,
                                                         dissolved_as_total)
            if lim.parameter in ("pH", "temperature", "temperature_rise"):
                status = "not-assessed" if value is None else _status(value, lim)
            rows.append(CheckRow(
                parameter=lim.parameter, value=value, limit=lim.describe(),
                minimum=lim.minimum, maximum=lim.maximum, unit=lim.unit, basis=lim.basis,
                compared=compared if value is not None else "", averaging=lim.averaging,
                status=status, table=lim.table, source=lim.source, note=note))
    given = [*(["pH"] if pH is not None else []), *dissolved, *total]
    limited = {r.parameter for r in rows}
    unlimited = tuple(sorted(dict.fromkeys(p for p in given if p not in limited)))
    title = " + ".join(t.name for t in listed)
    return EffluentCheck(title=title, rows=tuple(rows), unlimited=unlimited)
