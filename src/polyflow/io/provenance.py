"""What a run was made from, so any output can be reproduced from what it records.

:func:`provenance_of` gathers, when a flowsheet is read: the path as it was given (on
the command line or to :func:`polyflow.load`, not made absolute), the SHA-256 of the
bytes of the file and of every file it includes (in reading order: includes first, the
main file last), the file's ``format_version``, the ``--set`` overrides and the
``--spec`` specifications given beside the file (those written in the file are covered
by its hash), the polyflow version, and the format version of the outputs.

The flowsheet format's version (``[flowsheet] format_version``) is checked here too: a
file without it is version 1; a newer one than this polyflow reads is refused with the
file, the line and what would fix it.

>>> p = provenance_of("plant.toml", [], {"leach.temperature": "50 degC"}, {})
>>> p["flowsheet"], p["overrides"], p["format_version"]
('plant.toml', {'leach.temperature': '50 degC'}, 1)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from polyflow.errors import InputError

__all__ = ["FLOWSHEET_FORMAT", "OUTPUT_FORMAT", "check_format_version", "files_sha256",
           "polyflow_version", "provenance_of"]

#: newest flowsheet file format this polyflow reads (``[flowsheet] format_version``)
FLOWSHEET_FORMAT = 1
#: version of the outputs' layout (JSON document, CSV, workbook); bump it when a field
#: changes meaning
OUTPUT_FORMAT = 1


def polyflow_version() -> str:
    """The installed polyflow's version (its package metadata)."""
    from polyflow import __version__

    return __version__


def check_format_version(head: Mapping[str, Any], file: str, line: int | None) -> int:
    """The ``format_version`` of one file's ``[flowsheet]`` table (1 when absent);
    a newer version than :data:`FLOWSHEET_FORMAT`, or one that is not a whole number
    from 1, is an :class:`~polyflow.errors.InputError` (exit 2)."""
    version = head.get("format_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"format_version = {version!r}: give a whole number from 1",
                         file=file, line=line, field="format_version",
                         hint=f"write format_version = {FLOWSHEET_FORMAT} in [flowsheet]")
    if version > FLOWSHEET_FORMAT:
        raise InputError(f"the file is of flowsheet format {version}; this polyflow "
                         f"({polyflow_version()}) reads formats up to {FLOWSHEET_FORMAT}",
                         file=file, line=line, field="format_version",
                         hint="update polyflow (pip install -U polyflow), or write the "
                              f"file in format {FLOWSHEET_FORMAT}")
    return version


def files_sha256(files: Sequence[str | Path]) -> str:
    """SHA-256 (hex) of the files' bytes, in the order given: the flowsheet's content
    hash (the main file with its includes). Each file's bytes are preceded by their
    length, so moving text from one file to the next changes the hash."""
    h = hashlib.sha256()
    for f in files:
        data = Path(f).read_bytes()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _spec_record(spec: Any) -> dict[str, Any]:
    bounds = getattr(spec, "bounds", None)
    return {"vary": spec.vary, "target": spec.target, "value": _plain(spec.value),
            "bounds": None if bounds is None else [_plain(b) for b in bounds]}


def _plain(value: Any) -> Any:
    """A JSON-safe form of a value as written (numbers, text, lists, tables)."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def provenance_of(path: str | Path, files: Sequence[str | Path],
                  overrides: Mapping[str, Any] | None, specs: Mapping[str, Any] | None,
                  flowsheet_format: int = 1) -> dict[str, Any]:
    """The provenance record of a flowsheet read from ``path`` (as given) whose bytes
    are in ``files`` (includes first, the main file last), with the command line's
    ``overrides`` (``--set``) and ``specs`` (``--spec``, :class:`~polyflow.io.spec_tables.Spec`)."""
    return {
        "flowsheet": str(path),
        "flowsheet_sha256": files_sha256(files) if files else None,
        "flowsheet_files": len(files),
        "flowsheet_format_version": flowsheet_format,
        "overrides": {k: _plain(v) for k, v in (overrides or {}).items()},
        "specs": {name: _spec_record(s) for name, s in (specs or {}).items()},
        "polyflow_version": polyflow_version(),
        "format_version": OUTPUT_FORMAT,
    }
