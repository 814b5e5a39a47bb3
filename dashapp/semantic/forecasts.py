"""What the forecast panel reads: the champion run's forecasts, accuracy and drivers, the media
plan it assumes, the "last month outside the interval" check, and (admin only) the run list,
comparisons, promotion and rollback.

Scope: the registry stores series for the company total, per channel, per top region and per
channel x top region. A user who sees every region reads the stored series of the view. A user
scoped to some regions never reads a series that mixes in other regions: their "total" is the
sum of the region series of their regions, their channel view the sum over their regions of the
channel x region series. Sums have no interval (intervals do not add up): intervals are kept only
when a view's line is exactly one stored series. The run read is always the champion, found on
the server: no run id from the browser reaches these functions except in the admin ones.

Forecast results are cached per scope, data version and run id (a promotion changes the
champion's id, so nothing stale is served after one).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select

from forecasting import api as forecasting_api
from pilotage.store.engine import get_engine
from pilotage.store.models import Channel, ForecastRun, ForecastSeries, ForecastValue, MediaPlan

from ..auth.permissions import require_role
from .cache import scoped_cache
from .scope import allowed_regions, region_tree

VIEWS = ("total", "channel", "region")
DRIVERS = ("trend", "season", "media", "other")
VALUE_COLUMNS = ("yhat", "lo80", "hi80", "lo95", "hi95", *DRIVERS)
INTERVAL_COLUMNS = ("lo80", "hi80", "lo95", "hi95")
METRIC_COLUMNS = ("mase", "smape", "naive_mase", "coverage80", "coverage95")
KIND = forecasting_api.DEFAULT_KIND
RegistryError = forecasting_api.RegistryError  # what promote and rollback raise on a bad run


@dataclass(frozen=True)
class ViewSeries:
    """How one view of the panel is built from stored series: ``groups`` maps each line of the view
    (``total``, a channel code or a region code) to the stored series keys summed into it."""

    view: str
    groups: dict[str, tuple[str, ...]]

    def keys(self) -> list[str]:
        return sorted({k for keys in self.groups.values() for k in keys})

    def with_intervals(self, group: str) -> bool:
        return len(self.groups.get(group, ())) == 1


def clean_view(value) -> str:
    return value if isinstance(value, str) and value in VIEWS else "total"


def sees_everything() -> bool:
    """True when the user's scope is every region of the store (then company series may be shown)."""
    regions = allowed_regions()
    return bool(regions) and regions == frozenset(region_tree().parent)


# --- runs ----------------------------------------------------------------------------------------

def champion_run() -> dict | None:
    """The champion run's id, data cut-off, horizon and creation time (not cached: a promotion
    must show at once; one indexed row)."""
    if not allowed_regions():
        return None
    run = forecasting_api.champion(get_engine(), KIND)
    if run is None:
        return None
    return {k: run[k] for k in ("id", "cutoff", "horizon", "created_at", "run_by")}


def _run_series(run_id: int) -> pd.DataFrame:
    statement = select(ForecastSeries.series_key, ForecastSeries.level, ForecastSeries.channel_code,
                       ForecastSeries.region_code).where(ForecastSeries.run_id == run_id)
    with get_engine().connect() as conn:
        return pd.DataFrame(conn.execute(statement).all(), columns=["series_key", "level", "channel_code",
                                                                    "region_code"])


