"""Counter-current decantation (CCD): a washing train of thickeners in one unit."""

from __future__ import annotations

import math

import numpy as np

from polyflow.errors import InputError
from polyflow.units._hydro_common import liquor_split, phase_masks, solids_ratio, split_energy
from polyflow.units.base import Param, Reported, Unit

__all__ = ["CCD", "ideal_train", "ideal_washing_loss", "washing_train"]


def ideal_washing_loss(R: float, n: int) -> float:
    """Fraction of the solute fed with the slurry that leaves with the washed underflow
    of an ideal CCD of ``n`` thickeners at wash ratio ``R`` (overflow over underflow
    liquor, every stage): ``(R − 1)/(R^(n+1) − 1)``, and ``1/(n + 1)`` at ``R = 1``.

    >>> round(ideal_washing_loss(2.0, 3), 6)     # (2 − 1)/(2⁴ − 1) = 1/15
    0.066667
    """
    if not (math.isfinite(R) and R >= 0.0):
        raise InputError("the wash ratio must be a finite number ≥ 0", field="R", value=R)
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise InputError("a CCD has a whole number ≥ 1 of thickeners", field="n", value=n)
    if abs(R - 1.0) < 1e-12:
        return 1.0 / (n + 1)
    return (R - 1.0) / (R ** (n + 1) - 1.0)


