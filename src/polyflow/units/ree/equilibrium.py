"""The cascade's nonlinear block: the stage equilibria of every element, the loading and
the acidity logarithms, with the start-up form of the first Newton step.

Written in ln(free-extractant fraction) u_j and ln(acid molarity) v_j so that every
distribution ratio D = K·exp(n·u − m·v) stays positive whatever the Newton iterate:

* E×N rows  (o_ij − (1−η) o_i,j−1)·W_j − η·K_ij·a_ij·V·exp(n_ij u_j − m_ij v_j) = 0
* N rows    F_j − T_A·exp(u_j) = 0      (when the loading enters the equilibrium)
* N rows    v_j − ln(h_j/W_j) = 0       (pH model; h_j ≥ 0 kept by Newton)

The acidity row is written for v from the logarithm of the acid, not as h = W·exp(v):
Newton's step on exp(v) overshoots by orders of magnitude when the acid of a stage
changes much (the strip section), and that stalled the pH model from the default start;
on ln(h/W) the step is the relative change of the acid.

Source: the Murphree stage (organic phase), Seader, Henley & Roper, *Separation Process
Principles*, 3rd ed. (2011), §5.4; the distribution models in :mod:`.models`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from polyflow.solve.layout import Layout
from polyflow.solve.system import SPECIES_FLOOR

if TYPE_CHECKING:
    from polyflow.units.ree.unit import REECascade

__all__ = ["EXP_CLIP", "TINY", "equilibrium_block", "start_split"]

#: guard of the logarithms of the acid and volume flows (pH model)
TINY = 1e-300
#: relative round-off floor of the equilibrium rows of an element absent everywhere
ROUND_OFF = 1e-12
#: bound of the exponent of D = K·exp(n·u − m·v) in the equilibrium rows
EXP_CLIP = 300.0


def _columns(g: dict, org_in_LnA3: list, E: int) -> tuple[Layout, np.ndarray]:
    """The block's local columns, named, and their global indices."""
    loc = Layout()
    for name in ("aqueous", "organic", "acid", "free_extractant"):
        loc.add(name, g[name].size)
    loc.add("W", 3)                      # extraction, scrub and strip aqueous volumes
    for name in ("V_org", "extractant_total", "ln_free_fraction", "ln_acid_molarity"):
        loc.add(name, np.shape(g[name]))
    loc.add("org_in", E * (len(org_in_LnA3) == 1))   # complexes of the organic inlet
    cols = loc.gather({**g, "W": [g["V_aq_extraction"], g["V_aq_scrub"], g["V_aq_strip"]],
                       "org_in": org_in_LnA3[0] if len(org_in_LnA3) == 1 else []})
    return loc, cols.astype(int)


