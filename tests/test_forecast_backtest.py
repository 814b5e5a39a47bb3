"""Rolling-origin backtest, selection on short and long series, and conformal intervals whose
coverage is close to nominal on simulated data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecasting.backtest import MIN_ORIGINS, backtest, plan_origins
from forecasting.candidates import DEFAULT_CANDIDATES, seasonal_naive
from forecasting.intervals import backtest_coverage, conformal_quantile, halfwidths
from forecasting.metrics import mase, naive_scale, naive_scales_by_origin, smape
from forecasting.selection import SeriesInput, forecast_many, forecast_series, select

PATTERN = np.array([10.0, 12, 15, 20, 25, 30, 28, 26, 22, 18, 14, 11])


def _series(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50 + 0.3 * np.arange(n) + np.tile(PATTERN, n // 12 + 1)[:n] + rng.normal(0, 1.5, n)


@pytest.mark.parametrize(("n", "horizon"), [(60, 6), (60, 18), (78, 6), (42, 18), (30, 6), (20, 6), (12, 3)])
def test_origins_leave_at_least_six_windows_per_horizon(n, horizon):
    origins = plan_origins(n, horizon)
    assert np.all(np.diff(origins) == 1) and origins[-1] == n - 1
    per_horizon = np.array([np.sum(origins + h <= n) for h in range(1, horizon + 1)])
    if origins[0] == 24 and n < 24 + horizon + MIN_ORIGINS - 1:
        # kept two seasons for the seasonal models: the longest horizons have fewer origins
        assert per_horizon[0] >= MIN_ORIGINS
    else:
        assert np.all(per_horizon >= MIN_ORIGINS)
    assert origins[0] >= 4


def test_plan_for_a_long_series():
    origins = plan_origins(60, 6)
    assert origins[0] == 36 and len(origins) == 24  # 19 complete 6-month windows, then shorter ones
    assert len(plan_origins(200, 6)) == 24 + 5  # at most 24 complete windows
    assert len(plan_origins(3, 6)) == 0


def test_backtest_errors_per_origin_and_horizon():
    y = _series(60)
    origins = plan_origins(60, 6)
    bt, fitted = backtest(seasonal_naive, y, 6, origins=origins)
    assert bt.forecasts.shape == bt.actuals.shape == (len(origins), 6)
    assert fitted.n == origins[0]
    # seasonal naive by hand: forecast of y[t + h] from origin t is y[t + h - 12]
    for i, t in enumerate(origins):
        for h in range(6):
            if t + h < 60:
                assert bt.forecasts[i, h] == y[t + h - 12]
                assert bt.errors[i, h] == pytest.approx(y[t + h] - y[t + h - 12])
            else:
                assert math.isnan(bt.errors[i, h])
    assert list(bt.n_origins) == [24, 23, 22, 21, 20, 19]
    scales = naive_scales_by_origin(y, origins)
    assert scales[0] == pytest.approx(naive_scale(y[: origins[0]]))
    assert scales[-1] == pytest.approx(naive_scale(y[:59]))
    by_h = np.array([np.nanmean(np.abs(bt.errors[:, h]) / scales) for h in range(6)])
    assert bt.mase() == pytest.approx(by_h.mean())


def test_metrics_by_hand():
    train = np.array([1.0, 2, 3, 4, 5])  # shorter than m + 1: lag-1 scale = 1
    assert naive_scale(train, 12) == 1.0
    assert mase([6.0, 9.0], [7.0, 7.0], train) == pytest.approx(1.5)
    assert smape([100.0, 0.0], [50.0, 0.0]) == pytest.approx(100 * (2 * 50 / 150) / 2)
    seasonal = np.tile(PATTERN, 2) + np.repeat([0.0, 2.0], 12)
    assert naive_scale(seasonal, 12) == 2.0
    assert math.isnan(mase([1.0], [2.0], np.ones(20)))


def test_selection_on_a_long_series_scores_every_candidate():
    sel = select(_series(72), 6)
    names = [s.name for s in sel.scores]
    assert names == ["seasonal_naive", "ets", "theta", "regression", "sarimax", "combination"]
    assert all(s.status == "ok" and np.isfinite(s.mase) and np.isfinite(s.smape) for s in sel.scores)
    assert sel.method == min(sel.scores, key=lambda s: s.mase).name
    assert not sel.short_series and sel.seasonal
    assert sel.backtest.mase() == pytest.approx(sel.score(sel.method).mase)


def test_short_series_get_only_supported_candidates_and_a_flag():
    y = _series(20)
    sel = select(y, 6)
    assert sel.short_series and not sel.seasonal
    assert any("short series" in note for note in sel.notes)
    unsupported = {s.name: s.reason for s in sel.scores if s.status == "unsupported"}
    assert "regression" in unsupported and "12" in unsupported["regression"]
    assert sel.variants["ets"] in {"ETS(A,N,N)", "ETS(A,Ad,N)"}
    assert "no season" in sel.variants["theta"]
    for result in (forecast_series(y, 6), forecast_series(y, 6, candidates=DEFAULT_CANDIDATES)):
        assert result.short_series and result.notes
        assert result.yhat.shape == (6,) and np.all(np.isfinite(result.yhat))
    tiny = forecast_series(np.array([3.0, 4.0, 5.0]), 2, candidates=DEFAULT_CANDIDATES)
    assert tiny.method == "seasonal_naive" and np.all(np.isnan(tiny.lower(0.8)))
    tiny = forecast_series(np.array([3.0, 4.0, 5.0]), 2)  # the median of what 3 points support, no intervals
    assert np.all(np.isfinite(tiny.yhat)) and np.all(np.isnan(tiny.lower(0.8)))


def test_forecast_many_in_a_pool_is_deterministic_and_in_order():
    items = [SeriesInput(f"s{i}", _series(48, seed=i)) for i in range(6)]
    pooled = forecast_many(items, 6, n_jobs=2, chunk_size=2, candidates=("seasonal_naive", "ets", "regression"))
    inline = forecast_many(items, 6, n_jobs=1, candidates=("seasonal_naive", "ets", "regression"))
    assert [r.key for r in pooled] == [f"s{i}" for i in range(6)]
    for a, b in zip(pooled, inline, strict=True):
        assert a.method == b.method
        np.testing.assert_array_equal(a.yhat, b.yhat)
        np.testing.assert_array_equal(a.upper(0.95), b.upper(0.95))


def test_conformal_quantile_finite_sample_rank():
    scores = np.arange(1.0, 20.0)  # 19 scores
    assert conformal_quantile(scores, 0.95) == 19.0  # rank ceil(20 * 0.95) = 19
    assert conformal_quantile(scores[:18], 0.95) == math.inf
    assert conformal_quantile(scores, 0.8) == 16.0  # rank ceil(20 * 0.8) = 16
    assert conformal_quantile(np.array([np.nan, 2.0, 1.0, 3.0, 4.0]), 0.8) == 4.0


def test_interval_coverage_is_nominal_on_simulated_errors():
    """Errors that grow with the horizon: calibrate on a backtest-sized sample, check on new draws."""
    rng = np.random.default_rng(1)
    sd = np.sqrt(np.arange(1, 7))
    hits = {0.8: [], 0.95: []}
    for _ in range(400):
        past = rng.normal(0, 1, (24, 6)) * sd
        past[np.add.outer(np.arange(24), np.arange(6)) >= 24] = np.nan  # windows cut at the end
        widths = halfwidths(past, (0.8, 0.95))
        new = rng.normal(0, 1, 6) * sd
        for level in hits:
            hits[level].extend(np.abs(new) <= widths[level])
    assert np.mean(hits[0.8]) == pytest.approx(0.8, abs=0.05)
    assert np.mean(hits[0.95]) == pytest.approx(0.95, abs=0.05)
    cover = backtest_coverage(past)
    assert 0.6 < cover[0.8] < 1.0 and 0.8 < cover[0.95] <= 1.0


def test_tail_intervals_cover_each_horizon_where_pooled_ones_do_not():
    """Method "tail": errors whose first month has a heavy tail (Student t, 3 degrees of freedom,
    off the sqrt(h) growth of the later, normal months). The pooled 95% quantile assumes one
    shape at every horizon and under-covers month 1; the per-horizon tail covers every month at
    least at the conformal guarantee (30 scores: the largest, 30/31 = 96.8%), and the 80%
    intervals (the body) are the pooled ones."""
    rng = np.random.default_rng(3)
    H, origins = 6, 30
    sd = np.sqrt(np.arange(1, H + 1))

    def draw(size):
        e = rng.normal(0, 1, (size, H)) * sd
        e[:, 0] = 1.5 * rng.standard_t(3, size) / math.sqrt(3)  # sd 1.5, heavier tail
        return e

    hits = {method: np.zeros((2, H)) for method in ("pooled", "tail")}
    trials = 600
    for _ in range(trials):
        past, new = draw(origins), draw(1)[0]
        widths = {method: halfwidths(past, (0.8, 0.95), method=method, min_slope=0.5) for method in hits}
        np.testing.assert_array_equal(widths["tail"][0.8], widths["pooled"][0.8])
        for method, w in widths.items():
            hits[method][0] += np.abs(new) <= w[0.8]
            hits[method][1] += np.abs(new) <= w[0.95]
    pooled95, tail95 = hits["pooled"][1] / trials, hits["tail"][1] / trials
    assert pooled95[0] < 0.92  # the pooled tail is too short for month 1
    assert np.all(tail95 >= origins / (origins + 1) - 0.025)  # each month, sampling noise allowed
    assert tail95.mean() <= 0.995
    assert (hits["tail"][0] / trials).mean() == pytest.approx(0.8, abs=0.05)
    with pytest.raises(ValueError, match="unknown interval method"):
        halfwidths(draw(origins), method="normal")


def test_forecast_interval_coverage_on_simulated_series():
    """End to end: seasonal AR(1) series, select + intervals, coverage of the next 6 months."""
    rng = np.random.default_rng(5)
    hits = {0.8: [], 0.95: []}
    for _ in range(150):
        n = 66
        e = np.zeros(n)
        shocks = rng.normal(0, 2.0, n)
        for t in range(1, n):
            e[t] = 0.6 * e[t - 1] + shocks[t]
        y = 100 + np.tile(PATTERN, 6)[:n] + e
        result = forecast_series(y[:60], 6, candidates=("seasonal_naive", "regression"))
        for level in hits:
            lo, hi = result.intervals[level]
            hits[level].extend((y[60:] >= lo) & (y[60:] <= hi))
    assert np.mean(hits[0.8]) == pytest.approx(0.8, abs=0.05)
    assert np.mean(hits[0.95]) == pytest.approx(0.95, abs=0.05)


def test_median_combination_coverage_on_simulated_series():
    """The default path (median combination, intervals from its own backtest) on seasonal AR(1)
    series with a trend: coverage of the next 12 months near 80% and 95%."""
    rng = np.random.default_rng(8)
    hits = {0.8: [], 0.95: []}
    for _ in range(120):
        n = 84
        e = np.zeros(n)
        shocks = rng.normal(0, 2.0, n)
        for t in range(1, n):
            e[t] = 0.6 * e[t - 1] + shocks[t]
        y = 100 + 0.3 * np.arange(n) + np.tile(PATTERN, 7)[:n] + e
        result = forecast_series(y[:72], 12)
        assert result.method == "combination"
        for level in hits:
            lo, hi = result.intervals[level]
            hits[level].extend((y[72:] >= lo) & (y[72:] <= hi))
    assert np.mean(hits[0.8]) == pytest.approx(0.8, abs=0.06)
    assert np.mean(hits[0.95]) == pytest.approx(0.95, abs=0.04)
