"""Assembly of the plant system and its sparse Newton solution.

The algorithms are free functions of the flowsheet (as networkx's are of the graph)::

    from polyflow.solve import assemble, check, solve
    result = solve(fs)                               # a Result record
    study = solve(fs, raise_on_failure=False)        # status "failed" instead of raising
"""

from polyflow.solve.assemble import Assembly, assemble, check
from polyflow.solve.driver import solve

__all__ = ["Assembly", "assemble", "check", "solve"]
