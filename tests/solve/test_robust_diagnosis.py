"""Each failure names its real cause: infeasible (a negative flow, at a named unit), a
temperature the energy balance cannot fix, or a stall (with the rows that stall); and a
plant that differs from a converged one in numbers is reached by continuation."""

from __future__ import annotations

import pytest
from tests.strategies import build_acid_plant

from polyflow import Flowsheet
from polyflow.errors import ConvergenceError, SpecificationError
from polyflow.solve.continuation import changed_numbers, solve_variant
from polyflow.solve.newton import STALL_WINDOW
from polyflow.units import Feed, Heater, Mixer, Product
from polyflow.units import StoichiometricReactor as Reactor
from polyflow.units.base import Unit


def _leach_then_cooler(conversion: float, duty_kW: float, acid_kg_h: float = 500.0
                       ) -> Flowsheet:
    """CuO + H2SO4 -> CuSO4 + H2O at a conversion of 2000 kg/h of CuO (25.1 kmol/h),
    then a cooler. 500 kg/h of acid is 5.1 kmol/h: any conversion above 20.3 % runs
    short of acid (stoichiometry 1:1)."""
    fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "CuO", "SiO2"])
    fs.add(Feed("feed", flows_kg_h={"H2O": 5000.0, "H2SO4": acid_kg_h, "CuO": 2000.0,
                                    "SiO2": 5000.0}, temperature="25 degC"))
    fs.add(Reactor("leach", reactions=[{"equation": "CuO + H2SO4 -> CuSO4 + H2O",
                                        "key": "CuO", "conversion": conversion}]))
    fs.add(Heater("cooler", duty=f"{duty_kW} kW"))
    fs.add(Product("out"))
    fs.connect("f", "feed", "leach")
    fs.connect("l", "leach", "cooler")
    fs.connect("c", "cooler", "out")
    return fs


def test_acid_shortage_is_named_not_the_temperature_it_causes():
    """90 % of the CuO needs 22.6 kmol/h of acid where 5.1 arrive; the 3000 kW cooler
    would also freeze the stream, but the flows are wrong before any temperature is:
    the acid shortage at the leach is the cause named (before: "the temperature ...
    falls to the 200 K limit")."""
    with pytest.raises(SpecificationError, match=r"unit 'leach'.*negative flow of "
                                                 r"H2SO4\(aq\) in stream 'l'"):
        _leach_then_cooler(0.9, -3000.0).solve()


def test_a_cooler_too_strong_for_its_stream_is_named():
    """With acid enough (20 % conversion) the same cooler takes 3000 kW from a stream of
    about 12 t/h holding ~10 kW/K: the temperature floor is the cause."""
    with pytest.raises(ConvergenceError, match=r"temperature of stream\(s\) stream 'c'.*"
                                               r"200 K limit"):
        _leach_then_cooler(0.2, -3000.0).solve()
    r = _leach_then_cooler(0.2, -100.0).solve()
    assert r.converged


def test_a_liquor_of_strong_acid_is_named_by_its_heat_capacity():
    """1798 kg/h H2SO4 in 1261 kg/h water: summed on the standard (infinite-dilution)
    heat capacities, H2O 75.3 and SO4 2- −293 J/(mol K) (Wagman et al. 1982), the liquor
    holds almost no heat per degree, and a 1 kW cooler sends it anywhere. Found by the
    Hypothesis test (before: "did not converge in 50 iterations")."""
    recipe = {"feed": {"H2O": 1261.0, "CuSO4": 0.0, "H2SO4": 1798.0, "CuO": 0.0,
                       "SiO2": 1061.0}, "T": 5.0,
              "units": [("reactor", 0.0, None), ("separator", 0.90625, 0.0),
                        ("cooler", -1.0, None)], "second": [(1, -1)]}
    with pytest.raises(ConvergenceError, match=r"stream 's2' has a heat capacity of .* "
                                               r"standard heat capacity of H2SO4\(aq\)"):
        build_acid_plant(recipe).solve()


class Stall(Unit):
    """Test unit: outlet = inlet, plus an internal unknown z with z² + 1 = 0 (no real
    root, a textbook non-convergent case), so Newton's residual never falls.

    Source: a constructed case for the stall detection.
    """

    model = "test_stall"

    def equations(self, eq) -> None:
        out, (inlet,) = eq.outlets["out"], eq.all_inlets
        eq.species_map(out, [(inlet, 1.0)])
        eq.temperature_equal(out, inlet)
        (z,) = eq.internal(["z"], [0.5])
        eq.nonlinear([z], 1, lambda v: (v**2 + 1.0, v**2 + 1.0), labels=["z^2 + 1 = 0"])


def line_of(unit: Unit) -> Flowsheet:
    fs = Flowsheet(["H2O"])
    fs.add(Feed("feed", flows={"H2O": "1 t/h"}))
    fs.add(unit)
    fs.add(Product("out"))
    fs.connect("a", "feed", unit.name)
    fs.connect("b", unit.name, "out")
    return fs


def test_a_stall_stops_early_and_names_the_rows():
    with pytest.raises(ConvergenceError, match=r"(?s)Newton stalls.*largest scaled "
                                               r"residuals:\n.*unit 'bad', z\^2 \+ 1 = 0"
                       ) as info:
        line_of(Stall("bad")).solve(max_iter=50)
    assert info.value.iterations <= STALL_WINDOW + 4


def _wash(water_t_h: float) -> Flowsheet:
    from polyflow.units.ccd import CCD

    fs = Flowsheet(["H2O", "CuSO4", "SiO2"])
    fs.add(Feed("slurry", flows={"SiO2": "100 t/h", "H2O": "45 t/h", "CuSO4": "5 t/h"}))
    fs.add(Feed("water", flows_kg_h={"H2O": water_t_h * 1000.0}))
    fs.add(CCD("ccd", stages=6, underflow_solids=2 / 3))
    fs.add(Product("residue"))
    fs.add(Product("pls"))
    fs.connect("feed", "slurry", "ccd.feed")
    fs.connect("wash", "water", "ccd.wash_water")
    fs.connect("washed", "ccd.underflow", "residue")
    fs.connect("of", "ccd.overflow", "pls")
    return fs


def test_continuation_reaches_the_variant_and_lists_what_changed():
    base = _wash(150.0)
    assert changed_numbers(_wash(400.0), base) == [("water", "flows_kg_h")]
    r = solve_variant(_wash(400.0), base.solve())
    # ideal washing loss at R = 8 with 6 thickeners: 7/(8^7 - 1)
    assert r.flow_kg_h("washed")["CuSO4(aq)"] / 5000.0 == pytest.approx(
        7.0 / (8.0**7 - 1.0), rel=1e-8)


def test_continuation_needs_the_same_plant():
    other = _wash(150.0)
    other.add(Mixer("extra"))
    with pytest.raises(ValueError, match="not the same plant"):
        changed_numbers(_wash(400.0), other)
