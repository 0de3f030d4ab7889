"""The cascade's initialiser: once the inlets are known (after the plant's first Newton
step) it writes a start profile of every stage into the cascade's unknowns, computed by
the distribution model (:meth:`~polyflow.units.ree.models.Model.profile`: the sum-rates
rounds of :mod:`.sum_rates`, :mod:`.loaded` or :mod:`.acid_loading`); docs/solver.md
("Unit start profiles") says how the solve uses it.

Source: the stage-to-stage and sum-rates methods, Seader, Henley & Roper, *Separation
Process Principles*, 3rd ed. (2011), §10.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from polyflow.solve.layout import Layout
from polyflow.units.ree.layout import VOLUMES
from polyflow.units.ree.models import ProfileInputs

if TYPE_CHECKING:
    from polyflow.units.ree.unit import REECascade

__all__ = ["add_initialiser"]


def add_initialiser(eq, unit: REECascade, lay: Layout, g: dict, inlet_at: list,
                    org_in_LnA3: list) -> None:
    """Register the initialiser: it reads the phase volumes and the acidity logarithms,
    the element and acid flows of every aqueous inlet and the complexes of the organic
    inlet, and writes every stage's flows, acid, free extractant and the stage
    logarithms the model has (ln(F/T_A), ln c_H). The loadings (and acidities) of the
    previous call are the next call's first guess. When the model finds no profile it
    returns NaN and Newton keeps its own iterate."""
    st = unit.stages
    N, E = st.N, st.E
    use_u, use_v = lay["ln_free_fraction"].size > 0, lay["ln_acid_molarity"].size > 0
    read = Layout()
    read.add("volumes", 5)
    read.add("v", lay["ln_acid_molarity"].size)
    cols = {"volumes": [g[k] for k in VOLUMES], "v": g["ln_acid_molarity"]}
    for k, (s, _) in enumerate(inlet_at):
        read.add(f"aq_in{k}", E)
        read.add(f"acid_in{k}")
        cols[f"aq_in{k}"] = eq.flows(s)[unit.aq]
        cols[f"acid_in{k}"] = eq.flows(s)[unit.acid]
    for k, c in enumerate(org_in_LnA3):
        read.add(f"org_in{k}", E)
        cols[f"org_in{k}"] = c
    written = ["aqueous", "organic", "acid", "free_extractant"]
    written += ["ln_free_fraction"] * use_u + ["ln_acid_molarity"] * use_v
    write = np.concatenate([np.ravel(g[b]) for b in written])
    c = unit.constants
    strip = (np.arange(N) >= st.ns)[:, None]
    K = np.where(strip, c.K_str, c.K_ext)
    m = np.where(strip, c.m_str, c.m_ext)
    n = np.where(strip, c.n_str, c.n_ext)
    W_of_stage = st.volume_of_stage()
    eta, nu, z = unit.p["efficiency"], unit.nu, unit.charge
    model = unit.equilibrium_model
    last: dict = {}               # loadings of the previous call (warm start)

    def func(x):
        Wfs, Ws, Wt, V, T = read.take("volumes", x)
        aq_in = np.zeros((N, E))
        acid_in = np.zeros(N)
        for k, (_, j) in enumerate(inlet_at):
            aq_in[j] += read.take(f"aq_in{k}", x)
            acid_in[j] += read.take(f"acid_in{k}", x)
        org_in = np.zeros(E)
        for k in range(len(org_in_LnA3)):
            org_in += read.take(f"org_in{k}", x)
        W = np.array([Wfs, Ws, Wt])[W_of_stage]
        v = read.take("v", x) if use_v else np.zeros(N)
        out = model.profile(ProfileInputs(K, m, n, eta, st.ns, np.maximum(aq_in, 0.0),
                                          np.maximum(org_in, 0.0), acid_in, W, V, T, nu,
                                          v, z), last)
        if out is None:
            return np.full(len(write), np.nan)   # not applied
        a, o, h, F, u, v = out
        return np.concatenate([a.ravel(), o.ravel(), h, F, u if use_u else [],
                               v if use_v else []])

    eq.initialiser(read.gather(cols).astype(int), write, func)
