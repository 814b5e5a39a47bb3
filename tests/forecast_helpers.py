"""A small hand-made store for the training and registry tests: 2 channels x 2 regions, 36 months.

``paid_search`` leads follow its spend through a known carry-over and effect (``DECAY``,
``LEADS_PER_KEUR``); ``organic`` leads are a seasonal baseline. The media plan covers the six
months after the data, regional rows for FR-IDF and a national row (on FR) for FR-ARA's share.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import insert

from pilotage.store.models import ACTIVITY_MEASURES, MartMonthly, MediaPlan, Region

FIRST = dt.date(2023, 1, 1)
MONTHS = 36
LAST = dt.date(2025, 12, 1)
REGIONS = ("FR-IDF", "FR-ARA")
CHANNELS = ("organic", "paid_search")
DECAY = 0.5
LEADS_PER_KEUR = 2.0
FAST = ("seasonal_naive", "regression")  # candidates that keep a training under a second


def months(first: dt.date = FIRST, count: int = MONTHS) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


def adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    out, carried = np.empty_like(spend), 0.0
    for t, value in enumerate(spend):
        carried = value + decay * carried
        out[t] = carried
    return out


def fill_store(engine, seed: int = 0, plan: bool = True, with_area: bool = False) -> dict:
    """Write the regions, ``mart_monthly`` and ``fact_media_plan``; return what was drawn."""
    rng = np.random.default_rng(seed)
    month_list = months()
    t = np.arange(MONTHS)
    season = 1 + 0.25 * np.sin(2 * np.pi * np.array([m.month for m in month_list]) / 12)
    rows, truth = [], {"spend": {}, "leads": {}}
    for r_index, region in enumerate(REGIONS):
        size = 1.0 if r_index == 0 else 0.6
        spend = rng.uniform(10_000, 60_000, MONTHS) * size
        spend[rng.random(MONTHS) < 0.2] = 0.0  # months off air
        paid = 30 * size + LEADS_PER_KEUR * adstock(spend, DECAY) / 1000 + rng.normal(0, 3, MONTHS)
        organic = 120 * size * season * (1 + 0.01 * t) + rng.normal(0, 4, MONTHS)
        for channel, leads, money in (("paid_search", paid, spend), ("organic", organic, np.zeros(MONTHS))):
            counts = np.maximum(np.round(leads), 0).astype(int)
            truth["spend"][(channel, region)] = money
            truth["leads"][(channel, region)] = counts
            for i, month in enumerate(month_list):
                row = dict.fromkeys(ACTIVITY_MEASURES, 0)
                row.update(month=month, channel_code=channel, campaign_code="", source_code="",
                           region_code=region, qualified_leads=int(counts[i]), leads=int(counts[i] * 2),
                           spend=float(round(money[i], 2)), sessions=int(counts[i] * 20))
                rows.append(row)
    regions = [dict(code=r, name=r, level="region", parent_code="FR") for r in REGIONS]
    if with_area:
        regions.append(dict(code="FR-IDF-75", name="Paris", level="area", parent_code="FR-IDF"))
    with engine.begin() as conn:
        conn.execute(insert(Region), regions)
        conn.execute(insert(MartMonthly), rows)
        if plan:
            future = months(dt.date(2026, 1, 1), 6)
            plan_rows = [dict(source_system="test", month=m, channel_code="paid_search", region_code="FR-IDF",
                              coverage="local", planned_spend=30_000.0 + 1000 * i) for i, m in enumerate(future)]
            plan_rows += [dict(source_system="test", month=m, channel_code="paid_search", region_code="FR",
                               coverage="national", planned_spend=20_000.0) for m in future]
            conn.execute(insert(MediaPlan), plan_rows)
    return truth
