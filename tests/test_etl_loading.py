"""Loading: a corrected file replaces what it covers, marts follow, and a load that fails
or is killed in the middle leaves the store exactly as it was."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from etl.errors import EtlError
from etl.pipeline import load_file
from pilotage.store.models import AdPerformance, EtlRun, Lead, MartCohortMonthly, MartDaily, MartMonthly

from .helpers import data_snapshot, rows, scalar, write

HEADER = "date,campaign,channel,region,impressions,clicks,spend\n"
ORIGINAL = HEADER + (
    "2024-03-04,c1,paid_search,FR,100,5,10.00\n"
    "2024-03-04,c2,paid_search,FR,200,6,20.00\n"
    "2024-03-05,c1,paid_search,FR,300,7,30.00\n"
)


def spend_by_day(engine):
    return {str(d): s for d, s in rows(engine, select(MartDaily.date, func.sum(MartDaily.spend))
                                      .group_by(MartDaily.date))}


def test_corrected_file_replaces_what_it_covers(engine, tmp_path):
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    assert spend_by_day(engine) == {"2024-03-04": 30.0, "2024-03-05": 30.0}
    corrected = HEADER + (
        "2024-03-04,c1,paid_search,FR,100,5,12.50\n"   # corrected spend
        "2024-03-05,c1,paid_search,FR,300,7,30.00\n"   # unchanged
        "2024-03-06,c1,paid_search,FR,400,8,40.00\n"   # new day
    )  # c2 on 2024-03-04 is gone: the corrected file covers that day and no longer has it
    report = load_file(write(tmp_path / "ads_v2.csv", corrected), engine=engine)
    counts = report.counts
    assert (counts.inserted, counts.updated, counts.unchanged, counts.deleted) == (1, 1, 1, 1)
    assert spend_by_day(engine) == {"2024-03-04": 12.5, "2024-03-05": 30.0, "2024-03-06": 40.0}
    assert scalar(engine, select(func.sum(MartMonthly.spend))) == pytest.approx(82.5)


def test_other_channels_on_covered_days_are_kept(engine, tmp_path):
    load_file(write(tmp_path / "search.csv", ORIGINAL), engine=engine)
    social = HEADER + "2024-03-04,s1,paid_social,FR,500,9,50.00\n"
    report = load_file(write(tmp_path / "social.csv", social), engine=engine)
    assert report.counts.deleted == 0
    assert scalar(engine, select(func.count()).select_from(AdPerformance)) == 4


def test_a_lead_moving_month_moves_in_the_marts(engine, tmp_path):
    header = "lead_id,created_at,channel,region,won_at,deal_value\n"
    load_file(write(tmp_path / "l1.csv", header + "a,2024-01-30,paid_search,FR,2024-02-10,100\n"
                                                 "b,2024-01-15,paid_search,FR,,\n"), engine=engine)
    load_file(write(tmp_path / "l2.csv", header + "a,2024-02-02,paid_search,FR,2024-03-10,150\n"), engine=engine)
    monthly = {str(m): (leads, won, value) for m, leads, won, value in rows(engine, select(
        MartMonthly.month, func.sum(MartMonthly.leads), func.sum(MartMonthly.won),
        func.sum(MartMonthly.won_value)).group_by(MartMonthly.month))}
    assert monthly == {"2024-01-01": (1, 0, 0.0), "2024-02-01": (1, 0, 0.0), "2024-03-01": (0, 1, 150.0)}
    cohorts = {str(m): (leads, won) for m, leads, won in rows(engine, select(
        MartCohortMonthly.cohort_month, func.sum(MartCohortMonthly.leads), func.sum(MartCohortMonthly.won))
        .group_by(MartCohortMonthly.cohort_month))}
    assert cohorts == {"2024-01-01": (1, 0), "2024-02-01": (1, 1)}


LEADS_HEADER = "lead_id,created_at,channel,region,won_at,deal_value,monthly_amount\n"
LEADS = LEADS_HEADER + (
    "a,2024-01-30,paid_search,FR,2024-02-10,100,10\n"
    "b,2024-01-15,paid_search,FR,,,\n"
    "c,2024-01-16,paid_search,FR,2024-03-01,300,30\n"
    "d,2024-01-17,paid_search,FR,2024-03-02,400,40\n"
)


def test_a_reload_reports_which_values_it_changed(engine, tmp_path):
    load_file(write(tmp_path / "leads.csv", LEADS), engine=engine)
    again = load_file(write(tmp_path / "leads_again.csv", LEADS), engine=engine)
    assert (again.counts.inserted, again.counts.updated, again.counts.changed_values) == (0, 0, {})
    corrected = LEADS_HEADER + (
        "a,2024-02-02,paid_search,FR,2024-02-10,150,10\n"   # created_at and deal_value changed
        "b,2024-01-15,paid_search,FR,,,\n"                   # unchanged
        "c,2024-01-16,paid_search,FR,2024-03-05,300,35\n"   # won_at and monthly_amount changed
        "d,2024-01-17,paid_search,FR,2024-03-02,450,40\n"   # deal_value changed
        "e,2024-01-18,paid_search,FR,,,\n"                   # new: counts as inserted, changes nothing
    )
    report = load_file(write(tmp_path / "leads_v2.csv", corrected), engine=engine)
    counts = report.counts
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 3, 1)
    assert counts.changed_values == {"created_at": 1, "deal_value": 2, "won_at": 1, "monthly_amount": 1}
    message = scalar(engine, select(EtlRun.message).where(EtlRun.id == report.run_id))
    assert "values changed in 3 existing rows: deal_value 2, created_at 1, monthly_amount 1, won_at 1" in message
    # The store has the new values, and the marts follow the moved dates.
    assert scalar(engine, select(func.sum(Lead.deal_value))) == pytest.approx(900.0)
    assert dict(rows(engine, select(MartMonthly.month, func.sum(MartMonthly.leads)).group_by(MartMonthly.month))
                ) == {dt.date(2024, 1, 1): 4, dt.date(2024, 2, 1): 1, dt.date(2024, 3, 1): 0}


def test_a_changed_ad_row_is_reported_per_column(engine, tmp_path):
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    corrected = ORIGINAL.replace("100,5,10.00", "100,5,12.50").replace("300,7,30.00", "310,7,31.00")
    report = load_file(write(tmp_path / "ads_v2.csv", corrected), engine=engine)
    assert report.counts.updated == 2
    assert report.counts.changed_values == {"spend": 2, "impressions": 1}


def test_a_failure_in_the_middle_leaves_the_store_as_it_was(engine, tmp_path, monkeypatch):
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    before, marts_before = data_snapshot(engine), spend_by_day(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("etl.pipeline.refresh_cohorts", broken)  # after every upsert ran
    changed = HEADER + "2024-03-04,c1,paid_search,FR,100,5,99.00\n2024-03-07,c9,display,FR,1,1,1\n"
    with pytest.raises(EtlError, match="nothing was written.*disk full"):
        load_file(write(tmp_path / "ads_v2.csv", changed), engine=engine)
    assert data_snapshot(engine) == before
    assert spend_by_day(engine) == marts_before
    status, message = rows(engine, select(EtlRun.status, EtlRun.message).order_by(EtlRun.id.desc()).limit(1))[0]
    assert status == "failed" and "disk full" in message


KILLER = textwrap.dedent("""
    import os, signal, sys
    import etl.pipeline
    from pilotage.store.engine import get_engine

    def kill(*args, **kwargs):  # every fact row is written, the transaction is still open
        os.kill(os.getpid(), signal.SIGKILL)

    etl.pipeline.refresh_activity = kill
    etl.pipeline.load_file(sys.argv[1], engine=get_engine(sys.argv[2]))
