"""Design calculations that size units from targets, then verify them by simulation.

The names below are imported on first use (PEP 562), so the command line's ``design``
group costs nothing until it runs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polyflow.design.ree import CascadeDesign, design_cascade, reo_purity, verify_design

__all__ = ["CascadeDesign", "design_cascade", "reo_purity", "verify_design"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("polyflow.design.ree"), name)
    raise AttributeError(f"module 'polyflow.design' has no attribute {name!r}")
