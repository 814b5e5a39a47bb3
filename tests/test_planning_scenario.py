"""Scenarios: a plan's leads, intervals and costs against the model's own predictions and hand figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasting.planning.model import Params, ResponseModel
from forecasting.planning.scenario import (
    compare,
    draw_totals,
    plan_frame,
    plan_from_frame,
    simulate,
)
from forecasting.planning.transforms import adstock


def make_model(decay, half, shape, beta, n_periods=24, n_draws=40, residual_sd=15.0, seed=0) -> ResponseModel:
    """A monthly model with known parameters, a random spend history and bootstrap-like draws around them."""
    rng = np.random.default_rng(seed)
    decay, half, shape, beta = (np.asarray(v, dtype=float) for v in (decay, half, shape, beta))
    n_channels = len(beta)
    periods = [dt.date(2022 + i // 12, i % 12 + 1, 1) for i in range(n_periods)]
    params = Params(decay=decay, half=half, shape=shape, beta=beta, base=np.array([400.0, 24.0, 30.0, -12.0]))
    spend = rng.uniform(0.4, 1.2, size=(n_periods, n_channels)) * half * (1 - decay)
    model = ResponseModel(
        channels=[f"ch{c}" for c in range(n_channels)], controls=[], periods=periods, frequency="month",
        n_harmonics=1, params=params, y=np.zeros(n_periods), spend=spend, control_values=np.zeros((n_periods, 0)),
        control_mean=np.zeros(0), control_scale=np.ones(0), residual_sd=residual_sd,
    )
    model.y = model.fitted().total + rng.normal(0.0, residual_sd, n_periods)
    model.draws = [
        Params(decay=np.clip(decay + rng.normal(0, 0.03, n_channels), 0.0, 0.9), half=half * np.exp(rng.normal(0, .1,
               n_channels)), shape=shape, beta=beta * np.exp(rng.normal(0, 0.1, n_channels)),
               base=params.base + rng.normal(0, 4.0, 4))
        for _ in range(n_draws)
    ]
    return model


@pytest.fixture(scope="module")
def model() -> ResponseModel:
    return make_model(decay=[0.5, 0.2, 0.0], half=[20000, 8000, 12000], shape=[1.0, 2.5, 0.8], beta=[150, 80, 60])


def _plan(model, months=4, factor=1.0):
    return np.tile(model.recent_spend(), (months, 1)) * factor


def test_point_is_the_models_prediction(model):
    plan = _plan(model)
    result = simulate(model, plan)
    periods = model.future_periods(4)
    expected = model.predict(plan, periods, carry_in=model.carry_out())
    assert result.periods == periods
    np.testing.assert_allclose(result.leads, expected.total)
    np.testing.assert_allclose(result.contributions, expected.contributions)
    np.testing.assert_allclose(result.baseline + result.contributions.sum(axis=1), result.leads)
    assert result.total_leads == pytest.approx(expected.total.sum())
    assert result.media_leads == pytest.approx(expected.contributions.sum())
    # the carry-over matters: without it the same plan brings fewer leads in the first month
    assert model.predict(plan, periods).total[0] < result.leads[0] - 1


def test_each_draw_is_its_own_prediction(model):
    plan, periods = _plan(model, 3), model.future_periods(3)
    totals = draw_totals(model, plan, periods)
    for d in (0, 7, len(model.draws) - 1):
        draw = model.draws[d]
        carry = adstock(model.spend.T, draw.decay)[:, -1]
        np.testing.assert_allclose(totals[d], model.predict(plan, periods, carry_in=carry, params=draw).total)


def test_intervals_hold_the_point_and_widen_with_the_level(model):
    result = simulate(model, _plan(model, 6))
    low80, high80 = result.intervals[0.8]
    low95, high95 = result.intervals[0.95]
    assert np.all(low95 < low80) and np.all(low80 < result.leads) and np.all(result.leads < high80)
    assert np.all(high80 < high95)
    (t80_low, t80_high), (t95_low, t95_high) = result.total_intervals[0.8], result.total_intervals[0.95]
    assert t95_low < t80_low < result.total_leads < t80_high < t95_high


def test_noise_alone_gives_the_normal_interval():
    """Without draws the spread is the normal noise: +-1.96 sd a period, +-1.96 sd sqrt(T) for the total."""
    model = make_model(decay=[0.3], half=[10000], shape=[1.0], beta=[100], n_draws=0, residual_sd=20.0)
    result = simulate(model, _plan(model, 9), levels=(0.95,))
    low, high = result.intervals[0.95]
    np.testing.assert_allclose((high - low) / 2, 1.96 * 20.0, rtol=0.08)
    total_low, total_high = result.total_intervals[0.95]
    assert (total_high - total_low) / 2 == pytest.approx(1.96 * 20.0 * 3.0, rel=0.06)
    # periods do not all fall low together: the total's interval is narrower than the sum of the periods' ends
    assert total_high - total_low < 0.5 * (high - low).sum()


def test_total_interval_with_draws_lies_within_the_summed_ends(model):
    result = simulate(model, _plan(model, 6))
    low, high = result.intervals[0.8]
    total_low, total_high = result.total_intervals[0.8]
    assert low.sum() < total_low < total_high < high.sum()


def test_more_spend_brings_more_leads(model):
    base = simulate(model, _plan(model))
    more = simulate(model, _plan(model, factor=1.5))
    assert np.all(more.leads > base.leads)
    assert np.all(more.contributions >= base.contributions)
    assert more.total_intervals[0.8][1] > base.total_intervals[0.8][1]


def test_cost_per_lead_by_hand(model):
    plan = _plan(model, 3)
    result = simulate(model, plan)
    assert result.total_spend == pytest.approx(plan.sum())
    assert result.cost_per_lead == pytest.approx(plan.sum() / result.leads.sum())
    assert result.cost_per_media_lead == pytest.approx(plan.sum() / result.contributions.sum())
    low, high = result.total_intervals[0.8]
    assert result.cost_per_lead_intervals[0.8] == pytest.approx((plan.sum() / high, plan.sum() / low))


def test_out_of_range_cells_are_flagged(model):
    low, high = model.spend_range()
    plan = np.tile((low + high) / 2, (3, 1))
    plan[0, 1] = 2.0 * high[1]
    plan[2, 0] = 0.5 * low[0]
    result = simulate(model, plan)
    periods = model.future_periods(3)
    assert [(o.period, o.channel) for o in result.out_of_range] == [(periods[0], "ch1"), (periods[2], "ch0")]
    flag = result.out_of_range[0]
    assert (flag.spend, flag.hist_min, flag.hist_max) == pytest.approx((2.0 * high[1], low[1], high[1]))
    assert simulate(model, np.tile((low + high) / 2, (3, 1))).out_of_range == []


def test_a_later_plan_sees_the_carry_over_decay(model):
    """Three months after the history: the adstock decays over the gap, or follows the gap's spend."""
    gap, plan = _plan(model, 2, factor=0.7), _plan(model, 3)
    later = model.future_periods(5)[2:]
    idle = simulate(model, plan, later)
    expected = model.predict(plan, later, carry_in=model.carry_out() * model.params.decay ** 2)
    np.testing.assert_allclose(idle.leads, expected.total)
    followed = simulate(model, plan, later, gap_spend=gap)
    through = model.predict(np.vstack([gap, plan]), model.future_periods(5), carry_in=model.carry_out())
    np.testing.assert_allclose(followed.leads, through.total[2:])
    with pytest.raises(ValueError, match="gap_spend"):
        simulate(model, plan, later, gap_spend=gap[:1])


