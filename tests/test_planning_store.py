"""Media planning in the store: the scenario tables (migration, constraints, cascades), the model's
inputs from the marts, and media runs in the registry (fit, round trip, champion rules)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from forecasting import registry as leads_registry
from forecasting.planning import registry
from forecasting.planning.data import model_inputs
from forecasting.series import DataError
from pilotage.store.models import (
    ACTIVITY_MEASURES,
    AppUser,
    ForecastRun,
    MartMonthly,
    PlanScenario,
    PlanScenarioCell,
    Region,
    Target,
)

from .forecast_helpers import DECAY, LEADS_PER_KEUR, REGIONS, fill_store, months

PLAN_TABLES = ("plan_scenario", "plan_scenario_cell")


# --- the tables -----------------------------------------------------------------------------

def test_migration_creates_and_drops_the_scenario_tables(engine):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pilotage.store.migrate import alembic_config, upgrade
    from pilotage.store.models import Base

    def tables() -> set[str]:
        return set(inspect(engine).get_table_names())

    assert set(PLAN_TABLES) <= tables()
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert not set(PLAN_TABLES) & tables() and "forecast_run" in tables()
    upgrade(engine)
    assert set(PLAN_TABLES) <= tables()
    with engine.connect() as conn:  # the migration builds exactly what the models describe
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if any(t in repr(d) for t in PLAN_TABLES)] == []


def _user(conn, email: str) -> int:
    return conn.execute(insert(AppUser).values(email=email, password_hash="x", role="planner", scope="*",
                                               created_at=dt.datetime(2026, 1, 1)).returning(AppUser.id)).scalar_one()


def _scenario(conn, owner: int, name: str, scope: str = "national", run_id: int | None = None) -> int:
    now = dt.datetime(2026, 11, 2, 9, 30)
    return conn.execute(insert(PlanScenario).values(owner_id=owner, name=name, scope_code=scope, run_id=run_id,
                                                    created_at=now, updated_at=now)
                        .returning(PlanScenario.id)).scalar_one()


def _media_run(conn) -> int:
    return leads_registry.store_run(conn, dict(kind="media", created_at=dt.datetime(2026, 11, 1), run_by="t",
                                               cutoff=dt.date(2026, 10, 1), code_version="test", seed=0, status="ok",
                                               horizon=6, n_series=1, duration_s=1.0, params={}), [], [])


def test_a_scenario_name_is_unique_per_owner_and_scope(engine):
    with engine.begin() as conn:
        alice, bob = _user(conn, "alice@x.fr"), _user(conn, "bob@x.fr")
        _scenario(conn, alice, "Plan A")
        _scenario(conn, alice, "Plan A", scope="FR-IDF")  # same name, other scope
        _scenario(conn, bob, "Plan A")  # same name, other owner
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _scenario(conn, alice, "Plan A")
    with engine.connect() as conn:
        assert conn.execute(select(PlanScenario.note).where(PlanScenario.owner_id == alice)).scalars().all() == [
            "", ""]
    with pytest.raises(IntegrityError), engine.begin() as conn:  # spend is never negative
        conn.execute(insert(PlanScenarioCell).values(scenario_id=1, month=dt.date(2026, 11, 1),
                                                     channel_code="radio", spend=-1.0))


def test_deletes_cascade_to_cells_and_scenarios_and_a_deleted_run_is_forgotten(engine):
    with engine.begin() as conn:
        alice, bob = _user(conn, "alice@x.fr"), _user(conn, "bob@x.fr")
        run = _media_run(conn)
        kept, dropped = _scenario(conn, alice, "Keep", run_id=run), _scenario(conn, alice, "Drop")
        bobs = _scenario(conn, bob, "Bob's", run_id=run)
        cells = [dict(scenario_id=s, month=dt.date(2026, 11 + i, 1), channel_code=c, spend=1000.0 * (i + 1))
                 for s in (kept, dropped, bobs) for i in range(2) for c in ("radio", "display")]
        conn.execute(insert(PlanScenarioCell), cells)

    def count(statement) -> int:
        with engine.connect() as conn:
            return len(conn.execute(statement).all())

    with engine.begin() as conn:
        conn.execute(delete(PlanScenario).where(PlanScenario.id == dropped))
    assert count(select(PlanScenarioCell).where(PlanScenarioCell.scenario_id == dropped)) == 0
    assert count(select(PlanScenarioCell)) == 8
    with engine.begin() as conn:
        conn.execute(delete(AppUser).where(AppUser.id == bob))
    assert count(select(PlanScenario).where(PlanScenario.owner_id == bob)) == 0
    assert count(select(PlanScenarioCell)) == 4
    with engine.begin() as conn:
        conn.execute(delete(ForecastRun).where(ForecastRun.id == run))
    with engine.connect() as conn:
        assert conn.execute(select(PlanScenario.id, PlanScenario.run_id)).all() == [(kept, None)]
    assert count(select(PlanScenarioCell)) == 4


# --- the model's inputs ---------------------------------------------------------------------

def test_inputs_per_scope_are_the_marts_leads_spend_plan_and_targets(engine):
    truth = fill_store(engine)
    with engine.begin() as conn:
        conn.execute(insert(Target), [
            dict(source_system="t", period_start=dt.date(2026, 1, 1), grain="month", kpi="qualified_leads",
                 region_code=code, channel_code="", value=value)
            for code, value in (("all", 500.0), ("FR-IDF", 300.0), ("FR-ARA", 190.0))])
    notes: list[str] = []
    inputs = model_inputs(engine, notes=notes)
    assert list(inputs) == ["national", "FR-ARA", "FR-IDF"]
    for scope, regions in (("national", REGIONS), ("FR-IDF", ("FR-IDF",)), ("FR-ARA", ("FR-ARA",))):
        got = inputs[scope]
        assert got.periods == months() and got.channels == ["paid_search"]
        leads = sum(truth["leads"][(c, r)] for c in ("organic", "paid_search") for r in regions)
        np.testing.assert_array_equal(got.y, leads)
        spend = sum(np.round(truth["spend"][("paid_search", r)], 2) for r in regions)
        np.testing.assert_allclose(got.spend[:, 0], spend, atol=0.01)
        # no Covid data in this store: only working days vary (January 2024: 22 working days in France)
        assert got.control_names == ["working_days"] and got.controls[12, 0] == 22
    assert notes == ["left out (constant over the history): covid_stringency"]
    # the plan: FR-IDF's own rows, and the national row (20,000 EUR) spread by last year's regional spend
    recent = {r: truth["spend"][("paid_search", r)][-12:].round(2).sum() for r in REGIONS}
    idf_share = recent["FR-IDF"] / sum(recent.values())
    plan = {s: inputs[s].plan for s in inputs}
    assert plan["national"].months == months(dt.date(2026, 1, 1), 6)
    np.testing.assert_allclose(plan["national"].spend[:, 0], 50_000 + 1000 * np.arange(6))
    np.testing.assert_allclose(plan["FR-IDF"].spend[:, 0], 30_000 + 1000 * np.arange(6) + 20_000 * idf_share)
    np.testing.assert_allclose(plan["FR-ARA"].spend[:, 0], 20_000 * (1 - idf_share))
    assert plan["FR-IDF"].controls.shape == (6, 1) and plan["FR-IDF"].controls[0, 0] == 21  # January 2026
    assert {s: i.targets for s, i in inputs.items()} == {
        "national": {dt.date(2026, 1, 1): 500.0}, "FR-IDF": {dt.date(2026, 1, 1): 300.0},
        "FR-ARA": {dt.date(2026, 1, 1): 190.0}}
    # a cut-off limits the history; the plan then starts the month after it
    earlier = model_inputs(engine, "2025-06")
    assert earlier["national"].periods[-1] == dt.date(2025, 6, 1)
    assert earlier["national"].plan.months[0] == dt.date(2025, 7, 1)


def _mart_rows(region: str, channel: str, spend: np.ndarray, leads: np.ndarray) -> list[dict]:
    rows = []
    for i, month in enumerate(months()):
        row = dict.fromkeys(ACTIVITY_MEASURES, 0)
        row.update(month=month, channel_code=channel, campaign_code="national", source_code="", region_code=region,
                   qualified_leads=int(leads[i]), spend=float(spend[i]))
        rows.append(row)
    return rows


def test_spend_booked_on_the_country_is_spread_over_the_regions_and_small_regions_are_skipped(engine):
    truth = fill_store(engine, plan=False)
    tv = np.full(len(months()), 9000.0)
    paid = np.full(len(months()), 1000.0)
    with engine.begin() as conn:
        conn.execute(insert(Region), [dict(code="FR-COR", name="Corse", level="region", parent_code="FR")])
        conn.execute(insert(MartMonthly), _mart_rows("FR", "national_tv", tv, np.zeros(len(tv)))
                     + _mart_rows("FR", "paid_search", paid, np.zeros(len(tv)))
                     + _mart_rows("FR-COR", "organic", np.zeros(len(tv)), np.full(len(tv), 3)))
    notes: list[str] = []
    inputs = model_inputs(engine, notes=notes)
    assert "FR-COR" not in inputs
    assert "region FR-COR skipped: 3.0 qualified leads a month on average (at least 20 needed)" in notes
    national = inputs["national"]
    assert national.channels == ["national_tv", "paid_search"]
    np.testing.assert_allclose(national.spend.sum(axis=0), [tv.sum(), paid.sum() + sum(
        np.round(truth["spend"][("paid_search", r)], 2).sum() for r in REGIONS)], rtol=1e-9)
    # paid_search on the country follows the channel's regional bookings; national TV, never booked per
    # region, follows the regions' qualified leads
    booked = {r: np.round(truth["spend"][("paid_search", r)], 2).sum() for r in REGIONS}
    leads = {r: sum(truth["leads"][(c, r)].sum() for c in ("organic", "paid_search")) for r in REGIONS}
    for region in REGIONS:
        got = inputs[region]
        tv_share = leads[region] / (sum(leads.values()) + 3 * len(tv))
        np.testing.assert_allclose(got.spend[:, 0], tv * tv_share)
        np.testing.assert_allclose(got.spend[:, 1].sum(), booked[region] + paid.sum() * booked[region]
                                   / sum(booked.values()))
    assert sum(inputs[r].spend[:, 0].sum() for r in REGIONS) + tv.sum() * 3 * len(tv) / (
        sum(leads.values()) + 3 * len(tv)) == pytest.approx(tv.sum())
    assert national.plan.months == months(dt.date(2026, 1, 1), 6)  # no plan: last year's spend stands in
    assert any("no media plan for 2026-01" in n for n in notes)
    np.testing.assert_allclose(national.plan.spend[0], national.spend[-12])


def test_inputs_say_what_is_missing(engine):
    with pytest.raises(DataError, match="no monthly data"):
        model_inputs(engine)


# --- media runs ---------------------------------------------------------------------------------

FAST = dict(n_boot=4, n_jobs=1)


def test_a_media_run_stores_models_that_round_trip_and_explain_the_history(engine):
    truth = fill_store(engine)
    result = registry.fit_and_register(engine, run_by="alice", **FAST)
    assert result.is_champion and result.decision == "champion: first run (no champion before)"
    run, models = registry.champion_models(engine)
    assert run["id"] == result.run_id and run["kind"] == "media" and run["status"] == "ok"
    assert (run["run_by"], run["cutoff"], run["n_series"], run["horizon"]) == ("alice", dt.date(2025, 12, 1), 3, 6)
    assert list(models) == ["national", "FR-ARA", "FR-IDF"]
    with engine.connect() as conn:  # a connection works as well as an engine
        assert list(registry.champion_models(conn)[1]) == list(models)
    y = sum(truth["leads"][(c, r)] for c in ("organic", "paid_search") for r in REGIONS).astype(float)
    for scope, model in models.items():
        fresh = result.models[scope]
        np.testing.assert_allclose(model.fitted().total, fresh.fitted().total, rtol=1e-9)
        assert len(model.draws) == 4 and model.channels == ["paid_search"]
    national = models["national"]
    np.testing.assert_array_equal(national.y, y)
    fitted = national.fitted().total
    assert 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2) > 0.9
    # the drawn response is linear: LEADS_PER_KEUR per 1000 EUR of adstock, so a steady extra EUR brings
    # LEADS_PER_KEUR / 1000 / (1 - DECAY) leads
    true_cost = 1000 * (1 - DECAY) / LEADS_PER_KEUR
    assert national.marginal_cost()[0] == pytest.approx(true_cost, rel=0.25)
    # the holdout: its figures are the run's accuracy
    assert run["mase"] == pytest.approx(result.holdout["mase"]) and run["mase"] < run["naive_mase"]
    assert len(result.holdout["months"]) == 6 and 0 < run["smape"] < 10
    # the current plan and the targets, read back for the app
    plan = registry.current_plan(engine, "FR-IDF")
    np.testing.assert_allclose(plan.spend, result.plans["FR-IDF"].spend)
    assert plan.channels == ["paid_search"] and plan.control_names == national.controls
    assert registry.current_plan(engine, "FR-XX") is None and registry.targets(engine, "national") == {}
    stored = leads_registry.series_results(engine, run["id"])
    assert sorted(stored["series_key"]) == ["region:FR-ARA", "region:FR-IDF", "total"]


def test_media_champion_rules_promote_rollback_and_failures(engine, monkeypatch):
    fill_store(engine)
    first = registry.fit_and_register(engine, run_by="alice", regions=[], **FAST)
    assert first.is_champion and list(first.models) == ["national"]
    older = registry.fit_and_register(engine, "2025-09", run_by="bob", regions=["FR-IDF"], **FAST)
    assert not older.is_champion and "older than champion" in older.decision
    assert list(older.models) == ["national", "FR-IDF"]
    # a worse run (by holdout MASE) on the same data stays behind the champion
    with engine.begin() as conn:
        conn.execute(update(ForecastRun).where(ForecastRun.id == first.run_id).values(mase=0.01))
    same = registry.fit_and_register(engine, run_by="carol", regions=[], **FAST)
    assert not same.is_champion and same.decision.startswith("not champion: national holdout MASE")
    # a lead forecast run cannot become the media champion, nor the other way round
    with engine.begin() as conn:
        leads_run = leads_registry.store_run(conn, dict(kind="leads", created_at=dt.datetime(2026, 1, 2),
                                                        cutoff=dt.date(2025, 12, 1), run_by="t", code_version="t",
                                                        seed=0, status="ok", horizon=6, params={}), [], [])
    with pytest.raises(registry.RegistryError, match=f"run {leads_run} is a 'leads' run, not 'media'"):
        registry.promote(engine, leads_run, "dave")
    assert leads_registry.champion(engine) is None
    assert registry.promote(engine, older.run_id, "dave", "planners asked") == (
        f"run {older.run_id} is the champion (was run {first.run_id})")
    assert registry.champion_models(engine)[0]["id"] == older.run_id
    assert registry.rollback(engine, None, "erin") == f"run {first.run_id} is the champion again (was run " \
                                                      f"{older.run_id})"
    assert [r["id"] for r in registry.list_runs(engine)] == [same.run_id, older.run_id, first.run_id]
    with pytest.raises(registry.RegistryError, match="no media run 99"):
        registry.run_models(engine, 99)
    with pytest.raises(DataError, match="FR-XX"):
        registry.fit_and_register(engine, regions=["FR-XX"], **FAST)

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr("forecasting.planning.fit.fit_response", broken)
    with pytest.raises(RuntimeError) as raised:
        registry.fit_and_register(engine, run_by="cron", **FAST)
    failed = leads_registry.get_run(engine, raised.value.failed_run_id)
    assert (failed["kind"], failed["status"], failed["is_champion"], failed["message"]) == (
        "media", "failed", False, "RuntimeError: solver crashed")
    assert registry.champion_models(engine)[0]["id"] == first.run_id
