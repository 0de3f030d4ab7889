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


def negative_heat_capacity(system: EquationSystem, x: np.ndarray, ref_flow: float
                           ) -> tuple[str, float, str, float] | None:
    """(stream, heat capacity [kW/K], the solute that makes it negative, its mass
    fraction of the stream) for the first stream whose temperature an energy balance
    fixes and whose heat capacity is not positive, or None.

    Standard partial molar heat capacities of ions are negative (SO4²⁻ −293 J/(mol K),
    Wagman et al., *J. Phys. Chem. Ref. Data* 11 suppl. 2 (1982)); they describe dilute
    solutions, and a liquor of tens of % solutes summed on them can have a heat capacity
    of zero or below: its energy balance then fixes no temperature and Newton wanders.
    """
    if not len(system.e_streams):
        return None
    _, _, dHdT, flow, T = system._energy_terms(x)
    live = flow > 1e-9 * ref_flow
    # streams whose temperature an energy balance fixes (a feed's is given)
    solved = np.isin(system.e_streams, system.e_primary)
    bad = np.nonzero(live & solved & (dHdT <= 0))[0]
    if not len(bad):
        return None
    k = int(bad[0])
    s = int(system.e_streams[k])
    N, _ = system.stream_view(x)
    cp = system.species.cp_molar(np.array([max(T[s], 1.0)]))[0] * N[s]
    i = int(np.argmin(cp))
    mass = N[s] * system.species.mw
    return (system.builder.stream_names[s], float(dHdT[k]), system.species.ids[i],
            float(mass[i] / max(mass.sum(), 1e-300)))