def test_a_plan_inside_the_history_takes_its_carry_over(model):
    """Replaying the history's own spend from its 10th month gives back the fitted values."""
    result = simulate(model, model.spend[10:], model.periods[10:])
    np.testing.assert_allclose(result.leads, model.fitted().total[10:])


def test_explicit_carry_in_is_used(model):
    plan = _plan(model, 2)
    result = simulate(model, plan, carry_in=np.zeros(3))
    np.testing.assert_allclose(result.leads, model.predict(plan, model.future_periods(2)).total)


def test_same_seed_same_figures(model):
    first, again = simulate(model, _plan(model), seed=3), simulate(model, _plan(model), seed=3)
    other = simulate(model, _plan(model), seed=4)
    np.testing.assert_array_equal(first.intervals[0.8][0], again.intervals[0.8][0])
    assert first.total_intervals != other.total_intervals


def test_compare_puts_scenarios_side_by_side(model):
    results = {"steady": simulate(model, _plan(model)), "more": simulate(model, _plan(model, factor=1.5))}
    target = results["steady"].total_leads * 1.02
    table = compare(results, target=target)
    assert list(table.index) == ["steady", "more"]
    for name, result in results.items():
        row = table.loc[name]
        assert row["leads"] == pytest.approx(result.total_leads)
        assert (row["leads_low_80"], row["leads_high_95"]) == pytest.approx(
            (result.total_intervals[0.8][0], result.total_intervals[0.95][1]))
        assert row["spend"] == pytest.approx(result.total_spend)
        assert row["cost_per_lead"] == pytest.approx(result.total_spend / result.total_leads)
        assert row["vs_target"] == pytest.approx(result.total_leads - target)
        assert row["vs_target_pct"] == pytest.approx(100 * (result.total_leads / target - 1))
        assert row["p_target"] == pytest.approx(np.mean(result.total_samples >= target))
    assert table.loc["steady", "vs_target"] < 0 < table.loc["more", "vs_target"]
    assert table.loc["steady", "p_target"] < 0.5 < table.loc["more", "p_target"]
    assert "vs_target" not in compare(results).columns


