"""Named layouts of internal unknowns (polyflow.solve.layout): blocks in declaration
order, read back by name as indices or values, and refused when declared wrongly."""

from __future__ import annotations

import numpy as np
import pytest

from polyflow.solve.layout import Layout


def cascade_layout(N: int, E: int, use_u: bool) -> Layout:
    lay = Layout()
    lay.add("aq", (N, E))
    lay.add("org", (N, E))
    lay.add("acid", N, lower=0.0)
    lay.add("T_A", guess=2.0)
    lay.add("u", N * use_u, guess=-2.3, upper=0.0)
    return lay


def test_blocks_follow_each_other_in_declaration_order():
    N, E = 4, 3
    lay = cascade_layout(N, E, True)
    # the offset arithmetic the layout replaces: 2NE + N + 1 + N unknowns
    assert lay.size == 2 * N * E + N + 1 + N
    assert lay.slice("org") == slice(N * E, 2 * N * E)
    assert lay.slice("acid") == slice(2 * N * E, 2 * N * E + N)
    assert lay.index("T_A") == 2 * N * E + N
    assert lay.slice("u") == slice(2 * N * E + N + 1, lay.size)
    np.testing.assert_array_equal(lay.index("org")[2], N * E + 2 * E + np.arange(E))


def test_take_reads_global_indices_and_values_in_the_block_shape():
    N, E = 3, 2
    lay = cascade_layout(N, E, True)
    z = 1000 + np.arange(lay.size)              # global indices from eq.internal
    x = np.linspace(0.0, 1.0, lay.size)         # a solution's internal vector
    assert lay.take("aq", z).shape == (N, E)
    assert lay.take("org", z)[0, 1] == 1000 + N * E + 1
    assert lay.take("T_A", z) == 1000 + 2 * N * E + N
    np.testing.assert_array_equal(lay.take("acid", x), x[2 * N * E:2 * N * E + N])


def test_empty_block_of_an_unused_variant():
    lay = cascade_layout(3, 2, False)
    assert lay["u"].size == 0 and lay.take("u", np.arange(lay.size)).shape == (0,)
    assert lay.size == 2 * 6 + 3 + 1


def test_labels_guesses_and_bounds_per_unknown():
    lay = cascade_layout(2, 1, True)
    assert lay.labels() == ["aq[1]", "aq[2]", "org[1]", "org[2]", "acid[1]", "acid[2]",
                            "T_A", "u[1]", "u[2]"]
    assert lay.guesses() == [0.0] * 6 + [2.0, -2.3, -2.3]
    assert lay.lower() == [None] * 4 + [0.0, 0.0] + [None] * 3
    assert lay.upper() == [None] * 7 + [0.0, 0.0]


def test_gather_concatenates_in_layout_order_and_checks_sizes():
    lay = Layout()
    lay.add("a", 2)
    lay.add("b", (1, 2))
    np.testing.assert_array_equal(lay.gather({"b": [[7, 8]], "a": [1, 2]}), [1, 2, 7, 8])
    with pytest.raises(ValueError, match="block 'b' has 2 entries, got 3"):
        lay.gather({"a": [1, 2], "b": [1, 2, 3]})
    with pytest.raises(KeyError, match="no entry for block 'b'"):
        lay.gather({"a": [1, 2]})


def test_declaration_errors_name_the_block():
    lay = Layout()
    lay.add("a", 2)
    with pytest.raises(ValueError, match="block 'a' is declared twice"):
        lay.add("a", 1)
    with pytest.raises(ValueError, match="block 'b': 1 labels for 2 unknowns"):
        lay.add("b", 2, labels=["x"])
    with pytest.raises(ValueError, match="block 'c': 3 guesses for 2 unknowns"):
        lay.add("c", 2, guess=[1.0, 2.0, 3.0])
    with pytest.raises(KeyError, match="layout has no block 'z'; it has a"):
        lay.slice("z")


class _Equations:
    """Stands in for UnitEquations.internal: records what the layout declares."""

    def internal(self, names, guess, lower=None, upper=None):
        self.args = (list(names), list(guess), list(lower), list(upper))
        return 50 + np.arange(len(names))


def test_declare_hands_labels_guesses_and_bounds_to_the_unit_equations():
    lay = cascade_layout(1, 1, True)
    eq = _Equations()
    z = lay.declare(eq)
    assert eq.args == (lay.labels(), lay.guesses(), lay.lower(), lay.upper())
    assert lay.take("u", z).tolist() == [50 + lay.size - 1]
