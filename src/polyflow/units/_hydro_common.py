"""Equations shared by the hydrometallurgy units (thickener, filter, CCD, leach tanks,
precipitator, neutraliser, electrowinning).

Phases as a metallurgist counts them: *solids* (phase ``s``), *gas* (``g``) and
*liquor* (everything else: the aqueous solution with its water, an organic entrainment,
a melt). Mass fractions of "% solids" are solids over solids plus liquor.

The one nonlinear building block is the liquor split in product form: the underflow
(or cake) of a separation carries liquor in proportion to its solids,

.. math::

    f_g\\,L_g - c_g\\,M_{s} = 0, \\qquad
    n_{uf,i} = \\sum_g f_g \\sum_{k \\in g} n_{k,i} \\quad (i \\in \\text{liquor})

where ``L_g`` is the liquor mass of the source group ``g`` (a feed, a wash), ``M_s`` the
solids mass of the underflow and ``c_g`` the liquor-to-solids mass ratio drawn from that
group: ``(1 − w)/w`` for an underflow of solids mass fraction ``w``. The split fraction
``f_g`` is an internal unknown; from the all-zero start it is held at its guess for the
first Newton step, which then solves the rest of the balance exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from polyflow.chem.reactions import Reaction, parse_reaction
from polyflow.errors import InputError, PolyflowError
from polyflow.quantity import parse_quantity
from polyflow.solve.system import ROW_INTERNAL

__all__ = ["FARADAY", "fixed_split_rows", "liquor_mask", "liquor_split", "nu_vector", "phase_masks",
           "reaction_rows", "resolve_reaction", "solids_ratio", "split_energy"]

#: Faraday constant [C/mol], CODATA 2018 (exact since the 2019 SI)
FARADAY = 96485.33212


def phase_masks(species) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(solids, gas, liquor) boolean masks of a species set."""
    solids = species.mask("s")
    gas = species.mask("g")
    return solids, gas, ~(solids | gas)


def liquor_mask(species) -> np.ndarray:
    return phase_masks(species)[2]


def solids_ratio(w: float) -> float:
    """Liquor-to-solids mass ratio of a pulp at solids mass fraction ``w``."""
    return (1.0 - w) / w


def nu_vector(rx: Reaction, species) -> np.ndarray:
    """Stoichiometric coefficients of ``rx`` over the species set."""
    nu = np.zeros(len(species))
    for sid, v in rx.nu.items():
        nu[species.idx(sid)] = v
    return nu


def resolve_reaction(unit, equation: str, key: str | None, k: int, field: str = "reactions"
                     ) -> tuple[Reaction, int | None]:
    """Parse a reaction against the flowsheet's species; check its key is a reactant."""
    species = unit._species
    try:
        rx = parse_reaction(equation, species.database)
        for sid in rx.nu:
            species.idx(sid)
        ki = species.idx(key) if key is not None else None
    except PolyflowError as err:
        raise unit.fail(f"reaction {k}: {err.message}", field, hint=err.hint) from None
    if ki is not None and rx.nu.get(species.ids[ki], 0.0) >= 0:
        raise unit.fail(f"reaction {k}: key {key!r} is not a reactant of {equation!r}", field,
                        hint="the key is the reactant whose conversion is given")
    return rx, ki


def read_fraction(value, what: str) -> float:
    try:
        x = parse_quantity(value, "fraction")
    except InputError as err:
        raise InputError(f"{what}: {err.message}", hint=err.hint) from None
    if not 0.0 <= x <= 1.0:
        raise InputError(f"{what} must be between 0 and 100 %", value=value)
    return x


def read_table_list(value, what: str) -> list[Mapping]:
    if isinstance(value, Mapping | str) or not isinstance(value, Sequence):
        raise InputError(f"expected a list of {what} tables", value=value)
    for k, r in enumerate(value, start=1):
        if not isinstance(r, Mapping):
            raise InputError(f"{what} {k} must be a table", value=r)
    return list(value)


def fixed_split_rows(eq, out: int, ins: Sequence[int], keep: np.ndarray,
                     species: np.ndarray) -> None:
    """Linear rows ``n_out,i = keep_i · Σ_k n_in_k,i`` for the given species only (the
    solids and gas of a thickener underflow or a filter cake)."""
    n = len(species)
    rl, cl, vl = [np.arange(n)], [eq.flows(out)[species]], [np.ones(n)]
    for s in ins:
        rl.append(np.arange(n))
        cl.append(eq.flows(s)[species])
        vl.append(-keep[species])
    eq.linear_rows(n, out, species, np.concatenate(rl), np.concatenate(cl), np.concatenate(vl))


