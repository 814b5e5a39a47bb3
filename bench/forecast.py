"""Forecast benchmark: Pilotage's accuracy and time next to statsforecast's AutoETS, AutoTheta, AutoARIMA
and SeasonalNaive(12).

    .venv/bin/python bench/forecast.py [--sections series,m1,tourism,demo,scale] [--n-jobs 2] [--json FILE]

Parts:

- **series**, **m1**, **tourism**: three sets of real monthly series in ``shared/data/monthly/``, each with
  its official horizon: the 270 series of ``series.csv`` (R packages; last 18 months held out), the 617
  of the M1 competition (``m1_monthly.csv``, 18) and the 366 of the tourism competition
  (``tourism_monthly.csv``, 24). Pilotage runs the ``pilotage forecast evaluate`` path
  (:func:`forecasting.evaluate.evaluate`: the median combination, its rolling-origin backtest inside the
  training part, conformal intervals).
- **demo**: the qualified-lead series of the demo company (:func:`forecasting.series.build_series`
  on a fresh SQLite store filled by :func:`etl.demo.load.load_demo`), the last 6 months held out.
  Pilotage twice: the same univariate path, and the ``pilotage forecast train`` path
  (:func:`forecasting.training.fit_all` at the cut-off 6 months back: regressors with the media plan
  for the held-out months, per-series selection, then MinT reconciliation), nothing stored.
- **scale**: forecasts, backtest and intervals of 1,000 series (the ``series.csv`` series, full length,
  replicated with 1% multiplicative noise from a fixed seed), horizon 6, ``n_jobs`` workers.

The reference is statsforecast (season length 12, 80/95% intervals) on the same training windows. It
cannot be installed in the project's virtual environment (it needs pandas < 3), so it runs in its own,
created once and reused: ``$PILOTAGE_BENCH_VENV`` (default ``/tmp/pilotage-bench-sf``; ``python3 -m venv``
then ``pip install statsforecast``), in a subprocess running ``bench/forecast_reference.py``, one model
at a time. Its forecasts and timings are cached in that venv's ``cache/`` folder, keyed by the training
data, horizon, model and statsforecast version (AutoARIMA takes many minutes on M1 and tourism):
``--fresh-reference`` recomputes them. Every method is scored here by the same code
(:mod:`forecasting.metrics`): MASE (m = 12, scaled by the in-sample seasonal naive MAE of the training
part), sMAPE (%), and the share of held-out points inside the 80% and 95% intervals. Means are over
the series every method could score.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.evaluate import Series, evaluate, read_series  # noqa: E402
from forecasting.metrics import coverage, mase, smape  # noqa: E402
from forecasting.selection import SeriesInput, forecast_many  # noqa: E402
from forecasting.serialise import json_safe  # noqa: E402
from pilotage.settings import shared_data_folder  # noqa: E402

REFERENCE_SCRIPT = Path(__file__).resolve().parent / "forecast_reference.py"
REFERENCE_VENV = Path(os.environ.get("PILOTAGE_BENCH_VENV", "/tmp/pilotage-bench-sf"))
STATSFORECAST = os.environ.get("PILOTAGE_BENCH_STATSFORECAST", "statsforecast")  # pip requirement
SEASON = 12
# name: (file in shared/data/monthly, official horizon, description)
SETS = {
    "series": ("series.csv", 18, "real monthly series from R packages"),
    "m1": ("m1_monthly.csv", 18, "M1 competition, monthly"),
    "tourism": ("tourism_monthly.csv", 24, "tourism competition, monthly"),
}
DEMO_HORIZON = 6
SCALE_HORIZON = 6
GOAL_MASE_RATIO = 0.95
GOAL_COVERAGE_POINTS = 0.03
GOAL_SCALE_S = 60.0
PILOTAGE = "Pilotage"
PILOTAGE_TRAIN = "Pilotage (train)"
AUTOETS, AUTOTHETA, AUTOARIMA, SNAIVE = "AutoETS", "AutoTheta", "AutoARIMA", "SeasonalNaive"
REFERENCE_MODELS = (AUTOETS, AUTOTHETA, AUTOARIMA, SNAIVE)
FC_COLUMNS = ["unique_id", "ds", "model", "yhat", "lo80", "hi80", "lo95", "hi95"]
console = Console(width=150)


def say(text: str) -> None:
    console.print(text, highlight=False)


# --- the reference: statsforecast in its own venv --------------------------------------------------


def reference_python(venv: Path) -> tuple[Path, str]:
    """The bench venv's python (created with statsforecast the first time) and statsforecast's version."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import statsforecast; print(statsforecast.__version__)"]
    if python.exists():
        done = subprocess.run(probe, capture_output=True, text=True)
        if done.returncode == 0:
            return python, done.stdout.strip()
    base = shutil.which("python3") or sys.executable
    say(f"creating the reference venv {venv} ({base} -m venv; pip install {STATSFORECAST}); done once")
    clock = time.perf_counter()
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", STATSFORECAST],
                   check=True)
    version = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    say(f"reference venv ready: statsforecast {version} ({time.perf_counter() - clock:.0f} s)")
    return python, version


