"""The query layer: every number the app shows comes from a function here.

Each function reads the marts (never the raw facts) with parameterised SQLAlchemy Core
statements, restricted to the regions :func:`scope.allowed_regions` grants the logged-in
user, and is cached per scope and data version. Filters arrive validated
(:func:`filters.parse_filters`); region filters can only narrow the scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, false, func, literal, select

from pilotage.dates import month_end, month_start, months_between
from pilotage.store.engine import get_engine
from pilotage.store.models import (
    ACTIVITY_MEASURES,
    REP_MEASURES,
    Calendar,
    Campaign,
    Channel,
    Cost,
    MartCohortMonthly,
    MartDaily,
    MartMonthly,
    MartRepMonthly,
    MartSubscriptionMonthly,
    SalesRep,
    SalesTeam,
    Target,
)

from .. import i18n
from . import metrics, periods
from .cache import scoped_cache
from .filters import BREAKDOWNS, Filters, parse_filters
from .scope import allowed_regions, region_tree

SUBSCRIPTION_MEASURES = ("mrr", "customers", "customers_start", "churned_customers", "churned_mrr", "months")
ACTIVITY_FIELDS = frozenset(ACTIVITY_MEASURES)
# Base measures that are stocks at a month's end -> their column in monthly_stock_series.
STOCK_FIELDS = {"mrr": "mrr", "customers": "customers", "pipeline_open_mrr": "gpmrr"}
DIMENSION_COLUMNS = {"channel": "channel_code", "campaign": "campaign_code", "region": "region_code",
                     "source": "source_code"}


# --- scope and filters ----------------------------------------------------------------------

def effective_regions(filters: Filters) -> frozenset[str]:
    """The regions a query may read: the scope, narrowed by the region filter, never widened."""
    allowed = allowed_regions()
    if filters.regions:
        return allowed & region_tree().with_descendants(filters.regions)
    return allowed


def _wholemonths_between(filters: Filters) -> bool:
    return filters.start.day == 1 and filters.end == month_end(filters.end)


def _conditions(table, filters: Filters, regions: frozenset[str], dimensions=("channel", "campaign", "source")):
    conditions = [table.c.region_code.in_(sorted(regions)) if regions else false()]
    for dimension, values in (("channel", filters.channels), ("campaign", filters.campaigns),
                              ("source", filters.sources)):
        column = DIMENSION_COLUMNS[dimension]
        if values and dimension in dimensions and column in table.c:
            conditions.append(table.c[column].in_(values))
    return conditions


def _activity(filters: Filters):
    """The activity mart to read and its period column: monthly for whole months, else daily."""
    if _wholemonths_between(filters) and filters.grain == "month":
        table = MartMonthly.__table__
        return table, table.c.month, month_start(filters.start), filters.end
    table = MartDaily.__table__
    return table, table.c.date, filters.start, filters.end


def _read(statement) -> pd.DataFrame:
    with get_engine().connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@scoped_cache
def data_range() -> tuple[dt.date, dt.date] | None:
    """The first and last days with activity in the store (not scoped: they reveal no figure)."""
    with get_engine().connect() as conn:
        first, last = conn.execute(select(func.min(MartDaily.date), func.max(MartDaily.date))).one()
    if not last:
        return None
    return dt.date.fromisoformat(str(first)[:10]), dt.date.fromisoformat(str(last)[:10])


def data_end() -> dt.date | None:
    """The last day with activity in the store."""
    bounds = data_range()
    return bounds[1] if bounds else None


def today() -> dt.date:
    """The day after the last loaded day: default periods are relative to the data, not the clock."""
    last = data_end()
    return (last + dt.timedelta(days=1)) if last else dt.date.today()


@scoped_cache
def known_codes() -> dict[str, frozenset[str]]:
    """Valid filter values: the scope's regions, every channel, the scope's campaigns and sources."""
    regions = allowed_regions()
    mart = MartMonthly.__table__
    in_scope = mart.c.region_code.in_(sorted(regions)) if regions else false()
    with get_engine().connect() as conn:
        channels = frozenset(conn.execute(select(Channel.code)).scalars())
        campaigns = frozenset(conn.execute(select(mart.c.campaign_code).where(in_scope).distinct()).scalars())
        sources = frozenset(conn.execute(select(mart.c.source_code).where(in_scope).distinct()).scalars())
    return {"regions": regions, "channels": channels, "campaigns": campaigns - {""}, "sources": sources - {""}}


def filters_from(raw) -> Filters:
    """Untrusted input (URL query, callback inputs) -> validated, scope-aware filters."""
    return parse_filters(raw, today=today(), known=known_codes(), data_range=data_range())


def comparison(filters: Filters) -> periods.Comparison:
    """The filters' window as read (never past the data's last day), its unit, whether it is partial,
    and the like-for-like windows it is compared with (:func:`periods.compare`)."""
    return periods.compare(filters.start, filters.end, data_end(), filters.unit)


def compared(filters: Filters) -> tuple[Filters, Filters, periods.Comparison]:
    """The same filters over the previous and the last-year windows of :func:`comparison`."""
    window = comparison(filters)
    return filters.over(window.previous), filters.over(window.last_year), window


@scoped_cache
def channel_names(language: str) -> dict[str, str]:
    """Every channel's name in ``language`` (code -> name): reference data, the same in every scope."""
    column = Channel.name_fr if language == "fr" else Channel.name_en
    with get_engine().connect() as conn:
        return dict(conn.execute(select(Channel.code, column)).all())


