"""The geo model fitted on weeks of the store's daily facts and read as monthly response models: the weekly
panel holds the same leads and spend as the monthly one, a steady monthly plan brings the weekly model's
leads times the weeks in a month, the converted models give back the weekly model's history (each channel's
contribution exactly, the months closely), and the champion rule scores it on the same held-out months."""

from __future__ import annotations

import calendar

import numpy as np
import pytest

from forecasting.planning import registry
from forecasting.planning.data import model_inputs
from forecasting.planning.geo_run import geo_panel, weekly_holdout_scores, weekly_scope_models
from forecasting.planning.geo_weekly import (
    WEEKS_PER_MONTH,
    fit_weekly,
    monthly_curve,
    monthly_decay,
    predict_months,
    weekly_panel,
)
from forecasting.planning.transforms import hill, steady_adstock
from pilotage.store.engine import get_engine
from pilotage.store.models import NATIONAL_SCOPE

from .app_helpers import copy_sqlite


@pytest.fixture(scope="module")
def weekly(demo_sqlite_url, tmp_path_factory) -> dict:
    url = copy_sqlite(demo_sqlite_url, tmp_path_factory.mktemp("weekly") / "weekly.sqlite3")
    engine = get_engine(url)
    panel = geo_panel(model_inputs(engine, pooled=True))
    wp = weekly_panel(engine, panel)
    geo = fit_weekly(wp, 4, 0, 1)
    return {"engine": engine, "panel": panel, "wp": wp, "geo": geo, "models": weekly_scope_models(geo, wp, panel)}


def test_the_weekly_panel_holds_the_months_leads_and_spend(weekly):
    panel, wp = weekly["panel"], weekly["wp"]
    assert wp.regions == panel.regions and wp.channels == panel.channels
    assert wp.weeks[0] == panel.periods[0] and wp.full >= 104
    assert all((b - a).days == 7 for a, b in zip(wp.weeks, wp.weeks[1:], strict=False))
    assert wp.y.sum(axis=1) == pytest.approx(panel.y.sum(axis=1))
    booked = wp.spend * (wp.days / 7.0)[None, :, None]  # the short last bin back to its own days
    assert booked.sum(axis=1) == pytest.approx(panel.spend.sum(axis=1), rel=1e-9, abs=1e-6)
    # every day of the history counts once, in its month
    days = [calendar.monthrange(m.year, m.month)[1] for m in panel.periods]
    assert wp.month_weights.sum(axis=0) * 7 == pytest.approx(days)
    assert wp.month_weights.sum(axis=1) * 7 == pytest.approx(wp.days)


def test_a_steady_month_brings_the_weekly_leads_times_the_weeks_in_a_month(weekly):
    geo = weekly["geo"]
    p = geo.params
    r = 0
    decay, half, beta = monthly_curve(geo, p, geo.size[r], p.effects[r])
    weekly_eur = 2.0 * geo.size[r] * geo.unit_spend  # twice the normal weekly spend
    x = weekly_eur / (geo.size[r] * geo.unit_spend)
    h = np.exp(p.logh)
    per_week = geo.size[r] * p.effects[r] * hill(x, h, p.shape) / hill(1.0, h, p.shape)
    per_month = beta * hill(steady_adstock(WEEKS_PER_MONTH * weekly_eur, decay), half, p.shape)
    assert per_month == pytest.approx(WEEKS_PER_MONTH * per_week)
    # the monthly carry-over is the share of a month's effect that spills over, above d ** q
    assert np.all(monthly_decay(p.decay) >= p.decay ** WEEKS_PER_MONTH - 1e-12)
    assert monthly_decay(np.array([0.0]))[0] == 0.0


def test_the_monthly_models_give_back_the_weekly_history(weekly):
    geo, wp, panel, models = weekly["geo"], weekly["wp"], weekly["panel"], weekly["models"]
    total, contributions = predict_months(geo, wp)
    summed = np.zeros(len(panel.periods))
    for r, code in enumerate(panel.regions):
        fitted = models[code].fitted()  # a plan equal to the history
        assert models[code].frequency == "month" and models[code].periods == panel.periods
        assert fitted.contributions.sum(axis=0) == pytest.approx(contributions[r].sum(axis=0), abs=1e-6)
        assert fitted.total.sum() == pytest.approx(total[r].sum(), rel=1e-9)
        summed += fitted.total
    national = total.sum(axis=0)
    error = np.abs(summed - national) / national
    assert error.mean() < 0.04 and error.max() < 0.15, (error.mean(), error.max())
    # the draws are converted too, and the national model is the regions' sum for a plan split by size
    assert len(models[NATIONAL_SCOPE].draws) == len(geo.draws) == 4
    beta = sum(models[c].params.beta for c in panel.regions)
    assert models[NATIONAL_SCOPE].params.beta == pytest.approx(beta)


def test_the_weekly_holdout_scores_the_same_months_as_the_national_model(weekly):
    engine, panel, wp = weekly["engine"], weekly["panel"], weekly["wp"]
    national = registry.fit_and_register(engine, run_by="test", n_boot=0, n_jobs=1, regions=[])
    scores = weekly_holdout_scores(panel, wp)
    assert scores["months"] == national.holdout["months"] and scores["fitted_on"] == "week"
    assert len(scores["months"]) == 6 and np.isfinite(scores["mase"])
