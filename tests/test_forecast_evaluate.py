"""``forecast evaluate`` on small files: a result checked by hand, the output files, and bad input
refused with a clear message and exit code 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasting.cli import app
from forecasting.evaluate import InputError, evaluate_file, read_series

PATTERN = np.array([10.0, 12, 15, 20, 25, 30, 28, 26, 22, 18, 14, 11])
runner = CliRunner()


def _write(path, frames):
    pd.concat(frames).to_csv(path, index=False)
    return path


def _frame(uid, values, start="2019-01-01"):
    ds = pd.date_range(start, periods=len(values), freq="MS").strftime("%Y-%m-%d")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": values})


def _hand_checked_series():
    """48 training months: the first year 5 above the pattern, then the pattern exactly; the 6
    held-out months are the pattern with +3 and -3 in the 3rd and 5th months."""
    train = np.tile(PATTERN, 4)
    train[:12] += 5.0
    test = PATTERN[:6] + np.array([0.0, 0.0, 3.0, 0.0, -3.0, 0.0])
    return np.concatenate([train, test])


@pytest.fixture
def small_file(tmp_path):
    rng = np.random.default_rng(0)
    noisy = 200 + np.arange(60) * 1.5 + np.tile(PATTERN, 5) * 3 + rng.normal(0, 2, 60)
    return _write(tmp_path / "series.csv", [_frame("hand", _hand_checked_series()), _frame("noisy", noisy)])


def test_evaluate_result_checked_by_hand(small_file, tmp_path):
    out, fc = tmp_path / "metrics.csv", tmp_path / "forecasts.csv"
    # per-series selection among the named candidates, here one (the default is the median combination, below)
    result = runner.invoke(app, ["evaluate", "--input", str(small_file), "--horizon", "6", "--output", str(out),
                                 "--forecasts", str(fc), "--n-jobs", "1", "--candidates", "seasonal_naive"])
    assert result.exit_code == 0, result.output
    metrics = pd.read_csv(out)
    assert list(metrics.columns[:7]) == ["unique_id", "method", "n_obs", "mase", "smape", "coverage80", "coverage95"]
    assert list(metrics.unique_id) == ["hand", "noisy", "ALL"]
    hand = metrics.iloc[0]
    # the backtest (origins 36..47) sees the exact pattern: seasonal naive makes no error and wins
    assert hand.method == "seasonal_naive" and hand.n_obs == 54
    # in-sample seasonal-naive MAE of the training part: 12 differences of 5, 24 of 0 -> 60 / 36
    # final window: errors 3 and 3 on 6 months -> MAE 1 -> MASE 1 / (5/3) = 0.6
    assert hand.mase == pytest.approx(0.6, rel=1e-5)
    smape = 100 * np.mean([0, 0, 2 * 3 / (18 + 15), 0, 2 * 3 / (22 + 25), 0])
    assert hand.smape == pytest.approx(smape, rel=1e-5)
    # no backtest error, so zero-width intervals: only the 4 exact months are inside
    assert hand.coverage80 == pytest.approx(4 / 6) and hand.coverage95 == pytest.approx(4 / 6)
    summary = metrics.iloc[-1]
    assert summary.mase == pytest.approx(metrics.mase[:2].mean(), rel=1e-5)
    assert summary.coverage95 == pytest.approx(metrics.coverage95[:2].mean(), rel=1e-5)
    assert summary.n_obs == 54 + 60

    window = pd.read_csv(fc)
    assert list(window.columns) == ["unique_id", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"]
    hand_fc = window[window.unique_id == "hand"]
    assert list(hand_fc.ds) == [f"2023-{m:02d}-01" for m in range(1, 7)]
    np.testing.assert_allclose(hand_fc.yhat, PATTERN[:6])
    noisy = window[window.unique_id == "noisy"]
    assert np.all(noisy.lo95 <= noisy.lo80) and np.all(noisy.lo80 <= noisy.yhat) and np.all(noisy.hi80 <= noisy.hi95)
    assert "2 series, horizon 6" in result.output


def test_default_is_the_median_combination_with_the_same_contract(small_file, tmp_path):
    out, fc = tmp_path / "metrics.csv", tmp_path / "forecasts.csv"
    result = runner.invoke(app, ["evaluate", "--input", str(small_file), "--horizon", "6", "--output", str(out),
                                 "--forecasts", str(fc), "--n-jobs", "1"])
    assert result.exit_code == 0, result.output
    metrics = pd.read_csv(out)
    assert list(metrics.columns) == ["unique_id", "method", "n_obs", "mase", "smape", "coverage80", "coverage95",
                                     "backtest_mase", "naive_mase", "short_series"]
    assert list(metrics.unique_id) == ["hand", "noisy", "ALL"]
    assert set(metrics.method[:2]) == {"combination"}
    window = pd.read_csv(fc)
    assert list(window.columns) == ["unique_id", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"]
    assert len(window) == 12 and window.notna().all().all()
    assert np.all(window.lo95 <= window.lo80) and np.all(window.lo80 <= window.yhat)
    assert np.all(window.yhat <= window.hi80) and np.all(window.hi80 <= window.hi95)
    # the hand series is the pattern after a first year 5 higher: the median forecasts it within 1.5
    hand = window[window.unique_id == "hand"]
    np.testing.assert_allclose(hand.yhat, PATTERN[:6], atol=1.5)


def test_evaluate_twice_gives_identical_files(small_file, tmp_path):
    a = evaluate_file(small_file, 6, tmp_path / "a.csv", tmp_path / "fa.csv", n_jobs=1)
    b = evaluate_file(small_file, 6, tmp_path / "b.csv", tmp_path / "fb.csv", n_jobs=1)
    pd.testing.assert_frame_equal(a, b)
    assert (tmp_path / "fa.csv").read_bytes() == (tmp_path / "fb.csv").read_bytes()


def test_candidates_option(small_file, tmp_path):
    out = tmp_path / "m.csv"
    result = runner.invoke(app, ["evaluate", "--input", str(small_file), "--horizon", "6", "--output", str(out),
                                 "--candidates", "seasonal_naive", "--n-jobs", "1"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out).method.dropna()) == {"seasonal_naive"}
    result = runner.invoke(app, ["evaluate", "--input", str(small_file), "--horizon", "6", "--output", str(out),
                                 "--candidates", "prophet"])
    assert result.exit_code == 1 and "unknown candidate" in result.output


def _bad(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


def _months(uid, n, start=2020):
    return "".join(f"{uid},{start + i // 12}-{i % 12 + 1:02d}-01,{10 + i}\n" for i in range(n))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unique_id,date,y\na,2020-01-01,1\n", "missing column(s) ds"),
        ("unique_id,ds,y\n" + _months("a", 30) + "a,2020-03-15,5\n", "several dates in one month: ds is not monthly"),
        ("unique_id,ds,y\n" + _months("a", 30) + "a,2020-03-01,12\n", "duplicate rows for series 'a' in 2020-03"),
        ("unique_id,ds,y\n" + _months("a", 10) + _months("a", 20, start=2022), "not monthly without gaps"),
        ("unique_id,ds,y\n" + _months("a", 3) + "a,2020-04-01,abc\n", "line 5, column y: 'abc' is not a number"),
        ("unique_id,ds,y\n" + _months("a", 3) + "a,April,4\n", "line 5, column ds: 'April' is not a date"),
        ("unique_id,ds,y\n" + _months("a", 10), "series 'a' has 10 months"),
        ("unique_id,ds,y\n", "no rows"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(tmp_path, text, message):
    path = _bad(tmp_path, text)
    result = runner.invoke(app, ["evaluate", "--input", str(path), "--horizon", "6", "--output",
                                 str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert message in output and str(path) in output
    assert not (tmp_path / "out.csv").exists()


def test_daily_data_is_not_monthly(tmp_path):
    days = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=90, freq="D"), "y": 1.0})
    path = tmp_path / "daily.csv"
    days.to_csv(path, index=False)
    with pytest.raises(InputError, match="not monthly"):
        read_series(path)


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["evaluate", "--input", str(tmp_path / "none.csv"), "--horizon", "3",
                                 "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 1 and "no such file" in result.output
