"""Line numbers of the tables and keys of a TOML text, for error messages (tomllib
gives none)."""

from __future__ import annotations

import re

__all__ = ["LineIndex"]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=")


def _split_dotted(text: str) -> tuple[str, ...]:
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", text)
    return tuple(p.strip().strip("\"'") for p in parts)


class LineIndex:
    """Line numbers of tables and keys in a TOML text (tomllib gives none)."""

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[str, ...], int] = {}
        self.keys: dict[tuple[str, ...], int] = {}
        current: tuple[str, ...] = ()
        for lineno, line in enumerate(text.splitlines(), start=1):
            m = _HEADER.match(line)
            if m:
                current = _split_dotted(m.group(1))
                for i in range(1, len(current) + 1):
                    self.tables.setdefault(current[:i], lineno)
                continue
            k = _KEY.match(line)
            if k:
                path = current + _split_dotted(k.group(1))
                self.keys.setdefault(path, lineno)
                for i in range(len(current) + 1, len(path)):   # dotted keys define tables
                    self.tables.setdefault(path[:i], lineno)

    def line(self, *path: str) -> int | None:
        """Line of the key or table at ``path`` (or of its closest parent)."""
        for n in range(len(path), 0, -1):
            p = tuple(path[:n])
            if p in self.keys:
                return self.keys[p]
            if p in self.tables:
                return self.tables[p]
        return None
