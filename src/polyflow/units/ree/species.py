"""The species a REE cascade works on: each metal's aqueous form (chloride or ion) with its
charge z, its complex with the extractant, the acid and the extractant, resolved against
the flowsheet's species with errors that say what to add.

A metal of charge z forms MA_z with the extractant's anion A (M^z+ + z HA(org) →
MA_z(org) + z H+): La, Fe and Al z = 3 (``LaCl3``, ``FeCl3``), Ca 2 (``CaCl2``), Th 4
(``ThCl4``), NH4+ and Na+ 1 (``NH4Cl``: a saponified organic carries NH4A). The charge
is read from the aqueous species the flowsheet lists (or given by ``charges``). The
extractant and its anion come from ``data/ree_extractants.csv``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from polyflow.units.ree.extractants import extractant_data

if TYPE_CHECKING:
    from polyflow.chem.species import SpeciesSet
    from polyflow.units.ree.unit import REECascade

__all__ = ["EXTRACTANT", "CascadeSpecies", "complex_id", "resolve_species"]

#: the P507 (HEHEHP) monomer HA of the species tables (the default extractant)
EXTRACTANT = "C16H35O3P(org)"
#: charges looked for in the species ids
CHARGES = (1, 2, 3, 4)


def complex_id(element: str, charge: int = 3, extractant: str = "P507") -> str:
    """Species id of the complex MA_z of ``element`` with ``extractant``
    (``La(C16H34O3P)3(org)``; ``NH4(C16H34O3P)(org)`` for z = 1)."""
    anion = extractant_data(extractant).anion
    return f"{element}({anion}){charge if charge != 1 else ''}(org)"


def _aqueous_ids(e: str, z: int) -> tuple[str, str]:
    cl = f"{e}Cl{z if z != 1 else ''}(aq)"
    ion = f"{e}+{z if z != 1 else ''}(aq)"
    return cl, ion


class CascadeSpecies:
    """Indices in the flowsheet's species: ``aq`` and ``org`` (E) the elements' aqueous
    species and complexes, ``charge`` (E) their z, ``acid`` (HCl or H+) and ``ha`` (the
    extractant)."""

    def __init__(self, aq: list[int], org: list[int], charge: list[int], acid: int,
                 ha: int) -> None:
        self.aq = np.array(aq)
        self.org = np.array(org)
        self.charge = np.array(charge, dtype=float)
        self.acid = acid
        self.ha = ha


def _charge(unit: REECascade, e: str, species: SpeciesSet,
            form: str | None = None) -> tuple[int, str]:
    """z and the aqueous species id of metal ``e``; where both its chloride and its ion
    are listed (a plant whose other units write liquors in ions), the one of ``form``
    ('chloride' or 'ion': that of the cascade's other metals), if given."""
    given = (unit.p.get("charges") or {}).get(e)
    zs = [int(given)] if given is not None else list(CHARGES)
    found = [(z, sid) for z in zs for sid in _aqueous_ids(e, z) if sid in species]
    if not found:
        db = species.database
        known = [cl for z in zs for cl in _aqueous_ids(e, z)[:1] if cl in db]
        raise unit.fail(f"element {e!r}: none of "
                        f"{', '.join(s for z in zs for s in _aqueous_ids(e, z))} is in the "
                        "flowsheet's species", "elements",
                        hint=f"add '{known[0].removesuffix('(aq)')}' to [flowsheet] species"
                        if known else "the species tables have no aqueous chloride of it")
    if len(found) > 1 and form is not None:
        found = [f for f in found if ("+" in f[1]) == (form == "ion")] or found
    if len(found) > 1:
        raise unit.fail(f"element {e!r}: {' and '.join(s for _, s in found)} are all in the "
                        "species list; the cascade needs one aqueous form",
                        "elements", hint="write the feed as one chloride, or give the "
                                         f"charge: charges = {{{e} = 3}}")
    return found[0]


def resolve_species(unit: REECascade, species: SpeciesSet) -> CascadeSpecies:
    """Each element as its chloride (``LaCl3(aq)`` with ``HCl(aq)``) or its ion
    (``La+3(aq)`` with ``H+(aq)``), one form for all, and its complex
    :func:`complex_id` with the unit's ``extractant``."""
    els = unit.p["elements"]
    ext = extractant_data(unit.p["extractant"])
    db = species.database
    aq, org, charge, form = [], [], [], set()
    # an element listed in both forms takes the form of the others (one form for all)
    forms = set()
    for e in els:
        try:
            forms.add("ion" if "+" in _charge(unit, e, species)[1] else "chloride")
        except Exception:       # ambiguous or missing: named below
            continue
    prefer = forms.pop() if len(forms) == 1 else None
    for e in els:
        z, sid = _charge(unit, e, species, prefer)
        aq.append(species.idx(sid))
        charge.append(z)
        form.add("ion" if "+" in sid else "chloride")
        cid = complex_id(e, z, ext.name)
        if cid not in db:
            raise unit.fail(f"element {e!r}: the species tables have no {ext.name} complex "
                            f"{cid}", "elements",
                            hint="add its row to data/species_ree.csv (formation enthalpy "
                                 "of the ion + z of the extractant), or report the missing "
                                 "complex as a species-data issue")
        if cid not in species:
            raise unit.fail(f"element {e!r}: add its {ext.name} complex "
                            f"'{db[cid].aliases[0] if db[cid].aliases else cid}' to "
                            "[flowsheet] species", "elements")
        org.append(species.idx(cid))
    if len(form) > 1:
        raise unit.fail("mixed aqueous forms: give every element as its chloride "
                        "(LaCl3) or every one as its ion (La+3)", "elements")
    acid = "HCl(aq)" if form == {"chloride"} else "H+(aq)"
    for sid, what in ((acid, "the acid"), (ext.species, f"the extractant {ext.name}")):
        if sid not in species:
            raise unit.fail(f"add {sid} ({what}) to [flowsheet] species", "elements")
    return CascadeSpecies(aq, org, charge, species.idx(acid), species.idx(ext.species))
