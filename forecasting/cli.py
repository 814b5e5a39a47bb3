"""``pilotage forecast ...`` commands (this sub-app is mounted by :mod:`pilotage.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Lead forecasting: train, list runs, promote, roll back, schedule; evaluate on any data.",
                  no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def forecast() -> None:
    """Lead forecasting: train, list runs, promote, roll back, schedule; evaluate on any data."""


@app.command()
def evaluate(
    input: Annotated[Path, typer.Option("--input", help="CSV with columns unique_id, ds, y (monthly ds)")],
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="held-out final months per series")],
    output: Annotated[Path, typer.Option("--output", help="metrics CSV to write (one row per series + ALL)")],
    forecasts: Annotated[
        Path | None, typer.Option("--forecasts", help="also write the final window's forecasts and intervals")
    ] = None,
    season_length: Annotated[int, typer.Option(min=1, help="seasonal period (MASE and models)")] = 12,
    n_jobs: Annotated[int | None, typer.Option(help="worker processes (default: all cores)")] = None,
    candidates: Annotated[
        str | None, typer.Option(help="select per series among these (comma-separated: seasonal_naive, ets, theta, "
                                      "regression, sarimax, arima) instead of the median combination")
    ] = None,
) -> None:
    """Forecast each series from all but its final H months (median combination), then score on them.

    Writes per series: method, n_obs, MASE (m=12, scaled on the training part), sMAPE, and the
    share of the final H points inside the 80% and 95% intervals; a summary row "ALL" at the end.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from forecasting.evaluate import InputError, evaluate, read_series

    try:
        series = read_series(input)
        with Progress(TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("series", total=len(series))
            metrics, window = evaluate(series, horizon, season_length, n_jobs,
                                       progress=lambda k: bar.advance(task, k), source=str(input),
                                       candidates=[c.strip() for c in candidates.split(",") if c.strip()]
                                       if candidates else None)
        metrics.to_csv(output, index=False, float_format="%.6g")
        if forecasts is not None:
            window.to_csv(forecasts, index=False, float_format="%.10g")
    except InputError as error:
        console.print(f"[bold red]error[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except OSError as error:
        console.print(f"[bold red]error[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    summary = metrics.iloc[-1]
    console.print(
        f"{len(metrics) - 1} series, horizon {horizon}: MASE {summary.mase:.3f} (seasonal naive "
        f"{summary.naive_mase:.3f}), sMAPE {summary.smape:.2f}%, coverage 80% {summary.coverage80:.1%}, "
        f"95% {summary.coverage95:.1%} -> {output}",
        highlight=False, soft_wrap=True,
    )


# --- training, registry and schedule -----------------------------------------------------

def _who(by: str | None) -> str:
    """``--by``, else ``cli:$PILOTAGE_OPERATOR``, else ``cli``: never the system login (see pilotage.operator)."""
    from pilotage.operator import cli_operator

    return cli_operator(by)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _store_error(error: Exception) -> typer.Exit:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return _fail(f"the store could not be read or written ({detail}); if it is not migrated, run `pilotage db upgrade`")


def _fmt(value, spec: str = ".3f") -> str:
    return "-" if value is None or value != value else format(value, spec)


def _pct(value) -> str:
    return _fmt(value, ".0%")


def _engine():
    from pilotage.store.engine import get_engine

    return get_engine()


def _train_once(cutoff: str | None, horizon: int, seed: int, by: str, n_jobs: int | None,
                candidates: str | None, show_progress: bool = True):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from forecasting.training import train

    chosen = [c.strip() for c in candidates.split(",") if c.strip()] if candidates else None
    with Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not show_progress) as bar:
        task = bar.add_task("series", total=None)
        return train(_engine(), cutoff=cutoff, run_by=by, seed=seed, horizon=horizon, candidates=chosen,
                     n_jobs=n_jobs, progress=lambda k: bar.advance(task, k),
                     on_series=lambda n: bar.update(task, total=n))


def _print_train_summary(result) -> None:
    from rich.table import Table

    table = Table(title=f"Forecast run {result.run_id}: qualified leads, data to {result.cutoff:%Y-%m}, "
                        f"horizon {result.horizon} months (backtest; means over the series of a level)")
    for column in ("level", "series", "short", "methods chosen", "MASE", "naive MASE", "sMAPE", "cov 80%",
                   "cov 95%"):
        table.add_column(column, justify="left" if column in ("level", "methods chosen") else "right")
    for level, s in result.levels.items():
        methods = ", ".join(f"{name} {count}" if s["series"] > 1 else name for name, count in s["methods"].items())
        table.add_row(level, str(s["series"]), str(s["short"]), methods, _fmt(s["mase"]), _fmt(s["naive_mase"]),
                      _fmt(s["smape"], ".1f") + "%", _pct(s["coverage80"]), _pct(s["coverage95"]))
    table.caption = f"{result.n_series} series in {result.duration_s:.1f} s"
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    colour = "green" if result.is_champion else "yellow"
    console.print(f"run {result.run_id}: [{colour}]{result.decision}[/]", highlight=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"[yellow]note[/] {note}", highlight=False, soft_wrap=True)


@app.command()
def train(
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="last month of data to use, YYYY-MM "
                                               "(default: the last complete month)")] = None,
    horizon: Annotated[int, typer.Option(min=1, max=24, help="months to forecast")] = 6,
    seed: Annotated[int, typer.Option(help="recorded with the run (the training has no randomness)")] = 0,
    by: Annotated[str | None, typer.Option("--by", help="who runs it (default: cli:$PILOTAGE_OPERATOR)")] = None,
    n_jobs: Annotated[int | None, typer.Option(help="worker processes (default: all cores)")] = None,
    candidates: Annotated[
        str | None, typer.Option(help="comma-separated subset of: seasonal_naive, ets, theta, regression, sarimax")
    ] = None,
) -> None:
    """Retrain the qualified-lead models and register the run; it becomes champion only if better.

    Series: total, by channel, by region, by channel x region (reconciled). The run is champion when
    its total series' backtest MASE beats the current champion's (or when there is none).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting.series import DataError

    try:
        result = _train_once(cutoff, horizon, seed, _who(by), n_jobs, candidates)
    except (DataError, ValueError) as error:
        raise _fail(str(error)) from None
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    except Exception as error:  # unexpected: say so in one line (the run is registered as failed)
        run = getattr(error, "failed_run_id", None)
        where = f" (registered as failed run {run})" if run else ""
        raise _fail(f"training failed{where}: {type(error).__name__}: {error}") from None
    _print_train_summary(result)


@app.command()
def runs(limit: Annotated[int, typer.Option(min=1, help="how many runs, latest first")] = 20) -> None:
    """List the training runs: cut-off, who, accuracy of the total series, champion."""
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting.registry import list_runs

    try:
        rows = list_runs(_engine(), limit=limit)
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    if not rows:
        console.print("no forecast run yet: run `pilotage forecast train`", highlight=False)
        return
    print_runs("Forecast runs (qualified leads)", rows, count_label="series")


def print_runs(title: str, rows: list[dict], count_label: str, coverage95: bool = True) -> None:
    """The runs of one kind as a table: accuracy, champion, who, code version and the champion decision."""
    from rich.table import Table

    table = Table(title=title)
    columns = ["run", "champion", "created (UTC)", "cut-off", "by", "status", "MASE", "naive", "sMAPE", "cov 80%",
               *(["cov 95%"] if coverage95 else []), count_label, "code", "decision"]
    for column in columns:
        table.add_column(column, justify="left" if column in ("created (UTC)", "by", "status", "code", "decision")
                         else "right")
    for r in rows:
        table.add_row(str(r["id"]), "*" if r["is_champion"] else "", f"{r['created_at']:%Y-%m-%d %H:%M}",
                      f"{r['cutoff']:%Y-%m}", r["run_by"], r["status"], _fmt(r["mase"]), _fmt(r["naive_mase"]),
                      _fmt(r["smape"], ".1f"), _pct(r["coverage80"]),
                      *([_pct(r["coverage95"])] if coverage95 else []), str(r["n_series"]),
                      r["code_version"], r["decision"] or r["message"] or "")
    Console(width=None if sys.stdout.isatty() else 240).print(table)


def change_champion(action: str, run: int | None, reason: str, by: str | None, kind: str = "leads") -> None:
    """Promote or roll back a run of ``kind`` through the registry; its refusals and store errors exit 1.

    The kind is checked: `forecast promote` cannot make a media run the lead forecasts' champion."""
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting import registry

    try:
        if action == "promote":
            message = registry.promote(_engine(), run, _who(by), reason, kind=kind)
        else:
            message = registry.rollback(_engine(), run, _who(by), reason, kind=kind)
    except registry.RegistryError as error:
        raise _fail(str(error)) from None
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    console.print(message, highlight=False)


