"""Media planning benchmark: the response model's fit on a known truth and on public data; the optimiser.

    .venv/bin/python bench/planning.py [--sections fit,simulations,mmm,optimiser] [--simulations 50]
                                       [--n-boot 100] [--n-jobs 2] [--json FILE]

Parts:

- **fit**: seconds to fit 6 channels x 60 months (:func:`forecasting.planning.simulate.simulate`, the
  demo-like simulator): the point fit alone, and with 200 bootstrap draws at 1 and ``n_jobs`` workers.
- **simulations**: ``--simulations`` simulated histories (seeds from ``--first-seed``), each fitted with
  ``--n-boot`` draws: the error of each channel's average cost per incremental lead against the truth
  (next to an *oracle* that knows the true curves and only fits the linear part, the floor the noise
  leaves), the share of 80% intervals that cover the truth, and how much each channel's contribution
  share moves when one more month is added (fit on 60 vs 61 months).
- **mmm**: ``shared/data/mmm/national_all_channels.csv`` (156 weeks; the truth is unknown), weekly and
  aggregated to months: holdout MAPE and R2 (last 20% held out, predicted given their actual spend),
  shares, costs and the widths of their intervals, and share stability with one more period.
- **geo**: the pooled geo model (:mod:`forecasting.planning.geo`) on ``--geo-simulations`` simulated
  histories of 13 regions x 60 months (:func:`~forecasting.planning.simulate.simulate_geo`), next to the
  current national model fitted on their national sums: share of simulations where each channel with
  >= 5% of spend is identified, the error of its national cost per incremental lead, the 80% intervals'
  coverage of the truth, and how far the shares move when the geo model is refitted with a 61st month.
- **geofit**: seconds to fit the geo model with ``--geo-boot`` draws, 13 regions x 60 months x 6 channels
  and 40 regions x 156 weeks x 5 channels (simulated), with the holdout of the 40-region file next to a
  ridge regression on raw spend with region effects.
- **optimiser**: :func:`part_optimiser`, when :mod:`forecasting.planning.optimise` exists: its time on a
  12-month plan for 6 channels and its gap to :func:`~forecasting.planning.optimise.brute_force` on
  problems small enough to enumerate; then :func:`part_geo_optimiser`, the planning page's optimiser on
  6 channels x 13 regions x 6 months within the historical ranges (goal under 5 s), against SLSQP on
  every cell.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import pickle
import platform
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.planning.fit import fit_response, parallel_map  # noqa: E402
from forecasting.planning.geo import fit_geo, geo_holdout  # noqa: E402
from forecasting.planning.model import baseline_design  # noqa: E402
from forecasting.planning.simulate import CHANNELS, Simulation, simulate, simulate_geo  # noqa: E402
from forecasting.planning.transforms import adstock, hill  # noqa: E402
from forecasting.planning.wide import DEFAULT_HOLDOUT, evaluate_file, read_wide  # noqa: E402
from forecasting.serialise import json_safe  # noqa: E402
from pilotage.settings import shared_data_folder  # noqa: E402

GOAL_ERROR = 0.20  # average cost within 20% of the truth, channels with >= 10% of spend
GOAL_COVERAGE = 0.80
GOAL_SHARE_MOVE = 0.05
LARGE_SPEND = 0.10
GEO_MIN_SPEND = 0.05  # the geo goal: every channel with >= 5% of spend identified
console = Console(width=160)


def say(text: str) -> None:
    console.print(text, highlight=False)


def fmt(value, pattern: str) -> str:
    return "–" if value is None or not np.isfinite(value) else pattern.format(value)


def verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]not met[/]"


def table(title: str, columns: list[str]) -> Table:
    out = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        out.add_column(column, justify="left" if i == 0 else "right", no_wrap=i == 0)
    return out


def fit_sim(sim: Simulation, n_boot: int = 0, seed: int = 0, n_jobs: int = 1):
    return fit_response(sim.y, sim.spend, sim.periods, sim.channels, sim.controls, sim.control_names,
                        n_boot=n_boot, seed=seed, n_jobs=n_jobs)


# --- fit time ---------------------------------------------------------------------------------------


def part_fit(args) -> dict:
    sim = simulate(seed=args.first_seed)
    point = []
    for _ in range(5):
        clock = time.perf_counter()
        fit_sim(sim)
        point.append(time.perf_counter() - clock)
    boot = {}
    for jobs in sorted({1, args.n_jobs}):
        clock = time.perf_counter()
        model = fit_sim(sim, n_boot=200, seed=1, n_jobs=jobs)
        boot[jobs] = time.perf_counter() - clock
    t = table(f"Fit time, {len(sim.channels)} channels x {len(sim.y)} months (simulated, seed {args.first_seed})",
              ["what", "seconds"])
    t.add_row("point fit (3 starts), median of 5", f"{np.median(point):.3f}")
    for jobs, seconds in boot.items():
        t.add_row(f"point fit + 200 bootstrap draws, n_jobs={jobs}", f"{seconds:.2f}")
    console.print(t)
    say(f"bootstrap: {model.stats['interval']}, block {model.stats['block']} months")
    return {"point_s": float(np.median(point)), "point_runs_s": point, "bootstrap_200_s": boot}


# --- repeated simulations ---------------------------------------------------------------------------


def oracle_cost(sim: Simulation) -> np.ndarray:
    """Average costs from a fit that knows the true curves (decay, half, shape): only the linear part is fitted."""
    p = sim.truth.params
    curves = hill(adstock(sim.spend.T, p.decay), p.half[:, None], p.shape[:, None]).T
    design = baseline_design(sim.periods, sim.periods[0], sim.truth.n_harmonics,
                             (sim.controls - sim.truth.control_mean) / sim.truth.control_scale)
    coef, *_ = np.linalg.lstsq(np.column_stack([design, curves]), sim.y, rcond=None)
    contribution = (coef[design.shape[1]:, None] * curves.T).sum(axis=1)
    with np.errstate(divide="ignore"):
        return np.where(contribution > 0, sim.spend.sum(axis=0) / contribution, np.inf)


def one_simulation(task: tuple[int, int]) -> dict:
    seed, n_boot = task
    longer = simulate(seed=seed, months=61)
    sim = longer.head(60)
    clock = time.perf_counter()
    model = fit_sim(sim, n_boot=n_boot, seed=seed)
    seconds = time.perf_counter() - clock
    lo, hi = model.interval(model.average_cost, 0.8)
    refit = fit_sim(longer)
    return {"seed": seed, "truth": sim.average_cost, "spend_share": sim.spend_shares, "true_share": sim.shares,
            "cost": model.average_cost(), "oracle": oracle_cost(sim), "lo": lo, "hi": hi,
            "share": model.contribution_shares(), "share_61": refit.contribution_shares(),
            "identified": np.array(model.identified), "seconds": seconds}


def part_simulations(args) -> dict:
    seeds = list(range(args.first_seed, args.first_seed + args.simulations))
    say(f"\n[bold]simulations[/]: {len(seeds)} simulated histories (6 channels x 60 months, seeds {seeds[0]}-"
        f"{seeds[-1]}), each fitted with {args.n_boot} bootstrap draws, and refitted with a 61st month; "
        f"{args.n_jobs} worker(s)")
    clock = time.perf_counter()
    tasks = [(s, args.n_boot) for s in seeds]
    runs = parallel_map(one_simulation, tasks, args.n_jobs)
    wall = time.perf_counter() - clock
    channels = simulate(seed=seeds[0]).channels
    stack = {k: np.array([r[k] for r in runs]) for k in runs[0] if k != "seed"}
    error = stack["cost"] / stack["truth"] - 1
    oracle = stack["oracle"] / stack["truth"] - 1
    covered = (stack["lo"] <= stack["truth"]) & (stack["truth"] <= stack["hi"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(stack["hi"]) & (stack["lo"] > 0), stack["hi"] / stack["lo"], np.inf)
    moved = np.abs(stack["share_61"] - stack["share"])
    spend_share = stack["spend_share"].mean(axis=0)
    large = spend_share >= LARGE_SPEND

    t = table(f"Recovery of the average cost per incremental lead, {len(runs)} simulations (|fitted / true - 1|)",
              ["channel", "spend share", "true share", "true EUR/lead", "median err", "90th pct err", "within 20%",
               "median signed", "oracle median err", "identified"])
    rows = []
    for c, name in enumerate(channels):
        err = np.abs(error[:, c])
        row = {"channel": name, "spend_share": float(spend_share[c]),
               "true_share": float(stack["true_share"][:, c].mean()), "true_cost": float(stack["truth"][:, c].mean()),
               "median_abs_error": float(np.median(err)), "p90_abs_error": float(np.percentile(err, 90)),
               "within_20": float(np.mean(err < GOAL_ERROR)), "median_error": float(np.median(error[:, c])),
               "oracle_median_abs_error": float(np.median(np.abs(oracle[:, c]))),
               "identified": float(stack["identified"][:, c].mean()), "coverage80": float(covered[:, c].mean()),
               "median_interval_ratio": float(np.median(ratio[:, c])),
               "median_share_move": float(np.median(moved[:, c])), "max_share_move": float(moved[:, c].max())}
        rows.append(row)
        t.add_row(name + (" *" if large[c] else ""), f"{row['spend_share']:.1%}", f"{row['true_share']:.1%}",
                  f"{row['true_cost']:.0f}", f"{row['median_abs_error']:.1%}", f"{row['p90_abs_error']:.1%}",
                  f"{row['within_20']:.0%}", f"{row['median_error']:+.1%}", f"{row['oracle_median_abs_error']:.1%}",
                  f"{row['identified']:.0%}")
    console.print(t)
    say("* = channel with >= 10% of spend (the issue's goal applies to them). oracle = the true curves known, only "
        "the linear part fitted: the error the noise alone leaves. identified = share of fits not flagged.")
    t = table("80% intervals (bootstrap) and share stability", ["channel", "coverage 80%", "median hi / lo",
                                                                "median share move", "max share move"])
    for row in rows:
        t.add_row(row["channel"], f"{row['coverage80']:.0%}", fmt(row["median_interval_ratio"], "{:.2f}"),
                  f"{100 * row['median_share_move']:.2f} pts", f"{100 * row['max_share_move']:.2f} pts")
    console.print(t)
    all_large = float(np.mean((np.abs(error[:, large]) < GOAL_ERROR).all(axis=1)))
    pooled = float(covered.mean())
    stable = float(np.mean((moved < GOAL_SHARE_MOVE).all(axis=1)))
    say(f"simulations: {wall:.0f} s wall ({np.mean(stack['seconds']):.2f} s per fit with {args.n_boot} draws)")
    return {"simulations": len(runs), "n_boot": args.n_boot, "per_channel": rows,
            "all_large_within_20": all_large, "coverage80_pooled": pooled, "all_shares_within_5pts": stable,
            "max_share_move": float(moved.max()), "seconds_per_fit": float(np.mean(stack["seconds"])),
            "wall_s": wall}


# --- the public mmm file ----------------------------------------------------------------------------


def part_mmm(args) -> dict:
    path = args.data / "mmm" / "national_all_channels.csv"
    if not path.is_file():
        say(f"\n[bold]mmm[/]: {path} is missing: part skipped")
        return {"missing": str(path)}
    controls = [c.strip() for c in args.mmm_controls.split(",")] if args.mmm_controls else None
    out = {}
    for frequency in ("week", "month"):
        say(f"\n[bold]mmm[/] ({frequency}ly): {path}")
        clock = time.perf_counter()
        result = evaluate_file(path, "conversions", holdout=DEFAULT_HOLDOUT, controls=controls,
                               frequency=None if frequency == "week" else "month", n_boot=args.n_boot, seed=0,
                               n_jobs=args.n_jobs)
        seconds = time.perf_counter() - clock
        say(result.format_report())
        data = read_wide(path, "conversions", controls=controls, frequency=None if frequency == "week" else "month")
        shorter = fit_response(data.y[:-1], data.spend[:-1], data.periods[:-1], data.channels, data.controls[:-1],
                               data.control_names, n_boot=0)
        moved = np.abs(shorter.contribution_shares() - result.model.contribution_shares())
        t = table(f"mmm, {frequency}ly: per channel (80% intervals)", ["channel", "share", "share interval",
                                                                       "EUR / conv. (avg)", "hi / lo", "marginal",
                                                                       "share move, one more period"])
        for c, figures in enumerate(result.channels):
            lo, hi = figures.average_cost_interval
            slo, shi = figures.contribution_share_interval
            t.add_row(figures.channel, f"{figures.contribution_share:.1%}", f"{slo:.1%} - {shi:.1%}",
                      fmt(figures.average_cost, "{:.4f}"), fmt(hi / lo if lo > 0 else np.inf, "{:.2f}"),
                      fmt(figures.marginal_cost, "{:.4f}"), f"{100 * moved[c]:.2f} pts")
        console.print(t)
        ridge = ridge_holdout(data.y[None, :], data.spend[None, :, :], data.periods, data.controls[None, :, :],
                              DEFAULT_HOLDOUT, 3 if frequency == "week" else 2)
        say(f"holdout: MAPE {result.holdout.mape:.2f}%, R2 {result.holdout.r2:.3f} on the last "
            f"{result.holdout.n_test} {frequency}s; {seconds:.1f} s (holdout fit + full fit with {args.n_boot} draws); "
            f"ridge on raw spend, same split: MAPE {ridge['national_mape']:.2f}%, R2 {ridge['national_r2']:.3f}; "
            f"identified {sum(c.identified for c in result.channels)} of {len(result.channels)}")
        out[frequency] = {**result.to_dict(), "share_move_one_more_period": moved, "seconds": seconds,
                          "ridge": ridge}
    return out


# --- ridge regression on raw spend: the baseline every model must beat -----------------------------------


def ridge_holdout(y: np.ndarray, spend: np.ndarray, periods, controls: np.ndarray | None, holdout: float,
                  n_harmonics: int) -> dict:
    """A ridge regression (penalty by cross-validation in time) on raw spend, trend, season, controls and, with
    more than one region, region effects (one-hot); fitted on the first dates, scored on the rest.
    ``y`` (R, T), ``spend`` (R, T, C), ``controls`` (R, T, J) or None."""
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from forecasting.planning.fit import mape, r2_score

    r, t, c = spend.shape
    cut = t - int(round(t * holdout))
    time_part = baseline_design(list(periods), periods[0], n_harmonics)[:, 1:]
    rows = []
    for i in range(r):
        parts = [time_part, spend[i]]
        if controls is not None and controls.shape[2]:
            parts.append(controls[i])
        if r > 1:
            parts.append(np.tile(np.eye(r)[i], (t, 1)))
        rows.append(np.column_stack(parts))
    x = np.stack(rows)  # (R, T, F)
    train_x = x[:, :cut].transpose(1, 0, 2).reshape(-1, x.shape[2])  # time-major, for the time-series folds
    train_y = y[:, :cut].T.ravel()
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 25),
                                                    cv=TimeSeriesSplit(5)))
    model.fit(train_x, train_y)
    predicted = model.predict(x[:, cut:].reshape(-1, x.shape[2])).reshape(r, t - cut)
    actual = y[:, cut:]
    return {"region_mape": mape(actual.ravel(), predicted.ravel()), "region_r2": r2_score(actual.ravel(),
                                                                                          predicted.ravel()),
            "national_mape": mape(actual.sum(axis=0), predicted.sum(axis=0)),
            "national_r2": r2_score(actual.sum(axis=0), predicted.sum(axis=0)), "n_test": t - cut}


# --- the pooled geo model -----------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the bootstrap's workers): what a fit costs
    whatever else runs on the machine, unlike the wall time."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def fit_geo_sim(sim, n_boot: int = 0, seed: int = 0, n_jobs: int = 1):
    return fit_geo(sim.y, sim.spend, sim.periods, sim.channels, sim.regions, sim.controls, sim.control_names,
                   n_boot=n_boot, seed=seed, n_jobs=n_jobs)


def one_geo_simulation(task: tuple[int, int, int]) -> dict:
    """One simulated geo history: the geo model, and the current national model on its national sums."""
    seed, n_boot, national_boot = task
    longer = simulate_geo(seed=seed, regions=13, periods=61)
    sim = longer.head(60)
    clock = time.perf_counter()
    geo = fit_geo_sim(sim, n_boot=n_boot, seed=seed)
    seconds = time.perf_counter() - clock
    refit = fit_geo_sim(longer)  # one more month: how far the shares move
    lo, hi = geo.interval(geo.average_cost, 0.8)
    national = fit_response(sim.y.sum(axis=0), sim.spend.sum(axis=0), sim.periods, sim.channels,
                            sim.controls[0], sim.control_names, n_boot=national_boot, seed=seed)
    nlo, nhi = national.interval(national.average_cost, 0.8)
    return {"seed": seed, "truth": sim.average_cost, "true_share": sim.shares, "spend_share": sim.spend_shares,
            "cost": geo.average_cost(), "lo": lo, "hi": hi, "share": geo.contribution_shares(),
            "identified": np.array(geo.identified), "reasons": list(geo.reasons),
            "at_bound": np.array(geo.stats["at_bound_draws"]), "unattributed": geo.unattributed_share(),
            "national_cost": national.average_cost(), "national_lo": nlo, "national_hi": nhi,
            "national_identified": np.array(national.identified), "seconds": seconds,
            "share_61": refit.contribution_shares()}


def _geo_runs(path: Path | None) -> dict:
    """Simulations kept by an earlier run (seed -> figures), so that 100 simulations can span several sittings."""
    if path is None or not path.exists():
        return {}
    return pickle.loads(path.read_bytes())


def part_geo(args) -> dict:
    seeds = list(range(args.first_seed, args.first_seed + args.geo_simulations))
    say(f"\n[bold]geo[/]: {len(seeds)} simulated geo histories (13 regions x 60 months x 6 channels, seeds "
        f"{seeds[0]}-{seeds[-1]}): the geo model with {args.geo_boot} draws, the current national model (sums of "
        f"the regions) with {args.n_boot} draws; {args.n_jobs} worker(s)")
    clock = time.perf_counter()
    done = _geo_runs(args.geo_runs)
    todo = [s for s in seeds if s not in done]
    if len(todo) < len(seeds):
        say(f"{len(seeds) - len(todo)} simulation(s) read back from {args.geo_runs}")
    step = 2 * args.n_jobs  # finished simulations are kept as they come: a long run can stop and resume
    for i in range(0, len(todo), step):
        for run in parallel_map(one_geo_simulation, [(s, args.geo_boot, args.n_boot) for s in todo[i:i + step]],
                                args.n_jobs):
            done[run["seed"]] = run
        if args.geo_runs is not None:
            args.geo_runs.write_bytes(pickle.dumps(done))
    runs = [done[s] for s in seeds]
    wall = time.perf_counter() - clock
    channels = simulate_geo(seed=seeds[0], regions=13, periods=60).channels
    stack = {k: np.array([r[k] for r in runs]) for k in runs[0] if k not in ("seed", "reasons")}
    spend_share = stack["spend_share"].mean(axis=0)
    eligible = spend_share >= GEO_MIN_SPEND
    moved = np.abs(stack["share_61"] - stack["share"])  # points of share moved by a 61st month
    rows = []
    t = table(f"Geo model vs the national model, {len(runs)} simulations (13 regions x 60 months)",
              ["channel", "spend share", "true share", "identified geo", "identified national", "median |err| geo",
               "median |err| national", "within 20% geo", "coverage 80% geo", "coverage 80% national",
               "draws at a bound", "max share move, one more month"])
    for c, name in enumerate(channels):
        err = np.abs(stack["cost"][:, c] / stack["truth"][:, c] - 1)
        nerr = np.abs(stack["national_cost"][:, c] / stack["truth"][:, c] - 1)
        cov = (stack["lo"][:, c] <= stack["truth"][:, c]) & (stack["truth"][:, c] <= stack["hi"][:, c])
        ncov = ((stack["national_lo"][:, c] <= stack["truth"][:, c])
                & (stack["truth"][:, c] <= stack["national_hi"][:, c]))
        row = {"channel": name, "spend_share": float(spend_share[c]),
               "true_share": float(stack["true_share"][:, c].mean()),
               "identified": float(stack["identified"][:, c].mean()),
               "national_identified": float(stack["national_identified"][:, c].mean()),
               "median_abs_error": float(np.median(err)), "national_median_abs_error": float(np.median(nerr)),
               "within_20": float(np.mean(err < GOAL_ERROR)), "coverage80": float(cov.mean()),
               "national_coverage80": float(ncov.mean()), "at_bound_draws": float(stack["at_bound"][:, c].mean()),
               "max_share_move": float(moved[:, c].max()), "median_share_move": float(np.median(moved[:, c])),
               "reasons": {r: int(sum(run["reasons"][c] == r for run in runs))
                           for r in {run["reasons"][c] for run in runs} if r}}
        rows.append(row)
        t.add_row(name + (" *" if eligible[c] else ""), f"{row['spend_share']:.1%}", f"{row['true_share']:.1%}",
                  f"{row['identified']:.0%}", f"{row['national_identified']:.0%}", f"{row['median_abs_error']:.1%}",
                  f"{row['national_median_abs_error']:.1%}", f"{row['within_20']:.0%}", f"{row['coverage80']:.0%}",
                  f"{row['national_coverage80']:.0%}", f"{row['at_bound_draws']:.0%}",
                  f"{100 * row['max_share_move']:.2f} pts")
    console.print(t)
    for row in rows:
        if row["reasons"]:
            say(f"  {row['channel']}: not identified because " + ", ".join(f"{k} x{v}" for k, v in
                                                                           sorted(row["reasons"].items())))
    say("* = channel with >= 5% of spend. err = national average cost per incremental lead / truth - 1.")
    identified_all = float(np.mean(stack["identified"][:, eligible].all(axis=1)))
    national_all = float(np.mean(stack["national_identified"][:, eligible].all(axis=1)))
    coverage = (stack["lo"] <= stack["truth"]) & (stack["truth"] <= stack["hi"])
    ncoverage = (stack["national_lo"] <= stack["truth"]) & (stack["truth"] <= stack["national_hi"])
    say(f"geo simulations: {wall:.0f} s wall ({np.mean(stack['seconds']):.1f} s per geo fit with {args.geo_boot} "
        "draws, one core each)")
    return {"simulations": len(runs), "geo_boot": args.geo_boot, "national_boot": args.n_boot, "per_channel": rows,
            "all_eligible_identified": identified_all, "national_all_eligible_identified": national_all,
            "mean_identified": float(stack["identified"].sum(axis=1).mean()),
            "national_mean_identified": float(stack["national_identified"].sum(axis=1).mean()),
            "coverage80_pooled": float(coverage.mean()), "national_coverage80_pooled": float(ncoverage.mean()),
            "median_abs_error_eligible": float(np.median(np.abs(stack["cost"][:, eligible]
                                                                / stack["truth"][:, eligible] - 1))),
            "national_median_abs_error_eligible": float(np.median(np.abs(stack["national_cost"][:, eligible]
                                                                         / stack["truth"][:, eligible] - 1))),
            "mean_unattributed": float(stack["unattributed"].mean()), "wall_s": wall,
            "max_share_move": float(moved.max()),
            "all_shares_within_5pts": float(np.mean((moved < GOAL_SHARE_MOVE).all(axis=1)))}


def part_geofit(args) -> dict:
    out = {}
    t = table("Geo model fit time (simulated data)", ["problem", "point fit s", "with draws s (wall)",
                                                      "CPU s (all processes)", "draws", "n_jobs", "identified"])
    for name, regions, periods, frequency, channels in (
            ("13 regions x 60 months x 6 channels", 13, 60, "month", CHANNELS),
            ("40 regions x 156 weeks x 5 channels", 40, 156, "week", CHANNELS[:5])):
        sim = simulate_geo(seed=args.first_seed, regions=regions, periods=periods, frequency=frequency,
                           channels=channels)
        clock, cpu = time.perf_counter(), cpu_seconds()
        model = fit_geo_sim(sim, n_boot=args.geo_boot, seed=0, n_jobs=args.n_jobs)
        seconds, cpu = time.perf_counter() - clock, cpu_seconds() - cpu
        t.add_row(name, f"{model.stats['seconds_point']:.1f}", f"{seconds:.1f}", f"{cpu:.1f}", str(args.geo_boot),
                  str(args.n_jobs), f"{sum(model.identified)} of {len(channels)}")
        out[name] = {"point_s": model.stats["seconds_point"], "with_draws_s": seconds, "cpu_s": cpu,
                     "draws": args.geo_boot, "identified": sum(model.identified), "reasons": model.reasons}
        if regions == 40:
            held = geo_holdout(sim.y, sim.spend, sim.periods, sim.channels, sim.regions, sim.controls,
                               sim.control_names, holdout=DEFAULT_HOLDOUT)
            ridge = ridge_holdout(sim.y, sim.spend, sim.periods, sim.controls, DEFAULT_HOLDOUT, 3)
            out["holdout_40x156"] = {"geo": {"region_mape": held.region_mape, "region_r2": held.region_r2,
                                             "national_mape": held.national_mape, "national_r2": held.national_r2},
                                     "ridge": ridge}
    console.print(t)
    if "holdout_40x156" in out:
        h = out["holdout_40x156"]
        t = table("Holdout, 40 regions x 156 weeks (simulated; last 20%)", ["model", "by region MAPE", "by region R2",
                                                                            "national MAPE", "national R2"])
        for label, v in (("geo model", h["geo"]), ("ridge on raw spend + region effects", h["ridge"])):
            t.add_row(label, f"{v['region_mape']:.2f}%", f"{v['region_r2']:.3f}", f"{v['national_mape']:.2f}%",
                      f"{v['national_r2']:.3f}")
        console.print(t)
    return out


# --- the optimiser (helper B's module) ----------------------------------------------------------------


def part_optimiser(args) -> dict:
    """The optimiser's time on a 12-month plan and its gap to brute force on small problems (if it exists)."""
    if importlib.util.find_spec("forecasting.planning.optimise") is None:
        say("\n[bold]optimiser[/]: forecasting.planning.optimise is missing: part skipped")
        return {"missing": True}
    from forecasting.planning.optimise import brute_force, optimise

    model = fit_sim(simulate(seed=args.first_seed), n_boot=args.n_boot, seed=0)
    recent = model.recent_spend()
    say(f"\n[bold]optimiser[/]: model fitted on the simulated history (seed {args.first_seed}); budgets at the "
        "recent monthly spend")
    t = table("Optimiser", ["problem", "seconds", "media leads", "brute force leads", "gap", "grid points"])
    out = {}
    for months in (6, 12):  # the goal: 6 channels x 6 months in under 1 s
        times = []
        for _ in range(3):
            clock = time.perf_counter()
            plan = optimise(model, months, budget=months * float(recent.sum()), seed=0)
            times.append(time.perf_counter() - clock)
        seconds = float(np.median(times))
        t.add_row(f"{months} months x 6 channels, budget = {months} x recent (median of 3)", f"{seconds:.2f}",
                  f"{plan.media_leads:,.0f}", "", "", "")
        out[f"plan_{months}x6"] = {"seconds": seconds, "media_leads": plan.media_leads, "starts": plan.starts}
    small = [("1 month, 3 free channels (3 locked)", 1, [0, 1, 3], 40),
             ("2 months, 2 free channels (4 locked)", 2, [0, 3], 12),
             ("1 month, 6 free channels", 1, list(range(6)), 8)]
    for name, months, free, steps in small:
        locked = np.tile(np.where(np.isin(np.arange(len(recent)), free), np.nan, recent), (months, 1))
        budget = float(months * recent.sum())
        step = float(months * recent[free].sum()) / steps
        clock = time.perf_counter()
        best = optimise(model, months, budget=budget, locked=locked, seed=0)
        seconds = time.perf_counter() - clock
        try:
            grid = brute_force(model, months, budget=budget, step=step, locked=locked)
        except ValueError as error:
            t.add_row(name, f"{seconds:.2f}", f"{best.media_leads:,.1f}", str(error), "", "")
            continue
        gap = (grid.media_leads - best.media_leads) / max(grid.media_leads, 1e-12)
        t.add_row(name, f"{seconds:.2f}", f"{best.media_leads:,.1f}", f"{grid.media_leads:,.1f}", f"{gap:+.2%}",
                  f"{grid.starts:,}")
        out[name] = {"seconds": seconds, "media_leads": best.media_leads, "brute_force_leads": grid.media_leads,
                     "gap": gap, "grid_points": grid.starts, "brute_force_s": grid.seconds}
    console.print(t)
    say("gap = (brute force - optimiser) / brute force media leads: negative when the optimiser beats the grid "
        "(it is not held to the grid's steps).")
    out["geo"] = part_geo_optimiser(model, args)
    return out