def ideal_train(feed: np.ndarray, wash: np.ndarray, n: int, c: float, mw: np.ndarray,
                solids: np.ndarray, liquor: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ideal train's exact solution for given inlet flows [kmol/h]: underflows ``U``
    and overflows ``O`` (n × S) and the liquor splits ``f`` (n), or NaN where the inlets
    leave no solution; :func:`washing_train` at a mixing efficiency of 1."""
    under, over, f, _ = washing_train(feed, wash, n, c, mw, solids, liquor, 1.0)
    return under, over, f


def washing_train(feed: np.ndarray, wash: np.ndarray, n: int, c: float, mw: np.ndarray,
                  solids: np.ndarray, liquor: np.ndarray, efficiency: float = 1.0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The train's exact solution for given inlet flows [kmol/h]: underflows ``U`` and
    overflows ``O`` (n × S), the mixed-liquor splits ``f`` and the bypass splits ``b``
    (n each), or NaN where the inlets leave no solution (less liquor than the
    underflows hold; flows not finite).

    Every underflow carries ``L_u = c M_s`` of liquor, a share ``e`` of it (the mixing
    efficiency) drawn from the mixed liquor of the stage and ``1 − e`` from the liquor
    that came in with the solids, unmixed. By the liquor balance of stages n, n−1, ...
    every overflow but the first carries the wash liquor ``W`` and the first
    ``L_0 + W − L_u``, so ``f_1 = e L_u/(L_0 + W)``, ``f_k = e L_u/(L_u + W)``,
    ``b_1 = (1 − e) L_u/L_0``, ``b_k = 1 − e``. With the splits known each species'
    stage balances are linear, ``U_k = (f_k + b_k) U_{k−1} + f_k O_{k+1}`` and ``O_k =
    (1 − f_k − b_k) U_{k−1} + (1 − f_k) O_{k+1}`` for liquor (solids all to ``U``, gas
    all to ``O``; ``U_0`` the feed, ``O_{n+1}`` the wash): one 2n × 2n solve per
    species. Used as the train's start profile (``UnitEquations.initialiser``): it is
    the solution of the unit's own equations, so Newton starts the train at its root
    for the current inlets.
    """
    bad = (np.full((n, len(mw)), np.nan), np.full((n, len(mw)), np.nan), np.full(n, np.nan),
           np.full(n, np.nan))
    if not (np.all(np.isfinite(feed)) and np.all(np.isfinite(wash))):
        return bad
    Ms = float(mw[solids] @ feed[solids])
    L0 = float(mw[liquor] @ feed[liquor])
    W = float(mw[liquor] @ wash[liquor])
    Lu = c * Ms
    into = np.array([L0 + W] + [Lu + W] * (n - 1))
    if np.any(Lu > into) or Ms < 0 or L0 < 0 or W < 0 or (efficiency < 1.0 and Lu > L0):
        return bad
    e = float(efficiency)
    f = np.divide(e * Lu, into, out=np.zeros(n), where=into > 0)
    came = np.array([L0] + [Lu] * (n - 1))
    b = np.divide((1.0 - e) * Lu, came, out=np.zeros(n), where=came > 0)
    S = len(mw)
    # a[k, i]: share of species i of the previous underflow going to this underflow;
    # g[k, i]: share of the next overflow going to this underflow
    a = np.where(solids, 1.0, np.where(liquor, 1.0, 0.0))[None, :] * \
        np.where(liquor[None, :], (f + b)[:, None], 1.0)
    g = np.where(solids, 1.0, 0.0)[None, :] + np.where(liquor, 1.0, 0.0)[None, :] * f[:, None]
    # unknowns per species: [U_1..U_n, O_1..O_n]
    M = np.zeros((S, 2 * n, 2 * n))
    rhs = np.zeros((S, 2 * n))
    idx = np.arange(n)
    M[:, idx, idx] = 1.0
    M[:, n + idx, n + idx] = 1.0
    for k in range(n):
        if k > 0:                                     # from the previous underflow
            M[:, k, k - 1] = -a[k]
            M[:, n + k, k - 1] = -(1.0 - a[k])
        else:
            rhs[:, k] += a[0] * feed
            rhs[:, n] += (1.0 - a[0]) * feed
        if k < n - 1:                                 # from the next overflow
            M[:, k, n + k + 1] = -g[k]
            M[:, n + k, n + k + 1] = -(1.0 - g[k])
        else:
            rhs[:, k] += g[k] * wash
            rhs[:, n + k] += (1.0 - g[k]) * wash
    X = np.linalg.solve(M, rhs[..., None])[..., 0]    # S × 2n
    return X[:, :n].T, X[:, n:].T, f, b


class CCD(Unit):
    """A counter-current decantation train of ``stages`` thickeners: the leached slurry
    (``feed``) enters thickener 1, wash water (``wash_water``) thickener n; each
    underflow goes forward to the next thickener and each overflow back to the one
    before, so thickener 1's overflow is the pregnant solution (``overflow``) and
    thickener n's underflow the washed residue (``underflow``). Every thickener is the
    ``thickener`` model (underflow at ``underflow_solids``; gases to the overflow); the
    intermediate streams are internal unknowns, so the cascade is just more rows of the
    plant's sparse system. The train runs at one temperature, that of the adiabatic
    mixing of feed and wash (the stage temperatures of a real train differ by a few K).

    .. math::

        \\text{stage } k:\\quad F_k = U_{k-1} + O_{k+1},\\quad
        U_{k,s} = F_{k,s},\\quad f_k L(F_k) = \\tfrac{1-w}{w}M_s(U_k),\\quad
        U_{k,i} = f_k F_{k,i},\\quad O_k = F_k - U_k

    with ``U_0`` the feed and ``O_{n+1}`` the wash water. With the same liquor in every
    underflow the train is the ideal CCD, whose fraction of the feed solute lost with
    the washed underflow at wash ratio ``R`` (overflow/underflow liquor) is

    .. math::  \\frac{R - 1}{R^{n+1} - 1}

    **Mixing efficiency** ``mixing_efficiency`` (``e``, 1 by default: the ideal train):
    the share of each underflow's liquor that has mixed with the stage's liquor; the
    rest, ``1 − e``, is liquor that came in with the solids and leaves with them
    unmixed (the "efficiency of each stage, the completeness of mixing of the underflow
    and overflow solutions which enter a thickener" of the CCD literature; SysCAD's
    counter-current washer takes the same definition). Stage ``k``'s underflow liquor is
    ``f_k F_k + b_k P_k`` (``P_k`` the liquor that came with the solids) with
    ``f_k L(F_k) = e c M_s`` and ``b_k L(P_k) = (1 − e) c M_s``; ``e = 1`` is the ideal
    train above, and a lower ``e`` loses more solute with the washed residue.

    Source: McCabe, Smith & Harriott, *Unit Operations of Chemical Engineering*, 7th ed.
    (2005), ch. 20 (counter-current washing, ideal stages); Gupta & Mukherjee,
    *Hydrometallurgy in Extraction Processes*, vol. II, CRC Press (1990), ch. 1 (CCD
    washing efficiency); stage (mixing) efficiency as the completeness of mixing of the
    entering underflow and overflow solutions: "Continuous countercurrent decantation
    and filtration", 911Metallurgist (reprint of a plant-design chapter; secondary).

    Example: 100 t/h of solids with 50 t/h of solution (5 t/h CuSO4) washed in three
    thickeners at 66.7 % solids underflows with 100 t/h of water: wash ratio R = 2,
    so 1/15 of the copper sulfate stays with the washed solids.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    >>> _ = fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "45 t/h",
    ...                                  "CuSO4": "5 t/h"}))
    >>> _ = fs.add(Feed("water", flows={"H2O": "100 t/h"}))
    >>> _ = fs.add(CCD("ccd", stages=3, underflow_solids=2 / 3))
    >>> _ = fs.add(Product("residue")); _ = fs.add(Product("pls"))
    >>> fs.connect("feed", "slurry", "ccd.feed"); fs.connect("wash", "water", "ccd.wash_water")
    >>> fs.connect("washed", "ccd.underflow", "residue"); fs.connect("of", "ccd.overflow", "pls")
    >>> r = fs.solve()
    >>> round(r.flow_kg_h("washed")["CuSO4(aq)"] / 5000, 6), round(ideal_washing_loss(2, 3), 6)
    (0.066667, 0.066667)
    """

    model = "ccd"
    inlets = ("feed*", "wash_water*")
    outlets = ("underflow", "overflow")
    params = {
        "stages": Param.integer("number of thickeners in the train", required=True,
                                bounds=(1, 20)),
        "underflow_solids": Param("fraction", "underflow solids of every thickener, mass "
                                  "fraction of the pulp", required=True, bounds=(0.05, 0.85)),
        "mixing_efficiency": Param("fraction", "share of each underflow's liquor mixed with "
                                   "the stage's liquor (1: ideal stages)", default=1.0,
                                   bounds=(0.3, 1.0)),
    }
    results = {
        "wash_ratio": Reported("", "wash water over underflow liquor, last thickener"),
        "soluble_loss": Reported("%", "feed solutes lost with the washed residue"),
    }

    def bind(self, species) -> None:
        self.solids, self.gas, self.liquor = phase_masks(species)

    def equations(self, eq) -> None:
        n = self.p["stages"]
        S = eq.S
        uf_out, of_out = eq.outlets["underflow"], eq.outlets["overflow"]
        names = [sp.split("(")[0] for sp in eq.species.ids]
        U = []
        Ov = []
        order = []                      # internal unknowns in the order allocated
        for k in range(1, n + 1):
            U.append(eq.flows(uf_out) if k == n else
                     eq.internal([f"U{k}.{s}" for s in names], [0.0] * S))
            if k < n:
                order.append(("U", k - 1))
            Ov.append(eq.flows(of_out) if k == 1 else
                     eq.internal([f"O{k}.{s}" for s in names], [0.0] * S))
            if k > 1:
                order.append(("O", k - 1))
        f = eq.internal([f"liquor_split_{k}" for k in range(1, n + 1)], [0.5] * n)
        e = self.p["mixing_efficiency"]
        bypass = e < 1.0
        b = eq.internal([f"bypass_split_{k}" for k in range(1, n + 1)], [0.1] * n) \
            if bypass else np.zeros(0, dtype=int)
        feeds = [eq.flows(s) for s in eq.inlets["feed"]]
        wash = [eq.flows(s) for s in eq.inlets["wash_water"]]
        c = solids_ratio(self.p["underflow_solids"])
        written = np.concatenate([U[k] if kind == "U" else Ov[k] for kind, k in order]
                                 + [f, b])
        eq.initialiser(np.concatenate(feeds + wash), written,
                       self._start_profile(len(feeds), order, c, eq.species.mw))
        fixed = np.nonzero(~self.liquor)[0]
        keep = np.where(self.solids, 1.0, 0.0)
        for k in range(n):
            srcs = (feeds if k == 0 else [U[k - 1]]) + (wash if k == n - 1 else [Ov[k + 1]])
            label = uf_out if k == n - 1 else of_out
            # solids (and no gas) in the underflow
            rl, cl, vl = [np.arange(len(fixed))], [U[k][fixed]], [np.ones(len(fixed))]
            for src in srcs:
                rl.append(np.arange(len(fixed)))
                cl.append(src[fixed])
                vl.append(-keep[fixed])
            eq.linear_rows(len(fixed), label, fixed, np.concatenate(rl), np.concatenate(cl),
                           np.concatenate(vl))
            # liquor split of thickener k (mixed liquor, and the unmixed bypass)
            groups = [(srcs, f[k], e * c)]
            if bypass:
                groups.append((feeds if k == 0 else [U[k - 1]], b[k], (1.0 - e) * c))
            liquor_split(eq, groups, U[k], label, what=f"thickener {k + 1}")
            # overflow = feed − underflow
            rows = [np.arange(S), np.arange(S)]
            cols = [Ov[k], U[k]]
            vals = [np.ones(S), np.ones(S)]
            for src in srcs:
                rows.append(np.arange(S))
                cols.append(src)
                vals.append(-np.ones(S))
            eq.linear_rows(S, label, np.arange(S), np.concatenate(rows), np.concatenate(cols),
                           np.concatenate(vals))
        split_energy(eq, [uf_out, of_out])

    def _start_profile(self, n_feeds: int, order, c: float, mw: np.ndarray):
        """Start profile of the train from its inlets (see ``ideal_train``), as the
        internal unknowns in ``order`` followed by the liquor splits."""
        S = len(mw)
        n = self.p["stages"]

        def func(x: np.ndarray) -> np.ndarray:
            feed = x[:n_feeds * S].reshape(n_feeds, S).sum(axis=0)
            wash = x[n_feeds * S:].reshape(-1, S).sum(axis=0)
            e = self.p["mixing_efficiency"]
            U, Ov, f, b = washing_train(feed, wash, n, c, mw, self.solids, self.liquor, e)
            return np.concatenate([U[k] if kind == "U" else Ov[k] for kind, k in order]
                                  + [f] + ([b] if e < 1.0 else []))
        return func

    def report(self, sol) -> dict[str, float]:
        """Wash ratio (overflow over underflow liquor, last thickener) and the share of
        the feed's solution that leaves with the washed residue."""
        mw = sol.species.mw
        liq = self.liquor
        wash = sum(n for n, _ in sol.inlets["wash_water"])
        n_uf = sol.outlets["underflow"][0]
        feed = sum(n for n, _ in sol.inlets["feed"])
        L_uf = float(mw[liq] @ n_uf[liq])
        out = {"wash_ratio": float(mw[liq] @ wash[liq]) / L_uf if L_uf > 0 else 0.0}
        solutes = liq & ~np.isin(np.array(sol.species.ids), ["H2O(l)"])
        m_feed = float(mw[solutes] @ feed[solutes])
        if m_feed > 0:
            out["soluble_loss"] = 100.0 * float(mw[solutes] @ n_uf[solutes]) / m_feed
        return out
