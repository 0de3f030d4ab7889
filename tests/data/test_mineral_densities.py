"""Checksum of data/mineral_densities.csv (row count and column sum, as the other small
tables are checked in test_tables.py): a truncated or corrupted table cannot pass; update
both numbers on a deliberate edit."""

from __future__ import annotations

from polyflow.chem.elements import read_data_csv
from polyflow.chem.species import load_database
from polyflow.slurry import mineral_densities, volume_per_kmol

ROWS = 9
DENSITY_SUM = 55040.0          # kg/m3, summed over the rows


def test_mineral_density_table_shape_sum_and_species():
    rows = read_data_csv("mineral_densities.csv")
    assert len(rows) == ROWS
    assert list(rows[0]) == ["species", "density_kg_m3", "source", "note"]
    assert sum(float(r["density_kg_m3"]) for r in rows) == DENSITY_SUM
    db = load_database()
    for r in rows:                      # every row names a solid of the species database
        assert db.subset([r["species"]]).mask("s").all(), r["species"]
        assert r["source"] == "HOM"


def test_quartz_slurry_volume_by_hand():
    """A pulp of 1 t/h quartz (2.65 t/m3) and 1 t/h water: 0.3774 + 1 m3/h."""
    sp = load_database().subset(["H2O", "SiO2"])
    v = volume_per_kmol(sp)
    n = {"H2O(l)": 1000.0, "SiO2(s)": 1000.0}
    q = sum(v[sp.idx(k)] * m / sp.mw[sp.idx(k)] for k, m in n.items())
    assert abs(q - (1000 / 2650 + 1.0)) < 1e-12
    assert mineral_densities()["Au(s)"] == 19300.0
