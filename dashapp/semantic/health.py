"""What the data-health page and the home page's health line read: freshness per source, gaps,
duplicates, outliers recorded at load and rejected rows, each with the rows behind its figure.

Scope: every regional figure is read in the user's regions (``regions`` can narrow them, never widen
them: unknown or foreign codes are dropped). What belongs to a file and not to a region (rejected
input rows, the open-data and cost feeds, findings without a region) is shown only to the data team
(admins) who see all regions. Lateness is judged against the clock (``as_of``), with the cadences
declared once in :mod:`pilotage.store.feeds`.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask_login import current_user
from sqlalchemy import and_, exists, false, func, literal, select, true

from pilotage.dates import month_end
from pilotage.store.engine import get_engine
from pilotage.store.feeds import FEEDS, feed_label
from pilotage.store.models import (
    AdPerformance,
    Calendar,
    DataQualityFinding,
    EtlReject,
    EtlRun,
    Lead,
    MartDaily,
    WebAnalytics,
)
from pilotage.store.models import Base as _Base

from ..auth.permissions import require_role
from .cache import scoped_cache
from .scope import allowed_regions, region_tree

HEALTH_ROLES = ("admin", "director")
DATA_TEAM = "admin"
WINDOW_DAYS = 90  # gaps, duplicates, outliers and rejects are counted over the last 90 days
GAP_MEASURES = ("leads", "sessions", "impressions")  # mart_daily measures a region is expected to have daily
EXPECTED_SHARE = 0.8  # a region "has leads every day" when it had some on 80% of the window's days
MAX_ROWS = 2000
TABLES = {table.name: table for table in _Base.metadata.sorted_tables}


def as_of() -> dt.date:
    """Today, by the clock: a source is late against real time, not against the data's last day."""
    return dt.datetime.now(dt.UTC).date()


def _regions(regions=None) -> frozenset[str]:
    """The user's regions, narrowed to ``regions`` (with their sub-regions) when given: never widened."""
    allowed = allowed_regions()
    if regions:
        codes = [regions] if isinstance(regions, str) else [r for r in regions if isinstance(r, str)]
        return allowed & region_tree().with_descendants(codes)
    return allowed


def sees_files() -> bool:
    """File-level figures (rejects, feeds without a region): the data team, over every region."""
    return getattr(current_user, "role", None) == DATA_TEAM and allowed_regions() == frozenset(region_tree().parent)


def _files_context() -> tuple[bool]:
    """What a cached figure depends on besides the regions: whether file-level rows are shown (an admin and a
    national director share a scope key, not the file-level rows)."""
    return (sees_files(),)


_cached = functools.partial(scoped_cache, context=_files_context, roles=HEALTH_ROLES)


def _in(column, regions: frozenset[str]):
    return column.in_(sorted(regions)) if regions else false()


def _date(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])


@_cached
def sources(regions=None, today: dt.date | None = None) -> list[dict]:
    """Per feed and source system in scope: last load, last date covered, cadence and days late."""
    scope, files, today = _regions(regions), sees_files(), today or as_of()
    rows = []
    with get_engine().connect() as conn:
        for feed in FEEDS:
            if feed.region_column is None and not files:
                continue
            table = TABLES[feed.table]
            date = table.c[feed.date_column]
            where = _in(table.c[feed.region_column], scope) if feed.region_column else true()
            for system, last in conn.execute(select(table.c.source_system, func.max(date)).where(where)
                                             .group_by(table.c.source_system)).all():
                last = _date(last)
                label = feed_label(feed.table, system)
                loaded = conn.execute(select(func.max(EtlRun.started_at)).where(
                    EtlRun.status == "loaded",
                    (literal(",") + EtlRun.feeds + ",").contains(f",{label},", autoescape=True))).scalar()
                covered = month_end(last) if feed.grain == "month" else last
                late = (today - covered).days - feed.cadence_days
                rows.append({"feed": feed.table, "source_system": system, "last_load": loaded,
                             "last_date": covered, "cadence_days": feed.cadence_days, "late_days": max(late, 0)})
    return sorted(rows, key=lambda r: (-r["late_days"], r["feed"], r["source_system"]))