def regional_models(model, n_regions: int = 13, seed: int = 0) -> dict:
    """``n_regions`` regional models cut from ``model``: each region a share of the spend and of the response
    (its ``half`` and ``beta`` scaled by the share, with noise, so that regions differ), its history the
    national one scaled by the share with its own noise: different historical ranges per region."""
    import copy

    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.full(n_regions, 3.0))
    out = {}
    for r, share in enumerate(shares):
        regional = copy.deepcopy(model)
        scale = share * np.exp(rng.normal(0.0, 0.25, len(model.channels)))
        regional.params.half = model.params.half * scale
        regional.params.beta = model.params.beta * share * np.exp(rng.normal(0.0, 0.25, len(model.channels)))
        regional.spend = model.spend * scale * np.exp(rng.normal(0.0, 0.15, model.spend.shape))
        regional.identified = [True] * len(model.channels)
        out[f"R{r:02d}"] = regional
    return out


def part_geo_optimiser(model, args) -> dict:
    """The planning page's optimiser: 6 channels x 13 regions x 6 months, within the historical ranges; its
    time (goal under 5 s) and its gap to SLSQP run on every cell from the same start."""
    from forecasting.planning import optimise as opt

    regions = regional_models(model)
    low = sum(m.spend.min(axis=0).sum() for m in regions.values())
    high = sum(m.spend.max(axis=0).sum() for m in regions.values())
    months = 6
    say(f"\n[bold]optimiser by channel x region x month[/]: {len(model.channels)} channels x {len(regions)} regions x "
        f"{months} months ({len(model.channels) * len(regions) * months} cells), budgets within the historical ranges")
    t = table("Optimiser (geo)", ["budget", "seconds (median of 3)", "media leads", "SLSQP on every cell", "gap",
                                  "SLSQP s", "kept"])
    out = {}
    for share in (0.2, 0.5, 0.8):
        budget = months * (low + share * (high - low))
        times = []
        for _ in range(3):
            clock = time.perf_counter()
            plan = opt.optimise_geo(regions, months, budget=budget)
            times.append(time.perf_counter() - clock)
        seconds = float(np.median(times))
        near_active, iterations = opt._near_active, opt.GEO_SLSQP_ITERATIONS
        opt._near_active, opt.GEO_SLSQP_ITERATIONS = (lambda geo, x, lo, hi, free: free), 500
        try:
            clock = time.perf_counter()
            full = opt.optimise_geo(regions, months, budget=budget)
            full_s = time.perf_counter() - clock
        finally:
            opt._near_active, opt.GEO_SLSQP_ITERATIONS = near_active, iterations
        gap = (full.media_leads - plan.media_leads) / max(full.media_leads, 1e-12)
        t.add_row(f"{share:.0%} of the range ({budget:,.0f} EUR)", f"{seconds:.2f}", f"{plan.media_leads:,.1f}",
                  f"{full.media_leads:,.1f}", f"{gap:+.3%}", f"{full_s:.1f}", plan.method)
        out[f"share_{share:.1f}"] = {"seconds": seconds, "media_leads": plan.media_leads,
                                     "slsqp_all_cells_leads": full.media_leads, "gap": gap,
                                     "slsqp_all_cells_s": full_s, "method": plan.method,
                                     "within_history": not plan.extrapolated}
    console.print(t)
    out["seconds"] = max(v["seconds"] for v in out.values())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="fit,simulations,geo,geofit,mmm,optimiser",
                        help="comma-separated: fit, simulations, geo, geofit, mmm, optimiser")
    parser.add_argument("--geo-simulations", type=int, default=24, help="simulated geo histories (default 24)")
    parser.add_argument("--geo-runs", type=Path, default=None,
                        help="keep each geo simulation's figures in this file as they finish, and resume from it")
    parser.add_argument("--geo-boot", type=int, default=100, help="bootstrap draws per geo fit (default 100)")
    parser.add_argument("--simulations", type=int, default=50, help="simulated histories (default 50)")
    parser.add_argument("--first-seed", type=int, default=1000, help="seed of the first simulation")
    parser.add_argument("--n-boot", type=int, default=100, help="bootstrap draws per fit (default 100)")
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--data", type=Path, default=shared_data_folder(), help="the shared data folder")
    parser.add_argument("--mmm-controls", default=None,
                        help="comma-separated controls of the mmm file (default: the wide reader's choice)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    parts = {"fit": part_fit, "simulations": part_simulations, "geo": part_geo, "geofit": part_geofit,
             "mmm": part_mmm, "optimiser": part_optimiser}
    unknown = set(sections) - set(parts)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}")
    clock = time.perf_counter()
    load_start = os.getloadavg()
    say(f"Media planning benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}: Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load_start[0]:.2f} at the start.")
    out: dict = {"started": dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
                 "cores": os.cpu_count(), "args": {k: str(v) for k, v in vars(args).items()}}
    for name in sections:
        out[name] = parts[name](args)

    goals = table("Goals", ["goal", "measured", "verdict"])
    if "simulations" in out:
        s = out["simulations"]
        goals.add_row("every channel with >= 10% of spend: average cost within 20% of the truth (share of simulations)",
                      f"{s['all_large_within_20']:.0%}", verdict(s["all_large_within_20"] >= 0.8))
        goals.add_row("80% intervals cover the truth >= 80% (pooled over channels and simulations)",
                      f"{s['coverage80_pooled']:.1%}", verdict(s["coverage80_pooled"] >= GOAL_COVERAGE))
        goals.add_row("one more month moves every share < 5 points (share of simulations)",
                      f"{s['all_shares_within_5pts']:.0%} (max {100 * s['max_share_move']:.2f} pts)",
                      verdict(s["all_shares_within_5pts"] >= 0.95))
    if "geo" in out:
        g = out["geo"]
        goals.add_row(f"geo: every channel with >= 5% of spend identified (share of {g['simulations']} simulations; "
                      "goal 90%)", f"{g['all_eligible_identified']:.0%} (national model "
                      f"{g['national_all_eligible_identified']:.0%})", verdict(g["all_eligible_identified"] >= 0.9))
        goals.add_row("geo: cost per incremental lead within 20% of the truth (median |error|, channels >= 5%)",
                      f"{g['median_abs_error_eligible']:.1%} (national model "
                      f"{g['national_median_abs_error_eligible']:.1%})", verdict(g["median_abs_error_eligible"] <= 0.2))
        goals.add_row("geo: 80% intervals cover the truth 75-85% (pooled)", f"{g['coverage80_pooled']:.1%} "
                      f"(national model {g['national_coverage80_pooled']:.1%})",
                      verdict(0.75 <= g["coverage80_pooled"] <= 0.85))
        goals.add_row("geo: one more month moves every share < 5 points (share of simulations)",
                      f"{g['all_shares_within_5pts']:.0%} (max {100 * g['max_share_move']:.2f} pts)",
                      verdict(g["all_shares_within_5pts"] >= 0.95))
    if "geofit" in out:
        small = out["geofit"]["13 regions x 60 months x 6 channels"]
        goals.add_row(f"geo fit 13 x 60 x 6 with {small['draws']} draws < 60 s on 2 cores",
                      f"{small['with_draws_s']:.1f} s wall, {small['cpu_s']:.1f} CPU s",
                      verdict(small["with_draws_s"] < 60))
    if "fit" in out:
        goals.add_row("fit 6 channels x 60 months (point)", f"{out['fit']['point_s']:.3f} s", "")
    if "optimiser" in out and "plan_6x6" in out["optimiser"]:
        o = out["optimiser"]
        seconds = o["plan_6x6"]["seconds"]
        goals.add_row("optimiser, 6 channels x 6 months < 1 s", f"{seconds:.2f} s", verdict(seconds < 1.0))
        if "geo" in o:
            goals.add_row("optimiser, 6 channels x 13 regions x 6 months < 5 s (slowest budget)",
                          f"{o['geo']['seconds']:.2f} s", verdict(o["geo"]["seconds"] < 5.0))
        gaps = [v["gap"] for v in o.values() if isinstance(v, dict) and "gap" in v]
        if gaps:
            goals.add_row("optimiser within 1% of brute force (worst gap)", f"{max(gaps):+.2%}",
                          verdict(max(gaps) <= 0.01))
    console.print(goals)
    load_end = os.getloadavg()
    out["load_average"] = {"start": load_start, "end": load_end}
    out["total_s"] = time.perf_counter() - clock
    say(f"Load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end on {os.cpu_count()} cores: "
        f"other work makes the times noisy (the other figures are deterministic). Whole run: {out['total_s']:.0f} s.")
    if args.json:
        args.json.write_text(json.dumps(json_safe(out), indent=1))
        say(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
