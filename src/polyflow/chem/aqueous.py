"""Speciation of streams: the entry points for the global Newton system and for reports.

* :func:`stream_system` builds, once per flowsheet, the aqueous system of a species set
  (its masters from :func:`~polyflow.chem.aqueous_map.component_map`, the database's
  species and the minerals that may form) and the constant map ``A``.
* :func:`stream_rows` gives, for N aqueous streams at once, the speciation rows and their
  Jacobian blocks with respect to the stream's own unknowns ``x`` (N, n), the stream's
  species flows (N, n_species) and its temperature (N,): the rows that the solve adds per
  aqueous stream (see docs/aqueous-chemistry.md, "How it enters the global Newton system").
* :func:`speciate_streams` solves them standalone (reports, tests, start values).

>>> import numpy as np
>>> from polyflow.chem.species import load_database
>>> sp = load_database().subset(["H2O", "H2SO4(aq)", "CuSO4(aq)"])
>>> flows = np.array([[55.508, 0.163, 0.01]])     # kmol/h: 1 t/h water, 16 g/L acid
>>> sol = speciate_streams(sp, flows, 298.15)
>>> round(float(sol.pH[0]), 2), round(float(sol.ionic_strength[0]), 3)  # PHREEQC: 0.838, 0.231
(0.84, 0.231)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from polyflow.chem.aqueous_map import ComponentMap, component_map, totals
from polyflow.chem.equilibria import load_equilibria
from polyflow.chem.speciate import FREE_ACID_END_PH, Speciation, proton_reference, speciate
from polyflow.chem.speciation import AqueousSystem, aqueous_system, residuals
from polyflow.chem.species import SpeciesSet

__all__ = ["floored", "free_acid_coefficients", "speciate_streams", "stream_rows",
           "stream_system"]


def stream_system(species: SpeciesSet, database: str = "phreeqc",
                  minerals: Sequence[str] = ()) -> tuple[AqueousSystem, ComponentMap]:
    """The aqueous system and component map of a flowsheet's species set."""
    db = load_equilibria(database)
    cmap = component_map(species, db)
    sys = aqueous_system(db, cmap.masters, minerals, extra=cmap.spectators)
    return sys, cmap


def stream_rows(sys: AqueousSystem, cmap: ComponentMap, x, flows, T, floor: float = 1e-14,
                smooth: bool = True):
    """Speciation rows of N streams and their Jacobian blocks.

    Returns ``F`` (N, n), ``J_x`` (N, n, n), ``J_flows`` (N, n, n_species) and ``J_T``
    (N, n), where n = K + 2 + P unknowns per stream (log10 activities of the K masters,
    I, Σm, P mineral amounts). ``J_flows`` = −∂t/∂flows on the first K rows (the totals
    enter the rows linearly): (1000/W)·A − t ⊗ ∂W/∂n / W, constant A. Every master total
    is floored smoothly (:func:`floored`: ``floor`` [mol/kg] at a zero total, the total
    itself above ~1e3·floor, a positive sliver for a negative total, as a flow crossing
    zero on a Newton path gives): log activities need a positive total, 1e-14 mol/kg of a
    metal moves no pH, and the rows stay smooth and solvable through zero flows. With
    ``smooth=False`` the floor is added instead (``t + floor``: a unit that keeps its own
    unknowns relative to its totals, ``units/_free_share.py``, counts on that form).
    """
    t, dt = totals(cmap, flows)
    if smooth:
        t[:, 1:], slope = floored(t[:, 1:], floor)
    else:
        t[:, 1:] += floor
        slope = np.ones_like(t[:, 1:])
    F, J, JT = residuals(sys, x, t, T)
    K = len(sys.masters)
    Jn = np.zeros((F.shape[0], F.shape[1], dt.shape[2]))
    Jn[:, :K, :] = -dt
    Jn[:, 1:K, :] *= slope[:, :, None]
    return F, J, Jn, JT


def floored(t: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """(t_f, dt_f/dt) with t_f = (t + √(t² + 4 floor²))/2: a smooth positive floor on
    master totals (= floor at t = 0; t + floor²/t for t ≫ floor; floor²/|t| for
    negative t), so that the rows have a root and a derivative for any flows."""
    r = np.sqrt(t * t + 4.0 * floor * floor)
    # for t < 0 the form 2 floor²/(r − t), free of cancellation; the slope (1 + t/r)/2
    # is t_f/r
    tf = np.where(t >= 0.0, 0.5 * (t + r), 2.0 * floor * floor / (r - np.minimum(t, 0.0)))
    return tf, tf / r


def speciate_streams(species: SpeciesSet, flows, T, database: str = "phreeqc",
                     minerals: Sequence[str] = (), **kw) -> Speciation:
    """Speciate N streams of one species set: flows (N, n_species) [kmol/h], T [K]."""
    sys, cmap = stream_system(species, database, minerals)
    t, _ = totals(cmap, flows)
    return speciate(sys, t, T, **kw)


def free_acid_coefficients(sys: AqueousSystem, cmap: ComponentMap) -> np.ndarray:
    """kmol of titratable H+ per kmol of each species of the stream (free acid as labs
    report it, see :mod:`polyflow.chem.speciate`), a constant vector ``c``:
    free acid [mol H+/kg water] = 1000 (c · flows) / W, linear in the flows — the same
    value :func:`speciate` reports when no mineral forms. By the charge balance the
    proton excess over the masters is t_0 − Σ_k z_k t_k; the end-point species take r_k.

    >>> from polyflow.chem.species import load_database
    >>> sp = load_database().subset(["H2O", "H2SO4(aq)", "CuSO4(aq)", "NaHCO3(aq)"])
    >>> sys, cmap = stream_system(sp)
    >>> free_acid_coefficients(sys, cmap).tolist()     # per H2O, H2SO4, CuSO4, NaHCO3
    [0.0, 2.0, 0.0, -1.0]
    """
    zk = np.array([sys.z[sys.index(m)] for m in sys.masters])
    r = proton_reference(sys, FREE_ACID_END_PH)
    w = -(zk + r)
    w[0] = 1.0
    return w @ cmap.A + 0.0