@scoped_cache
def filter_options(language: str) -> dict[str, list[dict]]:
    """Dropdown options, scope applied: a director's region list holds their regions only."""
    regions = allowed_regions()
    tree = region_tree()
    codes = known_codes()
    name_column = Channel.name_fr if language == "fr" else Channel.name_en
    with get_engine().connect() as conn:
        channels = conn.execute(select(Channel.code, name_column).order_by(name_column)).all()
        campaigns = conn.execute(select(Campaign.code, Campaign.name).where(
            Campaign.code.in_(sorted(codes["campaigns"]))).order_by(Campaign.name)).all() if codes["campaigns"] else []

    def depth(code: str) -> int:
        level, parent = 0, tree.parent.get(code)
        while parent:
            level, parent = level + 1, tree.parent.get(parent)
        return level

    return {
        "regions": [{"value": c, "label": "\u2003" * depth(c) + i18n.region_name(c, tree.names.get(c), language)}
                    for c in sorted(regions, key=lambda c: (_path(tree, c)))],
        "channels": [{"value": c, "label": n} for c, n in channels],
        "campaigns": [{"value": c, "label": n or c} for c, n in campaigns],
        "sources": [{"value": s, "label": s} for s in sorted(codes["sources"])],
    }


def _path(tree, code: str) -> tuple[str, ...]:
    path = [tree.names.get(code, code)]
    parent = tree.parent.get(code)
    while parent:
        path.insert(0, tree.names.get(parent, parent))
        parent = tree.parent.get(parent)
    return tuple(path)


# --- base measures --------------------------------------------------------------------------

def _activity_totals(filters: Filters, regions: frozenset[str]) -> dict[str, float]:
    table, period, start, end = _activity(filters)
    statement = select(*(func.coalesce(func.sum(table.c[m]), 0).label(m) for m in ACTIVITY_MEASURES)).where(
        period >= start, period <= end, *_conditions(table, filters, regions))
    with get_engine().connect() as conn:
        row = conn.execute(statement).one()
    return {m: float(v or 0) for m, v in row._mapping.items()}


def _pipeline_open(filters: Filters, regions: frozenset[str], at: dt.date) -> tuple[float, float]:
    """Open opportunities and their monthly amounts (GPMRR) at the end of ``at``: whole months
    from the monthly mart, the last partial month from the daily one."""
    month = month_start(at)
    parts = []
    monthly, daily = MartMonthly.__table__, MartDaily.__table__
    for table, condition in ((monthly, monthly.c.month < month),
                             (daily, and_(daily.c.date >= month, daily.c.date <= at))):
        parts.append(select(
            func.coalesce(func.sum(table.c.pipeline_opened - table.c.pipeline_closed), 0),
            func.coalesce(func.sum(table.c.pipeline_opened_mrr - table.c.pipeline_closed_mrr), 0.0),
        ).where(condition, *_conditions(table, filters, regions)))
    with get_engine().connect() as conn:
        rows = [conn.execute(p).one() for p in parts]
    return float(sum(r[0] for r in rows)), float(sum(r[1] for r in rows))


