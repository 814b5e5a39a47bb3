"""The forecast of record (:mod:`forecasting.record`): the champion's reconciled forecast of a scope, drivers
from one decomposition that add up to it (media from the response model's carry-over and saturation), a
scenario equal to the current plan that gives it exactly, the backtest accuracy by horizon stored at
training, planners' overrides that never touch the model's figures, and the "last month outside the 95%
interval" state recomputed after each training and each load.

The store is the small hand-made company of :mod:`tests.forecast_helpers` (2 channels x 2 regions, 36
months), trained with the fast candidates and a response model with a few bootstrap draws.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import func, select, update

from etl.pipeline import load_file
from forecasting import record, registry
from forecasting.intervals import LEVELS, backtest_coverage
from forecasting.planning.data import current_plan
from forecasting.planning.registry import champion_models, fit_and_register
from forecasting.planning.scenario import simulate, simulate_on_record
from forecasting.selection import INTERVAL_METHOD
from forecasting.training import horizon_accuracy, train
from pilotage.hooks import after_load
from pilotage.store.models import ForecastIntervalState, ForecastOverride, MartMonthly, MediaPlan

from .forecast_helpers import FAST, REGIONS, fill_store
from .helpers import write

NATIONAL = "national"


@pytest.fixture
def trained(engine):
    """The hand-made store with a lead champion (cut-off Nov 2025: it forecasts Dec 2025, the last month of
    data, so that the interval state has something to compare) and a media champion."""
    fill_store(engine)
    lead = train(engine, cutoff="2025-11", run_by="test", candidates=FAST, n_jobs=1)
    media = fit_and_register(engine, cutoff="2025-11", run_by="test", n_boot=8, n_jobs=1)
    return engine, lead, media


RECORD_TABLES = ("forecast_accuracy", "forecast_override", "forecast_interval_state")


def test_the_migration_creates_and_drops_the_record_tables(engine):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from pilotage.store.migrate import alembic_config, upgrade
    from pilotage.store.models import Base

    def tables() -> set[str]:
        return set(inspect(engine).get_table_names())

    assert set(RECORD_TABLES) <= tables()
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    assert not set(RECORD_TABLES) & tables() and "forecast_run" in tables()
    upgrade(engine)
    assert set(RECORD_TABLES) <= tables()
    with engine.connect() as conn:  # the migration builds exactly what the models describe
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if any(t in repr(d) for t in RECORD_TABLES)] == []


# --- accuracy by horizon ----------------------------------------------------------------------------------

def test_horizon_accuracy_scores_each_horizon_against_the_seasonal_naive():
    rng = np.random.default_rng(3)
    n, H = 48, 3
    y = 100 + 10 * np.sin(np.arange(n) * 2 * np.pi / 12) + rng.normal(0, 2, n)
    origins = np.arange(30, n)
    errors = rng.normal(0, 3, (len(origins), H)) * np.arange(1, H + 1)
    errors[-1, 1:] = np.nan  # windows cut by the end of the data
    errors[-2, 2:] = np.nan
    rows = {r["horizon"]: r for r in horizon_accuracy(y, origins, errors, H)}
    assert sorted(rows) == [0, 1, 2, 3]
    for h in (1, 2, 3):
        cells = [(o, errors[i, h - 1]) for i, o in enumerate(origins) if np.isfinite(errors[i, h - 1])]
        assert rows[h]["n"] == len(cells)
        scaled = [abs(e) / np.mean(np.abs(y[12:o] - y[:o - 12])) for o, e in cells]
        assert rows[h]["mase"] == pytest.approx(np.mean(scaled))
        naive = [abs(y[o + h - 1] - y[o + h - 1 - 12]) / np.mean(np.abs(y[12:o] - y[:o - 12])) for o, _ in cells]
        assert rows[h]["naive_mase"] == pytest.approx(np.mean(naive))
        assert 0 <= rows[h]["coverage80"] <= rows[h]["coverage95"] <= 1
    assert rows[0]["n"] == sum(rows[h]["n"] for h in (1, 2, 3))
    assert rows[0]["mase"] == pytest.approx(np.mean([rows[h]["mase"] for h in (1, 2, 3)]))
    pooled = backtest_coverage(errors, LEVELS, method=INTERVAL_METHOD)
    assert (rows[0]["coverage80"], rows[0]["coverage95"]) == (pooled[0.8], pooled[0.95])
    # the interval of a total widens with the months it adds up, and the 95% one is the wider
    halves = [rows[h]["sum_half95"] for h in (1, 2, 3)]
    assert halves == sorted(halves) and all(rows[h]["sum_half80"] < rows[h]["sum_half95"] for h in (1, 2, 3))


def test_training_stores_the_backtest_of_the_forecasts_as_shown(engine):
    fill_store(engine)
    result = train(engine, run_by="test", candidates=FAST, n_jobs=1)
    stored = registry.accuracy(engine, result.run_id)
    series = registry.series_results(engine, result.run_id)
    assert set(stored["series_key"]) == set(series["series_key"])
    assert sorted(stored["horizon"].unique()) == list(range(result.horizon + 1))
    total = stored[stored["series_key"] == "total"].set_index("horizon")
    assert total.loc[0, "reconciled"] and total.loc[0, "n"] == total.loc[1:, "n"].sum()
    # the intervals shown are calibrated on the same reconciled backtest: same coverage
    own = series.set_index("series_key").loc["total"]
    assert total.loc[0, "coverage80"] == pytest.approx(own["coverage80"])
    assert total.loc[0, "coverage95"] == pytest.approx(own["coverage95"])
    assert (total.loc[1:, "mase"] > 0).all() and (total.loc[1:, "naive_mase"] > 0).all()
    effects = own["params"]["effects"]  # what the regression attributes to each regressor, per forecast month
    assert all(len(v) == result.horizon for v in effects.values())


# --- the forecast of record and its drivers -----------------------------------------------------------------

def test_the_forecast_of_record_is_the_champions_reconciled_series(trained):
    engine, lead, _media = trained
    stored = registry.forecasts(engine, lead.run_id)
    for scope, key in ((NATIONAL, "total"), ("FR-IDF", "region:FR-IDF")):
        found = record.forecast_of_record(engine, [scope])
        rows = stored[stored["series_key"] == key]
        assert found.run_id == lead.run_id and found.months == list(rows["month"])
        assert list(found.yhat) == list(rows["yhat"])
        assert list(found.bands[0.95][0]) == list(rows["lo95"]) and list(found.bands[0.8][1]) == list(rows["hi80"])
    both = record.forecast_of_record(engine, list(REGIONS))
    regions = [stored[stored["series_key"] == f"region:{r}"]["yhat"].to_numpy() for r in REGIONS]
    assert both.yhat == pytest.approx(regions[0] + regions[1], abs=1e-9) and both.bands == {}


def test_drivers_come_from_the_response_model_and_add_up_to_the_forecast(trained):
    engine, _lead, media = trained
    run, models = champion_models(engine)
    for scope in (NATIONAL, *REGIONS):
        found = record.forecast_of_record(engine, [scope])
        assert found.basis == {scope: "response"} and found.media_run_id == run["id"]
        total = np.sum(list(found.drivers.values()), axis=0)
        assert total == pytest.approx(found.yhat, abs=1e-9)
        # media: the response model's contributions under the current plan, carry-over from the history included
        model = models[scope]
        plan = current_plan(engine, scope, model.periods[-1], model.channels, model.controls, months=found.months)
        predicted = model.predict(plan.spend, found.months, plan.controls, carry_in=model.carry_out())
        for c, channel in enumerate(model.channels):
            assert found.drivers[f"media:{channel}"] == pytest.approx(predicted.contributions[:, c], abs=1e-9)
        structural = sum(v for k, v in found.drivers.items() if k not in ("sessions", "other"))
        assert structural == pytest.approx(predicted.total, abs=1e-9)
    # several scopes add up part by part
    parts = [record.forecast_of_record(engine, [r]).drivers for r in REGIONS]
    both = record.forecast_of_record(engine, list(REGIONS)).drivers
    assert set(both) == set(parts[0]) | set(parts[1])
    for name, values in both.items():
        assert values == pytest.approx(parts[0].get(name, 0) + parts[1].get(name, 0), abs=1e-9)


def test_without_a_response_model_the_lead_decomposition_stands(engine):
    fill_store(engine)
    lead = train(engine, run_by="test", candidates=FAST, n_jobs=1)
    found = record.forecast_of_record(engine, [NATIONAL])
    assert found.basis == {NATIONAL: "lead"} and found.media_run_id is None
    assert list(found.drivers) == ["trend", "season", "media", "sessions", "other"]
    assert np.sum(list(found.drivers.values()), axis=0) == pytest.approx(found.yhat, abs=1e-9)
    stored = registry.forecasts(engine, lead.run_id, ["total"])
    assert list(found.drivers["media"]) == list(stored["media"])


def test_a_media_plan_changed_after_training_is_said(trained):
    engine, _lead, _media = trained
    found = record.forecast_of_record(engine, [NATIONAL])
    assert found.plan_changed == []  # the plan the run assumed is the plan in the store
    month = found.months[2]
    with engine.begin() as conn:
        conn.execute(update(MediaPlan).where(MediaPlan.month == month, MediaPlan.region_code == "FR-IDF")
                     .values(planned_spend=MediaPlan.planned_spend + 5000))
    assert record.forecast_of_record(engine, [NATIONAL]).plan_changed == [month]
    assert list(record.forecast_of_record(engine, [NATIONAL]).yhat) == list(found.yhat)  # still the run's


# --- scenarios on the forecast of record ----------------------------------------------------------------------

def test_a_scenario_equal_to_the_current_plan_is_the_forecast_of_record_exactly(trained):
    engine, _lead, _media = trained
    _run, models = champion_models(engine)
    model = models[NATIONAL]
    found = record.forecast_of_record(engine, [NATIONAL])
    plan = current_plan(engine, NATIONAL, model.periods[-1], model.channels, model.controls, months=found.months)
    path = found.path(found.months)
    same = simulate_on_record(model, plan.spend.copy(), plan.spend, path, periods=found.months,
                              controls=plan.controls)
    assert list(same.leads) == list(found.yhat)
    for level in LEVELS:
        assert list(same.intervals[level][0]) == list(found.bands[level][0])
        assert list(same.intervals[level][1]) == list(found.bands[level][1])
        assert same.total_intervals[level] == found.total_bands(found.months)[level]
    # more spend: the forecast of record moved by the response model's difference, with a wider interval
    more = plan.spend * 1.5
    moved = simulate_on_record(model, more, plan.spend, path, periods=found.months, controls=plan.controls)
    alone = [simulate(model, p, found.months, controls=plan.controls) for p in (more, plan.spend)]
    assert moved.leads == pytest.approx(found.yhat + alone[0].leads - alone[1].leads, abs=1e-9)
    assert np.all(moved.leads > found.yhat)
    for level in LEVELS:
        low, high = moved.intervals[level]
        assert np.all(high - low >= found.bands[level][1] - found.bands[level][0] - 1e-9)
        assert np.all(low <= moved.leads) and np.all(moved.leads <= high)


def test_the_total_interval_is_the_stored_interval_of_the_sum(trained):
    engine, lead, _media = trained
    found = record.forecast_of_record(engine, [NATIONAL])
    rows = registry.accuracy(engine, lead.run_id, ["total"]).set_index("horizon")
    bands = found.total_bands(found.months)
    k = len(found.months)
    total = float(found.yhat.sum())
    assert bands[0.95] == pytest.approx((max(total - rows.loc[k, "sum_half95"], 0), total + rows.loc[k, "sum_half95"]))
    assert bands[0.8][1] - bands[0.8][0] < bands[0.95][1] - bands[0.95][0]


# --- overrides ------------------------------------------------------------------------------------------------

def test_overrides_are_kept_beside_the_model_and_can_be_removed(trained):
    engine, lead, _media = trained
    before = registry.forecasts(engine, lead.run_id)
    month = record.forecast_of_record(engine, [NATIONAL]).months[1]
    record.set_override(engine, NATIONAL, month, 1234.0, "  trade fair  in March ", "planner@x.fr",
                        run_id=lead.run_id, model_value=99.0)
    found = record.forecast_of_record(engine, [NATIONAL])
    assert found.overrides[month]["value"] == 1234.0 and found.overrides[month]["reason"] == "trade fair in March"
    assert found.overrides[month]["created_by"] == "planner@x.fr" and found.overrides[month]["model_value"] == 99.0
    assert registry.forecasts(engine, lead.run_id).equals(before)  # the model's figures are untouched
    record.set_override(engine, NATIONAL, month, 1300.0, "revised", "planner@x.fr")
    assert record.current_overrides(engine, [NATIONAL])[(NATIONAL, month)]["value"] == 1300.0
    record.set_override(engine, NATIONAL, month, None, "fair cancelled", "planner@x.fr")
    assert record.current_overrides(engine, [NATIONAL]) == {}
    assert [h["value"] for h in record.override_history(engine, [NATIONAL])] == [None, 1300.0, 1234.0]
    assert record.forecast_of_record(engine, ["FR-IDF"]).overrides == {}  # another scope's


@pytest.mark.parametrize(("value", "reason", "code"), [(10.0, "  ", "reason"), (10.0, "x" * 501, "reason_long"),
                                                       (-1.0, "why", "value"), (math.inf, "why", "value"),
                                                       (math.nan, "why", "value"), (1e9, "why", "value")])
def test_an_override_needs_a_reason_and_a_plausible_number(engine, value, reason, code):
    with pytest.raises(record.OverrideError) as raised:
        record.set_override(engine, NATIONAL, dt.date(2026, 1, 1), value, reason, "planner@x.fr")
    assert raised.value.code == code
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ForecastOverride)).scalar() == 0


# --- last month against the 95% interval --------------------------------------------------------------------

def _states(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.scope_code: dict(r._mapping) for r in conn.execute(select(ForecastIntervalState))}


def test_the_interval_state_of_every_scope_is_computed_after_training(trained):
    engine, lead, _media = trained
    states = _states(engine)
    assert set(states) == {NATIONAL, *REGIONS}
    stored = registry.forecasts(engine, lead.run_id)
    december = stored[stored["month"] == dt.date(2025, 12, 1)].set_index("series_key")
    with engine.connect() as conn:
        actual = conn.execute(select(func.sum(MartMonthly.qualified_leads))
                              .where(MartMonthly.month == dt.date(2025, 12, 1))).scalar()
    national = states[NATIONAL]
    assert (national["month"], national["run_id"], national["trigger"]) == (dt.date(2025, 12, 1), lead.run_id,
                                                                            "training")
    assert national["actual"] == actual and national["lo95"] == december.loc["total", "lo95"]
    inside = december.loc["total", "lo95"] <= actual <= december.loc["total", "hi95"]
    assert national["state"] == ("inside" if inside else "outside")
    assert record.interval_states(engine, [NATIONAL])[NATIONAL] == national


def test_the_interval_state_is_recomputed_after_a_load(trained, tmp_path):
    engine, _lead, _media = trained
    # December's leads drop far below the forecast (a corrected mart), then a load fires the after-load step
    with engine.begin() as conn:
        conn.execute(update(MartMonthly).where(MartMonthly.month == dt.date(2025, 12, 1)).values(qualified_leads=0))
    assert after_load(engine) == []  # the entry point runs and nothing fails
    assert {s["state"] for s in _states(engine).values()} == {"outside"}
    # a real load: ads of every day of December (its marts are rebuilt from the facts, which hold no lead)
    header = "date,campaign,channel,region,impressions,clicks,spend\n"
    days = [dt.date(2025, 12, 1) + dt.timedelta(days=i) for i in range(31)]
    path = write(tmp_path / "ads.csv", header + "".join(f"{d},c1,paid_search,FR-IDF,100,5,10.00\n" for d in days))
    report = load_file(path, engine=engine)
    states = _states(engine)
    assert {s["trigger"] for s in states.values()} == {"load"}
    assert {s["etl_run_id"] for s in states.values()} == {report.run_id}
    assert states[NATIONAL]["month"] == dt.date(2025, 12, 1) and states[NATIONAL]["state"] == "outside"
