"""Outliers are flagged, not swallowed: a value far from its own series is loaded (facts and
marts have it) and recorded as a data-quality finding naming file, line, column, value and
the range its history made expected; ordinary data gives no finding."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from etl.errors import EtlError
from etl.pipeline import load_file
from pilotage.cli import app
from pilotage.store.models import AdPerformance, DataQualityFinding, MartDaily, Region

from .helpers import scalar, write

HEADER = "date,campaign,channel,region,impressions,clicks,spend\n"
REGIONS = ("FR-IDF", "FR-ARA")
HISTORY_START = dt.date(2024, 1, 1)  # a Monday; 12 weeks of history, then the week under test
WEEK = dt.date(2024, 3, 25)
OUTLIER_DAY, OUTLIER = dt.date(2024, 3, 27), 999_999


def _ads(start: dt.date, days: int, seed: int, outlier: bool = False) -> str:
    """Paid search and display in two regions: spend around 5,000 EUR a day (less at weekends)."""
    rng = np.random.default_rng(seed)
    lines = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        weekend = 0.6 if day.weekday() >= 5 else 1.0
        for region in REGIONS:
            for campaign, channel, level in (("search", "paid_search", 5000), ("banner", "display", 800)):
                spend = round(level * weekend * rng.lognormal(0, 0.2), 2)
                impressions = int(spend * 20 * rng.lognormal(0, 0.1))
                if outlier and (day, region, channel) == (OUTLIER_DAY, "FR-IDF", "paid_search"):
                    spend = OUTLIER  # a typo in the spend only: delivery was as usual
                lines.append(f"{day},{campaign},{channel},{region},{impressions},{impressions // 40},{spend}\n")
    return HEADER + "".join(lines)


def _history(engine, tmp_path):
    with engine.begin() as conn:
        conn.execute(insert(Region), [dict(code=code, name=code, level="region", parent_code="FR")
                                      for code in REGIONS])
    return load_file(write(tmp_path / "history.csv", _ads(HISTORY_START, 84, seed=1)), engine=engine)


def _findings(engine, run_id=None):
    query = select(DataQualityFinding)
    if run_id is not None:
        query = query.where(DataQualityFinding.run_id == run_id)
    with Session(engine) as session:
        return session.scalars(query.order_by(DataQualityFinding.id)).all()


def _outlier_line(text: str) -> int:
    """The file line (header = line 1) of the 999,999 row."""
    return next(number for number, line in enumerate(text.splitlines(), start=1) if line.endswith(f",{OUTLIER}"))


def test_the_outlier_is_kept_and_flagged_once_with_its_expected_range(engine, tmp_path):
    history = _history(engine, tmp_path)
    assert history.findings == 0 and _findings(engine) == []  # ordinary history: no false alarm
    text = _ads(WEEK, 7, seed=2, outlier=True)
    report = load_file(write(tmp_path / "week.csv", text), engine=engine)

    assert report.findings == 1 and report.rows_rejected == 0
    stored = scalar(engine, select(AdPerformance.spend).where(
        AdPerformance.date == OUTLIER_DAY, AdPerformance.region_code == "FR-IDF",
        AdPerformance.channel_code == "paid_search"))
    assert stored == OUTLIER  # kept in the facts...
    mart = scalar(engine, select(func.sum(MartDaily.spend)).where(
        MartDaily.date == OUTLIER_DAY, MartDaily.region_code == "FR-IDF", MartDaily.channel_code == "paid_search"))
    assert mart == pytest.approx(OUTLIER)  # ...and in the marts

    [finding] = _findings(engine)
    assert finding.run_id == report.run_id
    assert (finding.file_name, finding.line, finding.column) == ("week.csv", _outlier_line(text), "spend")
    assert (finding.table_name, finding.date, finding.value) == ("fact_ad_performance", OUTLIER_DAY, OUTLIER)
    assert (finding.region_code, finding.channel_code) == ("FR-IDF", "paid_search")
    assert "campaign_code=search" in finding.series_key and "same weekday" in finding.rule
    # the same series' Wednesdays were about 5,000 EUR: the range holds them, not 999,999
    assert 0 <= finding.expected_low < 3000 < 8000 < finding.expected_high < 100_000
    assert finding.expected_low <= finding.typical <= finding.expected_high
    assert finding.severity == "critical"


def test_a_normal_reload_gives_no_finding(engine, tmp_path):
    _history(engine, tmp_path)
    load_file(write(tmp_path / "week.csv", _ads(WEEK, 7, seed=2, outlier=True)), engine=engine)
    corrected = load_file(write(tmp_path / "week_v2.csv", _ads(WEEK, 7, seed=2)), engine=engine)
    assert corrected.counts.updated == 1 and corrected.findings == 0
    again = load_file(write(tmp_path / "history.csv", _ads(HISTORY_START, 84, seed=1)), engine=engine)
    assert again.findings == 0 and len(_findings(engine)) == 1  # only the first run's finding


def test_too_short_a_history_gives_no_finding(engine, tmp_path):
    with engine.begin() as conn:
        conn.execute(insert(Region), [dict(code=code, name=code, level="region", parent_code="FR")
                                      for code in REGIONS])
    # 5 weeks before the outlier: 5 Wednesdays, fewer than the 6 the rule needs
    load_file(write(tmp_path / "short.csv", _ads(WEEK - dt.timedelta(weeks=5), 35, seed=1)), engine=engine)
    report = load_file(write(tmp_path / "week.csv", _ads(WEEK, 7, seed=2, outlier=True)), engine=engine)
    assert report.findings == 0 and _findings(engine) == []


def test_constant_and_zero_series_flag_only_gross_errors(engine, tmp_path):
    """MAD is 0 on a constant series: a raise is no finding, a hundredfold amount is; a
    series of zeros has no scale to judge by."""
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    text = "month,category,region,amount\n" + "".join(
        f"{m},salaries,all,85000\n{m},tools,all,0\n" for m in months)
    assert load_file(write(tmp_path / "costs.csv", text), engine=engine).findings == 0
    raise_ = text.replace("2024-12-01,salaries,all,85000", "2024-12-01,salaries,all,92000")
    assert load_file(write(tmp_path / "costs_raise.csv", raise_), engine=engine).findings == 0
    typo = text.replace("2024-12-01,salaries,all,85000", "2024-12-01,salaries,all,8500000") \
               .replace("2024-12-01,tools,all,0", "2024-12-01,tools,all,1200")
    report = load_file(write(tmp_path / "costs_typo.csv", typo), engine=engine)
    [finding] = _findings(engine, report.run_id)
    assert (finding.column, finding.value, finding.line) == ("amount", 8_500_000, 24)
    assert finding.expected_low == 0 and 85_000 < finding.expected_high < 1_000_000


def test_a_failed_load_writes_no_finding(engine, tmp_path, monkeypatch):
    _history(engine, tmp_path)
    from etl import pipeline

    real = pipeline.record_findings

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "record_findings", record_then_fail)
    with pytest.raises(EtlError):
        load_file(write(tmp_path / "week.csv", _ads(WEEK, 7, seed=2, outlier=True)), engine=engine)
    assert _findings(engine) == []
    assert scalar(engine, select(func.count()).select_from(AdPerformance).where(AdPerformance.date >= WEEK)) == 0


def test_cli_prints_the_count_and_lists_the_findings(engine, tmp_path, monkeypatch):
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    _history(engine, tmp_path)
    runner = CliRunner()
    text = _ads(WEEK, 7, seed=2, outlier=True)
    result = runner.invoke(app, ["etl", "load", str(write(tmp_path / "week.csv", text))])
    assert result.exit_code == 0, result.output
    assert "week.csv: 1 data-quality findings" in result.output and "pilotage etl quality 2" in result.output
    result = runner.invoke(app, ["etl", "quality"])  # default: the last run
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "999,999" in row)
    assert "week.csv" in line and f" {_outlier_line(text)} " in line and "spend" in line and " to " in line
    assert "1 data-quality findings" in result.output
    result = runner.invoke(app, ["etl", "quality", "1"])
    assert result.exit_code == 0 and "0 data-quality findings" in result.output


def test_a_reload_of_rows_without_source_lines_is_judged_too(engine, tmp_path):
    """Rows a connector derives have no source line (the demo's): loaded again as the table's whole
    content, they are judged from memory as their first load was (the loader numbers them 0)."""
    from etl.connectors import LoadOptions, connector_for
    from etl.pipeline import apply_batch
    from pilotage.input import LINE, read_table

    with engine.begin() as conn:
        conn.execute(insert(Region), [dict(code=code, name=code, level="region", parent_code="FR")
                                      for code in REGIONS])
    whole = _ads(HISTORY_START, 84, seed=1) + _ads(WEEK, 7, seed=2, outlier=True).removeprefix(HEADER)
    raw = read_table(write(tmp_path / "ads.csv", whole))
    batch = connector_for(raw).prepare(raw, LoadOptions())
    for load in batch.loads:
        load.frame = load.frame.drop(columns=[LINE], errors="ignore")
    first = apply_batch(batch, engine, "canonical", "ads.csv")
    again = apply_batch(batch, engine, "canonical", "ads.csv")
    assert (again.counts.inserted, again.counts.updated) == (0, 0)  # the table's whole content, unchanged
    assert first.findings == again.findings == 1
    assert [(f.run_id, f.line, f.value) for f in _findings(engine)] == [
        (first.run_id, 0, OUTLIER), (again.run_id, 0, OUTLIER)]
