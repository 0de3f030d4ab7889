"""The results of every shipped flowsheet equal their golden snapshots.

The snapshots in ``tests/golden/`` were written by ``tests/golden/regenerate.py`` (read
its docstring before regenerating): every key must be present on both sides and every
number must agree to a relative 1e-9 (near zero: to 1e-12 of the largest number of the
same document, the round-off of sums over the plant), so a refactoring that moves any
figure fails here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tests.golden.regenerate import GOLDEN, shipped, snapshot

REL = 1e-9
#: absolute floor, as a fraction of the largest number of the document
FLOOR = 1e-12


def _largest(doc) -> float:
    if isinstance(doc, dict):
        return max((_largest(v) for v in doc.values()), default=0.0)
    if isinstance(doc, list):
        return max((_largest(v) for v in doc), default=0.0)
    if isinstance(doc, (int, float)) and not isinstance(doc, bool) and math.isfinite(doc):
        return abs(float(doc))
    return 0.0


def differences(got, want, floor: float, where: str = "") -> list[str]:
    """Every place where ``got`` and ``want`` differ (keys, types, numbers)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: {type(got).__name__} instead of a dict"]
        out = [f"{where}/{k}: missing" for k in want if k not in got]
        out += [f"{where}/{k}: unexpected" for k in got if k not in want]
        for k in want:
            if k in got:
                out += differences(got[k], want[k], floor, f"{where}/{k}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{where}: {got!r:.80} instead of a list of {len(want)}"]
        return [d for k, (g, w) in enumerate(zip(got, want, strict=True))
                for d in differences(g, w, floor, f"{where}[{k}]")]
    if isinstance(want, str) and isinstance(got, str) and got != want:
        # a quantity written as text (a spec's solved value, "3.6058 t/h"): its number
        # to REL, its unit exactly
        g, w = got.split(" ", 1), want.split(" ", 1)
        try:
            gv, wv = float(g[0]), float(w[0])
        except ValueError:
            return [f"{where}: {got!r} != {want!r}"]
        if g[1:] == w[1:] and abs(gv - wv) <= REL * abs(wv):
            return []
        return [f"{where}: {got!r} != {want!r}"]
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return [] if got == want and type(got) is type(want) else [f"{where}: {got!r} != {want!r}"]
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return [f"{where}: {got!r} is not a number ({want!r})"]
    if math.isnan(want) or math.isnan(got):
        return [] if math.isnan(want) and math.isnan(got) else [f"{where}: {got!r} != {want!r}"]
    if abs(got - want) <= max(REL * abs(want), floor):
        return []
    return [f"{where}: {got!r} != {want!r} (rel {abs(got - want) / max(abs(want), 1e-300):.1e})"]


def test_every_shipped_flowsheet_has_a_snapshot():
    stems = {p.stem for p in shipped()}
    assert stems == {p.stem for p in GOLDEN.glob("*.json")}, \
        "run tests/golden/regenerate.py for a new flowsheet (and delete a removed one's file)"


@pytest.mark.parametrize("path", shipped(), ids=[p.stem for p in shipped()])
def test_result_equals_golden_snapshot(path: Path):
    want = json.loads((GOLDEN / f"{path.stem}.json").read_text())
    got = snapshot(path)
    diffs = differences(got, want, FLOOR * _largest(want))
    assert not diffs, f"{len(diffs)} differences, first: " + "\n".join(diffs[:20])


def test_the_comparison_can_fail():
    """A moved number, a missing key and a changed string are all reported."""
    want = {"a": 1.0, "b": {"c": [1.0, 2.0]}, "s": "x", "z": 0.0}
    assert not differences(want, want, 1e-12)
    assert differences({**want, "a": 1.0 + 1e-8}, want, 1e-12)
    assert differences({"a": 1.0, "b": {"c": [1.0, 2.0]}, "s": "x"}, want, 1e-12)
    assert differences({**want, "s": "y"}, want, 1e-12)
    assert differences({**want, "z": 1e-6}, want, 1e-12)
    assert not differences({**want, "z": 1e-13}, want, 1e-12)
    q = {**want, "s": "3.6058476574593588 t/h"}
    assert not differences({**q, "s": "3.605847657459356 t/h"}, q, 1e-12)   # round-off
    assert differences({**q, "s": "3.6058 t/h"}, q, 1e-12)                  # moved
    assert differences({**q, "s": "3.6058476574593588 kg/h"}, q, 1e-12)     # other unit
