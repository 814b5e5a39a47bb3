"""French and English: the user's language, translated texts, and numbers, euros and dates
in the locale's format (``1 234,5 €`` in French, ``€1,234.5`` in English).

Texts live in gettext catalogues, ``locale/<language>/LC_MESSAGES/messages.po`` (compiled to the ``.mo`` files
read here), one entry per key: ``msgid`` the key the code asks for, ``msgstr`` the text (see :mod:`.catalogs`
for how they are kept, and the README's "Translations"). The KPIs' definitions are in them too, as
``kpi.definition.<name>``: their English is written in :mod:`dashapp.semantic.metrics` and copied into en.po by
``pilotage i18n update``. A missing key is a bug: the tests fail on it (see ``tests/test_i18n.py``) and users
see the key itself.
"""

from __future__ import annotations

import datetime as dt
import functools
from types import MappingProxyType

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations

from .catalogs import DOMAIN, mo_path

LANGUAGES = ("en", "fr")
LOCALES = {"en": "en_GB", "fr": "fr_FR"}


@functools.cache
def translations(language: str) -> Translations:
    """A language's gettext translations (its .mo); French falls back to English for a key it lacks (the tests
    make sure none does)."""
    with mo_path(language).open("rb") as fp:
        loaded = Translations(fp, domain=DOMAIN)
    if language != LANGUAGES[0]:
        loaded.add_fallback(translations(LANGUAGES[0]))
    return loaded


def _load_messages() -> dict[str, tuple[str, str]]:
    """Every key with its English and French texts: what code asks about a key (is there a label for this
    status?) and the tests read. Taken from the parsed .mo files (gettext's ``_catalog``, which Babel's own
    ``merge`` reads too) rather than parsing them a second time."""
    english, french = (translations(language)._catalog for language in LANGUAGES)
    return {key: (text, french.get(key, text)) for key, text in english.items() if key}


MESSAGES = MappingProxyType(_load_messages())


def current_language() -> str:
    """The user's chosen language, else the session's, else the browser's best match."""
    from flask import has_request_context, request, session
    from flask_login import current_user

    if not has_request_context():
        return "en"
    language = getattr(current_user, "language", None) if getattr(current_user, "is_authenticated", False) else None
    language = language or session.get("language")
    if language in LANGUAGES:
        return language
    return request.accept_languages.best_match(LANGUAGES) or "en"


def t(key: str, language: str | None = None, **values) -> str:
    language = language or current_language()
    if key not in MESSAGES:
        return key
    text = translations(language if language in LANGUAGES else LANGUAGES[0]).gettext(key)
    return text.format(**values) if values else text


def _locale(language: str | None) -> str:
    return LOCALES.get(language or current_language(), "en_GB")


def number(value: float | None, decimals: int = 0, language: str | None = None) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_locale(language))


def money(value: float | None, decimals: int = 0, language: str | None = None) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    locale = _locale(language)
    pattern = (pattern + "\u00a0¤") if locale.startswith("fr") else ("¤" + pattern)
    return format_currency(value, "EUR", format=pattern, locale=locale, currency_digits=False)


def percent(value: float | None, decimals: int = 1, language: str | None = None, signed: bool = False) -> str:
    if value is None:
        return "–"
    locale = _locale(language)
    # French puts a (non-breaking) space before the sign: "14,5 %", as babel's own fr pattern does.
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + ("\u00a0%" if locale.startswith("fr") else "%")
    text = format_percent(value, format=pattern, locale=locale)
    return ("+" + text) if signed and value > 0 else text


def date(value: dt.date | None, fmt: str = "medium", language: str | None = None) -> str:
    return format_date(value, format=fmt, locale=_locale(language)) if value else "–"


def kpi_value(name: str, value: float | None, language: str | None = None) -> str:
    """A KPI's value in its unit: counts and euros without decimals when large."""
    from dashapp.semantic import metrics

    unit = metrics.get(name).unit
    if value is None:
        return "–"
    if unit == "eur":
        return money(value, 0 if abs(value) >= 100 or value == 0 else 2, language)
    if unit == "ratio":
        return percent(value, 1 if abs(value) >= 0.01 else 2, language)
    if unit == "months":
        return number(value, 1, language)
    if unit == "per_k_eur":
        return number(value, 2, language)
    return number(value, 0, language)


