"""What alert rules read besides KPIs: when each source was last loaded, and the data-quality findings of
recent loads in the user's scope (the KPIs themselves come from :mod:`queries`, the forecast's interval
state from :mod:`forecasts`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import false, func, select

from pilotage.store.engine import get_engine
from pilotage.store.models import DataQualityFinding, EtlRun

from .filters import Filters
from .queries import effective_regions

RECENT_RUNS = 10  # a quality rule looks at the findings of the last loads, not at the whole history


def source_freshness() -> dict[str, dt.datetime]:
    """Each source's last successful load (not scoped: when a file was loaded reveals no figure)."""
    statement = select(EtlRun.source_type, func.max(EtlRun.started_at)).where(
        EtlRun.status == "loaded").group_by(EtlRun.source_type)
    with get_engine().connect() as conn:
        return {source: started for source, started in conn.execute(statement)}


def quality_findings(filters: Filters) -> list[dict]:
    """Per recent load, the findings in the user's scope (narrowed by the filters' regions and channels):
    ``run_id, file_name, started_at, findings, first, last`` (the dates the findings are about)."""
    regions = effective_regions(filters)
    finding = DataQualityFinding
    conditions = [finding.region_code.in_(sorted(regions)) if regions else false()]
    if filters.channels:
        conditions.append(finding.channel_code.in_(list(filters.channels)))
    recent = select(EtlRun.id).order_by(EtlRun.id.desc()).limit(RECENT_RUNS).scalar_subquery()
    statement = (select(finding.run_id, EtlRun.file_name, EtlRun.started_at, func.count().label("findings"),
                        func.min(finding.date).label("first"), func.max(finding.date).label("last"))
                 .join(EtlRun, EtlRun.id == finding.run_id)
                 .where(finding.run_id.in_(recent), *conditions)
                 .group_by(finding.run_id, EtlRun.file_name, EtlRun.started_at).order_by(finding.run_id))
    with get_engine().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(statement)]
