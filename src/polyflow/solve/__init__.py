"""Assembly of the plant system and its sparse Newton solution.

The algorithms are free functions of the flowsheet (as networkx's are of the graph)::

    from polyflow.solve import assemble, check, solve
    result = solve(fs)                               # a Result record
    study = solve(fs, raise_on_failure=False)        # status "failed" instead of raising

``polyflow.solve(fs, ...)`` works too: this package is callable and calls
:func:`polyflow.solve.driver.solve` (a package that is also the function keeps
``import polyflow.solve.newton as newton`` working, which a function of the same name
in ``polyflow`` would shadow).
"""

import sys
import types

from polyflow.solve.assemble import Assembly, assemble, check
from polyflow.solve.driver import solve

__all__ = ["Assembly", "assemble", "check", "solve"]


class _SolvePackage(types.ModuleType):
    """The package, callable as :func:`polyflow.solve.driver.solve`."""

    def __call__(self, fs, **kw):
        return solve(fs, **kw)


sys.modules[__name__].__class__ = _SolvePackage
