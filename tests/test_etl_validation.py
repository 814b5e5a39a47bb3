"""Every malformed case of a file: accepted spellings load, bad rows are quarantined with
file, line, column, value and what was expected, and a file with a wrong structure is
refused whole with the store left as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from etl.connectors import LoadOptions
from etl.errors import FileRefused
from etl.pipeline import load_file
from pilotage.cli import app
from pilotage.input.columns import Conventions
from pilotage.store.models import AdPerformance, EtlReject, EtlRun, Lead

from .helpers import data_snapshot, rows, scalar, write

HEADER = "date,campaign,channel,region,impressions,clicks,spend\n"


def test_dates_in_every_accepted_spelling(engine, tmp_path):
    # 05/03 and 06-03 fit both day/month and month/day: the load says which (a day above 12 would)
    path = write(tmp_path / "ads.csv", HEADER + "\n".join([
        "2024-03-04,c1,paid_search,FR,100,5,10.50",
        "05/03/2024,c1,paid_search,FR,100,5,10.50",
        "06-03-2024,c1,paid_search,FR,100,5,10.50",
        "45358,c1,paid_search,FR,100,5,10.50",  # Excel serial for 2024-03-07
    ]) + "\n")
    report = load_file(path, engine=engine, options=LoadOptions(conventions=Conventions(date_order="dmy")))
    assert report.rows_rejected == 0
    dates = sorted(d for (d,) in rows(engine, select(AdPerformance.date)))
    assert dates == [dt.date(2024, 3, d) for d in (4, 5, 6, 7)]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_separators_encodings_and_decimal_commas(engine, tmp_path, separator, encoding):
    decimal = "," if separator != "," else "."
    lines = [
        ["date", "campaign", "campaign_name", "channel", "region", "impressions", "clicks", "spend"],
        ["2024-03-04", "été", "Opération été", "paid_search", "FR", "1 200", "5", f"1 234{decimal}56"],
    ]
    text = "\n".join(separator.join(cells) for cells in lines) + "\n"
    report = load_file(write(tmp_path / "ads.csv", text, encoding), engine=engine)
    assert report.rows_rejected == 0, report.counts.rejects
    ((campaign, impressions, spend),) = rows(engine, select(
        AdPerformance.campaign_code, AdPerformance.impressions, AdPerformance.spend))
    assert (campaign, impressions, spend) == ("été", 1200, pytest.approx(1234.56))


def test_bad_rows_are_quarantined_with_line_column_value_and_expectation(engine, tmp_path):
    path = write(tmp_path / "ads.csv", HEADER + "\n".join([
        "2024-03-04,c1,paid_search,FR,100,5,10.50",
        "2024-13-45,c1,paid_search,FR,100,5,10.50",   # line 3: impossible date
        "2024-03-05,c1,carrier_pigeon,FR,100,5,1",    # line 4: unknown channel
        "2024-03-06,c1,paid_search,FR,lots,5,1",      # line 5: not a number
        "2024-03-07,c1,paid_search,FR,100,5,-3",      # line 6: negative spend
        "2024-03-08,c1,paid_search,MOON,100,5,1",     # line 7: unknown region
        "2024-03-09,c1,paid_search,FR,10,50,1",       # line 8: more clicks than impressions
        "2024-03-04,c1,paid_search,FR,100,5,10.50",   # line 9: duplicate of line 2
        "2024-03-10,c1,paid_search,FR,100,5",         # line 10: a field missing
    ]) + "\n")
    report = load_file(path, engine=engine)
    assert report.counts.inserted == 1
    assert report.rows_read == 9 and report.rows_rejected == 8
    with engine.connect() as conn:
        stored = {r.line: r for r in conn.execute(select(EtlReject).where(EtlReject.run_id == report.run_id))}
    assert set(stored) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert all(r.file_name == "ads.csv" for r in stored.values())
    assert stored[3].column == "date (column 1)" and stored[3].value == "2024-13-45"
    assert "a date" in stored[3].expected
    assert stored[4].column == "channel (column 3)" and "one of" in stored[4].expected
    assert stored[5].value == "lots" and "whole number" in stored[5].expected
    assert stored[6].value == "-3" and ">= 0" in stored[6].expected
    assert stored[7].value == "MOON" and "known region" in stored[7].expected
    assert "clicks <= impressions" in stored[8].expected
    assert "appears twice" in stored[9].expected and "line 2" in stored[9].expected
    assert "7 fields" in stored[10].expected
    assert scalar(engine, select(EtlRun.rows_rejected).where(EtlRun.id == report.run_id)) == 8


def test_xlsx_with_date_cells_and_serials(engine, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["date", "campaign", "channel", "region", "impressions", "clicks", "spend"])
    sheet.append([dt.datetime(2024, 3, 4), "c1", "paid_search", "FR", 100, 5, 10.5])
    sheet.append([45358, "c1", "paid_search", "FR", 200, 7, 12.25])
    sheet.append(["not a date", "c1", "paid_search", "FR", 200, 7, 12.25])
    workbook.save(tmp_path / "ads.xlsx")
    report = load_file(tmp_path / "ads.xlsx", engine=engine)
    assert report.counts.inserted == 2
    (reject,) = report.counts.rejects
    assert (reject["line"], reject["column"], reject["value"]) == (4, "date (column A)", "not a date")
    assert scalar(engine, select(func.sum(AdPerformance.spend))) == pytest.approx(22.75)


def test_missing_required_column_refuses_the_whole_file(engine, tmp_path):
    load_file(write(tmp_path / "first.csv", HEADER + "2024-03-04,c1,paid_search,FR,100,5,10\n"), engine=engine)
    before = data_snapshot(engine)
    bad = write(tmp_path / "no_spend.csv", "date,campaign,channel,region,impressions,clicks\n"
                                           "2024-03-05,c1,paid_search,FR,100,5\n")
    with pytest.raises(FileRefused, match="'spend' missing"):
        load_file(bad, source="ad_performance", engine=engine)
    assert data_snapshot(engine) == before
    refused = scalar(engine, select(EtlRun.status).where(EtlRun.file_name == "no_spend.csv"))
    assert refused == "refused"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.csv", "colour,size\nred,3\n", "unknown format"),
    ("report.pdf", "%PDF-1.4", "unknown file format '.pdf'"),
    ("empty.csv", "", "the file is empty"),
    ("header.csv", "date,,channel\n2024-01-01,x,y\n", "empty column name"),
    ("twice.csv", "date,date,spend\n2024-01-01,2024-01-01,3\n", "appears twice"),
])
def test_unreadable_structures_are_refused(engine, tmp_path, name, content, message):
    before = data_snapshot(engine)
    with pytest.raises(FileRefused, match=message):
        load_file(write(tmp_path / name, content), engine=engine)
    assert data_snapshot(engine) == before


def test_leads_stage_dates_must_follow_creation(engine, tmp_path):
    path = write(tmp_path / "leads.csv", "lead_id,created_at,channel,region,won_at,lost_at\n"
                 "a,2024-03-04,paid_search,FR,2024-03-01,\n"
                 "b,2024-03-04,paid_search,FR,2024-04-01,2024-04-02\n"
                 "c,2024-03-04,paid_search,FR,2024-04-01,\n")
    report = load_file(path, engine=engine)
    assert report.counts.inserted == 1
    reasons = {r["line"]: r["expected"] for r in report.counts.rejects}
    assert "on or after created_at" in reasons[2] and "not both" in reasons[3]


def test_personal_data_is_never_stored(engine, tmp_path):
    path = write(tmp_path / "leads.csv", "email,phone,created_at,channel,region\n"
                 "Jane.Doe@Example.com,+33 6 12 34 56 78,2024-03-04,paid_search,FR\n"
                 "jane.doe@example.com ,+33 6 12 34 56 78,2024-03-05,paid_search,FR\n")
    report = load_file(path, engine=engine)
    # the same person twice (case and spaces differ): one lead, the second row a duplicate
    assert report.counts.inserted == 1 and report.rows_rejected == 1
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(select(Lead)) for v in row)
        rejects = " ".join(str(v) for row in conn.execute(select(EtlReject.value, EtlReject.expected)) for v in row)
    assert "jane" not in stored.lower() and "56 78" not in stored
    assert "jane" not in rejects.lower()


def test_cli_exit_codes_and_messages(engine, tmp_path, monkeypatch):
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    runner = CliRunner()
    good = write(tmp_path / "ads.csv", HEADER + "2024-03-04,c1,paid_search,FR,100,5,10\n2024-03-05,c1,x,FR,1,1,1\n")
    result = runner.invoke(app, ["etl", "load", str(good)])
    assert result.exit_code == 0, result.output
    assert "ads.csv" in result.output and "1 rejected rows" in result.output
    result = runner.invoke(app, ["etl", "load", str(good), "--fail-on-rejects"])
    assert result.exit_code == 3
    bad = write(tmp_path / "bad.csv", "date,campaign\n2024-03-04,c1\n")
    result = runner.invoke(app, ["etl", "load", str(bad), "--source", "ad_performance"])
    assert result.exit_code == 1
    assert "bad.csv: refused" in result.output and "'channel'" in result.output
    result = runner.invoke(app, ["etl", "rejects", "1"])
    assert result.exit_code == 0 and "expected a known channel" not in result.output


def test_empty_optional_cells_take_their_default_and_text_is_stripped():
    import pandas as pd

    from etl.validation import Field, validate

    table = pd.DataFrame({"campaign": ["", "  ", " c1 "], "region": [" ", "FR", ""], "qualified": ["", "oui", " "]},
                         dtype=str).assign(_line=[2, 3, 4])
    typed = validate(table, [Field("campaign", "text", nullable=True, default=""),
                             Field("region", "code", nullable=True, default="all"),
                             Field("qualified", "boolean", nullable=True, default=False)]).frame
    assert typed["campaign"].tolist() == ["", "", "c1"]
    assert typed["region"].tolist() == ["all", "FR", "all"]
    assert typed["qualified"].tolist() == [False, True, False]
