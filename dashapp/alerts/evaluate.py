"""Evaluating the rules: each active rule, for each of its recipients, **in that recipient's scope**.

A recipient's figures are computed as if they were logged in (:func:`acting_as`: the query layer reads the
scope from the logged-in user, and its cache is keyed by that scope), never as the rule's owner: a regional
sales user subscribed to an all-regions director's rule is told about their regions only, and a recipient
who sees none of the rule's regions is told nothing.

Each kind checks its last period against its threshold, in the KPI's direction (:mod:`metrics`):

- ``target``, basis ``end``: the last complete day, ISO week or month against its target (missed by more than
  the threshold, a share of the target); basis ``pace``: the week or month to date against the target of the
  same days (targets are monthly, pro rata of their days: :func:`queries.targets`);
- ``change``: the last complete period, or the week or month to date (``..._to_date``), against the previous
  one or the same one last year, like for like (:mod:`periods`: a day with the same weekday, a week to date
  with the same weekdays, a month to date with the same days);
- ``forecast``: the last complete month's qualified leads outside the forecast of record's 80 % or 95 %
  interval (the interval state stored after each load and training, :func:`forecasts.interval_states`);
- ``freshness``: a source without a successful load for ``threshold`` days or more;
- ``quality``: a recent load with at least ``threshold`` data-quality findings in the recipient's scope.

The outcome of each check is written once per condition by :mod:`.events`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, current_app, g, has_app_context

from pilotage.dates import month_end, month_start, week_start

from ..auth.users import User, list_users
from ..extensions import init_cache
from ..semantic import alerting, forecasts, metrics, periods, queries
from ..semantic.filters import Filters
from ..semantic.scope import allowed_regions
from .rules import Rule


@dataclass(frozen=True)
class Outcome:
    """One condition checked for one recipient: ``holds`` when the alert should be (or stay) raised."""

    key: str
    holds: bool
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    value: float | None = None
    reference: float | None = None
    detail: dict = field(default_factory=dict)


# --- acting as the recipient ------------------------------------------------------------------------------

@functools.cache
def _bare_app() -> Flask:
    """A Flask app for the query layer's request-scoped state and its cache, outside the web app (CLI, hooks)."""
    app = Flask("pilotage.alerts")
    init_cache(app)
    return app


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Run the query layer as ``user``: their scope, their cache keys; inside the web app or outside it."""
    app = current_app._get_current_object() if has_app_context() else _bare_app()
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user  # not current_user's proxy
    with app.test_request_context("/"):
        g._login_user = user  # what flask-login's current_user returns for this context
        yield


# --- recipients ------------------------------------------------------------------------------------------

def recipients(rule: Rule, users: list[User] | None = None) -> list[User]:
    """The rule's subscribers in person and by role, active ones only, each once."""
    users = users if users is not None else list_users()
    return [u for u in users if u.active and (u.id in rule.users or u.role in rule.roles)]


# --- periods ---------------------------------------------------------------------------------------------

def last_complete(grain: str, last: dt.date) -> tuple[dt.date, dt.date, str]:
    """The last complete day, ISO week or month up to ``last`` (the last day with data), and its period name."""
    if grain == "day":
        return last, last, "custom"
    if grain == "week":
        end = last if last.weekday() == 6 else week_start(last) - dt.timedelta(days=1)
        return week_start(end), end, "last_week"
    end = last if last == month_end(last) else month_start(last) - dt.timedelta(days=1)
    return month_start(end), end, "last_month"


def to_date(grain: str, last: dt.date) -> tuple[dt.date, dt.date, str]:
    """The week or month holding ``last``, up to it (a pace)."""
    if grain == "week":
        return week_start(last), last, "week_to_date"
    return month_start(last), last, "month_to_date"


def _filters(rule: Rule, start: dt.date, end: dt.date, period: str) -> Filters:
    f = rule.filters
    return Filters(start=start, end=end, grain=rule.grain, period=period, regions=tuple(f.get("regions", ())),
                   channels=tuple(f.get("channels", ())), campaigns=tuple(f.get("campaigns", ())),
                   sources=tuple(f.get("sources", ())))


def _where(filters: Filters) -> dict:
    """Where the figure is, as the recipient sees it: the rule's regions inside their scope (empty: all of
    their scope), and the other filters."""
    regions = sorted(queries.effective_regions(filters) & set(filters.regions)) if filters.regions else []
    return {"regions": regions, "channels": list(filters.channels), "campaigns": list(filters.campaigns),
            "sources": list(filters.sources)}


# --- the kinds -------------------------------------------------------------------------------------------

