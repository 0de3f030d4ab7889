"""Solved shipped flowsheets shared by the report tests (each solved once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

import polyflow

FLOWSHEETS = Path(__file__).resolve().parents[2] / "flowsheets"
BASE = FLOWSHEETS / "copper_oxide_leach.toml"
HOT_ACID = FLOWSHEETS / "copper_oxide_leach_hot_acid.toml"


@pytest.fixture(scope="session")
def base_result():
    return polyflow.load(BASE).solve()


@pytest.fixture(scope="session")
def hot_result():
    return polyflow.load(HOT_ACID).solve()
