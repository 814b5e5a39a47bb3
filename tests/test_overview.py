"""The home page's rules in the semantic layer (:mod:`dashapp.semantic.overview`), on hand-made figures: no store,
no page. What the cards and the summary show is checked through the page in test_app_home.py."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from dashapp.semantic import metrics, overview


@pytest.mark.parametrize("forged", [None, "", "all_time", "custom", 42, ["last_week"], {"period": "last_week"},
                                    "last_month' OR 1=1 --", "LAST_WEEK"])
def test_anything_but_a_home_period_is_the_last_complete_month(forged):
    assert overview.clean_period(forged) == "last_month" == overview.DEFAULT_PERIOD


@pytest.mark.parametrize("period", overview.HOME_PERIODS)
def test_a_home_period_is_kept(period):
    assert overview.clean_period(period) == period


@pytest.mark.parametrize(("today", "start", "end"), [
    (dt.date(2026, 11, 12), dt.date(2025, 10, 1), dt.date(2026, 10, 31)),
    (dt.date(2026, 1, 1), dt.date(2024, 12, 1), dt.date(2025, 12, 31)),  # across a year boundary
    (dt.date(2024, 3, 31), dt.date(2023, 2, 1), dt.date(2024, 2, 29)),  # a leap February ends the window
])
def test_the_trend_is_the_thirteen_complete_months_before_today(today, start, end):
    first, last = overview.trend_window(today)
    assert (first, last) == (start, end)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert months == overview.TREND_MONTHS and first.day == 1 and (last + dt.timedelta(days=1)).day == 1


def test_the_aarrr_summary_converts_each_count_from_the_one_before_and_gives_churn_for_retention():
    current = {"impressions": 200_000.0, "leads": 4_000.0, "opportunities": 500.0, "won": 100.0, "mrr": 90_000.0,
               "churned_customers": 6.0, "customers_start": 300.0, "months": 1.0}
    stages = overview.funnel_stages(current)
    assert [s.stage for s in stages] == list(metrics.AARRR)
    by_stage = {s.stage: s for s in stages}
    assert by_stage["awareness"].rate is None and by_stage["awareness"].rate_of is None
    assert by_stage["acquisition"].rate == pytest.approx(4_000 / 200_000) and by_stage["acquisition"].rate_of == \
        "impressions"
    assert by_stage["activation"].rate == pytest.approx(500 / 4_000) and by_stage["activation"].rate_of == "leads"
    assert by_stage["revenue"].rate == pytest.approx(100 / 500) and by_stage["revenue"].rate_of == "opportunities"
    retention = by_stage["retention"]
    assert retention.value == 90_000 and retention.rate_of is None
    assert retention.rate == metrics.value("churn_rate", current)


def test_a_stage_without_a_base_has_no_conversion():
    stages = {s.stage: s for s in overview.funnel_stages({"impressions": 0.0, "leads": 12.0})}
    assert stages["acquisition"].value == 12 and stages["acquisition"].rate is None


def test_a_card_states_its_value_against_target_and_both_comparisons():
    card = overview.kpi_card("leads", "week_to_date", {"leads": 96.0}, {"leads": 80.0}, {"leads": 120.0}, 100.0)
    assert (card.value, card.target) == (96, 100)
    assert card.attainment == pytest.approx(0.96)
    assert card.vs_previous == pytest.approx(0.2) and card.vs_last_year == pytest.approx(-0.2)
    assert card.state == "amber"  # 4 % short of target, within the 5 % tolerance
    assert card.href == "/explore?kpi=leads&period=week_to_date"
    lower = overview.kpi_card("cost_per_lead", "last_month", {"spend": 1_000.0, "leads": 10.0}, {}, {}, 90.0)
    assert lower.value == 100 and lower.state == "red"  # a cost 11 % above its target
    assert lower.vs_previous is None  # nothing to compare with
    none = overview.kpi_card("won", "last_month", {"won": 5.0}, {"won": 5.0}, {"won": 0.0}, None)
    assert none.state == "none" and none.attainment is None and none.vs_previous == 0 and none.vs_last_year is None


def test_an_unknown_role_watches_no_kpi():
    assert overview.role_kpis("director") == metrics.HOME_KPIS["director"]
    assert overview.role_kpis("intruder") == () and overview.role_kpis("") == ()


def test_a_sparkline_shades_only_the_annotations_that_meet_its_months():
    mark = SimpleNamespace
    marks = [mark(start=dt.date(2025, 1, 5), end=dt.date(2025, 1, 20)),  # before the first month
             mark(start=dt.date(2025, 2, 10), end=dt.date(2025, 3, 2)),  # meets the first month
             mark(start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30)),
             mark(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 3))]  # starts on the last point: after it
    shown = overview.marks_between(marks, dt.date(2025, 2, 1), dt.date(2026, 2, 1))
    assert shown == marks[1:3]
