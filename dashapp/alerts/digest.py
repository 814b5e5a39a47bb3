"""The Monday digest: for each user who has not opted out, one e-mail in their language, computed in their
scope (:func:`dashapp.alerts.evaluate.acting_as`): the role's KPI cards for the last complete ISO week against
the week before and the same ISO week last year, the month to date against its target, the top movers by
channel and by region, and the alerts of the week; plain text and HTML, with links back to the app.
``pilotage reports send --weekly`` sends it (cron: Monday 07:00 Europe/Paris)."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field, replace

from pilotage import mail
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine

from .. import i18n
from ..auth.users import User, list_users
from ..semantic import metrics, queries
from ..semantic.filters import Filters
from . import texts
from .evaluate import acting_as, last_complete, to_date
from .events import email_kinds, notifications

DIGEST = "digest"  # the e-mail preference that opts in (the default) or out
MOVERS_KPI = "leads"
TOP_MOVERS = 3


@dataclass
class Digest:
    user: User
    language: str
    week: tuple[dt.date, dt.date]
    previous: tuple[dt.date, dt.date]
    last_year: tuple[dt.date, dt.date]
    cards: list[dict] = field(default_factory=list)  # kpi, value, previous, last_year
    month: tuple[dt.date, dt.date] | None = None
    month_cards: list[dict] = field(default_factory=list)  # kpi, value, target
    movers: dict[str, list[dict]] = field(default_factory=dict)  # by -> code, value, previous, change
    alerts: list[dict] = field(default_factory=list)  # notification rows of the week


def _movers(week: Filters, previous: Filters, by: str, language: str) -> list[dict]:
    """The channels or regions whose leads moved most against the week before, named in ``language``."""
    names = {o["value"]: o["label"].strip() for o in queries.filter_options(language)[f"{by}s"]}
    # Summed over the week whatever the buckets: daily rows need no calendar join.
    now, before = (queries.breakdown(replace(f, grain="day"), by) for f in (week, previous))
    values = dict(zip(now[by], now[MOVERS_KPI], strict=True)) if not now.empty else {}
    earlier = dict(zip(before[by], before[MOVERS_KPI], strict=True)) if not before.empty else {}
    rows = [{"code": code, "name": names.get(code, code), "value": values.get(code, 0.0),
             "previous": earlier.get(code, 0.0), "change": values.get(code, 0.0) - earlier.get(code, 0.0)}
            for code in set(values) | set(earlier)]
    return sorted(rows, key=lambda r: (-abs(r["change"]), r["code"]))[:TOP_MOVERS]


def compute(user: User, now: dt.datetime | None = None) -> Digest | None:
    """The digest of ``user``, in their scope; None when they see no data."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with acting_as(user):
        last = queries.data_end()
        if last is None or not queries.effective_regions(Filters(start=last, end=last)):
            return None
        start, end, _ = last_complete("week", last)
        week = Filters(start=start, end=end, grain="week", period="last_week")
        window = queries.comparison(week)
        previous, last_year = week.over(window.previous), week.over(window.last_year)
        names = list(metrics.HOME_KPIS.get(user.role, ()))
        current, before, year = (queries.kpi_values(f, names) for f in (week, previous, last_year))
        digest = Digest(user, user.language or "en", (start, end), (window.previous.start, window.previous.end),
                        (window.last_year.start, window.last_year.end))
        digest.cards = [{"kpi": n, "value": current[n], "previous": before[n], "last_year": year[n]} for n in names]
        month_start, month_end, period = to_date("month", last)
        month = Filters(start=month_start, end=month_end, grain="month", period=period)
        actual, target = queries.kpi_values(month, names), queries.targets(month, tuple(names))
        digest.month = (month_start, month_end)
        digest.month_cards = [{"kpi": n, "value": actual[n], "target": target[n]} for n in names
                              if target[n] is not None]
        digest.movers = {by: _movers(week, previous, by, digest.language) for by in ("channel", "region")}
    since = now - dt.timedelta(days=7)
    digest.alerts = [row for row in notifications(user.id) if row["fired_at"] >= since]
    return digest


# --- rendering ------------------------------------------------------------------------------------------------

