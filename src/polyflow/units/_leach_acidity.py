"""The acidity a kinetic leach reaction sees in each tank of a train (issue #12 item 4,
#14 item 2): the liquor of tank k and the measure of its reagent, with derivatives; used
by ``_leach_rows``.

The liquor of tank k is the tank's own outlet: the feed after the fixed-conversion
reactions (complete in tank 1) and the kinetic reactions up to tank k,

.. math::

    n_k = M_{fixed}\\,n_{in} + \\sum_u \\nu_u\\,X_{u,k}\\,n_{key_u,in}/|\\nu_{key_u,u}|

so its acidity is a function of the train's own unknowns (the feed flows, the
conversions, the temperature), solved in the one Newton system. A reaction's
``acidity`` names the measure (``ACIDITY``):

* ``component`` — the reagent component's concentration [g/L]: what the feed brings less
  what the reactions up to tank k consumed, per litre of feed liquor at
  ``solution_density`` (all acid counted as if free: the measure for a reagent that is
  not an acid, and the one before the speciated liquor);
* ``free_acid`` — the titratable free acid of tank k's liquor [g/L H2SO4], as the plant
  lab measures it (NaOH to the pH 4.5 end point, hydrolysable metals masked by oxalate;
  Jackson, Silva & Oliveira, CETEM STM-19 (1981)) and as every stream reports it
  (``free_acid_g_L``): 1000 c·n_k / W_k mol H+/kg water, c the titratable protons per
  kmol of each species (:func:`polyflow.chem.aqueous.free_acid_coefficients`: H2SO4 2,
  HSO4⁻ 1, SO4²⁻ and the metal sulphates 0), times 49.04 g/mol and the density of water
  at T [kg/L];
* ``H+_activity`` — a(H+) of tank k's liquor, speciated with the plant's database and
  activity model (Parkhurst & Appelo 2013, USGS TM 6-A43, the rows of
  :mod:`polyflow.chem.speciation`) by a nonlinear elimination inside the row: the
  speciation of the N tank liquors is solved for the iterate's flows and temperature,
  and its derivatives follow from the implicit function theorem,
  ∂X/∂n = −J_X⁻¹ J_n (the same blocks the streams' speciation rows use). The reference
  of a shrinking-core law is the a(H+) of ``k_concentration`` free acid of the reagent
  alone in water at ``k_temperature``, so that k keeps its meaning: the rate at the
  acid of the test solution the law was fitted on.
"""

from __future__ import annotations

import numpy as np

from polyflow.chem.activity import density_water
from polyflow.chem.aqueous import floored, free_acid_coefficients, stream_rows
from polyflow.chem.aqueous_map import M_WATER, totals
from polyflow.chem.speciate import M_H2SO4, initial_guess, solve_speciation
from polyflow.errors import InputError

__all__ = ["ACIDITY", "TankAcidity"]

#: the measures of a reagent's concentration a kinetic reaction may see
ACIDITY = ("component", "free_acid", "H+_activity")
#: floor on every master total [mol/kg] and the inner speciation's tolerance (as the
#: streams' speciation rows: polyflow.solve.aqueous_rows)
FLOOR = 1e-14
TOL = 5e-14


