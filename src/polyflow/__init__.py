"""polyflow: process flowsheet simulation for poly-metallic refineries.

Mass and energy balances of the whole plant are solved together as one sparse system
by Newton's method. Typical use in a notebook::

    import polyflow
    fs = polyflow.load("flowsheets/copper_oxide_leach.toml")
    result = polyflow.solve(fs)          # or fs.solve(): a Result record
    result.closure, result.recovery["Cu"]
"""

from polyflow import solve
from polyflow.errors import PolyflowError
from polyflow.flowsheet import Flowsheet
from polyflow.io.reader import load
from polyflow.result import Result
from polyflow.solve import assemble, check

__all__ = ["Flowsheet", "PolyflowError", "Result", "assemble", "check", "load", "solve"]
__version__ = "0.1.0"
