"""Flotation banks: N mixed cells in series, Klimpel, rougher-cleaner with recycle."""

from __future__ import annotations

import numpy as np
import pytest

from polyflow import Flowsheet
from polyflow.errors import InputError
from polyflow.report.comminution import concentrate_rows, flotation_rows
from polyflow.units import Feed, Mixer, Product
from polyflow.units.flotation import FlotationBank, bank_recovery

KIN = {"CuFeS2": {"k": "0.6 1/min", "rmax": "100 %"}}


def one_bank(n, tau="2 min", **kw):
    fs = Flowsheet(["H2O", "CuFeS2", "SiO2"])
    fs.add(Feed("pulp", flows_kg_h={"H2O": 2e5, "CuFeS2": 2e3, "SiO2": 1e5}))
    fs.add(FlotationBank("bank", n_cells=n, cell_residence_time=tau, kinetics=KIN,
                         water_recovery="10 %", **kw))
    fs.add(Product("conc"))
    fs.add(Product("tails", kind="residue"))
    fs.connect("feed", "pulp", "bank")
    fs.connect("c", "bank.concentrate", "conc")
    fs.connect("t", "bank.tailings", "tails")
    return fs.solve()


@pytest.mark.parametrize("n", [1, 2, 4, 8])
def test_n_cells_in_series(n):
    """N perfectly mixed cells, first order: R = 1 − (1 + kτ)^−N (Wills 8th ed. §12.6)."""
    r = one_bank(n)
    kt = 0.6 * 2.0
    assert r.recovery["Cu"]["conc"] == pytest.approx(1 - (1 + kt) ** -n, rel=1e-12)
    assert r.recovery["Si"]["conc"] == 0.0         # no k, no entrainment: stays in tails
    water = r.water["out"]
    assert water["conc"] / (water["conc"] + water["tails"]) == pytest.approx(0.1)


def test_klimpel_form_and_entrainment():
    r = one_bank(4, form="klimpel", entrainment={"SiO2": 0.3})
    kt = 0.6 * 2.0 * 4
    assert r.recovery["Cu"]["conc"] == pytest.approx(1 - (1 - np.exp(-kt)) / kt, rel=1e-12)
    assert r.recovery["Si"]["conc"] == pytest.approx(0.3 * 0.1, rel=1e-12)
    assert bank_recovery(np.array([0.0]), 1.0, 3, form="klimpel")[0] == 0.0


def test_rougher_cleaner_with_cleaner_tails_recycled():
    """Cleaner tails back to the rougher feed: overall R = R1 R2 / (1 − R1 (1 − R2))."""
    fs = Flowsheet(["H2O", "CuFeS2", "SiO2"])
    fs.add(Feed("pulp", flows_kg_h={"H2O": 2e5, "CuFeS2": 2e3, "SiO2": 1e5}, category="ore"))
    fs.add(Mixer("rf"))
    fs.add(FlotationBank("rougher", n_cells=5, cell_residence_time="2 min", kinetics=KIN,
                         water_recovery="10 %", entrainment={"SiO2": 0.2}))
    fs.add(FlotationBank("cleaner", n_cells=3, cell_residence_time="3 min",
                         kinetics={"CuFeS2": {"k": "0.5 1/min", "rmax": "95 %"}},
                         water_recovery="30 %", entrainment={"SiO2": 0.1}))
    fs.add(Product("conc"))
    fs.add(Product("tails", kind="residue"))
    fs.connect("feed", "pulp", "rf")
    fs.connect("rin", "rf", "rougher")
    fs.connect("rc", "rougher.concentrate", "cleaner")
    fs.connect("ct", "cleaner.tailings", "rf")
    fs.connect("final", "cleaner.concentrate", "conc")
    fs.connect("rt", "rougher.tailings", "tails")
    r = fs.solve()
    r1 = 1 - 2.2 ** -5
    r2 = 0.95 * (1 - 2.5 ** -3)
    assert r.recovery["Cu"]["conc"] == pytest.approx(r1 * r2 / (1 - r1 * (1 - r2)), rel=1e-10)
    rows = {row["bank"]: row for row in flotation_rows(r)}
    assert rows["rougher"]["Cu recovery [%]"] == pytest.approx(100 * r1, rel=1e-10)
    conc = concentrate_rows(r)[0]
    assert conc["Cu recovery [%]"] == pytest.approx(100 * r.recovery["Cu"]["conc"])
    assert conc["Cu grade [%]"] == pytest.approx(100 * r.solids_assay("final")["Cu"])


def test_flotation_errors_name_the_fix():
    with pytest.raises(InputError, match="kinetics of 'CuFeS2' needs k"):
        FlotationBank("b", n_cells=3, cell_residence_time="1 min", water_recovery=0.1,
                      kinetics={"CuFeS2": {"rmax": 0.9}})
    with pytest.raises(InputError, match=r"field 'form': must be one of 'cells', 'klimpel' \(got"):
        FlotationBank("b", n_cells=3, cell_residence_time="1 min", water_recovery=0.1,
                      kinetics=KIN, form="plug")
    with pytest.raises(InputError, match=r"kinetics: species 'FeS2\(s\)' is not in this"):
        Flowsheet(["H2O", "CuFeS2"]).add(FlotationBank(
            "b", n_cells=3, cell_residence_time="1 min", water_recovery=0.1,
            kinetics={"FeS2": {"k": "1 1/min"}}))


def test_bank_recovery_is_of_the_solids_and_round_off_elements_are_left_out():
    """A bank's recovery is of the floatable solids (Wills 8th ed. §12.6: R = 1 − (1 + kτ)^−N
    for one cell), not of the element in the pulp: copper dissolved in the process water
    follows the water, and must not dilute the bank's copper recovery. An element the feed
    solids do not carry (here Na, dissolved only) gets no grade or recovery column: such
    columns were the round-off of the solve (the refinery's cleaner showed 406 % C
    recovery from 1e-60 % grades)."""
    fs = Flowsheet(["H2O", "CuFeS2", "SiO2", "CuSO4", "Na2SO4"])
    fs.add(Feed("pulp", flows_kg_h={"H2O": 2e5, "CuFeS2": 2e3, "SiO2": 1e5, "CuSO4": 500.0,
                                    "Na2SO4": 300.0}))
    fs.add(FlotationBank("bank", n_cells=1, cell_residence_time="2 min", kinetics=KIN,
                         water_recovery="10 %"))
    fs.add(Product("conc"))
    fs.add(Product("tails", kind="residue"))
    fs.connect("feed", "pulp", "bank")
    fs.connect("c", "bank.concentrate", "conc")
    fs.connect("t", "bank.tailings", "tails")
    r = fs.solve()
    row = flotation_rows(r)[0]
    assert row["Cu recovery [%]"] == pytest.approx(100 * (1 - 1 / 2.2), rel=1e-10)
    assert r.recovery["Cu"]["conc"] < 1 - 1 / 2.2 - 0.01     # the element's plant recovery
    assert "Na recovery [%]" not in row and "Na grade [%]" not in row
    assert "Cu grade [%]" in row and "Si recovery [%]" in row
