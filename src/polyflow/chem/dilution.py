"""Reagents as delivered: their dissolution, and the heat of dilution of strong electrolytes.

Two mechanisms, both on the formation-enthalpy basis of :mod:`polyflow.chem.species`:

**Dissolution** (a species map). A species delivered as a solid or a pure liquid names the
aqueous species it dissolves to in the ``dissolves_to`` column of the species tables
(``H2SO4(l) -> H2SO4(aq)``, ``NaOH(s) -> NaOH(aq)``, ...). :func:`dissolution_matrix`
gives the S×S matrix ``D`` with ``n_out = D n_in`` that moves each such species to its
dissolved form; a unit that dissolves delivered reagents (the mixer) multiplies its
species map by it. The heat of solution to infinite dilution then falls out of the
energy balance: ``ΔH = ΔHf(aq, ai) − ΔHf(l or s)``, e.g. −95.28 kJ/mol for H2SO4(l)
(NBS82).

**Finite dilution** (an excess enthalpy of every stream). Concentrated acid and caustic
are far from the infinite-dilution ("ai") state: 98 % sulphuric acid holds 92.6 kJ/mol
of the 95.3 kJ/mol it releases on dilution, 50 % caustic about 20 kJ/mol. Every stream's
enthalpy therefore carries, for each solute ``j`` with data in
``data/apparent_enthalpy.csv``,

.. math::

    H^{ex} = \\sum_j n_j\\,\\phi^*_{L,j}(t_j), \\qquad
    t_j = \\sqrt{n_j / (n_j + n_{H_2O})}

where :math:`\\phi_L` is the relative apparent molar enthalpy (Harned & Owen, *The
Physical Chemistry of Electrolytic Solutions*, 3rd ed. (1958), ch. 8; the NBS tables
give it as ΔfH(solute in n H2O) − ΔfH(ai)), interpolated by a monotone cubic in ``t``
(linear in √m at high dilution, the Debye–Hückel limiting form), and φ*_L is φL
relative to the reference state below. The partial
derivatives that Newton needs are

.. math::

    \\frac{\\partial H^{ex}}{\\partial n_j} = \\phi^*_L + \\phi^{*\\prime}_L(t)\\,\\frac{t}{2}
    \\frac{n_w}{n_j + n_w}, \\qquad
    \\frac{\\partial H^{ex}}{\\partial n_w} = -\\sum_j \\phi^{*\\prime}_L(t_j)\\,\\frac{t_j}{2}
    \\frac{n_j}{n_j + n_w}.

**Reference state.** The excess is taken relative to the solute in ``N_REF`` = 20 mol
of water (2.78 mol/kg H2SO4, about 230 g/L): ``φL*(n) = φL(n) − φL(N_REF)`` for
``n < N_REF`` and 0 for more dilute liquors, which keep the ideal "ai" enthalpy that
every reaction heat of the species tables is written in. Every process liquor of the
shipped lines (leach liquors, PLS, raffinate, tankhouse electrolyte at 180-200 g/L)
is more dilute, so their leach, SX, electrowinning and precipitation heats are
unchanged, while a reagent-strength solution carries the heat it gives off when
diluted to a process liquor: for 98 % acid φL(0.111) − φL(20) = 66.4 kJ/mol, short by
2.7 kJ/mol (4 %) of the NBS82 integral heat to 100 H2O and by 24 kJ/mol of the heat to
infinite dilution (that rest is the dilute-liquor enthalpy, mostly bisulphate
association, which a speciation model forming HSO4- carries itself; such a model must
then use a φL without it).

A delivered solid or pure liquid that dissolves to such a solute (H2SO4(l)) carries the
constant excess −φL(N_REF) per mole, which puts it on the same reference: pure acid
diluted into a process liquor gives off ΔfH(l) − ΔfH(in 20 H2O) = 70.9 kJ/mol (NBS82),
and H2SO4(l) + water at 98 % and H2SO4(aq) + water at 98 % differ by the acid's heat of
mixing with that water only (4.6 kJ/mol). The shipped flowsheets feed concentrated acid
as H2SO4(aq) + water (98 %: 0.111 H2O per H2SO4).

The heat capacity of a solution stays the sum of the species' (ai) values, too small
below about 20 H2O per H2SO4 (negative below 4): a unit whose outlet is that
concentrated has no trustworthy temperature.

Each solute is treated against the water alone (Young's rule for mixed electrolytes
with the binary φL of each); φL is the 298.15 K value at every temperature.

Why a stream property and not a heat released by the dissolving unit: the enthalpy of
a stream is then a function of its state only, so a 98 % acid fed as H2SO4(aq) + water
and one fed as H2SO4(l) + water carry the same enthalpy, the heat appears in whichever
unit dilutes the acid (a mixer, a leach tank, a thickener wash), and a reaction that
consumes concentrated acid releases the dilution heat of what it consumes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from polyflow.chem.elements import read_data_csv
from polyflow.errors import DataError

if TYPE_CHECKING:       # imported on first use: scipy.interpolate costs 0.1-0.3 s
    from scipy.interpolate import PchipInterpolator

__all__ = ["N_REF", "ApparentEnthalpy", "apparent_enthalpy_table", "dissolution_matrix",
           "excess_phi", "phi_L"]

WATER = "H2O(l)"


@cache
def apparent_enthalpy_table() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{solute id: (t, φL [kJ/mol])} from ``data/apparent_enthalpy.csv``, t ascending."""
    pts: dict[str, list[tuple[float, float]]] = {}
    for k, row in enumerate(read_data_csv("apparent_enthalpy.csv"), start=1):
        n_text = row["n_H2O"].strip()
        try:
            n = math.inf if n_text == "inf" else float(n_text)
            phi = float(row["phiL_kJ_mol"])
        except ValueError:
            raise DataError(f"apparent_enthalpy.csv row {k}: n_H2O or phiL_kJ_mol is not a "
                            f"number", value=n_text) from None
        t = 0.0 if math.isinf(n) else 1.0 / math.sqrt(1.0 + n)
        pts.setdefault(row["solute"].strip(), []).append((t, phi))
    out = {}
    for sid, p in pts.items():
        p.sort()
        t, phi = np.array(p).T
        if len(t) < 2 or np.any(np.diff(t) <= 0):
            raise DataError(f"apparent_enthalpy.csv: {sid!r} needs two or more distinct n")
        out[sid] = (t, phi)
    return out


