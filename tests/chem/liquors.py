"""Generated plant liquors and PHREEQC (phreeqpython) as the oracle, for tests and docs.

Each family draws compositions (seeded) of one plant liquor in the units a metallurgist
writes (g/L, as g per kg water), as polyflow species flows for 1 t/h of water. The oracle
is PHREEQC 3 (IPhreeqc via phreeqpython) on the same database file: phreeqc.dat and
pitzer.dat as shipped in phreeqpython, llnl.dat as shipped in the ``phreeqc`` package. PHREEQC is
given the totals of each element and redox state in mol/kgw and closes pH by charge balance
("pH 7 charge"), the same closure as polyflow's charge row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from polyflow.chem.aqueous import stream_system
from polyflow.chem.aqueous_map import totals
from polyflow.chem.species import load_database

W_KMOL = 1000.0 / 18.01528   # kmol/h of water in 1 t/h

#: PHREEQC input names of polyflow's masters
ELEMENT = {"Ca+2": "Ca", "Mg+2": "Mg", "Na+": "Na", "K+": "K", "Fe+2": "Fe(2)",
           "Fe+3": "Fe(3)", "Mn+2": "Mn(2)", "Al+3": "Al", "Cl-": "Cl", "CO3-2": "C(4)",
           "HCO3-": "C(4)", "SO4-2": "S(6)", "HS-": "S(-2)", "NH4+": "N(-3)", "NH3": "N(-3)",
           "F-": "F", "Zn+2": "Zn", "Cu+2": "Cu(2)", "CN-": "Cyanide", "WO4-2": "W",
           "Sb(OH)3": "Sb", "La+3": "La", "Ce+3": "Ce", "Nd+3": "Nd", "Pr+3": "Pr",
           "Y+3": "Y"}


@dataclass
class Liquor:
    family: str
    database: str
    species: list[str]
    flows: np.ndarray      # kmol/h per species, 1 t/h water
    T: float = 298.15
    #: PHREEQC's pe: its default 4 for all but the sulphide liquor, whose Eh is that of
    #: the HS-/S-2 couple (pe ≈ -12 at pH 13.5); at pe 4 PHREEQC would oxidise Sb(III)
    #: and sulphide (polyflow's redox states are fixed by species)
    pe: float = 4.0


def _mol(g_per_L: float, molar_mass: float) -> float:
    return g_per_L / molar_mass   # kmol per t water


def families(seed: int = 12) -> list[Liquor]:
    rng = np.random.default_rng(seed)
    u = rng.uniform
    out: list[Liquor] = []

    def add(family, db, comp, T=298.15, pe=4.0):
        species = ["H2O", *comp]
        flows = np.array([W_KMOL, *comp.values()])
        out.append(Liquor(family, db, species, flows, T, pe))

    for _ in range(8):   # copper PLS: Cu 1-6, Fe 0.5-2 each, Mg, Al, acid 2-10 g/L
        add("copper PLS", "phreeqc", {
            "CuSO4(aq)": _mol(u(1, 6), 63.546), "FeSO4(aq)": _mol(u(0.3, 2), 55.845),
            "Fe2(SO4)3(aq)": _mol(u(0.3, 2), 2 * 55.845), "MgSO4(aq)": _mol(u(0.2, 2), 24.305),
            "Al2(SO4)3(aq)": _mol(u(0.1, 1.5), 2 * 26.98),
            "H2SO4(aq)": _mol(u(2, 10), 98.079)}, T=u(293, 313))
    for _ in range(8):   # raffinate: Cu 0.1-0.5 g/L, acid 8-25 g/L
        add("raffinate", "phreeqc", {
            "CuSO4(aq)": _mol(u(0.1, 0.5), 63.546), "FeSO4(aq)": _mol(u(0.2, 1), 55.845),
            "Fe2(SO4)3(aq)": _mol(u(0.2, 1), 2 * 55.845), "MgSO4(aq)": _mol(u(0.1, 1), 24.305),
            "H2SO4(aq)": _mol(u(8, 25), 98.079)})
    for _ in range(6):   # EW electrolyte: Cu 35-50 g/L, acid 150-190 g/L, 40-50 C
        add("electrolyte", "phreeqc", {
            "CuSO4(aq)": _mol(u(35, 50), 63.546), "FeSO4(aq)": _mol(u(0.5, 2), 55.845),
            "H2SO4(aq)": _mol(u(150, 190), 98.079)}, T=u(313, 323))
    for _ in range(8):   # cyanide pulp water: NaCN 0.1-0.5 g/L, pH 10-11 (NaOH), NaCl
        add("cyanide pulp", "llnl", {
            "NaCN(aq)": _mol(u(0.1, 0.5), 49.007), "NaOH(aq)": _mol(u(0.02, 0.2), 39.997),
            "NaCl(aq)": _mol(u(0.1, 1.0), 58.44), "CaCl2(aq)": _mol(u(0.05, 0.3), 110.98)})
    for _ in range(6):   # alkaline sulphide Sb liquor: Na2S 60-120, NaOH 10-30, Sb 20-40 g/L
        add("alkaline sulphide Sb", "llnl", {
            "Na2S(aq)": _mol(u(60, 120), 78.045), "NaOH(aq)": _mol(u(10, 30), 39.997),
            "Na3SbS3(aq)": _mol(u(20, 40), 121.76)}, pe=-12.0)
    for _ in range(6):   # sodium tungstate: 20-150 g/L WO3, NaOH excess 2-20 g/L
        add("sodium tungstate", "llnl", {
            "Na2WO4(aq)": _mol(u(20, 150), 231.84), "NaOH(aq)": _mol(u(2, 20), 39.997)})
    for _ in range(8):   # REE chloride feed: 2-40 g/L REO as La/Ce/Nd chlorides, HCl
        add("REE chloride", "llnl", {
            "LaCl3(aq)": _mol(u(0.5, 10), 138.905), "CeCl3(aq)": _mol(u(0.5, 15), 140.116),
            "NdCl3(aq)": _mol(u(0.3, 8), 144.24), "HCl(aq)": _mol(u(0.05, 2), 36.461)})
    for _ in range(6):   # ammonium chloride with free ammonia
        add("ammonium chloride", "phreeqc", {
            "NH4Cl(aq)": _mol(u(1, 50), 53.49), "NH3(aq)": _mol(u(0, 5), 17.031)})
    for _ in range(8):   # neutralised effluent near gypsum saturation, pH 6-10
        add("neutralised effluent", "phreeqc", {
            "Ca+2(aq)": _mol(u(0.3, 0.6), 40.078), "SO4-2(aq)": _mol(u(0.7, 1.4), 96.06),
            "Na2SO4(aq)": _mol(u(0.5, 3), 142.04), "MgSO4(aq)": _mol(u(0.02, 0.5), 24.305),
            "NaHCO3(aq)": _mol(u(0.05, 0.5), 84.007), "NaOH(aq)": _mol(u(0, 0.02), 39.997)})
    # effluent: make the Ca2+/SO4-2 ion rows neutral together with the rest
    for liq in out:
        if liq.family == "neutralised effluent":
            i, j = liq.species.index("Ca+2(aq)"), liq.species.index("SO4-2(aq)")
            liq.flows[j] = liq.flows[i]
    return out


def polyflow_totals(liq: Liquor):
    sp = load_database().subset(liq.species)
    sys, cmap = stream_system(sp, liq.database)
    t, _ = totals(cmap, liq.flows[None, :])
    return sys, cmap, t


@cache
def oracle(database: str):
    import phreeqpython
    from phreeqpython import PhreeqPython
    if (Path(phreeqpython.__file__).parent / "database" / f"{database}.dat").exists():
        return PhreeqPython(database=f"{database}.dat")     # phreeqc.dat, pitzer.dat
    import phreeqc
    return PhreeqPython(database=f"{database}.dat",
                        database_directory=Path(phreeqc.__file__).parent / "databases")


def phreeqc_solution(liq: Liquor, database: str | None = None):
    """PHREEQC's solution of the liquor's element totals (mol/kgw, pH by charge)."""
    _sys, cmap, t = polyflow_totals(liq)
    d = {"units": "mol/kgw", "pH": "7 charge", "temp": liq.T - 273.15, "pe": liq.pe}
    for k, m in enumerate(cmap.masters[1:], start=1):
        d[ELEMENT[m]] = d.get(ELEMENT[m], 0.0) + float(t[0, k])
    return oracle(database or liq.database).add_solution(d)
