"""What leaves the plant: each product's pH and dissolved metals, checked against the
discharge limits, and the hazards the units report (H2S vented).

Reads only the :class:`~polyflow.result.Result` record. The pH of a product's liquor is
the stream's own speciation, solved with the plant (``result.aqueous``, the rows of
:mod:`polyflow.solve.aqueous_rows`); only a record without it (speciation switched off)
is speciated here from the stream's flows (:func:`polyflow.chem.aqueous.speciate_streams`,
llnl.dat: the database that covers every line, docs/aqueous-chemistry.md).

``dissolved_mg_L`` is each element (other than H and O) in the aqueous species of the
stream per litre of its water (mg per kg water; a dilute liquor, kg water ≈ L). Effluents
and wet residues are checked with :func:`~polyflow.effluent.check_effluent` against
:data:`DISCHARGE_TABLES` (World Bank Group EHS Guidelines for Mining 2007; the liquor of a
residue on the dissolved basis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from polyflow.effluent.check import check_effluent

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = ["DISCHARGE_TABLES", "hazards", "liquor_pH", "product_lines", "products"]

#: the discharge-limit tables products are checked against
DISCHARGE_TABLES = ("wbg_mining_2007",)
#: the kinds of product that are discharged (their liquor is checked)
DISCHARGED = ("effluent", "residue")
#: H2S vented below this is not reported [kg/h]
H2S_REPORT_KG_H = 1e-6


def _liquor(result: Result, stream: str):
    """(species set of the plant's base species, base flows kmol/h) of a stream."""
    from polyflow.chem.species import load_database

    sp = result.species
    n = np.bincount(sp.base_index, weights=result.flows_kmol_h[result.stream_index(stream)],
                    minlength=len(sp.base_ids))
    return load_database().subset(list(sp.base_ids)), n


def liquor_pH(result: Result, streams: list[str], database: str = "llnl"
              ) -> list[float | None]:
    """pH (−log10 a(H+)) of each stream's liquor: the stream's own, solved with the plant,
    where the record has the streams' speciation; else speciated here, all together.
    None where a stream has no water or its speciation does not converge."""
    if result.aqueous.get("pH") is not None:
        return [result.aqueous_of(s)["pH"] for s in streams]
    from polyflow.chem.aqueous import speciate_streams
    from polyflow.errors import PolyflowError

    out: list[float | None] = [None] * len(streams)
    rows, at = [], []
    species = None
    for k, s in enumerate(streams):
        species, n = _liquor(result, s)
        w = species.index.get("H2O(l)")
        if w is not None and n[w] > 1e-9:
            rows.append(n)
            at.append(k)
    if not rows:
        return out
    T = np.array([result.T_K[result.stream_index(streams[k])] for k in at])
    try:
        sol = speciate_streams(species, np.array(rows), T, database)
    except PolyflowError:
        return out
    for j, k in enumerate(at):
        if sol.converged[j]:
            out[k] = float(sol.pH[j])
    return out


#: a stream with less water than this [kmol/h] has no liquor to report (as liquor_pH)
MIN_WATER_KMOL_H = 1e-9
#: dissolved elements below this [mg/L] are round-off, far below any assay's detection
#: limit (ICP-MS reaches about 1e-3 mg/L), and are not reported
MIN_MG_L = 1e-6


def dissolved_mg_L(result: Result, stream: str) -> dict[str, float]:
    """Elements (not H, O) in the stream's aqueous species, mg per kg of its water; empty
    for a stream with no liquor (under ``MIN_WATER_KMOL_H`` of water: a near-dry stream's
    trace of dissolved matter over almost no water gave 1e34 mg/L), and elements under
    ``MIN_MG_L`` left out."""
    from polyflow.chem.elements import atomic_weight

    sp = result.species
    n = result.flows_kmol_h[result.stream_index(stream)]
    aq = np.asarray([p == "aq" for p in sp.phase])
    water = [i for i, s in enumerate(sp.ids) if s == "H2O(l)"]
    n_water = float(n[water].sum()) if water else 0.0
    if n_water < MIN_WATER_KMOL_H:
        return {}
    W = 18.01528 * n_water
    aq[water] = False
    out = {}
    for e, el in enumerate(sp.elements):
        if el in ("H", "O"):
            continue
        mg_L = 1e6 * float(sp.element_matrix[e][aq] @ n[aq]) * atomic_weight(el) / W
        if mg_L >= MIN_MG_L:
            out[el] = mg_L
    return out


def products(result: Result, tables=DISCHARGE_TABLES) -> dict[str, dict[str, Any]]:
    """``{name: {"kind", "mass_kg_h", "pH", "dissolved_mg_L", "exceedances"}}`` for every
    product of the plant (pH None where there is no liquor; exceedances of the discharge
    tables for effluents and residues, else an empty list)."""
    out = {}
    names = list(result.products)
    kinds = {n: str(result.units[n].params.get("kind", "product")) for n in names}
    wet = [n for n in names if kinds[n] != "gas"]
    pHs = dict(zip(wet, liquor_pH(result, [result.products[n] for n in wet]), strict=True))
    for name, stream in result.products.items():
        kind = kinds[name]
        pH = pHs.get(name)
        diss = dissolved_mg_L(result, stream)
        exceed = []
        if kind in DISCHARGED and (pH is not None or diss):
            # the limit check reads pH 0-14; a stronger acid (activity scale) reads 0
            check = check_effluent(list(tables), dissolved_mg_L=diss,
                                   pH=None if pH is None else min(max(pH, 0.0), 14.0))
            exceed = [r.line() for r in check.exceedances]
        out[name] = {"kind": kind,
                     "mass_kg_h": float(sum(result.flow_kg_h(stream).values())),
                     "pH": pH, "dissolved_mg_L": diss, "exceedances": exceed}
    return out


def hazards(result: Result) -> list[str]:
    """Warnings the plant's figures call for: every unit that vents H2S."""
    out = []
    for name, u in result.units.items():
        kg = u.results.get("H2S_vented", 0.0)
        if kg > H2S_REPORT_KG_H:
            out.append(f"WARNING: unit '{name}' vents {kg:.3g} kg/h of H2S(g) (fatal hazard: "
                       "H2S kills at about 500-1000 ppm and deadens the sense of smell; "
                       "NIOSH IDLH 100 ppm): scrub the vent or oxidise the sulphide before "
                       "it meets acid")
    return out


def product_lines(result: Result, table: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """The terminal summary's lines: hazards, then each discharged product's pH and
    dissolved metals with its exceedances."""
    table = products(result) if table is None else table
    lines = hazards(result)
    for name, p in table.items():
        if p["kind"] not in DISCHARGED:
            continue
        pH = "no liquor" if p["pH"] is None else f"pH {p['pH']:.2f}"
        metals = ", ".join(f"{el} {v:.3g}" for el, v in sorted(p["dissolved_mg_L"].items()))
        lines.append(f"Discharge {name} ({p['kind']}): {pH}; dissolved mg/L: "
                     f"{metals or 'none'}")
        lines += [f"  {e}" for e in p["exceedances"]]
    return lines