def complete_months(filters: Filters) -> list[dt.date]:
    """The months the window covers whole, up to the data's last day (a rate such as churn is read
    over these only: a week's churn is not a month's)."""
    last = data_end()
    end = min(filters.end, last) if last else filters.end
    return [m for m in months_between(filters.start, end) if m >= filters.start and month_end(m) <= end]


def _subscriptions(filters: Filters, regions: frozenset[str]) -> dict[str, float | None]:
    """MRR and customers at the end of the window (the snapshot of the month holding its last day:
    subscriptions are monthly), and churn over the window's complete months (None without one)."""
    table = MartSubscriptionMonthly.__table__
    months = months_between(filters.start, filters.end)
    whole = complete_months(filters)
    scoped = _conditions(table, filters, regions, dimensions=("channel",))

    def at(month: dt.date):
        return select(func.coalesce(func.sum(table.c.mrr), 0.0), func.coalesce(func.sum(table.c.customers), 0)).where(
            table.c.month == month, *scoped)

    with get_engine().connect() as conn:
        mrr, customers = conn.execute(at(months[-1])).one()
        result = {"mrr": float(mrr), "customers": float(customers), "customers_start": None,
                  "churned_customers": None, "churned_mrr": None, "months": float(len(whole))}
        if whole:
            _, customers_start = conn.execute(at(month_start(whole[0] - dt.timedelta(days=1)))).one()
            churned, churned_mrr = conn.execute(select(
                func.coalesce(func.sum(table.c.churned_customers), 0),
                func.coalesce(func.sum(table.c.churned_mrr), 0.0),
            ).where(table.c.month.in_(whole), *scoped)).one()
            result.update(customers_start=float(customers_start), churned_customers=float(churned),
                          churned_mrr=float(churned_mrr))
    return result


def _costs(filters: Filters, regions: frozenset[str], scope_spend: float) -> float:
    """Costs of the period: regional cost rows of the scope, plus company-wide rows in
    proportion to the scope's share of media spend; partial months pro rata of their days."""
    everything = frozenset(region_tree().parent)
    with get_engine().connect() as conn:
        rows = conn.execute(select(Cost.month, Cost.region_code, func.sum(Cost.amount)).where(
            Cost.month.in_(months_between(filters.start, filters.end)),
            Cost.region_code.in_(sorted(regions | {"all"}))).group_by(Cost.month, Cost.region_code)).all()
        share = 1.0
        if regions != everything or filters.channels or filters.campaigns or filters.sources:
            table, period, start, end = _activity(filters)
            total = conn.execute(select(func.coalesce(func.sum(table.c.spend), 0.0)).where(
                period >= start, period <= end)).scalar_one()
            share = scope_spend / total if total else 0.0
    amount = 0.0
    for month, region, value in rows:
        month = dt.date.fromisoformat(str(month)[:10])
        first, last = max(month, filters.start), min(month_end(month), filters.end)
        overlap = ((last - first).days + 1) / month_end(month).day
        amount += float(value) * overlap * (share if region == "all" else 1.0)
    return amount


@scoped_cache
def measures(filters: Filters) -> dict[str, float | None]:
    """Every base measure of :mod:`metrics` over the scope and the period: activity summed over it,
    stocks at its end, churn over its complete months (None without one)."""
    regions = effective_regions(filters)
    totals = _activity_totals(filters, regions)
    totals.update(_subscriptions(filters, regions))
    scope_filters = Filters(start=filters.start, end=filters.end, grain=filters.grain, regions=filters.regions)
    scope_spend = totals["spend"] if scope_filters == filters else _activity_totals(scope_filters, regions)["spend"]
    totals["costs"] = _costs(filters, regions, scope_spend)
    totals["pipeline_open"], totals["pipeline_open_mrr"] = _pipeline_open(filters, regions, filters.end)
    return totals


def kpi_values(filters: Filters, names) -> dict[str, float | None]:
    base = measures(filters)
    return {name: metrics.value(name, base) for name in names}


# --- series, breakdowns, funnel, leaderboard, cohorts ----------------------------------------