def _window(conn, scope, measure: str) -> tuple[dt.date, dt.date] | None:
    last = conn.execute(select(func.max(MartDaily.date)).where(
        _in(MartDaily.region_code, scope), MartDaily.__table__.c[measure] > 0)).scalar()
    if last is None:
        return None
    end = _date(last)
    return end - dt.timedelta(days=WINDOW_DAYS - 1), end


@_cached
def gaps(regions=None) -> list[dict]:
    """Region-days without a measure the region has on nearly every day of the window (set-based in SQL):
    ``{"measure", "region_code", "date"}``, at most MAX_ROWS."""
    scope, found = _regions(regions), []
    daily = MartDaily.__table__
    with get_engine().connect() as conn:
        for measure in GAP_MEASURES:
            window = _window(conn, scope, measure)
            if window is None:
                continue
            start, end = window
            active = select(daily.c.region_code, daily.c.date).where(
                daily.c.date.between(start, end), _in(daily.c.region_code, scope)).group_by(
                daily.c.region_code, daily.c.date).having(func.sum(daily.c[measure]) > 0).subquery()
            days = (end - start).days + 1
            expected = select(active.c.region_code).group_by(active.c.region_code).having(
                func.count() >= EXPECTED_SHARE * days).subquery()
            missing = select(expected.c.region_code, Calendar.date).join_from(
                expected, Calendar, Calendar.date.between(start, end)).where(~exists(select(literal(1)).where(
                    active.c.region_code == expected.c.region_code, active.c.date == Calendar.date))).order_by(
                Calendar.date.desc(), expected.c.region_code).limit(MAX_ROWS)
            found += [{"measure": measure, "region_code": region, "date": _date(day)}
                      for region, day in conn.execute(missing).all()]
    return found


@_cached
def duplicates(regions=None) -> list[dict]:
    """Rows that count the same thing twice, in the window: a day of ad delivery or web analytics given by
    two source systems, and leads of one system identical to the second (moment, channel, campaign, source,
    region) under two keys. ``{"kind", "date", "region_code", "what", "copies"}``."""
    scope, found = _regions(regions), []
    with get_engine().connect() as conn:
        end = conn.execute(select(func.max(MartDaily.date))).scalar()
        if end is None:
            return []
        start = _date(end) - dt.timedelta(days=WINDOW_DAYS - 1)
        for kind, model, key in (
                ("ad_performance", AdPerformance, ("date", "campaign_code", "region_code", "ad_code")),
                ("web_analytics", WebAnalytics, ("date", "source_code", "region_code"))):
            columns = [getattr(model, k) for k in key]
            statement = select(*columns, func.count(func.distinct(model.source_system))).where(
                model.date >= start, _in(model.region_code, scope)).group_by(*columns).having(
                func.count(func.distinct(model.source_system)) > 1)
            for row in conn.execute(statement.limit(MAX_ROWS)).all():
                values = dict(zip(key, row, strict=False))
                found.append({"kind": kind, "date": _date(values["date"]), "region_code": values["region_code"],
                              "what": " · ".join(str(values[k]) for k in key[1:] if k != "region_code" and values[k]),
                              "copies": row[-1]})
        lead_key = (Lead.source_system, Lead.created_at, Lead.channel_code, Lead.campaign_code, Lead.source_code,
                    Lead.region_code)
        statement = select(*lead_key, func.count()).where(
            Lead.created_at >= dt.datetime.combine(start, dt.time()), _in(Lead.region_code, scope)).group_by(
            *lead_key).having(func.count() > 1).limit(MAX_ROWS)
        for system, created, channel, campaign, source, region, copies in conn.execute(statement).all():
            found.append({"kind": "leads", "date": _date(created), "region_code": region,
                          "what": " · ".join(filter(None, [system, str(created)[:19], channel, campaign, source])),
                          "copies": copies})
    return sorted(found, key=lambda r: (r["date"], r["kind"]), reverse=True)