def run_reference(python: Path, train: pd.DataFrame, horizon: int, n_jobs: int, work: Path, tag: str,
                  models: tuple[str, ...] = REFERENCE_MODELS, version: str = "",
                  fresh: bool = False) -> tuple[pd.DataFrame, dict]:
    """statsforecast's forecasts of ``train`` (long ``unique_id, ds, y``) and its timings, one model at a
    time, each cached in ``<venv>/cache`` under a key of the data, horizon, model and version."""
    inp = work / f"{tag}_train.csv"
    train.to_csv(inp, index=False, float_format="%.10g")
    digest = hashlib.sha256(inp.read_bytes() + f"|{horizon}|{SEASON}|{n_jobs}|{version}".encode()).hexdigest()[:20]
    cache = python.parent.parent / "cache"
    cache.mkdir(exist_ok=True)
    # one BLAS / OpenMP thread per worker, as Pilotage's workers use
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)
    frames, seconds, warmup, cached = [], {}, 0.0, []
    for model in models:
        out, timings = cache / f"{digest}_{model}.csv", cache / f"{digest}_{model}.json"
        if fresh or not (out.is_file() and timings.is_file()):
            part_out, part_timings = work / f"{tag}_{model}.csv", work / f"{tag}_{model}.json"
            done = subprocess.run([str(python), str(REFERENCE_SCRIPT), "--input", str(inp), "--horizon", str(horizon),
                                   "--output", str(part_out), "--timings", str(part_timings), "--season-length",
                                   str(SEASON), "--n-jobs", str(n_jobs), "--models", model],
                                  capture_output=True, text=True, env=env)
            if done.returncode != 0:
                raise SystemExit(f"the reference failed ({done.returncode}):\n{done.stderr[-3000:]}")
            shutil.copyfile(part_out, out)
            shutil.copyfile(part_timings, timings)
        else:
            cached.append(model)
        info = json.loads(timings.read_text())
        seconds[model] = info["seconds"][model]
        warmup += info["warmup_s"]
        frames.append(pd.read_csv(out, dtype={"unique_id": str, "ds": str, "model": str}))
    info.update(seconds=seconds, warmup_s=warmup, cached=cached)
    return pd.concat(frames, ignore_index=True), info


def reference_line(info: dict) -> str:
    cached = f"; cached from an earlier run: {', '.join(info['cached'])}" if info.get("cached") else ""
    return (f"  statsforecast: {', '.join(f'{k} {v:.1f} s' for k, v in info['seconds'].items())} "
            f"(+ {info['warmup_s']:.1f} s imports and warm-up, not counted{cached})")


# --- Pilotage ----------------------------------------------------------------------------------------


def long_frame(series: list[Series], horizon: int = 0) -> pd.DataFrame:
    """``unique_id, ds, y`` of every series, without its last ``horizon`` points."""
    parts = []
    for s in series:
        end = len(s.y) - horizon
        parts.append(pd.DataFrame({"unique_id": s.unique_id,
                                   "ds": s.months[:end].to_timestamp().strftime("%Y-%m-%d"), "y": s.y[:end]}))
    return pd.concat(parts, ignore_index=True)


