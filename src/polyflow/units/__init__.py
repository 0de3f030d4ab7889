"""Unit-operation models, one per module, registered by their ``model`` name."""

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