@_cached
def outliers(regions=None) -> list[dict]:
    """Findings recorded at load (``etl/quality.py``) dated within the window, in scope (findings without a
    region: the data team only), newest first."""
    scope = _regions(regions)
    finding = DataQualityFinding
    in_scope = _in(finding.region_code, scope)
    if sees_files() and not regions:
        in_scope = in_scope | finding.region_code.is_(None)
    columns = (finding.date, finding.table_name, finding.column, finding.series_key, finding.region_code,
               finding.value, finding.expected_low, finding.expected_high, finding.severity, finding.file_name,
               finding.line)
    with get_engine().connect() as conn:
        end = conn.execute(select(func.max(finding.date)).where(in_scope)).scalar()
        if end is None:
            return []
        start = _date(end) - dt.timedelta(days=WINDOW_DAYS - 1)
        rows = conn.execute(select(*columns).where(in_scope, finding.date >= start).order_by(
            finding.date.desc(), finding.id).limit(MAX_ROWS)).mappings().all()
    return [{**row, "date": _date(row["date"])} for row in rows]


@_cached
def rejects_by_day(today: dt.date | None = None) -> list[dict] | None:
    """Rows rejected per day of load over the window; None for whoever is not the data team (rejects belong to
    files, not to regions: a director's page hides the figure)."""
    if not sees_files():
        return None
    start = (today or as_of()) - dt.timedelta(days=WINDOW_DAYS - 1)
    day = func.date(EtlRun.started_at)
    with get_engine().connect() as conn:
        rows = conn.execute(select(day, func.sum(EtlRun.rows_rejected)).where(
            EtlRun.started_at >= dt.datetime.combine(start, dt.time()), EtlRun.rows_rejected > 0)
            .group_by(day).order_by(day)).all()
    return [{"date": _date(d), "rejected": int(n)} for d, n in rows]


def rejected_rows(day=None, today: dt.date | None = None) -> list[dict] | None:
    """The rejected rows of one day's loads (or of the whole window), with their run and file; None for whoever
    is not the data team, as :func:`rejects_by_day`."""
    require_role(*HEALTH_ROLES)
    if not sees_files():
        return None
    start = (today or as_of()) - dt.timedelta(days=WINDOW_DAYS - 1)
    when = EtlRun.started_at >= dt.datetime.combine(start, dt.time())
    if day is not None:
        try:
            day = dt.date.fromisoformat(str(day)[:10])
        except ValueError:
            return []
        when = and_(EtlRun.started_at >= dt.datetime.combine(day, dt.time()),
                    EtlRun.started_at < dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    columns = (EtlReject.run_id, EtlReject.file_name, EtlReject.line, EtlReject.column, EtlReject.value,
               EtlReject.expected, EtlReject.code, EtlReject.params)
    with get_engine().connect() as conn:
        return [dict(row) for row in conn.execute(select(*columns).join(EtlRun, EtlRun.id == EtlReject.run_id)
                                                  .where(when).order_by(EtlReject.run_id.desc(), EtlReject.line)
                                                  .limit(MAX_ROWS)).mappings()]


def late_sources(regions=None) -> list[dict]:
    """The rows of :func:`sources` behind their cadence, most late first."""
    return [s for s in sources(regions) if s["late_days"] > 0]


def summary(regions=None) -> dict:
    """The figures of the health line and cards: late sources, gap days, duplicates, outliers, rejects (None
    where the user does not see rejects)."""
    days = rejects_by_day()
    return {"late": late_sources(regions), "gaps": len(gaps(regions)), "duplicates": len(duplicates(regions)),
            "outliers": len(outliers(regions)), "rejects": None if days is None else sum(d["rejected"] for d in days)}


def visible_summary() -> dict | None:
    """:func:`summary` in the user's whole scope, or None for the roles that do not see data health (the home
    page shows its line only to those)."""
    if getattr(current_user, "role", None) not in HEALTH_ROLES:
        return None
    return summary()
