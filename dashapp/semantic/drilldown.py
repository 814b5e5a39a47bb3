"""The drill-down's views of the data (/explore), computed once for the page, its exports and its tests.

What the page shows is decided here, not in its callbacks: the KPI's target per bucket of the series, the funnel
in stage order with the rate into each stage, the heatmap's cells, the cohort and activity tables, the
leaderboard's rows. Everything is scoped by the :class:`Filters` it is given (:func:`queries.filters_from`
narrowed them to the user's regions); values come raw (formatting is the page's job).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import pandas as pd

from pilotage.dates import month_end

from . import metrics, periods, queries
from .filters import Filters

COHORT_STAGES = ("leads", "mqls", "sqls", "opportunities", "won", "qualified_leads")
LEADERBOARD_COUNTS = ("leads", "opportunities", "won", "pipeline_closed")
LEADERBOARD_SIZE = 10
# The funnel chart starts at leads: impressions are thousands of times larger and would flatten the rest.
FUNNEL_CHART_FROM = "leads"


def as_date(value) -> dt.date:
    """A bucket's period (a date, a datetime or a string from the store) as a date."""
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else pd.Timestamp(value).date()


def number(value) -> float | None:
    """A float, None for a missing or NaN value."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


# --- the KPI over time --------------------------------------------------------------------------------

def target_line(filters: Filters, name: str, grain: str) -> pd.DataFrame:
    """The KPI's target per bucket: monthly targets spread over the days of their month for
    additive KPIs (so a week or a partial month gets its share), the month's target otherwise."""
    monthly = queries.target_series(filters, name)
    targets = {as_date(p): number(v) for p, v in zip(monthly["period"], monthly["target"], strict=True)}
    targets = {m: v for m, v in targets.items() if v is not None}
    if not targets:
        return pd.DataFrame({"period": [], "target": []})
    values: dict[dt.date, float] = {}
    additive = metrics.get(name).additive
    day = filters.start
    while day <= filters.end:
        month = day.replace(day=1)
        if month in targets:
            key = periods.bucket_key(day, grain)
            if additive:
                values[key] = values.get(key, 0.0) + targets[month] / month_end(day).day
            else:
                values.setdefault(key, targets[month])
        day += dt.timedelta(days=1)
    return pd.DataFrame({"period": list(values), "target": list(values.values())})


def series_lines(filters: Filters, name: str) -> tuple[pd.DataFrame, str, pd.DataFrame, pd.DataFrame | None]:
    """(actual, grain, target, last year) of the KPI's series: what the chart draws and its export holds."""
    frame, grain = queries.kpi_series(filters, name)
    if frame.empty:
        return frame, grain, pd.DataFrame({"period": [], "target": []}), None
    return frame, grain, target_line(filters, name, grain), queries.last_year_series(filters, name, grain)


def headline(filters: Filters, name: str) -> dict:
    """The KPI over the window against its target and the like-for-like windows: ``actual``, ``target``,
    ``attainment``, ``state`` (the badge rule), ``changes`` ((label key, change) vs the previous window and last
    year), ``comparison`` (the windows, which the page names in a sentence) and ``data_end`` (the last day with
    data)."""
    previous, last_year, comparison = queries.compared(filters)
    actual = queries.kpi_values(filters, [name])[name]
    target = queries.targets(filters, (name,)).get(name)
    changes = [(key, metrics.change(actual, queries.kpi_values(window, [name])[name]))
               for key, window in (("common.vs_previous", previous), ("common.vs_last_year", last_year))]
    return {"actual": actual, "target": target, "attainment": metrics.attainment(actual, target),
            "state": metrics.state(name, actual, target), "changes": changes, "comparison": comparison,
            "data_end": queries.data_end()}


# --- the funnel --------------------------------------------------------------------------------------

