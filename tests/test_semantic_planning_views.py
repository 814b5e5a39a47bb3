"""The planning page's rules, now in the semantic layer (:mod:`dashapp.semantic.planning.views`), on hand-made
simulations: the summary's differences with the current plan and the target, the prediction's rows and total,
the channel table's order and the comparison choices kept after a delete. No store, no browser."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashapp.semantic.planning import CURRENT, Simulation, views

MONTHS = [dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1)]


def simulation(leads: list[float], spend: list[float], out_of_range: int = 0) -> Simulation:
    """A plan's prediction with bands 10 % (80 %) and 20 % (95 %) around its leads."""
    total, spent = sum(leads), sum(spend)
    return Simulation(
        months=MONTHS, leads=leads, spend=spend, total=total, spend_total=spent,
        bands={"lo80": [0.9 * v for v in leads], "hi80": [1.1 * v for v in leads],
               "lo95": [0.8 * v for v in leads], "hi95": [1.2 * v for v in leads]},
        total_bands={"lo80": 0.9 * total, "hi80": 1.1 * total, "lo95": 0.8 * total, "hi95": 1.2 * total},
        cost_per_lead=spent / total if total else None,
        cost_bands={"lo80": spent / (1.1 * total), "hi80": spent / (0.9 * total)},
        out_of_range=[{"month": MONTHS[0], "channel": "radio", "spend": 1.0, "low": 2.0, "high": 3.0}] * out_of_range)


def test_the_summary_sets_a_plan_beside_the_current_plan_and_the_target():
    plan, current = simulation([100, 120, 0], [1000, 1500, 0], 2), simulation([90, 100, 10], [900, 1000, 100])
    targets = pd.Series({MONTHS[0]: 95.0, MONTHS[2]: 20.0})
    figures = views.summary(plan, current, targets)
    assert figures.leads == 220 and figures.spend == 2500 and figures.cost_per_lead == pytest.approx(2500 / 220)
    assert (figures.leads_lo, figures.leads_hi) == pytest.approx((198, 242))
    assert figures.delta_leads == pytest.approx(220 - 200) and figures.delta_spend == pytest.approx(2500 - 2000)
    assert figures.goal == 115 and figures.gap == pytest.approx(220 - 115)  # months without a target add nothing
    assert figures.out_of_range == 2


def test_no_target_and_no_current_plan_are_none_not_zero():
    figures = views.summary(simulation([10, 10, 10], [5, 5, 5]), None, pd.Series(dtype=float))
    assert figures.goal is None and figures.gap is None
    assert figures.delta_leads is None and figures.delta_spend is None


def test_the_prediction_rows_add_up_to_their_total_row():
    plan, current = simulation([100, 120, 0], [1000, 1500, 0]), simulation([90, 100, 10], [900, 1000, 100])
    rows = views.prediction_rows(plan, current, pd.Series({MONTHS[1]: 110.0}))
    months, total = rows[:-1], rows[-1]
    assert [r["month"] for r in months] == MONTHS and total["month"] is None
    assert sum(r["leads"] for r in months) == total["leads"] and sum(r["spend"] for r in months) == total["spend"]
    assert sum(r["current"] for r in months) == total["current"] == 200
    assert [r["target"] for r in months] == [None, 110.0, None] and total["target"] == 110.0
    assert months[0]["cost_per_lead"] == 10 and months[2]["cost_per_lead"] is None  # no leads: no cost per lead
    assert months[1]["lo80"] == pytest.approx(108) and months[1]["hi95"] == pytest.approx(144)


def test_identified_channels_come_first_largest_share_first():
    rows = [{"channel": "a", "identified": False, "share": 0.5}, {"channel": "b", "identified": True, "share": 0.1},
            {"channel": "c", "identified": True, "share": None}, {"channel": "d", "identified": True, "share": 0.3}]
    assert [r["channel"] for r in views.sorted_channels(rows)] == ["d", "b", "c", "a"]


def test_a_deleted_scenario_leaves_the_comparison_and_the_current_plan_stays():
    listing = [{"id": 4}, {"id": 7}]
    assert views.kept_compared(listing, [CURRENT, 4, 5, 7]) == [CURRENT, 4, 7]
    assert views.kept_compared(listing, None) == []
