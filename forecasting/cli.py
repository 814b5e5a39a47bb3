"""``pilotage forecast ...`` commands (this sub-app is mounted by :mod:`pilotage.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Lead forecasting: evaluate on any monthly data.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def forecast() -> None:
    """Lead forecasting: evaluate on any monthly data."""


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
        str | None, typer.Option(help="comma-separated subset of: seasonal_naive, ets, theta, regression, sarimax")
    ] = None,
) -> None:
    """Select a model per series on all but the final H months, then score it on them.

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
