"""Every rejected row keeps its reason as a code and parameters (``etl_reject.code`` / ``params``) beside the
English text the command line prints, and the app has both languages for every code the ETL can write: the
admin page's rejects grid reads in French on a French page (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dashapp import i18n
from etl.pipeline import load_file
from etl.validation import KINDS, Field
from pilotage.store.models import EtlReject

from .helpers import rows, write

ROOT = Path(__file__).resolve().parents[1]
CODE_LITERAL = re.compile(r"""["'](reject\.[a-z_]+)["']""")

LEADS = (
    "lead_id,email,created_at,mql_at,won_at,lost_at,channel,region,qualified,deal_value\n"
    "a,,2024-03-01,2024-03-02,,,paid_search,FR,yes,\n"
    ",,2024-03-01,,,,paid_search,FR,no,\n"                       # 3: no lead_id and no e-mail
    "c,,2024-03-05,2024-03-01,,,paid_search,FR,no,\n"            # 4: MQL before creation
    "d,,2024-03-01,,2024-03-09,2024-03-10,paid_search,FR,no,\n"  # 5: won and lost
    "e,,2024-31-01,,,,paid_search,FR,perhaps,-5\n"               # 6: three bad cells
    "f,,2024-03-01,,,,carrier_pigeon,FR,no,\n"                   # 7: unknown channel
    "g,,2024-03-01,,,,paid_search,FR-MOON,no,\n"                 # 8: unknown region
    "a,,2024-03-01,,,,paid_search,FR,no,\n"                      # 9: a twice
    "h,,2024-03-01,,,,paid_search,FR\n"                          # 10: a field short
)


def test_every_code_the_etl_can_write_has_both_languages():
    codes = set()
    for folder in ("etl", "pilotage/input"):
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    for kind in KINDS:
        for minimum in (None, 0):
            for order in (None, "dmy", "mdy", "ymd"):
                codes.add(Field("x", kind, minimum=minimum, choices=("a",)).reason(order)[0])
    assert {"reject.empty", "reject.unknown_code", "reject.clicks_over_impressions"} <= codes
    assert sorted(code for code in codes if code not in i18n.MESSAGES) == []


def test_rejected_rows_keep_a_code_the_app_translates(engine, tmp_path):
    report = load_file(write(tmp_path / "leads.csv", LEADS), source="leads", engine=engine)
    assert report.rows_rejected == 8  # every line but the first
    stored = {r.line: r for r in rows(engine, select(EtlReject).where(EtlReject.run_id == report.run_id))}
    codes = {line: r.code for line, r in stored.items()}
    assert codes == {3: "reject.lead_identity", 4: "reject.stage_order", 5: "reject.won_and_lost",
                     6: "reject.several", 7: "reject.choice", 8: "reject.unknown_code", 9: "reject.duplicate_key",
                     10: "reject.fields"}, codes
    several = json.loads(stored[6].params)["problems"]
    assert [(p["column"].split(" (")[0], p["code"]) for p in several] == [
        ("created_at", "reject.datetime"), ("qualified", "reject.boolean"), ("deal_value", "reject.decimal_min")]
    assert json.loads(stored[9].params) == {"columns": "lead_key", "line": 2}
    for line, row in stored.items():
        english = i18n.reject_reason(row.code, row.params, "?", "en")
        french = i18n.reject_reason(row.code, row.params, "?", "fr")
        assert "?" not in (english, french) and english != french, line
    assert i18n.reject_reason(stored[8].code, stored[8].params, "", "fr").startswith("un code de région connu (")
    assert i18n.reject_reason(stored[6].code, stored[6].params, "", "fr").startswith(
        "created_at (colonne 3) : une date et une heure (")
    assert stored[6].expected.startswith("created_at (column 3): expected a date and time")  # for the command line


def test_clicks_over_impressions(engine, tmp_path):
    ads = ("date,campaign,channel,region,impressions,clicks,spend\n"
           "2024-03-04,c1,paid_search,FR,10,50,1.00\n")
    report = load_file(write(tmp_path / "ads.csv", ads), engine=engine)
    (row,) = rows(engine, select(EtlReject).where(EtlReject.run_id == report.run_id))
    assert i18n.reject_reason(row.code, row.params, "", "fr") == \
        "clicks <= impressions : pas plus de clics que d'impressions"


@pytest.mark.parametrize("table", ["etl_reject"])
def test_the_migration_builds_what_the_model_describes(engine, table):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pilotage.store.models import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if table in repr(d)] == []