def equilibrium_block(eq, unit: REECascade, g: dict, org_in_LnA3: list) -> None:
    """Add the block (see the module docstring) for the cascade ``unit`` whose internal
    unknowns are ``g`` (global indices by layout block); ``org_in_LnA3``: the columns of
    the complexes in the organic inlet (one list per organic stream)."""
    st = unit.stages
    N, E, ns = st.N, st.E, st.ns
    c = unit.constants
    eta = unit.p["efficiency"]
    loc, cols = _columns(g, org_in_LnA3, E)
    use_u, use_v = loc["ln_free_fraction"].size > 0, loc["ln_acid_molarity"].size > 0
    ne = N * E
    has_prev_inlet = loc["org_in"].size > 0
    stage = np.arange(N)
    j = np.repeat(stage, E)
    e = np.tile(np.arange(E), N)
    r = np.arange(ne)
    la, lo = loc.index("aqueous"), loc.index("organic")
    lh, lF = loc.index("acid"), loc.index("free_extractant")
    lT = loc.index("extractant_total")
    lW_stage = loc.index("W")[st.volume_of_stage()]
    lW = lW_stage[j]
    lV = np.full(ne, loc.index("V_org"))
    first = j == 0
    lprev = np.where(first, loc.index("org_in")[e] if has_prev_inlet else lo, lo - E)
    strip = j >= ns
    K = np.where(strip, c.K_str[e], c.K_ext[e])
    m = np.where(strip, c.m_str[e], c.m_ext[e])
    n = np.where(strip, c.n_str[e], c.n_ext[e])
    keep_prev = (1.0 - eta) * ((~first) | has_prev_inlet)
    lu_stage, lv_stage = loc.index("ln_free_fraction"), loc.index("ln_acid_molarity")
    lu = lu_stage[j] if use_u else lo      # placeholder column when unused (value 0)
    lv = lv_stage[j] if use_v else lo
    # pattern: equilibrium rows (o, o_prev, a, W, V, u, v), then the u and v rows
    ri = [np.tile(r, 7)]
    ci = [np.concatenate([lo, lprev, la, lW, lV, lu, lv])]
    row = ne
    if use_u:
        ri.append(np.tile(row + stage, 3))
        ci.append(np.concatenate([lF, np.full(N, lT), lu_stage]))
        row += N
    if use_v:
        ri.append(np.tile(row + stage, 3))
        ci.append(np.concatenate([lh, lW_stage, lv_stage]))
        row += N
    n_rows = row
    pattern = (np.concatenate(ri), np.concatenate(ci))
    nu_ = n if use_u else np.zeros(ne)
    mu_ = m if use_v else np.zeros(ne)

    def expo(x):
        arg = np.zeros(ne)
        if use_u:
            arg = arg + nu_ * x[lu]
        if use_v:
            arg = arg - mu_ * x[lv]
        # ±300: D = K·e^arg and its products with flows and volumes stay finite (at
        # ±700 a far iterate overflowed the equilibrium rows to inf and NaN)
        return np.exp(np.clip(arg, -EXP_CLIP, EXP_CLIP))

    def func(x):
        X = expo(x)
        P = x[lo] - keep_prev * x[lprev]
        H = eta * K * x[la] * x[lV] * X
        res = [P * x[lW] - H]
        sc = (np.abs(x[lo]) + np.abs(keep_prev * x[lprev])) * np.abs(x[lW]) + np.abs(H)
        # trace amounts are judged against 1e-3 of the element's largest term (as the
        # core judges species rows), not against their own round-off
        # (an element absent from the whole cascade, such as an impurity none of the
        # inlets carries, against the round-off of the largest term of all)
        floor = np.maximum(SPECIES_FLOOR * sc.reshape(N, E).max(axis=0),
                           ROUND_OFF * float(sc.max(initial=0.0)))
        scale = [np.maximum(sc, floor[e])]
        if use_u:
            t = x[lT] * np.exp(np.clip(x[lu_stage], -700.0, 700.0))
            res.append(x[lF] - t)
            scale.append(np.abs(x[lF]) + np.abs(t))
        if use_v:
            lc = np.log(np.maximum(x[lh], TINY)) - np.log(np.maximum(x[lW_stage], TINY))
            res.append(x[lv_stage] - lc)
            scale.append(np.maximum(np.abs(x[lv_stage]) + np.abs(lc), 1.0))
        return np.concatenate(res), np.concatenate(scale)

    def jac(x):
        X = expo(x)
        P = x[lo] - keep_prev * x[lprev]
        H = eta * K * x[la] * x[lV] * X
        W = x[lW]
        out = [W, -keep_prev * W, -eta * K * x[lV] * X, P, -eta * K * x[la] * X,
               -H * nu_, H * mu_]
        if use_u:
            eu = np.exp(np.clip(x[lu_stage], -700.0, 700.0))
            out += [np.ones(N), -eu, -x[lT] * eu]
        if use_v:
            out += [-1.0 / np.maximum(x[lh], TINY), 1.0 / np.maximum(x[lW_stage], TINY),
                    np.ones(N)]
        return np.concatenate(out)

    # first iteration (all flows zero): a fixed organic/aqueous split per element and
    # the guesses of u and v held
    s0 = start_split(unit, strip, e)
    zero = np.zeros(ne)
    u0, v0 = unit.u0, unit.v0

    def func0(x):
        res = [x[lo] - s0 * x[la]]
        scale = [np.abs(x[lo]) + np.abs(s0 * x[la])]
        if use_u:
            res.append(x[lu_stage] - u0)
            scale.append(np.abs(x[lu_stage]) + abs(u0))
        if use_v:
            res.append(x[lv_stage] - v0)
            scale.append(np.abs(x[lv_stage]) + abs(v0))
        return np.concatenate(res), np.concatenate(scale)

    def jac0(x):
        out = [np.ones(ne), zero, -s0, zero, zero, zero, zero]
        if use_u:
            out += [np.zeros(N), np.zeros(N), np.ones(N)]
        if use_v:
            out += [np.zeros(N), np.zeros(N), np.ones(N)]
        return np.concatenate(out)

    els = unit.p["elements"]
    labels = [f"equilibrium of {els[ei]} in stage {ji + 1}"
              for ji, ei in zip(j, e, strict=True)]
    labels += [f"loading of stage {k + 1}" for k in range(N)] if use_u else []
    labels += [f"acidity of stage {k + 1}" for k in range(N)] if use_v else []
    eq.nonlinear(cols, n_rows, func, jac, labels=labels, pattern=pattern,
                 start=(func0, jac0))


def start_split(unit: REECascade, strip: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Organic/aqueous flow ratio of each element for the first Newton step: the
    extraction constants normalised to their geometric mean (the split falls mid-way
    through the elements; not for constant D), and the strip D in the strip section."""
    c, u0, v0 = unit.constants, unit.u0, unit.v0
    D = c.K_ext * np.exp(c.n_ext * u0 - c.m_ext * v0)
    if unit.equilibrium_model.normalise_start:
        D = D / math.exp(float(np.mean(np.log(D))))
    D_str = c.K_str * np.exp(c.n_str * u0 - c.m_str * v0)
    return np.where(strip, D_str[e], D[e])
