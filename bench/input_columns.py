"""Column-wise typing benchmark: seconds to decide and parse one column of 1 M cells.

    .venv/bin/python bench/input_columns.py [--rows 1000000]

Each column is typed by ``pilotage.input.columns`` as a load does: the date order or decimal
mark decided from all the column's values, then every cell parsed with it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pilotage.input.columns import parse_dates, parse_numbers  # noqa: E402


def columns(rows: int) -> dict[str, tuple[pd.Series, callable]]:
    rng = np.random.default_rng(0)
    moments = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 1440, rows), "min"))
    days = moments.dt.normalize()
    amounts = pd.Series(np.round(rng.random(rows) * 10_000, 2)).map("{:.2f}".format)
    return {
        "dates ISO (2024-03-31)": (days.dt.strftime("%Y-%m-%d"), parse_dates),
        "dates M/D/YYYY, no padding": (days.dt.month.astype(str) + "/" + days.dt.day.astype(str) + "/"
                                       + days.dt.year.astype(str), parse_dates),
        "datetimes DD-MM-YYYY HH:MM": (moments.dt.strftime("%d-%m-%Y %H:%M"), parse_dates),
        "integers": (pd.Series(rng.integers(0, 100_000, rows)).astype(str), parse_numbers),
        "decimals 1234.56": (amounts, parse_numbers),
        "decimals 1 234,56": (amounts.str.replace(".", ",", regex=False).str.replace(
            r"^(\d+)(\d{3}),", r"\1 \2,", regex=True), parse_numbers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    table = Table(title=f"Column-wise typing, {rows:,} cells per column")
    for column in ("column", "seconds", "cells/s", "unparsed"):
        table.add_column(column, justify="left" if column == "column" else "right")
    for name, (text, parse) in columns(rows).items():
        text = text.astype(str)
        clock = time.perf_counter()
        parsed = parse(text, file="bench", column=name)
        seconds = time.perf_counter() - clock
        table.add_row(name, f"{seconds:.2f}", f"{rows / seconds:,.0f}", f"{int(parsed.isna().sum()):,}")
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
