"""The real exports load as they are: the excerpts kept in tests/fixtures/exports always, the full
files of the shared data folder when it is there (skipped otherwise, saying why).

What each file should give is reckoned from the file itself with Python's csv module (the
closed-deals file has quoted fields containing commas, which naive splitting gets wrong), apart
from the pipeline; on the full files that reckoning must also give the figures checked by hand:
MQLs per origin, 842 closed deals and their declared monthly revenue, the Facebook totals, and
France's stringency index on given days.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from etl.connectors.base import LoadOptions
from etl.pipeline import load_file, load_order
from pilotage.store.models import AdPerformance, EtlRun, ExternalSeries, Lead, MartCohortMonthly, MartDaily, MartMonthly

from .helpers import Exports, rows, scalar

OLIST = ("olist/olist_closed_deals_dataset.csv", "olist/olist_marketing_qualified_leads_dataset.csv")
FACEBOOK = "facebook_ads/KAG_conversion_data.csv"
OXCGRT = "open_data/OxCGRT_timeseries_StringencyIndex_v1.csv"

# Olist origin -> channel, written out here rather than imported: the test checks the connector's.
ORIGIN_CHANNELS = {
    "organic_search": "organic_search", "paid_search": "paid_search", "social": "social", "unknown": "unknown",
    "": "unknown", "direct_traffic": "direct", "email": "email", "referral": "referral", "other": "other",
    "display": "display", "other_publicities": "other_advertising",
}

# Checked by hand on the full files.
MQL_BY_CHANNEL = {  # the 60 empty origins join "unknown"
    "organic_search": 2296, "paid_search": 1586, "social": 1350, "unknown": 1099 + 60, "direct": 499,
    "email": 493, "referral": 284, "other": 150, "display": 118, "other_advertising": 65,
}
WON_BY_CHANNEL = {
    "organic_search": 271, "paid_search": 195, "unknown": 179 + 14, "social": 75, "direct": 56,
    "referral": 24, "email": 15, "display": 6, "other": 4, "other_advertising": 3,
}
FULL_FACEBOOK = {"rows": 1143, "impressions": 213_434_828, "clicks": 38_165, "spend": 58_705.23}


def _records(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text[:10], "%d-%m-%Y").date()


@dataclass(frozen=True)
class OlistFigures:
    leads: int
    deals: int
    mql_by_channel: dict[str, int]
    won_by_channel: dict[str, int]
    won_by_month: dict[dt.date, int]
    revenue: float
    first_contact: dt.date
    last_contact: dt.date
    sdrs: int
    reps: int


def olist_figures(exports: Exports) -> OlistFigures:
    leads = _records(exports / OLIST[1])
    deals = _records(exports / OLIST[0])
    channel = {lead["mql_id"]: ORIGIN_CHANNELS[lead["origin"]] for lead in leads}
    contacts = [_day(lead["first_contact_date"]) for lead in leads]
    return OlistFigures(
        leads=len(leads), deals=len(deals),
        mql_by_channel=dict(Counter(channel.values())),
        won_by_channel=dict(Counter(channel[deal["mql_id"]] for deal in deals)),
        won_by_month=dict(Counter(_day(deal["won_date"]).replace(day=1) for deal in deals)),
        revenue=sum(round(float(deal["declared_monthly_revenue"] or 0), 2) for deal in deals),
        first_contact=min(contacts), last_contact=max(contacts),
        sdrs=len({deal["sdr_id"] for deal in deals}), reps=len({deal["sr_id"] for deal in deals}),
    )


def test_olist_figures_are_the_ones_stated(exports):
    """The excerpt is what its README says; the full files give the figures checked by hand."""
    figures = olist_figures(exports)  # a deal whose lead is missing would raise KeyError here
    if not exports.full:
        empty_origins = sum(lead["origin"] == "" for lead in _records(exports / OLIST[1]))
        assert (figures.leads, figures.deals, empty_origins) == (604, 120, 9)
        return
    assert (figures.leads, figures.deals) == (8000, 842)
    assert figures.mql_by_channel == MQL_BY_CHANNEL and figures.won_by_channel == WON_BY_CHANNEL
    assert figures.revenue == 61_784_006 and figures.won_by_month[dt.date(2018, 4, 1)] == 207
    assert (figures.first_contact, figures.last_contact) == (dt.date(2017, 6, 14), dt.date(2018, 5, 31))
    assert (figures.sdrs, figures.reps) == (32, 22)


def test_olist_funnel_counts_per_channel(engine, exports):
    expected = olist_figures(exports)
    # Given in the "wrong" order on purpose: deals need their leads loaded first.
    reports = [load_file(path, engine=engine) for path in load_order([exports / f for f in OLIST])]
    assert [r.source_type for r in reports] == ["olist_mql", "olist_deals"]
    assert reports[0].counts.inserted == expected.leads and reports[0].rows_rejected == 0
    assert reports[1].counts.updated == expected.deals and reports[1].rows_rejected == 0

    mql = dict(rows(engine, select(Lead.channel_code, func.count()).group_by(Lead.channel_code)))
    assert mql == expected.mql_by_channel
    mart_mql = dict(rows(engine, select(MartMonthly.channel_code, func.sum(MartMonthly.mqls))
                         .group_by(MartMonthly.channel_code)))
    assert {k: v for k, v in mart_mql.items() if v} == expected.mql_by_channel
    won = dict(rows(engine, select(MartMonthly.channel_code, func.sum(MartMonthly.won))
                    .group_by(MartMonthly.channel_code).having(func.sum(MartMonthly.won) > 0)))
    assert won == expected.won_by_channel


def test_olist_declared_revenue_and_dates(engine, exports):
    expected = olist_figures(exports)
    for path in load_order([exports / f for f in OLIST]):
        load_file(path, engine=engine)
    revenue = pytest.approx(expected.revenue, abs=0.005)
    assert scalar(engine, select(func.sum(Lead.monthly_amount)).where(Lead.won_at.is_not(None))) == revenue
    assert scalar(engine, select(func.sum(MartMonthly.new_mrr))) == revenue
    assert scalar(engine, select(func.sum(MartCohortMonthly.new_mrr))) == revenue
    # dd-mm-yyyy dates read day first
    assert scalar(engine, select(func.min(Lead.created_at))) == dt.datetime.combine(expected.first_contact, dt.time())
    assert scalar(engine, select(func.max(Lead.created_at))) == dt.datetime.combine(expected.last_contact, dt.time())
    won_by_month = dict(rows(engine, select(MartMonthly.month, func.sum(MartMonthly.won))
                             .group_by(MartMonthly.month).having(func.sum(MartMonthly.won) > 0)))
    assert won_by_month == expected.won_by_month
    assert scalar(engine, select(func.count(func.distinct(Lead.sdr_code)))) == expected.sdrs
    assert scalar(engine, select(func.count(func.distinct(Lead.rep_code)))) == expected.reps


def test_olist_ids_are_pseudonymised(engine, exports):
    for path in load_order([exports / f for f in OLIST]):
        load_file(path, engine=engine)
    keys = [k for (k,) in rows(engine, select(Lead.lead_key).limit(50))]
    raw_ids = {lead["mql_id"] for lead in _records(exports / OLIST[1])}
    assert all(len(k) == 32 for k in keys)
    assert not set(keys) & raw_ids


def test_deals_without_their_leads_are_rejected_with_reason(engine, exports):
    report = load_file(exports / OLIST[0], engine=engine)
    assert report.counts.inserted == 0 and report.counts.updated == 0
    assert report.rows_rejected == olist_figures(exports).deals
    assert "load olist_marketing_qualified_leads_dataset.csv first" in report.counts.rejects[0]["expected"]
    assert scalar(engine, select(func.count()).select_from(Lead)) == 0


def test_facebook_ads_totals(engine, exports):
    ads = _records(exports / FACEBOOK)
    expected = {"rows": len(ads), "impressions": sum(int(ad["Impressions"]) for ad in ads),
                "clicks": sum(int(ad["Clicks"]) for ad in ads),
                # Spent has long decimals; each row is rounded to the cent.
                "spend": round(sum(round(float(ad["Spent"]), 2) for ad in ads), 2)}
    if exports.full:
        assert expected == FULL_FACEBOOK
    report = load_file(exports / FACEBOOK, engine=engine)
    assert (report.counts.inserted, report.rows_rejected) == (expected["rows"], 0)
    assert scalar(engine, select(func.sum(AdPerformance.impressions))) == expected["impressions"]
    assert scalar(engine, select(func.sum(AdPerformance.clicks))) == expected["clicks"]
    assert scalar(engine, select(func.sum(MartDaily.spend))) == pytest.approx(expected["spend"], abs=0.005)
    campaigns = {c for (c,) in rows(engine, select(AdPerformance.campaign_code).distinct())}
    assert campaigns == {f"fb-{ad['xyz_campaign_id']}" for ad in ads} == {"fb-916", "fb-936", "fb-1178"}


@pytest.mark.parametrize("country", ["FRA", "GBR"])  # GBR: its national row comes after a state row
def test_oxcgrt_keeps_the_chosen_country(engine, exports, country):
    path = exports / OXCGRT
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        national = next(row for row in reader if row[0] == country and row[6] == "NAT_TOTAL")
    days = [dt.datetime.strptime(day, "%d%b%Y").date() for day in header[7:]]
    recorded = {day: float(cell) for day, cell in zip(days, national[7:], strict=True) if cell.strip()}
    if exports.full and country == "FRA":
        assert (len(days), len(recorded)) == (1155, 1096)  # 01Jan2020 .. 28Feb2023

    report = load_file(path, options=LoadOptions(country=country), engine=engine)
    assert report.rows_read == len(days)
    assert report.counts.inserted == len(recorded) and report.skipped == len(days) - len(recorded)
    assert report.rows_rejected == 0
    values = dict(rows(engine, select(ExternalSeries.date, ExternalSeries.value)
                       .where(ExternalSeries.geo == country)))
    assert values == pytest.approx(recorded)
    assert scalar(engine, select(func.count(func.distinct(ExternalSeries.geo)))) == 1
    if country == "FRA":
        assert values[dt.date(2020, 3, 17)] == pytest.approx(87.96)
        assert values[dt.date(2020, 1, 1)] == 0
        assert dt.date(2023, 2, 28) not in values  # empty cell: no record, not zero


def test_second_load_of_every_export_adds_nothing(engine, exports):
    paths = [exports / f for f in (*OLIST, FACEBOOK, OXCGRT)]
    first = [load_file(p, engine=engine) for p in load_order(paths)]
    marts_before = rows(engine, select(MartDaily).order_by(*MartDaily.__table__.primary_key.columns))
    second = [load_file(p, engine=engine) for p in load_order(paths)]
    for before, after in zip(first, second, strict=True):
        assert (after.counts.inserted, after.counts.updated, after.counts.deleted) == (0, 0, 0)
        assert after.counts.unchanged == before.counts.inserted + before.counts.updated
    assert rows(engine, select(MartDaily).order_by(*MartDaily.__table__.primary_key.columns)) == marts_before
    assert scalar(engine, select(func.count()).select_from(EtlRun)) == 8
