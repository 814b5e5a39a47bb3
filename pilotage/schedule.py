"""Schedules run in process: the monthly retraining (``pilotage forecast schedule``) and the daily alert
evaluation with the queued e-mails' delivery every few minutes between runs (``pilotage alerts schedule``).
Shared by the layers, so that none imports another for it.

The alternative to the shipped cron line (``deploy/cron/pilotage-forecast``): a small loop that
sleeps until the next run time (day ``day`` of each month at ``hour:minute``, local time), runs
the training, and starts again. A failed training is reported and the loop goes on to the next
month. :func:`next_run` is the schedule itself, a pure function (tested without sleeping).
Each month has two jobs, the lead forecast and the media response model
(:func:`forecasting.planning.cli.fit_job`); :func:`chain` runs them in turn so that one failing
does not skip the other.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_SLEEP_S = 3600.0  # wake up at least hourly, so a changed clock (suspend, DST) is noticed


def next_run(after: dt.datetime, day: int = 1, hour: int = 6, minute: int = 0) -> dt.datetime:
    """The first time strictly after ``after`` that is ``day`` of a month at ``hour:minute``."""
    if not 1 <= day <= 28:
        raise ValueError("day must be between 1 and 28 (every month has it)")
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError("hour must be 0-23 and minute 0-59")
    candidate = after.replace(day=day, hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= after:
        year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
        candidate = candidate.replace(year=year, month=month)
    return candidate


def next_daily(after: dt.datetime, hour: int = 7, minute: int = 0) -> dt.datetime:
    """The first time strictly after ``after`` that is ``hour:minute`` of a day."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError("hour must be 0-23 and minute 0-59")
    candidate = after.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return candidate if candidate > after else candidate + dt.timedelta(days=1)


def next_weekly(after: dt.datetime, weekday: int = 0, hour: int = 7, minute: int = 0) -> dt.datetime:
    """The first time strictly after ``after`` that is ``weekday`` (0 = Monday) at ``hour:minute``, in
    ``after``'s own time zone when it has one (Monday 07:00 in Paris stays 07:00 across daylight saving)."""
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    candidate = next_daily(after, hour, minute)
    return candidate + dt.timedelta(days=(weekday - candidate.weekday()) % 7)


def next_every(after: dt.datetime, minutes: int) -> dt.datetime:
    """The first multiple of ``minutes`` past the hour strictly after ``after`` (``*/minutes`` in cron)."""
    if not 1 <= minutes <= 60 or 60 % minutes:
        raise ValueError("minutes must divide the hour (1-60)")
    start = after.replace(minute=0, second=0, microsecond=0)
    steps = int((after - start).total_seconds() // (minutes * 60)) + 1
    return start + dt.timedelta(minutes=minutes * steps)


def upcoming(after: dt.datetime, count: int, day: int = 1, hour: int = 6, minute: int = 0) -> list[dt.datetime]:
    """The next ``count`` run times after ``after``."""
    out = []
    for _ in range(count):
        after = next_run(after, day, hour, minute)
        out.append(after)
    return out


@dataclass
class Job:
    """One job of :func:`run_jobs`: what to run, when it is next due after a time, and what to tell."""

    run: Callable[[], None]
    due_after: Callable[[dt.datetime], dt.datetime]
    on_wait: Callable[[dt.datetime], None] | None = None
    on_error: Callable[[BaseException], None] | None = None


def run_jobs(jobs: Sequence[Job], clock: Callable[[], dt.datetime] = dt.datetime.now,
             sleep: Callable[[float], None] = time.sleep, max_runs: int | None = None) -> int:
    """Run each job at its own times in one loop: sleep until the earliest due (the first listed on a tie), run
    it, ask it when it is due next; return the number of runs (only when ``max_runs`` is reached)."""
    due: list[dt.datetime | None] = [None] * len(jobs)
    runs = 0
    while max_runs is None or runs < max_runs:
        for i, job in enumerate(jobs):
            if due[i] is None:
                due[i] = job.due_after(clock())
                if job.on_wait is not None:
                    job.on_wait(due[i])
        i = min(range(len(jobs)), key=lambda k: due[k])
        while (left := (due[i] - clock()).total_seconds()) > 0:
            sleep(min(left, MAX_SLEEP_S))
        try:
            jobs[i].run()
        except Exception as error:  # one failed run must not stop the schedule
            if jobs[i].on_error is not None:
                jobs[i].on_error(error)
        due[i] = None
        runs += 1
    return runs


def run_forever(job: Callable[[], None], day: int = 1, hour: int = 6, minute: int = 0,
                clock: Callable[[], dt.datetime] = dt.datetime.now,
                sleep: Callable[[float], None] = time.sleep,
                on_wait: Callable[[dt.datetime], None] | None = None,
                on_error: Callable[[BaseException], None] | None = None,
                max_runs: int | None = None,
                due_after: Callable[[dt.datetime], dt.datetime] | None = None) -> int:
    """Run ``job`` at every scheduled time (monthly on ``day``, or ``due_after(now)`` when given, e.g. a
    :func:`next_daily`); return the number of runs (only when ``max_runs`` is reached)."""
    due_after = due_after or (lambda now: next_run(now, day, hour, minute))
    return run_jobs([Job(job, due_after, on_wait, on_error)], clock, sleep, max_runs)


class JobsFailed(RuntimeError):
    """Some of the chained jobs failed; ``errors`` holds each one's exception."""

    def __init__(self, errors: Sequence[BaseException]):
        super().__init__("; ".join(f"{type(e).__name__}: {e}" for e in errors))
        self.errors = list(errors)


def chain(*jobs: Callable[[], None]) -> Callable[[], None]:
    """One job that runs ``jobs`` in order; each runs even if an earlier one failed, then the failures are raised
    together (:class:`JobsFailed`, or the single error itself) for ``run_forever``'s ``on_error``."""
    def run() -> None:
        errors = []
        for job in jobs:
            try:
                job()
            except Exception as error:
                errors.append(error)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise JobsFailed(errors)

    return run
