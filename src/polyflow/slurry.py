"""Slurry volumes: the volume each species occupies per kmol (solids at their mineral
density, liquor at 1,000 kg/m3), for residence times, feed solids by volume and pulp
flows of the concentrator's equipment.

>>> from polyflow.chem.species import load_database
>>> sp = load_database().subset(["H2O", "SiO2"])
>>> v = volume_per_kmol(sp)                        # m3/kmol
>>> round(float(v[sp.idx("SiO2")] * 1000 / sp.mw[sp.idx("SiO2")]), 4)   # m3/t quartz
0.3774
"""

from __future__ import annotations

from functools import cache

import numpy as np

from polyflow.chem.elements import read_data_csv

__all__ = ["LIQUOR_DENSITY", "mineral_densities", "solid_density_per_species",
           "volume_per_kmol"]

#: density of the process liquor [kg/m3]: water (slurry volumes of a concentrator)
LIQUOR_DENSITY = 1000.0


@cache
def mineral_densities() -> dict[str, float]:
    """Species id -> density [kg/m3] from ``data/mineral_densities.csv``."""
    return {r["species"]: float(r["density_kg_m3"])
            for r in read_data_csv("mineral_densities.csv")}


def solid_density_per_species(species, default: float = 2700.0) -> np.ndarray:
    """Density [kg/m3] of each component: its mineral's (the table, else ``default``)
    for solids, :data:`LIQUOR_DENSITY` for liquor and organic, ``inf`` for gases (no
    volume in a slurry)."""
    table = mineral_densities()
    base = [species.base_ids[k] for k in species.base_index]
    rho = np.array([table.get(b, default) for b in base], dtype=float)
    rho = np.where(species.mask("s"), rho, LIQUOR_DENSITY)
    return np.where(species.mask("g"), np.inf, rho)


def volume_per_kmol(species, default: float = 2700.0) -> np.ndarray:
    """Slurry volume of one kmol of each component [m3/kmol]: ``mw / ρ`` (0 for
    gases), so that ``v @ n`` is a stream's pulp flow in m3/h."""
    return species.mw / solid_density_per_species(species, default)
