"""The REE cascade's parameters: their parsers and the checks of the tables by element."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity
from polyflow.units.base import Param
from polyflow.units.ree.extractants import extractant_data, extraction_equilibrium
from polyflow.units.ree.models import EQUILIBRIA, MODELS

if TYPE_CHECKING:
    from polyflow.units.ree.unit import REECascade

__all__ = ["PARAMS", "validate_params"]


def _elements(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise InputError("expected a list of element symbols such as ['La', 'Ce', 'Pr', 'Nd']",
                         value=value)
    out = [str(v).strip() for v in value]
    if len(set(out)) != len(out):
        raise InputError("an element is listed twice", value=value)
    return out


def _number_table(what: str, positive: bool = True):
    """``{element: number}``; one key ``all`` applies to every element."""
    def parse(value: object) -> dict[str, float]:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            value = {"all": value}
        if not isinstance(value, Mapping):
            raise InputError(f"expected a table of {what} by element such as "
                             f"{{La = 1.0, Ce = 4.5}}", value=value)
        out = {}
        for k, v in value.items():
            try:
                x = parse_quantity(v, "ratio")
            except InputError as err:
                raise InputError(f"{what} of {k!r}: {err.message}", hint=err.hint) from None
            if not math.isfinite(x) or (positive and x <= 0):
                raise InputError(f"{what} of {k!r} must be a {'positive ' if positive else ''}"
                                 "number", value=v)
            out[str(k)] = x
        return out
    return parse


def _extractant(value: object) -> str:
    return extractant_data(str(value)).name


#: stages per section at most: a guard, not a datum (the shipped cascades have 5-30 stages
#: a section, the 500-stage benchmark 200); it keeps a mistyped count (1,000,000 stages
#: asks for 7 GB) from exhausting memory before the first equation
MAX_STAGES = 1000

PARAMS: dict[str, Param] = {
    "elements": Param(None, "metals in the cascade: rare earths, impurities and the "
                            "saponifying cation, e.g. ['La', 'Ce', 'Pr', 'Nd', 'Fe', 'NH4']",
                      required=True, parse=_elements),
    "extractant": Param(None, "extractant: P507 (PC88A), D2EHPA (P204) or Cyanex272 "
                              "(data/ree_extractants.csv)", default="P507",
                        parse=_extractant),
    "extractant_molarity": Param("ratio", "extractant in the organic [mol/L], for the "
                                          "tabulated pH-model intercepts",
                                 default=1.0, bounds=(1e-3, 5.0)),
    "charges": Param(None, "element -> charge z (H+ released per ion extracted); default "
                           "from the aqueous species listed (LaCl3: 3, CaCl2: 2, ThCl4: 4)",
                     parse=_number_table("charge")),
    "extraction_stages": Param.integer("number of extraction stages n", required=True,
                                       bounds=(1, MAX_STAGES)),
    "scrub_stages": Param.integer("number of scrubbing stages m (0: no scrub inlet)",
                                  default=0, bounds=(0, MAX_STAGES)),
    "strip_stages": Param.integer("number of stripping stages k (0: an extraction-only "
                                  "battery, no strip inlet or strip liquor)", default=1,
                                  bounds=(0, MAX_STAGES)),
    "feed_stage": Param.integer("stage the aqueous feed enters, counted from the "
                                "organic inlet (default: the last extraction stage n)",
                                bounds=(1, None)),
    "equilibrium": Param.choice("separation_factor, pH or distribution", EQUILIBRIA,
                                default="separation_factor"),
    "separation_factors": Param(None, "element -> β relative to a reference element "
                                      "(separation_factor model)",
                                parse=_number_table("separation factor")),
    "reference_distribution": Param("ratio", "κ: D of the β = 1 element on barren "
                                             "organic (separation_factor model)",
                                    default=20.0, bounds=(1e-6, 1e9)),
    "distribution": Param(None, "element -> D (distribution model; in the pH model, "
                                "the elements held at constant D)",
                          parse=_number_table("distribution ratio")),
    "strip_distribution": Param(None, "element (or all) -> D in the strip section "
                                      "(separation_factor and distribution models)",
                                default={"all": 0.01},
                                parse=_number_table("strip distribution ratio")),
    "pH_slope": Param(None, "element (or all) -> m in log D = m pH + b (pH model; "
                            "default the tabulated slope, else the charge z)",
                      parse=_number_table("pH slope", positive=False)),
    "pH_intercept": Param(None, "element -> b in log D = m pH + b (pH model; default "
                                "data/ree_extraction.csv at extractant_molarity)",
                          parse=_number_table("pH intercept", positive=False)),
    "extractant_order": Param("ratio", "n in D ∝ (free/total extractant)^n (pH model)",
                              default=0.0, bounds=(0.0, 6.0)),
    "extractant_per_metal": Param("ratio", "ν: extractant molecules bound per REE3+ "
                                           "at capacity (6 for Ln(HA2)3)",
                                  default=6.0, bounds=(3.0, 12.0)),
    "efficiency": Param("fraction", "Murphree stage efficiency (organic phase)",
                        default=1.0, bounds=(0.05, 1.0)),
    "aqueous_density": Param("density", "aqueous density, for phase volumes",
                             default=1000.0, bounds=(500.0, 3000.0)),
    "organic_density": Param("density", "organic density, for phase volumes",
                             default=800.0, bounds=(500.0, 1500.0)),
    "temperature": Param("temperature", "outlet temperature (default: adiabatic)",
                         bounds=(250.0, 400.0)),
}


def validate_params(unit: REECascade) -> None:
    """The feed stage within the extraction and scrub sections (default n), and every
    table the model reads given for every element (or ``all``) and naming no other."""
    p = unit.p
    n, m = p["extraction_stages"], p["scrub_stages"]
    if p["feed_stage"] is None:
        p["feed_stage"] = n
    if p["feed_stage"] > n + m:
        raise unit.fail(f"feed_stage {p['feed_stage']} is beyond the scrub section "
                        f"(stages 1 to {n + m})", "feed_stage",
                        hint="the feed enters an extraction or scrub stage")
    need = MODELS[p["equilibrium"]].table
    ph = p["equilibrium"] == "pH"
    if not p[need] and not ph:
        raise unit.fail(f"the {p['equilibrium']} model needs {need!r} for every element",
                        need)
    els = p["elements"]
    for key in ("separation_factors", "distribution", "strip_distribution", "pH_slope",
                "pH_intercept", "charges"):
        table = p[key] or {}
        extra = sorted(set(table) - {*els, "all"})
        if extra:
            raise unit.fail(f"{key} names {extra[0]!r}, which is not in elements "
                            f"{els}", key)
    for key in ((need,) if not ph else ()) + ("strip_distribution",):
        table = p[key]
        if "all" not in table and set(els) - set(table):
            raise unit.fail(f"{key} needs a value for {sorted(set(els) - set(table))[0]!r}",
                            key, hint="give every element, or 'all'")
    if ph:
        given = {**(p["pH_intercept"] or {}), **(p["distribution"] or {})}
        for e in els:
            if e not in given and "all" not in given and \
                    extraction_equilibrium(p["extractant"], e) is None:
                raise unit.fail(f"the pH model has no equilibrium of {e!r} with "
                                f"{p['extractant']}", "pH_intercept",
                                hint=f"give pH_intercept (and pH_slope) of {e}, or a "
                                     f"constant D in distribution = {{{e} = ...}}, or add "
                                     "its row to data/ree_extraction.csv")
