"""Every shipped flowsheet converges from the file alone and closes every element: a new
file in flowsheets/ is checked without anyone having to remember to add a test."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow

SHIPPED = sorted((Path(__file__).parents[2] / "flowsheets").glob("*.toml"))


def test_there_are_shipped_flowsheets():
    assert len(SHIPPED) >= 9


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_flowsheet_converges_and_closes(path):
    result = polyflow.load(path).solve()
    assert result.converged
    assert result.closed, result.closure
    assert all(v >= 0 for row in result.flows_kmol_h for v in row)
