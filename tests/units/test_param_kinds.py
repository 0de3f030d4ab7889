"""Parameter kinds: whole numbers and choices with bounds, read and refused with the
field, the bound or the choices and the value received in the message."""

from __future__ import annotations

import pytest

from polyflow.errors import InputError
from polyflow.units import Product
from polyflow.units.base import Param, read_choice, read_integer
from polyflow.units.ccd import CCD
from polyflow.units.electrowinning import Electrowinning
from polyflow.units.neutraliser import Neutraliser
from polyflow.units.ree import REECascade
from polyflow.units.sx_stage import SXStage


def test_integer_accepts_whole_numbers_within_bounds():
    spec = Param.integer("tanks", default=1, bounds=(1, 30))
    assert spec.read(1) == 1 and spec.read(30) == 30
    assert spec.read(4.0) == 4 and isinstance(spec.read(4.0), int)
    assert read_integer(7, (0, None)) == 7


@pytest.mark.parametrize(("value", "message"), [
    (2.5, r"must be a whole number from 1 to 30 \(got 2.5\)"),
    (0, r"must be a whole number from 1 to 30 \(got 0\)"),
    (31, r"must be a whole number from 1 to 30 \(got 31\)"),
    (True, r"must be a whole number from 1 to 30 \(got True\)"),
    ("3", r"must be a whole number from 1 to 30 \(got '3'\)"),
    (float("nan"), r"must be a whole number from 1 to 30 \(got nan\)"),
])
def test_integer_refuses_fractions_out_of_bounds_booleans_and_text(value, message):
    with pytest.raises(InputError, match=message):
        Param.integer("tanks", bounds=(1, 30)).read(value)


def test_integer_bound_wording():
    with pytest.raises(InputError, match=r"a whole number of at least 1 \(got 0\)"):
        read_integer(0, (1, None))
    with pytest.raises(InputError, match=r"a whole number of at most 5 \(got 6\)"):
        read_integer(6, (None, 5))
    with pytest.raises(InputError, match=r"^stages must be a whole number \(got 1.5\)"):
        read_integer(1.5, None, what="stages")


def test_choice_matches_exactly_then_regardless_of_case_spaces_and_hyphens():
    spec = Param.choice("isotherm", ("constant", "hydroxyoxime", "ph"),
                        aliases={"log_d": "ph", "lix": "hydroxyoxime"})
    assert spec.read("ph") == "ph"
    assert spec.read("PH") == "ph"
    assert spec.read("Log-D") == "ph"
    assert spec.read("LIX") == "hydroxyoxime"


def test_choice_error_lists_the_choices_the_value_and_the_closest():
    with pytest.raises(InputError, match=r"must be one of 'cells', 'klimpel' \(got 'klimpl'\); "
                                         r"did you mean 'klimpel'\?"):
        read_choice("klimpl", ("cells", "klimpel"))
    # an alias that is close points to the choice it stands for
    with pytest.raises(InputError, match=r"did you mean 'CaO\(s\)'\?"):
        read_choice("quicklim", ("CaO(s)", "CaCO3(s)"), aliases={"quicklime": "CaO(s)"})
    with pytest.raises(InputError, match=r"must be one of 'a', 'b' \(got 3\)$"):
        read_choice(3, ("a", "b"))


def test_kind_declaration_is_checked():
    with pytest.raises(TypeError, match="kind must be one of"):
        Param(None, "x", kind="float")
    with pytest.raises(TypeError, match="needs its choices"):
        Param(None, "x", kind="choice")


def test_units_report_the_field_and_the_value():
    with pytest.raises(InputError, match=r"unit 't', field 'stages': must be a whole number "
                                         r"from 1 to 20 \(got 21\)"):
        CCD("t", stages=21, underflow_solids="50 %")
    with pytest.raises(InputError, match=r"unit 'ew', field 'cells': must be a whole number "
                                         r"of at least 1 \(got 0\)"):
        Electrowinning("ew", cells=0, cell_voltage="2 V", current="1000 A")
    with pytest.raises(InputError, match=r"unit 'p', field 'kind': must be one of 'product', "
                                         r"'residue', 'effluent', 'gas', 'loss' \(got "
                                         r"'residu'\); did you mean 'residue'\?"):
        Product("p", kind="residu")
    with pytest.raises(InputError, match=r"field 'feed_stage': must be a whole number of at "
                                         r"least 1 \(got 0\)"):
        REECascade("sx", elements=["La"], extraction_stages=2, feed_stage=0,
                   separation_factors={"La": 1})


def test_units_read_aliases_into_the_canonical_choice():
    assert Neutraliser("n", agent="slaked lime", target_free_acid="1 g/L").p["agent"] \
        == "Ca(OH)2(s)"
    assert SXStage("s", reaction="CuSO4 + 2 LIX984N -> CuR2 + H2SO4", isotherm="Constant-D",
                   D=2).p["isotherm"] == "constant"
    assert REECascade("sx", elements=["La"], extraction_stages=2, equilibrium="PH",
                      pH_intercept={"La": 0}).p["equilibrium"] == "pH"


def test_every_shipped_default_is_a_valid_value_of_its_kind():
    """A declared default must pass its own kind's check (a default outside the bounds
    or choices would surface only when the unit is built without the parameter)."""
    from polyflow.units.registry import model_registry

    checked = 0
    for model, cls in model_registry().items():
        for name, spec in cls.params.items():
            if spec.kind == "quantity" or spec.default is None:
                continue
            assert spec.read(spec.default) == spec.default, f"{model}.{name}"
            checked += 1
    assert checked >= 15
