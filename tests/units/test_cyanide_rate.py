"""Gold cyanidation in free cyanide and dissolved oxygen (issue #14 item 2): the leach
rate constant follows Habashi's law, so less cyanide, or less oxygen when the cyanide is
in excess, leaches less gold."""

from __future__ import annotations

import pytest

from polyflow import Flowsheet
from polyflow.units import Feed, Product
from polyflow.units.cyanide_leach import D_CN, D_O2, CyanideLeach

M_NACN, M_O2 = 49.007, 31.998


def leach(nacn_kg_h: float, do="8 mg/L", loss="0 kg/t"):
    """100 t/h ore and 100 m3/h water: the free cyanide is the NaCN fed per m3 of liquor
    (less the stated loss)."""
    fs = Flowsheet(["H2O", "SiO2", "Au(s)", "NaCN", "O2(g)", "NaAu(CN)2", "NaOH", "NaOCN"])
    fs.add(Feed("ore", flows={"SiO2": "100 t/h", "Au(s)": "0.5 kg/h", "H2O": "100 t/h",
                              "NaCN": f"{nacn_kg_h} kg/h", "O2(g)": "50 kg/h"}))
    fs.add(CyanideLeach("leach", tanks=2, residence_time="8 h", k="0.2 1/h",
                        extraction_limit="94.5 %", k_cyanide="300 mg/L", k_oxygen="8 mg/L",
                        dissolved_oxygen=do, cyanide_consumption=loss))
    fs.add(Product("slurry"))
    fs.add(Product("gas"))
    fs.connect("f", "ore", "leach")
    fs.connect("d", "leach.discharge", "slurry")
    fs.connect("v", "leach.vent", "gas")
    r = fs.solve()
    assert r.converged and max(r.closure.values()) < 1e-9
    return r


def h(cn_g_m3: float, o2_g_m3: float) -> float:
    cn, o2 = cn_g_m3 / M_NACN, o2_g_m3 / M_O2
    return cn * o2 / (D_CN * cn + 4 * D_O2 * o2)


def test_extraction_is_the_cstr_train_at_habashis_rate_constant():
    """Habashi, Trans. SME-AIME 235 (1966) 236 (Marsden & House 2006 §6.3): the rate is
    [CN][O2]/(D_CN[CN] + 4 D_O2[O2]) up to a constant, so k at 150 mg/L NaCN is
    0.2 h(150, 8)/h(300, 8); two tanks of 4 h: X = 0.945 (1 − 1/(1 + 4k)²)."""
    water_m3 = (100_000 + 15.0) / 1000.0
    r = leach(15.0)
    cn = 15.0 * 1000 / water_m3                                    # g/m3 = mg/L
    k = 0.2 * h(cn, 8.0) / h(300.0, 8.0)
    e = r.energy["leach"]
    assert e["rate_constant_1/h"] == pytest.approx(k, rel=1e-9)
    assert e["free_cyanide_mg/L"] == pytest.approx(cn, rel=1e-9)
    X = 0.945 * (1 - 1 / (1 + 4 * k) ** 2)
    assert e["Au_extraction_%"] / 100 == pytest.approx(X, rel=1e-9)
    au = r.flow_kg_h("d")["NaAu(CN)2(aq)"] / 271.99 * 196.97
    assert au == pytest.approx(0.5 * X, rel=1e-3)


def test_less_cyanide_leaches_less_gold():
    x = [leach(kg).energy["leach"]["Au_extraction_%"]
         for kg in (60.0, 30.0, 15.0, 7.5)]
    assert x[0] > x[1] > x[2] > x[3]
    assert x[1] - x[3] > 10.0          # 65.3 -> 52.6 %


def test_with_cyanide_in_excess_oxygen_sets_the_rate():
    """Above [CN⁻]/[O2] = 4 D_O2/D_CN = 6.0 (molar) the rate is oxygen-limited: at
    3 g/L NaCN and 8 mg/L O2 doubling the cyanide raises k by 1 %, doubling the oxygen
    by 94 % (Habashi 1966)."""
    base = leach(300.0).energy["leach"]["rate_constant_1/h"]
    more_cn = leach(600.0).energy["leach"]["rate_constant_1/h"]
    more_o2 = leach(300.0, do="16 mg/L").energy["leach"]["rate_constant_1/h"]
    assert more_cn / base == pytest.approx(h(6000, 8) / h(3000, 8), rel=1e-6)
    assert 1.0 < more_cn / base < 1.02
    assert 1.9 < more_o2 / base < 2.0


def test_the_stated_cyanide_loss_lowers_the_free_cyanide():
    """0.3 kg NaCN/t of 100 t/h solids (30 kg/h) leaves 30 kg/h of the 60 kg/h fed."""
    e = leach(60.0, loss="0.3 kg/t").energy["leach"]
    assert e["free_cyanide_mg/L"] == pytest.approx(30.0 * 1000 / 100.06, rel=1e-3)
