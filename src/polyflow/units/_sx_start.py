"""The start profile of an SX circuit (``sx_circuit``): its own equations solved for its
inlets before Newton's second iteration, so a battery of many stages starts on the
physical branch of its isotherms rather than from zero."""

from __future__ import annotations

import numpy as np

__all__ = ["circuit_start_profile"]


def circuit_start_profile(circuit, x: np.ndarray) -> np.ndarray:
    """Start profile of ``circuit`` (an :class:`~polyflow.units.sx_circuit.SXCircuit`,
    bound): the circuit's own equations solved for its inlets (read with
    the current stage unknowns ``z`` as the first guess). The aqueous flows are
    linear in the complex flows C (the stage balances), and the Murphree rows give
    Y from C, so the isotherms are N equations in the N values of C, solved by a
    damped Newton (finite differences) that keeps every flow ≥ 0. NaN when it does
    not converge: Newton then keeps its own iterate."""
    p, c = circuit.p, circuit.chem
    S, N = len(circuit.species), len(circuit.names)
    E, W = p["extraction_stages"], p["scrub_stages"]
    ea, Em = p["aqueous_entrainment"], p["efficiency"]
    # inlets as they are in the iterate, negative round-off (or worse) taken as zero
    pls, strip = np.maximum(x[:S], 0.0), np.maximum(x[S:2 * S], 0.0)
    scrub = np.maximum(x[2 * S:3 * S], 0.0) if W else None
    z0 = x[(3 if W else 2) * S:].reshape(N, S + 2)
    fail = np.full(N * (S + 2), np.nan)
    if Em <= 0 or not np.all(np.isfinite(x)):
        return fail
    L = np.eye(N)
    F = np.zeros((N, S))
    for k in range(N):
        L[k, circuit.org_prev[k]] -= ea
        if k == 0:
            F[k] += pls
            if W:
                L[k, E] -= 1.0 - ea
        elif k < E:
            L[k, k - 1] -= 1.0 - ea
        elif k < E + W:
            if k == E + W - 1:
                F[k] += scrub
            else:
                L[k, k + 1] -= 1.0 - ea
        elif k == N - 1:
            F[k] += strip
        else:
            L[k, k + 1] -= 1.0 - ea
    nu_aq = np.where(circuit.species.mask("org"), 0.0, c.nu) / c.nu_complex
    prev = np.array(circuit.org_prev)
    funcs = [circuit._residual(p["strip_D"] if circuit.section[k] == "S" else p["D"])
             for k in range(N)]
    try:
        Linv = np.linalg.inv(L)
    except np.linalg.LinAlgError:
        return fail

    def state(C):
        A = Linv @ (F + np.outer(C - C[prev], nu_aq))
        Y = (C - (1.0 - Em) * C[prev]) / Em
        return A, Y

    def resid(C):
        A, Y = state(C)
        r = np.empty(N)
        sc = np.empty(N)
        for k in range(N):
            rk, sk = funcs[k](np.concatenate([A[k], [Y[k]], pls]))
            r[k], sc[k] = rk[0], sk[0]
        return r, sc

    floor = -1e-12 * (1.0 + np.abs(F).max())

    def feasible(C):
        A, _ = state(C)
        return bool(np.all(A.min(initial=0.0) >= floor) and np.all(C >= 0.0))

    C = np.maximum(z0[:, S], 0.0)
    if not feasible(C):
        C = np.zeros(N)
        if not feasible(C):
            return fail
    r, sc = resid(C)
    for _ in range(60):
        rel = np.abs(r) / np.where(sc > 0, sc, 1.0)
        if rel.max() < 1e-12:
            break
        J = np.empty((N, N))
        for j in range(N):
            h = 1e-7 * max(abs(C[j]), 1e-6 * max(float(np.abs(F).max()), 1.0))
            Cp = C.copy()
            Cp[j] += h
            J[:, j] = (resid(Cp)[0] - r) / h
        try:
            dC = np.linalg.solve(J, -r)
        except np.linalg.LinAlgError:
            return fail
        norm0 = np.linalg.norm(rel)
        t = 1.0
        for _ in range(40):
            trial = C + t * dC
            if feasible(trial):
                rt, st = resid(trial)
                if np.all(np.isfinite(rt)) and np.linalg.norm(
                        np.abs(rt) / np.where(st > 0, st, 1.0)) < norm0:
                    break
            t *= 0.5
        else:
            return fail
        C, r, sc = trial, rt, st
    else:
        return fail
    A, Y = state(C)
    return np.column_stack([A, C, Y]).ravel()
