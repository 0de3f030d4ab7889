"""Assembly of the plant system and its sparse Newton solution.

The algorithms are free functions of the flowsheet (as networkx's are of the graph)::

    from polyflow.solve import assemble, check, solve, solve_variant
    result = solve(fs)                               # a Result record
    study = solve(fs, raise_on_failure=False)        # status "failed" instead of raising
    variant = solve_variant(fs2, fs)                 # fs2: fs with --set values; continued
                                                     # from fs if its cold start fails

``polyflow.solve(fs, ...)`` works too: this package is callable and calls
:func:`polyflow.solve.driver.solve` (``polyflow.solve(fs2, base=fs)`` calls
``solve_variant``; a package that is also the function keeps
``import polyflow.solve.newton as newton`` working, which a function of the same name
in ``polyflow`` would shadow).
"""

import sys
import types

from polyflow.solve.assemble import Assembly, assemble, check
from polyflow.solve.continuation import solve_variant
from polyflow.solve.driver import solve

__all__ = ["Assembly", "assemble", "check", "solve", "solve_variant"]


class _SolvePackage(types.ModuleType):
    """The package, callable as :func:`polyflow.solve.driver.solve`; with ``base=`` (the
    plant ``fs`` is a variant of) as :func:`~polyflow.solve.continuation.solve_variant`:
    continuation from ``base`` when the cold start fails."""

    def __call__(self, fs, *, base=None, **kw):
        if base is not None:
            return solve_variant(fs, base, **kw)
        return solve(fs, **kw)


sys.modules[__name__].__class__ = _SolvePackage
