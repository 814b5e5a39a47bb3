"""Connectors, one module per source format, and how a file finds its connector."""

from __future__ import annotations

from pathlib import Path

from etl.errors import FileRefused
from pilotage.input import RawTable

from .base import Batch, Connector, LoadOptions
from .canonical import CANONICAL_CONNECTORS, FORMATS
from .facebook_ads import FacebookAds
from .mapping import MappedConnector, read_mapping
from .olist import OlistClosedDeals, OlistLeads
from .oxcgrt import OxCGRT

CONNECTORS: list[Connector] = [OlistLeads(), OlistClosedDeals(), FacebookAds(), OxCGRT(), *CANONICAL_CONNECTORS]
BY_NAME = {c.name: c for c in CONNECTORS}


def connector_for(raw: RawTable, source: str | None = None, mapping: Path | None = None) -> Connector:
    """The connector named by ``source`` or ``mapping``, else the one whose signature the
    header matches most specifically; refuse the file when none does."""
    if mapping is not None:
        return MappedConnector(read_mapping(mapping), mapping.name)
    if source:
        if source not in BY_NAME:
            raise FileRefused(raw.file_name, f"unknown source type {source!r}; expected one of {', '.join(BY_NAME)}")
        return BY_NAME[source]
    matches = [c for c in CONNECTORS if c.detect(raw.columns)]
    if not matches:
        raise FileRefused(
            raw.file_name,
            f"unknown format: no connector recognises the columns {', '.join(raw.columns[:12])}"
            f"{' ...' if len(raw.columns) > 12 else ''}; pass --source ({', '.join(BY_NAME)}) or --mapping FILE",
        )
    return max(matches, key=lambda c: len(c.signature))


__all__ = ["BY_NAME", "CONNECTORS", "FORMATS", "Batch", "Connector", "LoadOptions", "connector_for"]