def _bucket(filters: Filters, table, period):
    """The period column at the filters' grain (ISO weeks start on Monday)."""
    if table is MartMonthly.__table__:
        return period, None
    if filters.grain == "day":
        return period, None
    column = Calendar.week_start if filters.grain == "week" else Calendar.month_start
    return column, (Calendar, Calendar.date == period)


@scoped_cache
def activity_series(filters: Filters, by: str | None = None) -> pd.DataFrame:
    """Activity measures per period bucket (and per ``by`` dimension value when given)."""
    if by is not None and by not in BREAKDOWNS:
        raise KeyError(by)
    regions = effective_regions(filters)
    table, period, start, end = _activity(filters)
    bucket, join = _bucket(filters, table, period)
    keys = [bucket.label("period")] + ([table.c[DIMENSION_COLUMNS[by]].label(by)] if by else [])
    statement = select(*keys, *(func.sum(table.c[m]).label(m) for m in ACTIVITY_MEASURES)).select_from(table)
    if join is not None:
        statement = statement.join(join[0], join[1])
    statement = statement.where(period >= start, period <= end, *_conditions(table, filters, regions)).group_by(
        *keys).order_by(*keys)
    frame = _read(statement)
    if not frame.empty:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        frame[list(ACTIVITY_MEASURES)] = frame[list(ACTIVITY_MEASURES)].astype(float)
    return frame


@scoped_cache
def monthly_stock_series(filters: Filters) -> pd.DataFrame:
    """MRR, customers and open pipeline (GPMRR) at each month's end of the period."""
    regions = effective_regions(filters)
    table = MartSubscriptionMonthly.__table__
    months = months_between(filters.start, filters.end)
    subs = _read(select(table.c.month.label("period"), func.sum(table.c.mrr).label("mrr"),
                        func.sum(table.c.customers).label("customers")).where(
        table.c.month.in_(months), *_conditions(table, filters, regions, dimensions=("channel",))).group_by(
        table.c.month))
    # GPMRR at each month's end: the balance before the period plus the running sum of the
    # monthly movements (one statement for all months, not one per month).
    monthly = MartMonthly.__table__
    _, balance = _pipeline_open(filters, regions, months[0] - dt.timedelta(days=1))
    with get_engine().connect() as conn:
        movements = dict(conn.execute(select(
            monthly.c.month, func.sum(monthly.c.pipeline_opened_mrr - monthly.c.pipeline_closed_mrr),
        ).where(monthly.c.month.in_(months), *_conditions(monthly, filters, regions)).group_by(monthly.c.month)).all())
    movements = {dt.date.fromisoformat(str(k)[:10]): float(v or 0.0) for k, v in movements.items()}
    rows = []
    for month in months:
        balance += movements.get(month, 0.0)
        rows.append({"period": month, "gpmrr": balance})
    if filters.end != month_end(filters.end):  # the last month is partial: its balance at the end date
        rows[-1]["gpmrr"] = _pipeline_open(filters, regions, filters.end)[1]
    frame = pd.DataFrame(rows)
    if not subs.empty:
        subs["period"] = pd.to_datetime(subs["period"]).dt.date
        frame = frame.merge(subs, on="period", how="left")
    else:
        frame["mrr"], frame["customers"] = 0.0, 0.0
    return frame.fillna(0.0)


def breakdown(filters: Filters, by: str) -> pd.DataFrame:
    """One row per channel, campaign, region or source, with every activity measure."""
    if by not in BREAKDOWNS:
        raise KeyError(by)
    frame = activity_series(filters, by)
    if frame.empty:
        return frame
    return frame.drop(columns="period").groupby(by, as_index=False).sum(numeric_only=True)


def funnel(filters: Filters) -> list[tuple[str, float]]:
    """The funnel's stages in order (:data:`metrics.FUNNEL`) with their counts."""
    base = measures(filters)
    return [(stage, base.get(stage, 0.0)) for stage in metrics.FUNNEL]


# --- one KPI over time ---------------------------------------------------------------------------

def is_activity_kpi(name: str) -> bool:
    """Whether a KPI needs only activity measures (then it follows any grain)."""
    return set(metrics.get(name).measures) <= ACTIVITY_FIELDS


