"""The model registry: store training runs, choose the champion, promote and roll back.

Tables (:mod:`pilotage.store.models.forecasting`): ``forecast_run``, ``forecast_series``,
``forecast_value`` and ``forecast_champion_event``. Rules:

- A new run (status ``ok``) becomes the champion automatically (``action = "auto"``) when there
  is none, or when its total series' backtest MASE is strictly below the champion's and its data
  cut-off is not older than the champion's (a run re-trained on old data, to compare, never
  replaces a champion by itself). Otherwise it stays registered, and ``forecast_run.decision``
  says why it is not the champion.
- A person can ``promote`` any ``ok`` run, and ``rollback`` to a run that was champion before
  (by default the one before the current champion).
- Every change of champion is a ``forecast_champion_event`` row: run, previous champion, when,
  who, how (``auto``, ``promote``, ``rollback``) and why. There is at most one champion per kind
  (a partial unique index); changes happen in one transaction.

Reading (for the app and the CLI): :func:`list_runs`, :func:`get_run`, :func:`champion`,
:func:`champion_events`, :func:`series_results`, :func:`forecasts`, :func:`accuracy`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from pilotage.store.models import ForecastAccuracy, ForecastChampionEvent, ForecastRun, ForecastSeries, ForecastValue

DEFAULT_KIND = "leads"
# What ``mase`` measures per kind (the champion rule compares it): media runs store the national
# response model's holdout MASE (forecasting.planning.registry).
ACCURACY_LABELS = {"leads": "total backtest MASE", "media": "national holdout MASE"}
MISSING_ACCURACY = {"leads": "no backtest MASE on the total series", "media": "no national holdout MASE"}


# Every decision, result and refusal the registry words, by code: stored (``forecast_run.decision``) and
# shown in English; :func:`parse_message` gives a text's code and values back, so that the app can show
# it in the user's language.
MESSAGES = {
    "not_ok": "not champion: the run {status}",
    "first": "champion: first run (no champion before)",
    "older": ("not champion: data cut-off {cutoff} is older than champion run {current}'s {current_cutoff} "
              "(promote it by hand if wanted)"),
    "no_accuracy": "not champion: {missing} (champion stays run {current})",
    "better": "champion: {label} {mase} < run {current}'s {was}",
    "not_better": "not champion: {label} {mase} >= champion run {current}'s {current_mase}",
    "promoted": "run {run} is the champion",
    "promoted_over": "run {run} is the champion (was run {previous})",
    "rolled_back": "run {run} is the champion again (was run {previous})",
    "no_run": "no forecast run {run}",
    "wrong_kind": "run {run} is a '{kind}' run, not '{expected}'",
    "not_successful": "run {run} {status}: only a successful run can be champion",
    "already": "run {run} is already the champion",
    "no_champion": "there is no champion to roll back from",
    "no_earlier": "run {run} has no earlier champion to roll back to",
    "never_champion": "run {run} was never champion: use `promote` to make it champion",
}
_WORDED = ("label", "missing")  # the values that hold spaces; every other one is a single token


def _pattern(text: str) -> re.Pattern:
    def group(found: re.Match) -> str:
        name = found.group(1)
        return f"(?P<{name}>.+?)" if name in _WORDED else rf"(?P<{name}>\S+?)"

    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", group, re.escape(text)) + "$")


_PATTERNS = {code: _pattern(text) for code, text in MESSAGES.items()}


def message(code: str, **values) -> str:
    """The English text of a registry message."""
    return MESSAGES[code].format(**values)


def parse_message(text: str | None) -> tuple[str, dict[str, str]] | None:
    """``(code, values)`` of a text written by :func:`message`, else None (free text, older rows)."""
    for code, pattern in _PATTERNS.items():
        found = pattern.match(text or "")
        if found:
            return code, found.groupdict()
    return None


class RegistryError(ValueError):
    """A registry action that cannot be done (unknown run, failed run...); the message says why."""


def _refuse(code: str, **values) -> RegistryError:
    return RegistryError(message(code, **values))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def code_version() -> str:
    """``<package version>`` plus ``+g<git sha>`` when known (``PILOTAGE_GIT_SHA`` or the checkout's HEAD)."""
    try:
        version = metadata.version("pilotage")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    sha = os.environ.get("PILOTAGE_GIT_SHA", "").strip()
    if not sha:
        root = Path(__file__).resolve().parent.parent
        try:
            done = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                                  text=True, timeout=5, check=False)
            sha = done.stdout.strip() if done.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            sha = ""
    return f"{version}+g{sha[:12]}" if sha else version