def _target(rule: Rule, last: dt.date) -> list[Outcome]:
    start, end, period = (to_date if rule.basis == "pace" else last_complete)(rule.grain, last)
    filters = _filters(rule, start, end, period)
    actual = queries.kpi_values(filters, [rule.kpi])[rule.kpi]
    target = queries.targets(filters, (rule.kpi,))[rule.kpi]
    missed = metrics.gap(rule.kpi, actual, target)
    if missed is None:
        return []  # no target (or no figure) for this period: nothing to say
    key = f"target:{rule.basis}:{rule.grain}:{start.isoformat()}"
    detail = {"gap": missed, **_where(filters), "period": period}
    return [Outcome(key, missed > rule.threshold + 1e-9, start, end, actual, target, detail)]


def _worse(kpi: str, change: float, threshold: float) -> bool:
    """A change beyond the threshold on the KPI's worse side (either side for a budget)."""
    better = metrics.better(kpi, change)
    if better is None:
        return abs(change) >= threshold
    return not better and abs(change) >= threshold


def _change(rule: Rule, last: dt.date) -> list[Outcome]:
    start, end, period = (to_date if rule.basis.endswith("_to_date") else last_complete)(rule.grain, last)
    filters = _filters(rule, start, end, period)
    window = periods.compare_day(start) if rule.grain == "day" else queries.comparison(filters)
    reference_window = window.previous if rule.basis.startswith("previous") else window.last_year
    actual = queries.kpi_values(filters, [rule.kpi])[rule.kpi]
    reference = queries.kpi_values(filters.over(reference_window), [rule.kpi])[rule.kpi]
    change = metrics.change(actual, reference)
    if change is None:
        return []
    detail = {"change": change, "reference_start": reference_window.start.isoformat(),
              "reference_end": reference_window.end.isoformat(), **_where(filters), "period": period}
    key = f"change:{rule.basis}:{rule.grain}:{start.isoformat()}"
    return [Outcome(key, _worse(rule.kpi, change, rule.threshold), start, end, actual, reference, detail)]


def _forecast(rule: Rule) -> list[Outcome]:
    level = rule.basis or "95"
    wanted = set(rule.filters.get("regions", ()))
    out = []
    for row in forecasts.interval_states():
        if wanted and row["scope_code"] not in wanted:
            continue
        low, high = row.get(f"lo{level}"), row.get(f"hi{level}")
        if low is None or high is None:
            continue
        month = row["month"] if isinstance(row["month"], dt.date) else dt.date.fromisoformat(str(row["month"])[:10])
        actual = float(row["actual"])
        detail = {"scope": row["scope_code"], "level": level, "low": low, "high": high, "yhat": row["yhat"],
                  "run_id": row["run_id"]}
        out.append(Outcome(f"forecast:{level}:{row['scope_code']}:{month.isoformat()}",
                           not low <= actual <= high, month, month_end(month), actual, row["yhat"], detail))
    return out


def _freshness(rule: Rule, now: dt.datetime) -> list[Outcome]:
    loads = alerting.source_freshness()
    sources = [rule.source] if rule.source else sorted(loads)
    out = []
    for source in sources:
        last = loads.get(source)
        days = (now.date() - last.date()).days if last else None
        detail = {"source": source, "days": days, "last": last.isoformat() if last else None}
        out.append(Outcome(f"freshness:{source}", days is None or days >= rule.threshold,
                           last.date() if last else None, now.date(), days, rule.threshold, detail))
    return out


def _quality(rule: Rule) -> list[Outcome]:
    today = dt.date.today()  # the filters' period is not read: findings are per load
    filters = _filters(rule, today, today, "custom")
    out = []
    for run in alerting.quality_findings(filters):
        detail = {"run_id": run["run_id"], "file": run["file_name"], **_where(filters)}
        out.append(Outcome(f"quality:{run['run_id']}", run["findings"] >= max(rule.threshold, 1), run["first"],
                           run["last"], float(run["findings"]), rule.threshold, detail))
    return out


def check(rule: Rule, user: User, now: dt.datetime) -> list[Outcome]:
    """Every condition of ``rule`` for ``user``, computed in ``user``'s scope."""
    with acting_as(user):
        if not allowed_regions():
            return []  # a recipient who sees nothing is told nothing
        if rule.kind == "freshness":
            return _freshness(rule, now)
        if rule.kind == "quality":
            return _quality(rule)
        if rule.kind == "forecast":
            return _forecast(rule)
        last = queries.data_end()
        if last is None:
            return []
        filters = _filters(rule, *last_complete(rule.grain, last))
        if rule.filters and not queries.effective_regions(filters):
            return []  # none of the rule's regions is in the recipient's scope
        return (_target if rule.kind == "target" else _change)(rule, last)
