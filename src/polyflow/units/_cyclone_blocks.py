"""The rows of a hydrocyclone cluster by Plitt's model (see :class:`Hydrocyclone`): the
underflow of every species through the partition ``Rf + (1 − Rf) E(d/d50c)`` with the
cut size and the water split as unknowns, and their two defining rows (Plitt's cut size
at the flow per cyclone and feed solids; the water split that makes the underflow
volume Plitt's flow split). Analytic Jacobians; the few aggregate partials of the flow
split row (pulp flow, solids volume, mass) by central differences."""

from __future__ import annotations

import math

import numpy as np

from polyflow.comminution import whiten_efficiency
from polyflow.plitt import plitt_d50c, plitt_flow_split, plitt_pressure
from polyflow.units._mill_blocks import add_heat_rows
from polyflow.units._tank_loads import G, pump_power_kW

__all__ = ["D50_GUESS_UM", "RF_GUESS", "add_plitt_rows", "cyclone_state", "pump_heat_kW",
           "pump_shaft_kW"]

#: first-iteration cut size [µm, at Δρ = 1.6 t/m3] and water split to underflow
D50_GUESS_UM = 100.0
RF_GUESS = 0.35
#: density difference [kg/m3] at which the cut size unknown is held (Flintoff's 1.6)
REF_DELTA_RHO = 1600.0
#: the water split held when the apex cannot pass the solids Plitt's split sends it
#: (the volume balance would need less than no water: a roping underflow, warned)
RF_MIN = 0.05
#: pulp flow [m3/h] added to the water-split row's so that a cluster without feed keeps
#: a regular row (a part in 1e12 of a real flow)
Q_EPS = 1e-9


def _dE_dx(x: np.ndarray, alpha: float) -> np.ndarray:
    ax = np.minimum(alpha * x, 300.0)
    u = np.exp(ax)
    c = math.exp(min(alpha, 300.0)) - 2.0
    return np.where(alpha * x < 300.0, alpha * u * (c + 1.0) / (u + c) ** 2, 0.0)


def pump_shaft_kW(unit, Q: float, Vs: float, mass: float) -> float:
    """Feed pump shaft power [kW] at pulp flow ``Q`` [m3/h], solids volume ``Vs`` [m3/h]
    and pulp mass ``mass`` [kg/h]: ``Q (Δp + ρ g H)/η`` with Δp Plitt's pressure drop and
    ``H`` the ``pump_head`` (0 without flow)."""
    if Q <= 0:
        return 0.0
    dp = cyclone_state(unit, Q, Vs, mass)["pressure"]          # kPa
    rho = max(mass / Q, 1.0)
    head = unit.p["pump_head"] + 1000.0 * dp / (rho * G)
    return pump_power_kW(Q, rho, head, unit.p["pump_efficiency"])


def pump_heat_kW(unit, Q: float, Vs: float, mass: float) -> float:
    """The share of the feed pump's shaft power that ends as heat in the pulp [kW]: all
    of it but the potential energy the pulp carries away at the cyclone inlet's height,
    ``ρ g Q H`` (the pump's losses, (1 − η) P, heat the pulp in the casing; the head
    Δp/ρg is dissipated in the cyclone). ``H`` lumps the static lift with the pipe
    friction, so the friction heat is left out: a slight undercount."""
    if Q <= 0:
        return 0.0
    return pump_shaft_kW(unit, Q, Vs, mass) - mass * G * unit.p["pump_head"] / 3.6e6


def cyclone_state(unit, Q: float, Vs: float, mass: float) -> dict[str, float]:
    """Plitt's figures for the cluster at pulp flow ``Q`` [m3/h], solids volume ``Vs``
    [m3/h] and pulp mass ``mass`` [kg/h]: flow per cyclone, solids volume fraction,
    pressure [kPa], flow split ``S``, ``Rv`` and the reference cut size [µm]."""
    p = unit.p
    g = unit.geometry()
    Q = max(Q, 1e-9)
    qc = Q / p["cyclones"]
    phi = min(max(Vs / Q, 0.0), 0.9)
    P = p["pressure_factor"] * plitt_pressure(g["dc"], g["di"], g["do"], g["du"], g["h"],
                                              qc, phi)
    rho_p = max(mass / Q, 1.0)
    S = p["split_factor"] * plitt_flow_split(g["dc"], g["do"], g["du"], g["h"], P, phi,
                                             rho_p)
    d50 = p["d50c_factor"] * plitt_d50c(g["dc"], g["di"], g["do"], g["du"], g["h"], qc, phi,
                                        REF_DELTA_RHO, p["viscosity"]) * 1e6
    return {"q_cyclone": qc, "phi": phi, "pressure": P, "split": S, "rv": S / (1.0 + S),
            "d50_ref_um": d50, "rho_pulp": rho_p}


