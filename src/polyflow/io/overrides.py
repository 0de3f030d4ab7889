"""Overrides of feed and unit fields (``[flowsheet.overrides]`` and ``--set``), and
where an error in a feed or unit is reported: at the override that wrote the field when
one did (its line in the file, or the ``--set`` option), else at the field's own line.

``"NAME.param" = value`` replaces a field; ``"NAME.param.key" = value`` one key of a
table (``"ore.grades.Cu" = "1.5 %"``).

>>> overrides = {"ore.grades.Cu": "2 %", "leach.temperature": "60 degC"}
>>> take_overrides(overrides, "ore", {"grades": {"Cu": "1 %", "Au": "3 g/t"}})
{'grades': {'Cu': '2 %', 'Au': '3 g/t'}}
>>> overrides
{'leach.temperature': '60 degC'}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from polyflow.errors import DataError, InputError, PolyflowError

__all__ = ["WRONG_VALUE", "Origin", "errors_placed", "overridden", "take_overrides"]

#: override key -> (file or "--set KEY", line or None) where it is written
Origin = Mapping[str, tuple[str, int | None]]

#: what a parser raises on a value of a type it did not expect (a unit's own parse, a
#: port name that is a number): reported as the field's input error, never a traceback
WRONG_VALUE = (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError)


def overridden(overrides: Mapping[str, Any], name: str) -> list[str]:
    """The override keys of the feed or unit ``name``."""
    return [k for k in overrides if k.partition(".")[0] == name]


def take_overrides(overrides: dict[str, Any], name: str,
                   table: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Remove and return the overrides ``"NAME.param" = value`` of one feed or unit
    (``"NAME.param.key"`` sets one key of a table, such as ``ore.grades.Cu``)."""
    mine: dict[str, Any] = {}
    for key in overridden(overrides, name):
        path = key.split(".")[1:]
        value = overrides.pop(key)
        if len(path) == 1:
            mine[path[0]] = value
            continue
        base = mine.get(path[0], (table or {}).get(path[0], {}))
        node = mine[path[0]] = dict(base) if isinstance(base, Mapping) else {}
        for part in path[1:-1]:
            node[part] = dict(node.get(part, {})) if isinstance(node.get(part), Mapping) \
                else {}
            node = node[part]
        node[path[-1]] = value
    return mine


def _at_override(err: PolyflowError, keys: list[str], origin: Origin) -> bool:
    field = (err.field or "").split(".")
    for key in keys:
        path = key.split(".")[1:]
        if path and path[0] == field[0]:
            err.located(file=origin[key][0], line=origin[key][1])
            return True
    return False


@contextmanager
def errors_placed(name: str, keys: list[str], origin: Origin,
                  locate: Callable[[PolyflowError], object]) -> Iterator[None]:
    """Errors raised while building the feed or unit ``name`` become input errors (an
    unknown species too) placed at the override of their field (``keys``: the unit's
    override keys) or by ``locate(err)`` at the field's line."""
    try:
        yield
    except PolyflowError as err:
        placed = _as_input(err).located(unit=name)
    except WRONG_VALUE as err:
        placed = InputError(f"a value of a type this unit cannot read ({type(err).__name__}: "
                            f"{err})", unit=name,
                            hint="check each field's type against 'polyflow units MODEL'")
    else:
        return
    if not _at_override(placed, keys, origin):
        locate(placed)
    raise placed from None


def _as_input(err: PolyflowError) -> PolyflowError:
    """A data error met while reading a file (an unknown species) is the file's error."""
    if isinstance(err, DataError):
        return InputError(err.message, file=err.file, line=err.line, unit=err.unit,
                          field=err.field, value=err.value, hint=err.hint)
    return err