#: mol water per mol solute of the reference state: liquors more dilute than this
#: (2.78 mol/kg H2SO4, about 230 g/L) keep the ideal "ai" enthalpy of the species tables
N_REF = 20.0


@cache
def _raw(solute: str) -> PchipInterpolator:
    from scipy.interpolate import PchipInterpolator

    t, phi = apparent_enthalpy_table()[solute]
    return PchipInterpolator(t, phi, extrapolate=False)


@cache
def _interpolator(solute: str) -> tuple[PchipInterpolator, PchipInterpolator, float, float]:
    """φL relative to the reference state, as a function of t: the table's φL minus
    φL(N_REF) above the reference concentration, 0 below it (a flat segment, so the
    monotone cubic has zero slope at the reference point and the enthalpy stays
    smooth)."""
    from scipy.interpolate import PchipInterpolator

    t, phi = apparent_enthalpy_table()[solute]
    t_ref = 1.0 / np.sqrt(1.0 + N_REF)
    keep = t > t_ref * (1.0 + 1e-12)
    tt = np.concatenate([[0.0, t_ref], t[keep]])
    pp = np.concatenate([[0.0, 0.0], phi[keep] - float(_raw(solute)(t_ref))])
    f = PchipInterpolator(tt, pp, extrapolate=False)
    return f, f.derivative(), float(tt[0]), float(tt[-1])


def phi_L(solute: str, n_water_per_solute: float | np.ndarray) -> np.ndarray:
    """φL [kJ/mol] of ``solute`` in ``n`` mol of water per mol (``np.inf`` allowed),
    as tabulated (relative to infinite dilution).

    >>> round(float(phi_L("H2SO4(aq)", 100)), 2)   # NBS82: -887.64 - (-909.27)
    21.63
    """
    n = np.asarray(n_water_per_solute, dtype=float)
    t, _ = apparent_enthalpy_table()[solute]
    return _raw(solute)(np.clip(1.0 / np.sqrt(1.0 + n), t[0], t[-1]))


