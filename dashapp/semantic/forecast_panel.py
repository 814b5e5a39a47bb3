"""What the forecast panel shows around the registry's figures: the actuals of each line of a view, the
target and last year's values of the total, the order and names of the lines, the months a planner may
override, the media plan as a channel x month table and the rows of the panel's export.

The page only formats what comes from here (:mod:`dashapp.pages.forecast`); the scope is applied by the
query layer and by :mod:`dashapp.semantic.forecasts`, never by the page. The pure functions (no store)
are the period arithmetic and the reshaping, so that they can be tested on their own.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from dateutil.relativedelta import relativedelta

from pilotage.dates import month_end

from .. import i18n
from . import forecasts, queries
from .scope import region_tree

MEASURE = "qualified_leads"  # the KPI the forecast panel forecasts
HISTORY_MONTHS = 24  # actuals drawn before the first forecast month


# --- period arithmetic -----------------------------------------------------------------------------------

def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The last month whose every day is loaded (``queries.today()`` is the day after the data)."""
    today = today or queries.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def history_start(first_month: dt.date) -> dt.date:
    """The first month of actuals drawn before a forecast starting ``first_month``."""
    return first_month - relativedelta(months=HISTORY_MONTHS)


def forecast_months(cutoff: dt.date, horizon: int) -> list[dt.date]:
    """The months a run with data up to ``cutoff`` forecasts: the ``horizon`` months after it (those a planner
    may override)."""
    first = cutoff.replace(day=1)
    return [first + relativedelta(months=i) for i in range(1, int(horizon) + 1)]


def run_cutoff(run: dict) -> dt.date:
    """A run's data cut-off (its last month of data)."""
    return pd.Timestamp(run["cutoff"]).date()


def chart_span(actual: pd.DataFrame, frame: pd.DataFrame) -> dict:
    """The first and last month the forecast chart draws (actuals then forecast): the annotations shown are
    those of this span (``annotations.visible(**span)``)."""
    months = [*actual["month"], *frame["month"]]
    if not months:
        return {"start": None, "end": None}
    return {"start": pd.Timestamp(min(months)).date(), "end": pd.Timestamp(max(months)).date()}


def month_filters(start: dt.date, end: dt.date):
    """Query filters for whole months ``start`` to ``end`` at a monthly grain."""
    return queries.filters_from({"period": "custom", "start": start.isoformat(), "end": month_end(end).isoformat(),
                                 "grain": "month"})


# --- reshaping (no store) ----------------------------------------------------------------------------------

def line_order(frame: pd.DataFrame) -> list[str]:
    """The view's lines, largest forecast first (the chart's colours and the table's rows follow it)."""
    if frame.empty:
        return []
    return frame.groupby("group")["yhat"].sum().sort_values(ascending=False, kind="stable").index.tolist()


def last_year(actual: pd.DataFrame, months) -> pd.DataFrame:
    """Last year's actuals of ``months``, placed on the forecast months (``group, month, value``)."""
    shifted = {m - relativedelta(years=1): m for m in months}
    return actual[actual["month"].isin(shifted)].assign(month=lambda f: f["month"].map(shifted))


def media_plan_wide(plan: pd.DataFrame, months) -> pd.DataFrame:
    """Planned spend as channel rows x month columns (``months`` in order, NaN where nothing is planned)."""
    if plan.empty:
        return pd.DataFrame(columns=list(months))
    wide = plan.pivot_table(index="channel_code", columns="month", values="planned_spend", aggfunc="sum")
    return wide.reindex(columns=list(months))


def sorted_channels(codes, names: dict[str, str]) -> list[str]:
    """Channel codes in the order of their names."""
    return sorted(codes, key=lambda c: names.get(c, c))


# --- names ---------------------------------------------------------------------------------------------------

def line_labels(view: str, groups, language: str) -> dict[str, str]:
    """Each line's name in ``language``: a channel's or region's name, or "Total"."""
    if view == "channel":
        names = forecasts.channel_names(language)
        return {g: names.get(g, g) for g in groups}
    if view == "region":
        names = region_tree().names
        return {g: names.get(g, g) for g in groups}
    return {g: i18n.t("forecast.total", language) for g in groups}


def scope_label(scope: str, language: str) -> str:
    """A forecast of record scope's name: the company or a region."""
    if scope == "national":
        return i18n.t("forecast.scope.national", language)
    return region_tree().names.get(scope, scope)


def series_label(row: dict, labels: dict[str, str]) -> str:
    """A stored series' name: its line's, with its region for a channel x region series."""
    names = region_tree().names
    if row["level"] == "channel_region":
        return f"{labels.get(row['group'], row['group'])} · {names.get(row['region_code'], row['region_code'])}"
    return labels.get(row["group"], row["group"])


# --- the store ---------------------------------------------------------------------------------------------