def view_series(run_id: int, view: str) -> ViewSeries:
    """The stored series the user may see for ``view``, grouped into the view's lines (scope applied)."""
    view = clean_view(view)
    regions = allowed_regions()
    stored = _run_series(run_id)
    if not regions or stored.empty:
        return ViewSeries(view, {})
    if sees_everything():
        level = {"total": "total", "channel": "channel", "region": "region"}[view]
        rows = stored[stored["level"] == level]
        column = {"total": None, "channel": "channel_code", "region": "region_code"}[view]
        return ViewSeries(view, {("total" if column is None else str(r[column])): (r["series_key"],)
                                 for _, r in rows.iterrows()})
    own = stored[stored["region_code"].isin(sorted(regions))]
    if view == "channel":
        rows = own[own["level"] == "channel_region"]
        groups: dict[str, list[str]] = {}
        for _, r in rows.iterrows():
            groups.setdefault(str(r["channel_code"]), []).append(r["series_key"])
        return ViewSeries(view, {k: tuple(sorted(v)) for k, v in groups.items()})
    rows = own[own["level"] == "region"]
    if view == "region":
        return ViewSeries(view, {str(r["region_code"]): (r["series_key"],) for _, r in rows.iterrows()})
    keys = tuple(sorted(rows["series_key"]))
    return ViewSeries(view, {"total": keys} if keys else {})


@scoped_cache
def forecast_frame(run_id: int, view: str) -> pd.DataFrame:
    """``group, month, yhat, lo80, hi80, lo95, hi95, trend, season, media, other`` of a run for a
    view: stored series summed per line; intervals are NaN on lines that are sums."""
    shape = view_series(run_id, view)
    columns = ["group", "month", *VALUE_COLUMNS]
    if not shape.groups:
        return pd.DataFrame(columns=columns)
    values = forecasting_api.forecasts(get_engine(), run_id, shape.keys())
    if values.empty:
        return pd.DataFrame(columns=columns)
    values["month"] = pd.to_datetime(values["month"]).dt.date
    parts = []
    for group, keys in shape.groups.items():
        rows = values[values["series_key"].isin(keys)]
        if rows.empty:
            continue
        summed = rows.groupby("month", as_index=False)[list(VALUE_COLUMNS)].sum(min_count=1)
        if len(keys) != 1:
            summed[list(INTERVAL_COLUMNS)] = math.nan
        summed.insert(0, "group", group)
        parts.append(summed)
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns].sort_values(["group", "month"], ignore_index=True)


@scoped_cache
def accuracy(run_id: int, view: str) -> list[dict]:
    """Backtest accuracy of each stored series of the view (scope applied): its line, method,
    MASE, sMAPE, the seasonal naive's MASE, measured 80% / 95% coverage, months and notes."""
    shape = view_series(run_id, view)
    keys = shape.keys()
    if not keys:
        return []
    statement = select(*ForecastSeries.__table__.c).where(ForecastSeries.run_id == run_id,
                                                          ForecastSeries.series_key.in_(keys))
    with get_engine().connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(statement)]
    group_of = {k: g for g, ks in shape.groups.items() for k in ks}
    out = []
    for row in rows:
        out.append({"group": group_of[row["series_key"]], "series_key": row["series_key"],
                    "level": row["level"], "channel_code": row["channel_code"], "region_code": row["region_code"],
                    "method": row["method"], "n_obs": row["n_obs"], "short_series": bool(row["short_series"]),
                    "note": row["note"] or "", **{c: _finite(row[c]) for c in METRIC_COLUMNS}})
    return sorted(out, key=lambda r: (r["group"], r["series_key"]))


