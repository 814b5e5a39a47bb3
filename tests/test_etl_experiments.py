"""The experiments file (lift tests): loaded like any source, every bad row rejected with its reason, a
reload changes nothing, and the migration builds the table the model describes and drops it again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert, inspect, select

from etl.pipeline import load_file
from pilotage.store.models import EtlReject, MediaExperiment, Region

from .helpers import migration_round_trip, write

FIXTURE = Path(__file__).parent / "fixtures" / "experiments" / "experiments.csv"


def _regions(engine, *codes: str) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Region), [{"code": c, "name": c, "level": "region", "parent_code": "FR"} for c in codes])


def _experiments(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            MediaExperiment.channel_code, MediaExperiment.regions, MediaExperiment.start_date,
            MediaExperiment.end_date, MediaExperiment.incremental_leads, MediaExperiment.lo, MediaExperiment.hi,
            MediaExperiment.spend).order_by(MediaExperiment.channel_code))]


def test_the_example_file_loads_its_good_rows_and_rejects_the_others_with_reasons(engine):
    _regions(engine, "FR-IDF", "FR-ARA")
    report = load_file(FIXTURE, engine=engine)
    assert report.source_type == "experiments"
    assert _experiments(engine) == [
        ("display", "*", dt.date(2024, 5, 1), dt.date(2024, 5, 31), 60.0, 20.0, 100.0, None),
        ("paid_social", "FR-ARA;FR-IDF", dt.date(2024, 3, 1), dt.date(2024, 3, 31), 120.0, 80.0, 160.0, 25000.0),
    ]
    with engine.connect() as conn:
        rejects = {r.line: (r.column.split(" (")[0], r.code) for r in conn.execute(select(EtlReject))}
    data_lines = FIXTURE.read_text().count("\n") - 1
    assert len(rejects) + len(_experiments(engine)) == data_lines
    assert rejects == {
        4: ("end", "reject.experiment_dates"),
        5: ("lo", "reject.experiment_interval"),
        6: ("regions", "reject.unknown_code"),
        7: ("channel", "reject.choice"),
    }


def test_reloading_the_file_changes_nothing_and_a_corrected_file_replaces_it(engine, tmp_path):
    _regions(engine, "FR-IDF", "FR-ARA")
    load_file(FIXTURE, engine=engine)
    before = _experiments(engine)
    again = load_file(FIXTURE, engine=engine)
    assert (again.counts.inserted, again.counts.updated, again.counts.deleted) == (0, 0, 0)
    assert _experiments(engine) == before
    header = FIXTURE.read_text().splitlines()[0]
    corrected = write(tmp_path / "experiments_v2.csv",
                      header + "\npaid_social,FR-IDF;FR-ARA,2024-03-01,2024-03-31,100,70,130,25000,re-read\n")
    report = load_file(corrected, engine=engine)
    assert (report.counts.updated, report.counts.deleted) == (1, 1)
    assert [e[4] for e in _experiments(engine)] == [100.0]


def test_an_estimate_outside_its_own_interval_is_rejected(engine, tmp_path):
    header = FIXTURE.read_text().splitlines()[0]
    report = load_file(write(tmp_path / "e.csv", header + "\npaid_search,*,2024-01-01,2024-01-31,200,10,90,,\n"),
                       engine=engine)
    reasons = [(r["column"], r["code"]) for r in report.counts.rejects]
    assert reasons == [("incremental_leads", "reject.experiment_estimate")]
    assert _experiments(engine) == []


def test_migration_creates_and_drops_the_experiment_table(engine):
    assert "media_experiment" in inspect(engine).get_table_names()
    left, diff = migration_round_trip(engine, "0014", ("media_experiment",))
    assert "media_experiment" not in left and "fact_lead" in left
    assert "media_experiment" in inspect(engine).get_table_names() and diff == []


def test_the_same_file_as_a_workbook_loads_the_same_experiments(engine, tmp_path):
    import csv

    from openpyxl import Workbook

    _regions(engine, "FR-IDF", "FR-ARA")
    book = Workbook()
    sheet = book.active
    for row in csv.reader(FIXTURE.read_text().splitlines()):
        sheet.append(row)
    book.save(tmp_path / "experiments.xlsx")
    report = load_file(tmp_path / "experiments.xlsx", engine=engine)
    assert report.source_type == "experiments" and report.counts.inserted == 2
    assert [e[:2] for e in _experiments(engine)] == [("display", "*"), ("paid_social", "FR-ARA;FR-IDF")]
