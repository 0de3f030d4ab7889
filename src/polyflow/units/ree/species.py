"""The species a REE cascade works on: each element's aqueous form (chloride or ion) and
its P507 complex, the acid and the extractant, resolved against the flowsheet's species
with errors that say what to add."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from polyflow.chem.species import SpeciesSet
    from polyflow.units.ree.unit import REECascade

__all__ = ["EXTRACTANT", "CascadeSpecies", "complex_id", "resolve_species"]

#: the P507 (HEHEHP) monomer HA of the species tables
EXTRACTANT = "C16H35O3P(org)"


def complex_id(element: str) -> str:
    """Species id of the P507 complex LnA3 of ``element`` (``La(C16H34O3P)3(org)``)."""
    return f"{element}(C16H34O3P)3(org)"


class CascadeSpecies:
    """Indices in the flowsheet's species: ``aq`` and ``org`` (E) the elements' aqueous
    species and complexes, ``acid`` (HCl or H+) and ``ha`` (the extractant)."""

    def __init__(self, aq: list[int], org: list[int], acid: int, ha: int) -> None:
        self.aq = np.array(aq)
        self.org = np.array(org)
        self.acid = acid
        self.ha = ha


def resolve_species(unit: REECascade, species: SpeciesSet) -> CascadeSpecies:
    """Each element as its chloride (``LaCl3(aq)`` with ``HCl(aq)``) or its ion
    (``La+3(aq)`` with ``H+(aq)``), one form for all, and its complex
    :func:`complex_id`; the extractant :data:`EXTRACTANT`."""
    els = unit.p["elements"]
    db = species.database
    aq, org, form = [], [], set()
    for e in els:
        found = [sid for sid in (f"{e}Cl3(aq)", f"{e}+3(aq)") if sid in species]
        if not found:
            known = f"{e}Cl3(aq)" in db
            raise unit.fail(f"element {e!r}: neither {e}Cl3(aq) nor {e}+3(aq) is in the "
                            "flowsheet's species", "elements",
                            hint=f"add '{e}Cl3' to [flowsheet] species" if known else
                            "the species tables have no aqueous chloride of it")
        if len(found) == 2:
            raise unit.fail(f"element {e!r}: both {found[0]} and {found[1]} are in the "
                            "species list; the cascade needs one aqueous form",
                            "elements", hint="write the feed as the chloride only")
        aq.append(species.idx(found[0]))
        form.add("chloride" if "Cl3" in found[0] else "ion")
        cid = complex_id(e)
        if cid not in db:
            raise unit.fail(f"element {e!r}: the species tables have no P507 complex "
                            f"{cid}", "elements",
                            hint="separate the rare earths La-Lu and Y; report the "
                                 "missing complex as a species-data issue")
        if cid not in species:
            raise unit.fail(f"element {e!r}: add its P507 complex "
                            f"'{db[cid].aliases[0] if db[cid].aliases else cid}' to "
                            "[flowsheet] species", "elements")
        org.append(species.idx(cid))
    if len(form) > 1:
        raise unit.fail("mixed aqueous forms: give every element as its chloride "
                        "(LaCl3) or every one as its ion (La+3)", "elements")
    acid = "HCl(aq)" if form == {"chloride"} else "H+(aq)"
    for sid, what in ((acid, "the acid"), (EXTRACTANT, "the extractant P507")):
        if sid not in species:
            raise unit.fail(f"add {sid} ({what}) to [flowsheet] species", "elements")
    return CascadeSpecies(aq, org, species.idx(acid), species.idx(EXTRACTANT))
