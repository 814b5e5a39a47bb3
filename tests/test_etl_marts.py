"""Marts: the open pipeline (GPMRR) as movements, the rep mart, the source dimension, and
the rebuild of every mart when a store is upgraded across a revision that recreates them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from etl.marts import rebuild_all
from etl.pipeline import load_file, rebuild_marts
from pilotage.store.engine import data_version
from pilotage.store.models import MartMonthly, MartRepMonthly

from .helpers import rows, write

LEADS = (
    "lead_id,created_at,channel,region,source,rep,opportunity_at,won_at,lost_at,deal_value,monthly_amount\n"
    "A,2024-01-10,paid_search,FR,google / cpc,rep-a,2024-01-20,2024-03-05,,1000,100\n"   # open Jan-Feb, won Mar
    "B,2024-01-11,paid_search,FR,bing / cpc,rep-a,2024-02-01,,2024-02-25,2000,200\n"    # opened and lost in Feb
    "C,2024-02-02,organic,FR,google / organic,rep-b,2024-02-10,,,3000,300\n"            # still open
    "D,2024-02-03,organic,FR,google / organic,rep-b,,,,,\n"                             # never an opportunity
)


def gpmrr_at_month_end(engine, month: dt.date) -> float:
    """Open pipeline MRR at the end of ``month``: what opened minus what closed, so far."""
    opened, closed = rows(engine, select(
        func.sum(MartMonthly.pipeline_opened_mrr), func.sum(MartMonthly.pipeline_closed_mrr),
    ).where(MartMonthly.month <= month))[0]
    return opened - closed


def test_open_pipeline_and_rep_mart(engine, tmp_path):
    load_file(write(tmp_path / "leads.csv", LEADS), source="leads", engine=engine)
    assert gpmrr_at_month_end(engine, dt.date(2024, 1, 1)) == 100.0          # A
    assert gpmrr_at_month_end(engine, dt.date(2024, 2, 1)) == 100.0 + 300.0  # A and C (B lost)
    assert gpmrr_at_month_end(engine, dt.date(2024, 3, 1)) == 300.0          # C only
    by_source = dict(rows(engine, select(MartMonthly.source_code, func.sum(MartMonthly.leads))
                          .group_by(MartMonthly.source_code)))
    assert by_source == {"google / cpc": 1, "bing / cpc": 1, "google / organic": 2}
    reps = {(str(r.month), r.rep_code): (r.leads, r.opportunities, r.won, r.lost, r.won_value)
            for r in rows(engine, select(MartRepMonthly))}
    assert reps[("2024-01-01", "rep-a")] == (2, 1, 0, 0, 0.0)
    assert reps[("2024-02-01", "rep-a")] == (0, 1, 0, 1, 0.0)
    assert reps[("2024-03-01", "rep-a")] == (0, 0, 1, 0, 1000.0)
    assert reps[("2024-02-01", "rep-b")] == (2, 1, 0, 0, 0.0)


def test_rep_mart_counts_closed_opportunities_the_win_rate_divides(engine, tmp_path):
    """Issue 14: the rep's win rate is won ÷ opportunities closed (won or lost) in the month; a lead lost
    before it was an opportunity is lost, not a closed opportunity, and a deal closes once."""
    extra = ("E,2024-02-04,organic,FR,google / organic,rep-b,,,2024-02-20,,\n"           # lost before opportunity
             "F,2024-02-05,organic,FR,google / organic,rep-b,2024-02-06,2024-02-26,,500,50\n")  # opened and won Feb
    load_file(write(tmp_path / "leads.csv", LEADS + extra), source="leads", engine=engine)
    reps = {(str(r.month), r.rep_code): (r.won, r.lost, r.pipeline_closed)
            for r in rows(engine, select(MartRepMonthly))}
    assert reps[("2024-01-01", "rep-a")] == (0, 0, 0)
    assert reps[("2024-02-01", "rep-a")] == (0, 1, 1)  # B: opened and lost
    assert reps[("2024-03-01", "rep-a")] == (1, 0, 1)  # A: won
    assert reps[("2024-02-01", "rep-b")] == (1, 1, 1)  # F won; E lost but never an opportunity
    won = sum(v[0] for v in reps.values())
    closed = sum(v[2] for v in reps.values())
    assert (won, closed) == (2, 3)  # A and F won, B lost: C is still open, D and E never opportunities
    from dashapp.semantic import metrics

    assert metrics.value("opportunity_win_rate", {"won": won, "pipeline_closed": closed}) == pytest.approx(2 / 3)
    with engine.begin() as conn:  # the rebuild (SQL) gives what the load (summed in memory) gave
        rebuild_all(conn)
    assert {(str(r.month), r.rep_code): (r.won, r.lost, r.pipeline_closed)
            for r in rows(engine, select(MartRepMonthly))} == reps


def test_migration_0010_adds_the_rep_closed_count(engine):
    from alembic import command
    from sqlalchemy import inspect

    from pilotage.store.migrate import alembic_config, upgrade

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("mart_rep_monthly")}

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
    assert "pipeline_closed" not in columns() and "won" in columns()
    upgrade(engine)
    assert "pipeline_closed" in columns()


def test_rebuild_gives_what_incremental_refresh_gave(engine, tmp_path):
    load_file(write(tmp_path / "leads.csv", LEADS), source="leads", engine=engine)
    snapshot = lambda: sorted(map(tuple, rows(engine, select(MartMonthly))))  # noqa: E731
    before = snapshot()
    with engine.begin() as conn:
        rebuild_all(conn)
    assert snapshot() == before


def test_a_logged_rebuild_changes_the_data_version_the_app_caches_on(engine, tmp_path):
    load_file(write(tmp_path / "leads.csv", LEADS), source="leads", engine=engine)
    before, marts = data_version(engine), sorted(map(tuple, rows(engine, select(MartMonthly))))
    run_id = rebuild_marts(engine, run_by="tester")
    assert data_version(engine) != before and data_version(engine).startswith(f"{run_id}@")
    assert sorted(map(tuple, rows(engine, select(MartMonthly)))) == marts


def test_upgrade_across_a_mart_revision_rebuilds_the_marts(engine, tmp_path):
    from alembic import command

    from pilotage.store.migrate import alembic_config, upgrade

    load_file(write(tmp_path / "leads.csv", LEADS), source="leads", engine=engine)
    before = sorted(map(tuple, rows(engine, select(MartMonthly))))
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")   # the marts come back empty, in their old shape
    upgrade(engine, rebuild_marts=rebuild_all)
    assert sorted(map(tuple, rows(engine, select(MartMonthly)))) == before


# --- the refresh of one family of facts, and the funnel summed in memory, give what a rebuild gives ---

def _mart_rows(engine) -> dict[str, list[tuple]]:
    from pilotage.store.models import MartCohortMonthly, MartDaily, MartRepMonthly

    return {model.__tablename__: sorted(tuple(str(v) if isinstance(v, dt.date) else v for v in row)
                                        for row in rows(engine, select(model)))
            for model in (MartDaily, MartMonthly, MartCohortMonthly, MartRepMonthly)}


def _assert_same_marts(refreshed: dict, rebuilt: dict) -> None:
    for name, expected in rebuilt.items():
        assert len(refreshed[name]) == len(expected), name
        for got, want in zip(refreshed[name], expected, strict=True):
            keys = [v for v in want if isinstance(v, str)]
            assert [v for v in got if isinstance(v, str)] == keys, name
            # float sums may differ in their last digit: the rows are added in another order
            assert [v for v in got if not isinstance(v, str)] == pytest.approx(
                [v for v in want if not isinstance(v, str)], rel=1e-12, abs=1e-9), (name, keys)


@pytest.mark.parametrize(("order", "large"), [
    (("leads", "ads", "leads", "leads_v2", "ads_v2"), False),  # the funnel first: summed in memory into an empty mart
    (("ads", "leads", "ads_v2", "leads_v2"), False),  # ad rows first: the funnel merged into their mart rows
    # A "large" first load (PostgreSQL: copied unsorted on its own thread, its key built after the
    # rows) while the funnel is summed from the same rows in memory.
    (("leads", "ads", "leads_v2"), True),
])
def test_refreshes_give_what_a_rebuild_gives(engine, tmp_path, monkeypatch, order, large):
    from etl.demo.export import write_canonical_csv
    from etl.demo.generate import generate
    from etl.demo.load import ensure_dimensions

    company = generate(seed=3, leads=3_000, years=1, end=dt.date(2025, 6, 30))
    files = write_canonical_csv(company, tmp_path, tables=("leads", "ad_performance"))
    leads, ads = (files[name].read_text(encoding="utf-8").splitlines() for name in ("leads", "ad_performance"))
    header = ads[0].split(",")
    # The corrected ad file: rows all zero (they must stay in the mart), one row gone, rows moved to
    # another channel (their old mart rows must go, or keep the funnel's measures alone).
    ads_v2 = [ads[0]]
    for number, line in enumerate(ads[1:]):
        cells = line.split(",")
        if number == 7:
            continue
        if number < 12:
            for measure in ("impressions", "clicks", "spend", "conversions"):
                cells[header.index(measure)] = "0"
        if number % 50 == 0:
            cells[header.index("channel")] = "display"
        ads_v2.append(",".join(cells))
    # The corrected lead file: a few leads change channel, date or amount, and one is lost instead of won.
    lead_header = leads[0].split(",")
    leads_v2 = [leads[0]]
    for number, line in enumerate(leads[1:]):
        cells = line.split(",")
        if number % 97 == 0:
            cells[lead_header.index("channel")] = "organic"
            cells[lead_header.index("campaign")] = ""
        if number % 101 == 0 and cells[lead_header.index("deal_value")]:
            cells[lead_header.index("deal_value")] = "1.5"
        leads_v2.append(",".join(cells))
    paths = {"leads": files["leads"], "ads": files["ad_performance"],
             "leads_v2": write(tmp_path / "leads_v2.csv", "\n".join(leads_v2) + "\n"),
             "ads_v2": write(tmp_path / "ad_performance_v2.csv", "\n".join(ads_v2) + "\n")}
    ensure_dimensions(company, engine)
    if large:
        monkeypatch.setattr("etl.loading.BUILD_INDEXES_AFTER", 2)
    for name in order:
        report = load_file(paths[name], engine=engine)
        assert report.rows_rejected == 0, report.counts.rejects[:3]
    refreshed = _mart_rows(engine)
    with engine.begin() as conn:
        rebuild_all(conn)
    _assert_same_marts(refreshed, _mart_rows(engine))


def test_lead_marts_summed_over_a_whole_file_then_kept_on_some_days_are_those_summed_on_them(tmp_path):
    """A reload's lead marts are summed over every date of its file while the server compares it with
    the store, then kept on the dates the reload touched: exactly what summing on those dates gives."""
    import pandas as pd

    from etl.connectors import LoadOptions, connector_for
    from etl.demo.export import write_canonical_csv
    from etl.demo.generate import generate
    from etl.loading import file_dates
    from etl.marts import sum_lead_marts
    from pilotage.input import read_table

    company = generate(seed=5, leads=2_000, years=1, end=dt.date(2025, 6, 30))
    raw = read_table(write_canonical_csv(company, tmp_path, tables=("leads",))["leads"])
    leads = next(load for load in connector_for(raw).prepare(raw, LoadOptions()).loads
                 if load.table.name == "fact_lead")
    every_day = file_dates(leads.frame, leads.date_columns)
    touched = {day for day in every_day if day.day in (3, 17) and day.month in (1, 2)} | {dt.date(2031, 1, 1)}
    whole, kept = sum_lead_marts(leads.frame, every_day), sum_lead_marts(leads.frame, touched)
    on_touched = whole.on(touched)
    for name in ("activity", "cohorts", "reps"):
        expected = getattr(kept, name)
        assert len(expected) and len(expected) < len(getattr(whole, name)), name
        pd.testing.assert_frame_equal(getattr(on_touched, name), expected, check_exact=True)
