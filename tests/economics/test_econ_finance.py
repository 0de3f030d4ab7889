"""NPV, IRR and payback against a textbook example and closed forms."""

from __future__ import annotations

import pytest

from polyflow.economics.cashflow import cash_flow_table, irr, npv, payback_years

#: Gitman, Principles of Managerial Finance, Brief, 3rd ed. (2003), pp. 346-348: invest
#: 100, withdraw 39, 59, 55, 20 (as reproduced in numpy-financial's irr and npv
#: documentation; secondary: the printed page was not at hand)
GITMAN = [-100, 39, 59, 55, 20]


def test_irr_of_the_textbook_example():
    assert round(irr(GITMAN), 5) == 0.28095


def test_npv_of_the_textbook_example_at_28_1_percent():
    # numpy-financial: npv(0.281, [-100, 39, 59, 55, 20]) = -0.0084785916384548798
    assert npv(0.281, GITMAN) == pytest.approx(-0.0084785916384548798, abs=1e-12)


def test_npv_of_an_annuity_closed_form():
    r, a, n = 0.08, 250.0, 12
    flows = [-1000.0] + [a] * n
    closed = -1000.0 + a * (1 - (1 + r) ** -n) / r
    assert npv(r, flows) == pytest.approx(closed, rel=1e-13)
    assert npv(irr(flows), flows) == pytest.approx(0.0, abs=1e-9)


def test_irr_is_none_without_a_sign_change():
    assert irr([-100.0, -5.0, -1.0]) is None


def test_payback_counts_the_year_fraction():
    # 300 spent over two years, then 100 a year: paid back 3 years into production
    assert payback_years([-100.0, -200.0, 100.0, 100.0, 100.0, 100.0], 2) == \
        pytest.approx(3.0)
    assert payback_years([-100.0, 40.0, 40.0, 40.0], 1) == pytest.approx(2.5)
    assert payback_years([-100.0, 10.0], 1) is None


def test_cash_flow_table_spends_the_schedule_and_taxes_profit():
    rows = cash_flow_table(1000.0, {2026: 0.2, 2027: 0.5, 2028: 0.3}, revenue=500.0,
                           opex=200.0, life=3, depreciation_life=2, tax_rate=0.25)
    assert [r["year"] for r in rows] == [2026, 2027, 2028, 2029, 2030, 2031]
    assert [r["cash_flow_USD"] for r in rows[:3]] == [-200.0, -500.0, -300.0]
    # year 1 of production: taxable 500 - 200 - 500 = -200, no tax; year 3: 300 x 25 %
    assert rows[3]["tax_USD"] == 0.0 and rows[3]["cash_flow_USD"] == 300.0
    assert rows[5]["tax_USD"] == pytest.approx(75.0)
