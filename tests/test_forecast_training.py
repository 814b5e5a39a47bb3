"""Monthly training on the store: series and regressors from the marts, a registered run with
coherent, non-negative forecasts for every series, a recovered media effect, and determinism."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from etl.connectors.base import Batch
from etl.demo.generate import generate
from etl.demo.load import FACT_LOADS, ensure_dimensions, frame_sha256
from etl.pipeline import apply_batch
from forecasting import registry
from forecasting.decompose import decompose, regressor_coefficients
from forecasting.regressors import adstock, build_regressors, choose_decay
from forecasting.series import DataError, build_series, data_months, series_key
from forecasting.training import train
from pilotage.store.models import ACTIVITY_MEASURES, Calendar, ExternalSeries, ForecastSeries, MartMonthly

from .forecast_helpers import DECAY, FAST, LAST, LEADS_PER_KEUR, REGIONS, fill_store, months
from .helpers import rows

DEMO_END = dt.date(2026, 10, 31)


def _assert_coherent(values: pd.DataFrame, levels: pd.DataFrame) -> None:
    """Channel x region parts sum exactly to channels, regions and the total, month by month."""
    frame = values.merge(levels, on="series_key")
    bottom = frame[frame.level == "channel_region"]
    for month, part in bottom.groupby("month"):
        at = frame[frame.month == month].set_index("series_key")["yhat"]
        assert at["total"] == pytest.approx(part.yhat.sum(), rel=1e-9, abs=1e-6)
        for channel, cells in part.groupby("channel_code"):
            assert at[series_key(channel)] == pytest.approx(cells.yhat.sum(), rel=1e-9, abs=1e-6)
        for region, cells in part.groupby("region_code"):
            assert at[series_key(None, region)] == pytest.approx(cells.yhat.sum(), rel=1e-9, abs=1e-6)


def _assert_sane(values: pd.DataFrame) -> None:
    assert (values.yhat >= 0).all() and (values.lo95 >= 0).all()
    assert (values.lo95 <= values.lo80 + 1e-9).all() and (values.lo80 <= values.yhat + 1e-9).all()
    assert (values.yhat <= values.hi80 + 1e-9).all() and (values.hi80 <= values.hi95 + 1e-9).all()
    parts = values.trend + values.season + values.media + values.other
    assert np.allclose(parts, values.yhat, rtol=0, atol=1e-6)


def _load_small_demo(engine) -> None:
    """The demo company (20,000 leads, 3 years) without what training does not read (web visits,
    subscriptions, targets, costs), which halves the load time."""
    company = generate(seed=5, leads=20_000, years=3, end=DEMO_END)
    ensure_dimensions(company, engine)
    for name, make_load in FACT_LOADS:
        if name in ("ad_performance", "leads", "media_plan", "external_series"):
            frame = getattr(company, name)
            apply_batch(Batch(loads=[make_load(frame)], rows_read=len(frame)), engine, source_type="demo",
                        file_name=f"demo {name}", sha=frame_sha256(frame))


def test_train_on_the_demo_registers_a_coherent_run_for_every_series(engine):
    _load_small_demo(engine)
    result = train(engine, run_by="tester", seed=0, horizon=6, candidates=FAST, n_jobs=1)

    run = registry.get_run(engine, result.run_id)
    assert (run["status"], run["is_champion"], run["run_by"], run["kind"]) == ("ok", True, "tester", "leads")
    assert run["cutoff"] == dt.date(2026, 10, 1) and run["horizon"] == 6 and run["seed"] == 0
    assert run["code_version"].startswith("0.") and run["decision"].startswith("champion: first run")
    assert run["mase"] == pytest.approx(result.total["mase"]) and run["naive_mase"] > 0
    assert any(row[0] == "national_tv" for row in run["params"]["regressors"]["assumed_spend"])
    assert set(run["params"]["regressors"]["decay"]) == {"national_tv", "radio", "local_press", "paid_search",
                                                         "paid_social", "display"}

    series = registry.series_results(engine, result.run_id)
    assert result.levels["total"]["series"] == 1 and result.levels["channel"]["series"] == 9
    assert result.levels["region"]["series"] == 13 and 100 <= result.levels["channel_region"]["series"] <= 117
    assert len(series) == result.n_series == run["n_series"]
    assert set(series.level) == {"total", "channel", "region", "channel_region"}
    assert (series.n_obs == 36).all() and series.method.notna().all()
    assert series.coverage95.between(0, 1).all() and series.mase.gt(0).all()
    assert set(series.loc[series.level == "region", "region_code"]) == {f"FR-{c}" for c in (
        "IDF", "ARA", "HDF", "NAQ", "OCC", "GES", "PACA", "PDL", "BRE", "NOR", "BFC", "CVL", "COR")}

    values = registry.forecasts(engine, result.run_id)
    assert len(values) == 6 * len(series) and set(values.series_key) == set(series.series_key)
    assert sorted(set(values.month)) == months(dt.date(2026, 11, 1), 6)
    _assert_coherent(values, series[["series_key", "level", "channel_code", "region_code"]])
    _assert_sane(values)
    # the plan's media shows in what drives the paid channels' forecast
    paid = values[values.series_key == series_key("paid_search")]
    assert (paid.media >= 0).all()


def test_series_and_regressors_come_from_the_marts(engine):
    truth = fill_store(engine, with_area=True)
    with engine.begin() as conn:  # a sub-area row counts in its top region
        conn.execute(insert(MartMonthly), [{
            **dict.fromkeys(ACTIVITY_MEASURES, 0), "month": LAST, "channel_code": "organic", "campaign_code": "x",
            "source_code": "", "region_code": "FR-IDF-75", "qualified_leads": 7}])
        conn.execute(insert(ExternalSeries), [
            dict(source_system="test", series="covid_stringency", geo="FRA", date=d, value=v)
            for d, v in ((dt.date(2024, 3, 1), 40.0), (dt.date(2024, 3, 2), 60.0), (dt.date(2024, 4, 5), 10.0))])
    assert data_months(engine) == (dt.date(2023, 1, 1), LAST)
    series = build_series(engine)
    assert [k.key for k in series.keys][:3] == ["total", "channel:organic", "channel:paid_search"]
    assert len(series.keys) == 1 + 2 + 2 + 4
    idf = truth["leads"][("organic", "FR-IDF")].astype(float)
    idf[-1] += 7
    assert np.array_equal(series.y(series_key("organic", "FR-IDF")), idf)
    assert [k.level for k in series.keys[3:5]] == ["region", "region"]
    assert np.array_equal(series.y("total"), series.values[5:].sum(axis=0))

    x = build_regressors(engine, series, horizon=6)
    assert x.decays == {"paid_search": DECAY} and x.decay_sources == {"paid_search": "data"}
    past = x.spend_of("paid_search", "FR-IDF")[:36]
    assert np.allclose(past, np.round(truth["spend"][("paid_search", "FR-IDF")], 2))
    recent = {r: truth["spend"][("paid_search", r)][-12:].sum() for r in REGIONS}
    share_idf = recent["FR-IDF"] / sum(recent.values())
    future_idf = x.spend_of("paid_search", "FR-IDF")[36:]
    assert np.allclose(future_idf, 30_000 + 1000 * np.arange(6) + 20_000 * share_idf)
    assert np.allclose(x.spend_of("paid_search", None)[36:], 50_000 + 1000 * np.arange(6))
    assert np.allclose(x.adstock_of("paid_search", "FR-IDF"), adstock(x.spend_of("paid_search", "FR-IDF"), DECAY))
    covid = dict(zip(x.months, x.covid, strict=True))
    assert covid[dt.date(2024, 3, 1)] == 50.0 and covid[dt.date(2024, 4, 1)] == 10.0 and covid[LAST] == 0.0
    assert x.working_days[x.months.index(dt.date(2026, 5, 1))] == 17  # May 2026: 21 weekdays, 1st, 8th, 14th, 25th off
    x_past, x_future, names = x.for_series(series.keys[series.index(series_key("paid_search", "FR-ARA"))])
    assert names[0] == "media:paid_search" and "covid_stringency" in names and x_future.shape == (6, len(names))
    x_past, _, names = x.for_series(series.keys[series.index(series_key("organic"))])
    assert not any(n.startswith("media") for n in names)


def test_working_days_come_from_the_calendar_where_it_has_the_month(engine):
    fill_store(engine)
    with engine.begin() as conn:
        conn.execute(insert(Calendar), [dict(
            date=dt.date(2025, 12, 1) + dt.timedelta(days=i), year=2025, quarter=4, month=12, iso_year=2025,
            iso_week=1, iso_weekday=1, week_start=dt.date(2025, 12, 1), month_start=dt.date(2025, 12, 1),
            quarter_start=dt.date(2025, 10, 1), is_working_day=i < 5) for i in range(31)])
    x = build_regressors(engine, build_series(engine), horizon=2)
    assert x.working_days[x.months.index(LAST)] == 5
    assert x.working_days[x.months.index(dt.date(2026, 1, 1))] == 21  # computed: 1 January is a holiday


def test_a_regressor_with_a_true_effect_is_recovered(engine):
    fill_store(engine)
    result = train(engine, run_by="tester", candidates=("regression",), n_jobs=1, sessions_lag=None)
    row = rows(engine, select(ForecastSeries.params).where(
        ForecastSeries.run_id == result.run_id,
        ForecastSeries.series_key == series_key("paid_search", "FR-IDF")))[0][0]
    names = row["regressors"]
    assert names[0] == "media:paid_search"
    coef = regressor_coefficients(row["models"], {"regression": 1.0}, len(names))
    # leads per thousand euros of adstocked spend, estimated with a level, lags, season and trend
    assert coef[0] == pytest.approx(LEADS_PER_KEUR, rel=0.15)
    decay = registry.get_run(engine, result.run_id)["params"]["regressors"]["decay"]["paid_search"]
    assert decay == DECAY


def test_same_data_and_seed_give_the_same_forecasts(engine):
    fill_store(engine)
    first = train(engine, run_by="a", seed=3, candidates=("seasonal_naive", "regression", "sarimax"), n_jobs=1)
    second = train(engine, run_by="b", seed=3, candidates=("seasonal_naive", "regression", "sarimax"), n_jobs=2)
    a = registry.forecasts(engine, first.run_id).drop(columns="run_id")
    b = registry.forecasts(engine, second.run_id).drop(columns="run_id")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    sa = registry.series_results(engine, first.run_id).drop(columns="run_id")
    sb = registry.series_results(engine, second.run_id).drop(columns="run_id")
    pd.testing.assert_frame_equal(sa, sb, check_exact=True)
    # equal is not better: the second run is registered but not champion
    assert first.is_champion and not second.is_champion
    assert "not champion" in second.decision


def test_cutoff_limits_the_data_and_the_plan_gives_the_future(engine):
    fill_store(engine)
    result = train(engine, cutoff="2025-06", run_by="tester", candidates=FAST, n_jobs=1, horizon=3)
    assert result.cutoff == dt.date(2025, 6, 1)
    values = registry.forecasts(engine, result.run_id)
    assert sorted(set(values.month)) == months(dt.date(2025, 7, 1), 3)
    series = registry.series_results(engine, result.run_id)
    assert (series.n_obs == 30).all()
    # months the media plan does not cover take last year's spend, and the run says so
    run = registry.get_run(engine, result.run_id)
    assert any("no media plan for 2025-07, 2025-08, 2025-09" in note for note in run["params"]["notes"])


def test_training_errors_name_the_problem(engine):
    with pytest.raises(DataError, match="no monthly data"):
        train(engine, run_by="tester")
    fill_store(engine)
    with pytest.raises(DataError, match="after the last complete month"):
        train(engine, cutoff="2027-01", run_by="tester")
    with pytest.raises(DataError, match="not a month"):
        train(engine, cutoff="June", run_by="tester")
    assert registry.list_runs(engine) == []


def test_decay_is_chosen_on_the_data_or_defaults():
    rng = np.random.default_rng(1)
    month_list = months()
    spend = rng.uniform(0, 100, 36)
    y = 10 + 0.5 * adstock(spend, 0.7) + rng.normal(0, 1, 36)
    assert choose_decay(y, spend, month_list) == (0.7, "data")
    few = np.zeros(36)
    few[:5] = 10
    assert choose_decay(y, few, month_list)[1] == "default"


def test_decomposition_sums_to_the_forecast_and_finds_the_season():
    month_list = months()
    future = months(dt.date(2026, 1, 1), 6)
    profile = np.array([10, -5, 0, 3, -8, 0, 2, -2, 4, -4, 6, -6], dtype=float)
    profile -= profile.mean()
    y = 100 + 0.5 * np.arange(36) + profile[[m.month - 1 for m in month_list]]
    yhat = 100 + 0.5 * np.arange(36, 42) + profile[[m.month - 1 for m in future]] + 20
    parts = decompose(y, month_list, yhat, future, np.zeros(36), np.full(6, 20.0))
    assert np.allclose(parts.total(), yhat, atol=1e-9)
    assert np.allclose(parts.season, profile[:6], atol=0.5)
    assert np.allclose(parts.media, 20.0) and np.allclose(parts.other, 0, atol=0.5)
    assert np.allclose(parts.trend, 100 + 0.5 * np.arange(36, 42), atol=0.5)