def sections(d: Digest) -> list[tuple[str, list[str], list[list[str]]]]:
    """The digest's sections as (title, header, rows of cells), in the reader's language: the text, the HTML
    and the app's "this week's digest" show the same."""
    lang, t = d.language, i18n.t
    value = lambda name, v: i18n.kpi_value(name, v, lang)  # noqa: E731
    change = lambda a, b: i18n.percent(metrics.change(a, b), 1, lang, signed=True)  # noqa: E731
    out = [(t("digest.week", lang, period=i18n.date_range(*d.week, lang, weekdays=True)),
            [t("digest.kpi", lang), t("digest.value", lang), t("digest.previous", lang), "",
             t("digest.last_year", lang), ""],
            [[t(f"kpi.{c['kpi']}", lang), value(c["kpi"], c["value"]), value(c["kpi"], c["previous"]),
              change(c["value"], c["previous"]), value(c["kpi"], c["last_year"]), change(c["value"], c["last_year"])]
             for c in d.cards])]
    if d.month_cards:
        out.append((t("digest.month", lang, period=i18n.date_range(*d.month, lang)),
                    [t("digest.kpi", lang), t("digest.value", lang), t("digest.target", lang),
                     t("digest.attainment", lang)],
                    [[t(f"kpi.{c['kpi']}", lang), value(c["kpi"], c["value"]), value(c["kpi"], c["target"]),
                      i18n.percent(metrics.attainment(c["value"], c["target"]), 1, lang)] for c in d.month_cards]))
    for by, rows in d.movers.items():
        if rows:
            out.append((t(f"digest.movers.{by}", lang, kpi=t(f"kpi.{MOVERS_KPI}", lang)),
                        [t(f"digest.{by}", lang), t("digest.value", lang), t("digest.previous", lang), ""],
                        [[r["name"], i18n.number(r["value"], 0, lang), i18n.number(r["previous"], 0, lang),
                          f"{'+' if r['change'] > 0 else ''}{i18n.number(r['change'], 0, lang)}"] for r in rows]))
    notices = [texts.of_event(row, lang) for row in d.alerts]
    out.append((t("digest.alerts", lang), [],
                [[n.title, n.what] for n in notices] or [[t("digest.no_alerts", lang)]]))
    return out


def subject(d: Digest) -> str:
    return i18n.t("digest.subject", d.language, period=i18n.date_range(*d.week, d.language))


def render_text(d: Digest) -> str:
    base, lang = get_settings().app_url, d.language
    out = [i18n.t("alerts.email.intro.digest", lang, name=d.user.name), ""]
    for title, header, rows in sections(d):
        out += [title, *("  " + " | ".join(cell for cell in row if cell) for row in ([header] if header else [])
                         + rows), ""]
    out += [i18n.t("alerts.email.link", lang, url=base + "/"), i18n.t("digest.opt_out", lang, url=base + texts.PATH)]
    return "\n".join(out) + "\n"


def render_html(d: Digest) -> str:
    base, lang = get_settings().app_url, d.language
    parts = [f"<p>{html.escape(i18n.t('alerts.email.intro.digest', lang, name=d.user.name))}</p>"]
    for title, header, rows in sections(d):
        head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(c)}</th>" for c in header)
        body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows)
        parts.append(f"<h3>{html.escape(title)}</h3><table style='border-collapse:collapse'>"
                     f"{'<tr>' + head + '</tr>' if head else ''}{body}</table>")
    parts.append(f"<p><a href='{html.escape(base)}/'>Pilotage</a> · <a href='{html.escape(base + texts.PATH)}'>"
                 f"{html.escape(i18n.t('digest.preferences', lang))}</a></p>")
    return f"<html lang='{lang}'><body style='font-family:sans-serif'>{''.join(parts)}</body></html>"


def send_weekly(dry_run: bool = False, email: str | None = None, now: dt.datetime | None = None) -> list[Digest]:
    """Compute the digest of every active user who has not opted out (or of ``email`` only) and queue it."""
    chosen = [u for u in list_users() if u.active and (email is None or u.email == email.strip().lower())]
    sent = []
    for user in chosen:
        if DIGEST not in email_kinds(user.id):
            continue
        digest = compute(user, now)
        if digest is None:
            continue
        sent.append(digest)
        if not dry_run:
            with get_engine().begin() as conn:
                mail.enqueue(conn, user.email, subject(digest), render_text(digest), html=render_html(digest))
    return sent
