"""The Oxford COVID-19 Government Response Tracker, wide: one row per jurisdiction, one
column per day (``01Jan2020``...). One country's national row is kept (``--country``,
default FRA) as the daily series ``covid_stringency``; empty cells are days with no record.
"""

from __future__ import annotations

import pandas as pd

from etl.errors import FileRefused
from pilotage.input import LINE, RawTable
from pilotage.input.columns import parse_dates, parse_numbers

from .base import Batch, Connector, LoadOptions, external_series_load

SOURCE_SYSTEM = "oxcgrt"
SERIES = "covid_stringency"
NATIONAL = "NAT_TOTAL"
ID_COLUMNS = ("CountryCode", "CountryName", "RegionCode", "RegionName", "CityCode", "CityName", "Jurisdiction")


class OxCGRT(Connector):
    name = "oxcgrt"
    description = "OxCGRT stringency index, wide (CountryCode, ..., Jurisdiction, 01Jan2020, 02Jan2020, ...)"
    order = 10
    signature = frozenset({"CountryCode", "CountryName", "Jurisdiction"})

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        frame = raw.frame
        for column in ("CountryCode", "Jurisdiction"):
            if column not in frame.columns:
                raise FileRefused(raw.file_name, f"required column {column!r} missing for format 'oxcgrt'")
        day_columns = [c for c in raw.columns if c not in ID_COLUMNS]
        days = parse_dates(pd.Series(day_columns, dtype=str))
        if days.isna().any():
            bad = day_columns[int(days.isna().to_numpy().argmax())]
            raise FileRefused(raw.file_name, f"column {bad!r}: expected a day such as 01Jan2020 after the "
                                             f"identifying columns {', '.join(ID_COLUMNS)}")
        country = options.country.upper()
        chosen = frame[(frame["CountryCode"].str.upper() == country) & (frame["Jurisdiction"] == NATIONAL)]
        if chosen.empty:
            known = ", ".join(sorted(frame["CountryCode"].unique())[:30])
            raise FileRefused(raw.file_name, f"no national row ({NATIONAL}) for country {country!r}; "
                                             f"countries in the file include {known}")
        row = chosen.iloc[0]
        text = pd.Series([row[c] for c in day_columns], dtype=str)
        values = parse_numbers(text, options.conventions.decimal, file=raw.file_name, column=f"row {country}")
        empty = text.str.strip() == ""
        bad = (values.isna() | (values < 0) | (values > 100)) & ~empty
        rejects = [
            {"line": int(row[LINE]), "column": raw.column_ref(day_columns[i]), "value": text[i],
             "expected": "a stringency index between 0 and 100", "raw": None, "code": "reject.stringency_range"}
            for i in bad[bad].index
        ]
        keep = ~empty & ~bad
        facts = pd.DataFrame({
            "source_system": SOURCE_SYSTEM, "series": SERIES, "geo": country,
            "date": days[keep].values, "value": values[keep].values.astype(float), LINE: int(row[LINE]),
        })
        return Batch(
            loads=[external_series_load(facts)], rows_read=len(day_columns), rejects=[*raw.rejects, *rejects],
            skipped=int(empty.sum()),
            notes=[f"kept {country} ({NATIONAL}); {len(frame) - 1} other rows of the file left aside",
                   f"{int(empty.sum())} days with no value recorded"],
        )
