"""The structure of the plant system: the degrees-of-freedom check before Newton, the
LU factorisation, and the unknowns a singular Jacobian leaves free (named for the user)."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import maximum_bipartite_matching

from polyflow.errors import SingularSystemError, SpecificationError
from polyflow.solve.scaling import HUGE_ENTRY
from polyflow.solve.system import EquationSystem

__all__ = ["OrderedFactor", "check_structure", "factor", "matching", "null_direction",
           "singular"]

def check_structure(system: EquationSystem) -> None:
    """Structural degrees-of-freedom check: is there a perfect matching of equations
    to unknowns? Names the unknowns no equation can fix and the surplus equations."""
    if system.n_rows != system.n:
        raise SpecificationError(
            f"the plant has {system.n_rows} equations for {system.n} unknowns",
            hint="a unit is over- or under-specified; run 'polyflow check' for the unit")
    if system.n == 0:
        return
    match = matching(system)
    if np.all(match >= 0):
        return
    free_rows = np.nonzero(match < 0)[0]
    matched_cols = set(match[match >= 0].tolist())
    free_cols = [j for j in range(system.n) if j not in matched_cols]
    unconstrained = [system.var_label(j) for j in free_cols[:12]]
    surplus = sorted({system.row_label(r)[0] for r in free_rows})
    raise SingularSystemError(
        "the equations leave some unknowns free and fix others twice (structurally "
        f"singular); units with a surplus equation: {', '.join(surplus[:8])}",
        unconstrained=unconstrained,
        hint="connect every stream, and give each unit one specification per unknown")


def matching(system: EquationSystem) -> np.ndarray:
    """A maximum matching of the system's rows to its unknowns on its structural
    pattern: the column matched to each row, −1 for a row left unmatched (Duff, Erisman
    & Reid, *Direct Methods for Sparse Matrices*, 2nd ed. 2017, ch. 6). Kept on the
    system for its pattern: the structural check and the specs' influence graph
    (:func:`polyflow.solve.specs.influence_graph`) read the same one, computed once."""
    kept = getattr(system, "_matching", None)
    if kept is not None and kept[0] is system._indices and kept[1] is system._indptr:
        return kept[2]
    match = maximum_bipartite_matching(system.pattern().tocsr(), perm_type="column")
    system._matching = (system._indices, system._indptr, match)
    return match


#: random starts of the inverse iteration in :func:`null_direction`
N_DIRECTIONS = 4


def null_direction(J: sp.csc_matrix, system: EquationSystem) -> list[tuple[str, str]]:
    """Unknowns along which a numerically singular J does not change, by inverse
    iteration on a slightly shifted matrix (Golub & Van Loan, *Matrix Computations*,
    4th ed., §7.6.1), with the largest components read.

    The columns are first permuted so that every row's matched unknown sits on the
    diagonal (the structural check guarantees a perfect matching): the shift then adds
    no new nonzeros and the factorisation costs what a Newton step does (a shift of the
    unpermuted diagonal filled the LU of a 150-unit plant for 30 s). The shift is
    relative to the median entry (J is equilibrated, so ~1), not to the largest: rows of
    units at zero flow can hold outliers of 1e30 that would swamp the direction. The
    smallest of 1e-12, 1e-9, 1e-6 (× the median) that the factorisation resolves is used.
    :data:`N_DIRECTIONS` random starts are iterated, so that a plant with several null
    directions has each named. No direction is given (an empty list) when an entry
    exceeds HUGE_ENTRY.
    """
    n = J.shape[0]
    if not np.all(np.abs(J.data) <= HUGE_ENTRY):      # also catches NaN
        return []
    mag = np.abs(J.data[J.data != 0.0])
    typical = float(np.median(mag)) if len(mag) else 1.0
    match = maximum_bipartite_matching(J.tocsr(), perm_type="column")
    if np.any(match < 0):
        return []
    Jm = J[:, match]
    # the smallest shift the factorisation resolves: the smaller, the more the null
    # direction stands out from merely ill-conditioned ones
    for rel in (1e-12, 1e-9, 1e-6):
        try:
            lu = spla.splu((Jm + rel * typical * sp.identity(n, format="csc")).tocsc(),
                           permc_spec="COLAMD")
            break
        except RuntimeError:
            continue
    else:
        return []
    named: list[int] = []
    for seed in range(N_DIRECTIONS):
        # a singular plant often has several null directions (a gas with no exit in each
        # of its species, a loop whose level nothing fixes at the start): which one an
        # inverse iteration finds depends on its random start, so several are read and
        # their largest components named, each direction's in turn
        y = np.random.default_rng(seed).standard_normal(n)
        for _ in range(3):
            y = lu.solve(y)
            y /= np.max(np.abs(y))           # before the norm, which would overflow
            y /= np.linalg.norm(y)
            if not np.all(np.isfinite(y)):
                return []
        z = np.empty(n)
        z[match] = y
        big = np.argsort(-np.abs(z))
        keep = big[np.abs(z[big]) > 1e-3 * np.abs(z[big[0]])][:12 // N_DIRECTIONS]
        named += [int(j) for j in keep if int(j) not in named]
    return [system.var_label(j) for j in named]


class _MatchedLU:
    """The LU of ``J[:, match]``, solving with ``J``."""

    def __init__(self, lu, match: np.ndarray) -> None:
        self.lu, self.match = lu, match

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        y = self.lu.solve(rhs)
        x = np.empty_like(y)
        x[self.match] = y
        return x


def matched_lu(J: sp.csc_matrix) -> _MatchedLU | None:
    """The LU of ``J`` with its columns first permuted so that every diagonal entry is a
    numerically nonzero one, or None when it cannot be had: a maximum bipartite matching
    of rows to columns on the nonzero values, the static pre-ordering of Duff & Koster,
    *SIAM J. Matrix Anal. Appl.* 22 (2001) 973, as SuperLU_DIST uses it (Li & Demmel,
    *ACM TOMS* 29 (2003) 110).

    Newton asks for it on its first, start-up Jacobian unless the plant's option
    ``start_ordering`` is ``"plain"`` (it is ``"matched"`` by default): there the start-up
    equations of a 200-stage rare-earth cascade (a fixed split per element) hold exact zeros
    where the real equations have derivatives, and without it SuperLU's pivots wander from
    the structure COLAMD planned: the symbolic fill of its pivot sequence was 1.35 million
    entries against 104,000 for the converged Jacobian of the same pattern (all but 91,000
    of them exact zeros), and the factorisation took 10-15 times as long (docs/solver.md,
    "Performance")."""
    nonzero = J.copy()
    nonzero.eliminate_zeros()
    match = maximum_bipartite_matching(nonzero.tocsr(), perm_type="column")
    if np.all(match >= 0):
        with warnings.catch_warnings():
            warnings.simplefilter("error", spla.MatrixRankWarning)
            try:
                return _MatchedLU(spla.splu(J[:, match].tocsc(), permc_spec="COLAMD"),
                                  match)
            except (RuntimeError, spla.MatrixRankWarning):
                pass
    return None


def _splu(J: sp.csc_matrix, permc_spec: str = "COLAMD"):
    """SuperLU's factors of ``J``, or None when it is singular."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", spla.MatrixRankWarning)
        try:
            return spla.splu(J, permc_spec=permc_spec)
        except (RuntimeError, spla.MatrixRankWarning):
            return None


