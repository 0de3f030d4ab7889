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


#: unit cells: mineral -> (Z, molar mass [g/mol], cell volume [Å3]). Sources: the cell
#: of each HOM data sheet (Anthony et al. 1990-2003) as copied on mindat.org and
#: Wikipedia (chalcopyrite a 5.289, c 10.423; scheelite a 5.2429, c 11.3737; hematite a
#: 5.0317, c 13.737, V 301.20); quartz (a 4.9133, c 5.4053), pyrite (a 5.4179), gold
#: (a 4.0786), stibnite (a 11.302, b 11.222, c 3.8324), calcite (a 4.9896, c 17.061)
#: and magnetite (a 8.397) as given by the HOM sheets (recalled, not re-read).
HEX = 3 ** 0.5 / 2
CELLS = {
    "SiO2(s)": (3, 60.084, HEX * 4.9133 ** 2 * 5.4053),
    "CuFeS2(s)": (4, 183.52, 5.289 ** 2 * 10.423),
    "FeS2(s)": (4, 119.98, 5.4179 ** 3),
    "Au(s)": (4, 196.967, 4.0786 ** 3),
    "Sb2S3(s)": (4, 339.72, 11.302 * 11.222 * 3.8324),
    "CaWO4(s)": (4, 287.93, 5.2429 ** 2 * 11.3737),
    "CaCO3(s)": (6, 100.087, HEX * 4.9896 ** 2 * 17.061),
    "Fe3O4(s)": (8, 231.53, 8.397 ** 3),
    "Fe2O3(s)": (6, 159.69, 301.20),
}


def test_every_density_is_its_crystals_x_ray_density_within_one_percent():
    """ρ = Z M/(N_A V) (the calculated density of a mineral data sheet): a density
    transcribed wrongly (a digit slipped, another mineral's row) fails by far more than
    the 1 % that impurities and cell refinements account for."""
    table = mineral_densities()
    assert set(CELLS) == set(table)
    for sid, (z, m, v) in CELLS.items():
        x_ray = z * m / (6.02214076e23 * v * 1e-24) * 1000.0        # kg/m3
        assert abs(table[sid] / x_ray - 1.0) < 0.01, (sid, table[sid], round(x_ray))
