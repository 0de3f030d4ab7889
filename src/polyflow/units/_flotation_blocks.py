"""The rows of a flotation bank sized by its cells (see :class:`FlotationBank`): the
concentrate of every species at the residence time ``τ = V_eff/Q`` of the pulp flow
through the bank, ``τ`` an unknown with its row ``τ·Q − V_eff = 0``; analytic
Jacobians."""

from __future__ import annotations

import numpy as np

__all__ = ["TAU_GUESS_H", "add_cell_rows", "bank_recovery_slope"]

#: residence time per cell of the first Newton iteration [h] (2.5 min)
TAU_GUESS_H = 2.5 / 60.0
#: pulp flow [m3/h] added to the residence-time row's so that a bank without feed keeps
#: a regular row (a part in 1e12 of a real flow)
Q_EPS = 1e-9


def bank_recovery_slope(k: np.ndarray, tau: float, n: int, rmax: np.ndarray,
                        form: str) -> tuple[np.ndarray, np.ndarray]:
    """Recovery by flotation of a bank and its derivative in the cell residence time
    ``τ`` (``cells``: ``R∞(1 − (1 + kτ)^−N)``; ``klimpel``:
    ``R∞[1 − (1 − e^{−kt})/(kt)]``, ``t = Nτ``)."""
    k = np.asarray(k, dtype=float)
    if form == "klimpel":
        t = n * tau
        kt = k * t
        safe = np.where(kt > 1e-8, kt, 1.0)
        g = np.where(kt > 1e-8, -np.expm1(-kt) / safe, 1.0 - 0.5 * kt)
        dg_dt = np.where(kt > 1e-8, (np.exp(-kt) * (kt + 1.0) - 1.0) / (safe * max(t, 1e-300)),
                         -0.5 * k)
        return rmax * (1.0 - g), -rmax * n * dg_dt
    base = 1.0 + k * tau
    return rmax * (1.0 - base ** (-float(n))), rmax * n * k * base ** (-float(n) - 1.0)


def add_cell_rows(unit, eq) -> None:
    sp = eq.species
    ins = eq.all_inlets
    k_in = len(ins)
    conc, tails = eq.outlets["concentrate"], eq.outlets["tailings"]
    gas = np.nonzero(sp.mask("g"))[0]
    rows = np.nonzero(~sp.mask("g"))[0]
    m = len(rows)
    k, rmax, ent = unit.k[rows], unit.rmax[rows], unit.ent[rows]
    liquid = sp.mask(("aq", "l", "org"))[rows]
    rw = unit.p["water_recovery"]
    n, form = unit.p["n_cells"], unit.p["form"]
    vol = unit.volume[rows]
    v_eff = unit.effective_volume()

    if len(gas):
        eq.linear_rows(len(gas), conc, gas, np.arange(len(gas)), eq.flows(conc)[gas],
                       np.ones(len(gas)))
    eq.species_map(tails, [(s, 1.0) for s in ins] + [(conc, -1.0)])
    if k_in == 1:
        eq.temperature_equal(conc, ins[0])
        eq.temperature_equal(tails, ins[0])
    else:
        eq.energy_balance(ins, [conc, tails], primary=conc)
        eq.temperature_equal(tails, conc)

    (z,) = eq.internal(["cell_residence_time_h"], [TAU_GUESS_H], lower=0.0)

    def recovery(tau):
        R, dR = bank_recovery_slope(k, tau, n, rmax, form)
        r = np.where(liquid, rw, R + (1.0 - R) * ent * rw)
        dr = np.where(liquid, 0.0, (1.0 - ent * rw) * dR)
        return r, dr

    cols = np.concatenate([[z], *[eq.flows(s)[rows] for s in ins], eq.flows(conc)[rows]])
    r_ = np.arange(m)
    pattern = (np.concatenate([r_, r_, *[r_] * k_in]),
               np.concatenate([1 + k_in * m + r_, np.zeros(m, int),
                               *[1 + j * m + r_ for j in range(k_in)]]))

    def split(xloc):
        tau = max(float(xloc[0]), 0.0)
        return tau, xloc[1:1 + k_in * m].reshape(k_in, m).sum(axis=0), xloc[1 + k_in * m:]

    def func(xloc):
        tau, nin, nc = split(xloc)
        r, _ = recovery(tau)
        return nc - r * nin, np.abs(nc) + np.abs(r * nin)

    def jac(xloc):
        tau, nin, _ = split(xloc)
        r, dr = recovery(tau)
        return np.concatenate([np.ones(m), -dr * nin, *[-r] * k_in])

    eq.nonlinear(cols, m, func, jac, stream=conc, var=rows, pattern=pattern)

    # τ·Q − V_eff = 0 (per cell; Q the pulp flow [m3/h]); first iteration τ = guess
    tcols = np.concatenate([[z], *[eq.flows(s)[rows] for s in ins]])
    vk = np.tile(vol, k_in)

    def tau_row(xloc):
        q = float(vk @ xloc[1:]) + Q_EPS
        return np.array([xloc[0] * q - v_eff]), np.array([abs(xloc[0] * q) + v_eff])

    def tau_jac(xloc):
        return np.concatenate([[float(vk @ xloc[1:]) + Q_EPS], xloc[0] * vk])[None, :]

    def start(xloc):
        return np.array([xloc[0] - TAU_GUESS_H]), np.array([abs(xloc[0]) + TAU_GUESS_H])

    def start_jac(xloc):
        J = np.zeros((1, len(xloc)))
        J[0, 0] = 1.0
        return J

    eq.nonlinear(tcols, 1, tau_row, tau_jac, labels=["cell τ·Q = V_eff"],
                 start=(start, start_jac))