""")


def test_a_load_killed_in_the_middle_leaves_the_store_as_it_was(engine, tmp_path):
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    header = "lead_id,created_at,channel,region\n"
    big = tmp_path / "leads.csv"
    with open(big, "w") as handle:
        handle.write(header)
        handle.writelines(f"L{i},2024-03-{1 + i % 28:02d},paid_search,FR\n" for i in range(50_000))
    before = data_snapshot(engine)
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.run([sys.executable, "-c", KILLER, str(big), url], env=env, timeout=120)
    assert process.returncode == -9
    engine.dispose()  # drop pooled connections; the killed one held the transaction
    assert data_snapshot(engine) == before
    assert scalar(engine, select(func.count()).select_from(Lead)) == 0
    # and the store is usable: the same file now loads whole
    report = load_file(big, engine=engine)
    assert report.counts.inserted == 50_000


def test_a_run_records_the_operator_never_the_system_login(engine, tmp_path, monkeypatch):
    """The app showed "by root": a command run is "cli", or "cli:" and PILOTAGE_OPERATOR when set."""
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    monkeypatch.delenv("PILOTAGE_OPERATOR", raising=False)
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    monkeypatch.setenv("PILOTAGE_OPERATOR", "data@pilotage.demo")
    load_file(write(tmp_path / "ads_v2.csv", ORIGINAL.replace("10.00", "11.00")), engine=engine)
    assert [r for (r,) in rows(engine, select(EtlRun.run_by).order_by(EtlRun.id))] == [
        "cli", "cli:data@pilotage.demo"]


def test_the_forecast_commands_record_the_operator_too(monkeypatch):
    import getpass

    from forecasting.cli import _who

    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    monkeypatch.delenv("PILOTAGE_OPERATOR", raising=False)
    assert (_who(None), _who("scheduler")) == ("cli", "scheduler")
    monkeypatch.setenv("PILOTAGE_OPERATOR", "planner@pilotage.demo")
    assert _who(None) == "cli:planner@pilotage.demo"


def test_a_large_first_load_builds_its_indexes_after_its_rows(engine, tmp_path, monkeypatch):
    """PostgreSQL: the lead table's primary key and creation-date index are dropped for the copy and
    built after it, in the load's transaction: there after a load, and after a load that failed."""
    from sqlalchemy import inspect

    monkeypatch.setattr("etl.loading.BUILD_INDEXES_AFTER", 2)  # "large" from two rows on
    leads = "lead_id,created_at,channel,region\nA,2024-02-01,organic,FR\nB,2024-02-02,organic,FR\n"

    def indexes() -> set[str]:
        inspector = inspect(engine)
        primary = inspector.get_pk_constraint("fact_lead")
        return {index["name"] for index in inspector.get_indexes("fact_lead")} | (
            {primary["name"]} if primary["constrained_columns"] == ["lead_key"] else set())

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr("etl.pipeline.refresh_cohorts", broken)
        with pytest.raises(EtlError, match="disk full"):
            load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert {"ix_fact_lead_created_at", "pk_fact_lead"} <= indexes()
    assert scalar(engine, select(func.count()).select_from(Lead)) == 0
    report = load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert report.counts.inserted == 2 and {"ix_fact_lead_created_at", "pk_fact_lead"} <= indexes()
    # The daily mart, empty before this first load, is copied the same way: its key is back, and whole.
    assert set(inspect(engine).get_pk_constraint("mart_daily")["constrained_columns"]) == {
        "date", "channel_code", "campaign_code", "source_code", "region_code"}
    assert scalar(engine, select(func.sum(MartDaily.leads))) == 2


