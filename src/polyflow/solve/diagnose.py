"""Why a plant has no solution: the diagnosis that tells an infeasible specification
(a negative flow: a unit consumes more of a species than reaches it) from a Newton
iteration that did not converge.

A plant whose material balance is linear in the flows (mixers, splitters, separators,
fixed-conversion reactors, duties) has its flows exactly after Newton's first step; if one
of them is negative, no iteration can help and the energy balance (a stream cooled to the
200 K floor, say) is only a symptom. So a failed solve is first checked for negative
flows, then for temperatures at the floor, and only then reported as not converged,
naming the rows that stall.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from polyflow.errors import SpecificationError

if TYPE_CHECKING:
    from polyflow.solve.system import EquationSystem

__all__ = ["NEGATIVE_TOL", "ROUNDOFF", "negative_flow_error", "worst_negative"]

#: a flow below -NEGATIVE_TOL × (reference flow of that species) is infeasible
NEGATIVE_TOL = 1e-9
#: ... or below -ROUNDOFF × (the plant's feed flow): round-off of the linear solve
ROUNDOFF = 1e-14


def worst_negative(system: EquationSystem, x: np.ndarray, ref_species: np.ndarray,
                   ref_flow: float) -> tuple[int, int] | None:
    """(stream, species) of the most negative flow relative to its tolerance, or None
    when every flow is within round-off of non-negative."""
    N, _ = system.stream_view(x)
    if not N.size:
        return None
    allowed = NEGATIVE_TOL * ref_species + ROUNDOFF * ref_flow
    worst = np.unravel_index(np.argmin(N / allowed), N.shape)
    if N[worst] < -allowed[worst[1]]:
        return int(worst[0]), int(worst[1])
    return None


def negative_flow_error(system: EquationSystem, streams, x: np.ndarray,
                        ref_species: np.ndarray, ref_flow: float, converged: bool = True
                        ) -> SpecificationError | None:
    """The infeasibility error naming the unit, stream and species of the most negative
    flow of ``x`` (``streams[s]`` has ``.name`` and ``.src``), or None. ``converged``
    False: ``x`` is where a failed Newton iteration stopped."""
    found = worst_negative(system, x, ref_species, ref_flow)
    if found is None:
        return None
    s, i = found
    N, _ = system.stream_view(x)
    spec = streams[s]
    sid = system.species.ids[i]
    kg = N[s, i] * system.species.mw[i]
    where = "" if converged else ", where Newton stopped: the plant is infeasible"
    return SpecificationError(
        f"the balance needs a negative flow of {sid} in stream {spec.name!r} "
        f"({kg:.4g} kg/h{where}): the unit consumes more {sid} than reaches it",
        unit=spec.src,
        hint=f"add {sid} upstream of '{spec.src}' or lower the conversion that uses it")
