"""Feeds as a metallurgist writes them, turned into species flows [kg/h].

* ``ore``: dry solids rate, moisture (wet basis), element grades (``Cu = "1.2 %"``,
  ``Au = "3.5 g/t"``) or species grades (``CuO = "1.5 %"``), a mineralogy saying which
  minerals carry each graded element, and a gangue for the rest of the solids. An element
  symbol always means the element; a species is named by its id or alias.
* ``solution``: volumetric flow and concentrations in g/L or mg/L of species or of
  elements (with a speciation saying which dissolved species carries the element);
  water is what the solution density leaves.
* ``stream``: species flows given directly.

When the flowsheet has size classes, the mass of every sized solid of an ore (or stream)
feed is spread over its size classes by the feed's ``psd`` (a table of sizes and
% passing, Rosin–Rammler or Gates–Gaudin–Schuhmann; see :func:`polyflow.psd.read_psd`),
the same for every mineral unless ``psd.minerals`` gives one its own.

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
from polyflow.psd import class_fractions, read_psd
from polyflow.quantity import parse_quantity

__all__ = ["FEED_KINDS", "feed_flows", "ore_flows", "sized_flows", "solution_flows",
           "stream_flows"]

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


def _sid(species: SpeciesSet, key: str, field: str) -> str:
    """The species id ``key`` names (a sized species by its own id, not a size class)."""
    try:
        return species.ids[species.components(key)[0]].partition("|")[0] \
            if key not in species.index else species.ids[species.index[key]]
    except DataError as err:
        raise InputError(err.message, field=field, hint=err.hint) from None


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
        shares[_sid(species, key, field)] = _q(v, "fraction", field)
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
            sid = _sid(species, key, f"grades.{key}")
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
            sid = _sid(species, key, f"concentrations.{key}")
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
        sid = _sid(species, key, f"flows.{key}")
        try:
            kg = parse_quantity(v, "mass_flow")
        except InputError:
            kg = _q(v, "molar_flow", f"flows.{key}") * species.mw[species.components(sid)[0]]
        flows[sid] = flows.get(sid, 0.0) + kg
    return flows


_KEYS = {
    "ore": {"kind", "category", "area", "solids", "moisture", "grades", "mineralogy", "gangue",
            "temperature", "psd"},
    "solution": {"kind", "category", "area", "flow", "concentrations", "speciation", "density",
                 "temperature"},
    "stream": {"kind", "category", "area", "flows", "temperature", "psd"},
}


def sized_flows(species: SpeciesSet, flows: dict[str, float], psd: object
                ) -> dict[str, float]:
    """Spread the mass of every sized solid over its size classes by the feed's ``psd``
    (``psd.minerals`` may give a mineral its own distribution); other species as given.

    >>> from polyflow.chem.species import load_database
    >>> sp = load_database().subset(["H2O", "SiO2"]).sized([4e-3, 2e-3, 1e-3])
    >>> out = sized_flows(sp, {"SiO2(s)": 100.0, "H2O(l)": 5.0},
    ...                   {"ggs": {"xmax": "4 mm", "m": 1.0}})
    >>> {k: round(v, 6) for k, v in out.items()}
    {'SiO2(s)|4mm': 50.0, 'SiO2(s)|2mm': 25.0, 'SiO2(s)|1mm': 25.0, 'H2O(l)': 5.0}
    """
    sized = [sid for sid in flows if sid not in species.index]
    if psd is not None and species.size_classes is None:
        raise InputError("a feed psd needs size classes", field="psd",
                         hint="add size_classes = { top = '...', bottom = '...' } to "
                              "[flowsheet]")
    if not sized:
        return flows
    if psd is None:
        raise InputError(f"the feed carries {sized[0]}, which has size classes in this "
                         f"flowsheet, but gives no psd", field="psd",
                         hint="add psd = { rosin_rammler = { p80 = '...', n = 1.0 } } (or a "
                              "table of sizes and passing, or ggs), or leave this species out "
                              "of [flowsheet] sized")
    if not isinstance(psd, Mapping):
        raise InputError("psd must be a table", field="psd", value=psd)
    own = psd.get("minerals", {})
    if not isinstance(own, Mapping):
        raise InputError("psd.minerals must be a table {mineral = {psd}}", field="psd.minerals")
    special = {_sid(species, k, "psd.minerals"): v for k, v in own.items()}
    default = {k: v for k, v in psd.items() if k != "minerals"}
    out: dict[str, float] = {}
    for sid, kg in flows.items():
        if sid in species.index:
            out[sid] = out.get(sid, 0.0) + kg
            continue
        if sid in special:
            dist = read_psd(special[sid], f"psd.minerals.{sid}")
        elif default:
            dist = read_psd(default)
        else:
            raise InputError(f"psd gives no distribution for {sid}", field="psd",
                             hint="give a default psd or one in psd.minerals")
        comps = species.components(sid)
        for i, f in zip(comps, class_fractions(species.size_classes, dist), strict=True):
            out[species.ids[i]] = out.get(species.ids[i], 0.0) + kg * float(f)
    return out


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
        flows = ore_flows(species, spec)
    elif kind == "solution":
        flows = solution_flows(species, spec, solution_density)
    else:
        flows = stream_flows(species, spec)
    if species.size_classes is None and "psd" not in spec:
        return flows
    return sized_flows(species, flows, spec.get("psd"))
