"""Each forecasting candidate on synthetic series whose structure is known; the forecasts from
any origin match statsmodels' own; a regressor's true effect is recovered."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecasting.candidates import CANDIDATES, arima, combination, ets, get, regression, sarimax, seasonal_naive, theta
from forecasting.candidates.base import one_thread
from forecasting.selection import forecast_series

PATTERN = np.array([10.0, 12, 15, 20, 25, 30, 28, 26, 22, 18, 14, 11])


@pytest.fixture
def seasonal_trend() -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(72)
    return 100 + 0.8 * t + np.tile(PATTERN, 6) * 2 + rng.normal(0, 1.0, 72)


@pytest.fixture
def with_regressor() -> tuple[np.ndarray, np.ndarray]:
    """y = 3.0 x + season + random-walk noise; x is known 6 months ahead."""
    rng = np.random.default_rng(11)
    n = 66
    x = rng.normal(10, 4, n)
    noise = np.cumsum(rng.normal(0, 0.5, n))
    return 50 + 3.0 * x + np.tile(PATTERN, 6)[:n] + noise, x


def test_every_candidate_has_the_same_small_interface(seasonal_trend):
    for name, module in CANDIDATES.items():
        assert module.NAME == name and get(name) is module
        assert module.supports(60, 12, False) is None
        out = module.fit_predict(seasonal_trend, 6, season_length=12)
        assert out.shape == (6,) and np.all(np.isfinite(out))
    out = combination.fit_predict(seasonal_trend, 6)
    assert out.shape == (6,) and np.all(np.isfinite(out))
    assert ets.supports(2) and sarimax.supports(5) and regression.supports(10)
    with pytest.raises(ValueError, match="unknown candidate"):
        get("prophet")


def test_seasonal_naive_is_exact_on_a_pure_seasonal_series():
    y = np.tile(PATTERN, 4)
    np.testing.assert_array_equal(seasonal_naive.fit_predict(y, 18), np.tile(PATTERN, 2)[:18])
    fitted = seasonal_naive.fit(y[:30])
    rolled = fitted.rolling(y, np.array([30, 36, 40]), 6)
    np.testing.assert_array_equal(rolled, y[np.array([30, 36, 40])[:, None] + np.arange(6)])
    # shorter than a season: the last value
    assert seasonal_naive.fit(y[:5]).variant.startswith("naive")
    np.testing.assert_array_equal(seasonal_naive.fit_predict(y[:5], 3), [25.0, 25.0, 25.0])


@pytest.mark.parametrize("module", [ets, theta, regression, sarimax])
def test_linear_trend_is_extrapolated(module):
    t = np.arange(60, dtype=float)
    y = 20 + 2.0 * t + np.random.default_rng(3).normal(0, 0.3, 60)
    truth = 20 + 2.0 * np.arange(60, 66)
    out = module.fit_predict(y, 6, season_length=12)
    if module is theta:  # the theta = 2 line keeps half the slope: between the last value and the line
        assert np.all(np.diff(out) > 0.8) and np.all(np.abs(out - truth) < 8)
    else:
        np.testing.assert_allclose(out, truth, rtol=0.02)


def test_ets_and_sarimax_capture_trend_and_season(seasonal_trend):
    y, future = seasonal_trend[:60], seasonal_trend[60:]
    for module in (ets, sarimax):
        out = module.fit_predict(y, 12)
        assert np.mean(np.abs(out - future)) < 2.5, module.NAME


def test_ets_forecasts_match_statsmodels(seasonal_trend):
    y = seasonal_trend[:60]
    fitted = ets.fit(y)
    p = fitted.params
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ExponentialSmoothing(
            y, trend="add", damped_trend=True, seasonal=p["seasonal"], seasonal_periods=12,
            initialization_method="heuristic",
        ).fit(use_brute=False)
    np.testing.assert_allclose(fitted.forecast(12), ref.forecast(12), rtol=1e-8)
    # the same recursions from an earlier origin
    np.testing.assert_allclose(fitted.rolling(y, np.array([60]), 12)[0], ref.forecast(12), rtol=1e-8)


def test_short_series_get_non_seasonal_configurations():
    y = np.tile(PATTERN, 2)[:20] + np.arange(20)
    assert ets.fit(y).variant == "ETS(A,Ad,N)"
    assert ets.fit(y[:8]).variant == "ETS(A,N,N)"
    assert "no season" in theta.fit(y).variant
    assert sarimax.fit(y).variant == "ARIMA(0,1,1) with drift"
    assert "Fourier" not in regression.fit(y).variant


def test_theta_is_statsmodels_theta_with_its_own_fast_estimates(seasonal_trend):
    # Same decomposition and formula as statsmodels; alpha from a grid rather than an optimiser.
    y = seasonal_trend[:60]
    fitted = theta.fit(y)
    assert theta.seasonal_test(y, 12) and fitted.params["seasonal"]
    ref = ThetaModel(y, period=12).fit().forecast(12)
    np.testing.assert_allclose(fitted.forecast(12), np.asarray(ref), rtol=1e-4)
    # no significant lag-12 autocorrelation: no season
    noise = np.random.default_rng(3).normal(100, 5, 60)
    assert not theta.seasonal_test(noise, 12) and not theta.fit(noise).params["seasonal"]


def test_sarimax_matches_statsmodels_airline(seasonal_trend):
    y = seasonal_trend[:60]
    fitted = sarimax.fit(y)
    assert fitted.variant == "ARIMA(0,1,1)(0,1,1)12"
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore")
        ref = SARIMAX(y, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), simple_differencing=True,
                      concentrate_scale=True).fit(disp=False)
    np.testing.assert_allclose(fitted.params["arma"], ref.params, rtol=1e-4)
    # statsmodels forecasts the differenced series: integrate y_t = w_t + y_{t-1} + y_{t-12} - y_{t-13}
    w = np.asarray(ref.forecast(6))
    ext = list(y)
    for value in w:
        ext.append(value + ext[-1] + ext[-12] - ext[-13])
    np.testing.assert_allclose(fitted.forecast(6), ext[60:], rtol=1e-6)


def test_regressor_effect_is_recovered(with_regressor):
    y, x = with_regressor
    for module in (sarimax, regression):
        fitted = module.fit(y[:60], 12, x[:60])
        assert module.coefficients(fitted)[0] == pytest.approx(3.0, abs=0.15), module.NAME
        out = fitted.forecast(6, x[60:])
        assert np.mean(np.abs(out - y[60:])) < 3.0, module.NAME
    with pytest.raises(ValueError, match="x_future"):
        sarimax.fit(y[:60], 12, x[:60]).forecast(6)


def test_rolling_from_the_end_equals_forecast(seasonal_trend, with_regressor):
    y = seasonal_trend
    for name, module in CANDIDATES.items():
        fitted = module.fit(y[:48], 12)
        np.testing.assert_allclose(fitted.rolling(y[:48], np.array([48]), 6)[0], fitted.forecast(6),
                                   rtol=1e-9, err_msg=name)
    yx, x = with_regressor
    for module in (sarimax, regression):
        fitted = module.fit(yx[:60], 12, x[:60])
        np.testing.assert_allclose(fitted.rolling(yx, np.array([60]), 6, x)[0], fitted.forecast(6, x[60:]),
                                   rtol=1e-9)


def test_forecasts_are_deterministic(seasonal_trend):
    a = forecast_series(seasonal_trend, 6)
    b = forecast_series(seasonal_trend, 6)
    assert a.method == b.method
    np.testing.assert_array_equal(a.yhat, b.yhat)
    for level in (0.8, 0.95):
        np.testing.assert_array_equal(a.intervals[level][0], b.intervals[level][0])
        np.testing.assert_array_equal(a.intervals[level][1], b.intervals[level][1])


def test_median_combination_beats_its_weakest_member(seasonal_trend):
    """On trending seasonal series the median is never the worst member and beats the member mean error."""
    from forecasting.candidates.combination import Median

    rng = np.random.default_rng(21)
    wins, member_mae, median_mae = 0, [], []
    for _ in range(20):
        t = np.arange(84)
        y = 50 + 0.5 * t + np.tile(PATTERN, 7) * rng.uniform(0.5, 2.0) + rng.normal(0, 2.0, 84)
        fitted = combination.fit(y[:72])
        assert isinstance(fitted, Median) and len(fitted.members) == 7  # positive: raw and log members
        stack = fitted.member_forecasts(y[:72], np.array([72]), 12)[:, 0]
        errors = np.mean(np.abs(stack - y[72:]), axis=1)
        combined = np.mean(np.abs(fitted.forecast(12) - y[72:]))
        wins += combined < errors.max()
        member_mae.append(errors.mean())
        median_mae.append(combined)
    assert wins == 20
    assert np.mean(median_mae) < np.mean(member_mae)


def test_median_combination_members_follow_the_data():
    rng = np.random.default_rng(2)
    negative = np.tile(PATTERN, 4) - 20 + rng.normal(0, 1, 48)
    assert len(combination.fit(negative).members) == 4  # no log scale for a series with negative values
    positive = np.tile(PATTERN, 4) + rng.normal(0, 1, 48)
    labels = combination.fit(positive).params["members"]
    assert labels == ["ets", "theta", "arima", "ets (log)", "theta (log)", "arima (log)", "seasonal_naive"]
    short = combination.fit(positive[:10])
    assert "seasonal_naive" in short.params["members"] and np.all(np.isfinite(short.forecast(6)))
    # a positive series falling fast: the log members keep the forecast above zero
    falling = 200 * 0.9 ** np.arange(40) + 1
    assert np.all(combination.fit(falling).forecast(18) > 0)


def test_arima_recovers_an_airline_process_and_rolls_like_forecast():
    rng = np.random.default_rng(4)
    n, m = 144, 12
    e = rng.normal(0, 1, n + 13)
    w = e[13:] - 0.4 * e[12:-1] - 0.6 * e[1:-12] + 0.24 * e[:-13]
    y = np.zeros(n + 13)
    for t in range(13, n + 13):
        y[t] = w[t - 13] + y[t - 1] + y[t - 12] - y[t - 13]
    y = y[13:] + 500
    fitted = arima.fit(y, m)
    assert fitted.variant.startswith("ARIMA(0,1,1)(0,1,1)12")
    assert fitted.params["theta"] == pytest.approx(-0.4, abs=0.15)
    assert fitted.params["seas"] == pytest.approx(-0.6, abs=0.2)
    np.testing.assert_allclose(fitted.rolling(y, np.array([n]), 6)[0], fitted.forecast(6))
    early = arima.fit(y[:100], m)
    rolled = early.rolling(y, np.array([100, 120]), 6)
    np.testing.assert_allclose(rolled[0], early.forecast(6))
    assert rolled.shape == (2, 6) and np.all(np.isfinite(rolled))
