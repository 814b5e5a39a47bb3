"""Rebuild the marts for the dates a load touched.

Each refresh deletes the mart rows of the touched dates (or months) and re-aggregates them
from the facts in one ``INSERT ... SELECT``: the facts stay the single source of truth and
a mart can always be rebuilt whole with ``pilotage etl rebuild-marts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Double,
    Integer,
    MetaData,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter

from etl.calendar import ensure_calendar
from pilotage.store.models import (
    ACTIVITY_MEASURES,
    COHORT_MEASURES,
    REP_MEASURES,
    AdPerformance,
    Calendar,
    Lead,
    MartCohortMonthly,
    MartDaily,
    MartMonthly,
    MartRepMonthly,
    MartSubscriptionMonthly,
    Source,
    Subscription,
    WebAnalytics,
)
from pilotage.store.models.marts import FLOAT_MEASURES

DIMENSIONS = ("channel_code", "campaign_code", "source_code", "region_code")


def _day(column):
    return func.date(column)


def _days_between(conn: Connection, start, end):
    if conn.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def _row(day, channel, campaign, source, region, **measures):
    """One part of the union, already grouped: each part sums only its own measures, so the
    final aggregation works on a few hundred thousand narrow rows, not millions of wide ones."""
    keys = (day, channel, campaign, source, region)
    return select(
        day.label("date"), channel.label("channel_code"), campaign.label("campaign_code"),
        source.label("source_code"), region.label("region_code"),
        *(_typed(name, func.sum(measures[name]) if name in measures else literal(0)).label(name)
          for name in ACTIVITY_MEASURES),
    ).group_by(*(k for k in keys if not isinstance(k, BindParameter)))


def _typed(name, value):
    """Every part of a union gives a measure the mart's own type. Otherwise PostgreSQL casts
    the union level by level (one projection per part) and sums bigints as ``numeric``, which
    together cost more than reading the facts."""
    return cast(value, Double if name in FLOAT_MEASURES else Integer)


def _one_if(condition):
    return case((condition, 1), else_=0)


def _activity_parts(touched):
    ad = AdPerformance
    web = WebAnalytics
    lead = Lead
    parts = [
        _row(ad.date, ad.channel_code, ad.campaign_code, literal(""), ad.region_code,
             impressions=ad.impressions, clicks=ad.clicks, spend=ad.spend,
             platform_conversions=ad.platform_conversions).where(ad.date.in_(touched)),
        _row(web.date, Source.channel_code, literal(""), web.source_code, web.region_code,
             sessions=web.sessions, engaged_sessions=web.engaged_sessions,
             web_conversions=web.conversions)
        .join_from(web, Source, Source.code == web.source_code).where(web.date.in_(touched)),
    ]
    amount = func.coalesce(lead.monthly_amount, 0.0)
    had_opportunity = lead.opportunity_at.is_not(None)
    # A deal closes once: on its won date, else on its lost date.
    closed_at = func.coalesce(lead.won_at, lead.lost_at)
    stage_measures = {
        lead.created_at: dict(leads=literal(1), qualified_leads=_one_if(lead.is_qualified)),
        lead.mql_at: dict(mqls=literal(1)),
        lead.sql_at: dict(sqls=literal(1)),
        lead.opportunity_at: dict(opportunities=literal(1), pipeline_opened=literal(1), pipeline_opened_mrr=amount),
        lead.won_at: dict(won=literal(1), won_value=func.coalesce(lead.deal_value, 0.0), new_mrr=amount),
        lead.lost_at: dict(lost=literal(1)),
        closed_at: dict(pipeline_closed=_one_if(had_opportunity),
                        pipeline_closed_mrr=case((had_opportunity, amount), else_=0.0)),
    }
    for column, measures in stage_measures.items():
        day = _day(column)
        parts.append(_row(day, lead.channel_code, lead.campaign_code, lead.source_code, lead.region_code,
                          **measures).where(day.in_(touched)))
    return parts


def _touched_table(conn: Connection, days: set[dt.date], name: str) -> Table:
    table = Table(name, MetaData(), Column("date", Date, primary_key=True), prefixes=["TEMPORARY"])
    table.drop(conn, checkfirst=True)
    table.create(conn)
    conn.execute(table.insert(), [{"date": d} for d in sorted(days)])
    return table


def refresh_activity(conn: Connection, days: Iterable[dt.date]) -> None:
    """Rebuild ``mart_daily`` for ``days`` and ``mart_monthly`` for their months."""
    days = set(days)
    if not days:
        return
    ensure_calendar(conn, days)
    touched = _touched_table(conn, days, "tmp_touched_days")
    touched_days = select(touched.c.date)
    conn.execute(delete(MartDaily).where(MartDaily.date.in_(touched_days)))
    union = union_all(*_activity_parts(touched_days)).subquery()
    aggregate = select(
        union.c.date, *(union.c[d] for d in DIMENSIONS),
        *(func.sum(union.c[m]) for m in ACTIVITY_MEASURES),
    ).group_by(union.c.date, *(union.c[d] for d in DIMENSIONS))
    conn.execute(insert(MartDaily).from_select(["date", *DIMENSIONS, *ACTIVITY_MEASURES], aggregate))
    touched.drop(conn)

    months = {d.replace(day=1) for d in days}
    conn.execute(delete(MartMonthly).where(MartMonthly.month.in_(months)))
    daily = MartDaily.__table__
    monthly = select(
        Calendar.month_start, *(daily.c[d] for d in DIMENSIONS),
        *(func.sum(daily.c[m]) for m in ACTIVITY_MEASURES),
    ).join_from(daily, Calendar, Calendar.date == daily.c.date).where(
        Calendar.month_start.in_(months)).group_by(Calendar.month_start, *(daily.c[d] for d in DIMENSIONS))
    conn.execute(insert(MartMonthly).from_select(["month", *DIMENSIONS, *ACTIVITY_MEASURES], monthly))


def refresh_cohorts(conn: Connection, days: Iterable[dt.date]) -> None:
    """Rebuild ``mart_cohort_monthly`` for the creation months holding ``days``."""
    months = {d.replace(day=1) for d in days}
    if not months:
        return
    ensure_calendar(conn, months)
    lead = Lead
    conn.execute(delete(MartCohortMonthly).where(MartCohortMonthly.cohort_month.in_(months)))
    won_days = case((lead.won_at.is_not(None), _days_between(conn, lead.created_at, lead.won_at)), else_=0.0)
    measures = {
        "leads": func.count(),
        "qualified_leads": func.sum(_one_if(lead.is_qualified)),
        "mqls": func.count(lead.mql_at),
        "sqls": func.count(lead.sql_at),
        "opportunities": func.count(lead.opportunity_at),
        "won": func.count(lead.won_at),
        "lost": func.count(lead.lost_at),
        "won_value": func.sum(case((lead.won_at.is_not(None), func.coalesce(lead.deal_value, 0.0)), else_=0.0)),
        "new_mrr": func.sum(case((lead.won_at.is_not(None), func.coalesce(lead.monthly_amount, 0.0)), else_=0.0)),
        "days_to_won": func.sum(won_days),
    }
    cohort = select(
        Calendar.month_start, lead.channel_code, lead.campaign_code, lead.source_code, lead.region_code,
        *(measures[m] for m in COHORT_MEASURES),
    ).join_from(lead, Calendar, Calendar.date == _day(lead.created_at)).where(
        Calendar.month_start.in_(months)).group_by(
        Calendar.month_start, lead.channel_code, lead.campaign_code, lead.source_code, lead.region_code)
    conn.execute(insert(MartCohortMonthly).from_select(
        ["cohort_month", *DIMENSIONS, *COHORT_MEASURES], cohort))


def refresh_reps(conn: Connection, days: Iterable[dt.date]) -> None:
    """Rebuild ``mart_rep_monthly`` for the months holding ``days`` (activity convention)."""
    months = {d.replace(day=1) for d in days}
    if not months:
        return
    ensure_calendar(conn, months)
    lead = Lead
    conn.execute(delete(MartRepMonthly).where(MartRepMonthly.month.in_(months)))
    stage_measures = {
        lead.created_at: {"leads": literal(1)},
        lead.opportunity_at: {"opportunities": literal(1)},
        lead.won_at: {"won": literal(1), "won_value": func.coalesce(lead.deal_value, 0.0)},
        lead.lost_at: {"lost": literal(1)},
    }
    parts = []
    for column, measures in stage_measures.items():
        keys = (Calendar.month_start, lead.rep_code, lead.channel_code, lead.region_code)
        parts.append(select(
            *(k.label(n) for k, n in zip(keys, ("month", "rep_code", "channel_code", "region_code"), strict=True)),
            *(_typed(m, func.sum(measures[m]) if m in measures else literal(0)).label(m) for m in REP_MEASURES),
        ).join_from(lead, Calendar, Calendar.date == _day(column)).where(
            Calendar.month_start.in_(months), lead.rep_code.is_not(None)).group_by(*keys))
    union = union_all(*parts).subquery()
    keys = [union.c[k] for k in ("month", "rep_code", "channel_code", "region_code")]
    conn.execute(insert(MartRepMonthly).from_select(
        ["month", "rep_code", "channel_code", "region_code", *REP_MEASURES],
        select(*keys, *(func.sum(union.c[m]) for m in REP_MEASURES)).group_by(*keys)))


def refresh_subscriptions(conn: Connection, months: Iterable[dt.date]) -> None:
    months = {m.replace(day=1) for m in months}
    if not months:
        return
    sub = Subscription
    active = ~sub.is_churned
    conn.execute(delete(MartSubscriptionMonthly).where(MartSubscriptionMonthly.month.in_(months)))
    aggregate = select(
        sub.month, sub.region_code, sub.channel_code,
        func.sum(_one_if(active)),
        func.sum(case((active, sub.mrr), else_=0.0)),
        func.sum(_one_if(sub.is_new & active)),
        func.sum(case((sub.is_new & active, sub.mrr), else_=0.0)),
        func.sum(_one_if(sub.is_churned)),
        func.sum(case((sub.is_churned, sub.mrr), else_=0.0)),
    ).where(sub.month.in_(months)).group_by(sub.month, sub.region_code, sub.channel_code)
    conn.execute(insert(MartSubscriptionMonthly).from_select(
        ["month", "region_code", "channel_code", "customers", "mrr", "new_customers", "new_mrr",
         "churned_customers", "churned_mrr"], aggregate))


def rebuild_all(conn: Connection) -> None:
    """Rebuild every mart from the facts (after a schema change, or to check a refresh)."""
    lead = Lead
    days: set[dt.date] = set()
    for column in (AdPerformance.date, WebAnalytics.date, *(_day(getattr(lead, c)) for c in (
            "created_at", "mql_at", "sql_at", "opportunity_at", "won_at", "lost_at"))):
        days.update(_to_date(v) for v in conn.execute(select(column).distinct()).scalars() if v)
    for table in (MartDaily, MartMonthly, MartCohortMonthly, MartRepMonthly, MartSubscriptionMonthly):
        conn.execute(delete(table))
    refresh_activity(conn, days)
    refresh_cohorts(conn, days)
    refresh_reps(conn, days)
    refresh_subscriptions(conn, set(conn.execute(select(Subscription.month).distinct()).scalars()))


def _to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
