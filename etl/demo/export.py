"""Write the demo company as canonical CSV files (see ``etl.connectors.canonical.FORMATS``),
so that ``pilotage etl load`` can load it back: a realistic input for benchmarks and for
trying the file path without real exports.

Loaded with ``--source-system demo``, the files give the same keys as ``pilotage demo``
(lead and customer ids are hashed in the same namespace), so they change nothing there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .generate import DemoCompany

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
LEAD_STAGES = ("mql_at", "sql_at", "opportunity_at", "won_at", "lost_at")


def _leads(company: DemoCompany) -> pd.DataFrame:
    leads = company.leads
    return pd.DataFrame({
        "lead_id": leads.index, "created_at": leads["created_at"], "channel": leads["channel_code"],
        "region": leads["region_code"], "campaign": leads["campaign_code"],
        "source": leads["source_code"], "rep": leads["rep_code"], "sdr": leads["sdr_code"],
        "segment": leads["segment"], **{stage: leads[stage] for stage in LEAD_STAGES},
        "qualified": leads["is_qualified"], "qualified_type": leads["qualified_type"],
        "deal_value": leads["deal_value"], "monthly_amount": leads["monthly_amount"],
    })


def _ad_performance(company: DemoCompany) -> pd.DataFrame:
    ads = company.ad_performance
    campaigns = company.campaigns.set_index("code")
    code = ads["campaign_code"].astype(str)
    return pd.DataFrame({
        "date": ads["date"], "campaign": code, "channel": ads["channel_code"],
        "region": ads["region_code"], "ad": ads["ad_code"],
        "campaign_name": code.map(campaigns["name"]), "coverage": code.map(campaigns["coverage"]),
        "impressions": ads["impressions"], "clicks": ads["clicks"], "spend": ads["spend"],
        "conversions": ads["platform_conversions"],
    })


def _web_analytics(company: DemoCompany) -> pd.DataFrame:
    web = company.web_analytics
    source = web["source_code"].astype(str)
    return pd.DataFrame({
        "date": web["date"], "source": source,
        "channel": source.map(company.sources.set_index("code")["channel_code"]),
        "region": web["region_code"], "sessions": web["sessions"], "users": web["users"],
        "engaged_sessions": web["engaged_sessions"], "conversions": web["conversions"],
    })


def _subscriptions(company: DemoCompany) -> pd.DataFrame:
    """Customers are named by the id of the lead they came from (their key is its hash)."""
    subscriptions = company.subscriptions
    lead_ids = pd.Series(company.leads.index, index=company.leads["lead_key"].to_numpy())
    return pd.DataFrame({
        "customer_id": subscriptions["customer_key"].map(lead_ids), "month": subscriptions["month"],
        "region": subscriptions["region_code"], "channel": subscriptions["channel_code"],
        "mrr": subscriptions["mrr"], "is_new": subscriptions["is_new"],
        "churned": subscriptions["is_churned"],
    })


def _media_plan(company: DemoCompany) -> pd.DataFrame:
    return company.media_plan.drop(columns="source_system").rename(
        columns={"channel_code": "channel", "region_code": "region"})


def _targets(company: DemoCompany) -> pd.DataFrame:
    return company.targets.drop(columns="source_system").rename(
        columns={"region_code": "region", "channel_code": "channel"})


def _costs(company: DemoCompany) -> pd.DataFrame:
    return company.costs.drop(columns="source_system").rename(columns={"region_code": "region"})


def _external_series(company: DemoCompany) -> pd.DataFrame:
    series = company.external_series
    return pd.DataFrame({"date": series["date"], "series": series["series"], "region": series["geo"],
                         "value": series["value"]})


CANONICAL: dict[str, tuple[Callable[[DemoCompany], pd.DataFrame], str]] = {
    "leads": (_leads, DATETIME_FORMAT),
    "ad_performance": (_ad_performance, DATE_FORMAT),
    "web_analytics": (_web_analytics, DATE_FORMAT),
    "subscriptions": (_subscriptions, DATE_FORMAT),
    "media_plan": (_media_plan, DATE_FORMAT),
    "targets": (_targets, DATE_FORMAT),
    "costs": (_costs, DATE_FORMAT),
    "external_series": (_external_series, DATE_FORMAT),
}


def canonical_frame(company: DemoCompany, table: str) -> pd.DataFrame:
    """One demo table with the columns of its canonical format."""
    if table not in CANONICAL:
        raise ValueError(f"unknown table {table!r}; expected one of {', '.join(CANONICAL)}")
    return CANONICAL[table][0](company)


def write_canonical_csv(company: DemoCompany, directory: Path,
                        tables: tuple[str, ...] = ("leads", "ad_performance")) -> dict[str, Path]:
    """Write ``DIRECTORY/<table>.csv`` for each table (UTF-8, comma separated); return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in tables:
        frame = canonical_frame(company, table)
        path = directory / f"{table}.csv"
        frame.to_csv(path, index=False, date_format=CANONICAL[table][1])
        written[table] = path
    return written