def _finite(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --- media plan -----------------------------------------------------------------------------------

@scoped_cache
def media_plan(months: tuple[dt.date, ...]) -> pd.DataFrame:
    """Planned spend per channel and month of ``months`` in the user's regions (``fact_media_plan``):
    ``channel_code, month, planned_spend``. Plans on a country count only for users who see it all."""
    regions = allowed_regions()
    if not regions or not months:
        return pd.DataFrame(columns=["channel_code", "month", "planned_spend"])
    statement = (select(MediaPlan.channel_code, MediaPlan.month, func.sum(MediaPlan.planned_spend).label("spend"))
                 .where(MediaPlan.month.in_(list(months)), MediaPlan.region_code.in_(sorted(regions)))
                 .group_by(MediaPlan.channel_code, MediaPlan.month).order_by(MediaPlan.channel_code, MediaPlan.month))
    with get_engine().connect() as conn:
        frame = pd.DataFrame(conn.execute(statement).all(), columns=["channel_code", "month", "planned_spend"])
    if not frame.empty:
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
        frame["planned_spend"] = frame["planned_spend"].astype(float)
    return frame


@scoped_cache
def channel_names(language: str) -> dict[str, str]:
    column = Channel.name_fr if language == "fr" else Channel.name_en
    with get_engine().connect() as conn:
        return dict(conn.execute(select(Channel.code, column)).all())


# --- last month against the interval --------------------------------------------------------------

def covering_forecast(month: dt.date) -> dict | None:
    """The latest successful run whose forecast holds ``month`` for the user's "total" line when
    that line is one stored series: ``run_id, yhat, lo95, hi95``; None otherwise."""
    if not allowed_regions():
        return None
    statement = (select(ForecastRun.id).join(ForecastValue, ForecastValue.run_id == ForecastRun.id)
                 .where(ForecastRun.kind == KIND, ForecastRun.status == "ok", ForecastValue.month == month)
                 .distinct().order_by(ForecastRun.id.desc()))
    with get_engine().connect() as conn:
        run_ids = list(conn.execute(statement).scalars())
    for run_id in run_ids:
        frame = forecast_frame(run_id, "total")
        rows = frame[(frame["group"] == "total") & (frame["month"] == month)] if not frame.empty else frame
        if rows.empty:
            continue
        row = rows.iloc[0]
        if not view_series(run_id, "total").with_intervals("total") or pd.isna(row["lo95"]):
            return None
        return {"run_id": int(run_id), "yhat": float(row["yhat"]), "lo95": float(row["lo95"]),
                "hi95": float(row["hi95"])}
    return None


# --- admin ------------------------------------------------------------------------------------------

def runs(limit: int = 50) -> list[dict]:
    """Every run, latest first (admin only)."""
    require_role("admin")
    return forecasting_api.list_runs(get_engine(), KIND, max(1, min(int(limit), 500)))


def run_id_of(value) -> int | None:
    """A run id from untrusted input: an existing run's id, else None (admin only)."""
    require_role("admin")
    try:
        run_id = int(value)
    except (TypeError, ValueError):
        return None
    with get_engine().connect() as conn:
        found = conn.execute(select(ForecastRun.id).where(ForecastRun.id == run_id, ForecastRun.kind == KIND)).scalar()
    return found


def compare(first, second) -> list[dict]:
    """Two runs side by side (admin only): each run's row and its "total" forecast for the user's scope."""
    require_role("admin")
    out = []
    for value in (first, second):
        run_id = run_id_of(value)
        if run_id is None:
            continue
        run = forecasting_api.get_run(get_engine(), run_id)
        frame = forecast_frame(run_id, "total")
        total = frame[frame["group"] == "total"] if not frame.empty else frame
        out.append({"run": run, "forecast": total})
    return out


def top_regions(codes) -> list[str]:
    """Each region code's top region: how the forecast series group regions."""
    parents = region_tree().parent
    return [forecasting_api.top_region(code, parents) for code in codes]


def promote(value, actor: str) -> str:
    """Make a run the champion (admin only); raises :class:`RegistryError`."""
    require_role("admin")
    run_id = run_id_of(value)
    if run_id is None:
        raise RegistryError(f"no forecast run {value!r}")
    return forecasting_api.promote(get_engine(), run_id, actor=actor)


def rollback(value, actor: str) -> str:
    """Make an earlier champion the champion again (admin only; no run = the one before)."""
    require_role("admin")
    run_id = None
    if value not in (None, ""):
        run_id = run_id_of(value)
        if run_id is None:
            raise RegistryError(f"no forecast run {value!r}")
    return forecasting_api.rollback(get_engine(), run_id, actor=actor, kind=KIND)