def run_pilotage(series: list[Series], horizon: int, n_jobs: int) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The ``forecast evaluate`` path: per-series metrics (method chosen...), forecasts, seconds."""
    clock = time.perf_counter()
    metrics, forecasts = evaluate(series, horizon, SEASON, n_jobs=n_jobs, source="bench")
    seconds = time.perf_counter() - clock
    forecasts = forecasts.assign(model=PILOTAGE)[FC_COLUMNS]
    return metrics[metrics.unique_id != "ALL"], forecasts, seconds


def check_same(metrics: pd.DataFrame, scores: pd.DataFrame) -> None:
    """The bench's scoring of Pilotage's forecasts agrees with ``forecast evaluate``'s own metrics."""
    mine = scores[scores.model == PILOTAGE].set_index("unique_id")
    theirs = metrics.set_index("unique_id").reindex(mine.index)
    for column in ("mase", "smape", "coverage80", "coverage95"):
        if not np.allclose(mine[column], theirs[column], rtol=1e-6, atol=1e-9, equal_nan=True):
            raise SystemExit(f"scoring mismatch on {column}: the bench and `forecast evaluate` disagree")


# --- scoring: the same code for every method ----------------------------------------------------------


def score(series: list[Series], horizon: int, forecasts: pd.DataFrame) -> pd.DataFrame:
    """One row per series and model: ``mase, smape, coverage80, coverage95`` on the held-out points."""
    by_id = {s.unique_id: s for s in series}
    rows = []
    for (model, uid), group in forecasts.groupby(["model", "unique_id"], sort=False):
        s = by_id.get(uid)
        if s is None:
            continue
        group = group.sort_values("ds")
        expected = list(s.months[-horizon:].to_timestamp().strftime("%Y-%m-%d"))
        if list(group.ds) != expected:
            raise SystemExit(f"{model} forecast {uid} for {list(group.ds)[:3]}..., expected {expected[:3]}...")
        train, test = s.y[:-horizon], s.y[-horizon:]
        f = group[["yhat", "lo80", "hi80", "lo95", "hi95"]].to_numpy(dtype=float).T
        finite = bool(np.all(np.isfinite(f[0])))
        rows.append({"model": model, "unique_id": uid,
                     "mase": mase(test, f[0], train, SEASON) if finite else np.nan,
                     "smape": smape(test, f[0]) if finite else np.nan,
                     "coverage80": coverage(test, f[1], f[2]), "coverage95": coverage(test, f[3], f[4])})
    return pd.DataFrame(rows)


def summarise(scores: pd.DataFrame, seconds: dict[str, float],
              models: list[str]) -> tuple[list[dict], pd.Index, int]:
    """Per model: means over the series every model scored (finite MASE), ratios to AutoETS."""
    wide = scores.pivot(index="unique_id", columns="model", values="mase")
    wide = wide[[m for m in models if m in wide.columns]]
    common = wide.index[np.isfinite(wide.to_numpy()).all(axis=1)]
    rows = []
    ets = scores[(scores.model == AUTOETS) & scores.unique_id.isin(common)].set_index("unique_id")
    for model in models:
        part = scores[(scores.model == model) & scores.unique_id.isin(common)].set_index("unique_id")
        if part.empty:
            continue
        row = {"model": model, "series": len(part), "mase_mean": float(part.mase.mean()),
               "mase_median": float(part.mase.median()), "smape_mean": float(part.smape.mean()),
               "coverage80": float(part.coverage80.mean()), "coverage95": float(part.coverage95.mean()),
               "seconds": seconds.get(model, np.nan)}
        if not ets.empty:
            row["mase_vs_autoets"] = row["mase_mean"] / float(ets.mase.mean())
            joined = part.mase.reindex(ets.index)
            row["beats_autoets"] = float(np.mean(joined < ets.mase)) if model != AUTOETS else np.nan
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.log(joined / ets.mase)
            rel = rel[np.isfinite(rel)]
            row["relmase_geomean"] = float(np.exp(rel.mean())) if len(rel) else np.nan
        rows.append(row)
    return rows, common, int(wide.shape[0])


def accuracy_table(title: str, rows: list[dict], goal: bool) -> Table:
    table = Table(title=title, title_justify="left")
    columns = ["method", "series", "MASE", "MASE med.", "sMAPE %", "cov. 80", "cov. 95", "/ ETS", "geo rel.",
               "beats ETS", "seconds"]
    if goal:
        columns.append(f"<= {GOAL_MASE_RATIO} ETS")
    for column in columns:
        table.add_column(column, justify="left" if column == "method" else "right", no_wrap=column == "method")
    for r in rows:
        ratio = r.get("mase_vs_autoets", np.nan)
        cells = [r["model"], f"{r['series']}", f"{r['mase_mean']:.3f}", f"{r['mase_median']:.3f}",
                 f"{r['smape_mean']:.2f}", f"{r['coverage80']:.1%}", f"{r['coverage95']:.1%}", f"{ratio:.3f}",
                 fmt(r.get("relmase_geomean"), "{:.3f}"), fmt(r.get("beats_autoets"), "{:.0%}"),
                 fmt(r["seconds"], "{:.1f}")]
        if goal:
            cells.append(verdict(ratio <= GOAL_MASE_RATIO) if r["model"].startswith(PILOTAGE) else "")
        table.add_row(*cells)
    return table


