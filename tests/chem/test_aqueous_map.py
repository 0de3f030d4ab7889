"""The map from species flows to master totals conserves every element and the charge."""

from __future__ import annotations

import numpy as np
import pytest

from polyflow.chem.aqueous_map import by_elements, component_map, totals
from polyflow.chem.equilibria import load_equilibria
from polyflow.chem.formula import parse_formula
from polyflow.chem.species import load_database
from polyflow.errors import DataError


@pytest.mark.parametrize("database", ["phreeqc", "llnl"])
def test_every_aqueous_species_keeps_its_elements_and_charge(database):
    """For every aqueous species of polyflow's tables, Σ_k A_ki · (elements of master k)
    equals its own elements apart from H and O (carried by H+ and water), and row 0 its
    charge."""
    db = load_database()
    sp = db.subset([s.id for s in db if s.phase == "aq"])
    cm = component_map(sp, load_equilibria(database))
    for i, s in enumerate(sp.species):
        if s.id == "H2O(l)":
            assert not cm.A[:, i].any()
            continue
        got: dict[str, float] = {}
        for k, m in enumerate(cm.masters[1:], start=1):
            for e, v in parse_formula(m).elements.items():
                got[e] = got.get(e, 0.0) + cm.A[k, i] * v
        for e in set(got) | set(s.elements):
            if e not in ("H", "O"):
                assert got.get(e, 0.0) == pytest.approx(s.elements.get(e, 0.0)), (s.id, e)
        assert cm.A[0, i] == s.charge, s.id


def test_thioantimonite_by_oxidation_states():
    """SbS3-3 (Sb(III), S(-II)) is Sb(OH)3 + 3 HS- in llnl.dat; SbS4-3 (Sb(V)) has no
    Sb(V) master there and stays a spectator; cyanate is never split."""
    db = load_equilibria("llnl")
    assert by_elements("SbS3-3", db) == {"Sb(OH)3": 1.0, "HS-": 3.0}
    assert by_elements("SbS4-3", db) is None
    assert by_elements("OCN-", db) is None


def test_a_stream_without_water_is_an_error():
    sp = load_database().subset(["H2O", "CuSO4(aq)"])
    cm = component_map(sp, load_equilibria("phreeqc"))
    with pytest.raises(DataError, match="speciation needs water"):
        totals(cm, np.array([[0.0, 1.0]]))