class TankAcidity:
    """The acidity measure ``it["acidity"]`` of the liquor of each of N tanks.

    ``level(n, Xs, T)`` gives, for the feed flows ``n`` (S,), the conversions ``Xs``
    (one (N,) array per kinetic reaction of ``users``, the reaction itself first) and
    the temperature ``T``: the level C (N,), ∂C/∂n (N, S), ∂C/∂X (N, len(users)) (each
    tank's C depends on the conversions in that tank only) and ∂C/∂T (N,)."""

    def __init__(self, unit, it: dict, users: list[dict], aqueous) -> None:
        self.measure = it.get("acidity", "component")
        self.unit, self.it, self.users = unit, it, users
        self.N = unit.p["tanks"]
        self.ri = it["reagent_i"]
        sp = unit._species
        self.S = len(sp)
        if self.measure == "component":
            return
        if aqueous is None:
            raise unit.fail(f"acidity {self.measure!r} of {it['equation']!r} reads the "
                            "tank liquor's speciation, but the plant has none",
                            "reactions", hint="add H2O to the species and drop "
                            "'speciation = false', or use acidity = 'component'")
        self.sys, self.cmap = aqueous.sys, aqueous.cmap
        self.c = free_acid_coefficients(self.sys, self.cmap)
        if self.c[self.ri] <= 0.0:
            raise unit.fail(f"acidity {self.measure!r}: the reagent {sp.ids[self.ri]!r} "
                            "carries no titratable acid", "reactions",
                            hint="use acidity = 'component' for a reagent that is not "
                                 "an acid")
        self._x = None               # warm start of the tank liquors' speciation
        self._last = None

    # -- the liquor of each tank ---------------------------------------------------
    def liquors(self, n, Xs):
        """Flows of the N tank liquors (N, S), ∂n_k/∂n_in (N, S, S) and ∂n_k/∂X_u,k
        (N, len(users), S)."""
        M = self.unit.M
        base = M @ n
        L = np.tile(base, (self.N, 1))
        dL = np.tile(M.astype(float), (self.N, 1, 1))
        dX = np.zeros((self.N, len(self.users), self.S))
        for m, (u, xu) in enumerate(zip(self.users, Xs, strict=True)):
            ku, nk = u["key_i"], u["nu_key"]
            L += np.outer(xu, u["nu"]) * n[ku] / nk
            dL[:, :, ku] += (xu / nk)[:, None] * u["nu"][None, :]
            dX[:, m, :] = u["nu"][None, :] * n[ku] / nk
        return L, dL, dX

    def level(self, n, Xs, T):
        if self.measure == "component":
            return self._component(n, Xs)
        L, dL, dX = self.liquors(n, Xs)
        if self.measure == "free_acid":
            C, dC_dL, dC_dT = self._free_acid(L, T)
        else:
            C, dC_dL, dC_dT = self._activity(L, T)
        dC_dn = np.einsum("ks,kst->kt", dC_dL, dL)
        dC_dX = np.einsum("ks,kms->km", dC_dL, dX)
        return C, dC_dn, dC_dX, dC_dT

    def _component(self, n, Xs):
        """The reagent left [g/L] per litre of feed liquor (the measure before the
        speciated liquor; unchanged)."""
        unit, ri = self.unit, self.ri
        mw = unit._species.mw
        wl = np.where(unit.liquor, mw, 0.0) / unit.p["solution_density"]
        V = max(float(wl @ n), 1e-30)                                   # m3/h
        Mfix = unit.M
        reag = (Mfix @ n)[ri]
        C = np.zeros(self.N)
        dC_dn = np.zeros((self.N, self.S))
        dC_dX = np.zeros((self.N, len(self.users)))
        for k in range(self.N):
            used = sum(abs(u["nu"][ri]) / u["nu_key"] * xu[k] * n[u["key_i"]]
                       for u, xu in zip(self.users, Xs, strict=True))
            Ck = (reag - used) * mw[ri] / V
            if Ck <= 0.0:
                continue
            C[k] = Ck
            d = Mfix[ri].astype(float) * mw[ri] / V - Ck * wl / V
            for m, (u, xu) in enumerate(zip(self.users, Xs, strict=True)):
                cu = abs(u["nu"][ri]) / u["nu_key"]
                d[u["key_i"]] -= cu * xu[k] * mw[ri] / V
                dC_dX[k, m] = -cu * n[u["key_i"]] * mw[ri] / V
            dC_dn[k] = d
        return C, dC_dn, dC_dX, np.zeros(self.N)

    def _free_acid(self, L, T):
        """Titratable free acid [g/L H2SO4] of each liquor and its derivatives."""
        w = self.cmap.water
        rho, drho = density_water(T)
        f = M_H2SO4 / 2.0 * float(rho)                 # g/L per mol H+/kg water
        C = np.zeros(self.N)
        dC = np.zeros((self.N, self.S))
        dT = np.zeros(self.N)
        for k in range(self.N):
            W = M_WATER * L[k, w]
            if W <= 0.0:
                continue
            fa = 1000.0 * float(self.c @ L[k]) / W                    # mol H+/kg water
            if fa <= 0.0:
                continue
            C[k] = fa * f
            dC[k] = f * 1000.0 * self.c / W
            dC[k, w] -= C[k] / L[k, w]
            dT[k] = C[k] * float(drho) / float(rho)
        return C, dC, dT

    def _activity(self, L, T):
        """a(H+) of each liquor (speciated) and its derivatives by the implicit
        function theorem on the speciation rows."""
        key = (L.tobytes(), float(T))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        w = self.cmap.water
        C = np.zeros(self.N)
        dC = np.zeros((self.N, self.S))
        dT = np.zeros(self.N)
        wet = L[:, w] * M_WATER > 1e-9 * max(float(np.abs(L).max()), 1.0)
        if wet.any():
            Lw = L[wet]
            Tw = np.full(len(Lw), float(T))
            X = self.solve(Lw, Tw)
            _, Jx, Jn, JT = stream_rows(self.sys, self.cmap, X, Lw, Tw, floor=FLOOR)
            dX_dn = -np.linalg.solve(Jx, Jn)                 # (m, n, S)
            dX_dT = -np.linalg.solve(Jx, JT[:, :, None])[:, :, 0]
            a = 10.0 ** X[:, 0]
            C[wet] = a
            dC[wet] = (a * np.log(10.0))[:, None] * dX_dn[:, 0, :]
            dT[wet] = a * np.log(10.0) * dX_dT[:, 0]
        out = (C, dC, dT)
        self._last = (key, out)
        return out

    def solve(self, L, T) -> np.ndarray:
        """The speciation unknowns of liquors ``L`` at ``T``: from the last solution
        (warm), else or failing that from the bracketed strong-electrolyte start."""
        t, _ = totals(self.cmap, L)
        t[:, 1:] = floored(t[:, 1:], FLOOR)[0]
        X = None
        if self._x is not None and self._x.shape[0] == len(L):
            X, ok, _ = solve_speciation(self.sys, t, T, self._x, tol=TOL, max_iter=40)
            if not ok.all():
                X = None
        if X is None:
            X, ok, _ = solve_speciation(self.sys, t, T, initial_guess(self.sys, t, T),
                                        tol=TOL, max_iter=200)
            if not ok.all():
                raise InputError(f"the speciation of a leach tank's liquor did not "
                                 f"converge ({self.it['equation']!r})", field="acidity",
                                 hint="use acidity = 'free_acid'")
        self._x = X
        return X

    def report(self, n, Xs, T) -> dict[str, float]:
        """Free acid [g/L H2SO4] (and pH, with ``H+_activity``) of each tank's liquor."""
        if self.measure == "component":
            return {}
        L = self.liquors(n, Xs)[0]
        out = {f"free_acid_tank{k + 1}": float(v)
               for k, v in enumerate(self._free_acid(L, T)[0])}
        if self.measure == "H+_activity":
            a = self._activity(L, T)[0]
            out |= {f"pH_tank{k + 1}": float(-np.log10(v)) for k, v in enumerate(a)
                    if v > 0.0}
        return out

    def reference(self, C_ref: float, T_ref: float) -> float:
        """The level at which k holds: ``C_ref`` [g/L free acid] itself, or (H+ activity)
        the a(H+) of the reagent alone in water at that free acid and ``T_ref``."""
        if self.measure != "H+_activity":
            return C_ref
        rho = float(density_water(T_ref)[0])
        n = np.zeros((1, self.S))
        n[0, self.cmap.water] = 1000.0 / M_WATER                  # 1000 kg water
        n[0, self.ri] = C_ref / (M_H2SO4 / 2.0 * rho) / self.c[self.ri]   # kmol
        X = self.solve_one(n, T_ref)
        return float(10.0 ** X[0, 0])

    def solve_one(self, n, T) -> np.ndarray:
        t, _ = totals(self.cmap, n)
        t[:, 1:] = floored(t[:, 1:], FLOOR)[0]
        T = np.full(1, float(T))
        X, ok, _ = solve_speciation(self.sys, t, T, initial_guess(self.sys, t, T),
                                    tol=TOL, max_iter=200)
        if not ok.all():
            raise InputError("the speciation of the rate constant's reference solution "
                             "did not converge", field="k_concentration")
        return X