def test_plan_and_long_table_round_trip(model):
    plan, periods = _plan(model, 3) * np.array([1.0, 0.0, 2.0]), model.future_periods(3)
    long = plan_frame(model, plan)
    assert len(long) == 9 and list(long.columns) == ["month", "channel", "spend"]
    matrix, back = plan_from_frame(model, long)
    assert back == periods
    np.testing.assert_allclose(matrix, plan)


def test_long_table_adds_rows_fills_months_and_channels(model):
    july, sept = dt.date(2024, 7, 1), dt.date(2024, 9, 15)
    frame = pd.DataFrame({"month": [july, july, sept], "channel": ["ch0", "ch0", "ch2"], "spend": [100, 50, None]})
    matrix, periods = plan_from_frame(model, frame)
    assert periods == [july, dt.date(2024, 8, 1), dt.date(2024, 9, 1)]
    np.testing.assert_allclose(matrix, [[150, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_wide_frame_plan_missing_channels_are_zero(model):
    periods = model.future_periods(2)
    frame = pd.DataFrame({"ch1": [1000.0, 2000.0]}, index=pd.to_datetime(periods))
    result = simulate(model, frame)
    np.testing.assert_allclose(result.spend, [[0, 1000, 0], [0, 2000, 0]])
    assert result.periods == periods


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"tv": [1.0]}, index=[dt.date(2024, 1, 1)]), "unknown channel"),
    (np.ones((2, 2)), "one column per channel"),
    (-np.ones((2, 3)), "negative"),
])
def test_bad_plans_are_refused(model, bad, message):
    with pytest.raises(ValueError, match=message):
        simulate(model, bad)


def test_unknown_channel_and_gaps_in_periods_are_refused(model):
    frame = pd.DataFrame({"month": [dt.date(2024, 1, 1)], "channel": ["radio"], "spend": [10.0]})
    with pytest.raises(ValueError, match="unknown channel.*radio"):
        plan_from_frame(model, frame)
    with pytest.raises(ValueError, match="consecutive"):
        simulate(model, np.ones((2, 3)), [dt.date(2024, 1, 1), dt.date(2024, 3, 1)])
    with pytest.raises(ValueError, match="not a number"):
        plan_from_frame(model, frame.assign(channel="ch0", spend=["lots"]))
