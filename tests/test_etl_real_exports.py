"""The real exports in shared/data load as they are, with figures checked by hand.

Expected figures were computed from the files with Python's csv module (the closed-deals
file has quoted fields containing commas, which naive splitting gets wrong):
MQLs per origin, 842 closed deals and their declared monthly revenue, the Facebook totals,
and France's stringency index on given days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from etl.pipeline import load_file, load_order
from pilotage.store.models import AdPerformance, EtlRun, ExternalSeries, Lead, MartCohortMonthly, MartDaily, MartMonthly

from .helpers import rows, scalar

MQL_BY_CHANNEL = {  # Olist origin -> channel; the 60 empty origins join "unknown"
    "organic_search": 2296, "paid_search": 1586, "social": 1350, "unknown": 1099 + 60, "direct": 499,
    "email": 493, "referral": 284, "other": 150, "display": 118, "other_advertising": 65,
}
WON_BY_CHANNEL = {
    "organic_search": 271, "paid_search": 195, "unknown": 179 + 14, "social": 75, "direct": 56,
    "referral": 24, "email": 15, "display": 6, "other": 4, "other_advertising": 3,
}


@pytest.fixture
def olist(shared_data):
    folder = shared_data / "olist"
    return [folder / "olist_closed_deals_dataset.csv", folder / "olist_marketing_qualified_leads_dataset.csv"]


def test_olist_funnel_counts_per_channel(engine, olist):
    # Given in the "wrong" order on purpose: deals need their leads loaded first.
    reports = [load_file(path, engine=engine) for path in load_order(olist)]
    assert [r.source_type for r in reports] == ["olist_mql", "olist_deals"]
    assert reports[0].counts.inserted == 8000 and reports[0].rows_rejected == 0
    assert reports[1].counts.updated == 842 and reports[1].rows_rejected == 0

    mql = dict(rows(engine, select(Lead.channel_code, func.count()).group_by(Lead.channel_code)))
    assert mql == MQL_BY_CHANNEL
    mart_mql = dict(rows(engine, select(MartMonthly.channel_code, func.sum(MartMonthly.mqls))
                         .group_by(MartMonthly.channel_code)))
    assert {k: v for k, v in mart_mql.items() if v} == MQL_BY_CHANNEL
    won = dict(rows(engine, select(MartMonthly.channel_code, func.sum(MartMonthly.won))
                    .group_by(MartMonthly.channel_code).having(func.sum(MartMonthly.won) > 0)))
    assert won == WON_BY_CHANNEL


def test_olist_declared_revenue_and_dates(engine, olist):
    for path in load_order(olist):
        load_file(path, engine=engine)
    assert scalar(engine, select(func.sum(Lead.monthly_amount)).where(Lead.won_at.is_not(None))) == 61_784_006
    assert scalar(engine, select(func.sum(MartMonthly.new_mrr))) == 61_784_006
    assert scalar(engine, select(func.sum(MartCohortMonthly.new_mrr))) == 61_784_006
    # dd-mm-yyyy: 2017-06-14 .. 2018-05-31; won dates per month (April 2018: 207 deals)
    assert scalar(engine, select(func.min(Lead.created_at))) == dt.datetime(2017, 6, 14)
    assert scalar(engine, select(func.max(Lead.created_at))) == dt.datetime(2018, 5, 31)
    april = scalar(engine, select(func.sum(MartMonthly.won)).where(MartMonthly.month == dt.date(2018, 4, 1)))
    assert april == 207
    assert scalar(engine, select(func.count(func.distinct(Lead.sdr_code)))) == 32
    assert scalar(engine, select(func.count(func.distinct(Lead.rep_code)))) == 22


def test_olist_ids_are_pseudonymised(engine, olist):
    for path in load_order(olist):
        load_file(path, engine=engine)
    keys = [k for (k,) in rows(engine, select(Lead.lead_key).limit(50))]
    raw_ids = (olist[1]).read_text().split()
    assert all(len(k) == 32 for k in keys)
    assert not set(keys) & {line.split(",")[0] for line in raw_ids}


def test_deals_without_their_leads_are_rejected_with_reason(engine, olist):
    report = load_file(olist[0], engine=engine)
    assert report.counts.inserted == 0 and report.counts.updated == 0
    assert report.rows_rejected == 842
    assert "load olist_marketing_qualified_leads_dataset.csv first" in report.counts.rejects[0]["expected"]
    assert scalar(engine, select(func.count()).select_from(Lead)) == 0


def test_facebook_ads_totals(engine, shared_data):
    report = load_file(shared_data / "facebook_ads" / "KAG_conversion_data.csv", engine=engine)
    assert (report.counts.inserted, report.rows_rejected) == (1143, 0)
    assert scalar(engine, select(func.sum(AdPerformance.impressions))) == 213_434_828
    assert scalar(engine, select(func.sum(AdPerformance.clicks))) == 38_165
    # Spent has long decimals (58,705.229958 in all); each row is rounded to the cent.
    assert scalar(engine, select(func.sum(MartDaily.spend))) == pytest.approx(58_705.23, abs=0.005)
    campaigns = {c for (c,) in rows(engine, select(AdPerformance.campaign_code).distinct())}
    assert campaigns == {"fb-916", "fb-936", "fb-1178"}


def test_oxcgrt_keeps_the_chosen_country(engine, shared_data):
    path = shared_data / "open_data" / "OxCGRT_timeseries_StringencyIndex_v1.csv"
    report = load_file(path, engine=engine)
    assert report.rows_read == 1155  # 01Jan2020 .. 28Feb2023
    assert report.counts.inserted == 1096 and report.skipped == 59 and report.rows_rejected == 0
    values = dict(rows(engine, select(ExternalSeries.date, ExternalSeries.value)
                       .where(ExternalSeries.geo == "FRA")))
    assert values[dt.date(2020, 3, 17)] == pytest.approx(87.96)
    assert values[dt.date(2020, 1, 1)] == 0
    assert dt.date(2023, 2, 28) not in values  # empty cell: no record, not zero


def test_second_load_of_every_export_adds_nothing(engine, shared_data, olist):
    paths = [*olist, shared_data / "facebook_ads" / "KAG_conversion_data.csv",
             shared_data / "open_data" / "OxCGRT_timeseries_StringencyIndex_v1.csv"]
    first = [load_file(p, engine=engine) for p in load_order(paths)]
    marts_before = rows(engine, select(MartDaily).order_by(*MartDaily.__table__.primary_key.columns))
    second = [load_file(p, engine=engine) for p in load_order(paths)]
    for before, after in zip(first, second, strict=True):
        assert (after.counts.inserted, after.counts.updated, after.counts.deleted) == (0, 0, 0)
        assert after.counts.unchanged == before.counts.inserted + before.counts.updated
    assert rows(engine, select(MartDaily).order_by(*MartDaily.__table__.primary_key.columns)) == marts_before
    assert scalar(engine, select(func.count()).select_from(EtlRun)) == 8
