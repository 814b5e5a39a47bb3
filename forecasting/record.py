"""The forecast of record: one qualified-lead forecast per scope and month, what drives it, the planners'
overrides, and whether last month fell outside the 95% interval.

**Scopes** are those of media planning: ``national`` (the company: the stored ``total`` series) or a
top region (its ``region:<code>`` series). The forecast of record of a scope and month is the champion
lead run's reconciled forecast of that series, with its 80% / 95% intervals; several scopes (a user
of several regions) add up, without an interval of their own. The forecast page, the planning page's
current plan, both pages' exports and the registry all read these numbers (:func:`forecast_of_record`).

**Drivers** (one decomposition per scope and month, whatever the view): the response model of the
scope (the champion media run's, :mod:`forecasting.planning`) predicts the months under the current
media plan with its carry-over and saturation; its prediction splits into

- ``trend``: intercept and trend of its baseline (and each control at its reference level),
- ``season``: its yearly Fourier terms,
- ``media:<channel>``: each paid channel's contribution (carry-over and saturation),
- ``control:<name>``: each external factor against its reference: the Covid stringency against no
  restrictions (0), the working days against their mean over the history;

then ``sessions``: what the lead forecaster attributes to the web sessions of earlier months against
their usual level (the series' ``effects``, stored at training), and ``other``: the rest, so that the
parts add up to the forecast of record exactly (what the lead forecaster sees that the response model
does not: recent level, reconciliation). A scope without a response model (no media run yet, or a
region too small for its own) keeps the lead forecaster's stored ``trend``, ``season`` and ``media``
(all channels) with ``sessions`` taken out of its ``other``. Several scopes add up part by part.

**Overrides**: a planner may put their own figure next to the model's for a scope and month, with a
reason (``forecast_override``): every change is a new row, the latest holds, a removal is a row
without a value; the model's figure is never changed. The app checks roles and writes the audit log.

**Interval state**: for every scope, whether the last complete month's actual fell outside the 95%
interval of the latest successful run that forecast it (``forecast_interval_state``), recomputed after
each load (the ``pilotage.after_load`` entry point, :func:`after_load`) and each training.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, func, insert, select, update

from forecasting import registry
from forecasting.planning.data import current_plan, top_region_codes
from forecasting.planning.model import ResponseModel, baseline_design
from forecasting.planning.scenario import RecordPath, carry_matrix
from forecasting.series import DataError, data_months, month_start, region_parents, top_region
from pilotage.dates import add_months
from pilotage.store.models import (
    NATIONAL_SCOPE,
    EtlRun,
    ForecastIntervalState,
    ForecastOverride,
    ForecastRun,
    ForecastSeries,
    ForecastValue,
    MartMonthly,
    MediaPlan,
)

KIND = registry.DEFAULT_KIND
MEDIA_KIND = "media"
LEVELS = (0.8, 0.95)
BAND_COLUMNS = ("lo80", "hi80", "lo95", "hi95")
LEAD_PARTS = ("trend", "season", "media", "other")
COVID = "covid_stringency"
NO_RESTRICTIONS = 0.0  # the Covid control's reference: the stringency index without any restriction
MAX_OVERRIDE = 10_000_000.0
MAX_REASON = 500


def series_key(scope: str) -> str:
    """The stored series of a scope: ``total`` for the company, ``region:<code>`` for a top region."""
    return "total" if scope == NATIONAL_SCOPE else f"region:{scope}"


def _band_key(level: float) -> str:
    return str(int(round(level * 100)))


@dataclass
class ForecastOfRecord:
    """The forecast of record of one scope, or the sum of several, for the champion run's months.

    ``bands`` (``{level: (low, high)}`` per month) and ``sum_halves`` (half-widths of the interval of the
    total of the first ``k`` months, ``k = 1..H``) are empty for a sum of scopes. ``drivers`` add up to
    ``yhat`` month by month; ``basis`` says, per scope, whether they come from the response model
    (``response``, with the media run's id in ``media_run_id``) or the lead forecaster (``lead``).
    ``overrides``: the planners' current figures by month (one scope only)."""

    scopes: tuple[str, ...]
    run_id: int
    cutoff: dt.date
    months: list[dt.date]
    yhat: np.ndarray
    bands: dict[float, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    sum_halves: dict[float, np.ndarray] = field(default_factory=dict)
    drivers: dict[str, np.ndarray] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)
    media_run_id: int | None = None
    overrides: dict[dt.date, dict] = field(default_factory=dict)
    plan_changed: list[dt.date] = field(default_factory=list)  # months whose media plan changed since training

    @property
    def single(self) -> bool:
        return len(self.scopes) == 1

    def frame(self) -> pd.DataFrame:
        """``month, yhat, lo80, hi80, lo95, hi95`` (NaN for a sum), then one column per driver."""
        out = pd.DataFrame({"month": self.months, "yhat": self.yhat})
        for level in LEVELS:
            low, high = self.bands.get(level, (np.full(len(self.months), np.nan),) * 2)
            out[f"lo{_band_key(level)}"], out[f"hi{_band_key(level)}"] = low, high
        for part, values in self.drivers.items():
            out[part] = values
        return out

    def total_bands(self, months: Sequence[dt.date]) -> dict[float, tuple[float, float]]:
        """The interval of the total over ``months`` (some of the record's consecutive months): the stored
        interval of the total of as many first months; without one, the months' half-widths added
        (errors that move together: wider, never narrower)."""
        index = [self.months.index(m) for m in months]
        total = float(self.yhat[index].sum())
        out = {}
        for level in LEVELS:
            halves = self.sum_halves.get(level)
            k = len(index)
            if halves is not None and k <= len(halves) and np.isfinite(halves[k - 1]):
                below = above = float(halves[k - 1])
            elif level in self.bands:
                low, high = self.bands[level]
                below = float(np.sum(self.yhat[index] - low[index]))
                above = float(np.sum(high[index] - self.yhat[index]))
            else:
                continue
            out[level] = (max(total - below, 0.0), total + above)
        return out

    def path(self, months: Sequence[dt.date]) -> RecordPath:
        """What a scenario over ``months`` starts from (:func:`forecasting.planning.scenario.simulate_on_record`)."""
        index = [self.months.index(m) for m in months]
        return RecordPath(self.yhat[index], {level: (low[index], high[index]) for level, (low, high)
                                             in self.bands.items()}, self.total_bands(months))


# --- reading the forecast of record ------------------------------------------------------------------

def forecast_of_record(engine: Engine, scopes: Iterable[str], run: dict | None = None,
                       models: dict[str, ResponseModel] | None = None, media_run_id: int | None = None,
                       plans: dict | None = None) -> ForecastOfRecord | None:
    """The forecast of record of ``scopes`` (``national`` or top region codes) from ``run`` (default: the
    lead champion), or None when that run holds none of their series.

    ``models``: the champion media run's response models by scope (default: read from the store), with
    ``media_run_id``; ``plans``: the current plan per scope (:func:`forecasting.planning.data.current_plan`
    over the months the drivers need; default: read from the store now).
    """
    scopes = tuple(dict.fromkeys(scopes))
    if not scopes:
        return None
    run = run if run is not None else registry.champion(engine, KIND)
    if run is None:
        return None
    keys = {scope: series_key(scope) for scope in scopes}
    values = registry.forecasts(engine, run["id"], list(keys.values()))
    present = [scope for scope in scopes if keys[scope] in set(values["series_key"])]
    if not present:
        return None
    values["month"] = pd.to_datetime(values["month"]).dt.date
    months = sorted(values["month"].unique())
    if models is None:
        media_run_id, models = _champion_models(engine)
    own = {scope: values[values["series_key"] == keys[scope]].set_index("month").reindex(months) for scope in present}
    yhat = np.sum([own[scope]["yhat"].to_numpy(dtype=float) for scope in present], axis=0)
    record = ForecastOfRecord(tuple(present), int(run["id"]), month_start(run["cutoff"]), months, yhat,
                              media_run_id=media_run_id if models else None)
    if len(present) == 1:
        frame = own[present[0]]
        if not frame[list(BAND_COLUMNS)].isna().any().any():
            record.bands = {level: (frame[f"lo{_band_key(level)}"].to_numpy(dtype=float),
                                    frame[f"hi{_band_key(level)}"].to_numpy(dtype=float)) for level in LEVELS}
        record.sum_halves = _sum_halves(engine, run["id"], keys[present[0]], len(months))
        record.overrides = {month: row for (_scope, month), row in
                            current_overrides(engine, present, months).items()}
    record.plan_changed = plan_changes(engine, run, months)
    effects = _effects(engine, run["id"], [keys[s] for s in present], len(months))
    parts: dict[str, np.ndarray] = {}
    for scope in present:
        frame = own[scope]
        scope_yhat = frame["yhat"].to_numpy(dtype=float)
        sessions = effects.get(keys[scope], np.zeros(len(months)))
        model = (models or {}).get(scope)
        drivers = None
        if model is not None:
            plan = (plans or {}).get(scope)
            drivers = response_drivers(engine, model, scope, months, plan)
        if drivers is not None:
            record.basis[scope] = "response"
            drivers["sessions"] = sessions
            drivers["other"] = scope_yhat - np.sum(list(drivers.values()), axis=0)
        else:
            record.basis[scope] = "lead"
            drivers = {part: frame[part].to_numpy(dtype=float) for part in LEAD_PARTS}
            drivers["sessions"] = sessions
            drivers["other"] = drivers["other"] - sessions
        for part, series in drivers.items():
            parts[part] = parts.get(part, 0.0) + series
    record.drivers = _ordered(parts, len(months))
    return record


def _ordered(parts: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """trend, season, media (all channels, then each channel), controls (Covid first), sessions, other."""
    def rank(name: str) -> tuple:
        order = ["trend", "season", "media"]
        if name in order:
            return (order.index(name), "")
        if name.startswith("media:"):
            return (3, name)
        if name.startswith("control:"):
            return (4, "" if name == f"control:{COVID}" else name)
        return (5 if name == "sessions" else 6, name)

    return {name: np.asarray(parts[name], dtype=float) * np.ones(n) for name in sorted(parts, key=rank)}


PLAN_TOLERANCE_EUR = 1.0


def plan_changes(engine: Engine, run: dict, months: Sequence[dt.date]) -> list[dt.date]:
    """The months whose media plan in the store no longer adds up to the spend the run assumed (its
    ``assumed_spend``): a plan loaded after the training, which the forecast of record does not know yet.
    The company's total per month is compared (spreading over regions keeps it); months the store has no
    plan for (the run assumed last year's spend) and runs that did not record their assumption are left out."""
    assumed = ((run.get("params") or {}).get("regressors") or {}).get("assumed_spend")
    if not assumed or not months:
        return []
    per_month: dict[dt.date, tuple[float, int]] = {}
    for _channel, _region, month, amount in assumed:
        key = month_start(f"{month}-01" if len(str(month)) == 7 else month)
        total, cells = per_month.get(key, (0.0, 0))
        per_month[key] = (total + float(amount), cells + 1)
    statement = (select(MediaPlan.month, func.sum(MediaPlan.planned_spend))
                 .where(MediaPlan.month.between(months[0], months[-1])).group_by(MediaPlan.month))
    with engine.connect() as conn:
        planned = {month_start(m): float(v or 0.0) for m, v in conn.execute(statement).all()}
    changed = []
    for month in months:
        if month not in planned:
            continue
        total, cells = per_month.get(month, (0.0, 0))
        if abs(planned[month] - total) > PLAN_TOLERANCE_EUR + 0.01 * cells:
            changed.append(month)
    return changed


def _champion_models(engine: Engine) -> tuple[int | None, dict[str, ResponseModel]]:
    run = registry.champion(engine, MEDIA_KIND)
    if run is None or run.get("status") != "ok":
        return None, {}
    return int(run["id"]), media_models(engine, int(run["id"]))


def media_models(engine: Engine, run_id: int) -> dict[str, ResponseModel]:
    """The response models of a media run by scope (as :func:`forecasting.planning.registry.run_models`
    reads them, without loading the fitting libraries); :class:`RegistryError` if there is no such run."""
    statement = select(ForecastRun.params).where(ForecastRun.id == int(run_id), ForecastRun.kind == MEDIA_KIND)
    with engine.connect() as conn:
        row = conn.execute(statement).first()
    if row is None:
        raise registry.RegistryError(f"no media run {run_id}")
    return {scope: ResponseModel.from_dict(data) for scope, data in (row.params or {}).get("models", {}).items()}


def _sum_halves(engine: Engine, run_id: int, key: str, horizon: int) -> dict[float, np.ndarray]:
    rows = registry.accuracy(engine, run_id, [key])
    rows = rows[rows["horizon"] > 0].set_index("horizon").reindex(range(1, horizon + 1))
    out = {}
    for level in LEVELS:
        column = f"sum_half{_band_key(level)}"
        if column in rows and rows[column].notna().all():
            out[level] = rows[column].to_numpy(dtype=float)
    return out


def _effects(engine: Engine, run_id: int, keys: list[str], n: int) -> dict[str, np.ndarray]:
    """Per series, what its model attributes to web sessions in the forecast months (0 without them)."""
    statement = select(ForecastSeries.series_key, ForecastSeries.params).where(
        ForecastSeries.run_id == run_id, ForecastSeries.series_key.in_(keys))
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    out = {}
    for key, params in rows:
        effects = (params or {}).get("effects") or {}
        total = np.zeros(n)
        for name, values in effects.items():
            if name.startswith("sessions") and len(values) == n:
                total = total + np.asarray(values, dtype=float)
        out[key] = total
    return out


def response_drivers(engine: Engine, model: ResponseModel, scope: str, months: list[dt.date],
                     plan=None) -> dict[str, np.ndarray] | None:
    """The response model's prediction of ``months`` under the current plan, split into trend, season,
    each control against its reference and each channel's contribution (see the module docstring);
    None when the model cannot predict those months (monthly models only, months after its start)."""
    if model.frequency != "month" or not months or months[0] < model.origin:
        return None
    cutoff = model.periods[-1]
    future = [m for m in _month_range(add_months(cutoff, 1), months[-1])]
    if future:
        if plan is None:
            plan = current_plan(engine, scope, cutoff, list(model.channels), list(model.controls), months=future)
        if [month_start(m) for m in plan.months[:len(future)]] != future or len(plan.channels) != len(model.channels):
            return None
    path = _month_range(months[0], months[-1])
    history = {m: i for i, m in enumerate(model.periods)}
    planned = {m: i for i, m in enumerate(future)}
    spend = np.zeros((len(path), len(model.channels)))
    controls = np.zeros((len(path), len(model.controls)))
    for t, month in enumerate(path):
        if month in history:
            spend[t] = model.spend[history[month]]
            controls[t] = model.control_values[history[month]] if model.controls else controls[t]
        else:
            spend[t] = plan.spend[planned[month]]
            if model.controls:
                controls[t] = np.asarray(plan.controls, dtype=float)[planned[month]]
    gap = [planned[m] for m in future if m < path[0]]
    gap_spend = np.asarray(plan.spend, dtype=float)[gap] if gap else None
    carry = carry_matrix(model, path[0], [model.params], None, gap_spend)[0]
    prediction = model.predict(spend, path, controls if model.controls else None, carry_in=carry)
    design = baseline_design(path, model.origin, model.n_harmonics,
                             model.standardise(controls if model.controls else None, len(path)))
    terms = design * model.params.base[None, :]
    season_columns = slice(2, 2 + 2 * model.n_harmonics)
    trend = terms[:, 0] + terms[:, 1]
    parts: dict[str, np.ndarray] = {}
    for j, name in enumerate(model.controls):
        column = 2 + 2 * model.n_harmonics + j
        reference = ((NO_RESTRICTIONS - model.control_mean[j]) / model.control_scale[j]) if name == COVID else 0.0
        at_reference = model.params.base[column] * reference
        trend = trend + at_reference
        parts[f"control:{name}"] = terms[:, column] - at_reference
    out = {"trend": trend, "season": terms[:, season_columns].sum(axis=1), **parts}
    for c, channel in enumerate(model.channels):
        out[f"media:{channel}"] = prediction.contributions[:, c]
    keep = [path.index(m) for m in months]
    return {name: np.asarray(values, dtype=float)[keep] for name, values in out.items()}


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


# --- overrides ---------------------------------------------------------------------------------------

class OverrideError(ValueError):
    """An override that cannot be stored; ``code`` names the reason (the app translates it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def set_override(engine: Engine, scope: str, month: dt.date, value: float | None, reason: str, actor: str,
                 run_id: int | None = None, model_value: float | None = None) -> int:
    """Store a planner's figure for ``scope`` and ``month`` (None removes the current one); returns the row's id.

    The value must be a finite number of leads between 0 and :data:`MAX_OVERRIDE`, and a reason is
    required (at most :data:`MAX_REASON` characters). Roles and scope are the caller's to check."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise OverrideError("reason")
    if len(reason) > MAX_REASON:
        raise OverrideError("reason_long")
    if value is not None:
        value = float(value)
        if not math.isfinite(value) or value < 0 or value > MAX_OVERRIDE:
            raise OverrideError("value")
    with engine.begin() as conn:
        return conn.execute(insert(ForecastOverride).values(
            scope_code=scope, month=month_start(month), value=value, reason=reason, run_id=run_id,
            model_value=None if model_value is None else float(model_value), created_by=actor or "-",
            created_at=_now()).returning(ForecastOverride.id)).scalar_one()


def _latest(scopes: Sequence[str], months: Sequence[dt.date] | None):
    latest = select(ForecastOverride.scope_code, ForecastOverride.month,
                    func.max(ForecastOverride.id).label("id")).where(ForecastOverride.scope_code.in_(list(scopes)))
    if months is not None:
        latest = latest.where(ForecastOverride.month.in_([month_start(m) for m in months]))
    return latest.group_by(ForecastOverride.scope_code, ForecastOverride.month).subquery()


def current_overrides(engine: Engine, scopes: Sequence[str], months: Sequence[dt.date] | None = None
                      ) -> dict[tuple[str, dt.date], dict]:
    """The overrides in force, ``{(scope, month): row}`` (``value, reason, created_by, created_at, run_id,
    model_value, id``): each scope and month's latest row, unless it removed the override."""
    if not scopes:
        return {}
    latest = _latest(scopes, months)
    statement = (select(*ForecastOverride.__table__.c)
                 .join(latest, ForecastOverride.id == latest.c.id)
                 .where(ForecastOverride.value.is_not(None)))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(statement)]
    return {(r["scope_code"], month_start(r["month"])): r for r in rows}


def override_history(engine: Engine, scopes: Sequence[str], limit: int = 50) -> list[dict]:
    """Every override change of ``scopes``, latest first."""
    if not scopes:
        return []
    statement = (select(*ForecastOverride.__table__.c).where(ForecastOverride.scope_code.in_(list(scopes)))
                 .order_by(ForecastOverride.id.desc()).limit(limit))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(statement)]


