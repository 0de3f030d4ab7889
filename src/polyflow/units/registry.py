"""The registry of unit models by ``model`` name.

Every unit class registers itself when it is defined (``Unit.__init_subclass__``);
:func:`model_registry` first imports every module of :mod:`polyflow.units`, so a new
model needs only its own file. It lives apart from :mod:`polyflow.units.base` so that
the base class does not import the models built on it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path

from polyflow.units.base import _REGISTRY, Unit

__all__ = ["model_registry"]


def model_registry() -> Mapping[str, type[Unit]]:
    """The registered unit models by model name (a copy)."""
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_"):
            importlib.import_module(f"polyflow.units.{info.name}")
    return dict(_REGISTRY)