def actuals(view: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Monthly qualified leads per line of the view (``group, month, value``), scope applied by the
    query layer; regions are summed into their top region, as the forecast series are."""
    by = {"total": None, "channel": "channel", "region": "region"}[view]
    frame = queries.activity_series(month_filters(start, end), by)
    if frame.empty:
        return pd.DataFrame(columns=["group", "month", "value"])
    if by is None:
        groups = ["total"] * len(frame)
    elif by == "region":
        groups = forecasts.top_regions(frame["region"])
    else:
        groups = list(frame["channel"])
    out = pd.DataFrame({"group": groups, "month": frame["period"], "value": frame[MEASURE].astype(float)})
    return out.groupby(["group", "month"], as_index=False)["value"].sum()


@dataclass
class Panel:
    """What the first screen of the forecast panel draws for a view: the champion ``run``, its ``frame``
    (:func:`forecasts.forecast_frame`), the lines in order with their ``labels``, the ``actual`` values
    before it, the ``target`` and ``last_year`` (total view), whether a line sums several series, the forecast
    of ``record`` and its ``overrides`` (total view only)."""

    view: str
    run: dict
    frame: pd.DataFrame
    months: list[dt.date] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    actual: pd.DataFrame | None = None
    target: pd.DataFrame | None = None
    last_year: pd.DataFrame | None = None
    summed: bool = False
    record: object = None
    overrides: dict = field(default_factory=dict)

    @property
    def cutoff(self) -> dt.date:
        return run_cutoff(self.run)

    @property
    def totals(self) -> pd.Series | None:
        """The forecast summed over the lines per month, when there are several lines (the table's last row)."""
        if self.frame.empty or len(self.labels) < 2:
            return None
        return self.frame.groupby("month")["yhat"].sum()


def _champion_frame(view) -> tuple[str, dict | None, pd.DataFrame]:
    """(the cleaned view, the champion run or None, its forecast of the view in the user's scope)."""
    view = forecasts.clean_view(view)
    run = forecasts.champion_run()
    return view, run, (forecasts.forecast_frame(run["id"], view) if run is not None else pd.DataFrame())


def panel(view, language: str) -> Panel | None:
    """The first screen's data for ``view`` (cleaned: anything unknown is the total) in the user's scope;
    None when there is no champion run. A panel whose ``frame`` is empty has no series in the scope."""
    view, run, frame = _champion_frame(view)
    if run is None:
        return None
    if frame.empty:
        return Panel(view, run, frame)
    months = sorted(frame["month"].unique())
    groups = line_order(frame)
    start = history_start(months[0])
    actual = actuals(view, start, last_complete_month())
    actual = actual[actual["group"].isin(groups)]
    target = shifted = None
    if view == "total":
        target = queries.target_series(month_filters(start, months[-1]), MEASURE)
        shifted = last_year(actual, months)
    shape = forecasts.view_series(run["id"], view)
    record = forecasts.record(run["id"])
    overrides = record.overrides if record is not None and view == "total" else {}
    return Panel(view, run, frame, months, line_labels(view, groups, language), actual, target, shifted,
                 any(len(keys) > 1 for keys in shape.groups.values()), record, overrides or {})


def fresh_state() -> tuple:
    """What the first screen shows that may change without a new data version, read at every request: the
    champion's id (a promotion), the overrides in force and their latest changes, the "last month against the
    interval" states. A panel rendered for the same state, scope and data version is the same."""
    run = forecasts.champion_run()
    if run is None:
        return None, {}, [], []
    record = forecasts.record(run["id"])
    return (run["id"], record.overrides if record is not None else {}, forecasts.interval_states(),
            forecasts.override_history(10))


def below(view, language: str) -> dict | None:
    """What the panel shows below the fold for ``view``: the forecast of record (drivers), the backtest
    by horizon and by line, the stored series' notes, the media plan of the forecast months, the line
    names; None when there is nothing to show (no champion, no series in the scope)."""
    view, run, frame = _champion_frame(view)
    if run is None or frame.empty:
        return None
    months = sorted(frame["month"].unique())
    return {"run": run, "months": months, "labels": line_labels(view, line_order(frame), language),
            "record": forecasts.record(run["id"]), "horizons": forecasts.horizon_accuracy(run["id"], view),
            "series": forecasts.accuracy(run["id"], view), "plan": media_plan_wide(
                forecasts.media_plan(tuple(months)), months), "scoped_plan": not forecasts.sees_everything()}


def override_months() -> list[dt.date]:
    """The months a planner may override: those of the champion's forecast (none without a champion)."""
    run = forecasts.champion_run()
    if run is None:
        return []
    return forecast_months(run_cutoff(run), int(run["horizon"]))


# --- the export of what is shown -----------------------------------------------------------------------------

EXPORT_COLUMNS = ("run", "line", "month", "forecast", "lo80", "hi80", "lo95", "hi95")
OVERRIDE_COLUMNS = ("override", "reason", "by", "at")


def export_rows(view, language: str) -> tuple[pd.DataFrame, dict | None]:
    """The panel's forecast as rows (``EXPORT_COLUMNS``): one per line and month with the intervals where the
    line has them; on the total view, the planner's override (``OVERRIDE_COLUMNS``) and each driver
    (``driver:<part>`` columns) of the forecast of record. Returns (rows, champion run)."""
    view, run, frame = _champion_frame(view)
    if run is None or frame.empty:
        return pd.DataFrame(), run
    labels = line_labels(view, frame["group"].unique(), language)
    rows = [{"run": int(run["id"]), "line": labels.get(r["group"], r["group"]), "month": r["month"].isoformat(),
             "forecast": float(r["yhat"]), **{c: (None if _missing(r[c]) else float(r[c]))
                                             for c in forecasts.INTERVAL_COLUMNS}}
            for r in frame.sort_values(["group", "month"]).to_dict("records")]
    out = pd.DataFrame(rows)
    record = forecasts.record(run["id"])
    if record is not None and view == "total":
        overrides = record.overrides or {}
        out["override"] = [overrides.get(m, {}).get("value") for m in record.months]
        out["reason"] = [overrides.get(m, {}).get("reason", "") for m in record.months]
        out["by"] = [overrides.get(m, {}).get("created_by", "") for m in record.months]
        out["at"] = [str(overrides.get(m, {}).get("created_at", "") or "") for m in record.months]
        for part, values in record.drivers.items():
            out[f"driver:{part}"] = [float(v) for v in values]
    return out, run


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))
