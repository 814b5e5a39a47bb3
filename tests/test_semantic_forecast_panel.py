"""The forecast panel's period arithmetic and reshaping (:mod:`dashapp.semantic.forecast_panel`), without a store:
which months are complete, forecast and overridable, which line comes first, last year's values put on the
forecast months, the media plan as a channel x month table and the span of the chart's annotations."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from dashapp.semantic import forecast_panel as fp


def test_the_last_complete_month_is_the_month_before_the_day_after_the_data():
    assert fp.last_complete_month(dt.date(2026, 11, 1)) == dt.date(2026, 10, 1)  # data up to 31 October
    assert fp.last_complete_month(dt.date(2026, 11, 17)) == dt.date(2026, 10, 1)  # November is not over
    assert fp.last_complete_month(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)  # across a year


def test_forecast_months_follow_the_cutoff_for_the_horizon_and_history_goes_back_two_years():
    months = fp.forecast_months(dt.date(2026, 10, 1), 6)
    assert months == [dt.date(2026, 11, 1), dt.date(2026, 12, 1), *(dt.date(2027, m, 1) for m in range(1, 5))]
    assert fp.forecast_months(dt.date(2026, 10, 15), 1) == [dt.date(2026, 11, 1)]  # a cut-off inside its month
    assert fp.history_start(dt.date(2026, 11, 1)) == dt.date(2024, 11, 1)
    assert len(pd.date_range(fp.history_start(months[0]), months[0], freq="MS")) - 1 == fp.HISTORY_MONTHS


def test_lines_come_largest_forecast_first():
    frame = pd.DataFrame({"group": ["a", "a", "b", "b", "c", "c"], "yhat": [1.0, 1.0, 5.0, 0.0, 2.0, 2.5]})
    assert fp.line_order(frame) == ["b", "c", "a"]
    assert fp.line_order(frame.iloc[0:0]) == []


def test_last_year_is_placed_on_the_forecast_months_and_nothing_else():
    actual = pd.DataFrame({"group": "total", "month": [dt.date(2025, m, 1) for m in (10, 11, 12)],
                           "value": [10.0, 11.0, 12.0]})
    months = [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    shifted = fp.last_year(actual, months)
    assert list(shifted["month"]) == months[:2] and list(shifted["value"]) == [11.0, 12.0]  # no January 2026 data


def test_the_media_plan_is_one_row_per_channel_in_the_forecast_months_order():
    months = [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    plan = pd.DataFrame({"channel_code": ["tv", "tv", "search", "search"],
                         "month": [months[1], months[0], months[0], months[0]],
                         "planned_spend": [200.0, 100.0, 30.0, 20.0]})
    wide = fp.media_plan_wide(plan, months)
    assert list(wide.columns) == months
    assert wide.loc["tv", months[0]] == 100.0 and wide.loc["tv", months[1]] == 200.0
    assert wide.loc["search", months[0]] == 50.0  # two rows of a channel and month add up
    assert math.isnan(wide.loc["search", months[1]]) and math.isnan(wide.loc["tv", months[2]])
    assert wide.sum().sum() == plan["planned_spend"].sum()
    assert fp.media_plan_wide(plan.iloc[0:0], months).empty
    assert fp.sorted_channels(["tv", "search", "zz"], {"tv": "Television", "search": "Paid search"}) == [
        "search", "tv", "zz"]


def test_the_chart_span_runs_from_the_first_actual_to_the_last_forecast_month():
    actual = pd.DataFrame({"month": [dt.date(2024, 11, 1), dt.date(2026, 10, 1)]})
    frame = pd.DataFrame({"month": [dt.date(2026, 11, 1), dt.date(2027, 4, 1)]})
    assert fp.chart_span(actual, frame) == {"start": dt.date(2024, 11, 1), "end": dt.date(2027, 4, 1)}
    assert fp.chart_span(actual.iloc[0:0], frame) == {"start": dt.date(2026, 11, 1), "end": dt.date(2027, 4, 1)}


def test_the_totals_row_sums_the_lines_per_month_and_only_when_there_are_several():
    months = [dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    frame = pd.DataFrame({"group": ["a", "a", "b", "b"], "month": months * 2, "yhat": [10.0, 20.0, 1.5, 2.5]})
    panel = fp.Panel("channel", {"id": 1}, frame, months, {"a": "A", "b": "B"})
    assert panel.totals.to_dict() == {months[0]: 11.5, months[1]: 22.5}
    one_line = fp.Panel("total", {"id": 1}, frame[frame["group"] == "a"], months, {"a": "A"})
    assert one_line.totals is None