def _finite(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --- writing ------------------------------------------------------------------------------

def store_run(conn: Connection, run: dict, series: Sequence[dict], values: Sequence[dict],
              accuracy: Sequence[dict] = ()) -> int:
    """Insert a run with its per-series rows, forecast values and backtest accuracy by horizon
    (``forecast_accuracy``); return its id (not yet champion)."""
    row = {**run, "is_champion": False}
    for column in ("mase", "smape", "naive_mase", "coverage80", "coverage95"):
        row[column] = _finite(row.get(column))
    run_id = conn.execute(insert(ForecastRun).values(**row).returning(ForecastRun.id)).scalar_one()
    if series:
        conn.execute(insert(ForecastSeries), [
            {**s, "run_id": run_id, **{c: _finite(s.get(c)) for c in
                                        ("mase", "smape", "naive_mase", "coverage80", "coverage95")}}
            for s in series])
    if values:
        conn.execute(insert(ForecastValue), [
            {**v, "run_id": run_id, **{c: _finite(v.get(c)) for c in ("lo80", "hi80", "lo95", "hi95")}}
            for v in values])
    if accuracy:
        conn.execute(insert(ForecastAccuracy), [
            {"mase": None, "naive_mase": None, "smape": None, "coverage80": None, "coverage95": None,
             "sum_half80": None, "sum_half95": None, "reconciled": True, **a, "run_id": run_id,
             **{c: _finite(a.get(c)) for c in ("mase", "naive_mase", "smape", "coverage80", "coverage95",
                                                "sum_half80", "sum_half95")}}
            for a in accuracy])
    return run_id


def record_failed_run(engine: Engine, run: dict, message: str) -> int:
    """Register a training that failed (never champion), so that the data team sees it."""
    with engine.begin() as conn:
        return store_run(conn, {**run, "status": "failed", "message": message[:4000]}, [], [])


@contextmanager
def failure_recorded(engine: Engine, run: dict, cutoff, clock: float) -> Iterator[None]:
    """A fit that fails inside is registered as a ``failed`` run (:func:`record_failure`) and the error
    re-raised; missing data (``DataError``) passes as is, without a run."""
    import time

    from forecasting.series import DataError, month_start

    try:
        yield
    except DataError:
        raise
    except Exception as error:
        cut = month_start(cutoff) if cutoff is not None else dt.date.today().replace(day=1)
        record_failure(engine, run, cut, time.perf_counter() - clock, error)
        raise


def record_failure(engine: Engine, run: dict, cutoff: dt.date, duration_s: float, error: Exception) -> None:
    """Register ``error`` as a failed run and attach the run's id to it (``error.failed_run_id``).

    A store that cannot take the record is ignored: the training's own error is the one to report.
    """
    try:
        error.failed_run_id = record_failed_run(  # type: ignore[attr-defined]
            engine, {**run, "cutoff": cutoff, "duration_s": duration_s}, f"{type(error).__name__}: {error}")
    except Exception:
        pass


def _current(conn: Connection, kind: str) -> ForecastRun | None:
    statement = select(ForecastRun).where(ForecastRun.kind == kind, ForecastRun.is_champion.is_(True))
    if conn.dialect.name == "postgresql":
        statement = statement.with_for_update()
    row = conn.execute(statement.with_only_columns(*ForecastRun.__table__.c)).first()
    return row


def _set_champion(conn: Connection, run_id: int, kind: str, previous: int | None, actor: str, action: str,
                  reason: str) -> None:
    if previous is not None:
        conn.execute(update(ForecastRun).where(ForecastRun.id == previous).values(is_champion=False))
    conn.execute(update(ForecastRun).where(ForecastRun.id == run_id).values(is_champion=True))
    conn.execute(insert(ForecastChampionEvent).values(run_id=run_id, previous_run_id=previous, at=now(),
                                                      actor=actor or "-", action=action, reason=reason))


def decide_champion(conn: Connection, run_id: int, actor: str) -> tuple[bool, str]:
    """Apply the automatic rule to a newly stored run; return (is champion, why)."""
    run = _run_row(conn, run_id)
    current = _current(conn, run.kind)
    label = ACCURACY_LABELS.get(run.kind, "backtest MASE")
    if run.status != "ok":
        decision = message("not_ok", status=run.status)
        champion_now = False
    elif current is None:
        decision = message("first")
        champion_now = True
    elif run.cutoff < current.cutoff:
        decision = message("older", cutoff=f"{run.cutoff:%Y-%m}", current=current.id,
                           current_cutoff=f"{current.cutoff:%Y-%m}")
        champion_now = False
    elif run.mase is None:
        missing = MISSING_ACCURACY.get(run.kind, f"no {label}")
        decision = message("no_accuracy", missing=missing, current=current.id)
        champion_now = False
    elif current.mase is None or run.mase < current.mase:
        was = "none" if current.mase is None else f"{current.mase:.3f}"
        decision = message("better", label=label, mase=f"{run.mase:.3f}", current=current.id, was=was)
        champion_now = True
    else:
        decision = message("not_better", label=label, mase=f"{run.mase:.3f}", current=current.id,
                           current_mase=f"{current.mase:.3f}")
        champion_now = False
    if champion_now:
        _set_champion(conn, run_id, run.kind, current.id if current is not None else None, actor, "auto", decision)
    conn.execute(update(ForecastRun).where(ForecastRun.id == run_id).values(decision=decision))
    return champion_now, decision


def _run_row(conn: Connection, run_id: int):
    row = conn.execute(select(*ForecastRun.__table__.c).where(ForecastRun.id == run_id)).first()
    if row is None:
        raise _refuse("no_run", run=run_id)
    return row


def promote(engine: Engine, run_id: int, actor: str, reason: str = "", kind: str | None = None) -> str:
    """Make ``run_id`` the champion (any run that trained successfully); return what was done.

    With ``kind``, a run of another kind is refused (the CLI of each kind passes its own)."""
    with engine.begin() as conn:
        run = _run_row(conn, run_id)
        if kind is not None and run.kind != kind:
            raise _refuse("wrong_kind", run=run_id, kind=run.kind, expected=kind)
        if run.status != "ok":
            raise _refuse("not_successful", run=run_id, status=run.status)
        current = _current(conn, run.kind)
        if current is not None and current.id == run_id:
            raise _refuse("already", run=run_id)
        why = reason or "promoted by hand"
        _set_champion(conn, run_id, run.kind, current.id if current is not None else None, actor, "promote", why)
    if current is None:
        return message("promoted", run=run_id)
    return message("promoted_over", run=run_id, previous=current.id)


def rollback(engine: Engine, run_id: int | None, actor: str, reason: str = "", kind: str = DEFAULT_KIND) -> str:
    """Make an earlier champion the champion again (default: the one before the current champion)."""
    with engine.begin() as conn:
        current = _current(conn, kind)
        if current is None:
            raise _refuse("no_champion")
        been = set(conn.execute(select(ForecastChampionEvent.run_id)
                                .join(ForecastRun, ForecastRun.id == ForecastChampionEvent.run_id)
                                .where(ForecastRun.kind == kind)).scalars())
        if run_id is None:
            previous = conn.execute(
                select(ForecastChampionEvent.previous_run_id)
                .where(ForecastChampionEvent.run_id == current.id, ForecastChampionEvent.previous_run_id.is_not(None))
                .order_by(ForecastChampionEvent.id.desc()).limit(1)).scalar()
            if previous is None:
                raise _refuse("no_earlier", run=current.id)
            run_id = previous
        run = _run_row(conn, run_id)
        if run.kind != kind:
            raise _refuse("wrong_kind", run=run_id, kind=run.kind, expected=kind)
        if run_id == current.id:
            raise _refuse("already", run=run_id)
        if run.status != "ok":
            raise _refuse("not_successful", run=run_id, status=run.status)
        if run_id not in been:
            raise _refuse("never_champion", run=run_id)
        why = reason or f"rolled back from run {current.id}"
        _set_champion(conn, run_id, kind, current.id, actor, "rollback", why)
    return message("rolled_back", run=run_id, previous=current.id)


# --- reading ------------------------------------------------------------------------------

RUN_COLUMNS = [c.name for c in ForecastRun.__table__.c]


def list_runs(engine: Engine, kind: str = DEFAULT_KIND, limit: int = 50, with_params: bool = True) -> list[dict]:
    """The latest runs first, as dicts of ``forecast_run``'s columns (``params`` left out without
    ``with_params``: a media run's models weigh megabytes)."""
    columns = [c for c in ForecastRun.__table__.c if with_params or c.name != "params"]
    statement = select(*columns).where(ForecastRun.kind == kind).order_by(ForecastRun.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(statement)]


def get_run(engine: Engine, run_id: int) -> dict:
    with engine.connect() as conn:
        return dict(_run_row(conn, run_id)._mapping)


def champion(engine: Engine, kind: str = DEFAULT_KIND) -> dict | None:
    """The champion run (a dict of ``forecast_run``'s columns), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(*ForecastRun.__table__.c)
                           .where(ForecastRun.kind == kind, ForecastRun.is_champion.is_(True))).first()
    return dict(row._mapping) if row is not None else None


def champion_events(engine: Engine, kind: str = DEFAULT_KIND, limit: int = 100) -> list[dict]:
    """Champion changes, latest first (``run_id, previous_run_id, at, actor, action, reason``)."""
    statement = (select(*ForecastChampionEvent.__table__.c)
                 .join(ForecastRun, ForecastRun.id == ForecastChampionEvent.run_id)
                 .where(ForecastRun.kind == kind)
                 .order_by(ForecastChampionEvent.id.desc()).limit(limit))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(statement)]


def series_results(engine: Engine, run_id: int) -> pd.DataFrame:
    """``forecast_series`` rows of a run."""
    statement = (select(*ForecastSeries.__table__.c).where(ForecastSeries.run_id == run_id)
                 .order_by(ForecastSeries.series_key))
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    return pd.DataFrame(rows, columns=[c.name for c in ForecastSeries.__table__.c])


def _run_rows(engine: Engine, model, run_id: int, series_keys: Sequence[str] | None, order) -> pd.DataFrame:
    """Rows of a per-series table of a run (optionally only ``series_keys``), by series then ``order``."""
    table = model.__table__
    statement = select(*table.c).where(table.c.run_id == run_id)
    if series_keys is not None:
        statement = statement.where(table.c.series_key.in_(list(series_keys)))
    statement = statement.order_by(table.c.series_key, order)
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    return pd.DataFrame(rows, columns=[c.name for c in table.c])


def forecasts(engine: Engine, run_id: int, series_keys: Sequence[str] | None = None) -> pd.DataFrame:
    """``forecast_value`` rows of a run (optionally only ``series_keys``), by series and month."""
    return _run_rows(engine, ForecastValue, run_id, series_keys, ForecastValue.month)


def accuracy(engine: Engine, run_id: int, series_keys: Sequence[str] | None = None) -> pd.DataFrame:
    """``forecast_accuracy`` rows of a run (optionally only ``series_keys``), by series and horizon."""
    return _run_rows(engine, ForecastAccuracy, run_id, series_keys, ForecastAccuracy.horizon)
