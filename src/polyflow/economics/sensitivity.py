"""NPV sensitivity to every price and parameter of the economics: each entry moved by
±``step`` (a fraction of its value) alone, the plant's flows held (nothing is solved
again: prices and costs do not change the balance).

A sensitivity to a flowsheet parameter (a grade, a dose) needs a new solve per point and
belongs to the studies (sweeps); this table is the economics' own tornado.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from polyflow.economics.evaluate import evaluate

if TYPE_CHECKING:
    from polyflow.economics.inputs import EconomicsInputs
    from polyflow.result import Result

__all__ = ["npv_sensitivity"]

_SECTIONS = ("prices", "reagents", "utilities", "consumables", "finance", "capital",
             "operating")


def npv_sensitivity(result: Result, inputs: EconomicsInputs, step: float = 0.10
                    ) -> list[dict[str, Any]]:
    """One row per entry with a non-zero value: ``entry`` (``section.key``), ``NPV at
    -step`` and ``NPV at +step`` [USD], and ``swing_USD`` (their difference), largest
    swing first. Whole years (life, depreciation) are rounded after the move."""
    rows = []
    for section in _SECTIONS:
        for key, entry in getattr(inputs, section).items():
            if entry.value == 0:
                continue
            npvs = []
            for sign in (-1.0, 1.0):
                moved = copy.copy(inputs)
                table = dict(getattr(inputs, section))
                table[key] = copy.copy(entry)
                table[key].value = entry.value * (1.0 + sign * step)
                setattr(moved, section, table)
                npvs.append(evaluate(result, moved).npv_USD)
            rows.append({"entry": f"{section}.{key}", f"NPV at -{100 * step:g} % [USD]": npvs[0],
                         f"NPV at +{100 * step:g} % [USD]": npvs[1],
                         "swing_USD": npvs[1] - npvs[0]})
    return sorted(rows, key=lambda r: -abs(r["swing_USD"]))
