"""A unit's liquor at equilibrium with minerals and a vent gas, as rows of the plant system.

A unit that mixes its inlets into one liquor (a neutraliser, a precipitator) and lets it
come to equilibrium writes, with :class:`LiquorEquilibrium`:

* the speciation of the outlet liquor as **its own internal unknowns**
  x = [log10 a_k of the masters, I, Σm, s_p of the phases] and the rows of
  :func:`polyflow.chem.aqueous.stream_rows` (charge, master balances, ionic strength,
  Σm, and a Fischer–Burmeister row per phase: "dissolve fully or saturate", Parkhurst &
  Appelo 2013, USGS TM 6-A43, eqs. 27–37; Fischer 1992, Optimization 24, 269). The totals
  are those of all inlets together (the reagent as delivered, dissolved), per kg of the
  outlet's water;
* the outlet flows from that speciation: each phase formed leaves as its polyflow species
  (a solid in the slurry, a gas in the vent) at W·s_p/1000 kmol/h (W the outlet water,
  kg/h), and the liquor is written **in the ions of its masters** (``Cu+2(aq)``,
  ``SO4-2(aq)``, ``Na+(aq)``, ...): each master's total less what formed,

  .. math::  n_b = N_k - \\tfrac{W}{1000}\\sum_p \\nu_{pk}\\, s_p,\\qquad
             n_{H^+} - n_{OH^-} = D,\\quad
             n_{H^+} = \\tfrac12\\big(D + \\sqrt{D^2 + 4c^2}\\big)

  with D the charge the master ions leave unbalanced and c = 10⁻⁷·W/1000 (neutral
  water), so that a neutralised liquor never carries an acid and a base side by side,
  every flow is non-negative and the written liquor has exactly the speciated totals;
  water closes the hydrogen balance (oxygen then closes by the fixed oxidation states).

A gas leaves when its equilibrium partial pressure exceeds the stated stripping pressure
p* (atm): the same complementarity row with log K shifted by log p* (H2S(g): an open,
agitated tank stripped by air; Henry's law, the database's H2S(g) constant).

The flowsheet must carry the ion species of the masters (``Na+``, ``SO4-2``, ``H+``,
``OH-``, ...): :meth:`LiquorEquilibrium.build` names the missing ones.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from polyflow.chem.aqueous import stream_system
from polyflow.chem.aqueous_map import M_WATER
from polyflow.chem.equilibria import load_equilibria
from polyflow.chem.formula import parse_formula
from polyflow.chem.speciate import speciate
from polyflow.chem.speciation import AqueousSystem
from polyflow.errors import DataError
from polyflow.solve.layout import Layout
from polyflow.units._free_share import _CMAP, _Map, _scales, free_fraction_rows, to_free_fraction

__all__ = ["AGENT_IONS", "GAS_SPECIES", "MINERAL_SPECIES", "LiquorEquilibrium"]

#: equilibrium phase (phreeqc.dat / llnl.dat name) -> the polyflow species it leaves as
#: (same formula; tests/units/test_liquor_equilibrium.py checks the elements)
MINERAL_SPECIES = {
    "Gypsum": "CaSO4*2H2O(s)", "Anhydrite": "CaSO4(s)", "Fluorite": "CaF2(s)",
    "Fe(OH)3(a)": "Fe(OH)3(s)", "Fe(OH)3": "Fe(OH)3(s)", "Goethite": "FeO(OH)(s)",
    "Tenorite": "CuO(s)", "Portlandite": "Ca(OH)2(s)", "Calcite": "CaCO3(s)",
    "Stibnite": "Sb2S3(s)", "Gibbsite": "Al(OH)3(s)", "Pyrochroite": "Mn(OH)2(s)",
    "Mn(OH)2(am)": "Mn(OH)2(s)", "Zn(OH)2(e)": "Zn(OH)2(s)", "Zn(OH)2(epsilon)": "Zn(OH)2(s)",
}
#: gases that may leave by the vent
GAS_SPECIES = {"H2S(g)": "H2S(g)", "CO2(g)": "CO2(g)"}
#: solid reagents that dissolve in the liquor (as delivered), by their ions
AGENT_IONS = {
    "Ca(OH)2(s)": ((1.0, "Ca+2"), (2.0, "OH-")),
    "CaO(s)": ((1.0, "Ca+2"), (2.0, "OH-")),       # CaO + H2O -> Ca(OH)2 (water: H balance)
    "NaOH(s)": ((1.0, "Na+"), (1.0, "OH-")),
    "Na2CO3(s)": ((2.0, "Na+"), (1.0, "CO3-2")),
    "CaCO3(s)": ((1.0, "Ca+2"), (1.0, "CO3-2")),
}
#: free H+ of neutral water [mol/kg]: the split of the liquor's proton excess
C_NEUTRAL = 1e-7
#: flows below this [kmol/h] are smoothed to non-negative for the speciation
SOFT_FLOW = 1e-15
#: a tank whose inlets carry at most this water [kmol/h] is empty (start-up rows)
DRY_WATER = 1e-6
#: inner Newton of the nonlinear elimination: scaled tolerance, iterations warm (from
#: the iterate's values) and cold (from the standalone start), largest log10 step
INNER_TOL = 1e-11
INNER_WARM = 12
INNER_COLD = 30
INNER_MAX_STEP = 2.0


@dataclass(frozen=True, eq=False)
class LiquorEquilibrium:
    """The equilibrium of one liquor: system, extended map, basis ions, phase outlets."""

    sys: AqueousSystem
    A: np.ndarray               # (K, S) charge row then masters, per kmol of each species
    water: int
    basis: np.ndarray           # (K-1,) species index of each master's ion
    z_basis: np.ndarray         # (K-1,) charges of the basis ions
    h_plus: int
    oh_minus: int
    phase_species: np.ndarray   # (P,) species index of each phase formed
    phase_gas: np.ndarray       # (P,) bool: leaves by the vent
    dissolve: np.ndarray        # bool (S,): solid reagents dissolved
    H: np.ndarray               # (S,) hydrogen atoms per species
    S: int
    #: bool (S,): aqueous species outside the speciated elements, passed unchanged
    passing: np.ndarray | None = None

    @classmethod
    def build(cls, species, database: str, minerals, gases: dict[str, float],
              dissolve=(), elements=None) -> LiquorEquilibrium:
        """For a flowsheet's species set: ``minerals`` (database phase names), ``gases``
        {database gas name: stripping pressure p* [atm]}, ``dissolve`` (solid reagent ids),
        ``elements`` (None: every aqueous species is speciated; else only those made of
        these elements, H and O: the others pass through unchanged, so a unit on one
        liquor of a large plant carries only the masters its liquor has).
        Raises :class:`DataError` naming the species the flowsheet lacks."""
        for m in minerals:
            if m not in MINERAL_SPECIES:
                raise DataError(f"mineral {m!r} has no polyflow species to leave as",
                                field="minerals", hint="one of " + ", ".join(MINERAL_SPECIES))
        for g in gases:
            if g not in GAS_SPECIES:
                raise DataError(f"gas {g!r} cannot be vented", field="vent_gases",
                                hint="one of " + ", ".join(GAS_SPECIES))
        sub, pos, passing = _speciated(species, elements)
        sys, cmap = stream_system(sub, database)
        db = load_equilibria(database)
        A = np.zeros((cmap.A.shape[0], len(species)))
        A[:, pos] = cmap.A
        col = {m: k for k, m in enumerate(cmap.masters)}
        dis = np.zeros(len(species), dtype=bool)
        for sid in dissolve:
            i = species.idx(sid)
            dis[i] = True
            for count, ion in AGENT_IONS[species.ids[i]]:
                r = db.find(ion)
                A[0, i] += count * r.charge
                for m, c in r.nu.items():
                    if m in ("H+", "H2O"):
                        continue
                    if m not in col:
                        raise DataError(
                            f"the reagent {sid!r} brings the master {m!r}, which no aqueous "
                            "species of the flowsheet carries", field="species",
                            hint=f"add the ion {m!r} to the flowsheet's species")
                    A[col[m], i] += count * c
        usable = [m for m in minerals if set(db.phases[m].nu) <= {*col, "H2O"}]
        sys, _ = stream_system(sub, database, usable)
        P0 = len(sys.minerals)
        gas_rx = [g for g in gases if set(db.gases[g].nu) <= {*col, "H2O"}]
        if gas_rx:
            K = len(sys.masters)
            kcol = {m: k for k, m in enumerate(sys.masters)}
            mnu = np.zeros((len(gas_rx), K))
            mnw = np.zeros(len(gas_rx))
            mcoef = np.zeros((len(gas_rx), 6))
            for i, g in enumerate(gas_rx):
                r = db.gases[g]
                for m, c in r.nu.items():
                    if m == "H2O":
                        mnw[i] = c
                    else:
                        mnu[i, kcol[m]] = c
                mcoef[i] = r.coef
                mcoef[i, 0] += math.log10(gases[g])       # SI - log p* <= 0
            sys = dataclasses.replace(
                sys, minerals=(*sys.minerals, *gas_rx), mnu=np.vstack([sys.mnu, mnu]),
                mnu_w=np.concatenate([sys.mnu_w, mnw]), mcoef=np.vstack([sys.mcoef, mcoef]))
        # the ion of each master
        ions = {}
        for i, sp in enumerate(species.species):
            if sp.phase != "aq" or sp.id == "H2O(l)":
                continue
            a = A[:, i]
            nz = np.nonzero(a[1:])[0]
            if len(nz) == 1 and a[1 + nz[0]] == 1.0:
                k = 1 + nz[0]
                formula = parse_formula(sp.formula.text)
                mf = parse_formula(cmap.masters[k])
                if formula.elements == mf.elements and formula.charge == mf.charge:
                    ions[k] = i
        # a master without its own ion (llnl's Sb(OH)3) is written in a species made of
        # it and masters that have theirs (SbS3-3(aq) = Sb(OH)3 + 3 HS-)
        pure = dict(ions)
        cands = []
        for i, sp in enumerate(species.species):
            if sp.phase != "aq" or sp.id == "H2O(l)":
                continue
            nz = 1 + np.nonzero(A[1:, i])[0]
            new = [k for k in nz if k not in pure]
            if len(new) == 1 and A[new[0], i] == 1.0 and all(k in pure for k in nz
                                                             if k != new[0]):
                cands.append((len(nz), sp.charge == 0, i, new[0]))
        for _, _, i, k in sorted(cands):        # fewest masters, ions first
            ions.setdefault(k, i)
        missing = [cmap.masters[k] for k in range(1, len(cmap.masters)) if k not in ions]
        for ion in ("H+", "OH-"):
            if f"{ion}(aq)" not in species.index:
                missing.append(ion)
        if missing:
            raise DataError("a liquor at equilibrium is written in its ions: the flowsheet "
                            "lacks the species " + ", ".join(repr(m) for m in missing),
                            field="species",
                            hint="add " + ", ".join(repr(m) for m in missing)
                                 + " to the flowsheet's species")
        basis = np.array([ions[k] for k in range(1, len(cmap.masters))], dtype=int)
        names = [*sys.minerals]
        phase_sp = [species.idx(MINERAL_SPECIES[m]) for m in names[:P0]]
        phase_sp += [species.idx(GAS_SPECIES[g]) for g in gas_rx]
        if len(set(phase_sp)) != len(phase_sp):
            raise DataError("two phases leave as the same polyflow species", field="minerals")
        H = species.element_matrix[species.elements.index("H")].astype(float) \
            if "H" in species.elements else np.zeros(len(species))
        return cls(sys, A, species.idx("H2O(l)"), basis, A[0, basis].copy(),
                   species.idx("H+(aq)"), species.idx("OH-(aq)"),
                   np.array(phase_sp, dtype=int),
                   np.array([False] * P0 + [True] * len(gas_rx)), dis, H, len(species),
                   passing)

    # -- layout and values --------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.sys.n_unknowns

    def layout(self, pinned: bool = False) -> Layout:
        """The internal unknowns; ``pinned`` (a target pH held by the unit) adds the base
        the liquor lacks for it, ``base`` [kmol/h of OH-], zero at the solution."""
        lay = Layout()
        K = len(self.sys.masters)
        # log10 a(H+), then the log10 free share of each other master's total
        # (at most 2: a free share above 100 is no state; pH above -2 likewise)
        lay.add("log_a", K, guess=[-3.0] + [0.0] * (K - 1), upper=2.0,
                labels=[f"log_a[{self.sys.masters[0]}]"]
                + [f"log_free[{m}]" for m in self.sys.masters[1:]])
        lay.add("I", guess=0.1, lower=0.0)
        lay.add("sum_m", guess=0.1, lower=0.0)
        lay.add("formed", len(self.sys.minerals), guess=0.0,
                labels=[f"formed[{m}]" for m in self.sys.minerals])
        lay.add("base", 1 if pinned else 0, guess=0.0)
        return lay

    def totals(self, ysum: np.ndarray, water: float):
        """Mixed-inlet flows with the outlet's water: the flows the rows see."""
        y = np.array(ysum, dtype=float)
        y[self.water] = max(water, 1e-9)
        return y

    def start(self, ysum: np.ndarray, water: float, T: float,
              pH: float | None = None) -> np.ndarray:
        """Speciation of the mixed inlets, solved standalone (a start profile); with
        ``pH``, also the base [kmol/h] that brings them to it (bracketed on grids of
        the charge total, each speciated in one vectorised call), appended."""
        y = self.totals(_softplus(np.asarray(ysum, dtype=float))[0], water)
        W = M_WATER * y[self.water]
        t = 1000.0 * (self.A @ y) / W
        t[1:] = np.maximum(t[1:], 0.0)
        T = float(np.clip(T, 273.15, 373.15)) if np.isfinite(T) else 298.15
        if pH is None:
            x = speciate(self.sys, t[None], T).x
            return to_free_fraction(self.sys, _CMAP(self), x, y[None])[0]
        span = 4.0 * float(np.abs(t[1:]).sum()) + 1.0
        mag = span * 10.0 ** np.linspace(-10.0, 0.0, 21)
        grid = np.concatenate([-mag[::-1], [0.0], mag])     # base added, mol/kg water
        b = 0.0
        for _ in range(3):        # bracket the target on a grid, then refine inside
            tb = np.repeat(t[None], len(grid), axis=0)
            tb[:, 0] -= grid
            gap = speciate(self.sys, tb, T).pH - pH
            up = np.nonzero((gap[:-1] < 0) & (gap[1:] >= 0))[0]
            if not len(up):
                b = float(grid[np.argmin(np.abs(gap))])
                break
            i = int(up[0])
            f = gap[i] / (gap[i] - gap[i + 1])
            b = float(grid[i] + f * (grid[i + 1] - grid[i]))
            grid = np.linspace(grid[i], grid[i + 1], 21)
        tb = t.copy()
        tb[0] -= b
        x = speciate(self.sys, tb[None], T).x
        u = to_free_fraction(self.sys, _CMAP(self), x, y[None])[0]
        return np.append(u, b * W / 1000.0)

    # -- rows -----------------------------------------------------------------------------
    def write(self, eq, inlets: list[int], out: int, vent: int,
              pH: float | None = None, dose: int | None = None) -> np.ndarray:
        """All species rows of ``out`` (slurry) and ``vent`` and the speciation rows;
        returns the global indices of the internal unknowns (read with :meth:`layout`).

        With ``pH`` the unit holds its liquor at that pH: log10 a(H+) = −pH is a row,
        and the base b [kmol/h OH-] the liquor lacks for it is an unknown that enters
        the charge total and leaves with the outlet (as OH-(aq)), so the outlet carries a
        net charge −b until the dose feed that makes it neutral (a ``lime_dose`` with
        ``target = "charge"``) has brought b to zero. Written so, the dose is nearly
        linear in the plant's unknowns at the fixed pH: Newton does not have to follow
        the steep titration curve."""
        S = self.S
        pinned = pH is not None
        lay = self.layout(pinned)
        z = lay.declare(eq)
        n = self.n
        K = len(self.sys.masters)
        P = len(self.sys.minerals)
        nin = len(inlets)
        sp = eq.species
        solid, gas = sp.mask("s"), sp.mask("g")
        aq = sp.mask("aq")
        in_cols = np.concatenate([eq.flows(s) for s in inlets])
        cols = np.concatenate([in_cols, eq.flows(out), eq.flows(vent),
                               [eq.temperature(out)], z])
        o_b = nin * S + 2 * S + 1 + n           # the base, when pinned
        if pinned and dose is not None:
            cols = np.append(cols, dose)
        o_q = len(cols) - 1 if pinned and dose is not None else o_b
        o_in, o_out, o_vent, o_T, o_x = 0, nin * S, nin * S + S, nin * S + 2 * S, \
            nin * S + 2 * S + 1
        A0, Am = self.A[0], self.A[1:]
        Minv = np.linalg.inv(Am[:, self.basis])           # masters on basis ions
        mnu = self.sys.mnu[:, 1:]                          # (P, K-1)
        ph_out = np.where(self.phase_gas, o_vent, o_out) + self.phase_species
        # a phase's species already in the inlets passes, unless it is a dissolved reagent
        keep = (~self.dissolve[self.phase_species]).astype(float)
        w = self.water
        nb = len(self.basis)
        n_rows = n + P + nb + 1 + (1 if pinned else 0)
        i_h = n + P + nb                         # the H+ split row
        MW1000 = M_WATER / 1000.0
        A_ext = np.hstack([self.A, np.zeros((self.A.shape[0], 1))])
        A_ext[0, -1] = -1.0                      # the base: one negative charge
        cmap_ext = _Map(A_ext, w)

        def parts(xl):
            ysum = xl[o_in:o_out].reshape(nin, S).sum(axis=0)
            water = xl[o_out + w]
            x = xl[o_x:o_x + n]
            return ysum, water, x, xl[o_T]

        def func_jac(xl, want_jac=True):
            ysum, water, x, T = parts(xl)
            base = xl[o_b] if pinned else 0.0
            # the speciation sees the mixed inlet flows made smoothly non-negative (an
            # iterate's inlet flow below zero, which Newton does not forbid here, would
            # leave a master total with no root); the outlets are written on the flows
            # themselves, so the balances stay exact
            ypos, dpos = _softplus(ysum)
            y = np.append(self.totals(ypos, water), base)
            F, Jx, Jy, JT, xa = free_fraction_rows(self.sys, cmap_ext, x[None], y[None],
                                                   np.array([T]))
            F, Jx, Jy, JT = F[0], Jx[0], Jy[0], JT[0]
            Jb = Jy[:, -1]
            Jy = Jy[:, :-1]
            y = y[:-1]
            s = x[K + 2:]
            Wk = MW1000 * y[w]                       # 1000 kg water per h / 1000
            r = np.empty(n_rows)
            sc = np.empty(n_rows)
            r[:n] = F
            sc[:n] = _scales(self.sys, xa[0], T, F, y, self.A, w)
            # phases formed leave as their species
            rp = xl[ph_out] - keep * ysum[self.phase_species] - Wk * s
            r[n:n + P] = rp
            sc[n:n + P] = np.abs(xl[ph_out]) + np.abs(ysum[self.phase_species]) \
                + np.abs(Wk * s) + 1e-12
            # basis ions: master totals less what formed
            N = Am @ ysum - Wk * (s @ mnu)
            nbv = Minv @ N
            ib = o_out + self.basis
            r[n + P:n + P + nb] = xl[ib] - nbv
            # scaled by the magnitudes of the terms (a metal almost all precipitated
            # leaves N as the difference of two large totals)
            sc[n + P:n + P + nb] = np.abs(xl[ib]) + np.abs(Minv) @ (
                np.abs(Am) @ np.abs(ysum) + Wk * (np.abs(s) @ np.abs(mnu))) + 1e-12
            # H+ from the unbalanced charge
            D = A0 @ ysum - self.z_basis @ xl[ib] - base
            c = C_NEUTRAL * Wk
            root = math.sqrt(D * D + 4.0 * c * c)
            ih = o_out + self.h_plus
            r[i_h] = xl[ih] - 0.5 * (D + root)
            sc[i_h] = abs(xl[ih]) + 0.5 * (abs(D) + root) + 1e-12
            if pinned:
                r[-1] = x[0] + pH
                sc[-1] = 1.0
            if not want_jac:
                return r, sc
            J = np.zeros((n_rows, len(xl)))
            # speciation rows
            Jy_in = Jy * dpos
            Jy_in[:, w] = 0.0
            for k in range(nin):
                J[:n, o_in + k * S:o_in + (k + 1) * S] = Jy_in
            J[:n, o_out + w] = Jy[:, w] if water > 1e-9 else 0.0
            J[:n, o_T] = JT
            J[:n, o_x:o_x + n] = Jx
            if pinned:
                J[:n, o_b] = Jb
                J[i_h, o_b] = 0.5 * (1.0 + D / root)
                J[-1, o_x] = 1.0
            # phases
            rows = np.arange(n, n + P)
            J[rows, ph_out] = 1.0
            for k in range(nin):
                J[rows, o_in + k * S + self.phase_species] = -keep
            J[rows, o_out + w] -= MW1000 * s
            J[rows, o_x + K + 2 + np.arange(P)] = -Wk
            # basis
            rows = np.arange(n + P, n + P + nb)
            J[rows, ib] = 1.0
            dN_dy = Minv @ Am                                   # (nb, S)
            for k in range(nin):
                J[rows, o_in + k * S:o_in + (k + 1) * S] -= dN_dy
            J[rows, o_out + w] += MW1000 * (Minv @ (s @ mnu))
            J[np.ix_(rows, o_x + K + 2 + np.arange(P))] += Wk * (Minv @ mnu.T)
            # H+
            dD = 0.5 * (1.0 + D / root)
            dc = 0.5 * 4.0 * c / root
            for k in range(nin):
                J[i_h, o_in + k * S:o_in + (k + 1) * S] -= dD * A0
            J[i_h, ib] += dD * self.z_basis
            J[i_h, ih] += 1.0
            J[i_h, o_out + w] -= dc * C_NEUTRAL * MW1000
            return r, sc, J

        x0 = np.array(lay.guesses())
        ins_w = o_in + np.arange(nin) * S + w

        def dry(xl):
            """An empty tank (no water in yet: the plant's first iterates): its rows
            are the start-up ones, the internals held at their guesses."""
            return float(xl[ins_w].sum()) <= DRY_WATER

        def func(xl):
            return func0(xl) if dry(xl) else func_jac(xl, want_jac=False)

        def jac(xl):
            return jac0(xl) if dry(xl) else func_jac(xl)[2]

        # the inner Newton of the nonlinear elimination: the speciation rows (and the
        # pH held) on the internal unknowns (and the base), the inlets and outlet water
        # fixed
        inner_rows = np.r_[np.arange(n), [n_rows - 1] if pinned else []].astype(int)
        inner_cols = np.r_[np.arange(o_x, o_x + n), [o_b] if pinned else []].astype(int)

        def inner(xl, iters):
            xl = xl.copy()
            for _ in range(iters):
                r, sc, J = func_jac(xl)
                rr = r[inner_rows]
                if not np.all(np.isfinite(rr)):
                    return None
                if np.max(np.abs(rr) / sc[inner_rows]) < INNER_TOL:
                    return xl[inner_cols]
                try:
                    dz = np.linalg.solve(J[np.ix_(inner_rows, inner_cols)], -rr)
                except np.linalg.LinAlgError:
                    return None
                big = np.max(np.abs(dz[:n])) if n else 0.0
                if not np.isfinite(big):
                    return None
                xl[inner_cols] += dz * min(1.0, INNER_MAX_STEP / big) if big > 0 else dz
            return None

        def settle(xl):
            if dry(xl):
                return x0 if pinned else x0[:n]
            z_new = inner(xl, INNER_WARM)
            if z_new is None:                  # cold: the bracketed standalone solve
                ysum, water, _, T = parts(xl)
                try:
                    z_start = self.start(ysum, water, T, pH)
                except Exception:    # no speciation: keep the iterate
                    return None
                trial = xl.copy()
                trial[inner_cols] = z_start
                z_new = inner(trial, INNER_COLD)
            return z_new

        def func0(xl):
            r, sc = func_jac(xl, want_jac=False)
            r[:n] = xl[o_x:o_x + n] - x0[:n]
            sc[:n] = 1.0
            if pinned:                     # the dose (else the base) held at zero
                r[-1] = xl[o_q]
            return r, sc

        def jac0(xl):
            J = func_jac(xl)[2]
            J[:n] = 0.0
            J[np.arange(n), o_x + np.arange(n)] = 1.0
            if pinned:
                J[-1] = 0.0
                J[-1, o_q] = 1.0
            return J

        labels = [f"speciation: {lab}" for lab in lay.labels()[:n]]
        labels += [f"{sp.ids[self.phase_species[p]]} formed ({m})"
                   for p, m in enumerate(self.sys.minerals)]
        labels += [f"{sp.ids[b]}: master total" for b in self.basis]
        labels += ["H+(aq): charge split"]
        if pinned:
            labels += [f"pH held at {pH:g}"]
        # the rows stay smooth through zero flows (floored totals): Newton keeps only the
        # dose >= 0, so that the unit's inlets and outlets never hold the plant's step
        free = np.concatenate([in_cols, eq.flows(out), eq.flows(vent)])
        if dose is not None:
            free = free[free != dose]
        # the block's structural nonzeros (most inlet species touch few rows): a dense
        # block over every inlet species would fill the plant's LU
        # (probed twice: with inlets of order one, and with inlets far below the water,
        # where the H+ split is not saturated and its derivatives are not 0 or 1)
        probe = np.random.default_rng(0).uniform(0.5, 1.5, len(cols))
        probe[o_x:o_x + n] = x0[:n] + 0.1 * probe[o_x:o_x + n]
        probe[o_T] = 298.15
        nz = (func_jac(probe)[2] != 0) | (jac0(probe) != 0)
        probe[:o_out] *= 1e-12
        probe[ins_w] = 1e3
        probe[o_out + w] = 1e6
        nz |= func_jac(probe)[2] != 0
        ri, ci = np.nonzero(nz)

        def jac_nz(xl):
            return jac(xl)[ri, ci]

        def jac0_nz(xl):
            return jac0(xl)[ri, ci]

        eq.nonlinear(cols, n_rows, func, jac_nz, labels=labels, start=(func0, jac0_nz),
                     unbounded=free, pattern=(ri, ci))
        eq.eliminate(cols, cols[inner_cols], settle)
        eq.initialiser(np.concatenate([in_cols, [eq.flows(out)[w], eq.temperature(out)]]), z,
                       lambda v: self.start(v[:-2].reshape(nin, S).sum(axis=0), v[-2], v[-1],
                                            pH))

        # -- the linear rows: every other species of both outlets ----------------------
        done_out = np.zeros(S, dtype=bool)
        done_vent = np.zeros(S, dtype=bool)
        for i, g in zip(self.phase_species, self.phase_gas, strict=True):
            (done_vent if g else done_out)[i] = True
        done_out[self.basis] = True
        done_out[self.h_plus] = True
        # OH-: n_OH = n_H - D
        ib = eq.flows(out)[self.basis]
        c_cols = [eq.flows(out)[self.oh_minus], eq.flows(out)[self.h_plus], *ib]
        c_vals = [1.0, -1.0, *(-self.z_basis)]
        nzA = np.nonzero(A0)[0]
        for s_ in inlets:
            c_cols += list(eq.flows(s_)[nzA])
            c_vals += list(A0[nzA])
        if pinned:
            c_cols.append(z[n])
            c_vals.append(-1.0)
        eq.linear_rows(1, out, self.oh_minus, np.zeros(len(c_cols), int), np.array(c_cols),
                       np.array(c_vals))
        done_out[self.oh_minus] = True
        # water: the hydrogen balance of the unit
        Hn = np.nonzero(self.H)[0]
        c_cols = [*eq.flows(out)[Hn], *eq.flows(vent)[Hn]]
        c_vals = [*self.H[Hn], *self.H[Hn]]
        for s_ in inlets:
            c_cols += list(eq.flows(s_)[Hn])
            c_vals += list(-self.H[Hn])
        eq.linear_rows(1, out, w, np.zeros(len(c_cols), int), np.array(c_cols),
                       np.array(c_vals))
        done_out[w] = True
        # the rest: liquor species other than the ions and dissolved reagents leave as
        # ions (0 here); other solids and non-aqueous liquor pass; gases go to the vent
        zero_out = ~done_out & ((aq & ~solid & ~gas) | self.dissolve | gas)
        if self.passing is not None:
            zero_out &= ~self.passing
        pass_out = ~done_out & ~zero_out
        pass_vent = ~done_vent & gas
        zero_vent = ~done_vent & ~gas
        for dst, mask_pass, mask_zero in ((out, pass_out, zero_out),
                                          (vent, pass_vent, zero_vent)):
            for mask, coef in ((mask_pass, 1.0), (mask_zero, 0.0)):
                idx = np.nonzero(mask)[0]
                if not len(idx):
                    continue
                rl = [np.arange(len(idx))]
                cc = [eq.flows(dst)[idx]]
                vv = [np.ones(len(idx))]
                if coef:
                    for s_ in inlets:
                        rl.append(np.arange(len(idx)))
                        cc.append(eq.flows(s_)[idx])
                        vv.append(-np.ones(len(idx)))
                eq.linear_rows(len(idx), dst, idx, np.concatenate(rl), np.concatenate(cc),
                               np.concatenate(vv))
        return z


def _softplus(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A smooth non-negative stand-in for flows [kmol/h] (y itself above ~SOFT_FLOW, →
    SOFT_FLOW²/(4|y|) below zero) and its derivative."""
    r = np.sqrt(y * y + SOFT_FLOW * SOFT_FLOW)
    return 0.5 * (y + r), 0.5 * (1.0 + y / r)


def _speciated(species, elements):
    """(the species set the liquor is speciated in, their positions in ``species``, the
    aqueous species that pass unchanged or None): with ``elements`` None every species;
    else water and the aqueous species made of ``elements``, H and O only."""
    from polyflow.chem.species import SpeciesSet

    if elements is None:
        return species, np.arange(len(species)), None
    allowed = {*elements, "H", "O"}
    inside = np.array([sp.phase != "aq" or sp.id == "H2O(l)" or set(sp.elements) <= allowed
                       for sp in species.species])
    pos = np.nonzero(inside)[0]
    sub = SpeciesSet([species.species[i] for i in pos], species.database,
                     species.size_classes)
    passing = ~inside
    return sub, pos, passing
