"""Issue 9: a date's day/month order and a number's decimal mark are decided per column, never row
by row. A US re-export of the Olist leads (M/D/YYYY, no zero padding, landing_page_id dropped)
must mean the same leads as the original file (DD-MM-YYYY), on the excerpt and on the full file."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from etl.connectors import LoadOptions
from etl.pipeline import load_file
from pilotage.cli import app
from pilotage.input.columns import Conventions
from pilotage.input.errors import InputError
from pilotage.settings import shared_data_folder
from pilotage.store.models import AdPerformance, EtlRun, Lead

from .helpers import data_snapshot, rows, scalar, write

LEADS = "olist_marketing_qualified_leads_dataset.csv"
EXCERPT = Path(__file__).parent / "fixtures" / "exports" / "olist" / LEADS


def full_file() -> Path:
    path = shared_data_folder() / "olist" / LEADS
    if not path.exists():
        pytest.skip(f"the full Olist leads file is not at {path}")
    return path


def us_reexport(original: Path, folder: Path) -> Path:
    """The same leads as a US spreadsheet writes them: M/D/YYYY without zero padding, no landing page."""
    with original.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    target = folder / f"us_{original.name}"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mql_id", "first_contact_date", "origin"])
        for record in records:
            day = dt.datetime.strptime(record["first_contact_date"], "%d-%m-%Y")
            writer.writerow([record["mql_id"], f"{day.month}/{day.day}/{day.year}", record["origin"]])
    return target


def leads_per_month(engine) -> Counter:
    return Counter((d.year, d.month) for (d,) in rows(engine, select(Lead.created_at)))


@pytest.fixture(params=["excerpt", "full"])
def olist_leads(request) -> Path:
    return EXCERPT if request.param == "excerpt" else full_file()


def test_us_reexport_over_the_original_changes_nothing(engine, tmp_path, olist_leads):
    first = load_file(olist_leads, engine=engine)
    assert first.rows_rejected == 0
    again = load_file(us_reexport(olist_leads, tmp_path), engine=engine)
    assert again.source_type == "olist_mql"
    assert (again.counts.inserted, again.counts.updated, again.rows_rejected) == (0, 0, 0)
    assert again.counts.unchanged == first.counts.inserted


def test_us_reexport_alone_gives_the_same_months(engine, tmp_path, olist_leads):
    load_file(olist_leads, engine=engine)
    original = leads_per_month(engine)
    with engine.begin() as conn:
        conn.execute(Lead.__table__.delete())
    report = load_file(us_reexport(olist_leads, tmp_path), engine=engine)
    assert report.rows_rejected == 0
    assert leads_per_month(engine) == original
    assert sum(original.values()) == report.counts.inserted


AMBIGUOUS = ("mql_id,first_contact_date,origin\n"
             "a1,2/1/2018,social\n"
             "a2,3/4/2018,paid_search\n"
             "a3,12/11/2017,email\n")


def test_only_ambiguous_dates_refuse_the_file(engine, tmp_path):
    load_file(EXCERPT, engine=engine)
    before = data_snapshot(engine)
    path = write(tmp_path / "leads.csv", AMBIGUOUS)
    with pytest.raises(InputError) as refused:
        load_file(path, engine=engine)
    error = refused.value
    assert (error.file, error.column) == ("leads.csv", "first_contact_date (column 2)")
    assert error.params["examples"] == ["2/1/2018", "3/4/2018"]
    assert "'2/1/2018' and '3/4/2018'" in str(error) and "--date-order" in str(error)
    assert data_snapshot(engine) == before
    assert scalar(engine, select(EtlRun.status).where(EtlRun.file_name == "leads.csv")) == "refused"


@pytest.mark.parametrize(("order", "expected"), [("mdy", dt.date(2018, 2, 1)), ("dmy", dt.date(2018, 1, 2))])
def test_the_given_order_decides_ambiguous_dates(engine, tmp_path, order, expected):
    path = write(tmp_path / "leads.csv", AMBIGUOUS)
    report = load_file(path, engine=engine, options=LoadOptions(conventions=Conventions(date_order=order)))
    assert report.counts.inserted == 3
    assert scalar(engine, select(func.min(Lead.created_at))).date() == min(
        expected, dt.date(2017, 12, 11) if order == "mdy" else dt.date(2017, 11, 12))


def test_a_column_mixing_both_orders_is_refused(engine, tmp_path):
    path = write(tmp_path / "leads.csv", "mql_id,first_contact_date,origin\n"
                 "a1,25/01/2018,social\na2,01/25/2018,social\n")
    with pytest.raises(InputError, match="mix day/month/year and month/day/year") as refused:
        load_file(path, engine=engine)
    assert refused.value.params["examples"] == ["25/01/2018", "01/25/2018"]
    assert scalar(engine, select(func.count()).select_from(Lead)) == 0


def test_a_given_order_rejects_the_rows_that_do_not_fit_it(engine, tmp_path):
    path = write(tmp_path / "leads.csv", "mql_id,first_contact_date,origin\n"
                 "a1,2/1/2018,social\na2,2/25/2018,social\n")
    report = load_file(path, engine=engine, options=LoadOptions(conventions=Conventions(date_order="dmy")))
    assert report.counts.inserted == 1
    (reject,) = report.counts.rejects
    assert (reject["line"], reject["value"]) == (3, "2/25/2018")
    assert "day/month/year" in reject["expected"]


def test_datetimes_follow_the_same_rule(engine, tmp_path):
    header = "lead_id,created_at,channel,region,won_at\n"
    path = write(tmp_path / "leads.csv", header + "a,02-01-2024 10:30,paid_search,FR,\n"
                 "b,03-01-2024 09:00,paid_search,FR,14-01-2024 16:45\n")
    # created_at alone is ambiguous, but won_at is a column of its own: refused, naming created_at
    with pytest.raises(InputError) as refused:
        load_file(path, engine=engine)
    assert refused.value.column.startswith("created_at")
    report = load_file(path, engine=engine, options=LoadOptions(conventions=Conventions(date_orders={
        "created_at": "dmy"})))
    assert report.counts.inserted == 2
    assert scalar(engine, select(func.max(Lead.won_at))) == dt.datetime(2024, 1, 14, 16, 45)
    assert scalar(engine, select(func.min(Lead.created_at))) == dt.datetime(2024, 1, 2, 10, 30)


ADS = "date,campaign,channel,region,impressions,clicks,spend\n"


def test_ambiguous_decimals_refuse_the_file_unless_told(engine, tmp_path):
    path = write(tmp_path / "ads.csv", ADS + "2024-03-04,c1,paid_search,FR,100,5,\"1,234\"\n"
                                            "2024-03-05,c1,paid_search,FR,100,5,\"2,500\"\n")
    before = data_snapshot(engine)
    with pytest.raises(InputError, match="thousands separator and a decimal mark") as refused:
        load_file(path, engine=engine)
    assert refused.value.column == "spend (column 7)"
    assert refused.value.params["examples"] == ["1,234", "2,500"]
    assert data_snapshot(engine) == before
    load_file(path, engine=engine, options=LoadOptions(conventions=Conventions(decimal="point")))
    assert scalar(engine, select(func.sum(AdPerformance.spend))) == pytest.approx(3734)


def test_one_decisive_value_types_the_whole_column(engine, tmp_path):
    path = write(tmp_path / "ads.csv", ADS.replace(",", ";") + "2024-03-04;c1;paid_search;FR;100;5;1,234\n"
                                                              "2024-03-05;c1;paid_search;FR;100;5;2,5\n")
    report = load_file(path, engine=engine)
    assert report.rows_rejected == 0
    assert scalar(engine, select(func.sum(AdPerformance.spend))) == pytest.approx(3.73, abs=0.01)


def test_cli_date_order_option_and_refusal_exit_code(engine, tmp_path, monkeypatch):
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    path = write(tmp_path / "leads.csv", AMBIGUOUS)
    runner = CliRunner()
    result = runner.invoke(app, ["etl", "load", str(path)])
    assert result.exit_code == 1
    assert "leads.csv" in result.output and "first_contact_date" in result.output
    assert "'2/1/2018' and '3/4/2018'" in result.output
    assert scalar(engine, select(func.count()).select_from(Lead)) == 0
    result = runner.invoke(app, ["etl", "load", str(path), "--date-order", "mdy"])
    assert result.exit_code == 0, result.output
    assert scalar(engine, select(func.count()).select_from(Lead)) == 3


def test_mapping_file_carries_the_date_order_and_decimal(engine, tmp_path):
    export = write(tmp_path / "crm.csv", "Record ID;Create Date;Original Source;Région;Amount\n"
                                        "r1;02/01/2024;Paid Search;FR;1.500\n"
                                        "r2;03/01/2024;Paid Search;FR;2.000\n")
    mapping = write(tmp_path / "crm.toml", 'format = "leads"\nsource_system = "crm"\n'
                    'date_order = "mdy"\n[decimals]\ndeal_value = "comma"\n'
                    '[columns]\nlead_id = "Record ID"\ncreated_at = "Create Date"\n'
                    'channel = "Original Source"\nregion = "Région"\ndeal_value = "Amount"\n'
                    '[values.channel]\n"Paid Search" = "paid_search"\n')
    report = load_file(export, mapping=mapping, engine=engine)
    assert report.rows_rejected == 0, report.counts.rejects
    assert sorted(d for (d,) in rows(engine, select(Lead.created_at))) == [
        dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 1)]
    assert scalar(engine, select(func.sum(Lead.deal_value))) == pytest.approx(3500)


def test_the_sample_mapping_says_how_its_crm_writes_dates_and_amounts(engine, tmp_path):
    samples = Path(__file__).parents[1] / "etl" / "formats" / "samples"
    report = load_file(samples / "crm_export_leads.csv", mapping=samples / "crm_export_leads.toml", engine=engine)
    assert report.rows_rejected == 0, report.counts.rejects
    assert report.source_type == "leads (mapping crm_export_leads.toml)"
    assert scalar(engine, select(func.min(Lead.created_at))) == dt.datetime(2024, 3, 4)
    assert scalar(engine, select(func.max(Lead.deal_value))) >= 24_500


def test_a_mapping_with_a_long_name_is_logged_whole(engine, tmp_path):
    """etl_run.source_type holds "leads (mapping <file name>)" for any file name (it was VARCHAR(32),
    which PostgreSQL enforces: the load failed when it logged its run)."""
    name = "crm_export_of_the_north_east_region_leads_with_their_stages_" + "x" * 120 + ".toml"
    mapping = write(tmp_path / name, 'format = "leads"\nsource_system = "crm"\n[columns]\nlead_id = "Id"\n')
    export = write(tmp_path / "export.csv", "Id,created_at,channel,region\nA,2024-02-01,organic,FR\n")
    report = load_file(export, mapping=mapping, engine=engine)
    assert report.status == "loaded" and report.counts.inserted == 1
    assert rows(engine, select(EtlRun.source_type, EtlRun.status)) == [(f"leads (mapping {name})", "loaded")]


@pytest.mark.postgres
def test_migration_0009_widens_the_run_log_source_type(postgres_url):
    from alembic import command
    from sqlalchemy import inspect

    from pilotage.store.engine import get_engine
    from pilotage.store.migrate import alembic_config, upgrade

    engine = get_engine(postgres_url)

    def width() -> int:
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("etl_run")}
        return columns["source_type"].length

    assert width() == 500
    config = alembic_config(engine)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0008")
        assert width() == 32
    finally:
        upgrade(engine)
    assert width() == 500


def test_a_mapping_with_an_unknown_date_order_is_refused(tmp_path):
    from etl.connectors.mapping import MappingError, read_mapping

    mapping = write(tmp_path / "crm.toml", 'format = "leads"\ndate_order = "dm"\n')
    with pytest.raises(MappingError, match="expected one of dmy, mdy, ymd"):
        read_mapping(mapping)
    mapping = write(tmp_path / "crm.toml", 'format = "leads"\n[decimals]\nturnover = "comma"\n')
    with pytest.raises(MappingError, match=r"\[decimals\] names no column"):
        read_mapping(mapping)
