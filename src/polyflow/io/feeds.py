"""Feeds as a metallurgist writes them, turned into species flows [kg/h].

* ``ore``: dry solids rate, moisture (wet basis), element grades (``Cu = "1.2 %"``,
  ``Au = "3.5 g/t"``) or species grades (``CuO = "1.5 %"``), a mineralogy saying which
  minerals carry each graded element, and a gangue for the rest of the solids. An element
  symbol always means the element; a species is named by its id or alias.
* ``solution``: volumetric flow and concentrations in g/L or mg/L of species or of
  elements (with a speciation saying which dissolved species carries the element);
  water is what the solution density leaves.
* ``stream``: species flows given directly.

>>> from polyflow.chem.species import load_database
>>> sp = load_database().subset(["H2O", "CuO", "SiO2"])
>>> flows = ore_flows(sp, {"solids": "100 t/h", "moisture": "4 %", "grades": {"Cu": "2 %"},
...                        "mineralogy": {"Cu": {"CuO": "100 %"}}, "gangue": "SiO2"})
>>> {k: round(v, 1) for k, v in flows.items()}
{'CuO(s)': 2503.5, 'SiO2(s)': 97496.5, 'H2O(l)': 4166.7}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from polyflow.chem.elements import atomic_weight
from polyflow.chem.species import SpeciesSet
from polyflow.errors import DataError, InputError
from polyflow.quantity import parse_quantity

__all__ = ["FEED_KINDS", "feed_flows", "ore_flows", "solution_flows", "stream_flows"]

FEED_KINDS = ("ore", "solution", "stream")


def _table(spec: Mapping, key: str) -> Mapping:
    value = spec.get(key, {})
    if not isinstance(value, Mapping):
        raise InputError("expected a table", field=key, value=value)
    return value


def _q(value: Any, dimension: str, field: str) -> float:
    try:
        return parse_quantity(value, dimension)
    except InputError as err:
        raise err.located(field=field) from None


def _mass_fraction(species: SpeciesSet, sid: str, element: str) -> float:
    sp = species.database[sid]
    a = sp.elements.get(element, 0.0)
    if a == 0.0:
        raise InputError(f"species {sid!r} contains no {element}", field="mineralogy",
                         hint=f"map {element} to species that contain it")
    return a * atomic_weight(element) / sp.molar_mass


def _is_element(species: SpeciesSet, key: str) -> bool:
    """In grades and concentrations an element symbol always means the element
    (write ``Cu(s)`` for the metal as a species)."""
    from polyflow.chem.elements import element_table

    return key in element_table()


def _carriers(species: SpeciesSet, element: str, table: Mapping, field: str
              ) -> dict[str, float]:
    """``{species: share of the element}`` from a mineralogy/speciation entry."""
    entry = table.get(element)
    if entry is None:
        raise InputError(f"{element} is given as an element but {field} does not say which "
                         f"species carry it", field=field,
                         hint=f"add {field} = {{{element} = {{SPECIES = '100 %'}}}} or give "
                              f"the species itself")
    if isinstance(entry, str):
        entry = {entry: 1.0}
    shares = {}
    for key, v in entry.items():
        try:
            sid = species.ids[species.idx(key)]
        except DataError as err:
            raise InputError(err.message, field=field, hint=err.hint) from None
        shares[sid] = _q(v, "fraction", field)
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise InputError(f"the shares of {element} add up to {100 * total:.4g} %, not 100 %",
                         field=field)
    return shares


def ore_flows(species: SpeciesSet, spec: Mapping) -> dict[str, float]:
    """Species flows [kg/h] of an ore feed (see the module docstring)."""
    solids = _q(spec.get("solids"), "mass_flow", "solids")
    moisture = _q(spec.get("moisture", 0.0), "fraction", "moisture")
    if not 0.0 <= moisture < 1.0:
        raise InputError("moisture must be below 100 %", field="moisture")
    mineralogy = _table(spec, "mineralogy")
    flows: dict[str, float] = {}
    for key, grade in _table(spec, "grades").items():
        g = _q(grade, "fraction", f"grades.{key}")
        if _is_element(species, key):
            for sid, share in _carriers(species, key, mineralogy, "mineralogy").items():
                mass = solids * g * share / _mass_fraction(species, sid, key)
                flows[sid] = flows.get(sid, 0.0) + mass
        else:
            try:
                sid = species.ids[species.idx(key)]
            except DataError as err:
                raise InputError(err.message, field=f"grades.{key}", hint=err.hint) from None
            flows[sid] = flows.get(sid, 0.0) + solids * g
    rest = solids - sum(flows.values())
    if rest < -1e-9 * solids:
        raise InputError(f"the graded minerals make up {100 * (1 - rest / solids):.4g} % of "
                         f"the solids, more than 100 %", field="grades",
                         hint="check the grades and which minerals carry them")
    gangue = spec.get("gangue")
    if gangue is None and rest > 1e-9 * solids:
        raise InputError(f"{100 * rest / solids:.4g} % of the solids is not assigned",
                         field="gangue", hint="name the gangue species, e.g. gangue = 'SiO2'")
    if gangue is not None:
        table = {gangue: 1.0} if isinstance(gangue, str) else gangue
        shares = _carriers(species, "gangue", {"gangue": table}, "gangue")
        for sid, share in shares.items():
            flows[sid] = flows.get(sid, 0.0) + max(rest, 0.0) * share
    if moisture > 0:
        water = species.ids[species.idx("H2O")]
        flows[water] = flows.get(water, 0.0) + solids * moisture / (1.0 - moisture)
    return flows


def solution_flows(species: SpeciesSet, spec: Mapping, density: float) -> dict[str, float]:
    """Species flows [kg/h] of a solution feed given by m3/h and g/L."""
    volume = _q(spec.get("flow"), "volume_flow", "flow")
    density = _q(spec["density"], "density", "density") if "density" in spec else density
    speciation = _table(spec, "speciation")
    flows: dict[str, float] = {}
    for key, conc in _table(spec, "concentrations").items():
        c = _q(conc, "concentration", f"concentrations.{key}")
        if _is_element(species, key):
            for sid, share in _carriers(species, key, speciation, "speciation").items():
                flows[sid] = flows.get(sid, 0.0) + c * volume * share / \
                    _mass_fraction(species, sid, key)
        else:
            try:
                sid = species.ids[species.idx(key)]
            except DataError as err:
                raise InputError(err.message, field=f"concentrations.{key}",
                                 hint=err.hint) from None
            flows[sid] = flows.get(sid, 0.0) + c * volume
    water = species.ids[species.idx("H2O")]
    rest = volume * density - sum(flows.values())
    if rest < 0:
        raise InputError("the dissolved species weigh more than the solution (density × "
                         "flow)", field="concentrations",
                         hint="check the concentrations or give a higher density")
    flows[water] = flows.get(water, 0.0) + rest
    return flows


def stream_flows(species: SpeciesSet, spec: Mapping) -> dict[str, float]:
    """Species flows [kg/h] given directly as mass flows (``flows = {H2O = "10 t/h"}``)."""
    flows: dict[str, float] = {}
    for key, v in _table(spec, "flows").items():
        try:
            sid = species.ids[species.idx(key)]
        except DataError as err:
            raise InputError(err.message, field=f"flows.{key}", hint=err.hint) from None
        try:
            kg = parse_quantity(v, "mass_flow")
        except InputError:
            kg = _q(v, "molar_flow", f"flows.{key}") * species.mw[species.index[sid]]
        flows[sid] = flows.get(sid, 0.0) + kg
    return flows


_KEYS = {
    "ore": {"kind", "category", "area", "solids", "moisture", "grades", "mineralogy", "gangue", "temperature"},
    "solution": {"kind", "category", "area", "flow", "concentrations", "speciation", "density", "temperature"},
    "stream": {"kind", "category", "area", "flows", "temperature"},
}


def feed_flows(species: SpeciesSet, spec: Mapping, solution_density: float
               ) -> dict[str, float]:
    """Species flows [kg/h] of a feed table of any kind."""
    kind = spec.get("kind", "stream")
    if kind not in FEED_KINDS:
        raise InputError(f"unknown feed kind {kind!r}", field="kind",
                         hint=f"use one of {', '.join(FEED_KINDS)}")
    extra = set(spec) - _KEYS[kind]
    if extra:
        from polyflow.errors import did_you_mean

        key = sorted(extra)[0]
        raise InputError(f"a feed of kind {kind!r} has no field {key!r}", field=key,
                         hint=did_you_mean(key, _KEYS[kind]))
    if kind == "ore":
        return ore_flows(species, spec)
    if kind == "solution":
        return solution_flows(species, spec, solution_density)
    return stream_flows(species, spec)
