"""Unit-operation models, one per module, registered by their ``model`` name.

The names below are imported on first use (PEP 562), and the registry
(:mod:`polyflow.units.registry`) finds a model's module without importing the others,
so importing :mod:`polyflow.units.base` does not import every model and its scipy parts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polyflow.units.base import Param, Unit
    from polyflow.units.feed import Feed
    from polyflow.units.heater import Heater
    from polyflow.units.mixer import Mixer
    from polyflow.units.product import Product
    from polyflow.units.reactor import StoichiometricReactor
    from polyflow.units.registry import model_registry
    from polyflow.units.separator import Separator
    from polyflow.units.splitter import Splitter

__all__ = [
    "Feed",
    "Heater",
    "Mixer",
    "Param",
    "Product",
    "Separator",
    "Splitter",
    "StoichiometricReactor",
    "Unit",
    "model_registry",
]

_LAZY = {"Feed": "feed", "Heater": "heater", "Mixer": "mixer", "Param": "base",
         "Product": "product", "Separator": "separator", "Splitter": "splitter",
         "StoichiometricReactor": "reactor", "Unit": "base", "model_registry": "registry"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"polyflow.units.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'polyflow.units' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
