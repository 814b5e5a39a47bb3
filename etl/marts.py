"""Rebuild the marts for the dates a load touched.

The activity marts (``mart_daily``, then ``mart_monthly``) add up three families of facts, each
with its own measures: ad delivery, web analytics and the lead funnel. A load refreshes only the
family of the table it wrote: that family's measures are re-aggregated from its facts on the
touched days in one ``INSERT ... SELECT`` into a temporary table, compared with ``mart_daily``
in two set-based passes, and only the rows that differ are written, by key. So a file of ad rows
never re-reads a million leads, and a reload that moved nothing writes nothing. A mart row goes
when no family holds it any more (see :class:`Family`).

The lead marts (cohorts, sales reps) are deleted for the touched months and re-aggregated from
the facts. The facts stay the single source of truth and every mart can always be rebuilt
whole with ``pilotage etl rebuild-marts``.

When a load's lead rows are the whole lead table (a first load, or a whole export loaded again:
see :attr:`etl.loading.LoadCounts.written`), the funnel is summed from them in memory (numpy),
the same definitions read either way (see :data:`ACTIVITY_STAGES`), instead of seven passes of
SQL over a million rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.sql.elements import BindParameter

from etl.calendar import ensure_calendar
from etl.loading import copy_rows, first_copy, is_empty, one_if
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
AD_MEASURES = ("impressions", "clicks", "spend", "platform_conversions")
WEB_MEASURES = ("sessions", "engaged_sessions", "web_conversions")
LEAD_MEASURES = tuple(m for m in ACTIVITY_MEASURES if m not in (*AD_MEASURES, *WEB_MEASURES))
# Every lead part of mart_daily counts its rows except the closing one, whose day and keys are
# those of the lead's won or lost part: a mart row the funnel contributes to has one of these > 0.
LEAD_COUNTS = ("leads", "mqls", "sqls", "opportunities", "won", "lost")
FLOATS = FLOAT_MEASURES | {"days_to_won"}  # the marts' Double columns, as pilotage.store.models.marts makes them


def _day(column):
    return func.date(column)


def _days_between(conn: Connection, start, end):
    if conn.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def _typed(name, value):
    """Every part of a union gives a measure the mart's own type. Otherwise PostgreSQL casts
    the union level by level (one projection per part) and sums bigints as ``numeric``, which
    together cost more than reading the facts."""
    return cast(value, Double if name in FLOAT_MEASURES else Integer)


# --- what a lead adds, read the same way in SQL and in memory ------------------------------------

@dataclass(frozen=True)
class _Term:
    """What one lead adds to a measure: its SQL expression and its value over a frame of leads."""

    sql: Callable[[], object]
    frame: Callable[[pd.DataFrame], np.ndarray]


def _amount(leads: pd.DataFrame) -> np.ndarray:
    return leads["monthly_amount"].astype(float).fillna(0.0).to_numpy()


TERMS = {
    "one": _Term(lambda: literal(1), lambda leads: np.ones(len(leads))),
    "qualified": _Term(lambda: one_if(Lead.is_qualified),
                       lambda leads: leads["is_qualified"].fillna(False).astype(bool).to_numpy(dtype=float)),
    "amount": _Term(lambda: func.coalesce(Lead.monthly_amount, 0.0), _amount),
    "deal": _Term(lambda: func.coalesce(Lead.deal_value, 0.0),
                  lambda leads: leads["deal_value"].astype(float).fillna(0.0).to_numpy()),
    "if_opportunity": _Term(lambda: one_if(Lead.opportunity_at.is_not(None)),
                            lambda leads: leads["opportunity_at"].notna().to_numpy(dtype=float)),
    "amount_if_opportunity": _Term(
        lambda: case((Lead.opportunity_at.is_not(None), func.coalesce(Lead.monthly_amount, 0.0)), else_=0.0),
        lambda leads: np.where(leads["opportunity_at"].notna().to_numpy(), _amount(leads), 0.0)),
}

CLOSED = "closed_at"  # a deal closes once: on its won date, else on its lost date

# Activity convention: each stage's date carries these measures (measure -> term).
ACTIVITY_STAGES = {
    "created_at": {"leads": "one", "qualified_leads": "qualified"},
    "mql_at": {"mqls": "one"},
    "sql_at": {"sqls": "one"},
    "opportunity_at": {"opportunities": "one", "pipeline_opened": "one", "pipeline_opened_mrr": "amount"},
    "won_at": {"won": "one", "won_value": "deal", "new_mrr": "amount"},
    "lost_at": {"lost": "one"},
    CLOSED: {"pipeline_closed": "if_opportunity", "pipeline_closed_mrr": "amount_if_opportunity"},
}
REP_STAGES = {
    "created_at": {"leads": "one"},
    "opportunity_at": {"opportunities": "one"},
    "won_at": {"won": "one", "won_value": "deal"},
    "lost_at": {"lost": "one"},
    CLOSED: {"pipeline_closed": "if_opportunity"},
}


def _stage_column(stage: str):
    return func.coalesce(Lead.won_at, Lead.lost_at) if stage == CLOSED else getattr(Lead, stage)


def _as_stored(leads: pd.DataFrame) -> pd.DataFrame:
    """A connector's lead rows with every column of the fact table: those it did not give are NULL
    in the store (a load writes only the frame's columns)."""
    return leads.reindex(columns=[c.name for c in Lead.__table__.columns])


def _moments(leads: pd.DataFrame, column: str) -> pd.Series:
    """A date column of a frame of leads as datetimes (a column the file lacked holds None)."""
    return pd.to_datetime(leads[column]).astype("datetime64[us]")


def _stage_values(leads: pd.DataFrame, stage: str) -> pd.Series:
    if stage == CLOSED:
        won = _moments(leads, "won_at")
        return won.where(won.notna(), _moments(leads, "lost_at"))
    return _moments(leads, stage)


# --- mart_daily, family by family ------------------------------------------------------------------

def _row(day, channel, campaign, source, region, names, **measures):
    """One part of the union, already grouped: each part sums only its own measures, so the
    final aggregation works on a few hundred thousand narrow rows, not millions of wide ones."""
    keys = (day, channel, campaign, source, region)
    return select(
        day.label("date"), channel.label("channel_code"), campaign.label("campaign_code"),
        source.label("source_code"), region.label("region_code"),
        *(_typed(name, func.sum(measures[name]) if name in measures else literal(0)).label(name)
          for name in names),
    ).group_by(*(k for k in keys if not isinstance(k, BindParameter)))


def _ad_parts(touched):
    ad = AdPerformance
    return [_row(ad.date, ad.channel_code, ad.campaign_code, literal(""), ad.region_code, AD_MEASURES,
                 impressions=ad.impressions, clicks=ad.clicks, spend=ad.spend,
                 platform_conversions=ad.platform_conversions).where(ad.date.in_(touched))]


def _web_parts(touched):
    web = WebAnalytics
    return [_row(web.date, Source.channel_code, literal(""), web.source_code, web.region_code, WEB_MEASURES,
                 sessions=web.sessions, engaged_sessions=web.engaged_sessions, web_conversions=web.conversions)
            .join_from(web, Source, Source.code == web.source_code).where(web.date.in_(touched))]


def _lead_parts(touched):
    lead = Lead
    parts = []
    for stage, measures in ACTIVITY_STAGES.items():
        day = _day(_stage_column(stage))
        parts.append(_row(day, lead.channel_code, lead.campaign_code, lead.source_code, lead.region_code,
                          LEAD_MEASURES, **{m: TERMS[t].sql() for m, t in measures.items()})
                     .where(day.in_(touched)))
    return parts


def _ad_absent(mart):
    ad = AdPerformance
    return and_(*(mart.c[m] == 0 for m in AD_MEASURES), ~exists().where(
        ad.date == mart.c.date, ad.channel_code == mart.c.channel_code, ad.campaign_code == mart.c.campaign_code,
        ad.region_code == mart.c.region_code, mart.c.source_code == ""))


def _web_absent(mart):
    web = WebAnalytics
    return and_(*(mart.c[m] == 0 for m in WEB_MEASURES), ~exists().where(
        web.date == mart.c.date, web.source_code == mart.c.source_code, web.region_code == mart.c.region_code,
        Source.code == web.source_code, Source.channel_code == mart.c.channel_code, mart.c.campaign_code == ""))


def _lead_absent(mart):
    return and_(*(mart.c[m] == 0 for m in LEAD_COUNTS))


@dataclass(frozen=True)
class Family:
    """Facts that feed ``mart_daily``: their table, measures, SQL parts, and how to tell that a
    mart row holds none of them (the row must then go when the other families leave it)."""

    table: str
    measures: tuple[str, ...]
    parts: Callable
    absent: Callable


FAMILIES = (
    Family(AdPerformance.__tablename__, AD_MEASURES, _ad_parts, _ad_absent),
    Family(WebAnalytics.__tablename__, WEB_MEASURES, _web_parts, _web_absent),
    Family(Lead.__tablename__, LEAD_MEASURES, _lead_parts, _lead_absent),
)


def _temporary(conn: Connection, name: str, columns: list[Column]) -> Table:
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    table.drop(conn, checkfirst=True)
    table.create(conn)
    return table


def _touched_table(conn: Connection, days: set[dt.date], name: str) -> Table:
    table = _temporary(conn, name, [Column("date", Date, primary_key=True)])
    conn.execute(table.insert(), [{"date": d} for d in sorted(days)])
    return table


def _family_table(conn: Connection, family: Family) -> Table:
    daily = MartDaily.__table__
    return _temporary(conn, "tmp_mart_family", [Column(c, daily.c[c].type) for c in ("date", *DIMENSIONS)]
                      + [Column(m, daily.c[m].type) for m in family.measures])


def _merge_family(conn: Connection, family: Family, fresh: Table, touched) -> None:
    """Give ``mart_daily``'s rows on the touched days the family's measures from ``fresh`` (its
    whole contribution on those days), writing only what changes: the rows that differ are found
    in two set-based passes, then applied by key."""
    mart = MartDaily.__table__
    keys = ("date", *DIMENSIONS)
    measures = family.measures
    others = [m for m in ACTIVITY_MEASURES if m not in measures]
    change = _temporary(conn, "tmp_mart_change", [Column(k, mart.c[k].type) for k in keys]
                        + [Column(m, mart.c[m].type) for m in measures] + [Column("action", String(8))])
    current = select(mart).where(mart.c.date.in_(touched)).subquery("current")
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        # Both passes compare sets of up to a million rows: hash joins. A row count estimated from
        # ten "measure = 0" conditions (one row) would make PostgreSQL loop over them instead.
        nested_loops = conn.exec_driver_sql("SHOW enable_nestloop").scalar()
        conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
    # Rows the family brings: new ones, and those whose measures differ (the mart's own key
    # finds them: every fresh row is on a touched day).
    joined = fresh.outerjoin(mart, and_(*(mart.c[k] == fresh.c[k] for k in keys)))
    conn.execute(insert(change).from_select([*keys, *measures, "action"], select(
        *(fresh.c[k] for k in keys), *(fresh.c[m] for m in measures),
        case((mart.c.date.is_(None), literal("insert")), else_=literal("update")),
    ).select_from(joined).where(or_(mart.c.date.is_(None),
                                    *(mart.c[m].is_distinct_from(fresh.c[m]) for m in measures)))))
    # Rows the family leaves: those it had measures on, and those no family may hold any more.
    conn.execute(insert(change).from_select([*keys, "action"], select(
        *(current.c[k] for k in keys), literal("leave"),
    ).where(~exists().where(*(fresh.c[k] == current.c[k] for k in keys)),
            or_(*(current.c[m] != 0 for m in measures), and_(*(current.c[m] == 0 for m in others))))))
    if postgres:
        conn.exec_driver_sql(f"SET LOCAL enable_nestloop = {'on' if nested_loops == 'on' else 'off'}")
        conn.exec_driver_sql(f"ANALYZE {change.name}")
    else:
        Index("ix_tmp_mart_change_key", *(change.c[k] for k in keys)).create(conn)
    # Applied by key, from the (usually small) table of changes.
    leaving = tuple_(*(mart.c[k] for k in keys)).in_(
        select(*(change.c[k] for k in keys)).where(change.c.action == "leave"))
    conn.execute(delete(mart).where(leaving, *(f.absent(mart) for f in FAMILIES if f is not family)))
    conn.execute(update(mart).where(leaving).values({m: 0 for m in measures}))
    conn.execute(update(mart).where(change.c.action == "update", *(change.c[k] == mart.c[k] for k in keys))
                 .values({m: change.c[m] for m in measures}))
    conn.execute(insert(mart).from_select([*keys, *measures, *others], select(
        *(change.c[k] for k in keys), *(change.c[m] for m in measures), *(_typed(m, literal(0)) for m in others),
    ).where(change.c.action == "insert")))
    change.drop(conn)


def refresh_activity(conn: Connection, days: Mapping[str, Iterable[dt.date]],
                     leads: LeadMarts | None = None) -> None:
    """Refresh ``mart_daily`` for each fact table's touched days (``days``: table name -> days),
    then ``mart_monthly`` for their months. ``leads``: the lead marts summed in memory from every
    lead row of the store, when the load holds them all (:func:`sum_lead_marts`)."""
    every_day: set[dt.date] = set()
    for family in FAMILIES:
        touched_days = set(days.get(family.table, ()))
        if not touched_days:
            continue
        every_day |= touched_days
        touched = _touched_table(conn, touched_days, "tmp_touched_days")
        on_touched = select(touched.c.date)
        if family.table == Lead.__tablename__ and leads is not None:
            sums = leads.activity
            daily = MartDaily.__table__
            if conn.execute(select(literal(1)).where(daily.c.date.in_(on_touched)).limit(1)).first() is None:
                # Nothing to merge with (a first load into an empty store): straight into the mart.
                sums = sums.assign(**{m: 0.0 if m in FLOATS else 0 for m in ACTIVITY_MEASURES
                                      if m not in family.measures})
                if conn.dialect.name == "postgresql" and is_empty(conn, daily):
                    # 200 k rows for a million leads: PostgreSQL builds the key after them
                    first_copy(conn, daily, sums, list(sums.columns), ("date", *DIMENSIONS))
                else:
                    copy_rows(conn, daily, sums, list(sums.columns))
                touched.drop(conn)
                continue
            fresh = _family_table(conn, family)
            copy_rows(conn, fresh, sums, list(sums.columns))
        else:
            fresh = _family_table(conn, family)
            union = union_all(*family.parts(on_touched)).subquery()
            keys = [union.c[k] for k in ("date", *DIMENSIONS)]
            conn.execute(insert(fresh).from_select(
                [*(k.name for k in keys), *family.measures],
                select(*keys, *(func.sum(union.c[m]) for m in family.measures)).group_by(*keys)))
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ANALYZE {fresh.name}")
        else:  # SQLite joins by nested loops: it needs the key indexed
            Index("ix_tmp_mart_family_key", *(fresh.c[k] for k in ("date", *DIMENSIONS))).create(conn)
        _merge_family(conn, family, fresh, on_touched)
        fresh.drop(conn)
        touched.drop(conn)
    if not every_day:
        return
    ensure_calendar(conn, every_day)
    months = {d.replace(day=1) for d in every_day}
    conn.execute(delete(MartMonthly).where(MartMonthly.month.in_(months)))
    daily = MartDaily.__table__
    monthly = select(
        Calendar.month_start, *(daily.c[d] for d in DIMENSIONS),
        *(func.sum(daily.c[m]) for m in ACTIVITY_MEASURES),
    ).join_from(daily, Calendar, Calendar.date == daily.c.date).where(
        Calendar.month_start.in_(months)).group_by(Calendar.month_start, *(daily.c[d] for d in DIMENSIONS))
    conn.execute(insert(MartMonthly).from_select(["month", *DIMENSIONS, *ACTIVITY_MEASURES], monthly))


# --- the lead funnel summed in memory ----------------------------------------------------------------

def _codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """One integer per row for its combination of ``columns`` (-1 when one of them is missing, as
    a rep-less lead for the rep mart), and the combinations: row ``i`` for code ``i``."""
    code = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        part, uniques = pd.factorize(frame[column])
        code = np.where((code < 0) | (part < 0), -1, code * max(len(uniques), 1) + part)
        present = code >= 0
        code[present] = pd.factorize(code[present])[0]
    present = np.flatnonzero(code >= 0)
    # factorize numbers the combinations in order of first appearance: code i's first row is the
    # i-th first appearance (a hash table, where np.unique sorts every row).
    first = np.flatnonzero(~pd.Series(code[present]).duplicated().to_numpy())
    combos = frame[list(columns)].iloc[present[first]].reset_index(drop=True)
    return code, combos


def _dense_ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` without sorting the keys: a table over their range
    when it is small (a million leads' stage dates make six million keys over a few million
    (period, combination) values), a hash table and a sort of the distinct keys otherwise."""
    if not len(keys):
        return keys, keys
    low = keys.min()
    span = int(keys.max() - low) + 1
    if span <= 4 * len(keys) + (1 << 16):
        seen = np.zeros(span, dtype=bool)
        seen[keys - low] = True
        rank = np.cumsum(seen) - 1
        return np.flatnonzero(seen) + low, rank[keys - low]
    inverse, distinct = pd.factorize(keys)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[inverse]


def _grouped_sums(leads: pd.DataFrame, stages: dict[str, dict[str, np.ndarray]], keys: tuple[str, ...],
                  grain: str, names: tuple[str, ...], periods: set[dt.date], period_name: str,
                  coded: tuple[np.ndarray, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Per stage date, its measures (one value per lead) summed by (that date's day or month,
    ``keys``), then all stages together: what the SQL parts and their union compute. Each sum runs
    over the leads in the frame's order, one after the other, as the database's does over its scan.
    ``coded``: :func:`_codes` of ``keys``, when the caller has it."""
    combo, combos = coded or _codes(leads, keys)
    wanted = np.array(sorted(periods), dtype=f"datetime64[{grain}]").astype(np.int64)
    group_keys, pieces = [], []
    for stage, measures in stages.items():
        when = _stage_values(leads, stage).to_numpy(dtype="datetime64[us]")
        rows = np.flatnonzero(~np.isnat(when) & (combo >= 0))
        period = when[rows].astype(f"datetime64[{grain}]").astype(np.int64)
        kept = np.isin(period, wanted, kind="table") if len(wanted) else np.zeros(len(rows), dtype=bool)
        rows = rows[kept]
        group_keys.append(period[kept] * len(combos) + combo[rows])
        pieces.append((rows, measures))
    if not sum(len(k) for k in group_keys):
        return pd.DataFrame(columns=[period_name, *keys, *names])
    unique, inverse = _dense_ranks(np.concatenate(group_keys))
    sums = {name: np.zeros(len(unique)) for name in names}
    start = 0
    for (rows, measures), stage_keys in zip(pieces, group_keys, strict=True):
        at = inverse[start:start + len(stage_keys)]
        start += len(stage_keys)
        for name, values in measures.items():
            sums[name] += np.bincount(at, weights=values[rows], minlength=len(unique))
    result = combos.iloc[unique % len(combos)].reset_index(drop=True)
    result.insert(0, period_name, pd.to_datetime((unique // len(combos)).astype(f"datetime64[{grain}]")))
    for name in names:
        result[name] = sums[name] if name in FLOATS else sums[name].round().astype(np.int64)
    return result


def _stage_sums(leads: pd.DataFrame, stages: dict[str, dict[str, str]], keys: tuple[str, ...], grain: str,
                names: tuple[str, ...], periods: set[dt.date], period_name: str,
                coded: tuple[np.ndarray, pd.DataFrame] | None = None) -> pd.DataFrame:
    """:func:`_grouped_sums` of stages whose measures are :data:`TERMS`, each term read once
    (``leads`` as stored: see :func:`_as_stored`)."""
    values = {term: TERMS[term].frame(leads) for measures in stages.values() for term in measures.values()}
    return _grouped_sums(leads, {stage: {m: values[t] for m, t in measures.items()} for stage, measures in
                                 stages.items()}, keys, grain, names, periods, period_name, coded)


@dataclass(frozen=True)
class LeadMarts:
    """The lead rows' part of every mart, summed in memory (what the SQL of the refresh functions
    gives over the same rows): computed from a load's rows while PostgreSQL copies them."""

    activity: pd.DataFrame  # mart_daily's lead measures, by day
    cohorts: pd.DataFrame  # mart_cohort_monthly
    reps: pd.DataFrame  # mart_rep_monthly

    def on(self, days: Iterable[dt.date]) -> LeadMarts:
        """These marts on ``days`` and their months only: the sums over every date of a file, kept
        for the dates a load touched (a group's sum does not depend on the other groups)."""
        days = set(days)
        months = {d.replace(day=1) for d in days}
        return LeadMarts(activity=_on(self.activity, "date", days, "D"),
                         cohorts=_on(self.cohorts, "cohort_month", months, "M"),
                         reps=_on(self.reps, "month", months, "M"))


def _on(sums: pd.DataFrame, column: str, periods: set[dt.date], grain: str) -> pd.DataFrame:
    wanted = np.array(sorted(periods), dtype=f"datetime64[{grain}]")
    kept = np.isin(sums[column].to_numpy(dtype="datetime64[us]").astype(f"datetime64[{grain}]"), wanted)
    return sums[kept].reset_index(drop=True)


def sum_lead_marts(leads: pd.DataFrame, days: Iterable[dt.date]) -> LeadMarts:
    """The lead marts of ``leads`` (every lead of the store) on ``days`` and their months."""
    days = set(days)
    months = {d.replace(day=1) for d in days}
    leads = _as_stored(leads)
    dimensions = _codes(leads, DIMENSIONS)  # the activity and cohort marts share their keys
    return LeadMarts(
        activity=_stage_sums(leads, ACTIVITY_STAGES, DIMENSIONS, "D", LEAD_MEASURES, days, "date", dimensions),
        cohorts=_lead_cohorts(leads, months, dimensions),
        reps=_stage_sums(leads, REP_STAGES, ("rep_code", "channel_code", "region_code"), "M", REP_MEASURES,
                         months, "month"))


# --- the lead marts by month -------------------------------------------------------------------------

def refresh_cohorts(conn: Connection, days: Iterable[dt.date], leads: LeadMarts | None = None) -> None:
    """Rebuild ``mart_cohort_monthly`` for the creation months holding ``days`` (``leads``: the lead
    marts summed in memory, when the load holds every lead of the store)."""
    months = {d.replace(day=1) for d in days}
    if not months:
        return
    ensure_calendar(conn, months)
    conn.execute(delete(MartCohortMonthly).where(MartCohortMonthly.cohort_month.in_(months)))
    if leads is not None:
        copy_rows(conn, MartCohortMonthly.__table__, leads.cohorts, list(leads.cohorts.columns))
        return
    lead = Lead
    won_days = case((lead.won_at.is_not(None), _days_between(conn, lead.created_at, lead.won_at)), else_=0.0)
    measures = {
        "leads": func.count(),
        "qualified_leads": func.sum(one_if(lead.is_qualified)),
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


def _lead_cohorts(leads: pd.DataFrame, months: set[dt.date], dimensions: tuple[np.ndarray, pd.DataFrame]
                  ) -> pd.DataFrame:
    """What the SQL of :func:`refresh_cohorts` gives, over a frame of leads as stored: every measure on
    the creation month (``dimensions``: :func:`_codes` of :data:`DIMENSIONS`)."""
    won = leads["won_at"].notna().to_numpy()
    days_to_won = ((_moments(leads, "won_at") - _moments(leads, "created_at")).dt.total_seconds() / 86400.0
                   ).fillna(0.0).to_numpy()
    values = {
        "leads": np.ones(len(leads)),
        "qualified_leads": TERMS["qualified"].frame(leads),
        **{name: leads[f"{stage}_at"].notna().to_numpy(dtype=float) for name, stage in (
            ("mqls", "mql"), ("sqls", "sql"), ("opportunities", "opportunity"), ("won", "won"), ("lost", "lost"))},
        "won_value": np.where(won, TERMS["deal"].frame(leads), 0.0),
        "new_mrr": np.where(won, TERMS["amount"].frame(leads), 0.0),
        "days_to_won": np.where(won, days_to_won, 0.0),
    }
    return _grouped_sums(leads, {"created_at": values}, DIMENSIONS, "M", COHORT_MEASURES, months, "cohort_month",
                         dimensions)


def refresh_reps(conn: Connection, days: Iterable[dt.date], leads: LeadMarts | None = None) -> None:
    """Rebuild ``mart_rep_monthly`` for the months holding ``days`` (activity convention)."""
    months = {d.replace(day=1) for d in days}
    if not months:
        return
    ensure_calendar(conn, months)
    conn.execute(delete(MartRepMonthly).where(MartRepMonthly.month.in_(months)))
    keys = ("month", "rep_code", "channel_code", "region_code")
    if leads is not None:
        copy_rows(conn, MartRepMonthly.__table__, leads.reps, list(leads.reps.columns))
        return
    lead = Lead
    parts = []
    for stage, measures in REP_STAGES.items():
        columns = (Calendar.month_start, lead.rep_code, lead.channel_code, lead.region_code)
        parts.append(select(
            *(c.label(n) for c, n in zip(columns, keys, strict=True)),
            *(_typed(m, func.sum(TERMS[measures[m]].sql()) if m in measures else literal(0)).label(m)
              for m in REP_MEASURES),
        ).join_from(lead, Calendar, Calendar.date == _day(_stage_column(stage))).where(
            Calendar.month_start.in_(months), lead.rep_code.is_not(None)).group_by(*columns))
    union = union_all(*parts).subquery()
    columns = [union.c[k] for k in keys]
    conn.execute(insert(MartRepMonthly).from_select(
        [*keys, *REP_MEASURES], select(*columns, *(func.sum(union.c[m]) for m in REP_MEASURES)).group_by(*columns)))


def refresh_subscriptions(conn: Connection, months: Iterable[dt.date]) -> None:
    months = {m.replace(day=1) for m in months}
    if not months:
        return
    sub = Subscription
    active = ~sub.is_churned
    conn.execute(delete(MartSubscriptionMonthly).where(MartSubscriptionMonthly.month.in_(months)))
    aggregate = select(
        sub.month, sub.region_code, sub.channel_code,
        func.sum(one_if(active)),
        func.sum(case((active, sub.mrr), else_=0.0)),
        func.sum(one_if(sub.is_new & active)),
        func.sum(case((sub.is_new & active, sub.mrr), else_=0.0)),
        func.sum(one_if(sub.is_churned)),
        func.sum(case((sub.is_churned, sub.mrr), else_=0.0)),
    ).where(sub.month.in_(months)).group_by(sub.month, sub.region_code, sub.channel_code)
    conn.execute(insert(MartSubscriptionMonthly).from_select(
        ["month", "region_code", "channel_code", "customers", "mrr", "new_customers", "new_mrr",
         "churned_customers", "churned_mrr"], aggregate))


def rebuild_all(conn: Connection) -> None:
    """Rebuild every mart from the facts (after a schema change, or to check a refresh)."""
    lead = Lead
    lead_days = {_to_date(v) for column in ("created_at", "mql_at", "sql_at", "opportunity_at", "won_at", "lost_at")
                 for v in conn.execute(select(_day(getattr(lead, column))).distinct()).scalars() if v}
    days = {model.__tablename__: {_to_date(v) for v in conn.execute(select(model.date).distinct()).scalars()}
            for model in (AdPerformance, WebAnalytics)}
    days[Lead.__tablename__] = lead_days
    for table in (MartDaily, MartMonthly, MartCohortMonthly, MartRepMonthly, MartSubscriptionMonthly):
        conn.execute(delete(table))
    refresh_activity(conn, days)
    refresh_cohorts(conn, lead_days)
    refresh_reps(conn, lead_days)
    refresh_subscriptions(conn, set(conn.execute(select(Subscription.month).distinct()).scalars()))


def _to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
