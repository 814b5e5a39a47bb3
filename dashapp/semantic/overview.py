"""The home page's figures (the macro view of the user's scope): which KPIs a role watches, their value over a
home period with its target, badge state and like-for-like changes, their 13-month trend, and the AARRR summary.

The rules live here, not in the page: the period is untrusted (anything but the home periods is the last complete
month), a role without home KPIs gets none (deny by default), the scope is applied by :mod:`queries`. Queries per
view: one ``measures`` per window (current, and the like-for-like previous and last-year windows of
:func:`queries.compared`), one ``targets``, and each card's 13-month trend (:func:`queries.monthly_trend`, the
series the drill-down draws); all cached per scope and data version. The read API and the PDF use the same view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_login import current_user

from pilotage.dates import add_months, month_start

from . import annotations, metrics, queries
from .filters import Filters
from .periods import Comparison

HOME_PERIODS = ("last_week", "week_to_date", "last_month", "quarter_to_date")
DEFAULT_PERIOD = "last_month"
TREND_MONTHS = 13


@dataclass(frozen=True)
class KpiCardData:
    """What one card shows; every number comes from the query layer through metrics."""

    name: str
    value: float | None
    target: float | None
    attainment: float | None
    vs_previous: float | None
    vs_last_year: float | None
    state: str  # metrics.state: green, amber, red or none (the badge)
    href: str  # the KPI's drill-down over the same period
    trend: tuple[tuple[dt.date, float | None], ...] = field(default=())


@dataclass(frozen=True)
class FunnelStage:
    stage: str  # an AARRR stage (metrics.STAGES)
    kpi: str
    value: float | None
    rate: float | None = None  # conversion from the previous stage, or churn for retention
    rate_of: str | None = None  # the KPI the rate is a share of; None for retention's churn


@dataclass(frozen=True)
class HomeView:
    period: str
    filters: Filters
    comparison: Comparison
    cards: list[KpiCardData]
    funnel: list[FunnelStage]
    marks: tuple = ()  # the annotations of the trend months the user may see
    data_end: dt.date | None = None  # the last day with data in scope: a period that runs past it is partial


def clean_period(value) -> str:
    """One of the home periods; anything else (forged, missing) is the default."""
    return value if isinstance(value, str) and value in HOME_PERIODS else DEFAULT_PERIOD


def role_kpis(role: str | None = None) -> tuple[str, ...]:
    """A role's home KPIs, the logged-in user's by default (none for an unknown role: deny by default)."""
    return metrics.HOME_KPIS.get(role if role is not None else getattr(current_user, "role", None), ())


def explore_href(name: str, period: str) -> str:
    """The drill-down of one KPI over the same home period."""
    return f"/explore?kpi={name}&period={period}"


def trend_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 13 complete months before ``today``'s month (the same window for every period)."""
    end = month_start(today) - dt.timedelta(days=1)
    return add_months(month_start(end), -(TREND_MONTHS - 1)), end


def trend_filters() -> Filters:
    start, end = trend_window(queries.today())
    return queries.filters_from({"period": "custom", "start": start.isoformat(), "end": end.isoformat(),
                                 "grain": "month"})


def funnel_stages(current: dict) -> list[FunnelStage]:
    """AARRR: each count stage with its conversion from the stage before; retention (a stock) with the churn
    rate (complete months) instead."""
    stages, before = [], None
    for stage, name in metrics.AARRR.items():
        value = metrics.value(name, current)
        if metrics.get(name).unit == "count" and before is not None:
            stages.append(FunnelStage(stage, name, value, metrics.conversion(value, before[1]), before[0]))
        elif stage == "retention":
            stages.append(FunnelStage(stage, name, value, metrics.value("churn_rate", current)))
        else:
            stages.append(FunnelStage(stage, name, value))
        before = (name, value) if metrics.get(name).unit == "count" else None
    return stages


def kpi_card(name: str, period: str, current: dict, before: dict, year_ago: dict, target: float | None,
             trend=()) -> KpiCardData:
    """One card's figures: value and target, attainment, the badge state, changes on both comparisons."""
    value = metrics.value(name, current)
    return KpiCardData(name=name, value=value, target=target, attainment=metrics.attainment(value, target),
                       vs_previous=metrics.change(value, metrics.value(name, before)),
                       vs_last_year=metrics.change(value, metrics.value(name, year_ago)),
                       state=metrics.state(name, value, target), href=explore_href(name, period), trend=trend)


def home_view(period) -> HomeView:
    """Everything the home page shows for ``period``, scope applied by the query layer."""
    period = clean_period(period)
    names = role_kpis()
    filters = queries.filters_from({"period": period, "grain": "month"})
    previous, last_year, comparison = queries.compared(filters)
    current = queries.measures(filters)
    before, year_ago = queries.measures(previous), queries.measures(last_year)
    goals = queries.targets(filters, tuple(names)) if names else {}
    trend = trend_filters() if names else None
    cards = [kpi_card(name, period, current, before, year_ago, goals.get(name), queries.monthly_trend(trend, name))
             for name in names]
    marks = tuple(annotations.visible(start=trend.start, end=trend.end)) if trend is not None else ()
    return HomeView(period, filters, comparison, cards, funnel_stages(current), marks, queries.data_end())


def marks_between(marks, first: dt.date, last: dt.date) -> list:
    """The annotations that meet the months ``first``..``last`` (a sparkline's first and last point)."""
    return [m for m in marks if m.start < last and m.end >= first]
