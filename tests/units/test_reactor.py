"""Stoichiometric reactor: heat of reaction by hand from tabulated enthalpies."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.chem.species import load_database
from polyflow.errors import InputError, ReactionError, SpecificationError
from polyflow.units import Feed, Product, StoichiometricReactor

# NBS 1982 (Wagman et al., J. Phys. Chem. Ref. Data 11 Suppl. 2) standard enthalpies of
# formation at 298.15 K [kJ/mol]; CuSO4(aq) and H2SO4(aq) in the "ai" state (sum of ions:
# Cu+2 64.77, SO4-2 -909.27, H+ 0).
NBS = {"CuO(s)": -157.3, "H2SO4(aq)": -909.27, "CuSO4(aq)": 64.77 - 909.27,
       "H2O(l)": -285.83}


def leach(conversion="100 %", **energy):
    fs = Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O"])
    fs.add(Feed("ore", flows={"CuO": "2 kmol/h", "H2SO4": "3 kmol/h", "H2O": "500 kmol/h"}))
    fs.add(StoichiometricReactor("leach", reactions=[
        {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO",
         "conversion": conversion}], **energy))
    fs.add(Product("slurry"))
    fs.connect("feed", "ore", "leach")
    fs.connect("out", "leach", "slurry")
    return fs


def test_database_holds_the_nbs_values_used_below():
    db = load_database()
    for sid, h in NBS.items():
        assert db[sid].dHf == pytest.approx(h, abs=0.01), sid


def test_isothermal_duty_equals_extent_times_heat_of_reaction():
    """ΔHr = −844.50 − 285.83 + 157.3 + 909.27 = −63.76 kJ/mol (Hess's law, NBS 1982);
    1.8 kmol/h reacting (90 % of 2 kmol/h) at 25 °C must shed 1.8 × 63.76 / 3.6 kW."""
    dHr = NBS["CuSO4(aq)"] + NBS["H2O(l)"] - NBS["CuO(s)"] - NBS["H2SO4(aq)"]
    assert dHr == pytest.approx(-63.76, abs=1e-9)
    r = leach("90 %", temperature="25 degC").solve()
    e = r.energy["leach"]
    assert e["heat_of_reaction_kW"] == pytest.approx(1.8 * dHr / 3.6, rel=1e-9)
    assert e["duty_kW"] == pytest.approx(1.8 * dHr / 3.6, rel=1e-9)
    assert r.flow_kg_h("out")["CuO(s)"] == pytest.approx(0.2 * 79.545, rel=1e-4)


def test_adiabatic_temperature_rise_from_heat_of_reaction():
    """Adiabatic: the heat of reaction warms the slurry. Energy balance by hand with the
    tabulated heat capacities (NBS 1982; those of the table, constant here):
    ξ(−ΔHr) = Σ n_i cp_i (T − 298.15)."""
    r = leach("100 %").solve()
    db = load_database()
    out = {"CuO": 0.0, "H2SO4": 1.0, "CuSO4": 2.0, "H2O": 502.0}
    cp = sum(n * db[s].cp_at(298.15) for s, n in out.items())     # J/(K h) per mol... kJ/kmol
    dT = 2.0 * 63.76e3 / cp
    assert r.T_K[r.stream_index("out")] == pytest.approx(298.15 + dT, abs=0.05)
    assert r.energy["leach"]["duty_kW"] == 0.0


def test_negative_acid_is_reported_with_unit_and_species():
    fs = Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O"])
    fs.add(Feed("ore", flows={"CuO": "5 kmol/h", "H2SO4": "3 kmol/h", "H2O": "500 kmol/h"}))
    fs.add(StoichiometricReactor("leach", temperature="25 degC", reactions=[
        {"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuO", "conversion": "100 %"}]))
    fs.add(Product("slurry"))
    fs.connect("feed", "ore", "leach")
    fs.connect("out", "leach", "slurry")
    with pytest.raises(SpecificationError, match=r"negative flow of H2SO4\(aq\) in stream "
                                                 r"'out'.*add H2SO4\(aq\) upstream of 'leach'"):
        fs.solve()


def test_unbalanced_reaction_is_refused_with_the_imbalance():
    with pytest.raises(InputError, match=r"reaction 1: reaction 'CuO \+ H2SO4 -> CuSO4' does "
                                         r"not balance: O -1.*H -2"):
        Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O"]).add(StoichiometricReactor(
            "leach", reactions=[{"equation": "CuO + H2SO4 -> CuSO4", "key": "CuO",
                                 "conversion": 1.0}]))


def test_key_must_be_a_reactant():
    with pytest.raises(InputError, match="key 'CuSO4' is not a reactant"):
        Flowsheet(["CuO", "H2SO4", "CuSO4", "H2O"]).add(StoichiometricReactor(
            "leach", reactions=[{"equation": "CuO + H2SO4 -> CuSO4 + H2O", "key": "CuSO4",
                                 "conversion": 1.0}]))


@pytest.mark.parametrize("model", ["stoichiometric_reactor", "precipitator", "digester"])
def test_temperature_and_duty_together_are_over_specified(model):
    from polyflow.units.registry import model_registry

    with pytest.raises(InputError, match="over-specified: give 'temperature' or 'duty', "
                                         "not both") as err:
        model_registry()[model]("hot", temperature="25 degC", duty="10 kW", reactions=[])
    assert err.value.field == "duty"


def test_charge_imbalance_is_named():
    from polyflow.chem.reactions import parse_reaction

    with pytest.raises(ReactionError, match=r"does not balance: charge \+1"):
        parse_reaction("Fe+2 -> Fe+3", load_database())
