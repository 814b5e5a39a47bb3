"""The glossary page: every KPI with its definition, leading or lagging, direction and stage, read from
the metrics module (one definition, no second copy in the page's texts), in both languages, for every role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashapp import i18n
from dashapp.i18n import catalogs
from dashapp.semantic import metrics

from .app_helpers import dash_post
from .test_app_scope import find, texts

PAGE_OUTPUT = ".._pages_content.children..._pages_store.data.."
ROOT = Path(__file__).resolve().parents[1]


def french_definitions() -> dict[str, str]:
    """Each KPI's definition as fr.po translates it, by KPI name."""
    french = catalogs.entries(catalogs.read(catalogs.po_path("fr"), "fr"))
    return {m.id.removeprefix("kpi.definition."): m.string for m in french if m.id.startswith("kpi.definition.")}


def open_glossary(client):
    client.get("/_dash-layout")
    response = dash_post(client, PAGE_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": "/glossary"},
        {"id": "_pages_location", "property": "search", "value": ""}])
    assert response.status_code == 200
    return response.get_json()["response"]["_pages_content"]["children"]


@pytest.mark.parametrize("email", ["director.idf@pilotage.demo", "planner@pilotage.demo", "sales@pilotage.demo",
                                   "admin@pilotage.demo"])
def test_every_role_opens_the_glossary_from_the_navbar(login, email):
    client = login(email)
    assert client.get("/glossary").status_code == 200
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert '"nav-glossary"' in layout


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_kpi_is_defined_once_from_the_metrics_module(dash_app, app_store, language):
    from .app_helpers import logged_in_client

    client = logged_in_client(dash_app, "director@pilotage.demo")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = open_glossary(client)
    definitions = {name: kpi.definition for name, kpi in metrics.KPIS.items()} if language == "en" \
        else french_definitions()
    for name, kpi in metrics.KPIS.items():
        assert texts(find(page, f"glossary-{name}")) == [i18n.t(f"kpi.{name}", language)]
        assert texts(find(page, f"glossary-definition-{name}")) == [definitions[name]]
        assert texts(find(page, f"glossary-timing-{name}")) == [i18n.t(f"kpi.timing_short.{kpi.timing}", language)]
    rules = " ".join(texts(find(page, "glossary-rules")))
    assert i18n.t("badge.rule.target", language, tolerance=i18n.percent(0.05, 0, language)) in rules
    assert ("1 July – 3 September" if language == "en" else "1er juillet au 3 septembre") in \
        " ".join(texts(find(page, "glossary-periods")))


def test_definitions_are_written_in_the_metrics_module_only():
    """No page holds a KPI's definition text (and metrics no French one): the glossary and the tooltips read it
    from the catalogues, whose English `pilotage i18n update` writes from metrics (tests/test_i18n.py checks it)."""
    english = [kpi.definition for kpi in metrics.KPIS.values()]
    french = list(french_definitions().values())
    assert len(french) == len(english)
    for path in [*(ROOT / "dashapp").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for text in french if path.name == "metrics.py" else english + french:
            assert text[:60] not in source, (path, text[:60])
