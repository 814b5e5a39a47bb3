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
import multiprocessing
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.planning.fit import fit_response  # noqa: E402
from forecasting.planning.model import baseline_design  # noqa: E402
from forecasting.planning.simulate import Simulation, simulate  # noqa: E402
from forecasting.planning.transforms import adstock, hill  # noqa: E402
from forecasting.planning.wide import DEFAULT_HOLDOUT, evaluate_file, read_wide  # noqa: E402
from forecasting.serialise import json_safe  # noqa: E402
from pilotage.settings import shared_data_folder  # noqa: E402

GOAL_ERROR = 0.20  # average cost within 20% of the truth, channels with >= 10% of spend
GOAL_COVERAGE = 0.80
GOAL_SHARE_MOVE = 0.05
LARGE_SPEND = 0.10
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
    if args.n_jobs > 1:
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with ProcessPoolExecutor(max_workers=args.n_jobs, mp_context=ctx) as pool:
            runs = list(pool.map(one_simulation, tasks))
    else:
        runs = [one_simulation(t) for t in tasks]
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
        say(f"holdout: MAPE {result.holdout.mape:.2f}%, R2 {result.holdout.r2:.3f} on the last "
            f"{result.holdout.n_test} {frequency}s; {seconds:.1f} s (holdout fit + full fit with {args.n_boot} draws)")
        out[frequency] = {**result.to_dict(), "share_move_one_more_period": moved, "seconds": seconds}
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
    parser.add_argument("--sections", default="fit,simulations,mmm,optimiser",
                        help="comma-separated: fit, simulations, mmm, optimiser")
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
    parts = {"fit": part_fit, "simulations": part_simulations, "mmm": part_mmm, "optimiser": part_optimiser}
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