def add_plitt_rows(unit, eq) -> None:
    sp = eq.species
    ins = eq.all_inlets
    k_in = len(ins)
    uf, of = eq.outlets["underflow"], eq.outlets["overflow"]
    gas = np.nonzero(sp.mask("g"))[0]
    rows = np.nonzero(~sp.mask("g"))[0]             # species that may go to underflow
    m = len(rows)
    vol = unit.volume[rows]                          # m3/kmol
    vs = np.where(sp.mask("s")[rows], vol, 0.0)
    mw = sp.mw[rows]
    a = unit.reduced_size[rows]                      # d·√(Δρ/1.6) [µm]; 0: not sized
    sized = a > 0
    alpha = unit.p["alpha"]

    # underflow of gases: none; overflow: the rest (linear)
    if len(gas):
        eq.linear_rows(len(gas), uf, gas, np.arange(len(gas)), eq.flows(uf)[gas],
                       np.ones(len(gas)))
    eq.species_map(of, [(s, 1.0) for s in ins] + [(uf, -1.0)])
    heat_to_pulp = unit.p["pump_heat"] == "pulp"
    if heat_to_pulp:
        pass                                       # the energy row follows the unknowns
    elif k_in == 1:
        eq.temperature_equal(uf, ins[0])
        eq.temperature_equal(of, ins[0])
    else:
        eq.energy_balance(ins, [uf, of], primary=uf)
        eq.temperature_equal(of, uf)

    z = eq.internal(["ln_d50c_ref_um", "water_to_underflow"],
                    [math.log(D50_GUESS_UM), RF_GUESS], lower=[None, 0.0], upper=[None, 1.0])
    if heat_to_pulp:
        add_pump_heat_rows(unit, eq, ins, uf, of, rows, vol, vs, mw)

    def efficiency(y):
        x = np.where(sized, a * math.exp(-y), 0.0)
        E = np.where(sized, whiten_efficiency(np.maximum(x, 1e-300), alpha), 0.0)
        dEdy = np.where(sized, -x * _dE_dx(x, alpha), 0.0)
        return E, dEdy

    # -- block A: n_uf − f·Σn_in, local columns [y, Rf, in_1..in_k, uf] ----------------
    colsA = np.concatenate([z, *[eq.flows(s)[rows] for s in ins], eq.flows(uf)[rows]])
    r = np.arange(m)
    patA = (np.concatenate([r, r, r, *[r] * k_in]),
            np.concatenate([2 + k_in * m + r, np.zeros(m, int), np.ones(m, int),
                            *[2 + k * m + r for k in range(k_in)]]))

    def splitA(xloc):
        y, rf = float(xloc[0]), float(xloc[1])
        nin = xloc[2:2 + k_in * m].reshape(k_in, m).sum(axis=0)
        return y, rf, nin, xloc[2 + k_in * m:]

    def funcA(xloc):
        y, rf, nin, nu = splitA(xloc)
        E, _ = efficiency(y)
        f = rf + (1.0 - rf) * E
        return nu - f * nin, np.abs(nu) + np.abs(f * nin)

    def jacA(xloc):
        y, rf, nin, _ = splitA(xloc)
        E, dEdy = efficiency(y)
        f = rf + (1.0 - rf) * E
        return np.concatenate([np.ones(m), -(1.0 - rf) * dEdy * nin, -(1.0 - E) * nin,
                               *[-f] * k_in])

    eq.nonlinear(colsA, m, funcA, jacA, stream=uf, var=rows, pattern=patA)

    # -- block B: the cut size and the water split, local columns [y, Rf, in_1..in_k] ---
    colsB = np.concatenate([z, *[eq.flows(s)[rows] for s in ins]])

    def aggregates(nin):
        return float(vol @ nin), float(vs @ nin), float(mw @ nin)

    def d50_row(Q, Vs, mass):
        return math.log(cyclone_state(unit, Q, Vs, mass)["d50_ref_um"])

    def split_row(Q, Vs, mass, W, rf):
        rv = cyclone_state(unit, Q, Vs, mass)["rv"]
        target = max(rv * Q - W, RF_MIN * (Q - W))
        return rf * (Q - W + Q_EPS) - target, abs(rf * (Q - W + Q_EPS)) + abs(target)

    def funcB(xloc):
        y, rf = float(xloc[0]), float(xloc[1])
        nin = xloc[2:].reshape(k_in, m).sum(axis=0)
        Q, Vs, mass = aggregates(nin)
        E, _ = efficiency(y)
        W = float((E * vol) @ nin)
        r2, s2 = split_row(Q, Vs, mass, W, rf)
        d = d50_row(Q, Vs, mass)
        return np.array([y - d, r2]), np.array([abs(y) + abs(d), s2])

    def partials(f, args):
        out = []
        for i in range(len(args)):
            h = 1e-6 * max(abs(args[i]), 1e-6)
            up, dn = list(args), list(args)
            up[i] += h
            dn[i] -= h
            out.append((f(*up) - f(*dn)) / (2 * h))
        return out

    def jacB(xloc):
        y, rf = float(xloc[0]), float(xloc[1])
        nin = xloc[2:].reshape(k_in, m).sum(axis=0)
        Q, Vs, mass = aggregates(nin)
        E, dEdy = efficiency(y)
        W = float((E * vol) @ nin)
        J = np.zeros((2, 2 + k_in * m))
        dQ, dV, dM = partials(d50_row, (Q, Vs, mass))
        J[0, 0] = 1.0
        J[0, 2:] = np.tile(-(dQ * vol + dV * vs + dM * mw), k_in)
        gQ, gV, gM, gW = partials(lambda q, v, mm, w: split_row(q, v, mm, w, rf)[0],
                                  (Q, Vs, mass, W))
        J[1, 0] = gW * float((dEdy * vol) @ nin)
        J[1, 1] = Q - W + Q_EPS
        J[1, 2:] = np.tile(gQ * vol + gV * vs + gM * mw + gW * E * vol, k_in)
        return J

    def startB(xloc):
        g = np.array([math.log(D50_GUESS_UM), RF_GUESS])
        return xloc[:2] - g, np.abs(xloc[:2]) + np.abs(g)

    def start_jacB(xloc):
        J = np.zeros((2, len(xloc)))
        J[0, 0] = J[1, 1] = 1.0
        return J

    eq.nonlinear(colsB, 2, funcB, jacB, labels=["Plitt d50c", "Plitt flow split"],
                 start=(startB, start_jacB))


