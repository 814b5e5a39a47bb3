"""``plan evaluate`` on wide files: a generated file whose answer is known, bad input, the public mmm file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.evaluate import InputError
from forecasting.planning.simulate import simulate
from forecasting.planning.wide import WideFileError, evaluate_file, read_wide

MMM = "mmm/national_all_channels.csv"  # the public simulated marketing-mix file (an excerpt, or the full one)


@pytest.fixture(scope="module")
def sim():
    return simulate(seed=0)


def wide_frame(sim) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"date": [p.isoformat() for p in sim.periods], "leads": sim.y})
    for i, channel in enumerate(sim.channels):
        frame[f"{channel}_spend"] = sim.spend[:, i]
        frame[f"{channel}_impressions"] = sim.spend[:, i] * 80 * rng.uniform(0.9, 1.1, len(sim.y))
    frame["covid_stringency"] = sim.controls[:, 0]
    frame["note"] = ["launch" if i == 3 else "" for i in range(len(sim.y))]
    return frame


@pytest.fixture(scope="module")
def wide_file(sim, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wide") / "media.csv"
    wide_frame(sim).to_csv(path, index=False)
    return path


def test_a_generated_file_gives_the_known_answer(sim, wide_file):
    result = evaluate_file(wide_file, "leads", holdout=0.2, n_boot=20)
    data = result.data
    assert data.frequency == "month" and data.periods == sim.periods
    assert data.channels == sim.channels and data.control_names == ["covid_stringency"]
    assert set(data.ignored) == {f"{c}_impressions" for c in sim.channels} | {"note"}
    assert np.allclose(data.spend, sim.spend) and np.allclose(data.y, sim.y)
    assert (result.holdout.n_train, result.holdout.n_test) == (48, 12)
    assert result.holdout.mape < 5 and result.holdout.r2 > 0.5
    by_name = {c.channel: c for c in result.channels}
    for i, name in enumerate(sim.channels):
        figures = by_name[name]
        if sim.spend_shares[i] >= 0.10:
            assert figures.average_cost == pytest.approx(sim.average_cost[i], rel=0.2)
            assert figures.contribution_share == pytest.approx(sim.shares[i], abs=0.03)
        lo, hi = figures.average_cost_interval
        assert lo <= hi and figures.marginal_cost > 0
        assert figures.spend == pytest.approx(sim.spend[:, i].sum())
    report = result.format_report()
    assert "MAPE" in report and all(name in report for name in sim.channels)
    assert result.to_dict()["holdout"]["periods"] == 12


def test_regions_are_pooled_or_picked(sim, tmp_path):
    frame = wide_frame(sim).drop(columns=["note"])
    north = frame.copy()
    south = frame.copy()
    summed = ["leads", *[c for c in frame.columns if c.endswith(("_spend", "_impressions"))]]
    north[summed] = frame[summed] * 0.6
    south[summed] = frame[summed] * 0.4
    both = pd.concat([north.assign(region="north"), south.assign(region="south")]).sample(frac=1, random_state=1)
    path = tmp_path / "regions.csv"
    both.to_csv(path, index=False, sep=";")  # a French-style separator is sniffed
    pooled = read_wide(path, "leads")
    assert pooled.regions == ["north", "south"]
    assert np.allclose(pooled.y, sim.y) and np.allclose(pooled.spend, sim.spend)
    assert np.allclose(pooled.controls[:, 0], sim.controls[:, 0])  # controls are averaged, not summed
    one = read_wide(path, "leads", region="south")
    assert np.allclose(one.y, 0.4 * sim.y) and one.regions == []


def test_weekly_dates_and_their_months(tmp_path):
    start = dt.date(2023, 1, 2)  # a Monday
    weeks = [start + dt.timedelta(days=7 * i) for i in range(60)]
    frame = pd.DataFrame({"week": [w.isoformat() for w in weeks], "sales": 1.0, "tv_spend": 10.0,
                          "price": np.arange(60.0)})
    path = tmp_path / "weekly.csv"
    frame.to_csv(path, index=False)
    weekly = read_wide(path, "sales")
    assert weekly.frequency == "week" and len(weekly.periods) == 60 and weekly.control_names == ["price"]
    monthly = read_wide(path, "sales", frequency="month")
    assert monthly.frequency == "month"
    # weeks starting in each month: Jan 2023 has 5 Mondays (2, 9, 16, 23, 30), Feb 4
    assert monthly.periods[0] == dt.date(2023, 1, 1) and monthly.y[:2].tolist() == [5.0, 4.0]
    assert monthly.spend[:2, 0].tolist() == [50.0, 40.0]
    starts = [w for w in weeks if (w.year, w.month) == (2023, 2)]
    assert monthly.controls[1, 0] == pytest.approx(np.mean([weeks.index(w) for w in starts]))
    last = weeks[-1]
    in_last = sum((w.year, w.month) == (last.year, last.month) for w in weeks)
    assert (monthly.periods[-1].month == last.month) == (in_last >= 4)


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


GOOD_HEADER = "date,leads,tv_spend,radio_spend,covid\n"


@pytest.mark.parametrize(("text", "target", "line", "column", "words"), [
    (GOOD_HEADER + "2024-01-01,10,1,2,0\n", "sales", 1, "sales", "no target column"),
    ("date,leads,tv,covid\n2024-01-01,10,1,0\n", "leads", 1, None, "no spend column"),
    (GOOD_HEADER + "2024-01-01,10,1,2,0\n2024-02-31,10,1,2,0\n", "leads", 3, "date", "is not a date"),
    (GOOD_HEADER + "2024-01-01,10,1,2,0\n2024-02-01,10,-5,2,0\n", "leads", 3, "tv_spend", "negative spend"),
    (GOOD_HEADER + "2024-01-01,10,1,2,0\n2024-02-01,10,1,2,0\n2024-03-01,ten,1,2,0\n", "leads", 4, "leads",
     "is not a number"),
    ("leads,tv_spend\n10,1\n", "leads", 1, None, "no date column"),
    (GOOD_HEADER + "2024-01-01,10,1,2,0\n2024-03-01,10,1,2,0\n", "leads", 3, "date", "follows 2024-01-01"),
    (GOOD_HEADER + "2024-01-01,10,1,2,0\n2024-01-01,10,1,2,0\n", "leads", 3, "date", "a second row"),
])
def test_bad_input_names_file_line_and_column(tmp_path, text, target, line, column, words):
    path = write(tmp_path, text)
    with pytest.raises(WideFileError) as caught:
        read_wide(path, target)
    error = caught.value
    assert isinstance(error, InputError)  # the CLI's usual error handling applies
    assert (error.line, error.column) == (line, column)
    assert words in str(error) and str(path) in str(error) and error.expected


def test_explicit_controls_must_be_numeric_columns(tmp_path):
    path = write(tmp_path, GOOD_HEADER + "2024-01-01,10,1,2,x\n")
    assert read_wide(path, "leads").control_names == []  # a text column is not a control by default
    with pytest.raises(WideFileError) as caught:
        read_wide(path, "leads", controls=["covid"])
    assert (caught.value.line, caught.value.column) == (2, "covid")
    with pytest.raises(WideFileError, match="cannot be a control"):
        read_wide(path, "leads", controls=["tv_spend"])


def test_the_public_mmm_file_runs_and_gives_finite_figures(exports):
    path = exports / MMM
    weeks = pd.read_csv(path)["time"]
    assert len(weeks) == (156 if exports.full else 104)
    result = evaluate_file(path, "conversions", holdout=0.2, n_boot=10)
    assert result.data.frequency == "week" and len(result.data.periods) == len(weeks)
    assert [p.isoformat() for p in result.data.periods] == list(weeks)
    assert result.data.channels == [f"Channel{i}" for i in range(5)]
    assert "revenue_per_conversion" in result.data.ignored  # derived from the target, not a driver
    assert np.isfinite(result.holdout.mape) and np.isfinite(result.holdout.r2) and result.holdout.mape < 20
    shares = np.array([c.contribution_share for c in result.channels])
    assert np.all(np.isfinite(shares)) and np.all(shares >= 0) and shares.sum() < 1
    assert all(np.isfinite(c.average_cost) or c.contribution_share == 0 for c in result.channels)
    assert "Channel0" in result.format_report()
