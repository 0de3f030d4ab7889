"""The cascade's linear rows: the stage balances of every element and of the acid, the
free extractant, the phase volumes and total extractant, and the outlet streams.

For stage j and element i, with a and o the aqueous and organic flows leaving the stage
[kmol/h] (Xu Guangxian, *Rare Earths*, 2nd ed. (1995), vol. 1, ch. 9):

    a_ij + o_ij = a_i,j+1 + o_i,j−1 + inlets_ij
    h_j = h_j+1 + Σ_i z_i (o_ij − o_i,j−1) + acid_j   (MCl_z + z HA → MA_z + z HCl)
    F_j = T_A − Σ_i ν_i o_ij                          (free extractant, ν_i = ν z_i/3)

with z_i the charge of metal i (3 for the rare earths, Fe and Al, 2 for Ca, 4 for Th,
1 for the NH4+ or Na+ of a saponified organic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from polyflow.units.ree.unit import REECascade

__all__ = ["outlet_rows", "stage_rows", "volume_rows"]


def stage_rows(eq, unit: REECascade, g: dict, inlet_at: list, org_in_LnA3: list) -> None:
    """Element balances (E×N rows), acid balances (N) and free extractant (N) of every
    stage. ``inlet_at``: (aqueous inlet stream, 0-based stage) pairs."""
    st = unit.stages
    N, E = st.N, st.E
    ia, io, ih = g["aqueous"], g["organic"], g["acid"]
    jj = np.nonzero(st.same_train())[0]
    # stage balances of every element: E×N rows
    R, C, V = [], [], []
    rows = np.arange(N * E).reshape(N, E)
    R += [rows.ravel(), rows.ravel()]
    C += [ia.ravel(), io.ravel()]
    V += [np.ones(N * E), np.ones(N * E)]
    R.append(rows[jj].ravel())
    C.append(ia[jj + 1].ravel())
    V.append(-np.ones(len(jj) * E))
    R.append(rows[1:].ravel())
    C.append(io[:-1].ravel())
    V.append(-np.ones((N - 1) * E))
    for cols in org_in_LnA3:
        R.append(rows[0])
        C.append(cols)
        V.append(-np.ones(E))
    for s, j in inlet_at:
        R.append(rows[j])
        C.append(eq.flows(s)[unit.aq])
        V.append(-np.ones(E))
    # labelled as species rows of the raffinate, so that an element's trace amounts
    # are judged against that element's flows (the core's species floor)
    raf = eq.outlets["raffinate"]
    eq.linear_rows(N * E, raf, np.tile(unit.aq, N), np.concatenate(R),
                   np.concatenate(C), np.concatenate(V))

    # acid balance: N rows
    r = np.arange(N)
    R = [r, r[jj], np.repeat(r, E), np.repeat(r[1:], E)]
    C = [ih, ih[jj + 1], io.ravel(), io[:-1].ravel()]
    z = unit.charge
    V = [np.ones(N), -np.ones(len(jj)), -np.tile(z, N), np.tile(z, N - 1)]
    for cols in org_in_LnA3:
        R.append(np.zeros(E, int))
        C.append(cols)
        V.append(z.copy())
    for s, j in inlet_at:
        R.append(np.array([j]))
        C.append(np.array([eq.flows(s)[unit.acid]]))
        V.append(np.array([-1.0]))
    eq.linear_rows(N, raf, unit.acid, np.concatenate(R), np.concatenate(C),
                   np.concatenate(V))

    # free extractant: F_j = T_A − ν Σ_i o_ij: N rows
    nu = unit.nu
    eq.linear_rows(N, eq.outlets["organic"], unit.ha,
                   np.concatenate([r, r, np.repeat(r, E)]),
                   np.concatenate([g["free_extractant"], np.full(N, g["extractant_total"]),
                                   io.ravel()]),
                   np.concatenate([np.ones(N), -np.ones(N), np.tile(nu, N)]))


def volume_rows(eq, unit: REECascade, g: dict, volumes: tuple) -> None:
    """The phase volume flows [m3/h] (phase mass over density) and the total extractant
    (free + 3 per complex) of the inlets: 5 rows. ``volumes``: the unknowns of
    :data:`~polyflow.units.ree.layout.VOLUMES`, in order."""
    p = unit.p
    feeds = eq.inlets["feed"]
    scrubs = eq.inlets.get("scrub", [])
    strips = eq.inlets.get("strip", [])
    orgs = eq.inlets["organic"]
    sp = eq.species
    vaq = sp.mw * sp.mask("aq") / p["aqueous_density"]
    vorg = sp.mw * sp.mask("org") / p["organic_density"]
    R, C, V = [np.arange(5)], [np.array(volumes)], [np.ones(5)]
    for row, streams, w in ((0, feeds + scrubs, vaq), (1, scrubs, vaq), (2, strips, vaq),
                            (3, orgs, vorg)):
        for s in streams:
            nz = np.nonzero(w)[0]
            R.append(np.full(len(nz), row))
            C.append(eq.flows(s)[nz])
            V.append(-w[nz])
    for s in orgs:
        R.append(np.full(unit.stages.E + 1, 4))
        C.append(np.append(eq.flows(s)[unit.org], eq.flows(s)[unit.ha]))
        V.append(np.append(-unit.charge, -1.0))
    eq.linear_rows(5, -1, -2, np.concatenate(R), np.concatenate(C), np.concatenate(V))


def outlet_rows(eq, unit: REECascade, g: dict) -> None:
    """The three outlets: species that take no part pass with their phase (feed and
    scrub to the raffinate, strip to the strip liquor, organic to the organic), the
    elements and the acid leave the end stages, the extractant from its balance."""
    N, ns = unit.stages.N, unit.stages.ns
    ia, io, ih = g["aqueous"], g["organic"], g["acid"]
    S = eq.S
    active_aq = np.zeros(S, bool)
    active_aq[unit.aq] = True
    active_aq[unit.acid] = True
    active_org = np.zeros(S, bool)
    active_org[unit.org] = True
    active_org[unit.ha] = True
    feeds_scrubs = eq.inlets["feed"] + eq.inlets.get("scrub", [])
    _outlet(eq, unit, eq.outlets["raffinate"], feeds_scrubs, ~active_aq,
            [(unit.aq, ia[0]), ([unit.acid], [ih[0]])])
    if ns < N:
        _outlet(eq, unit, eq.outlets["strip_liquor"], eq.inlets["strip"], ~active_aq,
                [(unit.aq, ia[ns]), ([unit.acid], [ih[ns]])])
    _outlet(eq, unit, eq.outlets["organic"], eq.inlets["organic"], ~active_org,
            [(unit.org, io[N - 1])], extractant=(g["extractant_total"], io[N - 1]))


def _outlet(eq, unit: REECascade, dst: int, sources: list[int], passing: np.ndarray,
            taken: list, extractant=None) -> None:
    """Rows ``n_dst,i = Σ_src n_src,i`` for passing species and ``n_dst,i = z`` for
    the species the stages determine; the extractant from its balance."""
    S = eq.S
    dcols = eq.flows(dst)
    R, C, V = [np.arange(S)], [dcols], [np.ones(S)]
    pas = np.nonzero(passing)[0]
    for s in sources:
        R.append(pas)
        C.append(eq.flows(s)[pas])
        V.append(-np.ones(len(pas)))
    for sp_idx, cols in taken:
        R.append(np.asarray(sp_idx))
        C.append(np.asarray(cols))
        V.append(-np.ones(len(cols)))
    if extractant is not None:   # HA out = T_A − Σ_i z_i o_iN
        iT, oN = extractant
        R.append(np.full(len(oN) + 1, unit.ha))
        C.append(np.append(oN, iT))
        V.append(np.append(unit.charge, -1.0))
    eq.linear_rows(S, dst, np.arange(S), np.concatenate(R), np.concatenate(C),
                   np.concatenate(V))
