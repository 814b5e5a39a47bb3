"""The demo company: deterministic by seed, shaped like the real thing (seasonality, a Covid
shock, media effects with carry-over, a funnel), and loaded like any export.

The company is kept small (8,000 leads over three years, one year for the tests that load
it, a fixed end) so each test takes seconds; the figures checked are those the forecaster
and the media planner rely on.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from etl.connectors import FORMATS, LoadOptions
from etl.demo.export import CANONICAL, write_canonical_csv
from etl.demo.generate import DemoCompany, generate
from etl.demo.load import ensure_dimensions, load_demo
from etl.pipeline import load_file
from pilotage.store.models import MartMonthly, MartSubscriptionMonthly
from pilotage.store.reference import CHANNEL_CODES

from .helpers import data_snapshot, scalar

END = dt.date(2024, 6, 30)
LEADS = 8_000
LOAD_YEARS = 1  # the store tests load a shorter history: fewer ad and web rows, same paths
STAGES = ("created_at", "mql_at", "sql_at", "opportunity_at", "won_at", "lost_at")
FACT_TABLES = ("ad_performance", "web_analytics", "leads", "subscriptions", "media_plan", "targets", "costs",
               "external_series")


@pytest.fixture
def company() -> DemoCompany:
    return generate(seed=42, leads=LEADS, years=3, end=END)


def _daily(series: pd.Series, company: DemoCompany) -> pd.Series:
    """Counts per day of a datetime series, over the whole history (0 on days without any)."""
    days = pd.date_range(company.start, company.end)
    return series.dt.normalize().value_counts().reindex(days, fill_value=0)


def _adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    out, carried = np.empty_like(spend), 0.0
    for day, amount in enumerate(spend):
        carried = amount + decay * carried
        out[day] = carried
    return out


def test_same_seed_gives_the_same_company_and_another_seed_another(company):
    again = generate(seed=42, leads=LEADS, years=3, end=END)
    for table in (*FACT_TABLES, "regions", "teams", "reps", "campaigns", "sources"):
        pd.testing.assert_frame_equal(getattr(company, table), getattr(again, table))
    assert company.truth == again.truth

    other = generate(seed=7, leads=LEADS, years=3, end=END)
    assert len(other.leads) == LEADS
    assert not company.leads["created_at"].equals(other.leads["created_at"])
    assert company.ad_performance["spend"].sum() != other.ad_performance["spend"].sum()


def test_history_covers_the_years_up_to_end_and_the_plan_six_months_after(company):
    assert company.start == dt.date(2021, 7, 1) and company.end == END
    assert len(company.leads) == LEADS
    assert company.leads["created_at"].min() >= pd.Timestamp(company.start)
    assert company.ad_performance["date"].max() == pd.Timestamp(END)
    plan_months = company.media_plan["month"].drop_duplicates().sort_values()
    assert plan_months.iloc[-1] == pd.Timestamp("2024-12-01")
    future_targets = company.targets[company.targets["period_start"] > pd.Timestamp(END)]
    assert sorted(future_targets["period_start"].dt.month.unique()) == [7, 8, 9, 10, 11, 12]
    assert set(company.targets["kpi"]) == {"leads", "qualified_leads", "won", "spend", "new_mrr",
                                           "cost_per_qualified_lead"}
    assert set(company.targets["grain"]) == {"month", "quarter"}
    assert set(company.targets["region_code"]) == {"all", *company.regions.query("level == 'region'")["code"]}
    assert set(company.costs["category"]) == {"salaries", "tools", "agencies"}


def test_reference_data_regions_reps_channels(company):
    regions = company.regions
    second_level = regions[regions["level"] == "region"]
    assert len(second_level) >= 8 and set(second_level["parent_code"]) == {"FR"}
    assert {"FR-IDF", "FR-ARA", "FR-PACA", "FR-NAQ", "FR-OCC", "FR-HDF", "FR-GES", "FR-BRE"} <= set(regions["code"])
    assert len(company.reps) >= 20 and company.reps["team_code"].nunique() >= 3
    assert set(company.reps["team_code"]) <= set(company.teams["code"])

    channels = set(company.leads["channel_code"].astype(str))
    assert channels <= set(CHANNEL_CODES) and len(channels) >= 6
    assert {"national_tv", "radio", "local_press", "paid_search", "paid_social", "display", "organic"} <= channels
    assert set(company.campaigns["coverage"]) == {"national", "local"}
    assert set(company.sources["channel_code"]) <= set(CHANNEL_CODES)
    # Leads of a region are handled by that region's field reps.
    rep_team = company.reps.set_index("code")["team_code"]
    region_team = {"FR-IDF": "team-idf", "FR-BRE": "team-ouest", "FR-PACA": "team-sud"}
    for region, team in region_team.items():
        reps = company.leads.loc[company.leads["region_code"] == region, "rep_code"].astype(str)
        assert set(rep_team[reps.unique()]) == {team}


def test_funnel_times_never_decrease_nor_pass_the_end(company):
    leads = company.leads
    cutoff = pd.Timestamp(END) + pd.Timedelta(days=1)
    for index, stage in enumerate(STAGES):
        assert (leads[stage].dropna() < cutoff).all(), stage
        for earlier in STAGES[:index]:
            both = leads[stage].notna() & leads[earlier].notna()
            assert (leads.loc[both, stage] >= leads.loc[both, earlier]).all(), (earlier, stage)
    won = leads[leads["won_at"].notna()]
    days_to_won = (won["won_at"] - won["created_at"]).dt.total_seconds() / 86_400
    assert days_to_won.between(20, 90).all()
    assert not (leads["won_at"].notna() & leads["lost_at"].notna()).any()
    # Amounts exist from the opportunity on (the open pipeline's GPMRR needs them), never before.
    in_pipeline = leads["won_at"].notna() | leads["opportunity_at"].notna()
    assert won["deal_value"].gt(0).all() and leads.loc[~in_pipeline, "deal_value"].isna().all()
    assert leads.loc[in_pipeline, "deal_value"].gt(0).all()
    assert (leads["is_qualified"] == leads["qualified_type"].notna()).all()
    rates = leads[["mql_at", "sql_at", "opportunity_at", "won_at"]].notna().mean()
    assert rates.is_monotonic_decreasing and 0.03 < rates["won_at"] < 0.15


def test_qualified_rate_depends_on_the_channel(company):
    rates = company.leads.groupby("channel_code", observed=True)["is_qualified"].mean()
    assert rates["paid_search"] > rates["display"] + 0.15


def test_fewer_leads_at_weekends(company):
    daily = _daily(company.leads["created_at"], company)
    weekend = daily.index.day_of_week >= 5
    assert daily[~weekend].mean() > 1.3 * daily[weekend].mean()


def test_covid_month_has_far_fewer_leads_than_a_year_before(company):
    covid = company.truth["covid"]
    monthly = company.leads["created_at"].dt.to_period("M").value_counts()
    shock = pd.Period(covid["lockdown_month"], "M")
    assert monthly[shock] < 0.6 * monthly[shock - 12]

    stringency = company.external_series.set_index("date")["value"]
    assert set(company.external_series["series"]) == {"covid_stringency"}
    assert set(company.external_series["geo"]) == {"FRA"} and stringency.between(0, 100).all()
    assert stringency[pd.Timestamp(covid["start"]) + pd.Timedelta(days=20)] > 80
    assert stringency[pd.Timestamp(covid["start"]) - pd.Timedelta(days=60)] == 0


def test_leads_of_a_paid_channel_follow_its_adstocked_spend(company):
    days = pd.date_range(company.start, company.end)
    weeks = len(days) // 7
    ads = company.ad_performance
    for channel, truth in company.truth["channels"].items():
        if not truth["paid"]:
            continue
        spend = ads[ads["channel_code"] == channel].groupby("date")["spend"].sum().reindex(days, fill_value=0)
        adstock = _adstock(spend.to_numpy(), truth["decay"])
        leads = _daily(company.leads.loc[company.leads["channel_code"] == channel, "created_at"], company)
        weekly_adstock = adstock[:weeks * 7].reshape(weeks, 7).sum(axis=1)
        weekly_leads = leads.to_numpy()[:weeks * 7].reshape(weeks, 7).sum(axis=1)
        correlation = np.corrcoef(weekly_adstock, weekly_leads)[0, 1]
        assert correlation > (0.7 if channel == "national_tv" else 0.4), (channel, correlation)
        assert truth["cost_per_incremental_qualified_lead"] > truth["cost_per_incremental_lead"] > 0


def test_ad_delivery_is_plausible_and_national_campaigns_cover_every_region(company):
    ads = company.ad_performance
    assert (ads["clicks"] <= ads["impressions"]).all() and (ads["spend"] > 0).all()
    assert (ads["spend"] == ads["spend"].round(2)).all()
    totals = ads.groupby("channel_code", observed=True)[["impressions", "clicks", "spend"]].sum()
    cpm = totals["spend"] / totals["impressions"] * 1000
    assert cpm.between(1, 100).all()
    assert (totals.loc[["national_tv", "radio", "local_press"], "clicks"] == 0).all()
    assert 0.005 < totals.loc["paid_search", "clicks"] / totals.loc["paid_search", "impressions"] < 0.1
    coverage = company.campaigns.set_index("code")["coverage"]
    regions_per_campaign = ads.groupby("campaign_code", observed=True)["region_code"].nunique()
    national = regions_per_campaign[coverage[regions_per_campaign.index] == "national"]
    assert (national == 13).all()
    assert (regions_per_campaign[coverage[regions_per_campaign.index] == "local"] == 1).all()
    web = company.web_analytics
    assert (web["engaged_sessions"] <= web["sessions"]).all() and (web["conversions"] <= web["sessions"]).all()


def test_subscriptions_churn_and_mrr_adds_up(company):
    subscriptions = company.subscriptions
    assert subscriptions["is_churned"].any()
    assert not (subscriptions["is_new"] & subscriptions["is_churned"]).any()
    customers = company.leads[(company.leads["monthly_amount"] > 0) & company.leads["won_at"].notna()]
    assert set(subscriptions["customer_key"]) == set(customers["lead_key"])
    assert subscriptions.groupby("customer_key")["is_new"].sum().eq(1).all()
    last_month = subscriptions.groupby("customer_key")["month"].transform("max")
    assert (subscriptions.loc[subscriptions["is_churned"], "month"] == last_month[subscriptions["is_churned"]]).all()

    active = subscriptions[~subscriptions["is_churned"]].groupby("month")["mrr"].sum()
    new = subscriptions[subscriptions["is_new"]].groupby("month")["mrr"].sum()
    churned = subscriptions[subscriptions["is_churned"]].groupby("month")["mrr"].sum()
    months = active.index
    flows = (new.reindex(months, fill_value=0) - churned.reindex(months, fill_value=0)).cumsum()
    np.testing.assert_allclose(active.to_numpy(), flows.to_numpy(), atol=0.01)
    won_month = customers["won_at"].dt.to_period("M").dt.start_time
    np.testing.assert_allclose(new.to_numpy(), customers.groupby(won_month)["monthly_amount"].sum().to_numpy())


def test_media_plan_is_close_to_what_was_spent(company):
    plan = company.media_plan.groupby("month")["planned_spend"].sum()
    spent = company.ad_performance.groupby(company.ad_performance["date"].dt.to_period("M").dt.start_time)["spend"]
    ratio = plan.reindex(spent.sum().index) / spent.sum()
    assert ratio.between(0.75, 1.3).all()
    assert set(company.media_plan["coverage"]) == {"national", "local"}
    assert set(company.media_plan.loc[company.media_plan["coverage"] == "national", "region_code"]) == {"FR"}


def test_loaded_demo_marts_add_up_to_the_generated_frames(engine):
    reports = load_demo(leads=LEADS, years=LOAD_YEARS, end=END, engine=engine)
    company = generate(leads=LEADS, years=LOAD_YEARS, end=END)
    assert [r.rows_rejected for r in reports] == [0] * len(FACT_TABLES)
    assert scalar(engine, select(func.sum(MartMonthly.leads))) == len(company.leads)
    assert scalar(engine, select(func.sum(MartMonthly.qualified_leads))) == company.leads["is_qualified"].sum()
    assert scalar(engine, select(func.sum(MartMonthly.won))) == company.leads["won_at"].notna().sum()
    assert scalar(engine, select(func.sum(MartMonthly.spend))) == pytest.approx(
        company.ad_performance["spend"].sum(), abs=0.01)
    assert scalar(engine, select(func.sum(MartMonthly.sessions))) == company.web_analytics["sessions"].sum()
    churned = company.subscriptions.loc[company.subscriptions["is_churned"], "mrr"].sum()
    assert scalar(engine, select(func.sum(MartSubscriptionMonthly.churned_mrr))) == pytest.approx(churned, abs=0.01)


def test_loading_the_demo_twice_changes_nothing(engine, tmp_path):
    load_demo(leads=LEADS, years=LOAD_YEARS, end=END, engine=engine)
    before = data_snapshot(engine)
    again = load_demo(leads=LEADS, years=LOAD_YEARS, end=END, engine=engine)
    assert [(r.counts.inserted, r.counts.updated, r.counts.deleted) for r in again] == [(0, 0, 0)] * len(again)
    assert data_snapshot(engine) == before

    # The exported leads, loaded as the demo's own source system, are the same leads.
    paths = write_canonical_csv(generate(leads=LEADS, years=LOAD_YEARS, end=END), tmp_path)
    report = load_file(paths["leads"], options=LoadOptions(source_system="demo"), engine=engine)
    assert (report.counts.unchanged, report.counts.inserted, report.counts.updated) == (LEADS, 0, 0)


def test_canonical_csv_loads_back_with_no_rejects(engine, tmp_path):
    company = generate(leads=LEADS, years=LOAD_YEARS, end=END)
    paths = write_canonical_csv(company, tmp_path, tables=tuple(CANONICAL))
    for table, path in paths.items():
        header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert set(header) <= {f.name for f in FORMATS[table]}, table
    ensure_dimensions(company, engine)
    leads = load_file(paths["leads"], engine=engine)
    assert (leads.source_type, leads.counts.inserted, leads.rows_rejected) == ("leads", LEADS, 0)
    ads = load_file(paths["ad_performance"], engine=engine)
    assert (ads.counts.inserted, ads.rows_rejected) == (len(company.ad_performance), 0)
    assert scalar(engine, select(func.sum(MartMonthly.won))) == company.leads["won_at"].notna().sum()
