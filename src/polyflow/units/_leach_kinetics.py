"""Leach kinetics: the kinetic forms of a reaction table (read with their units) and the
shrinking-core conversion of a train of tanks in closed form; used by ``leach_tanks``."""

from __future__ import annotations

import math
from functools import cache
from itertools import pairwise

from scipy import special

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity
from polyflow.units._hydro_common import read_fraction, read_table_list
from polyflow.units._leach_acidity import ACIDITY
from polyflow.units.base import read_choice

__all__ = ["KINETICS", "R_GAS", "arrhenius", "read_reactions", "shrinking_core_cstr_series",
           "shrinking_core_many"]

#: kinetic forms: shrinking core (chemical-reaction or product-layer diffusion control,
#: segregated flow over the residence-time distribution) and a rate law per tank
KINETICS = ("chemical", "diffusion", "rate_law")
#: the molar gas constant [kJ/(mol K)] (CODATA 2018: 8.314 462 618... J/(mol K))
R_GAS = 8.314462618e-3


def _activation_energy(value: object) -> float:
    """An activation energy [kJ/mol] ('45 kJ/mol', '10.8 kcal/mol'; a bare number is in
    kJ/mol)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return parse_quantity(value, "molar_energy")
    except InputError as err:
        raise InputError(f"activation_energy: {err.message}", hint=err.hint) from None


def read_reactions(value: object) -> list[dict]:
    out = []
    for k, r in enumerate(read_table_list(value, "reaction"), start=1):
        fields = set(r)
        if not {"equation", "key"} <= fields:
            raise InputError(f"reaction {k} needs 'equation' and 'key', and either "
                             "'conversion' or 'kinetics'", value=r)
        allowed = {"equation", "key", "conversion", "kinetics", "k", "reagent", "order",
                   "activation_energy", "k_temperature", "k_concentration", "psd", "k_size",
                   "acidity"}
        extra = fields - allowed
        if extra:
            raise InputError(f"reaction {k} has unknown field {sorted(extra)[0]!r}",
                             hint="a reaction has equation, key and conversion, or "
                                  "kinetics with k (and reagent, order, k_concentration, "
                                  "activation_energy, k_temperature, psd, k_size)")
        item: dict = {"equation": str(r["equation"]), "key": str(r["key"])}
        if ("conversion" in r) == ("kinetics" in r):
            raise InputError(f"reaction {k}: give either 'conversion' or 'kinetics'", value=r)
        if "conversion" in r:
            item["conversion"] = read_fraction(r["conversion"], f"reaction {k} conversion")
            out.append(item)
            continue
        kin = read_choice(r["kinetics"], KINETICS, what=f"reaction {k}: kinetics")
        if "k" not in r:
            raise InputError(f"reaction {k}: kinetics {kin!r} needs the rate constant 'k' "
                             "(e.g. k = '0.25 1/h')")
        rate = parse_quantity(r["k"], "rate")
        if not (math.isfinite(rate) and rate >= 0.0):
            raise InputError(f"reaction {k}: the rate constant k must be ≥ 0", value=r["k"])
        item.update(kinetics=kin, k=rate,
                    order=float(r.get("order", 1.0)),
                    Ea=_activation_energy(r["activation_energy"]) if "activation_energy" in r
                    else 0.0,
                    T_ref=parse_quantity(r.get("k_temperature", "25 degC"), "temperature"))
        if kin == "rate_law":
            if "reagent" not in r:
                raise InputError(f"reaction {k}: the rate law needs 'reagent', the dissolved "
                                 "reactant whose concentration [g/L] drives it")
            if {"k_concentration", "psd", "k_size"} & fields:
                raise InputError(f"reaction {k}: 'k_concentration', 'psd' and 'k_size' are "
                                 "for the shrinking-core kinetics (chemical, diffusion)")
        if "reagent" in r:
            item["reagent"] = str(r["reagent"])
        if "acidity" in r:
            if "reagent" not in r:
                raise InputError(f"reaction {k}: 'acidity' is the measure of the "
                                 "'reagent' the kinetics see: give the reagent")
            item["acidity"] = read_choice(r["acidity"], ACIDITY,
                                          what=f"reaction {k}: acidity")
        if kin != "rate_law":
            _read_shrinking_core_extras(r, item, k)
        out.append(item)
    return out


def _read_shrinking_core_extras(r: dict, item: dict, k: int) -> None:
    """The reagent reference concentration and the size distribution of a shrinking-core
    reaction: k holds at ``k_concentration`` [g/L] of the ``reagent`` and for particles
    of ``k_size``."""
    if "k_concentration" in r and "reagent" not in r:
        raise InputError(f"reaction {k}: 'k_concentration' needs the 'reagent' it is of")
    if "reagent" in r:
        if "k_concentration" not in r:
            raise InputError(f"reaction {k}: with a 'reagent' give 'k_concentration', the "
                             "reagent concentration at which k holds (e.g. '10 g/L')")
        c = parse_quantity(r["k_concentration"], "concentration")
        if not (math.isfinite(c) and c > 0.0):
            raise InputError(f"reaction {k}: k_concentration must be above zero",
                             value=r["k_concentration"])
        item["C_ref"] = c
    if ("psd" in r) != ("k_size" in r):
        raise InputError(f"reaction {k}: give 'psd' (the key mineral's size distribution) "
                         "and 'k_size' (the particle size at which k holds) together")
    if "psd" in r:
        from polyflow.psd import read_psd

        size = parse_quantity(r["k_size"], "length")
        if not (math.isfinite(size) and size > 0.0):
            raise InputError(f"reaction {k}: k_size must be above zero", value=r["k_size"])
        item["d_ref"] = size
        item["psd"] = read_psd(r["psd"], f"reaction {k} psd")


def size_classes_of(passing, d_ref: float) -> tuple[list[float], list[float]]:
    """Mass fractions and representative sizes [m] of the classes of a √2 sieve series
    from the size at which 99.99 % passes down to a thousandth of it (the pan is
    represented at half the bottom sieve)."""
    import numpy as np

    from polyflow.psd import class_fractions, representative_sizes, sieve_series

    grid = np.geomspace(1e-8, 1.0, 400)
    top = float(grid[np.nonzero([passing(x) >= 0.9999 for x in grid])[0][0]])
    sieves = sieve_series(top, top / 1000.0)
    w = class_fractions(sieves, passing)
    d = representative_sizes(sieves)
    keep = w > 1e-12
    return [float(v) for v in w[keep]], [float(v) for v in d[keep]]


def shrinking_core_cstr_series(kc: float, tau_tank: float, n: int, control: str) -> float:
    """Mean conversion leaving tank ``n`` of a train of equal CSTRs (residence time
    ``tau_tank`` each) of particles of one size that shrink by ``control``:
    ``chemical``: 1 − (1 − X)^(1/3) = kc·t; ``diffusion``: 1 − 3(1 − X)^(2/3) + 2(1 − X)
    = kc·t (kc = 1/τ, τ the time for complete conversion). Segregated flow: the
    particle conversion averaged over the Erlang residence-time distribution of n
    tanks, E(t) = tⁿ⁻¹ e^(−t/τ_tank) / (τ_tankⁿ (n − 1)!).

    No reaction (``kc = 0``) or no time (``tau_tank = 0``) converts nothing; a negative
    or non-finite ``kc`` or ``tau_tank``, ``n`` below 1 or an unknown ``control`` raise
    :class:`InputError`.

    >>> round(shrinking_core_cstr_series(1.0, 1.0, 1, "chemical"), 6)   # τ = τ̄
    0.792723
    """
    if control not in ("chemical", "diffusion"):
        raise InputError("the shrinking-core control must be 'chemical' or 'diffusion'",
                         field="kinetics", value=control)
    for name, x in (("kc", kc), ("tau_tank", tau_tank)):
        if not (math.isfinite(x) and x >= 0.0):
            raise InputError("must be a finite number ≥ 0", field=name, value=x)
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise InputError("the tank number must be a whole number ≥ 1", field="n", value=n)
    if kc == 0.0 or tau_tank == 0.0:
        return 0.0
    if control == "chemical":
        # 1 − X̄ = Σ_j C(3,j) (−kc)^j ∫_0^{1/kc} t^j E(t) dt  (incomplete gamma moments)
        z = 1.0 / (kc * tau_tank)
        unreacted = 0.0
        for j in range(4):
            moment = tau_tank ** j * math.exp(special.gammaln(n + j) - special.gammaln(n))
            unreacted += math.comb(3, j) * (-kc) ** j * moment * special.gammainc(n + j, z)
        return float(min(max(1.0 - unreacted, 0.0), 1.0))
    # diffusion: 1 − X = y³ with t(y) = (1 − 3y² + 2y³)/kc, |dt/dy| = 6y(1 − y)/kc
    from scipy import integrate  # imported here: it costs 0.3 s at every start-up

    log_norm = special.gammaln(n) + n * math.log(tau_tank)

    def pdf(t: float) -> float:   # gamma (Erlang) density of n tanks of τ_tank each
        return math.exp((n - 1) * math.log(t) - t / tau_tank - log_norm) if t > 0 else 0.0

    def integrand(y: float) -> float:
        return y ** 3 * pdf((1.0 - 3 * y * y + 2 * y ** 3) / kc) * 6.0 * y * (1.0 - y) / kc

    unreacted, _ = integrate.quad(integrand, 0.0, 1.0, epsabs=1e-14, epsrel=1e-12,
                                  limit=200)
    return float(min(max(1.0 - unreacted, 0.0), 1.0))


def shrinking_core_many(kc, tau_tank: float, n: int, control: str):
    """:func:`shrinking_core_cstr_series` for an array of rate constants at once (the
    size classes of a feed): the same closed form under chemical control, evaluated on
    arrays; under diffusion control one adaptive integral of the vector of integrands
    on fixed panels, graded towards the particle surface, in place of one adaptive integral
    per class (agrees with it to about 1e-9).

    >>> import numpy as np
    >>> xs = shrinking_core_many(np.array([0.1, 1.0, 10.0]), 1.0, 2, "diffusion")
    >>> bool(np.allclose(xs, [shrinking_core_cstr_series(k, 1.0, 2, "diffusion")
    ...                       for k in (0.1, 1.0, 10.0)], rtol=1e-8))
    True
    """
    import numpy as np

    kc = np.maximum(np.asarray(kc, dtype=float), 0.0)
    out = np.zeros_like(kc)
    live = kc > 0.0
    if tau_tank <= 0.0 or not live.any():
        return out
    k = kc[live]
    if control == "chemical":
        z = 1.0 / (k * tau_tank)
        unreacted = np.zeros_like(k)
        for j in range(4):
            moment = tau_tank ** j * math.exp(special.gammaln(n + j) - special.gammaln(n))
            unreacted += math.comb(3, j) * (-k) ** j * moment * special.gammainc(n + j, z)
        out[live] = np.clip(1.0 - unreacted, 0.0, 1.0)
        return out
    if control != "diffusion":
        raise InputError("the shrinking-core control must be 'chemical' or 'diffusion'",
                         field="kinetics", value=control)
    # 1 − X̄ = ∫₀¹ y³ E(t(y)) |dt/dy| dy, in u = 1 − y on geometric panels from 1e-7 to 1
    # (the slow classes' integrand lives in a layer u ~ (kc τ/3)^(1/2) at the surface),
    # 8-point Gauss–Legendre on each: one array evaluation for every class
    u, w = _panel_nodes()
    y = 1.0 - u
    log_norm = special.gammaln(n) + n * math.log(tau_tank)
    t = ((1.0 - 3 * y * y + 2 * y ** 3)[:, None]) / k[None, :]
    with np.errstate(divide="ignore", under="ignore"):
        pdf = np.exp((n - 1) * np.log(np.maximum(t, 1e-300)) - t / tau_tank - log_norm)
    f = (y ** 3 * 6.0 * y * (1.0 - y))[:, None] * pdf / k[None, :]
    out[live] = np.clip(1.0 - w @ f, 0.0, 1.0)
    return out


@cache
def _panel_nodes():
    """Nodes and weights of 8-point Gauss–Legendre on the panels [0, 1e-7] and then
    geometric panels up to 1 (ratio 1.5)."""
    import numpy as np

    edges = [0.0, 1e-7]
    while edges[-1] < 1.0:
        edges.append(min(edges[-1] * 1.5, 1.0))
    x, wx = np.polynomial.legendre.leggauss(8)
    nodes, weights = [], []
    for lo, hi in pairwise(edges):
        nodes.append(0.5 * (hi - lo) * x + 0.5 * (hi + lo))
        weights.append(0.5 * (hi - lo) * wx)
    return np.concatenate(nodes), np.concatenate(weights)


def arrhenius(k: float, Ea: float, T_ref: float, T: float) -> float:
    """The rate constant at ``T`` [K] of one that is ``k`` at ``T_ref``, activation
    energy ``Ea`` [kJ/mol]: k·exp(−Ea/R·(1/T − 1/T_ref)) (Levenspiel, *Chemical Reaction
    Engineering*, 3rd ed. (1999), ch. 2).

    >>> round(arrhenius(1.0, 50.0, 298.15, 308.15), 4)     # +10 K at 50 kJ/mol
    1.9243
    """
    if Ea == 0.0:
        return k
    return k * math.exp(-Ea / R_GAS * (1.0 / T - 1.0 / T_ref))
