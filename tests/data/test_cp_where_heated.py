"""Species whose heat capacity is known at 298.15 K only (Tmin_K = Tmax_K = 298.15 in
the species tables) must not be heated far in the shipped lines: where a line heats a
solid, liquid or gas, its Cp needs a temperature dependence (issue #12 item 6; the
oxides of the calciners have one). Aqueous species are exempt: their Cp are the NBS82
ai values at 298.15 K by construction (the speciation model owns them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyflow

SHIPPED = sorted(p for p in (Path(__file__).parents[2] / "flowsheets").glob("*.toml")
                 if p.stem != "refinery")          # the refinery is these lines together
#: hottest stream a 298 K-only Cp may be in [°C]: stibnite in the 90 °C alkaline leach
#: and APT leaving its 100 °C crystalliser are the hottest today (Cp within a few % there)
LIMIT_C = 110.0


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_constant_cp_species_stay_near_room_temperature(path):
    fs = polyflow.load(path)
    r = fs.solve()
    T = np.array([r.temperature_C(s) for s in r.stream_names])
    F = r.flows_kmol_h
    for i, sp in enumerate(fs.species.species):
        if sp.phase == "aq" or sp.T_range[1] > 298.15:
            continue
        present = F[:, i] > 1e-9 * max(F[:, i].max(), 1e-300)
        if present.any():
            assert T[present].max() < LIMIT_C, (sp.id, T[present].max())
