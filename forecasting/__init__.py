"""Forecasting: monthly qualified-lead models and media planning.

Reads the marts only; writes model runs, forecasts and plans only (see docs/architecture.md).
The app uses this package through :mod:`forecasting.api` only, its documented contract.

Core (no store access):

- :mod:`forecasting.candidates`: seasonal naive, ETS, Theta, regression (ridge), SARIMAX, and
  their combination; one small interface (``fit``, ``fit_predict``, ``Fitted.rolling``).
- :mod:`forecasting.backtest`: rolling-origin backtest, errors per origin and horizon.
- :mod:`forecasting.selection`: per-series selection by backtest MASE, final fit, intervals;
  ``forecast_series`` for one series, ``forecast_many`` for many in a process pool.
- :mod:`forecasting.intervals`: split-conformal 80% / 95% intervals from backtest errors.
- :mod:`forecasting.reconcile`: MinT (shrinkage) reconciliation, coherent and non-negative.
- :mod:`forecasting.metrics`: MASE and sMAPE.
- :mod:`forecasting.evaluate` and :mod:`forecasting.cli`: ``pilotage forecast evaluate``.

On the store (reads marts, writes the registry):

- :mod:`forecasting.series`: qualified leads in total, by channel, by top region and by channel x
  top region from ``mart_monthly``, and their hierarchy.
- :mod:`forecasting.regressors`: media adstock (actual spend, then the media plan), covid
  stringency, working days, lagged web sessions.
- :mod:`forecasting.decompose`: trend + season + media + other = forecast.
- :mod:`forecasting.training`: ``train`` (series, selection, reconciliation, decomposition, a run).
- :mod:`forecasting.registry`: runs, champion rule, ``promote``, ``rollback``, reading functions.
- :mod:`pilotage.schedule`: the monthly schedule (``pilotage forecast schedule``).
"""
