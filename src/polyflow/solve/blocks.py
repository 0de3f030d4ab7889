"""The constants of the plant system and :class:`Block`, the nonlinear equations of one
unit on a few variables (with their local Jacobian)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["DEAD_FLOW", "MJ_H_PER_KW", "PLANT_FLOOR", "ROW_ENERGY", "ROW_INTERNAL",
           "SPECIES_FLOOR", "Block"]

#: outlet flow below which an energy row treats its unit as empty [fraction of plant feed]
DEAD_FLOW = 1e-12
#: kJ/mol (MJ/kmol) × kmol/h = MJ/h; divided by this gives kW
MJ_H_PER_KW = 3.6

#: a species row's scale is at least this fraction of that species' largest flow
SPECIES_FLOOR = 1e-3
#: ... and at least this fraction of the plant's feed flow (flows below are round-off)
PLANT_FLOOR = 1e-16

# Row kinds, for error messages.
ROW_ENERGY = -1
ROW_INTERNAL = -2


@dataclass
class Block:
    """Nonlinear equations of one unit on a few variables.

    ``func(xloc) -> (r, scale)`` gives the residuals and their magnitudes (the sum of the
    absolute terms, for the scaled convergence test). Without a ``pattern``, ``jac(xloc)``
    returns the dense ``len(rows) × len(cols)`` Jacobian, or is ``None`` for central finite
    differences. With ``pattern = (ri, ci)`` (local row and column indices of the
    nonzeros), ``jac(xloc)`` returns the values at those positions: the form for large
    blocks such as a 200-stage cascade, whose Jacobian is mostly zeros.
    """

    rows: np.ndarray
    cols: np.ndarray
    func: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    jac: Callable[[np.ndarray], np.ndarray] | None = None
    fd_step: float = 1e-7
    pattern: tuple[np.ndarray, np.ndarray] | None = None
    #: equations used in the first Newton iteration only, from the all-zero start where
    #: the real ones may be singular: (func, jac) with the same rows, columns and pattern
    start: tuple[Callable, Callable | None] | None = None
    #: global stream-flow columns among ``cols`` that Newton does not keep >= 0 (all
    #: others are: a rate law or an isotherm is undefined below zero); for a block whose
    #: rows stay smooth through zero flows (floored totals), so that a downstream unit's
    #: inlets do not hold the step of the whole plant (docs/solver.md)
    unbounded: np.ndarray | None = None

    def started(self, first: bool) -> Block:
        """This block, or its start-up form in the first iteration."""
        if not first or self.start is None:
            return self
        func, jac = self.start
        return Block(self.rows, self.cols, func, jac, self.fd_step, self.pattern,
                     unbounded=self.unbounded)

    def global_pattern(self) -> tuple[np.ndarray, np.ndarray]:
        """(global rows, global columns) of the block's Jacobian entries, in the order
        :meth:`values` returns them."""
        if self.pattern is None:
            return np.repeat(self.rows, len(self.cols)), np.tile(self.cols, len(self.rows))
        ri, ci = self.pattern
        return self.rows[ri], self.cols[ci]

    def values(self, xloc: np.ndarray) -> np.ndarray:
        """Jacobian values in the order of :meth:`global_pattern`."""
        if self.pattern is not None and self.jac is not None:
            return np.asarray(self.jac(xloc), dtype=float)
        J = self.jacobian(xloc)
        if self.pattern is None:
            return J.ravel()
        return J[self.pattern[0], self.pattern[1]]

    def jacobian(self, xloc: np.ndarray) -> np.ndarray:
        """The dense local Jacobian (analytic, or central finite differences)."""
        if self.jac is not None:
            if self.pattern is None:
                return np.asarray(self.jac(xloc), dtype=float)
            J = np.zeros((len(self.rows), len(self.cols)))
            J[self.pattern[0], self.pattern[1]] = self.jac(xloc)
            return J
        m, k = len(self.rows), len(self.cols)
        J = np.empty((m, k))
        for j in range(k):
            h = self.fd_step * max(1.0, abs(xloc[j]))
            xp, xm = xloc.copy(), xloc.copy()
            xp[j] += h
            xm[j] -= h
            J[:, j] = (self.func(xp)[0] - self.func(xm)[0]) / (2 * h)
        return J