def _values(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({"period": [], "value": []})
    return pd.DataFrame({"period": [pd.Timestamp(p).date() for p in frame["period"]],
                         "value": [metrics.value(name, row) for row in frame.to_dict("records")]})


@scoped_cache
def monthly_measures(filters: Filters) -> pd.DataFrame:
    """Every base measure per month of the window (each month cut to the window), as :func:`measures`
    gives them: the KPIs that need more than activity (full CAC, churn, LTV, payback) per month."""
    rows = [{**measures(replace(filters, start=max(m, filters.start), end=min(month_end(m), filters.end),
                                grain="month", period="custom")), "period": m}
            for m in months_between(filters.start, filters.end)]
    return pd.DataFrame(rows)


def kpi_series(filters: Filters, name: str) -> tuple[pd.DataFrame, str]:
    """(period, value) of one KPI per bucket, and the grain used: the home page's sparklines and the
    drill-down's chart both read this, so that one draws a trend exactly when the other does.

    Activity KPIs follow the filters' grain; stocks (MRR, GPMRR) and the KPIs that need monthly
    figures (full CAC, churn, LTV, payback) are read per month."""
    if is_activity_kpi(name):
        return _values(activity_series(filters), name), filters.grain
    monthly = replace(filters, grain="month")
    if set(metrics.get(name).measures) <= set(STOCK_FIELDS):
        frame = monthly_stock_series(monthly).rename(columns={v: k for k, v in STOCK_FIELDS.items()})
    else:
        frame = monthly_measures(monthly)
    return _values(frame, name), "month"


@scoped_cache
def monthly_trend(filters: Filters, name: str) -> tuple[tuple[dt.date, float | None], ...]:
    """One value per month of a window of whole months: a month without activity is zero for a count
    and undefined (None) for a ratio."""
    frame, _ = kpi_series(replace(filters, grain="month"), name)
    values = dict(zip(frame["period"], frame["value"], strict=True)) if not frame.empty else {}
    empty = 0.0 if metrics.get(name).additive else None
    return tuple((m, _plain(values.get(m, empty))) for m in months_between(filters.start, filters.end))


def last_year_series(filters: Filters, name: str, grain: str) -> pd.DataFrame | None:
    """The KPI over the like-for-like last-year window, each value moved onto this window's bucket
    (activity KPIs only: one cached query)."""
    if not is_activity_kpi(name):
        return None
    window = comparison(filters)
    frame = _values(activity_series(filters.over(window.last_year)), name)
    if grain == "month":
        frame["period"] = [p + relativedelta(years=1) for p in frame["period"]]
    else:  # same weekdays for ISO weeks (52 or 53 weeks on), same dates for days
        offset = window.window.start - window.last_year.start
        frame["period"] = [periods.bucket_key(p + offset, grain) for p in frame["period"]]
    return frame


def _plain(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


LEADERBOARD_RATES = ("lead_to_won", "opportunity_win_rate", "average_deal_value")


@scoped_cache
def leaderboard(filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Top reps by won value over the months of the period (rep mart, activity convention), with
    their rates from :mod:`metrics` (:data:`LEADERBOARD_RATES`: each divides counts of these months)."""
    regions = effective_regions(filters)
    table = MartRepMonthly.__table__
    months = months_between(filters.start, filters.end)
    statement = select(
        table.c.rep_code, func.coalesce(SalesRep.name, table.c.rep_code).label("rep"),
        func.coalesce(SalesTeam.code, literal("")).label("team_code"),
        func.coalesce(SalesTeam.name, literal("")).label("team"),
        *(func.sum(table.c[m]).label(m) for m in REP_MEASURES),
    ).select_from(table).outerjoin(SalesRep, SalesRep.code == table.c.rep_code).outerjoin(
        SalesTeam, SalesTeam.code == SalesRep.team_code).where(
        table.c.month.in_(months), *_conditions(table, filters, regions, dimensions=("channel",))).group_by(
        table.c.rep_code, SalesRep.name, SalesTeam.code, SalesTeam.name).order_by(
        func.sum(table.c.won_value).desc(), table.c.rep_code).limit(max(1, min(int(limit), 100)))
    frame = _read(statement)
    if not frame.empty:
        records = frame.to_dict("records")
        for name in LEADERBOARD_RATES:
            frame[name] = [metrics.value(name, row) for row in records]
    return frame


@scoped_cache
def cohorts(filters: Filters) -> pd.DataFrame:
    """Per lead-creation month: how many leads reached each stage, whenever they reached it."""
    regions = effective_regions(filters)
    table = MartCohortMonthly.__table__
    names = ("leads", "qualified_leads", "mqls", "sqls", "opportunities", "won", "won_value", "days_to_won")
    months = months_between(filters.start, filters.end)
    statement = select(table.c.cohort_month.label("period"), *(func.sum(table.c[m]).label(m) for m in names)).where(
        table.c.cohort_month.in_(months), *_conditions(table, filters, regions)).group_by(
        table.c.cohort_month).order_by(table.c.cohort_month)
    frame = _read(statement)
    if not frame.empty:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        frame["average_days_to_won"] = frame["days_to_won"] / frame["won"].where(frame["won"] > 0)
    return frame


# --- targets --------------------------------------------------------------------------------

def _target_rows(filters: Filters, names) -> pd.DataFrame:
    regions = effective_regions(filters)
    everything = frozenset(region_tree().parent)
    if regions == everything and not filters.regions:
        codes = ["all"]  # the company's own target, not the sum of regional ones
    else:
        tree = region_tree()
        # Sum the most general targets inside the regions, without counting a child with its parent.
        codes = sorted(c for c in regions if tree.parent.get(c) not in regions)
        codes = sorted(regions) if not codes else sorted(set(codes) | set(regions))
    statement = select(
        Target.period_start, Target.kpi, Target.region_code, func.sum(Target.value).label("value"),
    ).where(
        Target.grain == "month", Target.kpi.in_(list(names)), Target.region_code.in_(codes),
        Target.period_start.in_(months_between(filters.start, filters.end)),
        Target.channel_code.in_(list(filters.channels) if filters.channels else [""]),
    ).group_by(Target.period_start, Target.kpi, Target.region_code)
    frame = _read(statement)
    if frame.empty:
        return frame
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    if codes != ["all"]:
        tree = region_tree()
        present = set(frame["region_code"])
        # A region whose parent has its own target is already counted in the parent's.
        frame = frame[~frame["region_code"].map(lambda c: tree.parent.get(c) in present)]
    return frame


@scoped_cache
def targets(filters: Filters, names: tuple[str, ...]) -> dict[str, float | None]:
    """Targets of the period per KPI: additive KPIs sum their monthly targets (partial
    months pro rata of their days); ratios are computed from their components' targets
    when those exist, else averaged."""
    needed = set(names) | set(metrics.base_measures([n for n in names if not metrics.get(n).additive]))
    frame = _target_rows(filters, sorted(needed))
    result: dict[str, float | None] = {}
    if frame.empty:
        return {name: None for name in names}
    weights = {m: ((min(month_end(m), filters.end) - max(m, filters.start)).days + 1) / month_end(m).day
               for m in months_between(filters.start, filters.end)}
    frame["weighted"] = frame["value"] * frame["period_start"].map(weights)
    sums = frame.groupby("kpi")["weighted"].sum().to_dict()
    means = frame.groupby(["kpi", "period_start"])["value"].sum().groupby("kpi").mean().to_dict()
    for name in names:
        kpi = metrics.get(name)
        if kpi.additive:
            result[name] = sums.get(name)
        elif all(m in sums for m in kpi.measures):
            result[name] = kpi.compute(sums)
        else:
            result[name] = means.get(name)
    return result


@scoped_cache
def target_series(filters: Filters, name: str) -> pd.DataFrame:
    """Monthly targets of one KPI (the time series' target line)."""
    kpi = metrics.get(name)
    needed = [name] if kpi.additive else [name, *kpi.measures]
    frame = _target_rows(filters, needed)
    if frame.empty:
        return pd.DataFrame(columns=["period", "target"])
    wide = frame.groupby(["period_start", "kpi"])["value"].sum().unstack()
    if kpi.additive or not all(m in wide for m in kpi.measures):
        values = wide[name] if name in wide else pd.Series(dtype=float)
    else:
        values = wide.apply(lambda row: kpi.compute(row.to_dict()), axis=1)
    return pd.DataFrame({"period": values.index, "target": values.to_numpy(dtype=float)})
