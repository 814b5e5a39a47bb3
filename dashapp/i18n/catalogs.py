"""The gettext catalogues on disk, and the tools that keep them: ``pilotage i18n ...`` and ``make translations``.

Messages are key-based: each entry's ``msgid`` is the key the code asks for (``t("login.title")``) and its
``msgstr`` the text. ``locale/en/LC_MESSAGES/messages.po`` is the source: a new message is added there (or in a
tuple module merged with :func:`merge_modules`). ``messages.pot`` is built from it, each entry carrying the English
text and its area (the page or part of the app, ``#. area: planning``) as extracted comments and, after
``make translations``, the files that use it; ``fr/.../messages.po`` is updated from the template (new keys empty,
removed keys dropped, a French text whose English changed marked fuzzy) so that a translator sees in Poedit what
to translate and what it means. One kind of entry of en.po is written by code, never by hand:
``kpi.definition.<name>``, each KPI's definition as :mod:`dashapp.semantic.metrics` writes it (:func:`sync_derived`,
run by every update), so that a definition is written once and translated like every other text. The compiled
``.mo`` files are committed (a non-editable install reads no ``.po``);
``tests/test_i18n.py`` checks that they match the ``.po`` files. Everything is read and written with Babel's own
``pofile``/``mofile`` functions.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
TRANSLATIONS = ("fr",)
AREA = "area: "
# Keys whose English en.po takes from code (dashapp.semantic.metrics) at each update, not from a hand edit.
DERIVED_PREFIXES = ("kpi.definition.",)
DERIVED_AREA = "common"  # the cards, the drill-down and the glossary all show them
DERIVED_NOTE = "written by `pilotage i18n update` from dashapp/semantic/metrics.py: edit it there"
HEADER = "# Pilotage: the app's texts, one entry a key (msgid) the code asks for.\n# {language}"
DATE_LINES = ('"POT-Creation-Date:', '"PO-Revision-Date:')


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def pot_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=language, domain=DOMAIN, abort_invalid=True)


def new_catalog(language: str | None) -> Catalog:
    heading = {None: "The template: built from en/LC_MESSAGES/messages.po by `make translations`, never edited.",
               "en": "English: the source; add a key here, then run `make translations`.",
               "fr": "French: translated in Poedit (the English text is in each entry's notes)."}[language]
    return Catalog(locale=language, domain=DOMAIN, project="Pilotage", version="1", fuzzy=False,
                   header_comment=HEADER.format(language=heading), language_team=f"Pilotage {language or ''}".strip())


# --- entries: the English text and the area as extracted comments ---------------------------------------

def area_of(message: Message) -> str | None:
    return next((c.removeprefix(AREA) for c in message.auto_comments if c.startswith(AREA)), None)


def english_of(message: Message) -> str:
    """The English text an entry of the template or of fr.po was translated from (its extracted comments), its
    spaces and line breaks made single spaces: ``write_po`` folds long comments at any space."""
    return " ".join(" ".join(c for c in message.auto_comments if not c.startswith(AREA)).split())


def notes(english: str, area: str) -> list[str]:
    return [*english.split("\n"), AREA + area]


def guess_area(key: str, areas: dict[str, str]) -> str:
    """A key added by hand to en.po without an area comment: the area of the key sharing the longest prefix."""
    parts = key.split(".")
    for length in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:length]) + "."
        for other, area in areas.items():
            if other.startswith(prefix):
                return area
    return "common"


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


# --- the template and the updates ------------------------------------------------------------------------

def build_template(english: Catalog, used: dict[str, list[tuple[str, int | None]]] | None = None) -> Catalog:
    """The template from en.po: every key, grouped by area (in the order areas first appear), its English text
    and area as notes for translators, the files using it (from an extraction) as locations."""
    areas = {m.id: area_of(m) for m in entries(english) if area_of(m)}

    def area_of_key(key: str) -> str:
        return areas.get(key) or guess_area(key, areas)

    first_seen: dict[str, int] = {}
    for message in entries(english):
        first_seen.setdefault(area_of_key(message.id), len(first_seen))
    ordered = sorted(entries(english), key=lambda m: first_seen[area_of_key(m.id)])  # stable: en.po's order within
    template = new_catalog(None)
    for message in ordered:
        area = area_of_key(message.id)
        locations = sorted({(path, None) for path, _ in (used or {}).get(message.id, [])})
        template.add(message.id, "", locations=locations, auto_comments=notes(message.string, area))
    return template


def derived_messages() -> dict[str, str]:
    """The English of the keys en.po takes from code: each KPI's definition (``kpi.definition.<name>``)."""
    from dashapp.semantic.metrics import KPIS

    return {f"kpi.definition.{name}": kpi.definition for name, kpi in KPIS.items()}


def sync_derived(english: Catalog) -> Catalog:
    """en.po's ``kpi.definition.*`` entries made those of :func:`derived_messages`: added, their English replaced
    (the template then carries the new English, and fr.po's translation of the old one is marked fuzzy), and
    those of a KPI that is gone removed. A hand edit of one is overwritten here."""
    derived = derived_messages()
    for message in entries(english):
        if message.id.startswith(DERIVED_PREFIXES) and message.id not in derived:
            english.delete(message.id)
    for key, text in derived.items():
        _put(english, key, text, [DERIVED_NOTE, AREA + DERIVED_AREA])
    return english


