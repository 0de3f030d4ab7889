"""polyflow: process flowsheet simulation for poly-metallic refineries.

Mass and energy balances of the whole plant are solved together as one sparse system
by Newton's method. Typical use in a notebook::

    import polyflow
    fs = polyflow.load("flowsheets/copper_oxide_leach.toml")
    result = polyflow.solve(fs)          # or fs.solve(): a Result record
    result.closure, result.recovery["Cu"]

The names below are imported on first use (PEP 562), so ``import polyflow`` and
``polyflow --help`` do not pay for numpy, scipy and the unit models.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# One BLAS thread unless the user asks for more (before numpy is first imported; no
# effect after): polyflow's dense operations are small (a norm of 20,000 numbers, a
# 105 x 200 product), and OpenBLAS's threads cost more than they save on them: on the
# 2-core machine the refinery's solve took 40 % less CPU with one thread, with the same
# results bit for bit (benchmarks/startup.py; README "Speed of a whole run").
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

if TYPE_CHECKING:
    from polyflow import solve
    from polyflow.errors import PolyflowError
    from polyflow.flowsheet import Flowsheet
    from polyflow.io.reader import load
    from polyflow.result import Result
    from polyflow.solve import assemble, check

__all__ = ["Flowsheet", "PolyflowError", "Result", "assemble", "check", "load", "solve"]
__version__ = "0.1.0"

#: public name -> the module that defines it
_LAZY = {"Flowsheet": "polyflow.flowsheet", "PolyflowError": "polyflow.errors",
         "Result": "polyflow.result", "assemble": "polyflow.solve", "check": "polyflow.solve",
         "load": "polyflow.io.reader"}


def __getattr__(name: str) -> Any:
    if name == "solve":                 # the callable package polyflow.solve
        return importlib.import_module("polyflow.solve")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'polyflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
