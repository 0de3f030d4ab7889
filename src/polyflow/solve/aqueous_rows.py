"""Aqueous speciation as rows of the one plant system (issue #12; DESIGN "Speciation
belongs to the stream").

Every stream of a flowsheet whose species set holds water gets n = K + 2 speciation
unknowns (log10 a of the K masters, H+ first; ionic strength I; total molality M = Σm;
no minerals: precipitation is a unit's act) and n rows, those of
:func:`polyflow.chem.aqueous.stream_rows` (Parkhurst & Appelo 2013, USGS TM 6-A43,
eqs. 27–37: charge balance, one mass balance per master, I and M), evaluated for all
streams at once. Their Jacobian blocks, on the stream's own unknowns (dense n × n), on
its flow columns (the nonzero columns of the component map ``A`` and water, first K rows)
and on its temperature column, have a fixed place in the global sparse pattern.

**Streams without water.** Whether a stream carries water is known only from the flows
(a filter cake does, a carbon or a vent stream does not), so every stream has the rows;
a stream is *dry* when its water is at most ``WATER_FLOOR`` of the largest water flow of
the plant's streams, or *concentrated* when the sum of its master totals exceeds
``STRONG_LIMIT`` mol/kg (a 98 % acid or 50 % caustic as delivered: far beyond any
activity model, and the molalities of the rows are then meaningless). Such a stream's
rows are ``x_s = x_idle`` (pure water at pH 7): identity blocks, never evaluated, so a
dry stream costs n unknowns of an identity in the LU and nothing per iteration. Its pH,
ionic strength and free acid are reported as null. The all-zero start makes every
stream dry, so the first Newton step sees identity rows, as the energy rows of empty
streams do (docs/solver.md).

**Nonlinear elimination.** :meth:`AqueousRows.settle` solves the speciation of every
wet stream for the flows and temperature of an iterate (batched damped Newton,
:func:`polyflow.chem.speciate.solve_speciation`, warm-started from the iterate's own
speciation unknowns, which the global step has already moved to first order; a stream
that does not converge so is started cold from :func:`~polyflow.chem.speciate.
initial_guess` with its pH bracketing, then from the strong-electrolyte limit without
it). When a unit or a spec reads a stream's speciation, Newton calls it on every trial
point before the residual, so the global step always sees converged speciation rows and
the full coupled Jacobian; when nothing reads it, once, on the iterate where the plant's
rows have converged (the plant's iterates do not depend on it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyflow.chem.activity import density_water
from polyflow.chem.aqueous import floored, stream_rows, stream_system
from polyflow.chem.aqueous_map import M_WATER, totals
from polyflow.chem.speciate import (
    FREE_ACID_END_PH,
    M_H2SO4,
    continued_fraction,
    initial_guess,
    proton_reference,
    solve_speciation,
)
from polyflow.chem.speciation import _rows, residuals, species_log_molality
from polyflow.errors import InputError

__all__ = ["FLOOR", "STRONG_LIMIT", "WATER_FLOOR", "AqueousRows",
           "aqueous_rows", "choose_database"]

#: a stream whose water is at most this fraction of the plant's largest water flow is dry
WATER_FLOOR = 1e-9
#: sum of master totals [mol/kg water] above which a stream is not speciated (a
#: concentrated reagent as delivered): the rows' molalities would be meaningless
STRONG_LIMIT = 20.0
#: elements whose aqueous chemistry only llnl.dat has (of the two shipped databases)
LLNL_ONLY = frozenset({"W", "Sb", "Ag", "Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm",
                       "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"})
#: temperatures [K] at which the rows are evaluated: an iterate outside (Newton's 200 K
#: floor, a stream being heated through) is speciated at the nearest end (the
#: dielectric constant of water and the databases' log K(T) hold from 0 to 300 °C)
T_RANGE = (273.15, 573.15)
#: floor on every master total [mol/kg] (log activities need a positive total)
FLOOR = 1e-14
#: settle's tolerance (scaled residual; below newton.POLISH_TOL, so settled rows never
#: ask for an extra polishing step) and iterations from a warm start
SETTLE_TOL = 5e-14
WARM_ITER = 30
#: continued-fraction sweeps on a warm start before its Newton
SWEEPS = 3
#: iterations between the checks of a race of start values (see ``AqueousRows._race``)
RACE_ROUND = 4
COLD_ITER = 60


def choose_database(fs) -> str | None:
    """The equilibrium database of a flowsheet's streams, or None (no speciation).

    ``[flowsheet.options] speciation`` = ``false`` (off), ``"phreeqc"``, ``"llnl"`` or
    ``true``/absent: phreeqc.dat unless a dissolved species holds an element only
    llnl.dat covers (``LLNL_ONLY``: W, Sb, Ag, the rare earths) or cyanide (C and N in
    one species), then llnl.dat (docs/aqueous-chemistry.md, "Which database for which
    line"). A species set without H2O(l) has no speciation."""
    choice = fs.options.get("speciation", True)
    if choice is False or "H2O(l)" not in fs.species.index:
        return None
    if choice in ("phreeqc", "llnl"):
        return choice
    if choice is not True:
        raise InputError(f"option speciation = {choice!r}: give true, false, \"phreeqc\" "
                         "or \"llnl\"", field="options.speciation")
    for sp in fs.species.species:
        if sp.phase != "aq":
            continue
        els = set(sp.elements)
        if els & LLNL_ONLY or {"C", "N"} <= els:
            return "llnl"
    return "phreeqc"


@dataclass(eq=False)
class AqueousRows:
    """The speciation rows of every stream: columns, rows, pattern and evaluation."""

    sys: object                 # chem.speciation.AqueousSystem
    cmap: object                # chem.aqueous_map.ComponentMap
    stride: int
    S: int
    cols: np.ndarray            # (N, n) global columns of each stream's unknowns
    rows: np.ndarray            # (N, n) global rows

    def __post_init__(self) -> None:
        self.N, self.n = self.cols.shape
        self.K = len(self.sys.masters)
        A = self.cmap.A
        fc = np.nonzero(np.any(A != 0, axis=0))[0]
        self.flow_cols = np.union1d(fc, [self.cmap.water]).astype(int)
        self.x_idle = np.full(self.n, -14.0)
        self.x_idle[0] = -7.0
        self.x_idle[self.K:] = [1e-7, 2e-7]
        self._absC = np.abs(_rows(self.sys))
        base = np.arange(self.N) * self.stride
        n, K, c = self.n, self.K, len(self.flow_cols)
        r_x = np.repeat(self.rows, n, axis=1)                        # (N, n*n)
        c_x = np.tile(self.cols, (1, n))
        r_f = np.repeat(self.rows[:, :K], c, axis=1)                 # (N, K*c)
        c_f = np.tile(base[:, None] + self.flow_cols[None, :], (1, K))
        c_T = np.repeat((base + self.S)[:, None], n, axis=1)         # (N, n)
        self._pattern = (np.concatenate([r_x, r_f, self.rows], axis=1).ravel(),
                         np.concatenate([c_x, c_f, c_T], axis=1).ravel())
        self._dead = np.concatenate([np.eye(n).ravel(), np.zeros(K * c + n)])
        self._last = None
        #: whether another row reads the speciation (set by the system): then a stream
        #: whose speciation cannot be solved fails the plant; otherwise it is given up
        self.coupled = False
        #: streams whose speciation no start solved while nothing reads it (a liquor far
        #: beyond the activity model): held idle, their pH not reported, and the plant's
        #: own balances solve regardless (a report must not fail the plant)
        self.given_up = np.zeros(self.N, dtype=bool)

    # -- structure -----------------------------------------------------------------
    def pattern(self) -> tuple[np.ndarray, np.ndarray]:
        """(global rows, global columns) of the Jacobian entries, in :meth:`values`' order."""
        return self._pattern

    def row_labels(self) -> list[str]:
        """What each of a stream's n rows says (for non-convergence messages)."""
        return ["speciation: charge balance (log a H+)",
                *[f"speciation: balance of {m}" for m in self.sys.masters[1:]],
                "speciation: ionic strength", "speciation: total molality"]

    def var_labels(self) -> list[str]:
        return [*[f"speciation log10 a({m})" for m in self.sys.masters],
                "speciation ionic strength", "speciation total molality"]

    # -- state -----------------------------------------------------------------------
    def state(self, x: np.ndarray):
        """(X (N, n), flows (N, S), T (N,), t (N, K) totals with floor, wet mask)."""
        m = x[: self.N * self.stride].reshape(self.N, self.stride)
        flows, T = m[:, : self.S], np.clip(m[:, self.S], *T_RANGE)
        X = x[self.cols]
        W = M_WATER * flows[:, self.cmap.water]
        wet = WATER_FLOOR * max(float(W.max(initial=0.0)), 1e-300) < W
        t = np.zeros((self.N, self.K))
        if wet.any():
            t[wet] = totals(self.cmap, flows[wet])[0]
            wet &= np.maximum(t[:, 1:], 0.0).sum(axis=1) <= STRONG_LIMIT
        wet &= ~self.given_up
        t[:, 1:] = floored(t[:, 1:], FLOOR)[0]       # as the rows floor them
        return X, flows, T, t, wet

    def _evaluate(self, x: np.ndarray):
        """Rows, scales and Jacobian blocks of the wet streams at ``x``; the last
        evaluation is kept, since Newton asks for the residual at a point and then for
        the Jacobian at the same point (a cache of a pure function of ``x``)."""
        key = (x[: self.N * self.stride].tobytes(), x[self.cols].tobytes())
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        X, flows, T, t, wet = self.state(x)
        out = (X, wet, None, None)
        if wet.any():
            F, Jx, Jn, JT = stream_rows(self.sys, self.cmap, X[wet], flows[wet], T[wet],
                                        floor=FLOOR)
            n = int(wet.sum())
            Tx = x[np.arange(self.N) * self.stride + self.S][wet]
            JT = JT * ((Tx > T_RANGE[0]) & (Tx < T_RANGE[1]))[:, None]   # held outside
            J = np.concatenate([Jx.reshape(n, -1),
                                Jn[:, :self.K, :][:, :, self.flow_cols].reshape(n, -1),
                                JT], axis=1)
            out = (X, wet, (F, self._scales(X[wet], t[wet], T[wet])), J)
        self._last = (key, out)
        return out

    def residual(self, x: np.ndarray):
        """(rows, residuals, scales) of every stream's speciation rows.

        A row's scale is the sum of the absolute values of its terms (Σ|z|m + |t_0|,
        Σ|ν|m + t_k, I + ½Σz²m, M + Σm), as for every row of the plant."""
        X, wet, Fs, _ = self._evaluate(x)
        F = X - self.x_idle
        sc = np.maximum(np.abs(X), 1.0)
        if Fs is not None:
            F[wet], sc[wet] = Fs
        return self.rows.ravel(), F.ravel(), sc.ravel()

    def _scales(self, X, t, T):
        m = 10.0 ** np.minimum(species_log_molality(self.sys, X, T)[0], 300.0)
        sc = m @ self._absC.T
        sc[:, :self.K] += np.abs(t)
        sc[:, self.K:] += np.abs(X[:, self.K:])
        return np.maximum(sc, 1e-300)

    def _norm(self, X, t, T) -> np.ndarray:
        """Scaled residual 2-norm of each solution (inf where not finite)."""
        with np.errstate(all="ignore"):
            F = residuals(self.sys, X, t, T)[0]
            out = np.linalg.norm(F / self._scales(X, t, T), axis=1)
        return np.where(np.isfinite(out), out, np.inf)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Jacobian values in the order of :meth:`pattern`."""
        _, wet, _, J = self._evaluate(x)
        vals = np.tile(self._dead, (self.N, 1))
        if J is not None:
            vals[wet] = J
        return vals.ravel()

    def idle_values(self) -> np.ndarray:
        """Jacobian values of every stream's rows as idle rows (identity blocks)."""
        return np.tile(self._dead, (self.N, 1)).ravel()

    # -- nonlinear elimination -----------------------------------------------------
    def settle(self, x: np.ndarray) -> None:
        """Solve every stream's speciation for the flows and T of ``x``, in place.

        Every wet stream starts from its own unknowns after continued-fraction sweeps
        (the global step's prediction; pH 7 for a stream that has just become wet); a
        stream that has just become wet and that this start does not solve in WARM_ITER
        iterations then races (one batched Newton) the bracketed ``initial_guess`` and
        pH 7 without sweeps, the first of the three to converge kept, as if all three had
        raced from the start, but at the cost of the rows that need it: the batched
        Newton costs by rows (the refinery's lazy settle raced 315 starts for 105
        streams, a third of settle's time; issue #12). A stream none of them solves in
        WARM_ITER iterations races the bracketed guess, the strong-electrolyte limit and
        pH 7 with and without sweeps for COLD_ITER more. The first start that
        converges (in that order) is kept; a stream none solves keeps its best try and
        its rows stay unsolved (Newton then names it) when a unit or spec reads its
        speciation, and is otherwise given up (``given_up``: idle rows, pH not reported,
        a warning in the report)."""
        X, _, T, t, wet = self.state(x)
        X[~wet] = self.x_idle
        if wet.any():
            tw, Tw = t[wet], T[wet]
            idx = np.arange(len(tw))
            warm = continued_fraction(self.sys, _sane(X[wet], self.K), tw, Tw, SWEEPS)
            new = np.nonzero(np.all(X[wet] == self.x_idle, axis=1))[0]
            Xw, done = self._race(tw, Tw, [(idx, warm)], WARM_ITER)
            new = new[~done[new]]
            if len(new):            # the race's later starts, for those warm did not solve
                every = np.arange(len(new))
                Xn, ok = self._race(tw[new], Tw[new],
                                    [(every, initial_guess(self.sys, tw[new], Tw[new])),
                                     (every, np.tile(self.x_idle, (len(new), 1)))],
                                    WARM_ITER)
                Xw[new[ok]] = Xn[ok]
                done[new[ok]] = True
            bad = np.nonzero(~done)[0]
            if len(bad):
                tb, Tb = tw[bad], Tw[bad]
                idle = continued_fraction(self.sys, np.tile(self.x_idle, (len(bad), 1)),
                                          tb, Tb, SWEEPS)
                every = np.arange(len(bad))
                Xb, ok = self._race(tb, Tb, [(every, initial_guess(self.sys, tb, Tb)),
                                             (every, initial_guess(self.sys, tb)),
                                             (every, idle),
                                             (every, np.tile(self.x_idle, (len(bad), 1)))],
                                      COLD_ITER)
                Xw[bad[ok]] = Xb[ok]
                if not self.coupled and not ok.all():
                    lost = np.nonzero(wet)[0][bad[~ok]]
                    self.given_up[lost] = True
                    Xw[bad[~ok]] = self.x_idle
            X[wet] = Xw
        x[self.cols] = X

    def _race(self, t, T, starts, max_iter):
        """Solve the solutions ``t``, ``T`` from several starts at once: ``starts`` is a
        list of (solution indices, start values); returns (X, converged), X of the first
        start (in list order) that converged, else of the first start given. Runs in
        rounds of RACE_ROUND iterations: once a solution converged from one start, its
        other starts stop."""
        which = np.concatenate([i for i, _ in starts])
        Xs = np.concatenate([s for _, s in starts])
        ok = np.zeros(len(which), dtype=bool)
        live = np.ones(len(which), dtype=bool)
        done = np.zeros(len(t), dtype=bool)
        for _ in range(0, max_iter, RACE_ROUND):
            go = np.nonzero(live)[0]
            Xs[go], ok[go], _ = solve_speciation(self.sys, t[which[go]], T[which[go]],
                                                 Xs[go], tol=SETTLE_TOL,
                                                 max_iter=RACE_ROUND)
            done[which[ok]] = True
            live &= ~done[which]
            if not live.any():
                break
        X = np.empty((len(t), self.n))
        got = np.zeros(len(t), dtype=bool)
        for j in range(len(which) - 1, -1, -1):       # earlier starts win
            k = which[j]
            if ok[j] or not got[k]:
                X[k] = Xs[j]
                got[k] |= ok[j]
        return X, done

    # -- reports ---------------------------------------------------------------------
    def properties(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """pH (activity scale), ionic strength [mol/kg] and free acid [g/L H2SO4, to the
        pH 4.5 end point, water density at T] of every stream; NaN where dry."""
        X, _, T, _, wet = self.state(x)
        out = {k: np.full(self.N, np.nan) for k in ("pH", "ionic_strength_mol_kg",
                                                    "free_acid_g_L")}
        if wet.any():
            Xw, Tw = X[wet], T[wet]
            m = 10.0 ** species_log_molality(self.sys, Xw, Tw)[0]
            fa = self.sys.nu[:, 0] - self.sys.nu @ proton_reference(self.sys,
                                                                    FREE_ACID_END_PH)
            out["pH"][wet] = -Xw[:, 0]
            out["ionic_strength_mol_kg"][wet] = Xw[:, self.K]
            out["free_acid_g_L"][wet] = (m @ fa) * M_H2SO4 / 2.0 * \
                density_water(Tw)[0]
        return out


def _sane(X: np.ndarray, K: int) -> np.ndarray:
    """A warm start Newton's global step may have taken out of the domain (I, M ≤ 0,
    or not finite): such values are reset so the local Newton can start."""
    X = np.where(np.isfinite(X), X, 0.0)
    X[:, :K] = np.clip(X[:, :K], -40.0, 2.0)
    X[:, K:] = np.clip(X[:, K:], 1e-10, 50.0)
    return X


def aqueous_rows(fs, builder, stream_names) -> AqueousRows | None:
    """Allocate every stream's speciation unknowns and rows in ``builder`` (before the
    units' equations, so that units can read the columns); None when the flowsheet has
    no speciation (see :func:`choose_database`)."""
    database = choose_database(fs)
    if database is None:
        return None
    sys, cmap = stream_system(fs.species, database)
    n = sys.n_unknowns
    Ns = len(stream_names)
    probe = AqueousRows(sys, cmap, builder.stride, builder.S, np.zeros((0, n), int),
                        np.zeros((0, n), int))
    names = [f"{s}.{v}" for s in stream_names for v in probe.var_labels()]
    cols = builder.new_internal(names, np.tile(probe.x_idle, Ns)).reshape(Ns, n)
    rows = builder.new_rows(Ns * n, -1, np.repeat(np.arange(Ns), n), -2).reshape(Ns, n)
    labels = probe.row_labels()
    for k, r in enumerate(rows.ravel().tolist()):
        builder.row_text[r] = labels[k % n]
    aq = AqueousRows(sys, cmap, builder.stride, builder.S, cols, rows)
    aq.database = database
    builder.speciation = (cols, sys.masters)   # what UnitEquations.speciation reads
    return aq
