"""The pooled geo model as the champion media model on the demo: fed from the store, registered as a media
run of model ``geo`` with its identification table, champion when its national holdout beats the current
champion's; its regions as exact response models (the optimiser allocates channel x region x month on them
within the historical ranges) and the national scope as their sum (a scenario equal to the current plan is
the forecast of record); the planning page says which model is champion, in English and French."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashapp import i18n
from dashapp.pages.planning import callbacks as cb
from forecasting.planning import registry
from forecasting.planning.data import model_inputs
from forecasting.planning.geo import GEO_REASONS
from forecasting.planning.geo_run import fit_and_register_geo, fit_panel, geo_panel, model_kind, scope_models
from forecasting.planning.geo_weekly import predict_months
from forecasting.planning.optimise import optimise_geo
from forecasting.planning.scenario import RecordPath, simulate_on_record
from forecasting.planning.transforms import adstock, hill
from pilotage.store.engine import get_engine
from pilotage.store.models import NATIONAL_SCOPE

from .app_helpers import copy_sqlite, dash_post, switch_language
from .test_app_planning import PLANNER, _add_users, logged_in_client, multi, scope_input
from .test_planning_cli import demo_store  # noqa: F401 (a fixture)

N_BOOT = 6


@pytest.fixture(scope="module")
def geo_store(demo_sqlite_url, tmp_path_factory) -> dict:
    """A copy of the demo store: a national run, then the geo run (the rule decides between them)."""
    url = copy_sqlite(demo_sqlite_url, tmp_path_factory.mktemp("geo") / "geo.sqlite3")
    engine = get_engine(url)
    national = registry.fit_and_register(engine, run_by="test", n_boot=N_BOOT, n_jobs=1, regions=[])
    geo = fit_and_register_geo(engine, run_by="test", n_boot=N_BOOT, n_jobs=1)
    _add_users(url)
    return {"url": url, "engine": engine, "national": national, "geo": geo}


def test_the_geo_run_is_stored_with_its_identification_and_wins_the_holdout(geo_store):
    engine, national, geo = geo_store["engine"], geo_store["national"], geo_store["geo"]
    run, models = registry.run_models(engine, geo.run_id)
    assert model_kind(run) == "geo" and run["status"] == "ok"
    # every top region with leads and spend is pooled, and the national scope is their sum
    panel_ = geo_panel(model_inputs(engine, pooled=True))
    assert list(models) == [NATIONAL_SCOPE, *panel_.regions] and len(panel_.regions) >= 10
    assert np.allclose(panel_.y.sum(axis=0) + panel_.remainder, panel_.national.y)
    table = run["params"]["geo"]
    assert [r["channel"] for r in table["channels"]] == geo.geo.channels
    for row in table["channels"]:
        assert row["identified"] == (row["reason"] == "")
        if not row["identified"]:
            assert row["reason"] in GEO_REASONS and row["remedy"]
    unidentified = sum(r["share"] for r in table["channels"] if not r["identified"])
    assert table["unattributed_share"] == pytest.approx(unidentified)
    # the champion rule: the geo run wins exactly when its holdout MASE is below the national run's
    assert national.is_champion and national.holdout["mase"] is not None
    assert geo.is_champion == (geo.holdout["mase"] < national.holdout["mase"])
    assert geo.is_champion, (geo.holdout["mase"], national.holdout["mase"])  # on the demo, pooling wins
    champion, _ = registry.champion_models(engine)
    assert champion["id"] == geo.run_id


def test_the_regions_are_the_geo_models_own_responses(geo_store):
    # the demo has daily facts: the geo run is fitted on weeks and each region read as its monthly model
    geo = geo_store["geo"]
    assert geo.geo.frequency == "week" and geo.weekly is not None
    _, contributions = predict_months(geo.geo, geo.weekly)
    for r, code in enumerate(geo.geo.regions):
        fitted = geo.models[code].fitted()
        assert fitted.contributions.sum(axis=0) == pytest.approx(contributions[r].sum(axis=0), abs=1e-6)
    # fitted on months, a region's model is exactly its geo response
    panel_ = geo_panel(model_inputs(geo_store["engine"], pooled=True))
    monthly = fit_panel(panel_, 0, 0, 1)
    models = scope_models(monthly, panel_.national.y)
    total, contributions = monthly.fitted()
    for r, code in enumerate(monthly.regions):
        fitted = models[code].fitted()
        assert np.allclose(fitted.total, total[r]) and np.allclose(fitted.contributions, contributions[r])
    # a national plan spread by region size: the national model is exactly the regions' sum
    national = geo.models[NATIONAL_SCOPE]
    size = geo.geo.size / geo.geo.size.sum()
    plan = np.random.default_rng(3).uniform(0, 2, size=national.spend.shape) * national.spend.mean(axis=0)
    summed = np.zeros(len(national.periods))
    for r, code in enumerate(geo.geo.regions):
        p = geo.models[code].params
        stock = adstock((plan * size[r]).T, p.decay)
        summed += (p.beta[:, None] * hill(stock, p.half[:, None], p.shape[:, None])).sum(axis=0)
    assert np.allclose(national.predict(plan, national.periods).contributions.sum(axis=1), summed)


def test_the_current_plan_on_the_geo_champion_is_the_forecast_of_record(geo_store):
    engine = geo_store["engine"]
    run, models = registry.champion_models(engine)
    for scope in (NATIONAL_SCOPE, geo_store["geo"].geo.regions[0]):
        plan = registry.current_plan(engine, scope, run)
        record = RecordPath(np.linspace(100, 150, len(plan.months)), {0.8: (np.full(len(plan.months), 90.0),
                                                                           np.full(len(plan.months), 170.0))},
                            {0.8: (700.0, 800.0)})
        same = simulate_on_record(models[scope], plan.spend, plan.spend, record, plan.months, plan.controls,
                                  levels=(0.8,))
        assert np.array_equal(same.leads, record.leads) and same.total_intervals[0.8] == (700.0, 800.0)
        more = plan.spend * 1.2
        moved = simulate_on_record(models[scope], more, plan.spend, record, plan.months, plan.controls, levels=(0.8,))
        assert not np.array_equal(moved.leads, record.leads)


def test_the_optimiser_on_the_geo_champion_stays_within_the_historical_ranges(geo_store):
    engine = geo_store["engine"]
    run, models = registry.champion_models(engine)
    regions = {code: models[code] for code in geo_store["geo"].geo.regions}
    months = registry.current_plan(engine, NATIONAL_SCOPE, run).months
    channels = sorted({c for m in regions.values() for c in m.channels})
    reference = np.zeros((len(months), len(regions), len(channels)))
    for r, code in enumerate(regions):
        plan = registry.current_plan(engine, code, run)
        reference[:, r, [channels.index(c) for c in plan.channels]] = plan.spend[:len(months)]
    budget = float(reference.sum())
    allocation = optimise_geo(regions, months, budget=budget, reference=reference)
    assert allocation.spend.shape == (len(months), len(regions), len(allocation.channels))
    assert allocation.spend.sum() == pytest.approx(budget, rel=1e-6)
    for r, code in enumerate(regions):
        model = regions[code]
        low, high = model.spend_range()
        for c, channel in enumerate(allocation.channels):
            if channel in model.channels:
                j = model.channels.index(channel)
                assert np.all(allocation.spend[:, r, c] >= low[j] - 1e-6)
                assert np.all(allocation.spend[:, r, c] <= high[j] + 1e-6)


def test_plan_optimise_allocates_by_region_on_the_geo_champion(geo_store, monkeypatch):
    from pilotage.settings import get_settings

    from .test_planning_cli import _cli

    engine = geo_store["engine"]
    run, models = registry.champion_models(engine)
    assert model_kind(run) == "geo"
    regions = geo_store["geo"].geo.regions
    budget = 0.0
    for code in regions:
        plan = registry.current_plan(engine, code, run)
        budget += float(plan.spend.sum())
    monkeypatch.setenv("DATABASE_URL", geo_store["url"])
    get_settings.cache_clear()
    try:
        out = _cli("optimise", "--budget", f"{budget:.0f}")
        national = _cli("optimise", "--budget", f"{budget:.0f}", "--national-curve")
        wrong = _cli("optimise", "--budget", f"{budget:.0f}", "--widen", "national_tv=0.5")
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    text = out.output
    assert "by region (geo)" in text and all(code in text for code in regions)
    months = len(registry.current_plan(engine, NATIONAL_SCOPE, run).months)
    channels = len({c for code in regions for c in models[code].channels})
    assert f"{months * len(regions) * channels} cells (channel x region x month)" in text
    # the binding constraints come one line per kind and channel
    binding = [line for line in text.splitlines() if line.startswith("binding:")]
    assert binding and len(binding) == len(set(binding)) and len(binding) <= 2 * channels + 3
    assert national.exit_code == 0 and "by region" not in national.output
    assert wrong.exit_code != 0 and "at least 1" in wrong.output


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_shows_the_geo_champion_and_its_identification(dash_app, geo_store, monkeypatch, language):
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", geo_store["url"])
    get_settings.cache_clear()
    client = logged_in_client(dash_app, PLANNER)
    switch_language(client, language)
    try:
        out = dash_post(client, multi(cb.PANEL_OUTPUTS), [scope_input("national")]).json["response"]
    finally:
        switch_language(client, "en")
    info = json.dumps(out["planning-model-info"], ensure_ascii=False)
    regions = len(geo_store["geo"].geo.regions)
    assert json.dumps(i18n.t("planning.model.kind.geo", language, regions=regions), ensure_ascii=False) in info
    # the demo's daily facts cover three years: the geo model is fitted on its weeks, and the page says so
    weeks = len(geo_store["geo"].geo.periods)
    assert geo_store["geo"].geo.frequency == "week" and weeks >= 150
    grain = i18n.t("planning.model.fitted_on.week", language, periods=i18n.number(weeks, language=language))
    assert json.dumps(grain, ensure_ascii=False) in info
    model = geo_store["geo"].models[NATIONAL_SCOPE]
    shares = model.contribution_shares()
    unattributed = sum(max(s, 0.0) for s, ok in zip(shares, model.identified, strict=True) if not ok)
    assert i18n.percent(unattributed, 1, language) in info
    table = json.dumps(out["planning-channels"], ensure_ascii=False)
    for c, _channel in enumerate(model.channels):
        if not model.identified[c]:
            reason = model.reasons[c]
            assert json.dumps(i18n.t(f"planning.reason.{reason}", language), ensure_ascii=False)[1:-1] in table
            assert json.dumps(i18n.t(f"planning.remedy.{reason}", language), ensure_ascii=False)[1:-1] in table


def test_plan_fit_registers_the_geo_run_after_the_national_one(demo_store):  # noqa: F811 (the fixture)
    from .test_planning_cli import _cli

    out = _cli("fit", "--boot", "2", "--n-jobs", "1", "--by", "alice")
    assert out.exit_code == 0, out.output
    runs = registry.list_runs(demo_store)
    geo_run, national_run = runs[0], runs[1]
    run, _models = registry.run_models(demo_store, geo_run["id"])
    assert model_kind(run) == "geo" and model_kind(registry.run_models(demo_store, national_run["id"])[0]) == "national"
    table = run["params"]["geo"]
    text = out.output.replace("\n", " ")
    assert f"identified: {table['identified']} of {len(table['channels'])} channels" in text
    assert f"media run {geo_run['id']} (geo): data to 2026-10" in text and geo_run["decision"] in text
    for row in table["channels"]:
        if not row["identified"]:
            assert f"needs {row['remedy']}" in text
    skipped = _cli("fit", "--boot", "2", "--n-jobs", "1", "--no-geo")
    assert skipped.exit_code == 0 and "(geo)" not in skipped.output
