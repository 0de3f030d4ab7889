"""From a stream's species flows to the totals of the master species (a linear map).

A polyflow stream carries aqueous solutes as neutral formula units in the NBS "ai" standard
state (``CuSO4(aq)``, note ``ai: Cu+2 + SO4-2``), as ions (``HSO4-(aq)``) and as molecules
(``NH3(aq)``), and water as ``H2O(l)``. Each solute is split into its ions (the ``ai:``
note) and each ion is found in the equilibrium database by its elements and charge; the
database's formation reaction then gives its masters (``HSO4-`` = ``SO4-2`` + ``H+``). The
protons are not counted: the net charge is, and the charge balance closes H+ (equivalent to
a proton balance). So

.. math::

    N_k = \\sum_i A_{ki} n_i \\quad [\\text{kmol/h}],\\qquad
    t_k = \\frac{1000\\,N_k}{W},\\quad W = M_{\\mathrm{H_2O}}\\, n_{\\mathrm{H_2O}}\\ [\\text{kg/h}]

with ``A`` a constant matrix (row 0: charge; row k: master k). An ion the database lacks
(e.g. Au(CN)2- or SbS3-3 in phreeqc.dat/llnl.dat) becomes a *spectator*: a master of its own
with no complexes, which still counts in the charge balance and ionic strength (Davies γ).

>>> from polyflow.chem.species import load_database
>>> from polyflow.chem.equilibria import load_equilibria
>>> sp = load_database().subset(["H2O", "CuSO4(aq)", "H2SO4(aq)", "HSO4-(aq)"])
>>> cm = component_map(sp, load_equilibria("phreeqc"))
>>> cm.masters, cm.A.tolist()
(('H+', 'SO4-2', 'Cu+2'), [[0.0, 0.0, 0.0, -1.0], [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0]])
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from polyflow.chem.equilibria import EquilibriumDatabase, Reaction
from polyflow.chem.formula import parse_formula
from polyflow.chem.species import SpeciesSet
from polyflow.errors import DataError

__all__ = ["ComponentMap", "component_map", "ions_of", "totals"]

M_WATER = 18.01528   # kg/kmol


@dataclass(frozen=True)
class ComponentMap:
    """``A`` (K, n_species): row 0 charge, row k ≥ 1 master ``masters[k]``, per kmol of
    each species of the stream; ``water`` the column of H2O(l); ``spectators`` the ions the
    database lacks (each its own master); ``sources`` per species, the ions it maps to."""

    masters: tuple[str, ...]
    A: np.ndarray
    water: int
    spectators: tuple[Reaction, ...]
    sources: dict[str, list[tuple[float, str, str]]]


def ions_of(species) -> list[tuple[float, str]]:
    """The ions (count, formula) of an aqueous species: its ``ai:`` note, else itself."""
    m = re.match(r"\s*ai:\s*([^;]*)", species.note or "")
    if not m:
        return [(1.0, species.formula.text)]
    out = []
    for term in re.split(r"\s\+\s", m.group(1).strip()):
        p = term.split()
        out.append((float(p[0]), p[1]) if len(p) == 2 else (1.0, p[0]))
    return out


def component_map(species: SpeciesSet, db: EquilibriumDatabase) -> ComponentMap:
    """The linear map of a stream's species set onto ``db``'s masters (see module doc)."""
    if "H2O(l)" not in species.index:
        raise DataError("an aqueous stream needs the species H2O(l) (water) in its set",
                        field="species", hint="add 'H2O' to the flowsheet's species")
    per: dict[str, list[tuple[float, str, str]]] = {}
    used: list[str] = []
    spect: dict[str, Reaction] = {}
    for sp in species.species:
        if sp.phase != "aq" or sp.id == "H2O(l)":
            continue
        rows = []
        for count, ion in ions_of(sp):
            r = db.find(ion)
            parts = None if r is not None else by_elements(ion, db)
            if parts is not None:
                rows.append((count, ion, "elements"))
                used += list(parts)
            elif r is None:
                z = parse_formula(ion).charge
                spect.setdefault(ion, Reaction(
                    ion, "spectator", {ion: 1.0}, np.zeros(6), z,
                    "davies" if z else "neutral", 0.0, 0.0 if z else 0.1))
                rows.append((count, ion, "spectator"))
                used.append(ion)
            else:
                rows.append((count, ion, r.name))
                used += [m for m in r.nu if m not in ("H+", "H2O")]
        per[sp.id] = rows
    order = {m: i for i, m in enumerate(db.masters)}
    masters = ("H+", *sorted({m for m in used if m in order}, key=order.get),
               *[m for m in dict.fromkeys(used) if m in spect])
    col = {m: k for k, m in enumerate(masters)}
    A = np.zeros((len(masters), len(species.species)))
    for i, sp in enumerate(species.species):
        for count, ion, name in per.get(sp.id, []):
            if name == "elements":
                A[0, i] += count * parse_formula(ion).charge
                for m, c in by_elements(ion, db).items():
                    A[col[m], i] += count * c
                continue
            if name == "spectator":
                A[col[ion], i] += count
                A[0, i] += count * spect[ion].charge
                continue
            r = db.species[name]
            A[0, i] += count * r.charge
            for m, c in r.nu.items():
                if m not in ("H+", "H2O"):
                    A[col[m], i] += count * c
    return ComponentMap(masters, A, species.index["H2O(l)"], tuple(spect.values()), per)


def _oxidation(master: str) -> tuple[str, float] | None:
    """(element, oxidation state) of a master made of one element besides H and O."""
    f = parse_formula(master)
    els = [e for e in f.elements if e not in ("H", "O")]
    if len(els) != 1:
        return None
    e = els[0]
    ox = (f.charge - f.elements.get("H", 0.0) + 2 * f.elements.get("O", 0.0)) / f.elements[e]
    return e, ox


def by_elements(ion: str, db: EquilibriumDatabase) -> dict[str, float] | None:
    """Masters of an ion the database lacks, from its elements, when every element other
    than H and O has masters of one element and the masters' oxidation states add up to
    the ion's charge (SbS3-3 = Sb(OH)3 + 3 HS-: Sb(III), S(-II)); else None.
    Only oxo- and thio-anions of one element qualify: carbon and nitrogen compounds (OCN-)
    are kinetically stable and stay whole (spectators)."""
    f = parse_formula(ion)
    cands: dict[str, list[tuple[str, float]]] = {}
    for m in db.masters:
        ox = _oxidation(m) if m not in ("H+", "H2O") else None
        if ox:
            cands.setdefault(ox[0], []).append((m, ox[1]))
    out: dict[str, float] = {}
    total = f.elements.get("H", 0.0) - 2 * f.elements.get("O", 0.0)
    els = [e for e in f.elements if e not in ("H", "O")]
    if not els or any(e not in cands for e in els) or len(set(els) - {"S"}) != 1 \
            or set(els) & {"C", "N"}:
        return None   # only oxo- and thio-anions of one element (cyanate stays whole)
    fits = []
    for combo in itertools.product(*(cands[e] for e in els)):
        charge = total + sum(f.elements[e] * ox for e, (_, ox) in zip(els, combo, strict=True))
        if abs(charge - f.charge) < 1e-9:
            fits.append(combo)
    if len(fits) != 1:
        return None
    for e, (m, _) in zip(els, fits[0], strict=True):
        out[m] = out.get(m, 0.0) + f.elements[e] / parse_formula(m).elements[e]
    return out


def totals(cmap: ComponentMap, flows: np.ndarray):
    """Totals ``t`` (N, K) [mol/kg water] of stream flows (N, n_species) [kmol/h], and
    ∂t/∂flows (N, K, n_species): (1000/W) A − t ⊗ ∂W/∂n / W, with W = M_w n_H2O [kg/h]."""
    n = np.atleast_2d(np.asarray(flows, dtype=float))
    W = M_WATER * n[:, cmap.water]
    if np.any(W <= 0):
        raise DataError("speciation needs water: a stream has no H2O(l) flow",
                        field="H2O(l)", value=float(W.min()))
    t = 1000.0 * (n @ cmap.A.T) / W[:, None]
    dt = 1000.0 * cmap.A[None, :, :] / W[:, None, None]
    dt[:, :, cmap.water] -= t * M_WATER / W[:, None]
    return t, dt