def add_pump_heat_rows(unit, eq, ins, uf, of, rows, vol, vs, mw) -> None:
    """(``pump_heat = "pulp"``) The feed pump's heat into the pulp, an internal unknown
    ``pump_heat_kW`` with its row ``q − pump_heat_kW(Q, Vs, mass) = 0`` (partials in the
    three aggregates by central differences), and the energy balance
    ``Σ H_in − H_uf − H_of + q = 0`` that sets the underflow temperature (the overflow's
    equal to it)."""
    k_in = len(ins)
    m = len(rows)
    q = eq.internal(["pump_heat_kW"], [0.0])
    cols = np.concatenate([q, *[eq.flows(s)[rows] for s in ins]])

    def aggregates(xloc):
        nin = xloc[1:].reshape(k_in, m).sum(axis=0)
        return float(vol @ nin), float(vs @ nin), float(mw @ nin)

    def func(xloc):
        h = pump_heat_kW(unit, *aggregates(xloc))
        return np.array([xloc[0] - h]), np.array([abs(xloc[0]) + abs(h)])

    def jac(xloc):
        args = aggregates(xloc)
        d = []
        for i in range(3):
            step = 1e-6 * max(abs(args[i]), 1e-6)
            up, dn = list(args), list(args)
            up[i] += step
            dn[i] -= step
            d.append((pump_heat_kW(unit, *up) - pump_heat_kW(unit, *dn)) / (2 * step))
        J = np.zeros((1, 1 + k_in * m))
        J[0, 0] = 1.0
        J[0, 1:] = np.tile(-(d[0] * vol + d[1] * vs + d[2] * mw), k_in)
        return J

    eq.nonlinear(cols, 1, func, jac, labels=["feed pump heat"])
    add_heat_rows(eq, int(q[0]), list(ins), [uf, of], 1.0)
    eq.temperature_equal(of, uf)
