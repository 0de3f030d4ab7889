"""The registry of unit models by ``model`` name, without importing every model.

Every unit class registers itself when it is defined (``Unit.__init_subclass__``).
:func:`model_modules` finds which module defines each model by reading the sources of
:mod:`polyflow.units` for a class-level ``model = "NAME"`` (no import), so a new model
needs only its own file; :func:`model_registry` is a mapping that imports a model's
module the first time the model is looked up. A flowsheet of mixers and separators does
not import the ball mill and its scipy parts. It lives apart from
:mod:`polyflow.units.base` so that the base class does not import the models built on it.

>>> model_modules()["ree_cascade"]
'polyflow.units.ree.unit'
>>> "mixer" in model_registry(), model_registry()["mixer"].__name__
(True, 'Mixer')
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from polyflow.units.base import _REGISTRY, Unit

__all__ = ["model_modules", "model_registry"]

_HERE = Path(__file__).parent
#: a class attribute ``model = "name"`` (four spaces in: a class body, not a function)
_MODEL = re.compile(r"^    model\s*=\s*[\"']([A-Za-z0-9_]+)[\"']", re.MULTILINE)


@cache
def model_modules() -> Mapping[str, str]:
    """Model name -> the module that defines it, from the sources (read once)."""
    out: dict[str, str] = {}
    for path in sorted(_HERE.rglob("*.py")):
        parts = path.relative_to(_HERE).with_suffix("").parts
        if any(p.startswith("_") for p in parts):
            continue
        module = ".".join(("polyflow", "units", *parts))
        for name in _MODEL.findall(path.read_text(encoding="utf-8")):
            out.setdefault(name, module)
    return out


class _Registry(Mapping):
    """Models by name: those defined in :mod:`polyflow.units` (imported on first
    lookup) and any other registered class (a plug-in, a test's unit)."""

    def __getitem__(self, name: str) -> type[Unit]:
        if name not in _REGISTRY and name in model_modules():
            importlib.import_module(model_modules()[name])
        return _REGISTRY[name]

    def __contains__(self, name: object) -> bool:
        return name in model_modules() or name in _REGISTRY

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*model_modules(), *_REGISTRY]))

    def __len__(self) -> int:
        return len(set(model_modules()) | set(_REGISTRY))


def model_registry() -> Mapping[str, type[Unit]]:
    """The registered unit models by model name (each imported when looked up)."""
    return _Registry()