class OrderedFactor:
    """The LU of the Jacobian's block ``(rows, cols)`` (all of it when ``keep`` is None)
    at every Newton iteration of one system, ordered once.

    The column ordering SuperLU computes (COLAMD, then the postorder of the column
    elimination tree) depends on the sparsity pattern only, and the pattern of a system's
    Jacobian is fixed at assembly. So the first factorisation keeps it (``perm_c``) with
    the positions of the block's entries in the Jacobian's CSC data, and every later one
    gathers the values straight into the ordered block and factors it with the natural
    order: the same pivots and the same factors bit for bit (the elimination is the same
    sequence of operations), without the sub-matrix indexing and the ordering
    (benchmarks/startup.py: 35–45 % of a factorisation of the refinery's 18,299 plant
    rows). Kept on the system (``system.ordered_factor``), so a study's points that reuse
    an assembly reuse it too.
    """

    def __init__(self, J: sp.csc_matrix, keep: tuple[np.ndarray, np.ndarray] | None):
        self.keep = keep
        self.nnz = J.nnz
        self.inv: np.ndarray | None = None      # the kept ordering, once one was found

    def _block(self, J: sp.csc_matrix) -> sp.csc_matrix:
        if self.keep is None:
            return J
        rows, cols = self.keep
        return J[rows][:, cols]

    def lu(self, J: sp.csc_matrix):
        """An object whose ``solve(b)`` solves the block for ``b`` (the block's rows),
        or None when the block is singular."""
        if self.inv is None or J.nnz != self.nnz:
            lu = _splu(self._block(J))
            if lu is None:
                return None
            inv = np.empty_like(lu.perm_c)
            inv[lu.perm_c] = np.arange(len(inv))
            marker = sp.csc_matrix((np.arange(1.0, J.nnz + 1.0), J.indices, J.indptr),
                                   shape=J.shape)
            ordered = self._block(marker)[:, inv]
            self.gather = ordered.data.astype(np.int64) - 1
            self.pattern = (ordered.indices, ordered.indptr, ordered.shape)
            self.inv, self.nnz = inv, J.nnz
            return lu
        indices, indptr, shape = self.pattern
        lu = _splu(sp.csc_matrix((J.data[self.gather], indices, indptr), shape=shape),
                   "NATURAL")
        return None if lu is None else _Unordered(lu, self.inv)


class _Unordered:
    """Solves with the factors of the column-ordered block, in the block's numbering."""

    def __init__(self, lu, inv: np.ndarray):
        self.lu, self.inv = lu, inv

    def solve(self, b: np.ndarray) -> np.ndarray:
        x = np.empty(len(self.inv))
        x[self.inv] = self.lu.solve(b)
        return x


def factor(J: sp.csc_matrix, system: EquationSystem, matched: bool = False):
    """The sparse LU of ``J`` (SuperLU, COLAMD column ordering, partial pivoting),
    after the matched column pre-ordering of :func:`matched_lu` when ``matched``; the
    error naming the unknowns when ``J`` is singular."""
    lu = matched_lu(J) if matched else None
    if lu is not None:
        return lu
    lu = _splu(J)
    if lu is not None:
        return lu
    raise singular(J, system)


def singular(J: sp.csc_matrix, system: EquationSystem) -> SingularSystemError:
    """The error of a singular Jacobian ``J``, naming the unknowns along its null
    direction."""
    return SingularSystemError(
        "the Jacobian is singular: some flows are not fixed by any equation (for "
        "example a recycle loop with no exit, or a split of 100 % back into its own loop)",
        unconstrained=null_direction(J, system),
        hint="give the loop an exit (a bleed or a product) or change the split fractions")
