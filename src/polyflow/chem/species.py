"""Species data: formula, phase, formation enthalpy and heat capacity, with sources.

Data live in ``polyflow/data/species*.csv`` (one file per topic, the citation of every
value in its ``source_H`` / ``source_Cp`` columns, keys resolved in ``sources*.csv``).

Enthalpy basis (DESIGN: "Enthalpy basis"): the molar enthalpy of a species is its
standard enthalpy of formation plus its sensible heat from 298.15 K,

.. math::

    h_i(T) = \\Delta H^\\circ_{f,i} + \\int_{298.15}^{T} C_{p,i}\\,dT,
    \\qquad C_p = A + B\\,10^{-3}T + C\\,10^{5}T^{-2} + D\\,10^{-6}T^{2}

with :math:`C_p` in J/(mol K) (the Maier-Kelley form extended with a T^2 term, as used in
USGS Bulletin 2131 and HSC Chemistry). Heats of reaction then fall out of the balance
and are never entered twice.

>>> db = load_database()
>>> water = db["H2O"]
>>> water.id, water.phase, round(water.molar_mass, 3)
('H2O(l)', 'aq', 18.015)
>>> round(water.h(298.15), 2)    # kJ/mol, NBS 1982
-285.83
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources

import numpy as np

from polyflow.chem.elements import read_data_csv
from polyflow.chem.formula import Formula, parse_formula
from polyflow.errors import DataError, did_you_mean

__all__ = ["PHASES", "T_REF", "Species", "SpeciesDatabase", "SpeciesSet", "load_database"]

T_REF = 298.15
#: Phase codes: solid, aqueous solution, organic solution, gas, other liquid (melt).
#: Liquid water belongs to the aqueous phase.
PHASES = {"s": "solid", "aq": "aqueous", "org": "organic", "g": "gas", "l": "liquid"}


@dataclass(frozen=True)
class Species:
    """One species: identity, composition and thermochemical data.

    ``dHf`` is the standard enthalpy of formation at 298.15 K [kJ/mol];
    ``cp`` are (A, B, C, D) of the heat-capacity form above [J/(mol K)].
    """

    id: str
    formula: Formula
    phase: str
    name: str = ""
    aliases: tuple[str, ...] = ()
    dHf: float = 0.0
    cp: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    T_range: tuple[float, float] = (298.15, 298.15)
    sources: tuple[str, str] = ("", "")
    note: str = ""
    #: the species this one is a size class of (its own id when it is not sized)
    base: str = ""
    #: index of its size class (coarsest 0), or -1 for a species without sizes
    size_class: int = -1
    #: the aqueous species a delivered reagent (solid or pure liquid) dissolves to in a
    #: unit that dissolves reagents ("" for none); see :mod:`polyflow.chem.dilution`
    dissolves_to: str = ""

    def __post_init__(self) -> None:
        if not self.base:
            object.__setattr__(self, "base", self.id)

    @property
    def molar_mass(self) -> float:
        """Molar mass [kg/kmol] computed from the formula."""
        return self.formula.molar_mass

    @property
    def elements(self) -> dict[str, float]:
        return self.formula.elements

    @property
    def charge(self) -> int:
        return self.formula.charge

    def cp_at(self, T: float) -> float:
        """Heat capacity at ``T`` [J/(mol K)]."""
        A, B, C, D = self.cp
        return A + B * 1e-3 * T + C * 1e5 / T**2 + D * 1e-6 * T**2

    def h(self, T: float) -> float:
        """Molar enthalpy on the formation basis at ``T`` [kJ/mol]."""
        if T == T_REF:            # the sensible heat is exactly zero there: skip numpy
            return float(self.dHf)
        return float(self.dHf + _sensible(np.array(self.cp, dtype=float)[None, :], T)[0] / 1000.0)


def _sensible(cp: np.ndarray, T) -> np.ndarray:
    """∫_{298.15}^{T} Cp dT [J/mol] for rows of (A,B,C,D); ``T`` scalar or broadcastable."""
    A, B, C, D = cp[..., 0], cp[..., 1], cp[..., 2], cp[..., 3]
    T0 = T_REF
    return (A * (T - T0) + B * 0.5e-3 * (T**2 - T0**2) - C * 1e5 * (1.0 / T - 1.0 / T0)
            + D * 1e-6 / 3.0 * (T**3 - T0**3))


class SpeciesDatabase:
    """All species known to polyflow, looked up by id (``"CuSO4(aq)"``) or alias."""

    def __init__(self, species: Iterable[Species], sources: dict[str, str]) -> None:
        self._by_id: dict[str, Species] = {}
        self._alias: dict[str, str] = {}
        self.sources = dict(sources)
        for sp in species:
            if sp.id in self._by_id:
                raise DataError(f"species id {sp.id!r} is defined twice in the species tables")
            self._by_id[sp.id] = sp
        for sp in self._by_id.values():
            for a in sp.aliases:
                if a in self._by_id and a != sp.id:
                    raise DataError(f"alias {a!r} of {sp.id!r} is also a species id")
                if a in self._alias and self._alias[a] != sp.id:
                    raise DataError(f"alias {a!r} names both {self._alias[a]!r} and {sp.id!r}")
                self._alias[a] = sp.id
        for sp in self._by_id.values():   # an ion is also known by its formula: "Cu+2"
            if sp.charge and sp.formula.text not in self._alias \
                    and sp.formula.text not in self._by_id:
                self._alias[sp.formula.text] = sp.id

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self):
        return iter(self._by_id.values())

    def __contains__(self, key: str) -> bool:
        return key in self._by_id or key in self._alias

    def find(self, key: str) -> str | None:
        """The species id that ``key`` (an id or an alias) names, or ``None``: membership
        without raising, so without the spelling hint's cost (issue #12)."""
        if key in self._by_id:
            return key
        return self._alias.get(key)

    def resolve(self, key: str) -> str:
        """The species id that ``key`` (an id or an alias) names."""
        sid = self.find(key)
        if sid is not None:
            return sid
        raise DataError(f"unknown species {key!r}",
                        hint=did_you_mean(key, [*self._by_id, *self._alias],
                                          more="'polyflow species TEXT' searches the tables"))

    def __getitem__(self, key: str) -> Species:
        return self._by_id[self.resolve(key)]

    def subset(self, keys: Sequence[str]) -> SpeciesSet:
        """The ordered species set of a flowsheet, from ids or aliases."""
        ids: list[str] = []
        for k in keys:
            sid = self.resolve(k)
            if sid not in ids:
                ids.append(sid)
        return SpeciesSet([self._by_id[i] for i in ids], self)


