"""The copper SX–EW plant over CCD wash water from 100 to 370 m3/h.

The shipped plant's tankhouse plates a fixed 2.77 t/h of copper (77 cells × 110 m2 at
300 A/m2, 92 % current efficiency: Faraday's law, see `electrowinning`). Less wash water
leaves more soluble copper in the CCD underflow (ideal-stage loss (R−1)/(R^(n+1)−1),
McCabe, Smith & Harriott (2005) ch. 20), so below a certain wash rate less copper reaches
the tankhouse than it plates and the plant has no steady state: the spent electrolyte
would need a negative copper flow. Before this work those rates were reported as "did
not converge" naming the SX acid balance (220 m3/h) and 340 m3/h failed on the CCD's
liquor split. Now every feasible rate converges with losses falling as the wash rises,
and every infeasible one names the tankhouse running short of copper; continuation from
the shipped plant confirms where its solution ends.
"""

from __future__ import annotations

import tempfile
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from polyflow.errors import ConvergenceError, SpecificationError
from polyflow.io.reader import load
from polyflow.solve.continuation import solve_variant

PLANT = Path(__file__).parents[2] / "flowsheets" / "copper_sx_ew.toml"
SHORT_OF_COPPER = (r"unit 'ew'.*negative flow of CuSO4\(aq\) in stream "
                   r"'spent_electrolyte'")


#: the leach with rate constants that do not see the acid, the temperature or the grind
#: (malachite chemical, tenorite diffusion control, 0.2 1/h each): the plant this module
#: is about, whose extraction does not move with the wash water; the shipped leach's
#: extraction follows the free acid (tests/flowsheets/test_copper_sx_ew_levers.py)
FIXED_RATE_LEACH = [
    {"equation": "Cu2(OH)2CO3(s) + 2 H2SO4 -> 2 CuSO4 + CO2(g) + 3 H2O",
     "key": "Cu2(OH)2CO3(s)", "kinetics": "chemical", "k": "0.2 1/h"},
    {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO", "kinetics": "diffusion",
     "k": "0.2 1/h"},
    {"equation": "CaCO3(s) + H2SO4 + H2O -> CaSO4*2H2O(s) + CO2(g)", "key": "CaCO3(s)",
     "conversion": "95 %"},
]


@cache
def _fixed_residence_plant() -> Path:
    """The shipped file with the leach at a fixed 6 h (the shipped tanks are 800 m3 each,
    their residence time following the slurry flow), in a temporary folder."""
    text = PLANT.read_text(encoding="utf-8")
    assert 'tank_volume = "800 m3"' in text
    path = Path(tempfile.mkdtemp()) / PLANT.name
    path.write_text(text.replace('tank_volume = "800 m3"', 'residence_time = "6 h"'),
                    encoding="utf-8")
    return path


def _plant(wash: float, **more):
    """The shipped plant with its tankhouse current and leach acid fixed (its specs
    dropped: the current fixed at the shipped 300 A/m2, the acid at 3.6 t/h) and the
    fixed-rate leach, the plant this module is about."""
    fixed = {"ew.current_density": "300 A/m2", "leach.reactions": FIXED_RATE_LEACH}
    if "acid.flows" not in more:
        fixed["acid.flows.H2SO4"] = "3.6 t/h"
    fs = load(_fixed_residence_plant(), {"wash_water.flow": f"{wash} m3/h", **fixed, **more})
    fs.specs.clear()
    return fs


def _soluble_loss(result) -> float:
    return result.energy["ccd"]["soluble_loss_%"]


def test_feasible_wash_rates_converge_with_losses_falling():
    losses = []
    for wash in range(250, 371, 30):
        r = _plant(wash).solve()
        assert r.converged and max(r.closure.values()) < 1e-9
        assert r.iterations <= 12, (wash, r.iterations)
        losses.append(_soluble_loss(r))
    assert all(b < a for a, b in pairwise(losses)), losses


@pytest.mark.parametrize("wash", [100, 130, 160, 190, 220])
def test_too_little_wash_names_the_tankhouse_short_of_copper(wash):
    """From 160 m3/h up the material balance alone (temperatures frozen) solves with the
    spent electrolyte's copper negative: infeasible. At 100 and 130 m3/h it does not
    solve from where Newton stopped, so the same flow is named as where Newton stalls
    (continuation, below, tells that the plant is infeasible)."""
    error = SpecificationError if wash >= 160 else ConvergenceError
    with pytest.raises(error, match=SHORT_OF_COPPER):
        _plant(wash).solve()


def test_continuation_confirms_where_the_solution_ends():
    """From the shipped plant (250 m3/h) towards 220 m3/h the solution branch ends near
    226 m3/h, where the spent electrolyte's copper runs out."""
    with pytest.raises(SpecificationError, match=r"unit 'ew'.*CuSO4\(aq\) in stream "
                                                 r"'spent_electrolyte'.*about to run out"
                       ) as info:
        solve_variant(_plant(220), _plant(250))
    edge = float(str(info.value).split("H2O(l): ")[1].split("}")[0]) / 1000.0  # ~ m3/h
    assert 221.0 < edge < 232.0


def test_a_smaller_tankhouse_converges_down_to_its_own_limit():
    """At 100 A/m2 (0.92 t/h of copper) and 6 t/h of acid the plant runs down to about
    157 m3/h of wash water: 160 m3/h (which failed from the cold start before the SX
    start profile) converges; at 130 m3/h continuation from 250 m3/h finds the tankhouse
    running short of copper."""
    more = {"ew.current_density": "100 A/m2",
            "acid.flows": {"H2SO4": "6 t/h", "H2O": "0.1 t/h"}}
    base = _plant(250, **more)
    losses = []
    for wash in (160, 190, 250, 370):
        r = solve_variant(_plant(wash, **more), base)
        assert r.converged and max(r.closure.values()) < 1e-9
        losses.append(_soluble_loss(r))
    assert all(b < a for a, b in pairwise(losses)), losses
    with pytest.raises(SpecificationError, match=SHORT_OF_COPPER.replace(
            "negative flow of", "") + r".*about to run out"):
        solve_variant(_plant(130, **more), base)
