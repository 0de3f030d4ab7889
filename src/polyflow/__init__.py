"""polyflow: process flowsheet simulation for poly-metallic refineries.

Mass and energy balances of the whole plant are solved together as one sparse system
by Newton's method. Typical use in a notebook::

    import polyflow
    fs = polyflow.load("flowsheets/copper_oxide_leach.toml")
    result = fs.solve()
    result.closure, result.recovery["Cu"]
"""

from polyflow.errors import PolyflowError
from polyflow.flowsheet import Flowsheet
from polyflow.io.reader import load
from polyflow.result import Result

__all__ = ["Flowsheet", "PolyflowError", "Result", "load"]
__version__ = "0.1.0"