def date_range(start: dt.date, end: dt.date, language: str | None = None, weekdays: bool = False) -> str:
    """``1 Oct 2026 – 31 Oct 2026``; with the weekdays for weeks (``Mon 26 Oct 2026 – Sat 31 Oct 2026``)."""
    fmt = "EEE d MMM y" if weekdays else "d MMM y"
    return f"{date(start, fmt, language)} – {date(end, fmt, language)}"


def region_name(code: str, stored: str | None = None, language: str | None = None) -> str:
    """A region as users read it: the region the store seeds for rows without geography in their language,
    any other by the name it was loaded with."""
    from pilotage.store.reference import UNASSIGNED_REGION

    if code == UNASSIGNED_REGION:
        return t("region.unassigned", language)
    return stored or code


def team_name(code: str | None, stored: str | None = None, language: str | None = None) -> str:
    """A sales team as users read it: the team the store seeds for reps without one in their language."""
    from pilotage.store.reference import UNKNOWN_TEAM

    if code == UNKNOWN_TEAM:
        return t("team.unassigned", language)
    return stored or code or "–"


def operator(run_by: str | None, language: str | None = None) -> str:
    """Who started a run, as recorded by :mod:`pilotage.operator`: an app account's e-mail as is, a command
    as "command line" (with the operator it names), a value given with ``--by`` as is."""
    if not run_by:
        return "–"
    if run_by == "cli":
        return t("operator.cli", language)
    if run_by.startswith("cli:"):
        return t("operator.cli_named", language, name=run_by.removeprefix("cli:"))
    if run_by == "scheduler":
        return t("operator.scheduler", language)
    return run_by


def reject_reason(code: str | None, params: str | dict | None, english: str, language: str | None = None) -> str:
    """Why the ETL rejected a row, in the user's language: from its ``code`` and ``params`` (JSON) when the
    catalogue knows the code, else the English reason it was stored with (older rows, unknown codes)."""
    import json

    if not code or code not in MESSAGES:
        return english
    try:
        values = json.loads(params) if isinstance(params, str) else dict(params or {})
    except (TypeError, ValueError):
        return english
    if code == "reject.several":
        parts = [t("reject.several.part", language, column=file_column(p.get("column", ""), language),
                   expected=reject_reason(p.get("code"), p.get("params") or {}, "?", language))
                 for p in values.get("problems", []) if isinstance(p, dict)]
        return t("reject.several.separator", language).join(parts) or english
    if code == "reject.unknown_code":
        dimension = f"reject.dimension.{values.get('dimension')}"
        values["dimension"] = t(dimension, language) if dimension in MESSAGES else values.get("dimension", "")
    if code == "reject.fields":
        separator = values.get("separator")
        values["separator"] = t("reject.separator.tab", language) if separator == "\t" else f"“{separator}”"
    text = MESSAGES[code][LANGUAGES.index(language or current_language())]
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):  # parameters that do not fit the message: say it as stored
        return english


def file_column(reference: str | None, language: str | None = None) -> str:
    """A column of a loaded file as a reject names it (``spend (column 3)``), in the user's language."""
    from pilotage.input.table import split_column_ref

    parts = split_column_ref(reference or "")
    return t("reject.column", language, name=parts[0], at=parts[1]) if parts else (reference or "")


def health_line(figures: dict, language: str | None = None) -> tuple[str, str]:
    """The data-health line of :func:`dashapp.semantic.health.summary`'s ``figures``: the sources' state (up to
    date, or the late ones by name) and the counts of gaps, duplicates and outliers; the home page and the
    Monday digest say it the same way."""
    late = figures["late"]
    state = (t("health.line.late", language, count=len(late), names=", ".join(
        f"{t('health.feed.' + r['feed'], language)} {r['source_system']}" for r in late[:3]))
        if late else t("health.line.ok", language))
    counts = t("health.line.figures", language, **{k: number(figures[k], language=language)
                                                    for k in ("gaps", "duplicates", "outliers")})
    return state, counts