def test_hashed_keys_are_compared_byte_by_byte_on_postgresql(engine):
    """The pseudonymised keys are hexadecimal: PostgreSQL keeps them in the "C" collation (migration
    0016), whose byte order builds a large load's primary key in half the time of a locale's."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite compares bytes already")
    collations = dict(rows(engine, text(
        "SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns "
        "WHERE column_name IN ('lead_key', 'customer_key') AND table_schema = 'public'")))
    assert collations == {"fact_lead.lead_key": "C", "fact_subscription.customer_key": "C"}


def test_a_failed_copy_of_a_first_load_leaves_the_store_as_it_was(engine, tmp_path, monkeypatch):
    """PostgreSQL copies a first load on a thread of its own: its failure is the load's, reported and
    rolled back, the run logged as failed."""
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    before = data_snapshot(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr("etl.loading.copy_rows", broken)
    leads = "lead_id,created_at,channel,region\nA,2024-02-01,organic,FR\nB,2024-02-02,organic,FR\n"
    with pytest.raises(EtlError, match="nothing was written.*connection lost"):
        load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert data_snapshot(engine) == before
    status, message = rows(engine, select(EtlRun.status, EtlRun.message).order_by(EtlRun.id.desc()).limit(1))[0]
    assert status == "failed" and "connection lost" in message


@pytest.mark.parametrize("failing", ["etl.pipeline.sum_lead_marts", "etl.pipeline.refresh_reps",
                                     "etl.pipeline.find_outliers"])
def test_a_failure_beside_the_copying_thread_leaves_the_store_as_it_was(engine, tmp_path, monkeypatch, failing):
    """While PostgreSQL copies a first load, the loader sums the marts (then hands their writing to
    the copying thread) and applies the data-quality rule: a failure of any of them, on either
    thread, fails the load without leaving the copying thread waiting, and nothing is written."""
    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    before = data_snapshot(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(failing, broken)
    leads = "lead_id,created_at,channel,region\nA,2024-02-01,organic,FR\nB,2024-02-02,organic,FR\n"
    with pytest.raises(EtlError, match="nothing was written.*out of memory"):
        load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert data_snapshot(engine) == before
    monkeypatch.undo()
    report = load_file(write(tmp_path / "leads.csv", leads), engine=engine)  # the store is usable, its locks gone
    assert report.counts.inserted == 2 and scalar(engine, select(func.sum(MartDaily.leads))) == 2


def test_a_large_file_s_ids_hashed_in_a_child_process_are_the_same_pseudonyms(engine, tmp_path, monkeypatch):
    """From IN_A_CHILD_FROM values on, a leads file's ids are hashed by a child process while the
    loader types the cells: the store gets the same keys as hashing them in process (ids, e-mails
    for leads without one, non-ASCII ids), and rows rejected on the way keep out of the store."""
    import subprocess

    import pandas as pd

    from etl.pseudonymise import normalise_email, pseudonymise

    monkeypatch.setattr("etl.pseudonymise.IN_A_CHILD_FROM", 2)
    monkeypatch.setenv("PILOTAGE_PSEUDONYM_KEY", "a key the child must not see in its environment")
    children, popen = [], subprocess.Popen
    monkeypatch.setattr("etl.pseudonymise.subprocess.Popen",
                        lambda *a, **kw: children.append(kw.get("env")) or popen(*a, **kw))
    leads = ("lead_id,email,created_at,channel,region\n"
             " Léa-1 ,,2024-02-01,organic,FR\n"
             ",  Bob@Example.COM ,2024-02-02,organic,FR\n"
             "X-2,,not a date,organic,FR\n"  # rejected: its id must not reach the store
             "Z-3,z@b.fr,2024-02-03,organic,FR\n")
    report = load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert (report.counts.inserted, report.rows_rejected) == (3, 1)
    expected = pseudonymise(pd.Series(["Léa-1", "email:" + normalise_email(pd.Series([" Bob@Example.COM "]))[0],
                                       "Z-3"]), "canonical")
    assert sorted(key for (key,) in rows(engine, select(Lead.lead_key))) == sorted(expected)
    # the key reaches the child through its standard input only: its environment holds no secret of the loader's
    assert children and all(env is not None and set(env) <= {"PATH"} for env in children)


def test_an_id_given_twice_in_a_large_file_is_still_rejected_with_its_line(engine, tmp_path, monkeypatch):
    """The child hashing a large file's ids tells the loader whether it saw one twice (the loader
    then skips its own search for duplicates): a file that gives an id twice, or twice once the
    e-mail is normalised, keeps the first row and rejects the other with the first one's line."""
    monkeypatch.setattr("etl.pseudonymise.IN_A_CHILD_FROM", 2)
    leads = ("lead_id,email,created_at,channel,region\n"
             "A,,2024-02-01,organic,FR\n"
             ",bob@example.com,2024-02-02,organic,FR\n"
             "B,,2024-02-03,organic,FR\n"
             "A,,2024-02-04,organic,FR\n"
             ", Bob@Example.COM ,2024-02-05,organic,FR\n")
    report = load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert (report.counts.inserted, report.rows_rejected) == (3, 2)
    assert sorted((r["line"], r["code"], r["params"]["line"]) for r in report.counts.rejects) == [
        (5, "reject.duplicate_key", 2), (6, "reject.duplicate_key", 3)]
    assert sorted(day.day for (day,) in rows(engine, select(Lead.created_at))) == [1, 2, 3]
    distinct = "lead_id,created_at,channel,region\nA,2024-02-01,organic,FR\nC,2024-02-06,organic,FR\n"
    report = load_file(write(tmp_path / "distinct.csv", distinct), engine=engine)
    assert (report.counts.inserted, report.rows_rejected) == (1, 0)  # A is in the store already: unchanged


def test_a_failed_hashing_process_fails_the_load_and_leaves_the_store_as_it_was(engine, tmp_path, monkeypatch):
    import sys as system

    load_file(write(tmp_path / "ads.csv", ORIGINAL), engine=engine)
    before = data_snapshot(engine)
    monkeypatch.setattr("etl.pseudonymise.IN_A_CHILD_FROM", 2)
    monkeypatch.setattr(system, "executable", "/bin/false")  # the child exits at once with status 1
    leads = "lead_id,created_at,channel,region\nA,2024-02-01,organic,FR\nB,2024-02-02,organic,FR\n"
    with pytest.raises(EtlError, match="nothing was written.*hashing process failed"):
        load_file(write(tmp_path / "leads.csv", leads), engine=engine)
    assert data_snapshot(engine) == before
