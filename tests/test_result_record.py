"""The result is a plain record: it pickles (plain pickle) for every shipped flowsheet,
the refinery's in under 1 MB (issue #20), and it round-trips through ``to_dict`` / JSON /
``from_dict``; reports of the copy equal the original's."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from tests.golden.regenerate import shipped

import polyflow
from polyflow.errors import FlowsheetError
from polyflow.report.export import json_document, render
from polyflow.result import Result

#: issue #20: a refinery result small enough to send between processes
REFINERY_LIMIT = 1_000_000


@pytest.fixture(scope="module")
def results():
    return {p.stem: polyflow.load(p).solve() for p in shipped()}


def _same_document(a: Result, b: Result) -> None:
    da, db = json_document(a), json_document(b)
    assert json.dumps(da, sort_keys=True) == json.dumps(db, sort_keys=True)


def test_every_shipped_result_pickles_and_reads_back_the_same(results):
    for stem, r in results.items():
        copy = pickle.loads(pickle.dumps(r))
        assert np.array_equal(copy.flows_kmol_h, r.flows_kmol_h), stem
        _same_document(copy, r)
        assert render(copy, "text") == render(r, "text"), stem


def test_refinery_result_pickles_under_one_megabyte(results):
    size = len(pickle.dumps(results["refinery"]))
    assert size < REFINERY_LIMIT, f"{size:,} bytes"


def test_round_trip_through_json(results):
    for stem, r in results.items():
        text = json.dumps(r.to_dict())
        copy = Result.from_dict(json.loads(text))
        assert copy.to_dict() == json.loads(text), stem
        _same_document(copy, r)


def test_a_copy_carries_no_flowsheet(results):
    """The live flowsheet is a convenience of the solving process only."""
    r = results["copper_oxide_leach"]
    assert r.flowsheet.name == r.flowsheet_name
    copy = pickle.loads(pickle.dumps(r))
    with pytest.raises(FlowsheetError, match="carries no flowsheet"):
        _ = copy.flowsheet
    assert "_live" not in r.to_dict()


def test_an_unknown_schema_is_refused(results):
    d = results["copper_oxide_leach"].to_dict()
    d["schema"] = 999
    with pytest.raises(KeyError, match="schema 999"):
        Result.from_dict(d)


def test_notebook_api_reads_the_record(results):
    """README's notebook lines work on the record (and on an unpickled copy)."""
    r = pickle.loads(pickle.dumps(results["copper_oxide_leach"]))
    assert max(r.closure.values()) < 1e-9
    assert 0.0 < r.recovery["Cu"]["cathode"] <= 1.0
    rows = r.stream_table()
    assert {row["stream"] for row in rows} == set(r.stream_names)
    pls = r.flow_kg_h("pls")
    assert pls["H2O(l)"] > 0
    with pytest.raises(FlowsheetError, match="no stream named"):
        r.flow_kg_h("plss")
    g = pickle.loads(pickle.dumps(results["grinding_flotation"]))
    assert g.p80_um("cyclone_overflow") == pytest.approx(
        results["grinding_flotation"].p80_um("cyclone_overflow"), rel=1e-15)


def test_figures_and_workbook_of_an_unpickled_record(results):
    """Plots and the xlsx workbook need nothing but the record."""
    from polyflow.report import plots
    from polyflow.report.xlsx import result_workbook

    r = pickle.loads(pickle.dumps(results["grinding_flotation"]))
    for fig in (plots.flowsheet_figure(r), plots.sankey_figure(r, "Cu"),
                plots.streams_figure(r), plots.recovery_figure(r), plots.psd_figure(r)):
        assert fig.axes
    assert result_workbook(r)[:2] == b"PK"
