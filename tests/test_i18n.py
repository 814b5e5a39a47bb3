"""French and English: a complete catalogue, every key the code asks for defined, numbers and
euros in the locale's format, and the language chosen as a user expects (their setting, else
the session's, else the browser's)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from dashapp import i18n
from dashapp.auth import users
from dashapp.i18n import catalogs
from dashapp.semantic import metrics

from .app_helpers import csrf_from, logged_in_client, make_app_store, switch_language

SOURCE = Path(__file__).resolve().parents[1] / "dashapp"
# t("key"), i18n.t('key', ...), {{ t("key") }} in templates: a whole literal key as first argument
# (not a prefix like t("role." + role)).
T_CALL = re.compile(r"""(?<![\w])t\(\s*(["'])([A-Za-z0-9_.\-]+)\1\s*[,)]""")
SPACE = "[\u00a0\u202f]"  # babel writes a no-break or a narrow no-break space in French


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    return make_app_store(tmp_path_factory.mktemp("i18n"))


@pytest.fixture
def store(store_url, monkeypatch) -> str:
    from pilotage.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", store_url)
    get_settings.cache_clear()
    return store_url


# --- the catalogue ---------------------------------------------------------------------------------

def po_entries(language: str) -> dict:
    return {m.id: m for m in catalogs.entries(catalogs.read(catalogs.po_path(language), language))}


def test_every_key_has_an_english_and_a_french_text():
    english, french = po_entries("en"), po_entries("fr")
    assert len(english) > 100 and set(french) == set(english)
    for key in english:
        assert english[key].string.strip() and french[key].string.strip(), key
        assert not english[key].fuzzy and not french[key].fuzzy, f"{key}: French to review after an English change"
    assert set(english) == set(i18n.MESSAGES)
    for key, texts in i18n.MESSAGES.items():
        assert isinstance(texts, tuple) and len(texts) == 2 and all(text.strip() for text in texts), key


def test_en_po_holds_the_kpi_definitions_as_the_metrics_module_writes_them():
    """One definition: written in metrics.py, copied into en.po by `pilotage i18n update` (an edit of either
    without it fails here), translated in fr.po like every text."""
    english, french = po_entries("en"), po_entries("fr")
    in_po = {key: message.string for key, message in english.items() if key.startswith("kpi.definition.")}
    assert in_po == {f"kpi.definition.{name}": kpi.definition for name, kpi in metrics.KPIS.items()}, (
        "run `make translations` after changing a definition in dashapp/semantic/metrics.py")
    for key in in_po:
        assert catalogs.DERIVED_NOTE in " ".join(english[key].auto_comments), key
        assert french[key].string.strip() and french[key].string != in_po[key], f"{key}: no French"
        assert catalogs.english_of(french[key]) == " ".join(in_po[key].split()), key


def test_placeholders_are_the_same_in_both_languages():
    field = re.compile(r"{(\w+)}")
    for key, (english, french) in i18n.MESSAGES.items():
        assert set(field.findall(english)) == set(field.findall(french)), key


def test_french_is_served_from_the_compiled_catalogue():
    french = po_entries("fr")
    assert i18n.t("login.title", "fr") == french["login.title"].string == "Connexion"
    assert i18n.t("login.title", "en") == "Sign in" and i18n.t("login.title", "de") == "Sign in"
    assert i18n.translations("fr").gettext("nav.logout") == "Se déconnecter"
    assert i18n.t("nav.scope", "fr", scope="Île-de-France") == "Périmètre : Île-de-France"
    assert i18n.t("kpi.definition.mrr", "en") == metrics.KPIS["mrr"].definition
    assert i18n.t("kpi.definition.mrr", "fr") == french["kpi.definition.mrr"].string


def test_the_committed_mo_files_are_compiled_from_the_po_files():
    for language in ("en", "fr"):
        assert catalogs.mo_path(language).read_bytes() == catalogs.compiled(language), (
            f"{language}: run `make translations` after editing the .po files")


def test_a_translator_sees_the_english_text_and_the_area_of_each_entry():
    english, french = po_entries("en"), po_entries("fr")
    template = catalogs.read(catalogs.pot_path())
    assert [m.id for m in catalogs.entries(template)] == list(french) and set(french) == set(english)
    for key, message in french.items():
        assert catalogs.english_of(message) == " ".join(english[key].string.split()), key
        assert catalogs.area_of(message) == catalogs.area_of(english[key]) is not None, key
    assert catalogs.area_of(french["planning.title"]) == "planning"
    assert ("dashapp/templates/login.html", None) in french["login.title"].locations


@pytest.fixture
def derived(monkeypatch) -> dict[str, str]:
    """The KPI definitions the catalogues of a test take from code: none unless the test adds some."""
    definitions: dict[str, str] = {}
    monkeypatch.setattr(catalogs, "derived_messages", lambda: dict(definitions))
    return definitions


def test_merging_a_tuple_module_adds_changes_and_prunes(tmp_path, monkeypatch, derived):
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")
    module = tmp_path / "exports.py"
    module.write_text('MESSAGES = {"x.a": ("File", "Fichier"), "x.b": ("{n} rows", "{n} lignes"),'
                      ' "kpi.definition.x": ("d", "d")}', encoding="utf-8")
    report = catalogs.merge_modules([module])
    assert (report["added"], report["skipped"]) == (["x.a", "x.b"], ["kpi.definition.x"])
    module.write_text('MESSAGES = {"x.a": ("A file", "Un fichier"), "x.c": ("Sheet", "Feuille")}', encoding="utf-8")
    report = catalogs.merge_modules([module])
    assert (report["added"], report["changed"], report["stale"]) == (["x.c"], ["x.a"], ["x.b"])
    assert catalogs.merge_modules([module], prune=True)["removed"] == ["x.b"]
    french = po_entries("fr")
    assert {k: m.string for k, m in french.items()} == {"x.a": "Un fichier", "x.c": "Feuille"}
    assert catalogs.english_of(french["x.a"]) == "A file" and catalogs.area_of(french["x.a"]) == "exports"
    assert catalogs.mo_path("fr").read_bytes() == catalogs.compiled("fr")

    # The English changes in en.po: the French is kept but marked for review, and not served meanwhile.
    english = catalogs.read(catalogs.po_path("en"), "en")
    english["x.c"].string = "Worksheet"
    catalogs.save(english, catalogs.po_path("en"))
    catalogs.refresh()
    assert po_entries("fr")["x.c"].fuzzy and po_entries("fr")["x.c"].string == "Feuille"
    assert "x.c" not in {m.id for m in read_mo(io.BytesIO(catalogs.mo_path("fr").read_bytes())) if m.id}


def test_update_writes_the_kpi_definitions_from_the_metrics_module(tmp_path, monkeypatch, derived):
    from typer.testing import CliRunner

    from dashapp.i18n.cli import app

    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")
    module = tmp_path / "common.py"
    module.write_text('MESSAGES = {"x.a": ("File", "Fichier")}', encoding="utf-8")
    catalogs.merge_modules([module])
    derived.update({"kpi.definition.x": "Leads ÷ sessions.", "kpi.definition.y": "Deals won."})
    runner = CliRunner()
    result = runner.invoke(app, ["update"])
    assert result.exit_code == 1 and "kpi.definition.x: untranslated in fr" in result.output
    english = po_entries("en")
    assert english["kpi.definition.x"].string == "Leads ÷ sessions."
    assert catalogs.DERIVED_NOTE in english["kpi.definition.x"].auto_comments
    assert catalogs.english_of(po_entries("fr")["kpi.definition.x"]) == "Leads ÷ sessions."

    french = catalogs.read(catalogs.po_path("fr"), "fr")
    french["kpi.definition.x"].string, french["kpi.definition.y"].string = "Leads ÷ sessions.", "Affaires gagnées."
    catalogs.save(french, catalogs.po_path("fr"))
    english = catalogs.read(catalogs.po_path("en"), "en")
    english["kpi.definition.x"].string = "Edited by hand"
    catalogs.save(english, catalogs.po_path("en"))
    assert runner.invoke(app, ["update"]).exit_code == 0
    assert po_entries("en")["kpi.definition.x"].string == "Leads ÷ sessions."  # the hand edit is overwritten

    # The definition changes in metrics: the French is kept for review, not served meanwhile; a KPI removed goes.
    derived.update({"kpi.definition.x": "Leads ÷ visits."})
    del derived["kpi.definition.y"]
    result = runner.invoke(app, ["update"])
    assert result.exit_code == 1 and "kpi.definition.x: to review in fr" in result.output
    french = po_entries("fr")
    assert french["kpi.definition.x"].fuzzy and catalogs.english_of(french["kpi.definition.x"]) == "Leads ÷ visits."
    assert "kpi.definition.y" not in french and "kpi.definition.y" not in po_entries("en")
    assert "kpi.definition.x" not in {m.id for m in read_mo(io.BytesIO(catalogs.mo_path("fr").read_bytes()))}


def test_no_tuple_module_is_left_unmerged():
    """The former ``dashapp/i18n/catalog/*.py`` modules are read by nothing: their texts must be merged."""
    left = sorted(str(p.relative_to(SOURCE.parent)) for p in (SOURCE / "i18n" / "catalog").glob("*.py"))
    assert left == [], "merge them: pilotage i18n merge dashapp/i18n/catalog/*.py --remove"


def test_the_update_command_fails_on_a_missing_key_or_french_text(tmp_path, monkeypatch, derived):
    from typer.testing import CliRunner

    from dashapp.i18n.cli import app

    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")
    module = tmp_path / "exports.py"
    module.write_text('MESSAGES = {"x.a": ("File", "Fichier")}', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["merge", str(module)]).exit_code == 0
    extracted = catalogs.new_catalog(None)
    extracted.add("x.a", locations=[("dashapp/pages/x.py", 3)])
    extracted.add("x.new", locations=[("dashapp/pages/x.py", 9)])
    catalogs.save(extracted, tmp_path / "used.pot")
    result = runner.invoke(app, ["update", "--extracted", str(tmp_path / "used.pot")])
    assert result.exit_code == 1 and "x.new: used in dashapp/pages/x.py but not in en.po" in result.output
    assert ("dashapp/pages/x.py", None) in po_entries("fr")["x.a"].locations

    french = catalogs.read(catalogs.po_path("fr"), "fr")
    french["x.a"].string = ""
    catalogs.save(french, catalogs.po_path("fr"))
    result = runner.invoke(app, ["update"])
    assert result.exit_code == 1 and "x.a: untranslated in fr" in result.output
    assert i18n.t("x.a", "fr") == "x.a"  # (the app's own catalogues are untouched)


def test_extraction_finds_whole_keys_only():
    source = b'''t("a.b"); i18n.t("c.d", language, n=1); t("e" if x else "f"); t("role." + role); t(f"kpi.{n}")'''
    keys = [key for _, _, key, _ in catalogs.extract_python(io.BytesIO(source), {"t": None}, [], {})]
    assert keys == ["a.b", "c.d", "e", "f"]


def used_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html")]:
        for match in T_CALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(2), set()).add(str(path.relative_to(SOURCE.parent)))
    return found


def test_the_scan_finds_the_keys_it_should():
    keys = used_keys()
    assert {"login.title", "error.data", "admin.runs.title", "nav.logout"} <= set(keys)
    assert "dashapp/templates/login.html" in keys["login.title"]


def test_every_key_used_in_the_code_is_in_the_catalogue():
    missing = {key: sorted(files) for key, files in used_keys().items() if key not in i18n.MESSAGES}
    assert missing == {}


def test_an_unknown_key_shows_itself_rather_than_failing():
    assert i18n.t("no.such.key", "fr") == "no.such.key"
    assert "le compte est bloqué pendant 15 minutes" in i18n.t("mail.locked.body", "fr", minutes=15, attempts=5)


# --- numbers and money ----------------------------------------------------------------------------

def test_french_numbers_and_euros():
    assert re.fullmatch(f"1{SPACE}234,5", i18n.number(1234.5, 1, "fr"))
    assert re.fullmatch(f"1{SPACE}234{SPACE}567", i18n.number(1234567, 0, "fr"))
    assert re.fullmatch(f"1{SPACE}234{SPACE}€", i18n.money(1234, 0, "fr"))
    assert re.fullmatch(f"1{SPACE}234,50{SPACE}€", i18n.money(1234.5, 2, "fr"))
    assert re.fullmatch(f"-1{SPACE}234{SPACE}€", i18n.money(-1234, 0, "fr"))
    assert re.fullmatch(f"12,3{SPACE}%", i18n.percent(0.123, 1, "fr"))
    assert i18n.number(None, 0, "fr") == "–"


def test_english_numbers_and_euros():
    assert i18n.number(1234.5, 1, "en") == "1,234.5"
    assert i18n.money(1234, 0, "en") == "€1,234"
    assert i18n.money(1234.5, 2, "en") == "€1,234.50"
    assert i18n.percent(0.123, 1, "en") == "12.3%"
    assert i18n.percent(0.05, 1, "en", signed=True) == "+5.0%"


def test_dates_in_each_language():
    import datetime as dt

    day = dt.date(2026, 3, 2)
    assert i18n.date(day, "long", "fr") == "2 mars 2026"
    assert i18n.date(day, "long", "en") == "2 March 2026"


# --- which language ----------------------------------------------------------------------------------

def browser(dash_app, accept_language: str):
    client = dash_app.server.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return client


def login_title(response) -> str:
    return re.search(r'<h2 class="h5 mb-3">([^<]+)</h2>', response.text).group(1)


def test_the_login_page_follows_the_browser_language(dash_app, store):
    french = browser(dash_app, "fr-FR,fr;q=0.9,en;q=0.5")
    page = french.get("/login")
    assert login_title(page) == "Connexion" and '<html lang="fr">' in page.text
    english = browser(dash_app, "en-US,en;q=0.9")
    assert login_title(english.get("/login")) == "Sign in"
    other = browser(dash_app, "de-DE")
    assert login_title(other.get("/login")) == "Sign in"


def test_the_session_choice_beats_the_browser(dash_app, store):
    client = browser(dash_app, "en-GB")
    assert switch_language(client, "fr", "/login").headers["Location"] == "/login"
    assert login_title(client.get("/login")) == "Connexion"
    switch_language(client, "xx")  # unknown: ignored
    assert login_title(client.get("/login")) == "Connexion"


def layout_language(client) -> str:
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    text = json.dumps(layout.json, ensure_ascii=False)
    return "fr" if "Se déconnecter" in text else "en" if "Log out" in text else "?"


def test_the_users_setting_beats_session_and_browser(dash_app, store):
    email = "francophone@pilotage.demo"
    users.add_user(email, "pilotage-demo", "director", "FR-IDF", language="fr", actor="test")
    client = browser(dash_app, "en-GB")
    token = csrf_from(client.get("/login").text)
    assert client.post("/login", data={"email": email, "password": "pilotage-demo",
                                       "csrf_token": token}).status_code == 302
    assert layout_language(client) == "fr"


def test_switching_language_persists_for_the_user(dash_app, store):
    email = "switcher@pilotage.demo"
    users.add_user(email, "pilotage-demo", "planner", "all", actor="test")
    client = logged_in_client(dash_app, email)
    assert layout_language(client) == "en" and users.get_user_by_email(email).language is None

    forged = client.get("/language/fr?next=/explore")  # a link or an image on another site: changes nothing
    assert forged.status_code == 302 and users.get_user_by_email(email).language is None
    assert client.post("/language/fr", data={"next": "/explore"}).status_code == 400  # no CSRF token
    assert users.get_user_by_email(email).language is None
    response = switch_language(client, "fr", "/explore")
    assert response.status_code == 302 and response.headers["Location"] == "/explore"
    assert users.get_user_by_email(email).language == "fr"
    assert layout_language(client) == "fr"

    # Another browser, another day, an English browser: still French.
    elsewhere = browser(dash_app, "en-GB")
    token = csrf_from(elsewhere.get("/login").text)
    elsewhere.post("/login", data={"email": email, "password": "pilotage-demo", "csrf_token": token})
    assert layout_language(elsewhere) == "fr"

    switch_language(client, "en")
    assert users.get_user_by_email(email).language == "en" and layout_language(elsewhere) == "en"
