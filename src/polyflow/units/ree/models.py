"""The cascade's distribution models: each gives D_ij = K_ij·c_H,j^(−m_ij)·(F_j/T_A)^(n_ij)
by its constants in the extraction-and-scrub and strip sections, says which stage
logarithms it needs (u = ln(F/T_A), v = ln c_H) and computes its start profile.

Sources: separation factors near loading capacity, Xu Guangxian, *Rare Earths* (2nd ed.,
1995), vol. 1, ch. 9; slope analysis log D = 3 pH + const, Xie, Zhang, Dreisinger &
Doyle, Miner. Eng. 56 (2014) 10-28, §3.1; constant D, the Kremser cascade (Seader,
Henley & Roper, *Separation Process Principles*, 3rd ed. (2011), §5.4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from polyflow.units.ree.acid_loading import acid_loading_profile
from polyflow.units.ree.extractants import extraction_equilibrium
from polyflow.units.ree.loaded import loaded_profile
from polyflow.units.ree.sum_rates import start_profile

__all__ = ["EQUILIBRIA", "MODELS", "Constants", "Distribution", "PHModel",
           "SeparationFactor"]

#: a table of the parameters by element (``per_element("distribution")``)
PerElement = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class Constants:
    """K, m, n by element (E) in the extraction-and-scrub (``ext``) and strip sections."""

    K_ext: np.ndarray
    m_ext: np.ndarray
    n_ext: np.ndarray
    K_str: np.ndarray
    m_str: np.ndarray
    n_str: np.ndarray


@dataclass(frozen=True)
class ProfileInputs:
    """What a start profile reads: ``K, m, n`` (N × E) by stage, the Murphree efficiency,
    the inlets (``aq_in`` N × E, ``org_in`` E, ``acid_in`` N) [kmol/h], the aqueous volume
    through each stage ``W`` (N) and the organic's ``V`` [m3/h], the total extractant
    ``T_A`` [kmol/h], ν (E, extractant per ion), the charges ``z`` (E) and the current
    acidity logarithms ``v`` (N)."""

    K: np.ndarray
    m: np.ndarray
    n: np.ndarray
    eta: float
    ns: int
    aq_in: np.ndarray
    org_in: np.ndarray
    acid_in: np.ndarray
    W: np.ndarray
    V: float
    T_A: float
    nu: np.ndarray
    v: np.ndarray
    z: np.ndarray

    def args(self) -> tuple:
        """The arguments of the loaded-organic profiles, which take one ν for all the
        elements (their mean: exact when all charges are equal; a start profile
        otherwise, which Newton finishes)."""
        return (self.eta, self.ns, self.aq_in, self.org_in, self.acid_in, self.W, self.V,
                self.T_A, float(np.mean(self.nu)))


def _strip_constants(per_element: PerElement, E: int) -> tuple:
    """Constant D in the strip section (``strip_distribution``)."""
    return per_element("strip_distribution"), np.zeros(E), np.zeros(E)


class Model:
    """Base of the distribution models."""

    name: ClassVar[str]
    #: the table that must give every element
    table: ClassVar[str]
    #: the first Newton step splits by the constants over their geometric mean
    normalise_start: ClassVar[bool] = True

    def __init__(self, p: dict) -> None:
        self.p = p

    def constants(self, per_element: PerElement, E: int, charge: np.ndarray) -> Constants:
        raise NotImplementedError

    def log_variables(self) -> tuple[bool, bool]:
        """Whether the equilibrium needs ln(F/T_A) (loading) and ln(c_H) (acidity)."""
        return False, False

    def profile(self, x: ProfileInputs, last: dict) -> tuple | None:
        """``(a, o, h, F, u, v)`` (u or v None when the model has none), or None when no
        profile was found; ``last`` keeps what warm-starts the next call."""
        use_v = self.log_variables()[1]
        N = len(x.W)
        a, o, h, F, v = start_profile(x.K, x.m, x.n, x.eta, x.ns, x.aq_in, x.org_in,
                                      x.acid_in, x.W, x.V, x.T_A, x.nu, np.zeros(N), x.v,
                                      use_v, z=x.z)
        return a, o, h, F, None, v if use_v else None


class Distribution(Model):
    """Constant D_i (``distribution``; ``strip_distribution`` in the strip section): the
    Kremser cascade."""

    name = "distribution"
    table = "distribution"
    normalise_start = False

    def constants(self, per_element: PerElement, E: int, charge: np.ndarray) -> Constants:
        return Constants(per_element("distribution"), np.zeros(E), np.zeros(E),
                         *_strip_constants(per_element, E))


class SeparationFactor(Model):
    """K_i = κ·β_i, m = 0, n = 1: constant separation factors and a total loading that
    approaches the capacity T_A/ν; the start profile from :func:`.loaded_profile`."""

    name = "separation_factor"
    table = "separation_factors"

    def constants(self, per_element: PerElement, E: int, charge: np.ndarray) -> Constants:
        K = self.p["reference_distribution"] * per_element("separation_factors")
        return Constants(K, np.zeros(E), np.ones(E), *_strip_constants(per_element, E))

    def log_variables(self) -> tuple[bool, bool]:
        return True, False

    def profile(self, x: ProfileInputs, last: dict) -> tuple | None:
        out = loaded_profile(x.K, *x.args(), u_start=last.get("u"))
        if out is None:
            return None
        a, o, h, F, u = out
        last["u"] = u[:x.ns]
        return a, o, h, F, u, None


class PHModel(Model):
    """log D_i = m_i pH + b_i + n log(F/T_A) in every section; the start profile by
    the sum-rates rounds (n = 0) or from :func:`.acid_loading_profile`."""

    name = "pH"
    table = "pH_intercept"

    def constants(self, per_element: PerElement, E: int, charge: np.ndarray) -> Constants:
        """Per element: held at constant D when named in ``distribution`` (D in the
        extraction and scrub sections, ``strip_distribution`` in the strip section);
        otherwise m = ``pH_slope`` (default the tabulated slope, else the charge) and
        b = ``pH_intercept`` (default ``data/ree_extraction.csv`` at
        ``extractant_molarity``), n = ``extractant_order``·z/3 (the order is given per
        REE3+)."""
        p = self.p
        slope_t, icpt_t = p["pH_slope"] or {}, p["pH_intercept"] or {}
        dist = p["distribution"] or {}
        m, b = np.zeros(E), np.zeros(E)
        const = np.zeros(E, bool)
        D = np.ones(E)
        for i, e in enumerate(p["elements"]):
            if e in dist or "all" in dist:
                const[i] = True
                D[i] = dist.get(e, dist.get("all"))
                continue
            data = extraction_equilibrium(p["extractant"], e)
            m[i] = slope_t.get(e, slope_t.get("all", data.slope if data else charge[i]))
            b[i] = icpt_t[e] if e in icpt_t else icpt_t["all"] if "all" in icpt_t else \
                data.intercept_at(p["extractant_molarity"])
        K = np.where(const, D, 10.0 ** b)
        # the order scales with the charge: D ∝ [(HA)2]^z for M(HA2)_z, so n·z/3
        n = np.where(const, 0.0, float(p["extractant_order"]) * charge / 3.0)
        K_str = np.where(const, per_element("strip_distribution"), K)
        return Constants(K, m, n, K_str, m, n)

    def log_variables(self) -> tuple[bool, bool]:
        return self.p["extractant_order"] > 0, True

    def profile(self, x: ProfileInputs, last: dict) -> tuple | None:
        if not self.log_variables()[0]:
            return super().profile(x, last)
        out = acid_loading_profile(x.K, x.m, x.n, x.eta, x.ns, x.aq_in, x.org_in,
                                   x.acid_in, x.W, x.V, x.T_A, x.nu, x.v,
                                   start=last.get("uv"), z=x.z)
        if out is None:
            return None
        a, o, h, F, u, v = out
        last["uv"] = (u, v)
        return a, o, h, F, u, v


#: the models by name, in the order the documentation lists them
MODELS: dict[str, type[Model]] = {c.name: c for c in (SeparationFactor, PHModel, Distribution)}
EQUILIBRIA = tuple(MODELS)