@app.command()
def promote(
    run: Annotated[int, typer.Argument(help="run id (see `pilotage forecast runs`)")],
    reason: Annotated[str, typer.Option(help="why (kept in the champion history)")] = "",
    by: Annotated[str | None, typer.Option("--by", help="who (default: cli:$PILOTAGE_OPERATOR)")] = None,
) -> None:
    """Make a run the champion, whatever its accuracy (recorded with who, when and why)."""
    change_champion("promote", run, reason, by)


@app.command()
def rollback(
    run: Annotated[int | None, typer.Argument(help="an earlier champion (default: the one before the current)")] = None,
    reason: Annotated[str, typer.Option(help="why (kept in the champion history)")] = "",
    by: Annotated[str | None, typer.Option("--by", help="who (default: cli:$PILOTAGE_OPERATOR)")] = None,
) -> None:
    """Make an earlier champion the champion again."""
    change_champion("rollback", run, reason, by)


@app.command()
def state(
    refresh: Annotated[bool, typer.Option("--refresh/--no-refresh",
                                          help="recompute it now (it is after each load and training)")] = False,
) -> None:
    """Last complete month against the 95% interval, per scope: what the forecast page's badge and the alerts read."""
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting import record

    try:
        engine = _engine()
        if refresh:
            record.refresh_interval_states(engine, trigger="manual")
        scopes = record.scopes_of(engine)
        found = record.interval_states(engine, scopes)
        states = {scope: found[scope] for scope in scopes if scope in found}
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    if not states:
        console.print("no state yet: load data, then `pilotage forecast train`", highlight=False)
        return
    table = Table(title="Last month against the 95% interval of the latest run that forecast it")
    for column in ("scope", "month", "state", "actual", "forecast", "95% interval", "run", "computed (UTC)", "after"):
        table.add_column(column, justify="right" if column in ("actual", "forecast", "run") else "left")
    for scope, row in states.items():
        interval = "-" if row["lo95"] is None else f"{row['lo95']:,.0f} - {row['hi95']:,.0f}"
        colour = {"outside": "red", "inside": "green"}.get(row["state"], "dim")
        table.add_row(scope, f"{row['month']:%Y-%m}", f"[{colour}]{row['state']}[/]", _fmt(row["actual"], ",.0f"),
                      _fmt(row["yhat"], ",.0f"), interval, str(row["run_id"] or "-"),
                      f"{row['computed_at']:%Y-%m-%d %H:%M}", row["trigger"])
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@app.command()
def schedule(
    day: Annotated[int, typer.Option(min=1, max=28, help="day of the month")] = 1,
    hour: Annotated[int, typer.Option(min=0, max=23, help="hour (local time)")] = 6,
    minute: Annotated[int, typer.Option(min=0, max=59)] = 0,
    show: Annotated[int, typer.Option(min=0, help="print the next N run times and exit")] = 0,
    by: Annotated[str, typer.Option("--by", help="recorded as who ran each training")] = "scheduler",
    n_jobs: Annotated[int | None, typer.Option(help="worker processes (default: all cores)")] = None,
) -> None:
    """Retrain every month in this process (the alternative to the cron line in deploy/cron/).

    Sleeps until day DAY of the next month at HOUR:MINUTE, trains the lead forecasts and then the
    media response model (`pilotage plan fit`) on the last complete month, and again every month;
    a failed training is reported and the schedule goes on. Stop with Ctrl-C.
    """
    import datetime as dt

    from forecasting.planning.cli import fit_job
    from pilotage.schedule import chain, run_forever, upcoming

    if show:
        for when in upcoming(dt.datetime.now(), show, day, hour, minute):
            typer.echo(f"{when:%Y-%m-%d %H:%M}")
        return

    def job() -> None:
        result = _train_once(None, 6, 0, by, n_jobs, None, show_progress=False)
        _print_train_summary(result)

    def on_error(error: BaseException) -> None:
        console.print(f"[bold red]training failed[/] {type(error).__name__}: {error}", highlight=False, soft_wrap=True)

    try:
        run_forever(chain(job, lambda: fit_job(by, n_jobs)), day, hour, minute,
                    on_wait=lambda due: console.print(f"next training {due:%Y-%m-%d %H:%M}", highlight=False),
                    on_error=on_error)
    except KeyboardInterrupt:
        console.print("schedule stopped", highlight=False)
