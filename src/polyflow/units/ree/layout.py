"""The cascade's stages and the named layout of its internal unknowns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyflow.solve.layout import Layout

__all__ = ["VOLUMES", "Stages", "internal_layout"]

#: the five linear unknowns after the stage blocks: aqueous volume flows of the
#: extraction (feed and scrub), scrub and strip trains [m3/h], the organic volume flow
#: [m3/h], the total extractant T_A [kmol/h]
VOLUMES = ("V_aq_extraction", "V_aq_scrub", "V_aq_strip", "V_org", "extractant_total")


@dataclass(frozen=True)
class Stages:
    """Stage numbering: ``N`` stages from the barren-organic end, ``E`` elements, ``ns``
    the stages before the strip section (the loaded organic leaves stage ``ns``), ``f``
    the 0-based stage of the aqueous feed."""

    N: int
    E: int
    ns: int
    f: int

    @classmethod
    def of(cls, p: dict) -> Stages:
        ns = p["extraction_stages"] + p["scrub_stages"]
        return cls(ns + p["strip_stages"], len(p["elements"]), ns, p["feed_stage"] - 1)

    def volume_of_stage(self) -> np.ndarray:
        """Which aqueous volume flow (0 extraction, 1 scrub, 2 strip) passes each stage."""
        j = np.arange(self.N)
        return np.where(j <= self.f, 0, np.where(j < self.ns, 1, 2))

    def same_train(self) -> np.ndarray:
        """Whether the aqueous of stage j + 1 reaches stage j (not across the ends of the
        two aqueous trains, stages ns and N)."""
        same = np.ones(self.N, bool)
        same[self.ns - 1] = False
        same[self.N - 1] = False
        return same


def internal_layout(st: Stages, elements: list[str], use_u: bool, use_v: bool,
                    u0: float, v0: float) -> Layout:
    """The cascade's internal unknowns: aqueous and organic element flows of every stage
    (N × E) [kmol/h], stage acid and free extractant (N) [kmol/h], the :data:`VOLUMES`,
    then ln(F/T_A) (N, ≤ 0; when the loading enters the equilibrium) and ln(c_H) (N; the
    pH model), with start values ``u0`` and ``v0``. The pH model reads ln(h/W): its stage
    acid is kept ≥ 0 by Newton (fraction to the boundary); elsewhere the acid is free,
    so that a shortfall shows as such."""
    N = st.N
    lay = Layout()
    for block, short in (("aqueous", "aq"), ("organic", "org")):
        lay.add(block, (N, st.E),
                labels=[f"{short}[{j + 1},{e}]" for j in range(N) for e in elements])
    lay.add("acid", N, lower=0.0 if use_v else None)
    lay.add("free_extractant", N)
    for name in VOLUMES:
        lay.add(name)
    lay.add("ln_free_fraction", N * use_u, guess=u0, upper=0.0)
    lay.add("ln_acid_molarity", N * use_v, guess=v0)
    return lay