LEGEND = ("MASE = mean over series (m = 12, in-sample seasonal-naive scale), MASE med. = median; cov. = share of "
          "held-out points inside the 80% / 95% interval; / ETS = mean MASE / AutoETS's mean MASE; geo rel. = "
          "geometric mean over series of MASE / AutoETS's MASE; beats ETS = share of series with a lower MASE than "
          "AutoETS; seconds = the method's own call (Pilotage: fits, backtest and intervals).")


def fmt(value, pattern: str) -> str:
    return "–" if value is None or not np.isfinite(value) else pattern.format(value)


def verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]not met[/]"


def methods_line(methods: pd.Series) -> str:
    counts = Counter(methods)
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# --- the three parts --------------------------------------------------------------------------------


def part_set(name: str, args, python: Path, work: Path, version: str) -> dict:
    file, H, what = SETS[name]
    path = args.data / "monthly" / file
    series = read_series(path)
    say(f"\n[bold]{name}[/]: {len(series)} series ({what}) from {path}, last {H} months held out "
        f"({min(len(s.y) for s in series)}-{max(len(s.y) for s in series)} months each)")
    reference, info = run_reference(python, long_frame(series, H), H, args.n_jobs, work, name,
                                    models=args.reference_models, version=version, fresh=args.fresh_reference)
    say(reference_line(info))
    metrics, pilotage, seconds = run_pilotage(series, H, args.n_jobs)
    say(f"  Pilotage: {seconds:.1f} s")
    scores = score(series, H, pd.concat([pilotage, reference], ignore_index=True))
    check_same(metrics, scores)
    models = [PILOTAGE, *REFERENCE_MODELS]
    rows, common, total = summarise(scores, {PILOTAGE: seconds, **info["seconds"]}, models)
    console.print(accuracy_table(
        f"{name}: {len(common)} of {total} series scored by every method, horizon {H}, n_jobs={args.n_jobs}",
        rows, goal=True))
    say(LEGEND)
    say(f"Pilotage's methods: {methods_line(metrics.method)}; short series: {int(metrics.short_series.sum())}")
    return {"file": file, "horizon": H, "series": len(series), "scored": len(common), "summary": rows,
            "reference": info, "methods": dict(Counter(metrics.method)),
            "per_series": scores.to_dict(orient="records")}


def demo_store(work: Path, seed: int, end: dt.date):
    """A fresh SQLite store with the demo company (its summary table is not printed)."""
    from etl.demo.load import load_demo
    from pilotage.store.engine import get_engine
    from pilotage.store.migrate import upgrade

    engine = get_engine(f"sqlite:///{work / 'demo.sqlite3'}")
    clock = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        upgrade(engine)
        load_demo(seed=seed, end=end, engine=engine)
    return engine, time.perf_counter() - clock