@dataclass
class SpeciesSet:
    """The ordered species of one flowsheet, with the arrays the solver needs.

    ``element_matrix[e, i]`` is atoms of element ``elements[e]`` per molecule of species
    ``i``; ``mw[i]`` is kg/kmol.

    Size classes (see :mod:`polyflow.psd`): :meth:`sized` returns a set in which each
    sized solid species is one component per size class, ``'CuFeS2(s)|150um'`` (the
    species id, ``|``, the upper size of the class), with the formula and thermochemistry
    of its species, so element balances and enthalpies need nothing new. Then
    ``size_classes`` holds the class upper sizes [m] (coarsest first; ``None`` without
    sizes), ``size_index[i]`` the class of component ``i`` (−1 for species without
    sizes), ``base_ids`` the species ids (one per species, sized or not) and
    ``base_index[i]`` the position in ``base_ids`` of the species of component ``i``.
    ``idx('CuFeS2')`` of a sized species raises an error that points to
    ``components('CuFeS2')``, which gives the positions of all its size classes (and of
    an unsized species, its one position).

    >>> sp = load_database().subset(["H2O", "CuFeS2"]).sized([150e-6, 75e-6])
    >>> sp.ids
    ['H2O(l)', 'CuFeS2(s)|150um', 'CuFeS2(s)|75um']
    >>> sp.components("chalcopyrite").tolist(), sp.size_index.tolist(), sp.base_ids
    ([1, 2], [-1, 0, 1], ['H2O(l)', 'CuFeS2(s)'])
    """

    species: list[Species]
    database: SpeciesDatabase
    size_classes: np.ndarray | None = None
    index: dict[str, int] = field(init=False)
    elements: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {sp.id: i for i, sp in enumerate(self.species)}
        self.size_index = np.array([sp.size_class for sp in self.species], dtype=int)
        self.base_ids: list[str] = list(dict.fromkeys(sp.base for sp in self.species))
        pos = {b: k for k, b in enumerate(self.base_ids)}
        self.base_index = np.array([pos[sp.base] for sp in self.species], dtype=int)
        self._components: dict[str, np.ndarray] = {
            b: np.nonzero(self.base_index == k)[0] for k, b in enumerate(self.base_ids)}
        if self.size_classes is not None:
            self.size_classes = np.asarray(self.size_classes, dtype=float)
        els: list[str] = []
        for sp in self.species:
            els.extend(e for e in sp.elements if e not in els)
        self.elements = els
        self.element_matrix = np.array(
            [[sp.elements.get(e, 0.0) for sp in self.species] for e in els]).reshape(len(els), -1)
        self.mw = np.array([sp.molar_mass for sp in self.species])
        self.dHf = np.array([sp.dHf for sp in self.species])
        self.cp = np.array([sp.cp for sp in self.species], dtype=float).reshape(-1, 4)
        self.charge = np.array([sp.charge for sp in self.species], dtype=float)
        self.phase = np.array([sp.phase for sp in self.species])
        self.ids = [sp.id for sp in self.species]

    def __len__(self) -> int:
        return len(self.species)

    def __iter__(self):
        return iter(self.species)

    def __contains__(self, key: str) -> bool:
        if key in self.index:
            return True
        sid = self.database.find(key)
        return sid is not None and (sid in self.index or sid in self._components)

    def _resolve_base(self, key: str) -> str:
        """The species id that ``key`` (id, alias or size component) belongs to."""
        if key in self.index:
            return self.species[self.index[key]].base
        if "|" in key and self.size_classes is not None:
            base, _, size = key.partition("|")
            sid = self.database.resolve(base)
            if sid in self._components:
                labels = [self.ids[i].partition("|")[2] for i in self._components[sid]]
                raise DataError(f"{sid!r} has no size class {size!r}",
                                hint=f"its classes are {', '.join(labels)}")
        sid = self.database.resolve(key)
        if sid not in self._components:
            raise DataError(f"species {sid!r} is not in this flowsheet's species list",
                            hint="add it to [flowsheet] species")
        return sid

    def idx(self, key: str) -> int:
        """Position of a species (id, alias or size component id) in this set; a clear
        error if absent, or if the species is split into size classes (then use
        :meth:`components`)."""
        if key in self.index:
            return self.index[key]
        sid = self._resolve_base(key)
        if sid in self.index:
            return self.index[sid]
        comps = self._components[sid]
        raise DataError(f"species {sid!r} is split into {len(comps)} size classes in this "
                        f"flowsheet; name one ({self.ids[comps[0]]!r}, ...) or take them all "
                        f"with components({sid!r})",
                        hint="a split or reaction on a sized species applies to each of its "
                             "size classes")

    def components(self, key: str) -> np.ndarray:
        """Positions of every component of a species: its size classes, coarsest first,
        or its one position when it has no sizes."""
        return self._components[self._resolve_base(key)].copy()

    def sized(self, sieves: Sequence[float], which: Iterable[str] | None = None
              ) -> SpeciesSet:
        """This set with each species of ``which`` (default: every solid) split into one
        component per size class; ``sieves`` are the class upper sizes [m], coarsest
        first (the last class is the pan)."""
        from polyflow.psd import size_label

        sieves = np.asarray(sieves, dtype=float)
        labels = [size_label(x) for x in sieves]
        if len(set(labels)) != len(labels):
            raise DataError("two size classes have the same label (sizes closer than 4 "
                            "significant digits)", hint="use a larger sieve ratio")
        if which is None:
            chosen = {sp.id for sp in self.species if sp.phase == "s"}
        else:
            chosen = set()
            for key in which:
                sid = self._resolve_base(key)
                if self.species[self.index[sid]].phase != "s":
                    raise DataError(f"only solids have sizes; {sid!r} is not a solid",
                                    hint="list solid species in 'sized'")
                chosen.add(sid)
        out: list[Species] = []
        for sp in self.species:
            if sp.id in chosen:
                out.extend(replace(sp, id=f"{sp.id}|{lab}", aliases=(), base=sp.id,
                                   size_class=k) for k, lab in enumerate(labels))
            else:
                out.append(sp)
        return SpeciesSet(out, self.database, sieves if chosen else None)

    def mask(self, phases: str | Iterable[str]) -> np.ndarray:
        """Boolean mask of the species in the given phase code(s)."""
        phases = {phases} if isinstance(phases, str) else set(phases)
        return np.isin(self.phase, list(phases))

    # Enthalpy on the formation basis, vectorised over streams --------------------------
    @cached_property
    def apparent(self):
        """The excess enthalpy of concentrated electrolytes in this set
        (:class:`~polyflow.chem.dilution.ApparentEnthalpy`), or ``None``."""
        from polyflow.chem.dilution import ApparentEnthalpy

        return ApparentEnthalpy.of(self)

    def H_excess(self, N: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_ex[s] [MJ/h], ∂H_ex/∂n[s, i] [MJ/kmol]) of streams with flows ``N[s, i]``:
        the heat of dilution that the ideal (infinite-dilution) enthalpy leaves out."""
        N = np.atleast_2d(np.asarray(N, dtype=float))
        if self.apparent is None:
            return np.zeros(N.shape[0]), np.zeros_like(N)
        return self.apparent.enthalpy(N)

    def h_molar(self, T: np.ndarray) -> np.ndarray:
        """h[s, i] [kJ/mol = MJ/kmol] at stream temperatures ``T[s]``."""
        T = np.asarray(T, dtype=float)[..., None]
        return self.dHf + _sensible(self.cp, T) / 1000.0

    def cp_molar(self, T: np.ndarray) -> np.ndarray:
        """cp[s, i] [kJ/(mol K) = MJ/(kmol K)] at stream temperatures ``T[s]``."""
        T = np.asarray(T, dtype=float)[..., None]
        A, B, C, D = self.cp.T
        return (A + B * 1e-3 * T + C * 1e5 / T**2 + D * 1e-6 * T**2) / 1000.0


def _species_from_row(row: dict[str, str], fname: str, lineno: int) -> Species:
    def num(key: str, default: float = 0.0) -> float:
        text = (row.get(key) or "").strip()
        if not text:
            return default
        try:
            return float(text)
        except ValueError:
            raise DataError(f"{fname} row {lineno}: column {key!r} is not a number",
                            value=text) from None

    sid = row["id"].strip()
    phase = row["phase"].strip()
    if phase not in PHASES:
        raise DataError(f"{fname} row {lineno}: species {sid!r} has unknown phase {phase!r}",
                        hint=f"use one of {', '.join(PHASES)}")
    formula = parse_formula(row["formula"].strip())
    m = re.fullmatch(r"(.+)\(([a-z]+)\)", sid)
    if not m:
        raise DataError(f"{fname} row {lineno}: species id {sid!r} must end in its phase, "
                        f"e.g. 'CuSO4(aq)'")
    aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
    return Species(
        id=sid, formula=formula, phase=phase, name=(row.get("name") or "").strip(),
        aliases=aliases, dHf=num("dHf_kJ_mol"),
        cp=(num("Cp_A"), num("Cp_B"), num("Cp_C"), num("Cp_D")),
        T_range=(num("Tmin_K", 298.15), num("Tmax_K", 298.15)),
        sources=((row.get("source_H") or "").strip(), (row.get("source_Cp") or "").strip()),
        note=(row.get("note") or "").strip(),
        dissolves_to=(row.get("dissolves_to") or "").strip(),
    )


def _data_files(prefix: str) -> list[str]:
    folder = resources.files("polyflow.data")
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(prefix) and p.name.endswith(".csv"))


@cache
def load_database() -> SpeciesDatabase:
    """Read every ``species*.csv`` table shipped with polyflow (cached, read-only)."""
    sources: dict[str, str] = {}
    for fname in _data_files("sources"):
        for row in read_data_csv(fname):
            sources[row["key"].strip()] = row["citation"].strip()
    species: list[Species] = []
    for fname in _data_files("species"):
        for lineno, row in enumerate(read_data_csv(fname), start=1):
            sp = _species_from_row(row, fname, lineno)
            for key in sp.sources:
                if key and key not in sources:
                    raise DataError(f"{fname}: species {sp.id!r} cites unknown source {key!r}",
                                    hint="add it to a sources*.csv file")
            species.append(sp)
    db = SpeciesDatabase(species, sources)
    for sp in db:
        if sp.dissolves_to and (sp.dissolves_to not in db._by_id
                                or db[sp.dissolves_to].phase != "aq"):
            raise DataError(f"species {sp.id!r} dissolves to {sp.dissolves_to!r}, which is "
                            f"not an aqueous species id of the tables")
    return db
