"""Terminal tables a metallurgist reads: round-off shown as 0, wide tables cut to the
terminal's width (issue #18: the refinery's lines were 1,554 characters, with values like
1.1e-111 where 0 is meant)."""

from __future__ import annotations

import re

from polyflow.report.text import text_table


def test_round_off_beside_real_flows_reads_as_zero():
    rows = [{"element": "La", "cathode [%]": 4.826e-42, "raffinate [%]": 99.5},
            {"element": "Ce", "cathode [%]": 12.5, "raffinate [%]": 87.5}]
    text = text_table(rows)
    assert "e-42" not in text and re.search(r"La\s+0\s+99.50", text)
    # a column of small numbers keeps them: they are the values, not round-off
    closure = text_table([{"element": "Cu", "imbalance": 1.4e-16},
                          {"element": "Fe", "imbalance": 4.4e-16}])
    assert "1.400e-16" in closure


def test_a_wide_table_is_cut_into_blocks_that_fit_repeating_the_first_column():
    rows = [{"stream": f"s{k}", **{f"species {j} [kg/h]": 1000.0 * j + k for j in range(30)}}
            for k in range(3)]
    whole = text_table(rows)
    assert max(map(len, whole.splitlines())) > 400
    cut = text_table(rows, width=100)
    lines = cut.splitlines()
    assert max(map(len, lines)) <= 100
    assert sum(line.startswith("stream") for line in lines) > 3      # repeated key column
    assert all(f"species {j} [kg/h]" in cut for j in range(30))       # nothing lost


def test_a_real_trace_beside_tonnes_is_still_shown():
    """0.1 g/h of gold beside 754 t/h of oxygen (1.3e-10 of it) is a figure, not noise."""
    text = text_table([{"element": "O", "in [kg/h]": 754_276.0},
                       {"element": "Au", "in [kg/h]": 1.0e-4}])
    assert "1.000e-04" in text