def part_demo(args, python: Path, work: Path, version: str) -> dict:
    from forecasting.series import build_series
    from forecasting.training import fit_all
    from pilotage.dates import add_months

    engine, load_s = demo_store(work, args.demo_seed, args.demo_end)
    full = build_series(engine)
    H = DEMO_HORIZON
    series = [Series(k.key, pd.PeriodIndex([pd.Period(m, freq="M") for m in full.months]), full.values[i])
              for i, k in enumerate(full.keys)]
    levels = {k.key: k.level for k in full.keys}
    say(f"\n[bold]demo data[/]: demo company seed {args.demo_seed} up to {args.demo_end} (store filled in "
        f"{load_s:.0f} s), {len(series)} qualified-lead series ({dict(Counter(levels.values()))}), "
        f"{full.months[0]:%Y-%m} to {full.cutoff:%Y-%m}, last {H} months held out")
    reference, info = run_reference(python, long_frame(series, H), H, args.n_jobs, work, "demo",
                                    models=args.reference_models, version=version, fresh=args.fresh_reference)
    say(reference_line(info))
    metrics, pilotage, seconds = run_pilotage(series, H, args.n_jobs)
    say(f"  Pilotage (univariate, forecast evaluate path): {seconds:.1f} s")

    cutoff = add_months(full.cutoff, -H)
    clock = time.perf_counter()
    model = fit_all(engine, cutoff=cutoff, horizon=H, n_jobs=args.n_jobs)
    train_s = time.perf_counter() - clock
    say(f"  Pilotage (train path: regressors with the media plan, MinT) at cut-off {cutoff:%Y-%m}: {train_s:.1f} s")
    months = pd.period_range(pd.Period(add_months(cutoff, 1), freq="M"), periods=H, freq="M")
    ds = months.to_timestamp().strftime("%Y-%m-%d")
    frames = []
    for i, key in enumerate(model.series.keys):
        lo80, hi80 = (a[i] for a in model.intervals[0.8])
        lo95, hi95 = (a[i] for a in model.intervals[0.95])
        frames.append(pd.DataFrame({"unique_id": key.key, "ds": ds, "model": PILOTAGE_TRAIN,
                                    "yhat": model.reconciled[i], "lo80": lo80, "hi80": hi80, "lo95": lo95,
                                    "hi95": hi95}))
    train_path = pd.concat(frames, ignore_index=True)
    trained_methods = Counter(r.method for r in model.results)
    engine.dispose()

    scores = score(series, H, pd.concat([pilotage, train_path, reference], ignore_index=True))
    check_same(metrics, scores)
    models = [PILOTAGE, PILOTAGE_TRAIN, *REFERENCE_MODELS]
    rows, common, total = summarise(scores, {PILOTAGE: seconds, PILOTAGE_TRAIN: train_s, **info["seconds"]}, models)
    console.print(accuracy_table(
        f"Demo qualified leads: {len(common)} of {total} series scored by every method, horizon {H}, "
        f"n_jobs={args.n_jobs}", rows, goal=True))
    say(LEGEND + " Pilotage = univariate, as on the real series; Pilotage (train) = `forecast train`'s "
        "forecasts: regressors (media plan for the held-out months) and MinT reconciliation.")
    by_level = Table(title="Demo: mean MASE by level (same series as above)", title_justify="left")
    by_level.add_column("method")
    level_names = ["total", "channel", "region", "channel_region"]
    for name in level_names:
        by_level.add_column(f"{name} ({sum(v == name for v in levels.values())})", justify="right")
    scored = scores[scores.unique_id.isin(common)]
    level_rows = {}
    for m in models:
        part = scored[scored.model == m]
        if part.empty:  # a reference model left out (--reference-models)
            continue
        means = part.groupby(part.unique_id.map(levels)).mase.mean()
        level_rows[m] = {name: float(means.get(name, np.nan)) for name in level_names}
        by_level.add_row(m, *(fmt(level_rows[m][name], "{:.3f}") for name in level_names))
    console.print(by_level)
    say(f"Pilotage's methods chosen (univariate): {methods_line(metrics.method)}; "
        f"train path: {methods_line(pd.Series(list(trained_methods.elements())))}")
    return {"horizon": H, "series": len(series), "scored": len(common), "store_s": load_s, "summary": rows,
            "by_level": level_rows, "reference": info, "methods": dict(Counter(metrics.method)),
            "methods_train_path": dict(trained_methods), "per_series": scores.to_dict(orient="records")}


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished children (the pool's workers)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def replicate(series: list[Series], count: int, seed: int, noise: float = 0.01) -> list[SeriesInput]:
    """``count`` series: the real ones in turn, every copy after the first times ``1 + noise * N(0, 1)``."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        s = series[i % len(series)]
        copy = i // len(series)
        y = s.y.copy() if copy == 0 else s.y * (1.0 + noise * rng.standard_normal(len(s.y)))
        out.append(SeriesInput(f"{s.unique_id}#{copy}", y))
    return out


def part_scale(args, python: Path, work: Path, version: str) -> dict:
    series = read_series(args.data / "monthly" / "series.csv")
    inputs = replicate(series, args.scale_series, args.seed)
    H = SCALE_HORIZON
    say(f"\n[bold]scale[/]: {len(inputs):,} series ({len(series)} real ones replicated with 1% noise, seed "
        f"{args.seed}; {sum(len(s.y) for s in inputs):,} points), horizon {H}, n_jobs={args.n_jobs}")
    clock = time.perf_counter()
    cpu = cpu_seconds()
    results = forecast_many(inputs, H, n_jobs=args.n_jobs)
    seconds = time.perf_counter() - clock
    cpu = cpu_seconds() - cpu
    assert len(results) == len(inputs) and all(np.all(np.isfinite(r.yhat)) for r in results)
    say(f"  Pilotage: {seconds:.1f} s wall-clock, {cpu:.1f} s of CPU in all (this process and its workers): "
        f"{cpu / args.n_jobs:.1f} s on {args.n_jobs} otherwise idle cores")
    frame = pd.concat([pd.DataFrame({"unique_id": s.key, "ds": pd.period_range("2000-01", periods=len(s.y),
                                                                                freq="M").to_timestamp()
                                     .strftime("%Y-%m-%d"), "y": s.y}) for s in inputs], ignore_index=True)
    _, info = run_reference(python, frame, H, args.n_jobs, work, "scale", models=(AUTOETS,), version=version,
                            fresh=args.fresh_reference)
    ets_s = info["seconds"][AUTOETS]
    say(f"  statsforecast AutoETS: {ets_s:.1f} s")
    table = Table(title=f"{len(inputs):,} series, horizon {H}, n_jobs={args.n_jobs} on {os.cpu_count()} cores",
                  title_justify="left")
    for column in ("what", "seconds", "ms / series", f"goal < {GOAL_SCALE_S:.0f} s"):
        table.add_column(column, justify="left" if column == "what" else "right")
    table.add_row("Pilotage: median combination (7 members fitted on the first backtest window and on the whole "
                  "series) + backtest + intervals", f"{seconds:.1f}", f"{1000 * seconds / len(inputs):.0f}",
                  verdict(seconds < GOAL_SCALE_S))
    table.add_row(f"  the same, CPU seconds / {args.n_jobs} (what {args.n_jobs} idle cores would take)",
                  f"{cpu / args.n_jobs:.1f}", f"{1000 * cpu / args.n_jobs / len(inputs):.0f}",
                  verdict(cpu / args.n_jobs < GOAL_SCALE_S))
    table.add_row("statsforecast AutoETS: fit + forecast + intervals (no selection, no backtest; context only)",
                  f"{ets_s:.1f}", f"{1000 * ets_s / len(inputs):.0f}", "")
    console.print(table)
    say(f"Pilotage's methods chosen: {methods_line(pd.Series([r.method for r in results]))}")
    return {"series": len(inputs), "horizon": H, "seed": args.seed, "pilotage_s": seconds, "pilotage_cpu_s": cpu,
            "autoets_s": ets_s,
            "methods": dict(Counter(r.method for r in results)), "reference": info}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default=",".join([*SETS, "demo", "scale"]),
                        help=f"comma-separated: {', '.join(SETS)}, demo, scale (real = the three sets)")
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes for every method (default 2)")
    parser.add_argument("--data", type=Path, default=shared_data_folder(), help="the shared data folder")
    parser.add_argument("--demo-seed", type=int, default=42)
    parser.add_argument("--demo-end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 31),
                        help="last day of the demo history (YYYY-MM-DD)")
    parser.add_argument("--scale-series", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="seed of the scale part's noise")
    parser.add_argument("--reference-venv", type=Path, default=REFERENCE_VENV,
                        help="the statsforecast venv (default $PILOTAGE_BENCH_VENV or /tmp/pilotage-bench-sf)")
    parser.add_argument("--fresh-reference", action="store_true",
                        help="recompute statsforecast's forecasts instead of using the cached ones")
    parser.add_argument("--reference-models", default=",".join(REFERENCE_MODELS),
                        help="the statsforecast models to run (default all: %(default)s); a model left out is "
                             "missing from the tables (AutoARIMA takes hours on a loaded machine)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (CSV files, demo store)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    sections = []
    for s in (s.strip() for s in args.sections.split(",")):
        sections += list(SETS) if s == "real" else ([s] if s else [])
    unknown = set(sections) - {*SETS, "demo", "scale"}
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}")
    args.reference_models = tuple(m.strip() for m in args.reference_models.split(",") if m.strip())
    if AUTOETS not in args.reference_models or set(args.reference_models) - set(REFERENCE_MODELS):
        parser.error(f"--reference-models: among {', '.join(REFERENCE_MODELS)}, {AUTOETS} included (the goals use it)")
    missing = [name for name in (*SETS, "scale") if name in sections
               and not (args.data / "monthly" / SETS.get(name, SETS["series"])[0]).is_file()]
    if missing:
        # A clone of the repository alone has no shared data: the demo part still runs.
        say(f"no data in {args.data / 'monthly'} for {', '.join(missing)} (--data or PILOTAGE_SHARED_DATA): skipped")
        sections = [s for s in sections if s not in missing]
        if not sections:
            return

    clock = time.perf_counter()
    load_start = os.getloadavg()
    python, version = reference_python(args.reference_venv)
    say(f"Forecast benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}: Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load_start[0]:.2f} at the start; reference statsforecast {version} "
        f"in {args.reference_venv}.")
    say("statsforecast runs in a separate process and venv: it cannot be installed next to Pilotage (it needs "
        "pandas < 3). Its forecasts are scored here with the same code (forecasting.metrics) on the same windows. "
        "Times are wall-clock seconds of each method's own call, same n_jobs for all; Pilotage's include its "
        "backtest (for the intervals), statsforecast's only the fit.")
    work = Path(tempfile.mkdtemp(prefix="pilotage-bench-forecast-"))
    out: dict = {"started": dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
                 "cores": os.cpu_count(), "n_jobs": args.n_jobs, "statsforecast": version,
                 "args": {k: str(v) for k, v in vars(args).items()}}
    try:
        for name in sections:
            if name in SETS:
                out[name] = part_set(name, args, python, work, version)
            elif name == "demo":
                out[name] = part_demo(args, python, work, version)
            else:
                out[name] = part_scale(args, python, work, version)
    finally:
        if args.keep:
            say(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    goals = Table(title="Goals", title_justify="left")
    for column in ("goal", "measured", "verdict"):
        goals.add_column(column)
    for name in SETS:
        if name not in out:
            continue
        rows = {r["model"]: r for r in out[name]["summary"]}
        ets, mine = rows[AUTOETS], rows[PILOTAGE]
        goals.add_row(f"{name}: mean MASE <= {GOAL_MASE_RATIO} x AutoETS's",
                      f"{mine['mase_mean']:.3f} vs {ets['mase_mean']:.3f} (x {mine['mase_vs_autoets']:.3f})",
                      verdict(mine["mase_vs_autoets"] <= GOAL_MASE_RATIO))
        goals.add_row(f"{name}: mean sMAPE < AutoETS's", f"{mine['smape_mean']:.2f} vs {ets['smape_mean']:.2f}",
                      verdict(mine["smape_mean"] < ets["smape_mean"]))
        for level, column in ((0.8, "coverage80"), (0.95, "coverage95")):
            goals.add_row(f"{name}: {level:.0%} interval coverage within {GOAL_COVERAGE_POINTS * 100:.0f} points",
                          f"{mine[column]:.1%}", verdict(abs(mine[column] - level) <= GOAL_COVERAGE_POINTS + 1e-12))
    if "demo" in out:
        for row in out["demo"]["summary"]:
            if row["model"] == PILOTAGE_TRAIN:
                ets = next(r for r in out["demo"]["summary"] if r["model"] == AUTOETS)
                goals.add_row(f"demo: {row['model']} mean MASE <= {GOAL_MASE_RATIO} x AutoETS's",
                              f"{row['mase_mean']:.3f} vs {ets['mase_mean']:.3f} (x {row['mase_vs_autoets']:.3f})",
                              verdict(row["mase_vs_autoets"] <= GOAL_MASE_RATIO))
    if "scale" in out:
        goals.add_row(f"{out['scale']['series']:,} series (fit + backtest + intervals) < {GOAL_SCALE_S:.0f} s, "
                      f"n_jobs={args.n_jobs}", f"{out['scale']['pilotage_s']:.1f} s wall-clock, "
                      f"{out['scale']['pilotage_cpu_s'] / args.n_jobs:.1f} s CPU / {args.n_jobs}",
                      verdict(out["scale"]["pilotage_s"] < GOAL_SCALE_S))
    console.print(goals)
    load_end = os.getloadavg()
    out["load_average"] = {"start": load_start, "end": load_end}
    out["total_s"] = time.perf_counter() - clock
    say(f"Load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end on {os.cpu_count()} cores: "
        "other work on the machine makes the times noisy (the accuracy figures are deterministic). "
        f"Whole run: {out['total_s']:.0f} s.")
    if args.json:
        args.json.write_text(json.dumps(json_safe(out), indent=1))
        say(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