# --- last month against the 95% interval ----------------------------------------------------------------

def scopes_of(engine: Engine) -> list[str]:
    """``national`` then every top region of ``dim_region``."""
    return [NATIONAL_SCOPE, *top_region_codes(region_parents(engine))]


def _actuals(engine: Engine, month: dt.date, parents: dict[str, str | None]) -> dict[str, float]:
    statement = (select(MartMonthly.region_code, func.sum(MartMonthly.qualified_leads))
                 .where(MartMonthly.month == month).group_by(MartMonthly.region_code))
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    out = {NATIONAL_SCOPE: 0.0}
    for region, leads in rows:
        leads = float(leads or 0)
        out[NATIONAL_SCOPE] += leads
        top = top_region(region, parents)
        out[top] = out.get(top, 0.0) + leads
    return out


def _covering(engine: Engine, month: dt.date, key: str) -> dict | None:
    """The latest successful lead run whose forecast of ``key`` holds ``month``: its row of values."""
    statement = (select(ForecastValue.run_id, ForecastValue.yhat, *[getattr(ForecastValue, c) for c in BAND_COLUMNS])
                 .join(ForecastRun, ForecastRun.id == ForecastValue.run_id)
                 .where(ForecastRun.kind == KIND, ForecastRun.status == "ok", ForecastValue.month == month,
                        ForecastValue.series_key == key)
                 .order_by(ForecastValue.run_id.desc()).limit(1))
    with engine.connect() as conn:
        row = conn.execute(statement).first()
    return dict(row._mapping) if row is not None else None