def excess_phi(solute: str, n_water_per_solute: float | np.ndarray) -> np.ndarray:
    """The excess enthalpy per mol of solute that a stream carries [kJ/mol]:
    ``φL(n) − φL(N_REF)`` for ``n < N_REF``, else 0.

    >>> round(float(excess_phi("H2SO4(aq)", 0)), 2)   # NBS82: -813.989 + 884.92 (to 20 H2O)
    70.93
    """
    n = np.asarray(n_water_per_solute, dtype=float)
    f, _, lo, hi = _interpolator(solute)
    return f(np.clip(1.0 / np.sqrt(1.0 + n), lo, hi))


@dataclass(frozen=True)
class ApparentEnthalpy:
    """The excess enthalpy of the solutes of one species set (see the module text).

    ``solutes`` are the positions of the species with φL data, ``water`` the position of
    H2O(l) (−1 when absent). ``shifted``/``shift`` are the positions of delivered
    reagents that dissolve to such a solute (H2SO4(l)) and their constant excess
    −φL(N_REF) [kJ/mol], which puts them on the same reference as the liquor they
    dissolve in.
    """

    solutes: tuple[int, ...]
    ids: tuple[str, ...]
    water: int
    shifted: tuple[int, ...] = ()
    shift: tuple[float, ...] = ()

    @classmethod
    def of(cls, species) -> ApparentEnthalpy | None:
        """For a flowsheet's :class:`~polyflow.chem.species.SpeciesSet`, or ``None``
        when it needs none."""
        table = apparent_enthalpy_table()
        ids = list(species.ids)
        water = ids.index(WATER) if WATER in ids else -1
        pos = [(i, s) for i, s in enumerate(ids) if s in table] if water >= 0 else []
        shifted = [(i, -float(phi_L(sp.dissolves_to, N_REF)))
                   for i, sp in enumerate(species.species) if sp.dissolves_to in table]
        shifted = [(i, c) for i, c in shifted if c != 0.0]
        if not pos and not shifted:
            return None
        return cls(tuple(i for i, _ in pos), tuple(s for _, s in pos), water,
                   tuple(i for i, _ in shifted), tuple(c for _, c in shifted))

    def enthalpy(self, N: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_ex[s] [MJ/h], ∂H_ex/∂n[s, i] [MJ/kmol]) for flows ``N[s, i]`` [kmol/h]."""
        N = np.atleast_2d(N)
        H = np.zeros(N.shape[0])
        dH = np.zeros_like(N, dtype=float)
        for i, c in zip(self.shifted, self.shift, strict=True):
            H += N[:, i] * c
            dH[:, i] += c
        if not self.solutes:
            return H, dH
        nw = np.maximum(N[:, self.water], 0.0)
        for i, sid in zip(self.solutes, self.ids, strict=True):
            f, df, lo, hi = _interpolator(sid)
            nj = np.maximum(N[:, i], 0.0)
            tot = nj + nw
            safe = np.where(tot > 0.0, tot, 1.0)
            t = np.where(tot > 0.0, np.sqrt(nj / safe), 0.0)
            inside = (t > lo) & (t < hi)
            tc = np.clip(t, lo, hi)
            phi = f(tc)
            dphi = np.where(inside, df(tc), 0.0)
            H += nj * phi
            dH[:, i] += np.where(N[:, i] > 0.0, phi + dphi * 0.5 * t * nw / safe, phi)
            dH[:, self.water] -= np.where(nw > 0.0, dphi * 0.5 * t * nj / safe, 0.0)
        return H, dH


def dissolution_matrix(species) -> np.ndarray | None:
    """S×S matrix ``D`` (``n_out = D n_in``) that dissolves each delivered reagent of the
    species set into its ``dissolves_to`` species; ``None`` when the set holds none.

    A reagent whose dissolved form is not in the flowsheet's species list is an error
    that names both.
    """
    S = len(species)
    D = None
    for i, sp in enumerate(species.species):
        target = sp.dissolves_to
        if not target:
            continue
        if target not in species.index:
            raise DataError(f"species {sp.id!r} dissolves to {target!r}, which is not in "
                            f"this flowsheet's species list",
                            hint=f"add {target!r} to [flowsheet] species")
        if D is None:
            D = np.eye(S)
        j = species.index[target]
        D[i, i] = 0.0
        D[j, i] = 1.0
    return D
