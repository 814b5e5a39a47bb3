"""What the forecast panel reads: the champion run's forecasts, the forecast of record of the user's scope
with its drivers and the planners' overrides, its backtest accuracy by horizon, the media plan it
assumes, the "last month outside the 95% interval" state, and (admin only) the run list, comparisons,
promotion and rollback. Planners and admins also override the forecast of record here.

The forecast of record (:func:`forecasting.record.forecast_of_record`) is the one forecast of a scope
and month that the whole app shows: the "total" line of every view, the planning page's current plan
and both exports. Its drivers come from one decomposition of the scope, so they are the same in every
view (the view's lines add up to the scope's total).

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
from pilotage.dates import month_end
from pilotage.store.engine import get_engine
from pilotage.store.models import NATIONAL_SCOPE, ForecastRun, ForecastSeries, MediaPlan

from ..auth import audit
from ..auth.permissions import require_role
from .cache import scoped_cache
from .planning import access as media
from .planning.rows import number_text
from .queries import channel_names as channel_names  # the forecast page and the API name channels with it
from .scope import allowed_regions, region_tree

VIEWS = ("total", "channel", "region")
DRIVERS = ("trend", "season", "media", "other")
VALUE_COLUMNS = ("yhat", "lo80", "hi80", "lo95", "hi95", *DRIVERS)
INTERVAL_COLUMNS = ("lo80", "hi80", "lo95", "hi95")
METRIC_COLUMNS = ("mase", "smape", "naive_mase", "coverage80", "coverage95")
KIND = forecasting_api.DEFAULT_KIND
RECORD_KPI = forecasting_api.MEASURE  # the KPI the forecast of record forecasts (qualified leads)
RegistryError = forecasting_api.RegistryError  # what promote and rollback raise on a bad run
OVERRIDE_ROLES = ("planner", "admin")
MAX_OVERRIDE = forecasting_api.MAX_OVERRIDE
MAX_REASON = forecasting_api.MAX_REASON


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


# --- the forecast of record -------------------------------------------------------------------------

def record_scopes(run_id: int) -> list[str]:
    """The scopes whose forecast of record the user's "total" line is: ``national`` for a user who sees
    every region, else the regions of their stored region series (the lines the "total" view adds up)."""
    if not allowed_regions():
        return []
    if sees_everything():
        return [NATIONAL_SCOPE]
    keys = view_series(run_id, "total").groups.get("total", ())
    return [key.split(":", 1)[1] for key in keys if key.startswith("region:")]


def _media_champion() -> tuple[int | None, dict]:
    run = media.champion_run()
    if run is None:
        return None, {}
    return int(run["id"]), media.run_models(run["id"])


@scoped_cache
def _record(run_id: int, media_run_id: int | None, scopes: tuple[str, ...]):
    run = forecasting_api.get_run(get_engine(), run_id)
    models = media.run_models(media_run_id) if media_run_id is not None else {}
    record = forecasting_api.forecast_of_record(get_engine(), scopes, run=run, models=models,
                                                media_run_id=media_run_id)
    if record is not None:
        record.overrides = {}  # read fresh on every request (an override changes no data version)
    return record


def record(run_id: int):
    """The forecast of record of the user's scope from run ``run_id`` (the champion), with its drivers and
    the overrides in force; None when the run holds no series of the scope."""
    scopes = tuple(record_scopes(run_id))
    if not scopes:
        return None
    media_run_id, _models = _media_champion()
    found = _record(run_id, media_run_id, scopes)
    if found is None:
        return None
    if found.single:
        found.overrides = {month: row for (_scope, month), row in
                           forecasting_api.current_overrides(get_engine(), list(scopes), found.months).items()}
    return found


def month_to_date(start: dt.date, end: dt.date) -> dict | None:
    """The forecast of record of the month starting ``start`` in the user's scope, for the days ``start`` to
    ``end``: the month's figure and its 80% interval (one scope only), and the share of the days to date (pro
    rata of the days, as targets are); None without a champion or when the record does not hold that month
    (a month of data already complete is not forecast)."""
    run = champion_run()
    found = record(int(run["id"])) if run is not None else None
    if found is None or start not in found.months:
        return None
    i, share = found.months.index(start), ((end - start).days + 1) / month_end(start).day
    low, high = (float(b[i]) for b in found.bands[0.8]) if 0.8 in found.bands else (None, None)
    month = float(found.yhat[i])
    return {"kpi": RECORD_KPI, "month": start, "forecast": month, "to_date": month * share, "share": share,
            "lo80": low, "hi80": high, "run_id": int(run["id"])}


def record_for_scope(scope: str, run: dict | None = None):
    """The forecast of record of one planning scope (``national`` or a top region the caller has checked)
    from the lead champion, for the planning page; None without a lead champion or its series."""
    run = run if run is not None else champion_run()
    if run is None:
        return None
    media_run_id, _models = _media_champion()
    return _record(int(run["id"]), media_run_id, (scope,))


@scoped_cache
def horizon_accuracy(run_id: int, view: str) -> dict:
    """The backtest of what is shown (the reconciled forecasts), from ``forecast_accuracy``:

    - ``record``: per horizon (1 to the run's horizon; 0 for all) of each scope of the forecast of record:
      ``scope, horizon, n, mase, naive_mase, smape, coverage80, coverage95``;
    - ``lines``: for the view's stored series (a channel or region view), their figures over all horizons,
      with the series' method (as :func:`accuracy`)."""
    scopes = record_scopes(run_id)
    keys = {forecasting_api.series_key(scope): scope for scope in scopes}
    shape = view_series(run_id, view)
    wanted = sorted(set(keys) | set(shape.keys()))
    frame = forecasting_api.accuracy(get_engine(), run_id, wanted) if wanted else pd.DataFrame()
    record_rows, line_rows = [], []
    if not frame.empty:
        for row in frame.to_dict("records"):
            clean = {"horizon": int(row["horizon"]), "n": int(row["n"]), "reconciled": bool(row["reconciled"]),
                     **{c: _finite(row[c]) for c in ("mase", "naive_mase", "smape", "coverage80", "coverage95")}}
            if row["series_key"] in keys:
                record_rows.append({"scope": keys[row["series_key"]], **clean})
            if clean["horizon"] == 0 and view != "total":
                line_rows.append({"series_key": row["series_key"], **clean})
    methods = {r["series_key"]: r for r in accuracy(run_id, view)} if view != "total" else {}
    lines = [{**methods[r["series_key"]], **{k: v for k, v in r.items() if k != "series_key"}}
             for r in line_rows if r["series_key"] in methods]
    return {"record": sorted(record_rows, key=lambda r: (r["scope"], r["horizon"])),
            "lines": sorted(lines, key=lambda r: (r["group"], r["series_key"]))}


# --- planners' overrides -------------------------------------------------------------------------------

class OverrideError(ValueError):
    """An override the page refuses: ``code`` names the translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def override_scopes() -> list[str]:
    """The scopes whose forecast of record the user may override (planners and admins): ``national`` when they
    see every region, then the top regions wholly inside their scope (the planning page's scopes)."""
    require_role(*OVERRIDE_ROLES)
    regions = allowed_regions()
    if not regions:
        return []
    tree = region_tree()
    tops = [code for code in forecasting_api.top_region_codes(tree.parent) if code in regions]
    return ([NATIONAL_SCOPE] if sees_everything() else []) + tops


def _override_target(scope, month) -> tuple[str, dt.date, dict, object]:
    """(scope, month, champion run, its forecast of record of the scope) after checking them all on the server."""
    if not isinstance(scope, str) or scope not in override_scopes():
        raise OverrideError("scope")
    run = champion_run()
    if run is None:
        raise OverrideError("no_run")
    found = record_for_scope(scope, run)
    if found is None:
        raise OverrideError("no_series")
    try:
        chosen = dt.date.fromisoformat(str(month)[:10]) if isinstance(month, str) else None
    except ValueError:
        chosen = None
    if chosen is None or chosen not in found.months:
        raise OverrideError("month")
    return scope, chosen, run, found


def _override_value(value) -> float:
    """A number of leads from an untrusted field (``1 234,5`` or ``1,234.5`` as typed in either language)."""
    if isinstance(value, bool) or value is None:
        raise OverrideError("value")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        number = number_text(value)
    else:
        number = None
    if number is None or not math.isfinite(number) or number < 0 or number > MAX_OVERRIDE:
        raise OverrideError("value")
    return number


def save_override(scope, month, value, reason) -> dict:
    """Put the planner's figure next to the model's for a scope and month, with its reason (planners and admins,
    in their scope; the model's figure is kept). Audited. Returns what was stored."""
    user = require_role(*OVERRIDE_ROLES)
    scope, chosen, run, found = _override_target(scope, month)
    number = _override_value(value)
    model_value = float(found.yhat[found.months.index(chosen)])
    try:
        override_id = forecasting_api.set_override(get_engine(), scope, chosen, number, reason, user.email,
                                                   run_id=int(run["id"]), model_value=model_value)
    except forecasting_api.OverrideError as error:
        raise OverrideError(error.code) from None
    detail = {"action": "set", "scope": scope, "month": chosen.isoformat(), "value": number,
              "model_value": round(model_value, 3), "run": int(run["id"]), "reason": " ".join(str(reason).split()),
              "id": override_id}
    audit.record("override", user.email, detail)
    return detail


def remove_override(scope, month, reason) -> dict:
    """Take the planner's figure away (the model's stands alone again); a reason is required. Audited."""
    user = require_role(*OVERRIDE_ROLES)
    scope, chosen, run, found = _override_target(scope, month)
    current = forecasting_api.current_overrides(get_engine(), [scope], [chosen])
    if (scope, chosen) not in current:
        raise OverrideError("none")
    model_value = float(found.yhat[found.months.index(chosen)])
    try:
        override_id = forecasting_api.set_override(get_engine(), scope, chosen, None, reason, user.email,
                                                   run_id=int(run["id"]), model_value=model_value)
    except forecasting_api.OverrideError as error:
        raise OverrideError(error.code) from None
    detail = {"action": "removed", "scope": scope, "month": chosen.isoformat(), "run": int(run["id"]),
              "was": current[(scope, chosen)]["value"], "reason": " ".join(str(reason).split()), "id": override_id}
    audit.record("override", user.email, detail)
    return detail


def override_history(limit: int = 20) -> list[dict]:
    """The changes of overrides of the user's forecast of record scopes, latest first (every reader sees them
    next to the model's figures)."""
    run = champion_run()
    if run is None:
        return []
    return forecasting_api.override_history(get_engine(), record_scopes(int(run["id"])), limit)


# --- last month against the 95% interval --------------------------------------------------------------

def interval_states() -> list[dict]:
    """The stored "last month against the 95% interval" state of each scope of the user's forecast of record
    (recomputed after each load and training), in scope order; a scope never computed is left out."""
    run = champion_run()
    if run is None:
        return []
    scopes = record_scopes(int(run["id"]))
    found = forecasting_api.interval_states(get_engine(), scopes)
    return [found[scope] for scope in scopes if scope in found]


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


def registry_message(text: str | None) -> tuple[str, dict[str, str]] | None:
    """A registry message (a run's decision, a promotion's or rollback's result or refusal) as ``(code,
    values)`` for :mod:`dashapp.i18n` to word (``label`` and ``missing`` given as the run kind they
    name); None for a text the registry did not word."""
    parsed = forecasting_api.parse_message(text)
    if parsed is None:
        return None
    code, values = parsed
    for name, texts in (("label", forecasting_api.ACCURACY_LABELS), ("missing", forecasting_api.MISSING_ACCURACY)):
        if name in values:
            kind = next((k for k, v in texts.items() if v == values[name]), None)
            if kind is None:
                return None
            values[name] = kind
    return code, values


def rollback(value, actor: str) -> str:
    """Make an earlier champion the champion again (admin only; no run = the one before)."""
    require_role("admin")
    run_id = None
    if value not in (None, ""):
        run_id = run_id_of(value)
        if run_id is None:
            raise RegistryError(f"no forecast run {value!r}")
    return forecasting_api.rollback(get_engine(), run_id, actor=actor, kind=KIND)
