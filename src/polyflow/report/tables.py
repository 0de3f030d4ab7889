"""Tables of a result as rows of plain values, in the units a metallurgist reads.

Solids assays are in % (g/t for precious metals), solution assays in g/L (mg/L for
precious metals); flows in t/h and m3/h; temperatures in °C. Headers carry the unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polyflow.result import Result

__all__ = [
    "AQUEOUS_COLUMNS",
    "PRECIOUS",
    "aqueous_warnings",
    "closure_rows",
    "energy_rows",
    "has_sizes",
    "reagent_rows",
    "recovery_rows",
    "species_rows",
    "stream_rows",
    "unit_result_rows",
    "water_rows",
    "water_summary_rows",
]

#: elements assayed in g/t (solids) and mg/L (solution)
PRECIOUS = {"Au", "Ag", "Pt", "Pd", "Rh", "Ir", "Os", "Ru"}
#: the speciation's columns of the stream table: (record key, header)
AQUEOUS_COLUMNS = (("pH", "pH"), ("ionic_strength_mol_kg", "I [mol/kg]"),
                   ("free_acid_g_L", "free acid [g/L]"))
#: ionic strength [mol/kg] up to which the activity model's pH holds to about ±0.05
#: (docs/aqueous-chemistry.md, "Where the model stops being trustworthy")
TRUST_IONIC_STRENGTH = 0.5
#: the model's pH error above it, against PHREEQC's pitzer.dat for sulphate liquors
#: (the same page's table: H2SO4 0.5, 1.0, 1.84 mol/kg and 1.84 + MgSO4 0.7):
#: (ionic strength [mol/kg], pH reads high by)
PH_ERROR_TABLE = ((0.587, 0.086), (1.135, 0.198), (2.07, 0.412), (2.89, 0.514))
#: elements not assayed (they are in water and most compounds)
NOT_ASSAYED = {"H", "O"}


def assay_elements(result: Result) -> list[str]:
    return [e for e in result.species.elements if e not in NOT_ASSAYED]


def has_sizes(result: Result) -> bool:
    return getattr(result.species, "size_classes", None) is not None


#: a phase below this fraction of the plant's feed mass is round-off of the solve
ROUNDOFF_PHASE = 1e-12


def roundoff_floor(result: Result) -> float:
    """Flow [kg/h] below which a stream's phase is round-off of the solve
    (``ROUNDOFF_PHASE`` of the plant's feed mass)."""
    return ROUNDOFF_PHASE * sum(sum(result.phase_kg_h(f).values()) for f in result.feeds)


def stream_rows(result: Result) -> list[dict[str, Any]]:
    """One row per stream: flows by phase, % solids, temperature, assays; with size
    classes also P80 and P50 of the sized solids [µm] ("-" where there are none).

    A phase whose flow is round-off (below ``ROUNDOFF_PHASE`` of the plant's feed mass)
    has no assay and no size: its composition would be the noise of the linear solve."""
    rows = []
    elements = assay_elements(result)
    sized = has_sizes(result)
    floor = roundoff_floor(result)
    for spec in result.streams:
        s = spec.name
        ph = result.phase_kg_h(s)
        slurry = ph["s"] + ph["aq"] + ph["l"]
        row: dict[str, Any] = {
            "stream": s, "from": f"{spec.src}.{spec.src_port}",
            "to": f"{spec.dst}.{spec.dst_port}",
            "T [°C]": result.temperature_C(s),
            "total [t/h]": sum(ph.values()) / 1000.0,
            "solids [t/h]": ph["s"] / 1000.0,
            "solution [m3/h]": result.solution_volume_m3_h(s, "aq"),
            "organic [m3/h]": result.solution_volume_m3_h(s, "org"),
            "gas [t/h]": ph["g"] / 1000.0,
            "solids [%]": 100.0 * ph["s"] / slurry if slurry > 0 else 0.0,
        }
        if result.aqueous:          # the stream's speciation ("-" without water)
            aq = result.aqueous_of(s)
            for key, col in AQUEOUS_COLUMNS:
                row[col] = "-" if aq[key] is None else aq[key]
        if sized and result._class_mass(s).sum() > floor:
            p80, p50 = result.p80_um(s), result.p50_um(s)
            row["P80 [um]"] = p80 if p80 == p80 else "-"
            row["P50 [um]"] = p50 if p50 == p50 else "-"
        elif sized:
            row["P80 [um]"] = row["P50 [um]"] = "-"
        solids = result.solids_assay(s) if ph["s"] > floor else {}
        conc = result.solution_g_L(s) if ph["aq"] > floor else {}
        for e in elements:
            if e in PRECIOUS:
                row[f"{e} solids [g/t]"] = solids.get(e, 0.0) * 1e6
                row[f"{e} solution [mg/L]"] = conc.get(e, 0.0) * 1e3
            else:
                row[f"{e} solids [%]"] = solids.get(e, 0.0) * 100.0
                row[f"{e} solution [g/L]"] = conc.get(e, 0.0)
        rows.append(row)
    return rows


def species_rows(result: Result) -> list[dict[str, Any]]:
    """One row per stream with the mass flow of every species [kg/h] (size classes
    added up to their species)."""
    return [{"stream": s, **{f"{k} [kg/h]": v for k, v in result.base_flow_kg_h(s).items()}}
            for s in result.stream_names]


def closure_rows(result: Result) -> list[dict[str, Any]]:
    return [{"element": e, "in [kg/h]": result.element_in_kg_h[e],
             "out [kg/h]": result.element_out_kg_h[e], "relative imbalance": c}
            for e, c in result.closure.items()]


def recovery_rows(result: Result) -> list[dict[str, Any]]:
    rows = []
    for e in assay_elements(result):
        row: dict[str, Any] = {"element": e}
        for prod, frac in result.recovery[e].items():
            row[f"{prod} [%]"] = 100.0 * frac
        rows.append(row)
    return rows


def energy_rows(result: Result) -> list[dict[str, Any]]:
    """One row per process unit: its power drawn and heat duty [kW]. Each model's own
    results are :func:`unit_result_rows` (a column per result of every model made a
    table as wide as the plant has models)."""
    return [{"unit": name, "model": unit.model, "area": unit.area,
             "power [kW]": unit.power_kW, "duty [kW]": unit.duty_kW}
            for name, unit in result.units.items() if unit.role == "process"]


def unit_result_rows(result: Result) -> list[dict[str, Any]]:
    """The units' declared results, one row each: unit, result, value, its unit of
    measure (long form: pastes into a spreadsheet and filters by unit or result)."""
    return [{"unit": name, "model": unit.model, "result": key, "value": value,
             "units": unit.result_units.get(key, "")}
            for name, unit in result.units.items() if unit.role == "process"
            for key, value in unit.results.items()]


def reagent_rows(result: Result) -> list[dict[str, Any]]:
    """One row per reagent species of each reagent feed: kg/h and kg/t ore."""
    rows = []
    for feed, flows in result.reagent_kg_h.items():
        for sid, kg_h in flows.items():
            rows.append({"feed": feed, "species": sid, "kg/h": kg_h,
                         "kg/t ore": result.per_t_ore(kg_h)})
    return rows


def water_rows(result: Result) -> list[dict[str, Any]]:
    """Liquid water in with each feed and out with each product [m3/h at 1 t/m3]."""
    w = result.water
    rows = [{"stream": f, "direction": "in", "water [t/h]": v / 1000.0}
            for f, v in w["in"].items() if v > 0]
    rows += [{"stream": p, "direction": "out", "water [t/h]": v / 1000.0}
             for p, v in w["out"].items() if v > 0]
    return rows


def water_summary_rows(result: Result) -> list[dict[str, Any]]:
    """Plant water totals (:func:`polyflow.report.water.water_accounts`): fresh water,
    water with ore and reagents, water out, water recycled inside the plant (the streams
    of a loop whose name says "recycle"), fresh water per tonne of dry ore, and the
    recycle ratio: recycled / (recycled + fresh), the share of the water the units
    receive from loops rather than from fresh make-up."""
    from polyflow.report.water import water_accounts

    w = water_accounts(result)
    if w is None:
        return []
    fresh = w.fresh
    other_in = sum(v for c, v in w.in_by_category.items() if c != "water")
    out = sum(w.out_by_kind.values())
    rec = w.recycled
    rows = [{"quantity": "fresh water (feeds of category water)", "value": fresh,
             "unit": "t/h"},
            {"quantity": "water with ore and reagents", "value": other_in, "unit": "t/h"},
            {"quantity": "water out with products, residues, effluents, gases",
             "value": out, "unit": "t/h"},
            {"quantity": "made (+) or used (-) by reactions",
             "value": w.made_by_reactions, "unit": "t/h"},
            {"quantity": "recycled inside the plant", "value": rec, "unit": "t/h"},
            {"quantity": "recycle ratio, recycled / (recycled + fresh)",
             "value": 100.0 * rec / (rec + fresh) if rec + fresh > 0 else 0.0, "unit": "%"}]
    if w.fresh_per_t_ore is not None:
        rows.append({"quantity": "fresh water per tonne of dry ore",
                     "value": w.fresh_per_t_ore, "unit": "m3/t"})
    return rows


def aqueous_warnings(result: Result) -> list[str]:
    """One line per stream whose ionic strength is beyond the activity model's validity
    (``TRUST_IONIC_STRENGTH``), with the pH error there (interpolated in
    ``PH_ERROR_TABLE``; "above 0.5" beyond its last point)."""
    if not result.aqueous:
        return []
    out = [f"stream '{result.streams[k].name}': its speciation does not converge (a liquor "
           "far beyond the activity model): no pH, ionic strength or free acid reported"
           for k in result.aqueous.get("unsolved", [])]
    xs, ys = zip(*PH_ERROR_TABLE, strict=True)
    for spec in result.streams:
        aq = result.aqueous_of(spec.name)
        ionic = aq["ionic_strength_mol_kg"]
        if ionic is None or ionic <= TRUST_IONIC_STRENGTH:
            continue
        if ionic > xs[-1]:
            err = f"more than {ys[-1]:.1f}"
        else:
            lo = max(k for k in range(len(xs)) if xs[k] <= ionic) if ionic >= xs[0] else -1
            if lo < 0:
                err = f"about {ys[0]:.2f}"
            else:
                hi = min(lo + 1, len(xs) - 1)
                f = 0.0 if hi == lo else (ionic - xs[lo]) / (xs[hi] - xs[lo])
                err = f"about {ys[lo] + f * (ys[hi] - ys[lo]):.2f}"
        out.append(f"stream '{spec.name}': ionic strength {ionic:.2f} mol/kg is beyond the "
                   f"activity model (trustworthy to {TRUST_IONIC_STRENGTH} mol/kg); its pH "
                   f"{aq['pH']:.2f} reads high by {err} against a Pitzer model "
                   "(sulphate liquors); free acid is not affected")
    return out