def liquor_split(eq, groups: Sequence[tuple[Sequence[np.ndarray], int, float]],
                 uf_cols: np.ndarray, stream: int, guess: float = 0.5,
                 what: str = "underflow") -> None:
    """Nonlinear rows of the liquor split (module docstring): one row per group
    (``f_g L_g − c_g M_s = 0``) and one per liquor species (``n_uf,i = Σ f_g n_g,i``).

    ``groups`` are ``(source column arrays, f column, c)``; ``uf_cols`` the global
    indices of the S flows that receive the liquor and carry the solids ``M_s``."""
    sp = eq.species
    S = eq.S
    solids, _, liq = phase_masks(sp)
    li = np.nonzero(liq)[0]
    mw = sp.mw
    ng = len(groups)
    cols = [np.asarray([g[1] for g in groups])]
    offsets = []
    pos = ng
    for srcs, _, _ in groups:
        offsets.append([pos + k * S for k in range(len(srcs))])
        cols.extend(np.asarray(s) for s in srcs)
        pos += len(srcs) * S
    uf0 = pos
    cols.append(np.asarray(uf_cols))
    cols = np.concatenate(cols).astype(int)
    c = np.array([g[2] for g in groups])
    nl = len(li)
    f_guess = np.full(ng, guess)

    def totals(x):
        return [sum(x[o:o + S] for o in offs) for offs in offsets]

    def func(x):
        f = x[:ng]
        n = totals(x)
        uf = x[uf0:uf0 + S]
        Ms = float(mw[solids] @ uf[solids])
        L = np.array([float(mw[liq] @ ng_[liq]) for ng_ in n])
        r = np.empty(ng + nl)
        sc = np.empty(ng + nl)
        r[:ng] = f * L - c * Ms
        sc[:ng] = np.abs(f * L) + c * abs(Ms)
        contrib = sum(f[g] * n[g][li] for g in range(ng))
        r[ng:] = uf[li] - contrib
        sc[ng:] = np.abs(uf[li]) + sum(np.abs(f[g] * n[g][li]) for g in range(ng))
        return r, sc

    def jac(x):
        f = x[:ng]
        n = totals(x)
        J = np.zeros((ng + nl, len(cols)))
        for g, offs in enumerate(offsets):
            J[g, g] = float(mw[liq] @ n[g][liq])
            for o in offs:
                J[g, o + li] = f[g] * mw[li]
                J[ng + np.arange(nl), o + li] = -f[g]
            J[ng:, g] = -n[g][li]
        si = np.nonzero(solids)[0]
        J[:ng, uf0 + si] = -c[:, None] * mw[si][None, :]
        J[ng + np.arange(nl), uf0 + li] = 1.0
        return J

    def func0(x):
        r, sc = func(x)
        r[:ng] = x[:ng] - f_guess
        sc[:ng] = np.abs(x[:ng]) + f_guess
        return r, sc

    def jac0(x):
        J = jac(x)
        J[:ng, :] = 0.0
        J[np.arange(ng), np.arange(ng)] = 1.0
        return J

    var = np.concatenate([np.full(ng, ROW_INTERNAL), li])
    labels = [f"{what} liquor split ({g + 1})" for g in range(ng)] + \
        [f"{what} liquor: {sp.ids[i]}" for i in li]
    eq.nonlinear(cols, ng + nl, func, jac, stream=stream, var=var, labels=labels,
                 start=(func0, jac0))


def reaction_rows(eq, out_cols: np.ndarray, in_cols: Sequence[np.ndarray], M: np.ndarray,
                  nus: Sequence[np.ndarray], xi_cols: Sequence[int], stream: int,
                  mask: np.ndarray | None = None) -> None:
    """Linear rows ``n_out = D (M Σ n_in + Σ_r ν_r ξ_r)`` (S rows) with extents as
    unknowns, ``D = diag(mask)`` the share of each species this outlet takes."""
    S = eq.S
    if mask is not None:
        M = np.asarray(mask, dtype=float)[:, None] * M
        nus = [np.asarray(mask, dtype=float) * nu for nu in nus]
    rl, cl, vl = [np.arange(S)], [np.asarray(out_cols)], [np.ones(S)]
    ii, jj = np.nonzero(M)
    for src in in_cols:
        rl.append(ii)
        cl.append(np.asarray(src)[jj])
        vl.append(-M[ii, jj])
    for nu, xc in zip(nus, xi_cols, strict=True):
        nz = np.nonzero(nu)[0]
        rl.append(nz)
        cl.append(np.full(len(nz), xc))
        vl.append(-nu[nz])
    eq.linear_rows(S, stream, np.arange(S), np.concatenate(rl), np.concatenate(cl),
                   np.concatenate(vl))


def split_energy(eq, outs: Sequence[int], duty_kW: float = 0.0,
                 temperature: float | None = None, reactive: bool = False,
                 loss_kW_per_K: float = 0.0, ambient_K: float = 298.15) -> None:
    """Temperature rows of a unit whose outlets leave at one temperature: fixed, or
    from the energy balance over the unit (adiabatic mixing, or with a duty, less a
    heat loss ``loss_kW_per_K·(T − ambient_K)`` to the surroundings)."""
    ins = eq.all_inlets
    first = outs[0]
    if temperature is not None:
        eq.temperature_fixed(first, temperature)
    elif len(ins) == 1 and duty_kW == 0.0 and not reactive and loss_kW_per_K == 0.0:
        eq.temperature_equal(first, ins[0])
    else:
        eq.energy_balance(ins, list(outs), primary=first, duty_kW=duty_kW,
                          loss_kW_per_K=loss_kW_per_K, ambient_K=ambient_K)
    for o in outs[1:]:
        eq.temperature_equal(o, first)
