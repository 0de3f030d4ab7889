"""Capacity of equipment: the utilisation a unit reports (drawn vs installed power,
flow vs what the equipment passes) and the warning it raises when over capacity."""

from __future__ import annotations

import warnings

__all__ = ["CapacityWarning", "utilisation", "warn"]


class CapacityWarning(UserWarning):
    """A unit runs beyond what its equipment can do (power above the installed motor,
    flow above capacity, a roping cyclone): the result is computed, and suspect."""


def utilisation(unit: str, what: str, value: float, capacity: float | None,
                fix: str) -> float | None:
    """``100 value/capacity`` [%] (``None`` without a capacity); above 100 % a
    :class:`CapacityWarning` names the unit, the measure and what would fix it.

    >>> utilisation("mill", "power", 50.0, 100.0, "a larger motor")
    50.0
    """
    if capacity is None or not capacity > 0:
        return None
    u = 100.0 * value / capacity
    if u > 100.0:
        warnings.warn(f"unit {unit!r}: {what} is {u:.0f} % of capacity ({value:.4g} for "
                      f"{capacity:.4g}); {fix}", CapacityWarning, stacklevel=3)
    return u


def warn(unit: str, message: str) -> None:
    """A :class:`CapacityWarning` at ``unit`` (roping, a flow outside the model's range)."""
    warnings.warn(f"unit {unit!r}: {message}", CapacityWarning, stacklevel=3)
