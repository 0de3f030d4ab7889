"""An output file (``-o``) checked before the solve: a run of minutes must not end in
"cannot write". The report is written atomically (:func:`polyflow.report.write_atomic`:
a temporary file ``.NAME.XXXXXXXX.tmp`` beside it, then a rename), and missing folders
are made, so the checks are: no part of the path is a file used as a folder, the path is
not a folder, every name fits the file system with the temporary file's 14 extra
characters, and the first folder that exists can be written to.

"""

from __future__ import annotations

import os
from pathlib import Path

from polyflow.errors import InputError

__all__ = ["check_output_path"]

_TEMP_EXTRA = len(".") + len(".XXXXXXXX.tmp")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:             # missing, a name too long, a file used as a folder
        return None


def check_output_path(path: Path) -> None:
    """Raise :class:`InputError` (``file`` = ``-o PATH``) when ``path`` cannot be written."""
    where = f"-o {path}"
    existing = path.parent
    while _stat(existing) is None and existing != existing.parent:
        existing = existing.parent
    limit = _name_max(existing) if _stat(existing) is not None else 255
    for part in path.parts:
        size = len(os.fsencode(part)) + (_TEMP_EXTRA if part == path.name else 0)
        if size > limit:
            raise InputError(f"a name in the path is {len(part)} characters long; the file "
                             f"system takes {limit - _TEMP_EXTRA} for the file and {limit} "
                             "for a folder", file=where, hint="choose a shorter name")
    if path.is_dir():
        raise InputError("this is a folder", file=where,
                         hint="give a file name, e.g. -o results/plant.json")
    if not existing.is_dir():
        raise InputError(f"'{existing}' is a file, not a folder", file=where,
                         hint="choose another folder for the output")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in '{existing}'", file=where,
                         hint="choose a folder you may write to")
