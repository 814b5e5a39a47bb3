"""The reference side of ``bench/forecast.py``: statsforecast's AutoETS, AutoTheta, AutoARIMA and SeasonalNaive(m).

Runs in the bench's own virtual environment (statsforecast cannot live in the project's: it
needs an older pandas), started by ``bench/forecast.py`` in a subprocess; it imports nothing
from Pilotage. Reads a long CSV ``unique_id, ds, y`` (the training parts), forecasts ``--horizon``
months with 80% and 95% intervals, and writes:

- ``--output``: ``unique_id, ds, model, yhat, lo80, hi80, lo95, hi95`` (``model`` is the class name);
- ``--timings``: JSON with the seconds each model took (``StatsForecast.forecast``, intervals
  included), the warm-up (imports and JIT compilation on two series, not counted in the models'
  seconds), and the versions.

    python bench/forecast_reference.py --input train.csv --horizon 18 --output fc.csv --timings t.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import pandas as pd

LEVELS = (80, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--timings", required=True)
    parser.add_argument("--season-length", type=int, default=12)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--models", default="AutoETS,SeasonalNaive")
    args = parser.parse_args()

    clock = time.perf_counter()
    import warnings

    import statsforecast

    warnings.simplefilter("ignore")  # AutoARIMA warns about differencing on some series
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive

    makers = {"AutoETS": lambda: AutoETS(season_length=args.season_length),
              "AutoTheta": lambda: AutoTheta(season_length=args.season_length),
              "AutoARIMA": lambda: AutoARIMA(season_length=args.season_length),
              "SeasonalNaive": lambda: SeasonalNaive(season_length=args.season_length)}
    df = pd.read_csv(args.input, dtype={"unique_id": str})
    df["ds"] = pd.to_datetime(df["ds"])
    df = df.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    names = [n.strip() for n in args.models.split(",") if n.strip()]

    # warm-up: imports, numba compilation, process pool start; not counted in the models' seconds
    first = df["unique_id"].drop_duplicates().iloc[:2]
    small = df[df["unique_id"].isin(first)]
    StatsForecast(models=[makers[n]() for n in names], freq="MS", n_jobs=1).forecast(
        df=small, h=args.horizon, level=list(LEVELS))
    warmup = time.perf_counter() - clock

    seconds, frames = {}, []
    for name in names:
        start = time.perf_counter()
        fc = StatsForecast(models=[makers[name]()], freq="MS", n_jobs=args.n_jobs).forecast(
            df=df, h=args.horizon, level=list(LEVELS))
        seconds[name] = time.perf_counter() - start
        if "unique_id" not in fc.columns:  # older versions put it in the index
            fc = fc.reset_index()
        alias = str(makers[name]())
        frames.append(pd.DataFrame({
            "unique_id": fc["unique_id"].astype(str), "ds": pd.to_datetime(fc["ds"]).dt.strftime("%Y-%m-%d"),
            "model": name, "yhat": fc[alias],
            "lo80": fc[f"{alias}-lo-80"], "hi80": fc[f"{alias}-hi-80"],
            "lo95": fc[f"{alias}-lo-95"], "hi95": fc[f"{alias}-hi-95"],
        }))
    pd.concat(frames, ignore_index=True).to_csv(args.output, index=False, float_format="%.10g")
    with open(args.timings, "w") as handle:
        json.dump({"seconds": seconds, "warmup_s": warmup, "n_series": int(df["unique_id"].nunique()),
                   "n_jobs": args.n_jobs, "statsforecast": statsforecast.__version__,
                   "pandas": pd.__version__, "python": platform.python_version()}, handle, indent=1)


if __name__ == "__main__":
    main()