def update(catalog: Catalog, template: Catalog) -> Catalog:
    """Babel's update (no fuzzy matching: keys are not sentences), then a translation whose English changed since
    it was made is marked fuzzy for the translator to review."""
    before = {m.id: english_of(m) for m in entries(catalog)}
    catalog.update(template, no_fuzzy_matching=True)
    for message in entries(catalog):
        if message.string and before.get(message.id, english_of(message)) != english_of(message):
            message.flags.add("fuzzy")
    catalog.obsolete.clear()  # a removed key is gone: its text is in git's history, not in the translator's way
    return catalog


def render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, include_lineno=False, ignore_obsolete=True)
    return buffer.getvalue()


def _without_dates(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(tuple(d.encode() for d in DATE_LINES))]


def save(catalog: Catalog, path: Path) -> bool:
    """Write a catalogue when its content changed (the dates in its header alone make no new version)."""
    data = render(catalog)
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def compiled(language: str) -> bytes:
    """The .mo of a language's .po, as committed: translated entries only (not fuzzy ones)."""
    buffer = io.BytesIO()
    write_mo(buffer, read(po_path(language), language), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> list[Path]:
    written = []
    for language in (SOURCE_LANGUAGE, *TRANSLATIONS):
        data = compiled(language)
        if not mo_path(language).exists() or mo_path(language).read_bytes() != data:
            mo_path(language).write_bytes(data)
            written.append(mo_path(language))
    return written


def refresh(used: dict[str, list[tuple[str, int | None]]] | None = None) -> list[Path]:
    """Template from en.po, en.po and fr.po updated from it, .mo compiled: what ``make translations`` does."""
    english = sync_derived(read(po_path(SOURCE_LANGUAGE), SOURCE_LANGUAGE))
    if used is None:  # no new extraction: the files using each key stay those of the last one
        used = used_keys(pot_path() if pot_path().exists() else None)
    template = build_template(english, used)
    written = [pot_path()] if save(template, pot_path()) else []
    for language in (SOURCE_LANGUAGE, *TRANSLATIONS):
        path = po_path(language)
        if language == SOURCE_LANGUAGE:  # en.po keeps its own texts: its notes are the area only (and whence)
            catalog = update(english, template)
            for message in entries(catalog):
                derived = [DERIVED_NOTE] if message.id.startswith(DERIVED_PREFIXES) else []
                message.auto_comments = [*derived, AREA + (area_of(message) or "common")]
                message.flags.discard("fuzzy")
        else:
            catalog = update(read(path, language) if path.exists() else new_catalog(language), template)
        if save(catalog, path):
            written.append(path)
    return written + compile_all()


def used_keys(extracted: Path | None) -> dict[str, list[tuple[str, int | None]]]:
    """Keys found by ``pybabel extract -k t`` (literal first arguments of ``t(...)``) and where."""
    if extracted is None:
        return {}
    return {m.id: list(m.locations) for m in entries(read(extracted))}


def extract_python(fileobj, keywords, comment_tags, options):
    """Babel extraction method (``babel.cfg``) for Python: the keys given whole to ``t(...)``/``i18n.t(...)``,
    also both of ``t("a" if x else "b")``. Babel's own one reads tokens, so ``t("role." + role)`` would give a
    key "role.role" that does not exist."""
    def literal_keys(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return literal_keys(node.body) + literal_keys(node.orelse)
        return []

    for node in ast.walk(ast.parse(fileobj.read())):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in keywords:
                for key in literal_keys(node.args[0]):
                    yield node.lineno, name, key, []


# --- tuple modules: the catalogue's former form, and what branches still add in it ------------------------

def load_module(path: Path) -> dict[str, tuple[str, str]]:
    spec = importlib.util.spec_from_file_location(f"_i18n_tuples_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.MESSAGES)


def _put(catalog: Catalog, key: str, text: str, comments: list[str]) -> None:
    """Set an entry's text and notes, in its place when it exists (``catalog[key] = ...`` would keep its text)."""
    message = catalog.get(key)
    if message is None:
        catalog[key] = Message(key, text, auto_comments=comments)
    else:
        message.string, message.auto_comments = text, comments
        message.flags.discard("fuzzy")


def merge_modules(paths: Iterable[Path], prune: bool = False) -> dict[str, list[str]]:
    """Merge ``MESSAGES = {key: (english, french)}`` modules into en.po and fr.po, the module's name as the
    entries' area: new keys added, changed texts replaced (the module is the newer), and with ``prune`` the
    keys of that area the module no longer has removed. Then the template and the .mo are rebuilt.
    Returns the keys ``added``, ``changed``, ``removed`` (or ``stale`` without ``prune``) and ``skipped``."""
    catalogs = {language: read(po_path(language), language) if po_path(language).exists()
                else new_catalog(language) for language in (SOURCE_LANGUAGE, *TRANSLATIONS)}
    english, french = catalogs[SOURCE_LANGUAGE], catalogs["fr"]
    report: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "stale": [], "skipped": []}
    for path in paths:
        area = Path(path).stem
        messages = load_module(Path(path))
        for key, (en_text, fr_text) in messages.items():
            if key.startswith(DERIVED_PREFIXES):
                report["skipped"].append(key)
                continue
            old = english.get(key), french.get(key)
            if old[0] is None:
                report["added"].append(key)
            elif (old[0].string, old[1].string if old[1] else "") != (en_text, fr_text):
                report["changed"].append(key)
            else:
                continue
            _put(english, key, en_text, [AREA + area])
            _put(french, key, fr_text, notes(en_text, area))
        gone = [m.id for m in entries(english) if area_of(m) == area and m.id not in messages]
        report["removed" if prune else "stale"].extend(gone)
        for key in gone if prune else ():
            english.delete(key)
    for language, catalog in catalogs.items():
        catalog.revision_date = dt.datetime.now(dt.UTC)
        save(catalog, po_path(language))
    refresh()
    return report
