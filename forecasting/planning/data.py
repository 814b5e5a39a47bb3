"""The response model's inputs, read from the marts: leads, spend per paid channel, controls, plan, targets.

Per *scope* (``"national"`` or a top region code, the regions users are scoped on), monthly:

- **leads**: qualified leads of ``mart_monthly`` (:func:`forecasting.series.build_series`: the
  months from the first complete month to the cut-off, default the last complete month);
- **spend** (EUR) per paid channel, from ``mart_monthly.spend`` (ad platforms' delivery). The
  national scope sums everything. A region gets the rows booked on it or on its sub-areas, plus
  its part of the rows booked on the country itself (a national campaign that the platform does
  not split by region): the country row is spread over the country's top regions by the
  channel's regional share of the spend booked per region over the history, or when the channel
  never books per region by the regions' share of qualified leads (where demand is). The demo's
  platforms already split national campaigns by region (by population), so there it has nothing
  to spread. Spend on a code outside any region (``XX``, unassigned) counts nationally only.
  A scope's channels are the channels with spend in its history;
- **controls**: the monthly Covid stringency and the working days, built as the lead forecaster
  builds them (:mod:`forecasting.regressors`; the index is national, so every scope shares it). A
  control constant over the history (no Covid data) is left out;
- **the current plan**: ``fact_media_plan`` for the months after the cut-off, up to the last
  planned month (at most ``MAX_PLAN_MONTHS``), per scope and channel, spread as the forecaster
  spreads it (:func:`forecasting.regressors._planned_spend`: regional rows to their top region,
  national rows by the channel's regional share of the last 12 months' spend; a month the plan
  does not cover takes the same month's spend a year earlier, and a note says so). Without any
  plan row after the cut-off, ``DEFAULT_PLAN_MONTHS`` months of last year's spend stand in;
- **targets**: monthly qualified-lead targets (``fact_target``, ``kpi = qualified_leads``,
  ``grain = month``) of the plan months: ``all`` (else the country) for national, the region's
  own row (else the sum of its sub-areas' rows) for a region.

A region gets its own model only with ``MIN_MONTHS`` months of history, ``MIN_MONTHLY_LEADS``
qualified leads a month on average and some paid spend; otherwise it is skipped with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from forecasting.regressors import _covid, _planned_spend, _working_days
from forecasting.series import DataError, SeriesSet, build_series, month_start, monthly_cells, region_parents
from pilotage.dates import add_months, months_between
from pilotage.store.models import NATIONAL_SCOPE, MediaPlan, Target

MIN_MONTHS = 24  # a region's own model needs two seasons
MIN_NATIONAL_MONTHS = 12
MIN_MONTHLY_LEADS = 20.0  # mean qualified leads per month for a region's own model
MAX_PLAN_MONTHS = 12
DEFAULT_PLAN_MONTHS = 6
CONTROLS = ("covid_stringency", "working_days")
TARGET_KPI = "qualified_leads"
ALL_TARGET = "all"  # fact_target's code for the company's own target


@dataclass
class Plan:
    """Spend per month and channel of one scope (H x C, EUR), with the controls of those months."""

    scope: str
    months: list[dt.date]
    channels: list[str]
    spend: np.ndarray  # (H, C)
    control_names: list[str] = field(default_factory=list)
    controls: np.ndarray | None = None  # (H, J) raw values, in ``control_names`` order
    unmodelled: dict[str, float] = field(default_factory=dict)  # planned EUR on channels the scope has no history for
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(self.spend.sum())

    def to_dict(self) -> dict:
        return {"scope": self.scope, "months": [f"{m:%Y-%m-%d}" for m in self.months], "channels": list(self.channels),
                "spend": np.round(self.spend, 2).tolist(), "control_names": list(self.control_names),
                "controls": None if self.controls is None else self.controls.tolist(),
                "unmodelled": {k: round(v, 2) for k, v in self.unmodelled.items()}, "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict) -> Plan:
        months = [dt.date.fromisoformat(m) for m in data["months"]]
        controls = data.get("controls")
        return cls(data["scope"], months, list(data["channels"]),
                   np.asarray(data["spend"], dtype=float).reshape(len(months), len(data["channels"])),
                   list(data.get("control_names", [])),
                   None if controls is None else np.asarray(controls, dtype=float).reshape(len(months), -1),
                   dict(data.get("unmodelled", {})), list(data.get("notes", [])))


@dataclass
class ScopeInputs:
    """What :func:`forecasting.planning.fit.fit_response` needs for one scope, and what a plan compares to."""

    scope: str
    periods: list[dt.date]  # month starts, up to the cut-off
    y: np.ndarray  # (T,) qualified leads
    channels: list[str]
    spend: np.ndarray  # (T, C) EUR
    control_names: list[str]
    controls: np.ndarray  # (T, J) raw values
    plan: Plan
    targets: dict[dt.date, float]  # qualified-lead target per plan month (months without one left out)
    notes: list[str] = field(default_factory=list)

    @property
    def cutoff(self) -> dt.date:
        return self.periods[-1]


# --- the history ----------------------------------------------------------------------------

@dataclass
class _History:
    series: SeriesSet
    cells: pd.DataFrame  # month, channel_code, region_code (top region, or a root as booked), spend
    spend_past: dict[tuple[str, str], np.ndarray]  # (channel, top region or root) -> EUR per month
    top: list[str]  # top regions (directly under a country)

    @property
    def months(self) -> list[dt.date]:
        return self.series.months

    @property
    def parents(self) -> dict[str, str | None]:
        return self.series.parents


def top_region_codes(parents: dict[str, str | None]) -> list[str]:
    """Regions directly under a country (a root of ``dim_region``): the scopes besides national."""
    return sorted(c for c, p in parents.items() if p is not None and p in parents and parents[p] is None)


def _history(engine: Engine, cutoff: dt.date | str | None) -> _History:
    series = build_series(engine, cutoff)
    cells = monthly_cells(engine, ("spend",), series.months[0], series.cutoff, series.region_map)
    spend_past: dict[tuple[str, str], np.ndarray] = {}
    if not cells.empty:
        table = cells.pivot_table(index=["channel_code", "region_code"], columns="month", values="spend",
                                  aggfunc="sum", fill_value=0.0).reindex(columns=series.months, fill_value=0.0)
        spend_past = {tuple(ix): row.to_numpy(dtype=float) for ix, row in table.iterrows() if (row > 0).any()}
    return _History(series, cells, spend_past, top_region_codes(series.parents))


def _leads(history: _History, scope: str) -> np.ndarray:
    key = "total" if scope == NATIONAL_SCOPE else f"region:{scope}"
    keys = {k.key for k in history.series.keys}
    return history.series.y(key) if key in keys else np.zeros(len(history.months))


def _country_shares(history: _History, channel: str, country: str) -> dict[str, float]:
    """How a row booked on ``country`` splits over its top regions (see the module's docstring)."""
    regions = [r for r in history.top if history.parents.get(r) == country]
    booked = {r: float(history.spend_past.get((channel, r), np.zeros(1)).sum()) for r in regions}
    if sum(booked.values()) <= 0:
        booked = {r: float(_leads(history, r).sum()) for r in regions}
    total = sum(booked.values())
    return {r: v / total for r, v in booked.items() if v > 0} if total > 0 else {}


def scope_spend(history: _History, scope: str) -> dict[str, np.ndarray]:
    """EUR per month and paid channel of a scope (channels without spend left out)."""
    out: dict[str, np.ndarray] = {}
    for (channel, region), values in history.spend_past.items():
        if scope == NATIONAL_SCOPE:
            part = values
        elif region == scope:
            part = values
        elif history.parents.get(region, "") is None and history.parents.get(scope) == region:
            part = values * _country_shares(history, channel, region).get(scope, 0.0)
        else:
            continue
        out[channel] = out.get(channel, 0.0) + part
    return {c: v for c, v in sorted(out.items()) if np.any(v > 0)}


def _controls(engine: Engine, months: list[dt.date]) -> dict[str, np.ndarray]:
    return {"covid_stringency": _covid(engine, months), "working_days": _working_days(engine, months)}


# --- the plan and the targets ---------------------------------------------------------------

def plan_months(engine: Engine, cutoff: dt.date) -> list[dt.date]:
    """The months after ``cutoff`` up to the last planned one (at most ``MAX_PLAN_MONTHS``)."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(MediaPlan.month)).where(MediaPlan.month > cutoff)).scalar()
    count = DEFAULT_PLAN_MONTHS if last is None else len(months_between(add_months(cutoff, 1), month_start(last)))
    return [add_months(cutoff, i) for i in range(1, min(count, MAX_PLAN_MONTHS) + 1)]


def _plans(engine: Engine, history: _History, months: list[dt.date],
           notes: list[str]) -> dict[tuple[str, str], np.ndarray]:
    if not months:
        return {}
    return _planned_spend(engine, months, history.series.region_map, history.parents, history.spend_past,
                          history.months, notes)


def _scope_plan(history: _History, planned: dict[tuple[str, str], np.ndarray], scope: str, months: list[dt.date],
                channels: list[str], controls: dict[str, np.ndarray], control_names: list[str],
                notes: list[str]) -> Plan:
    spend = np.zeros((len(months), len(channels)))
    unmodelled: dict[str, float] = {}
    position = {c: i for i, c in enumerate(channels)}
    for (channel, region), values in planned.items():
        if scope != NATIONAL_SCOPE and region != scope:
            # what stays on the country (last year's country-booked spend standing in for a plan) is spread
            if history.parents.get(region, "") is None and history.parents.get(scope) == region:
                values = values * _country_shares(history, channel, region).get(scope, 0.0)
            else:
                continue
        if channel in position:
            spend[:, position[channel]] += values
        elif values.sum() > 0:
            unmodelled[channel] = unmodelled.get(channel, 0.0) + float(values.sum())
    own = list(notes)
    for channel, amount in sorted(unmodelled.items()):
        own.append(f"{amount:,.0f} EUR planned on {channel}, which has no spend in this scope's history: "
                   "not in the model")
    matrix = np.column_stack([controls[n] for n in control_names]) if control_names else np.zeros((len(months), 0))
    return Plan(scope, list(months), list(channels), spend, list(control_names), matrix, unmodelled, own)


def lead_targets(engine: Engine, scope: str, months: list[dt.date],
                 parents: dict[str, str | None] | None = None) -> dict[dt.date, float]:
    """Monthly qualified-lead targets of a scope for ``months`` (months without one left out)."""
    if not months:
        return {}
    if parents is None:
        parents = region_parents(engine)
    statement = (select(Target.period_start, Target.region_code, func.sum(Target.value))
                 .where(Target.kpi == TARGET_KPI, Target.grain == "month", Target.channel_code == "",
                        Target.period_start.between(months[0], months[-1]))
                 .group_by(Target.period_start, Target.region_code))
    with engine.connect() as conn:
        rows = [(month_start(m), code, float(v)) for m, code, v in conn.execute(statement).all() if v is not None]
    wanted = set(months)
    rows = [r for r in rows if r[0] in wanted]
    if scope == NATIONAL_SCOPE:
        roots = [c for c, p in parents.items() if p is None and any(q == c for q in parents.values())]
        order = [ALL_TARGET, *roots]
    else:
        order = [scope]
    out: dict[dt.date, float] = {}
    for month in months:
        own = {code: value for m, code, value in rows if m == month}
        for code in order:
            if code in own:
                out[month] = own[code]
                break
        else:
            if scope != NATIONAL_SCOPE:  # a region without its own target: its sub-areas' sum
                from forecasting.series import top_region

                parts = [v for code, v in own.items() if code != scope and top_region(code, parents) == scope]
                if parts:
                    out[month] = float(sum(parts))
    return out


# --- the entry points -----------------------------------------------------------------------

def _supported(scope: str, y: np.ndarray, spend: dict[str, np.ndarray], months: list[dt.date],
               pooled: bool = False) -> str | None:
    """Why a scope cannot have its own model (``pooled``: a place in the geo model), or None."""
    if scope == NATIONAL_SCOPE:
        if len(months) < MIN_NATIONAL_MONTHS:
            return f"{len(months)} months of history (at least {MIN_NATIONAL_MONTHS} needed)"
    elif len(months) < MIN_MONTHS:
        return f"{len(months)} months of history (at least {MIN_MONTHS} needed)"
    mean = float(np.mean(y)) if len(y) else 0.0
    if scope != NATIONAL_SCOPE and mean < (1e-9 if pooled else MIN_MONTHLY_LEADS):
        return f"{mean:.1f} qualified leads a month on average (at least {MIN_MONTHLY_LEADS:.0f} needed)"
    if not spend:
        return "no paid media spend in its history"
    return None


def model_inputs(engine: Engine, cutoff: dt.date | str | None = None,
                 notes: list[str] | None = None, pooled: bool = False) -> dict[str, ScopeInputs]:
    """Inputs per scope (``"national"`` first, then the supported top regions), up to ``cutoff``.

    ``pooled``: for the pooled geo model, which borrows strength across regions, a region needs only some
    qualified leads and paid spend in its history, not ``MIN_MONTHLY_LEADS`` a month of its own.
    Raises :class:`forecasting.series.DataError` when the national scope cannot be modelled.
    Skipped regions and the run-wide assumptions are appended to ``notes`` when given.
    """
    notes = [] if notes is None else notes
    history = _history(engine, cutoff)
    months = history.months
    future = plan_months(engine, history.series.cutoff)
    plan_notes: list[str] = []
    planned = _plans(engine, history, future, plan_notes)
    notes.extend(plan_notes)
    controls_all = _controls(engine, months + future)
    control_names = [n for n in CONTROLS if np.ptp(controls_all[n][:len(months)]) > 1e-9]
    dropped = [n for n in CONTROLS if n not in control_names]
    if dropped:
        notes.append("left out (constant over the history): " + ", ".join(dropped))
    past_controls = (np.column_stack([controls_all[n][:len(months)] for n in control_names]) if control_names
                     else np.zeros((len(months), 0)))
    future_controls = {n: controls_all[n][len(months):] for n in control_names}
    out: dict[str, ScopeInputs] = {}
    for scope in (NATIONAL_SCOPE, *history.top):
        y = _leads(history, scope)
        spend = scope_spend(history, scope)
        why = _supported(scope, y, spend, months, pooled)
        if why is not None:
            if scope == NATIONAL_SCOPE:
                raise DataError(f"no media response model can be fitted: {why}")
            if y.sum() > 0 or spend:  # regions without any activity are not worth a note
                notes.append(f"region {scope} skipped: {why}")
            continue
        channels = list(spend)
        plan = _scope_plan(history, planned, scope, future, channels, future_controls, control_names, plan_notes)
        out[scope] = ScopeInputs(scope, list(months), np.asarray(y, dtype=float), channels,
                                 np.column_stack([spend[c] for c in channels]), list(control_names),
                                 past_controls.copy(), plan, lead_targets(engine, scope, future, history.parents),
                                 [n for n in plan.notes if n not in plan_notes])
    return out


def current_plan(engine: Engine, scope: str, cutoff: dt.date, channels: list[str],
                 control_names: list[str] | tuple[str, ...] = (), months: list[dt.date] | None = None) -> Plan:
    """The media plan of ``scope`` for the months after ``cutoff`` (default: up to the last planned month),
    on ``channels`` (a model's), read from the store now: a plan loaded after the model's fit shows."""
    history = _history(engine, cutoff)
    months = plan_months(engine, history.series.cutoff) if months is None else list(months)
    notes: list[str] = []
    planned = _plans(engine, history, months, notes)
    controls = _controls(engine, months) if months else {n: np.zeros(0) for n in CONTROLS}
    return _scope_plan(history, planned, scope, months, list(channels), controls, list(control_names), notes)


# --- experiments (lift tests) ---------------------------------------------------------------------------

def regions_within(codes, parents: dict[str, str | None]) -> set[str]:
    """``codes`` and every region below them."""
    out, stack = set(), [c for c in codes if c in parents]
    while stack:
        code = stack.pop()
        if code not in out:
            out.add(code)
            stack.extend(c for c, p in parents.items() if p == code)
    return out


def stored_experiments(engine: Engine, visible: frozenset[str] | None, scope_regions: frozenset[str] | None):
    """The lift tests of ``media_experiment`` a reader may see and a model of ``scope_regions`` (None: the
    country) can be compared with, as :class:`~forecasting.planning.calibration.Experiment`.

    A test is kept when all its regions (with their sub-regions) are in ``visible`` (None: every region;
    a ``*`` test needs None) and in ``scope_regions``. ``share`` is the test regions' part of the channel's
    spend in the scope over the test's months (1 when no spend is recorded): what turns a model of the scope
    into a lift of the test's regions."""
    from forecasting.planning.calibration import Experiment
    from pilotage.store.models import MartMonthly, MediaExperiment

    parents = region_parents(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(MediaExperiment.__table__).order_by(MediaExperiment.start_date,
                                                                       MediaExperiment.channel_code)).all()
        out = []
        for row in rows:
            codes = None if row.regions == "*" else tuple(row.regions.split(";"))
            if codes is None and (visible is not None or scope_regions is not None):
                continue
            inside = regions_within(codes or (), parents)
            if codes is not None and ((visible is not None and not inside <= visible)
                                      or (scope_regions is not None and not inside <= scope_regions)):
                continue
            share = 1.0
            if codes is not None:
                spend = (select(MartMonthly.region_code, func.sum(MartMonthly.spend))
                         .where(MartMonthly.channel_code == row.channel_code,
                                MartMonthly.month.between(row.start_date.replace(day=1), row.end_date))
                         .group_by(MartMonthly.region_code))
                by_region = {code: float(value or 0) for code, value in conn.execute(spend)}
                scope = sum(v for c, v in by_region.items() if scope_regions is None or c in scope_regions)
                if scope > 0:
                    share = sum(v for c, v in by_region.items() if c in inside) / scope
            out.append(Experiment(row.channel_code, codes, row.start_date, row.end_date, row.incremental_leads,
                                  row.lo, row.hi, share, row.notes))
    return out


def experiment_report(model, experiments) -> list[dict]:
    """Per experiment: the model's lift for its channel, regions and days with its 80 % interval (over the
    bootstrap draws) beside the measured one, and whether the two intervals overlap."""
    from forecasting.planning.calibration import agreement

    rows = []
    for experiment in experiments:
        point = model.experiment_lift(experiment)
        if not np.isfinite(point):
            continue
        found = agreement(experiment, [model.experiment_lift(experiment, p) for p in model.draws], point)
        rows.append({"channel": experiment.channel, "regions": ";".join(experiment.regions or ("*",)),
                     "start": experiment.start, "end": experiment.end, "lift": experiment.lift, "lo": experiment.lo,
                     "hi": experiment.hi, "model_lift": found.model_lift, "model_lo": found.model_lo,
                     "model_hi": found.model_hi, "agrees": found.agrees, "notes": experiment.label})
    return rows
