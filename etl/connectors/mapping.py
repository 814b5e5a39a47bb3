"""Mapping files: another CRM's export onto a canonical format, without code.

A mapping is a TOML file::

    format = "leads"              # the canonical format (see `pilotage etl formats`)
    source_system = "hubspot"     # optional: namespaces ids, scopes replacement

    [columns]                     # canonical column = the export's column
    lead_id = "Record ID"
    created_at = "Create Date"
    channel = "Original Source"

    [values.channel]              # the export's value = canonical value
    "Paid Search" = "paid_search"

    [defaults]                    # a constant for a column the export lacks
    region = "FR"

    date_order = "dmy"            # optional, top level: how the file writes dates (dmy, mdy, ymd)
    decimal = "comma"             # and numbers (point, comma), when its values cannot tell
    [date_orders]                 # optional: per canonical column, winning over date_order
    won_at = "mdy"
    [decimals]                    # optional: per canonical column, winning over decimal
    deal_value = "point"

    [stages]                      # exports with one "current stage" column and its date
    column = "Lifecycle Stage"
    date_column = "Last Stage Change"
    [stages.map]
    "Sales Qualified Lead" = "sql"
    "Customer" = "won"

Rejected rows name the export's own columns, so people can find them in their file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from etl.errors import FileRefused
from pilotage.input import RawTable
from pilotage.input.columns import Conventions
from pilotage.store.models import LEAD_STAGES

from .base import Batch, Connector, LoadOptions
from .canonical import FORMATS, CanonicalConnector


class MappingError(FileRefused):
    pass


def read_mapping(path: Path) -> dict:
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MappingError(path.name, f"not a readable TOML mapping ({error})") from None
    format_name = mapping.get("format")
    if format_name not in FORMATS:
        raise MappingError(path.name, f"'format' must be one of {', '.join(FORMATS)}, not {format_name!r}")
    known = {f.name for f in FORMATS[format_name]}
    for section in ("columns", "values", "defaults", "date_orders", "decimals"):
        unknown = set(mapping.get(section, {})) - known
        if unknown:
            raise MappingError(path.name, f"[{section}] names no column of format {format_name!r}: "
                                          f"{', '.join(sorted(unknown))}; expected among {', '.join(sorted(known))}")
    try:
        conventions_of(mapping)
    except ValueError as error:
        raise MappingError(path.name, str(error)) from None
    stages = mapping.get("stages")
    if stages:
        bad = {v for v in stages.get("map", {}).values()} - set(LEAD_STAGES)
        if format_name != "leads" or "column" not in stages or bad:
            raise MappingError(path.name, "[stages] needs format 'leads', a 'column' and a [stages.map] onto "
                                          f"{', '.join(LEAD_STAGES)}")
    return mapping


def conventions_of(mapping: dict, given: Conventions | None = None) -> Conventions:
    """The mapping's date order and decimal mark; the command line's (``given``) win for the whole file,
    the mapping's per-column ones win over both (they are the most specific)."""
    given = given or Conventions()
    return Conventions(
        date_order=given.date_order or mapping.get("date_order"), decimal=given.decimal or mapping.get("decimal"),
        date_orders={**given.date_orders, **mapping.get("date_orders", {})},
        decimals={**given.decimals, **mapping.get("decimals", {})},
    )


class MappedConnector(Connector):
    """A canonical connector behind a renaming of columns and values."""

    def __init__(self, mapping: dict, mapping_name: str):
        self.mapping = mapping
        self.inner = CanonicalConnector(mapping["format"])
        self.name = f"{mapping['format']} (mapping {mapping_name})"
        self.order = self.inner.order
        self.fields = self.inner.fields

    def prepare(self, raw: RawTable, options: LoadOptions) -> Batch:
        columns = self.mapping.get("columns", {})
        absent = {canonical: theirs for canonical, theirs in columns.items() if theirs not in raw.columns}
        if absent:
            canonical, theirs = next(iter(absent.items()))
            raise FileRefused(raw.file_name, f"the mapping maps {canonical!r} to column {theirs!r}, which is not "
                                             f"in the file; the header has: {', '.join(raw.columns)}")
        frame = raw.frame.rename(columns={theirs: canonical for canonical, theirs in columns.items()})
        for column, replacements in self.mapping.get("values", {}).items():
            if column in frame.columns:
                stripped = frame[column].astype(str).str.strip()
                frame[column] = stripped.map(replacements).fillna(stripped)
        for column, value in self.mapping.get("defaults", {}).items():
            if column not in frame.columns:
                frame[column] = str(value)
            else:
                frame[column] = frame[column].mask(frame[column].astype(str).str.strip() == "", str(value))
        frame = self._apply_stages(frame, raw)
        theirs_by_canonical = {canonical: theirs for canonical, theirs in columns.items()}
        mapped = RawTable(
            path=raw.path, frame=frame, sha256=raw.sha256, columns=[str(c) for c in frame.columns if c != "_line"],
            rejects=raw.rejects,
            describe_column=lambda name: raw.column_ref(theirs_by_canonical.get(name, name)),
        )
        options = LoadOptions(region=options.region, country=options.country,
                              source_system=options.source_system or self.mapping.get("source_system"),
                              conventions=conventions_of(self.mapping, options.conventions))
        return self.inner.prepare(mapped, options)

    def _apply_stages(self, frame: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
        stages = self.mapping.get("stages")
        if not stages:
            return frame
        stage_column = stages["column"]
        if stage_column not in frame.columns:
            raise FileRefused(raw.file_name, f"the mapping's stage column {stage_column!r} is not in the file")
        date_column = stages.get("date_column", "created_at")
        if date_column not in frame.columns:
            raise FileRefused(raw.file_name, f"the mapping's stage date column {date_column!r} is not in the file")
        stage = frame[stage_column].astype(str).str.strip().map(stages["map"])
        for name in LEAD_STAGES[1:]:
            target = f"{name}_at"
            if target not in frame.columns:
                frame[target] = ""
            fill = (stage == name) & (frame[target].astype(str).str.strip() == "")
            frame[target] = frame[target].mask(fill, frame[date_column])
        return frame
