"""The forecast registry: training runs, their per-series results and forecasts, champion events.

Written by :mod:`forecasting` only (``forecasting.registry``); the app reads them.

- ``forecast_run``: one training run (data cut-off, who, code version, seed, status, the
  total series' backtest accuracy, parameters) and whether it is the champion (at most one
  champion per ``kind``: a partial unique index guarantees it).
- ``forecast_series``: per series of a run, the chosen method and its parameters, its backtest
  accuracy next to the seasonal naive's, interval coverage, and notes (short series...).
- ``forecast_value``: per series and forecast month, the reconciled forecast, its 80% / 95%
  intervals and the decomposition ``trend + season + media + other = yhat``.
- ``forecast_champion_event``: every change of champion, with who, when, how and why.
- ``forecast_accuracy``: per series of a run and horizon (1 to the run's horizon; 0 for all of them),
  the backtest of the forecast as shown (reconciled): MASE next to the seasonal naive's, sMAPE, the
  share of past months inside the 80% / 95% intervals, and the half-widths of the interval of the
  total of the first ``horizon`` months.
- ``forecast_override``: a planner's figure for a scope and month, with its reason, next to the
  model's (which is kept); every change is a new row (the latest one holds), a cleared override a row
  without a value. Written by the app (the audit log has each change too).
- ``forecast_interval_state``: per scope and month, whether the actual fell outside the 95%
  interval of the latest run that forecast it; recomputed after each load and each training.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

RUN_KINDS = ("leads", "media")  # media: the response model of forecasting.planning
RUN_STATUSES = ("ok", "failed")
SERIES_LEVELS = ("total", "channel", "region", "channel_region")
CHAMPION_ACTIONS = ("auto", "promote", "rollback")


class ForecastRun(Base):
    __tablename__ = "forecast_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), default="leads", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    cutoff: Mapped[dt.date] = mapped_column(Date)  # first day of the last month of data used
    run_by: Mapped[str] = mapped_column(String(254))
    code_version: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    is_champion: Mapped[bool] = mapped_column(Boolean, default=False)
    horizon: Mapped[int] = mapped_column(Integer)
    n_series: Mapped[int] = mapped_column(Integer, default=0)
    duration_s: Mapped[float] = mapped_column(Double, default=0.0)
    # backtest accuracy of the total series (the champion rule compares ``mase``)
    mase: Mapped[float | None] = mapped_column(Double)
    smape: Mapped[float | None] = mapped_column(Double)
    naive_mase: Mapped[float | None] = mapped_column(Double)
    coverage80: Mapped[float | None] = mapped_column(Double)
    coverage95: Mapped[float | None] = mapped_column(Double)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    decision: Mapped[str | None] = mapped_column(Text)  # why the run became champion or not
    message: Mapped[str | None] = mapped_column(Text)  # the error of a failed run


# At most one champion per kind, whatever two concurrent trainings do.
Index("uq_forecast_run_champion", ForecastRun.kind, unique=True,
      sqlite_where=ForecastRun.is_champion, postgresql_where=ForecastRun.is_champion)


class ForecastSeries(Base):
    __tablename__ = "forecast_series"

    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), primary_key=True)
    series_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    channel_code: Mapped[str | None] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(32))
    variant: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    mase: Mapped[float | None] = mapped_column(Double)
    smape: Mapped[float | None] = mapped_column(Double)
    naive_mase: Mapped[float | None] = mapped_column(Double)
    coverage80: Mapped[float | None] = mapped_column(Double)
    coverage95: Mapped[float | None] = mapped_column(Double)
    n_obs: Mapped[int] = mapped_column(Integer)
    short_series: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class ForecastValue(Base):
    __tablename__ = "forecast_value"

    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), primary_key=True)
    series_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    yhat: Mapped[float] = mapped_column(Double)
    lo80: Mapped[float | None] = mapped_column(Double)
    hi80: Mapped[float | None] = mapped_column(Double)
    lo95: Mapped[float | None] = mapped_column(Double)
    hi95: Mapped[float | None] = mapped_column(Double)
    trend: Mapped[float] = mapped_column(Double)
    season: Mapped[float] = mapped_column(Double)
    media: Mapped[float] = mapped_column(Double)
    other: Mapped[float] = mapped_column(Double)


class ForecastChampionEvent(Base):
    __tablename__ = "forecast_champion_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    previous_run_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")


class ForecastAccuracy(Base):
    __tablename__ = "forecast_accuracy"

    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), primary_key=True)
    series_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    horizon: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: all horizons
    n: Mapped[int] = mapped_column(Integer, default=0)  # backtest months (origin x horizon cells) with an actual
    reconciled: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the series' own backtest
    mase: Mapped[float | None] = mapped_column(Double)
    naive_mase: Mapped[float | None] = mapped_column(Double)
    smape: Mapped[float | None] = mapped_column(Double)
    coverage80: Mapped[float | None] = mapped_column(Double)
    coverage95: Mapped[float | None] = mapped_column(Double)
    sum_half80: Mapped[float | None] = mapped_column(Double)  # interval of the total of months 1..horizon
    sum_half95: Mapped[float | None] = mapped_column(Double)


SCOPE_LENGTH = 32


class ForecastOverride(Base):
    __tablename__ = "forecast_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope_code: Mapped[str] = mapped_column(String(SCOPE_LENGTH))  # "national" or a top region code
    month: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Double)  # None: the override was removed
    reason: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_run.id", ondelete="SET NULL"))
    model_value: Mapped[float | None] = mapped_column(Double)  # the model's figure when the override was made
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


Index("ix_forecast_override_scope_month", ForecastOverride.scope_code, ForecastOverride.month, ForecastOverride.id)

INTERVAL_STATES = ("inside", "outside", "none")


class ForecastIntervalState(Base):
    __tablename__ = "forecast_interval_state"

    scope_code: Mapped[str] = mapped_column(String(SCOPE_LENGTH), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the last complete month of data
    state: Mapped[str] = mapped_column(String(16))  # inside, outside, none (no forecast with an interval)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_run.id", ondelete="SET NULL"))
    actual: Mapped[float | None] = mapped_column(Double)
    yhat: Mapped[float | None] = mapped_column(Double)
    lo80: Mapped[float | None] = mapped_column(Double)
    hi80: Mapped[float | None] = mapped_column(Double)
    lo95: Mapped[float | None] = mapped_column(Double)
    hi95: Mapped[float | None] = mapped_column(Double)
    trigger: Mapped[str] = mapped_column(String(16))  # load, training, manual
    etl_run_id: Mapped[int | None] = mapped_column(Integer)  # the data version it was computed on
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