def refresh_interval_states(engine: Engine, trigger: str = "manual") -> list[dict]:
    """Compute and store, for every scope, whether the last complete month's actual fell outside the 95%
    interval of the latest successful run that forecast it (``state``: ``outside``, ``inside``, or ``none``
    when no such forecast has an interval); returns the rows. A store without data stores nothing."""
    try:
        month = data_months(engine)[1]
    except DataError:
        return []
    parents = region_parents(engine)
    actuals = _actuals(engine, month, parents)
    with engine.connect() as conn:
        version = conn.execute(select(func.max(EtlRun.id))).scalar()
    now = _now()
    rows = []
    for scope in scopes_of(engine):
        covering = _covering(engine, month, series_key(scope))
        actual = actuals.get(scope, 0.0)
        row = {"scope_code": scope, "month": month, "state": "none", "run_id": None, "actual": actual,
               "yhat": None, **dict.fromkeys(BAND_COLUMNS), "trigger": trigger, "etl_run_id": version,
               "computed_at": now}
        if covering is not None:
            row.update(run_id=int(covering["run_id"]), yhat=covering["yhat"],
                       **{c: covering[c] for c in BAND_COLUMNS})
            if covering["lo95"] is not None and covering["hi95"] is not None:
                row["state"] = "outside" if not covering["lo95"] <= actual <= covering["hi95"] else "inside"
        rows.append(row)
    with engine.begin() as conn:
        for row in rows:
            done = conn.execute(update(ForecastIntervalState).where(and_(
                ForecastIntervalState.scope_code == row["scope_code"], ForecastIntervalState.month == month))
                .values(**{k: v for k, v in row.items() if k not in ("scope_code", "month")}))
            if not done.rowcount:
                conn.execute(insert(ForecastIntervalState).values(**row))
    return rows


def interval_states(engine: Engine, scopes: Sequence[str]) -> dict[str, dict]:
    """Each scope's latest stored state (the row of its latest month), ``{scope: row}``."""
    if not scopes:
        return {}
    latest = (select(ForecastIntervalState.scope_code, func.max(ForecastIntervalState.month).label("month"))
              .where(ForecastIntervalState.scope_code.in_(list(scopes)))
              .group_by(ForecastIntervalState.scope_code).subquery())
    statement = select(*ForecastIntervalState.__table__.c).join(latest, and_(
        ForecastIntervalState.scope_code == latest.c.scope_code, ForecastIntervalState.month == latest.c.month))
    with engine.connect() as conn:
        return {r.scope_code: dict(r._mapping) for r in conn.execute(statement)}


def after_load(engine: Engine) -> None:
    """The ``pilotage.after_load`` entry point: the interval states, on the data just loaded."""
    refresh_interval_states(engine, trigger="load")
