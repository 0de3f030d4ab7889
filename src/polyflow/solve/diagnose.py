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

import warnings
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from polyflow.errors import ConvergenceError, SpecificationError
from polyflow.solve.scaling import equilibrate, scaled
from polyflow.solve.system import ROW_ENERGY

if TYPE_CHECKING:
    from polyflow.solve.system import EquationSystem

__all__ = ["NEGATIVE_TOL", "ROUNDOFF", "material_only", "material_solved", "negative_flow_error",
           "vanishing_heat_capacity", "worst_negative"]

#: a flow below -NEGATIVE_TOL × (reference flow of that species) is infeasible
NEGATIVE_TOL = 1e-9
#: ... or below -ROUNDOFF × (the plant's feed flow): round-off of the linear solve
ROUNDOFF = 1e-14
#: a failed iterate whose material rows are below this (scaled) has its flows: a
#: negative one there is an infeasible plant, whatever the energy balance did
MATERIAL_TOL = 1e-8
#: heat capacity of liquid water near 25 °C [kJ/(kg K)] (NIST Chemistry WebBook,
#: Wagner & Pruss IAPWS-95: 4.18 kJ/(kg K))
CP_WATER = 4.18
#: a stream whose heat capacity per kg is below this fraction of water's has a
#: temperature its energy balance hardly fixes (a degree is worth almost no heat)
MIN_CP_FRACTION = 0.05


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


def material_solved(system: EquationSystem, rel: np.ndarray) -> bool:
    """Whether every row but the energy and temperature rows is solved (scaled residual
    below MATERIAL_TOL) at an iterate with scaled residuals ``rel``."""
    material = (system.row_var != ROW_ENERGY) & (system.row_var != system.S)
    if system.aqueous is not None:          # speciation rows are not material balances
        material[system.aqueous.rows.ravel()] = False
    return not np.any(rel[material] > MATERIAL_TOL)


def negative_flow_error(system: EquationSystem, streams, x: np.ndarray,
                        ref_species: np.ndarray, ref_flow: float, converged: bool = True,
                        certain: bool = True
                        ) -> SpecificationError | ConvergenceError | None:
    """The infeasibility error naming the unit, stream and species of the most negative
    flow of ``x`` (``streams[s]`` has ``.name`` and ``.src``), or None. ``converged``
    False: ``x`` is where a failed Newton iteration stopped; ``certain`` (the material
    balance is solved there, only the energy balance failed) makes it an infeasible
    plant, else a non-convergence that names the flow (a nonlinear plant's iterate may
    cross zero on its way: continuation from a converged neighbour tells which)."""
    found = worst_negative(system, x, ref_species, ref_flow)
    if found is None:
        return None
    s, i = found
    N, _ = system.stream_view(x)
    spec = streams[s]
    sid = system.species.ids[i]
    kg = N[s, i] * system.species.mw[i]
    if not certain:
        return ConvergenceError(
            f"Newton stalls with a negative flow of {sid} in stream {spec.name!r} "
            f"({kg:.4g} kg/h) and the material balance unsolved: either the unit "
            f"consumes more {sid} than reaches it (an infeasible plant) or Newton lost "
            f"its way", unit=spec.src,
            hint="solve a neighbouring plant that converges and continue from it "
                 "(polyflow.solve.continuation.solve_variant) to tell which")
    where = "" if converged else ", where Newton stopped: the plant is infeasible"
    return SpecificationError(
        f"the balance needs a negative flow of {sid} in stream {spec.name!r} "
        f"({kg:.4g} kg/h{where}): the unit consumes more {sid} than reaches it",
        unit=spec.src,
        hint=f"add {sid} upstream of '{spec.src}' or lower the conversion that uses it")


def vanishing_heat_capacity(system: EquationSystem, x: np.ndarray, ref_flow: float
                            ) -> tuple[str, float, str, float] | None:
    """(stream, heat capacity [kW/K], the solute that lowers it most, its mass fraction
    of the stream) for the stream of lowest heat capacity per kg among those whose
    temperature an energy balance fixes, if below MIN_CP_FRACTION of water's; or None.

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
    N, _ = system.stream_view(x)
    mass = (N[system.e_streams] * system.species.mw).sum(axis=1)        # kg/h
    low = dHdT * 3600.0 < MIN_CP_FRACTION * CP_WATER * np.abs(mass)     # kJ/(h K)
    bad = np.nonzero(live & solved & low)[0]
    if not len(bad):
        return None
    k = int(bad[np.argmin(dHdT[bad] / np.maximum(np.abs(mass[bad]), 1e-300))])
    s = int(system.e_streams[k])
    cp = system.species.cp_molar(np.array([max(T[s], 1.0)]))[0] * N[s]
    i = int(np.argmin(cp))
    mass = N[s] * system.species.mw
    return (system.builder.stream_names[s], float(dHdT[k]), system.species.ids[i],
            float(mass[i] / max(mass.sum(), 1e-300)))

def material_only(system: EquationSystem, x: np.ndarray, ref_flow: float,
                   steps: int = 8) -> tuple[np.ndarray, bool]:
    """Newton on the material balance alone from a failed iterate: every energy row is
    replaced by ``ΔT = 0`` (temperatures frozen; the streams' speciation too) and no
    bound is held, so a flow the
    balance needs negative shows as such. Returns (iterate, whether every material row
    is solved). For the diagnosis only: a plant whose energy balance failed because a
    flow went negative (a stream "cooled to 200 K" that is really short of acid) is then
    named by the flow."""
    e_rows = system.e_row
    S, stride = system.S, system.stride
    # energy rows become ΔT = 0, speciation rows (not material balances) Δx = 0
    frozen_cols = system.e_primary * stride + S
    if system.aqueous is not None:
        e_rows = np.concatenate([e_rows, system.aqueous.rows.ravel()])
        frozen_cols = np.concatenate([frozen_cols, system.aqueous.cols.ravel()])
    keep = np.ones(system.n_rows)
    keep[e_rows] = 0.0
    fix = sp.csc_matrix((np.ones(len(e_rows)), (e_rows, frozen_cols)),
                        shape=(system.n_rows, system.n))
    x = x.copy()
    for _ in range(steps + 1):
        with np.errstate(all="ignore"):
            r, scale = system.residual(x, ref_flow)
        r[e_rows] = 0.0
        if not np.all(np.isfinite(r)):
            return x, False
        rel = scaled(r, scale)
        if material_solved(system, rel):
            return x, True
        with np.errstate(all="ignore"):
            J = (sp.diags(keep) @ system.jacobian(x, ref_flow) + fix).tocsc()
        with np.errstate(all="ignore"):
            row_s, col_s = equilibrate(system, x, scale, ref_flow)
            J = (sp.diags(row_s) @ J @ sp.diags(col_s)).tocsc()
        if not np.all(np.isfinite(J.data)):
            return x, False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", spla.MatrixRankWarning)
                dx = col_s * spla.splu(J, permc_spec="COLAMD").solve(-row_s * r)
        except (RuntimeError, spla.MatrixRankWarning):
            return x, False
        if not np.all(np.isfinite(dx)):
            return x, False
        x = x + dx
    return x, False