def _ratio_kpi(stage: str, previous: str) -> str | None:
    """The KPI that converts ``previous`` into ``stage`` (else the one ending at ``stage``)."""
    ratios = [(n, k) for n, k in metrics.KPIS.items() if k.unit == "ratio" and len(k.measures) == 2]
    for name, kpi in ratios:
        if kpi.measures == (stage, previous):
            return name
    for name, kpi in ratios:
        if kpi.measures[0] == stage and kpi.measures[1] in metrics.FUNNEL:
            return name
    return None


FUNNEL_RATIOS = {stage: _ratio_kpi(stage, previous)
                 for previous, stage in zip(metrics.FUNNEL[:-1], metrics.FUNNEL[1:], strict=True)}


def funnel_steps(filters: Filters) -> list[dict]:
    """Each funnel stage in order with its count and the conversion KPI into it, then the measures
    shown beside the funnel (qualified leads) with their share of the stage they qualify."""
    base = queries.measures(filters)
    steps = []
    for stage in metrics.FUNNEL:
        ratio_name = FUNNEL_RATIOS.get(stage)
        steps.append({"stage": stage, "count": base.get(stage, 0.0), "ratio_name": ratio_name,
                      "ratio": metrics.value(ratio_name, base) if ratio_name else None, "beside": False})
    for name, (_of, ratio_name) in metrics.FUNNEL_BESIDE.items():
        steps.append({"stage": name, "count": base.get(name, 0.0), "ratio_name": ratio_name,
                      "ratio": metrics.value(ratio_name, base), "beside": True})
    return steps


def charted_stages(steps: list[dict]) -> list[dict]:
    """The funnel's stages the chart draws (from :data:`FUNNEL_CHART_FROM`), none if all are zero."""
    stages = [s for s in steps if not s["beside"]][metrics.FUNNEL.index(FUNNEL_CHART_FROM):]
    return stages if any(s["count"] for s in stages) else []


# --- leaderboard, heatmap, cohorts ---------------------------------------------------------------------

def leaderboard_rows(filters: Filters) -> list[dict]:
    """The top reps by won value, ranked: counts as integers, rates and amounts None where undefined."""
    frame = queries.leaderboard(filters, LEADERBOARD_SIZE)
    return [{"rank": rank, "rep": row["rep"], "team_code": row["team_code"], "team": row["team"],
             **{c: int(row[c]) for c in LEADERBOARD_COUNTS},
             **{c: number(row[c]) for c in queries.LEADERBOARD_RATES}, "won_value": number(row["won_value"])}
            for rank, row in enumerate(frame.to_dict("records"), start=1)]


def heatmap_cells(filters: Filters) -> tuple[list[dt.date], list[str], list[list[float | None]]]:
    """(months, paid channels by spend, cost per qualified lead per channel and month)."""
    frame = queries.activity_series(replace(filters, grain="month"), by="channel")
    if frame.empty:
        return [], [], []
    spend = frame.groupby("channel")["spend"].sum()
    channels = [c for c in spend.sort_values(ascending=False).index if spend[c] > 0]
    months = sorted({as_date(p) for p in frame["period"]})
    cells = {(as_date(r["period"]), r["channel"]): metrics.value("cost_per_qualified_lead", r)
             for r in frame.to_dict("records")}
    return months, channels, [[cells.get((m, c)) for m in months] for c in channels]


def wholemonths_between(filters: Filters) -> Filters:
    """The whole months covering the period: the unit both cohort and activity views use."""
    return replace(filters, start=filters.start.replace(day=1), end=month_end(filters.end), grain="month",
                   period="custom")


def cohort_frames(filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cohort, activity): the same stages per month, by lead creation month and by stage date."""
    months = wholemonths_between(filters)
    columns = ["period", *COHORT_STAGES]
    frames = []
    for frame in (queries.cohorts(months), queries.activity_series(months)):
        frame = frame[columns].copy() if not frame.empty else pd.DataFrame(columns=columns)
        frame["period"] = [as_date(p) for p in frame["period"]]
        frames.append(frame)
    return frames[0], frames[1]
