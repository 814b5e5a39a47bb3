"""``pilotage plan ...`` commands: fit the media response model, optimise a budget, evaluate on any file, runs.

Mounted by :mod:`pilotage.cli` next to ``forecast``. Errors are one line on stderr and exit code
1 (bad input, no data, no media run, an infeasible request); never a traceback.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from forecasting.cli import _engine, _fail, _fmt, _pct, _store_error, _who, change_champion, console, print_runs
from pilotage.input import InputError, read_table
from pilotage.input.columns import REWRITE_HINT, decimal_mark, parse_numbers
from pilotage.store.models import NATIONAL_SCOPE

app = typer.Typer(help="Media planning: fit the response model, optimise a budget, evaluate on any data; "
                       "list runs, promote, roll back.", no_args_is_help=True)

REASONS = {  # forecasting.planning.model.UNIDENTIFIED_REASONS, in words
    "no_spend": "no spend in the history",
    "few_periods": "too few months with spend",
    "constant_spend": "spend too constant",
    "uncertain": "cost interval too wide",
}
LEVEL = 0.8


@app.callback()
def plan() -> None:
    """Media planning: fit the response model, optimise a budget, evaluate on any data; runs, promote, roll back."""


def _out() -> Console:
    return Console(width=None if sys.stdout.isatty() else 200)


def _eur(value) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def _with_interval(value, low, high, spec: str = ",.0f", suffix: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "-"
    text = f"{format(value, spec)}{suffix}"
    if math.isfinite(low) and math.isfinite(high):
        text += f" ({format(low, spec)}–{format(high, spec)})"
    return text


def reason_text(code: str) -> str:
    from forecasting.planning.geo import REASON_TEXT  # the geo model's reasons, beyond the national model's

    return REASONS.get(code) or REASON_TEXT.get(code, code or "not identified")


# --- fit --------------------------------------------------------------------------------------

def print_model(scope: str, model, plan=None) -> None:
    """One table per scope: what each channel brings and costs, with 80% intervals over the bootstrap draws."""
    from rich.table import Table

    stats = model.stats
    title = (f"{scope}: {len(model.periods)} months {model.periods[0]:%Y-%m} to {model.periods[-1]:%Y-%m}, "
             f"R² {_fmt(stats.get('r2'), '.2f')}, MAPE {_fmt(stats.get('mape'), '.1f')}%, "
             f"{stats.get('n_boot', len(model.draws))} bootstrap draws, {_fmt(stats.get('seconds'), '.1f')} s")
    table = Table(title=title)
    for column in ("channel", "spend, history (EUR)", "share of leads", "EUR per incremental lead (average)",
                   "EUR per incremental lead (marginal)", "status"):
        table.add_column(column, justify="left" if column in ("channel", "status") else "right")
    shares, average, marginal = model.contribution_shares(), model.average_cost(), model.marginal_cost()
    share_lo, share_hi = model.interval(model.contribution_shares, LEVEL)
    avg_lo, avg_hi = model.interval(model.average_cost, LEVEL)
    marg_lo, marg_hi = model.interval(lambda p: model.marginal_cost(params=p), LEVEL)
    spend = model.spend.sum(axis=0)
    for c, channel in enumerate(model.channels):
        if model.identified[c]:
            figures = (_with_interval(100 * shares[c], 100 * share_lo[c], 100 * share_hi[c], ".1f", "%"),
                       _with_interval(average[c], avg_lo[c], avg_hi[c]),
                       _with_interval(marginal[c], marg_lo[c], marg_hi[c]), "identified")
        else:
            figures = ("-", "-", "-", f"not identified ({reason_text(model.reasons[c])})")
        table.add_row(channel, _eur(spend[c]), *figures)
    table.caption = (f"intervals: {LEVEL:.0%}; marginal cost at the mean spend of the last 6 months; "
                     f"baseline {_fmt(100 * (1 - float(np.sum(shares))), '.1f')}% of the fitted leads")
    _out().print(table)


@app.command()
def fit(
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="last month of data to use, YYYY-MM "
                                               "(default: the last complete month)")] = None,
    boot: Annotated[int, typer.Option("--boot", min=0, help="bootstrap draws per model (0: no intervals)")] = 200,
    seed: Annotated[int, typer.Option(help="seed of the bootstrap (same seed, same draws)")] = 0,
    region: Annotated[list[str] | None, typer.Option("--region", help="fit only these top regions "
                                                     "(repeat; default: every region the data supports)")] = None,
    national_only: Annotated[bool, typer.Option("--national-only", help="fit the national model only")] = False,
    geo: Annotated[bool, typer.Option("--geo/--no-geo", help="also fit the pooled geo model over every region and "
                                      "register it as its own run (not with --national-only or --region)")] = True,
    by: Annotated[str | None, typer.Option("--by", help="who runs it (default: cli:$PILOTAGE_OPERATOR)")] = None,
    n_jobs: Annotated[int | None, typer.Option(help="worker processes (default: all cores)")] = None,
) -> None:
    """Fit the media response model (national, and per top region) and register the run; then the pooled geo
    model over every region, registered as a second run (``model = geo``).

    Prints per scope each paid channel's share of the leads and its average and marginal cost
    per incremental lead with 80% intervals, or why it is not identified. A run becomes the
    media champion when its national holdout MASE beats the champion's (or when there is none):
    the geo run is compared with the run just fitted when that one became champion.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting.planning.registry import fit_and_register
    from forecasting.series import DataError

    regions = [] if national_only else region
    try:
        with Progress(TextColumn("fitting {task.fields[scope]}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("scopes", total=None, scope="")
            result = fit_and_register(_engine(), cutoff=cutoff, run_by=_who(by), seed=seed, n_boot=boot,
                                      n_jobs=n_jobs, regions=regions,
                                      progress=lambda scope: bar.update(task, advance=1, scope=scope),
                                      on_scopes=lambda n: bar.update(task, total=n))
    except (DataError, ValueError) as error:
        raise _fail(str(error)) from None
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    except Exception as error:  # unexpected: one line (the run is registered as failed)
        run = getattr(error, "failed_run_id", None)
        where = f" (registered as failed run {run})" if run else ""
        raise _fail(f"media fit failed{where}: {type(error).__name__}: {error}") from None
    for scope, model in result.models.items():
        print_model(scope, model)
    print_outcome("national holdout", "", result)
    if geo and not national_only and region is None:
        _fit_geo(cutoff, _who(by), seed, boot, n_jobs)


def print_outcome(label: str, kind: str, result) -> None:
    """The champion rule's figures (the national holdout's MASE and the seasonal naive's, sMAPE, coverage),
    the run and its decision, and the fit's notes."""
    scores = result.holdout
    if scores.get("months"):
        console.print(f"{label} ({len(scores['months'])} months from {scores['months'][0][:7]}): "
                      f"MASE {_fmt(scores.get('mase'))} (seasonal naive {_fmt(scores.get('naive_mase'))}), "
                      f"sMAPE {_fmt(scores.get('smape'), '.1f')}%, coverage 80% {_pct(scores.get('coverage80'))}, "
                      f"95% {_pct(scores.get('coverage95'))}", highlight=False, soft_wrap=True)
    colour = "green" if result.is_champion else "yellow"
    console.print(f"media run {result.run_id}{kind}: data to {result.cutoff:%Y-%m}, {len(result.models)} models in "
                  f"{result.duration_s:.1f} s: [{colour}]{result.decision}[/]", highlight=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"[yellow]note[/] {note}", highlight=False, soft_wrap=True)


def _fit_geo(cutoff: str | None, by: str, seed: int, boot: int, n_jobs: int | None) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting.planning.geo_run import fit_and_register_geo
    from forecasting.series import DataError

    try:
        with console.status("fitting the geo model"):
            result = fit_and_register_geo(_engine(), cutoff=cutoff, run_by=by, seed=seed, n_boot=boot, n_jobs=n_jobs)
    except DataError as error:  # e.g. fewer than two regions: the national run stands alone
        console.print(f"[yellow]geo model not fitted[/]: {error}", highlight=False, soft_wrap=True)
        return
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    except Exception as error:
        run = getattr(error, "failed_run_id", None)
        where = f" (registered as failed run {run})" if run else ""
        raise _fail(f"geo fit failed{where}: {type(error).__name__}: {error}") from None
    print_geo(result)


def print_geo(result) -> None:
    """The geo run: its national identification table (share, average cost, identified or why and what would
    identify it), the unattributed share, the holdout and the champion decision."""
    from rich.table import Table

    table_data = result.identification
    geo = result.geo
    table = Table(title=f"geo: {len(geo.regions)} regions x {len(geo.periods)} {geo.frequency}s, "
                        f"R² {_fmt(geo.stats.get('r2'), '.2f')} national, {_fmt(geo.stats.get('r2_region'), '.2f')} "
                        f"by region, {geo.stats.get('n_boot', 0)} bootstrap draws")
    for column in ("channel", "share of leads", "EUR per incremental lead (average)", "status"):
        table.add_column(column, justify="left" if column in ("channel", "status") else "right")
    for row in table_data["channels"]:
        if row["identified"]:
            table.add_row(row["channel"],
                          _with_interval(100 * row["share"], 100 * row["share_lo"], 100 * row["share_hi"], ".1f", "%"),
                          _with_interval(row["average_cost"], row["average_cost_lo"], row["average_cost_hi"]),
                          "identified")
        else:
            detail = f", {row['detail']}" if row["detail"] else ""
            table.add_row(row["channel"], "-", "-",
                          f"not identified ({reason_text(row['reason'])}{detail}); needs {row['remedy']}")
    table.caption = (f"identified: {table_data['identified']} of {len(table_data['channels'])} channels; "
                     f"unattributed {_fmt(100 * table_data['unattributed_share'], '.1f')}% of the fitted leads")
    _out().print(table)
    print_outcome("geo national holdout", " (geo)", result)


# --- optimise ---------------------------------------------------------------------------------

class BoundsError(InputError):
    """A bounds file that cannot be used; the message names the file, line and column."""

    def __init__(self, message: str):
        file, _, rest = message.partition(": ")
        super().__init__(file, rest or message)


@dataclass
class Bounds:
    """Per channel, EUR per period: ``min_spend``, ``max_spend``, ``locked`` (a scalar or one value per period)."""

    min_spend: dict
    max_spend: dict
    locked: dict


BOUND_COLUMNS = ("channel", "min", "max", "locked")
LOCK_TO_PLAN = ("yes", "true", "plan", "oui", "vrai")
NOT_LOCKED = ("", "no", "false", "non", "faux")


def _decimal_of(path: Path, rows: list, position: dict[str, int], name: str) -> str:
    """The decimal mark of a column of amounts, decided once from all its cells (``1,234`` means the
    same on every line); flags such as ``yes`` in ``locked`` are no amounts."""
    cells = pd.Series([row[position[name]] for _line, row in rows if position[name] < len(row)], dtype=str)
    cells = cells[~cells.str.strip().str.lower().isin((*LOCK_TO_PLAN, *NOT_LOCKED))]
    try:
        return decimal_mark(cells, file=str(path), column=name, hint=REWRITE_HINT)
    except InputError as error:
        raise BoundsError(str(error)) from None


def _amount(text: str, where: str, decimal: str = "point") -> float | None:
    if not text.strip():
        return None
    value = float(parse_numbers(pd.Series([text], dtype=str), decimal).iloc[0])
    if math.isnan(value):
        raise BoundsError(f"{where}: {text.strip()!r} is not an amount in EUR")
    if not math.isfinite(value) or value < 0:
        raise BoundsError(f"{where}: {text!r} must be an amount of 0 EUR or more")
    return value


def read_bounds(path: Path, channels: list[str], plan_spend: np.ndarray | None = None) -> Bounds:
    """Read a CSV ``channel,min,max[,locked]`` of EUR per period (see ``plan optimise --help``).

    ``locked``: empty or ``no`` leaves the channel free, an amount locks it at that spend per
    period, ``yes`` / ``plan`` locks it at the current plan's spend (``plan_spend``, T x C).
    """
    try:  # the input layer: encoding and separator decided from the file, each row with its line
        raw = read_table(path)
    except InputError as error:
        if error.code == "input.empty":
            raise BoundsError(f"{path}: empty file (expected a header channel,min,max[,locked])") from None
        raise BoundsError(f"{path}: cannot be read ({error.detail()})") from None
    header_line, header = 1, raw.columns
    names = [h.strip().lower() for h in header]
    for index, name in enumerate(names):
        if name not in BOUND_COLUMNS:
            raise BoundsError(f"{path}, line {header_line}, column {index + 1}: unknown column {header[index]!r} "
                              f"(expected {', '.join(BOUND_COLUMNS)})")
    for required in ("channel", "min", "max"):
        if required not in names:
            raise BoundsError(f"{path}, line {header_line}: missing column {required!r} "
                              "(expected channel,min,max[,locked])")
    if raw.rejects:
        line, values = raw.rejects[0]["line"], raw.rejects[0]["expected"].rsplit(" ", 1)[-1]
        raise BoundsError(f"{path}, line {line}: {values} values for {len(names)} columns")
    if len(set(names)) < len(names):
        raise BoundsError(f"{path}, line {header_line}: a column appears twice")
    rows = [(line, cells) for line, *cells in raw.frame.itertuples(index=False, name=None)]
    position = {name: i for i, name in enumerate(names)}
    marks = {name: _decimal_of(path, rows, position, name) for name in ("min", "max", "locked") if name in position}
    bounds = Bounds({}, {}, {})
    seen: dict[str, int] = {}
    for line, row in rows:
        if len(row) > len(names):
            raise BoundsError(f"{path}, line {line}: {len(row)} values for {len(names)} columns")
        cells = {name: (row[i] if i < len(row) else "") for name, i in position.items()}

        def where(name: str, line=line) -> str:
            return f"{path}, line {line}, column {position[name] + 1} ({name})"

        channel = cells["channel"].strip()
        if channel not in channels:
            raise BoundsError(f"{where('channel')}: unknown channel {channel!r} (the model's channels: "
                              f"{', '.join(channels)})")
        if channel in seen:
            raise BoundsError(f"{where('channel')}: {channel} already has bounds on line {seen[channel]}")
        seen[channel] = line
        low, high = _amount(cells["min"], where("min"), marks["min"]), _amount(cells["max"], where("max"), marks["max"])
        if low is not None and high is not None and low > high:
            raise BoundsError(f"{where('max')}: maximum {high:,.0f} EUR is below the minimum {low:,.0f} EUR")
        if low is not None:
            bounds.min_spend[channel] = low
        if high is not None:
            bounds.max_spend[channel] = high
        if "locked" in cells:
            flag = cells["locked"].strip().lower()
            if flag in LOCK_TO_PLAN:
                if plan_spend is None:
                    raise BoundsError(f"{where('locked')}: there is no current plan to lock {channel} to")
                bounds.locked[channel] = np.asarray(plan_spend[:, channels.index(channel)], dtype=float)
            elif flag not in NOT_LOCKED:
                bounds.locked[channel] = _amount(cells["locked"], where("locked"), marks["locked"])
    return bounds


def _binding_text(binding, user_max: set[str]) -> list[str]:
    """Binding constraints grouped by kind and channel: ``max national_tv (6 months, 30,000 EUR)``; a maximum
    the user did not give is the optimiser's default cap (a multiple of the channel's historical maximum)."""
    groups: dict[tuple[str, str | None], list] = {}
    for b in binding:
        groups.setdefault((b.kind, b.channel), []).append(b)
    out = []
    for (kind, channel), items in groups.items():
        values = sorted({round(b.value) for b in items})
        value = f"{values[0]:,.0f} EUR" if len(values) == 1 else f"{values[0]:,.0f}–{values[-1]:,.0f} EUR"
        if kind in ("budget", "target"):
            unit = "leads" if kind == "target" else "EUR"
            out.append(f"{kind} ({items[0].value:,.0f} {unit})")
        else:
            months = [b.period for b in items if b.period is not None]
            what = f"{len(months)} month{'s' if len(months) != 1 else ''}" if months else "all months"
            if kind == "held":
                what += ", not identified: kept at the current plan (give it a max to free it)"
            if kind == "max" and channel not in user_max:
                from forecasting.planning.optimise import DEFAULT_CAP_FACTOR

                what += f", {DEFAULT_CAP_FACTOR:g}x its highest month so far"
            out.append(f"{kind.replace('_', ' ')}{' ' + channel if channel else ''} ({what}, {value})")
    return out


@app.command()
def optimise(
    budget: Annotated[float | None, typer.Option("--budget", min=0, help="total budget over the months (EUR): "
                                                 "the allocation that brings the most leads")] = None,
    target: Annotated[float | None, typer.Option("--target", min=0, help="qualified leads over the months: the "
                                                 "least spend that reaches them (with --budget as a cap)")] = None,
    bounds: Annotated[Path | None, typer.Option("--bounds", help="CSV channel,min,max[,locked] in EUR per month; "
                                                "locked: an amount, or yes to keep the current plan")] = None,
    months: Annotated[int | None, typer.Option("--months", min=1, max=24, help="months after the model's data "
                                               "(default: those of the current plan)")] = None,
    scope: Annotated[str, typer.Option("--scope", help="national or a top region code")] = "national",
    run: Annotated[int | None, typer.Option("--run", help="media run (default: the champion)")] = None,
    widen: Annotated[list[str] | None, typer.Option("--widen", help="CHANNEL=FACTOR (>= 1): let a channel go "
                                                    "above its historical maxima (geo allocation; repeat)")] = None,
    national_curve: Annotated[bool, typer.Option("--national-curve", help="with a geo champion, allocate on the "
                                                 "national curve (channel x month) instead of the regions'")] = False,
) -> None:
    """The best spend per month and channel for a budget (or the least for a target), vs the current plan.

    Uses the media champion's model of SCOPE. Prints the allocation, the expected qualified leads
    with their 80% interval, the constraints it sits on, and the current plan's figures. When the champion
    is the geo model and SCOPE is national, it allocates channel x region x month on the regions' own
    curves, every cell within its historical monthly range unless ``--widen`` says otherwise.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting.planning import registry
    from forecasting.planning.data import current_plan
    from forecasting.planning.geo_run import model_kind
    from forecasting.planning.optimise import Infeasible
    from forecasting.planning.optimise import optimise as run_optimiser
    from forecasting.planning.scenario import simulate
    from forecasting.series import DataError

    if budget is None and target is None:
        raise _fail("give --budget EUR (the most leads for it) or --target LEADS (the least spend reaching it)")
    engine = _engine()
    try:
        row, models = registry.champion_models(engine) if run is None else registry.run_models(engine, run)
        if row is None:
            raise _fail("no media run yet: run `pilotage plan fit`")
        if row["status"] != "ok":
            raise _fail(f"media run {row['id']} {row['status']}: it has no model")
        if scope not in models:
            raise _fail(f"media run {row['id']} has no model for {scope!r} (it has: {', '.join(models)})")
        model = models[scope]
        cutoff = model.periods[-1]
        stored = (row["params"].get("plan") or {}).get(scope)
        count = months or (len(stored["months"]) if stored and stored["months"] else 6)
        periods = model.future_periods(count)
        if model_kind(row) == "geo" and scope == NATIONAL_SCOPE and not national_curve:
            if bounds is not None:
                raise _fail("--bounds sets national amounts per channel: with the geo champion use --widen "
                            "CHANNEL=FACTOR, or --national-curve")
            _optimise_by_region(engine, row, models, periods, budget, target, _widen_factors(widen))
            return
        if widen:
            raise _fail("--widen applies to the geo allocation (a geo champion, national scope)")
        plan = current_plan(engine, scope, cutoff, model.channels, model.controls, months=periods)
        limits = read_bounds(bounds, model.channels, plan.spend) if bounds is not None else Bounds({}, {}, {})
        controls = plan.controls if model.controls else None
        allocation = run_optimiser(model, periods, budget=budget, target=target,
                                   min_spend=limits.min_spend or None, max_spend=limits.max_spend or None,
                                   locked=limits.locked or None, controls=controls, reference=plan.spend)
        baseline = simulate(model, plan.spend, periods, controls=controls)
        goals = registry.targets(engine, scope, periods)
    except BoundsError as error:
        raise _fail(str(error)) from None
    except (Infeasible, DataError, registry.RegistryError, ValueError) as error:
        raise _fail(str(error)) from None
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    _print_allocation(row, scope, model, allocation, plan, baseline, goals, set(limits.max_spend))


def _widen_factors(items: list[str] | None) -> dict[str, float] | None:
    out = {}
    for item in items or ():
        channel, _, factor = item.partition("=")
        value = _amount(factor, f"--widen {item}")
        if not channel or value is None or value < 1:
            raise _fail(f"--widen {item}: give CHANNEL=FACTOR with a factor of at least 1")
        out[channel.strip()] = value
    return out or None


def _optimise_by_region(engine, row, models, periods, budget, target, widen) -> None:
    """The geo allocation (channel x region x month on the regions' curves) against the current plan."""
    from forecasting.planning import registry
    from forecasting.planning.geo_run import regions_of
    from forecasting.planning.optimise import geo_media_leads, optimise_geo
    from forecasting.planning.scenario import simulate

    regions = {code: models[code] for code in regions_of(row) if code in models}
    every = sorted({c for m in regions.values() for c in m.channels})
    if widen and set(widen) - set(every):
        raise _fail(f"--widen: unknown channel(s) {', '.join(sorted(set(widen) - set(every)))}")
    reference = np.zeros((len(periods), len(regions), len(every)))
    for r, code in enumerate(regions):
        plan = registry.current_plan(engine, code, row)
        if plan is not None:
            count = min(len(periods), len(plan.months))
            reference[:count, r, [every.index(c) for c in plan.channels]] = plan.spend[:count]
    national = models[NATIONAL_SCOPE]
    plan = registry.current_plan(engine, NATIONAL_SCOPE, row)
    controls = plan.controls[:len(periods)] if plan is not None and national.controls else None
    current = simulate(national, reference.sum(axis=1)[:, [every.index(c) for c in national.channels]], periods,
                       controls=controls)
    target_media = None
    if target is not None:  # media leads that close the gap between the target and the plan without its media
        target_media = target - (current.total_leads - geo_media_leads(regions, periods, reference))
    allocation = optimise_geo(regions, periods, budget=None if target is not None else budget,
                              target_media=target_media, widen=widen, reference=reference)
    _print_geo_allocation(row, national, allocation, reference, current)


def _print_geo_allocation(row, national, allocation, reference, current) -> None:
    from rich.table import Table

    periods, channels = allocation.periods, allocation.channels
    table = Table(title=f"Optimised media plan by region (geo), national, {periods[0]:%Y-%m} to {periods[-1]:%Y-%m} "
                        f"(media run {row['id']}, data to {national.periods[-1]:%Y-%m})")
    table.add_column("channel")
    for month in periods:
        table.add_column(f"{month:%Y-%m}", justify="right")
    for column in ("optimised (EUR)", "current plan (EUR)", "change"):
        table.add_column(column, justify="right")
    summed, before = allocation.channel_plan(), reference.sum(axis=1)
    for c, channel in enumerate(channels):
        table.add_row(channel, *(_eur(v) for v in summed[:, c]), _eur(summed[:, c].sum()), _eur(before[:, c].sum()),
                      _change(summed[:, c].sum(), before[:, c].sum()))
    table.add_row("total", *(_eur(v) for v in summed.sum(axis=1)), _eur(allocation.total_spend), _eur(before.sum()),
                  _change(allocation.total_spend, before.sum()))
    _out().print(table)
    by_region = Table(title="Optimised spend per region over the months (EUR), change against the current plan")
    by_region.add_column("region")
    for channel in channels:
        by_region.add_column(channel, justify="right")
    for r, code in enumerate(allocation.regions):
        by_region.add_row(code, *(f"{_eur(allocation.spend[:, r, c].sum())} "
                                  f"({_change(allocation.spend[:, r, c].sum(), reference[:, r, c].sum())})"
                                  for c in range(len(channels))))
    _out().print(by_region)
    gain = allocation.media_leads - (allocation.reference_media_leads or 0.0)
    lines = [f"media leads on the regions' curves: {allocation.media_leads:,.0f} for {allocation.total_spend:,.0f} "
             f"EUR; current plan {allocation.reference_media_leads or 0.0:,.0f} for {reference.sum():,.0f} EUR "
             f"({gain:+,.0f} leads)",
             f"current plan: {current.total_leads:,.0f} qualified leads expected in all; optimised plan about "
             f"{current.total_leads + gain:,.0f}"]
    whole = {"budget": "the budget", "period_budget": "a month's budget", "target": "the target"}
    for b in allocation.binding:  # one line per kind and channel, not per cell
        source = "" if b.kind not in ("max", "min") else (" (historical)" if b.historical else " (widened)")
        what = whole.get(b.kind, b.kind) if b.channel is None else f"{b.kind}{source} {b.channel}"
        lines.append(f"binding: {what}: {b.cells} of {b.of} cells, {len(b.regions)} region(s), "
                     f"{len(b.periods)} month(s)")
    if not allocation.binding:
        lines.append("binding constraints: none")
    for e in allocation.extrapolated:
        lines.append(f"warning: {e.channel} spends {e.beyond:,.0f} EUR beyond its historical range in {e.cells} "
                     f"cell(s) (up to {e.ratio:.1f}x its maximum): outside the evidence")
    lines.append(f"{allocation.spend.size} cells (channel x region x month), {allocation.seconds:.1f} s")
    for line in lines:
        typer.echo(line)


def _print_allocation(row, scope, model, allocation, plan, current, goals, user_max: set[str]) -> None:
    from rich.table import Table

    periods = allocation.periods
    title = (f"Optimised media plan, {scope}, {periods[0]:%Y-%m} to {periods[-1]:%Y-%m} "
             f"(media run {row['id']}, data to {model.periods[-1]:%Y-%m})")
    table = Table(title=title)
    table.add_column("channel")
    for month in periods:
        table.add_column(f"{month:%Y-%m}", justify="right")
    for column in ("optimised (EUR)", "current plan (EUR)", "change"):
        table.add_column(column, justify="right")
    for c, channel in enumerate(model.channels):
        now, before = allocation.spend[:, c].sum(), plan.spend[:, c].sum()
        flag = "" if model.identified[c] else " *"
        table.add_row(channel + flag, *(_eur(v) for v in allocation.spend[:, c]), _eur(now), _eur(before),
                      _change(now, before))
    table.add_row("total", *(_eur(v) for v in allocation.spend.sum(axis=1)), _eur(allocation.total_spend),
                  _eur(plan.total), _change(allocation.total_spend, plan.total))
    if not all(model.identified):
        table.caption = ("* not identified: the model cannot tell this channel's effect; kept at the current plan "
                         "unless bounded")
    _out().print(table)
    low, high = allocation.intervals.get(LEVEL, (math.nan, math.nan))
    c_low, c_high = current.total_intervals.get(LEVEL, (math.nan, math.nan))
    lines = [
        f"expected qualified leads: {allocation.leads:,.0f} ({LEVEL:.0%}: {low:,.0f}–{high:,.0f}) for "
        f"{allocation.total_spend:,.0f} EUR, {_eur(_ratio(allocation.total_spend, allocation.leads))} EUR per lead",
        f"current plan: {current.total_leads:,.0f} ({LEVEL:.0%}: {c_low:,.0f}–{c_high:,.0f}) for "
        f"{current.total_spend:,.0f} EUR, {_eur(current.cost_per_lead)} EUR per lead; "
        f"difference {allocation.leads - current.total_leads:+,.0f} leads",
    ]
    if goals:
        goal = sum(goals.values())
        covered = f" ({len(goals)} of {len(periods)} months)" if len(goals) < len(periods) else ""
        lines.append(f"target{covered}: {goal:,.0f} qualified leads; optimised plan "
                     f"{allocation.leads - goal:+,.0f}, current plan {current.total_leads - goal:+,.0f}")
    if allocation.mode == "budget" and allocation.budget and allocation.total_spend < allocation.budget - 1:
        lines.append(f"{allocation.budget - allocation.total_spend:,.0f} EUR of the budget left unspent: every "
                     "channel is at its maximum")
    binding = _binding_text(allocation.binding, user_max)
    lines.append("binding constraints: " + ("; ".join(binding) if binding else "none"))
    for note in plan.notes:
        lines.append(f"note: {note}")
    for line in lines:
        typer.echo(line)


def _change(now: float, before: float) -> str:
    return "-" if before <= 0 else f"{100 * (now / before - 1):+.0f}%"


def _ratio(spend: float, leads: float) -> float:
    return spend / leads if leads > 0 else math.inf


# --- evaluate on any wide file ------------------------------------------------------------------

@app.command()
def evaluate(
    input: Annotated[Path, typer.Option("--input", help="CSV or XLSX: one row per week or month, a date column, the "
                                        "target, <channel>_spend columns, optional controls and region")],
    target: Annotated[str, typer.Option("--target", help="the column to explain (leads, conversions...)")],
    holdout: Annotated[float, typer.Option("--holdout", min=0.01, max=0.9, help="final share of the periods held "
                                           "out and predicted from their spend")] = 0.2,
    date_column: Annotated[str | None, typer.Option("--date-column", help="default: date, time, week or month")] = None,
    controls: Annotated[str | None, typer.Option("--controls", help="comma-separated control columns (default: "
                                                 "every other numeric column but media metrics)")] = None,
    region: Annotated[str | None, typer.Option("--region", help="one region of a file with a region column "
                                               "(default: every region, fitted by the pooled geo model)")] = None,
    frequency: Annotated[str | None, typer.Option("--frequency", help="month: read a weekly file as months")] = None,
    boot: Annotated[int, typer.Option("--boot", min=0, help="bootstrap draws of the final model")] = 100,
    seed: Annotated[int, typer.Option(help="seed of the bootstrap")] = 0,
    n_jobs: Annotated[int | None, typer.Option(help="worker processes (default: all cores)")] = None,
) -> None:
    """Fit the response model on any wide file and score it on its final periods; per-channel figures.

    Prints the holdout accuracy (fitted on the periods before it), then each channel's share of the
    target and its average and marginal cost per incremental unit with 80% intervals. A file with a
    region column is fitted by the pooled geo model: holdout by region and national, identified channels
    and, for the others, why and what would identify them.
    """
    import os

    from forecasting.planning.wide import evaluate_file

    if frequency not in (None, "month", "week"):
        raise _fail(f"--frequency {frequency!r}: month or week")
    names = [c.strip() for c in controls.split(",") if c.strip()] if controls else None
    try:
        report = evaluate_file(input, target, holdout=holdout, date_column=date_column, controls=names, region=region,
                               frequency=frequency, n_boot=boot, seed=seed, n_jobs=n_jobs or os.cpu_count() or 1)
    except (ValueError, OSError) as error:  # WideFileError names the file, line and column
        raise _fail(str(error)) from None
    typer.echo(report.format_report())


# --- runs and the champion ------------------------------------------------------------------------

@app.command()
def runs(limit: Annotated[int, typer.Option(min=1, help="how many runs, latest first")] = 20) -> None:
    """List the media runs: cut-off, who, national holdout accuracy, champion."""
    from sqlalchemy.exc import SQLAlchemyError

    from forecasting.planning.registry import list_runs

    try:
        rows = list_runs(_engine(), limit=limit)
    except SQLAlchemyError as error:
        raise _store_error(error) from None
    if not rows:
        console.print("no media run yet: run `pilotage plan fit`", highlight=False)
        return
    print_runs("Media runs (response model of qualified leads; accuracy: national holdout)", rows,
               count_label="models", coverage95=False)


@app.command()
def promote(
    run: Annotated[int, typer.Argument(help="media run id (see `pilotage plan runs`)")],
    reason: Annotated[str, typer.Option(help="why (kept in the champion history)")] = "",
    by: Annotated[str | None, typer.Option("--by", help="who (default: cli:$PILOTAGE_OPERATOR)")] = None,
) -> None:
    """Make a media run the champion, whatever its accuracy (recorded with who, when and why)."""
    from forecasting.planning.registry import KIND

    change_champion("promote", run, reason, by, kind=KIND)


@app.command()
def rollback(
    run: Annotated[int | None, typer.Argument(help="an earlier champion (default: the one before the current)")] = None,
    reason: Annotated[str, typer.Option(help="why (kept in the champion history)")] = "",
    by: Annotated[str | None, typer.Option("--by", help="who (default: cli:$PILOTAGE_OPERATOR)")] = None,
) -> None:
    """Make an earlier media champion the champion again."""
    from forecasting.planning.registry import KIND

    change_champion("rollback", run, reason, by, kind=KIND)


def fit_job(by: str = "scheduler", n_jobs: int | None = None, boot: int = 200) -> None:
    """The monthly media fit of the schedule (:mod:`pilotage.schedule`): fit on the last complete month, print."""
    from forecasting.planning.geo_run import fit_and_register_geo
    from forecasting.planning.registry import fit_and_register
    from forecasting.series import DataError

    result = fit_and_register(_engine(), run_by=by, n_boot=boot, n_jobs=n_jobs)
    console.print(f"media run {result.run_id}: {result.decision}", highlight=False, soft_wrap=True)
    try:
        geo = fit_and_register_geo(_engine(), run_by=by, n_boot=boot, n_jobs=n_jobs)
    except DataError as error:
        console.print(f"geo model not fitted: {error}", highlight=False, soft_wrap=True)
        return
    console.print(f"media run {geo.run_id} (geo): {geo.decision}", highlight=False, soft_wrap=True)

