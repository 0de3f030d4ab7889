"""The damped Newton step shared by the cascade's start profiles (:mod:`.loaded`,
:mod:`.acid_loading`): a step limited per unknown, logarithms of fractions kept below
zero, and backtracking on the residual norm (Armijo's rule: J. Nocedal & S. J. Wright,
*Numerical Optimization*, 2nd ed. (2006), §3.1, with the sufficient-decrease constant
1e-4 of their Algorithm 3.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["continuation", "damped_step"]


def damped_step(z: np.ndarray, dz: np.ndarray, r: np.ndarray,
                evaluate: Callable[[np.ndarray], Any], residual: Callable[[Any], np.ndarray],
                limit: np.ndarray, negative: np.ndarray, halvings: int):
    """One damped Newton step from ``z`` along ``dz`` (``r``: the residual at ``z``).

    The step is scaled so that no component exceeds its ``limit`` (all scaled by the
    one factor, so the direction is kept); a trial component flagged ``negative`` (the
    logarithm of a fraction) that would cross 0 is halved towards 0 instead; the step is
    halved until the residual norm of ``evaluate(trial)`` (read by ``residual``) falls
    by the Armijo fraction, at most ``halvings`` times.
    Returns ``(trial, evaluate(trial))``, or None when the step is not finite or no
    halving decreases the norm.

    Example: on r(z) = z² − 4 from z = −1 (step limit 1, z kept below 0) the full
    Newton step −1.5 is cut to −1, and z = −2 decreases the norm from 3 to 0.

    >>> z, out = damped_step(np.array([-1.0]), np.array([-1.5]), np.array([-3.0]),
    ...                      lambda z: z * z - 4, lambda r: r, np.array([1.0]),
    ...                      np.array([True]), 10)
    >>> float(z[0]), float(out[0])
    (-2.0, 0.0)
    """
    if not np.all(np.isfinite(dz)):
        return None
    with np.errstate(divide="ignore"):
        factor = float(np.min(limit / np.abs(dz), initial=np.inf))
    if factor < 1.0:           # limit/max|dz| exactly: correctly rounded division is monotone
        dz = dz * factor
    norm0 = float(np.linalg.norm(r))
    alpha = 1.0
    for _ in range(halvings):
        trial = z + alpha * dz
        trial = np.where(negative & (trial > 0.0), 0.5 * z, trial)
        out = evaluate(trial)
        norm = float(np.linalg.norm(residual(out)))
        if np.isfinite(norm) and norm < (1.0 - 1e-4 * alpha) * norm0:
            return trial, out
        alpha *= 0.5
    return None


def continuation(attempt: Callable[[float, float, Any], tuple[bool, Any]], state: Any,
                 min_dt: float) -> Any:
    """Adaptive continuation in a parameter t from 0 to 1 (E. L. Allgower & K. Georg,
    *Introduction to Numerical Continuation Methods*, SIAM (2003), ch. 1: embedding
    and step-length adaptation).

    ``attempt(t, t_next, state)`` tries to carry ``state`` (converged at t) to t_next
    and returns ``(ok, new_state)``. The step starts at 1, is doubled after a success
    (never past t = 1) and halved after a failure. Returns the state at t = 1, or None
    when the step falls below ``min_dt``.

    Example: a step longer than 0.3 fails, so t goes 0 → 0.25 → 0.5 → 0.75 → 1.

    >>> continuation(lambda t, tn, s: (tn - t <= 0.3, s + [tn]), [], 1e-3)
    [0.25, 0.5, 0.75, 1.0]
    """
    t, dt = 0.0, 1.0
    while t < 1.0:
        t_next = min(1.0, t + dt)
        ok, new_state = attempt(t, t_next, state)
        if ok:
            t, state = t_next, new_state
            dt = min(2.0 * dt, 1.0 - t)
        else:
            dt *= 0.5
            if dt < min_dt:
                return None
    return state
