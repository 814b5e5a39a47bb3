"""The Monday digest: for each user who has not opted out, one e-mail in their language, computed in their
scope (:func:`dashapp.alerts.evaluate.acting_as`): the role's KPI cards for the last complete ISO week against
the week before and the same ISO week last year, the month to date against its target and against the
forecast of record, the top movers by channel and by region, the alerts of the week and (for the roles of the
data-health page) the home page's data-health line; plain text and HTML, with links back to the app. The HTML
shows the charts as PNG images (:mod:`dashapp.layout.static`, all the digests' charts drawn in one browser
session) embedded as data URIs, which :func:`pilotage.mail.message` turns into inline related parts; without
static export the e-mail goes out with its tables only.
``pilotage reports send --weekly`` sends it (cron: Monday 07:00 Europe/Paris)."""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import plotly.graph_objects as go

from pilotage import mail
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine

from .. import i18n
from ..auth.users import User, list_users
from ..layout import charts, static
from ..semantic import forecasts, health, metrics, queries
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
    forecast: dict | None = None  # forecasts.month_to_date, with "value": the KPI's actual to date
    health: dict | None = None  # health.summary (roles of the data-health page only)
    images: dict[str, bytes] = field(default_factory=dict)  # section key -> PNG (send_weekly draws them)


class Section(NamedTuple):
    title: str
    header: list[str]
    rows: list[list[str]]
    key: str  # what chart belongs under it (Digest.images)


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
        digest.forecast = forecasts.month_to_date(month_start, month_end)
        if digest.forecast is not None:
            name = digest.forecast["kpi"]
            digest.forecast["value"] = queries.kpi_values(month, [name])[name]
        if user.role in health.HEALTH_ROLES:
            digest.health = health.summary()
    since = now - dt.timedelta(days=7)
    digest.alerts = [row for row in notifications(user.id) if row["fired_at"] >= since]
    return digest


# --- rendering ------------------------------------------------------------------------------------------------

def sections(d: Digest) -> list[Section]:
    """The digest's sections (title, header, rows of cells, chart key), in the reader's language: the text, the
    HTML and the app's "this week's digest" show the same."""
    lang, t = d.language, i18n.t
    value = lambda name, v: i18n.kpi_value(name, v, lang)  # noqa: E731
    change = lambda a, b: i18n.percent(metrics.change(a, b), 1, lang, signed=True)  # noqa: E731
    out = [Section(t("digest.week", lang, period=i18n.date_range(*d.week, lang, weekdays=True)),
            [t("digest.kpi", lang), t("digest.value", lang), t("digest.previous", lang), "",
             t("digest.last_year", lang), ""],
            [[t(f"kpi.{c['kpi']}", lang), value(c["kpi"], c["value"]), value(c["kpi"], c["previous"]),
              change(c["value"], c["previous"]), value(c["kpi"], c["last_year"]), change(c["value"], c["last_year"])]
             for c in d.cards], "week")]
    if d.month_cards:
        out.append(Section(t("digest.month", lang, period=i18n.date_range(*d.month, lang)),
                    [t("digest.kpi", lang), t("digest.value", lang), t("digest.target", lang),
                     t("digest.attainment", lang)],
                    [[t(f"kpi.{c['kpi']}", lang), value(c["kpi"], c["value"]), value(c["kpi"], c["target"]),
                      i18n.percent(metrics.attainment(c["value"], c["target"]), 1, lang)] for c in d.month_cards],
                           "month"))
    if d.month is not None:
        out.append(_forecast_section(d))
    for by, rows in d.movers.items():
        if rows:
            out.append(Section(t(f"digest.movers.{by}", lang, kpi=t(f"kpi.{MOVERS_KPI}", lang)),
                        [t(f"digest.{by}", lang), t("digest.value", lang), t("digest.previous", lang), ""],
                        [[r["name"], i18n.number(r["value"], 0, lang), i18n.number(r["previous"], 0, lang),
                          f"{'+' if r['change'] > 0 else ''}{i18n.number(r['change'], 0, lang)}"] for r in rows],
                               f"movers.{by}"))
    notices = [texts.of_event(row, lang) for row in d.alerts]
    out.append(Section(t("digest.alerts", lang), [],
                       [[n.title, n.what] for n in notices] or [[t("digest.no_alerts", lang)]], "alerts"))
    if d.health is not None:
        out.append(Section(t("digest.health", lang), [], [list(i18n.health_line(d.health, lang))], "health"))
    return out


def _forecast_section(d: Digest) -> Section:
    """The month to date against the forecast of record: the forecast of these days (the month's pro rata) and
    of the whole month with its 80 % interval."""
    lang, t, f = d.language, i18n.t, d.forecast
    title = t("digest.forecast", lang, period=i18n.date_range(*d.month, lang))
    if f is None:
        return Section(title, [], [[t("digest.forecast.none", lang)]], "forecast")
    value = lambda v: i18n.kpi_value(f["kpi"], v, lang)  # noqa: E731
    interval = f"{value(f['lo80'])} – {value(f['hi80'])}" if f["lo80"] is not None else ""
    return Section(title, [t("digest.kpi", lang), t("digest.value", lang), t("digest.forecast.to_date", lang),
                           t("digest.forecast.share", lang), t("digest.forecast.month", lang),
                           t("digest.forecast.interval", lang) if interval else ""],
                   [[t(f"kpi.{f['kpi']}", lang), value(f["value"]), value(f["to_date"]),
                     i18n.percent(metrics.attainment(f["value"], f["to_date"]), 1, lang), value(f["forecast"]),
                     interval]], "forecast")


# --- charts -----------------------------------------------------------------------------------------------------

def figures(d: Digest) -> dict[str, go.Figure]:
    """The digest's charts by section key: the week's changes, the month's attainment of target, the month to
    date against the forecast, the movers; the same figures as the tables above them."""
    lang, t = d.language, i18n.t
    out: dict[str, go.Figure] = {}
    if d.cards:
        names = [t(f"kpi.{c['kpi']}", lang) for c in d.cards]
        fig = go.Figure([go.Bar(y=names, x=[metrics.change(c["value"], c[basis]) for c in d.cards], name=t(
            f"digest.{basis}", lang), orientation="h", marker_color=charts.COLORS[color])
            for basis, color in (("previous", "actual"), ("last_year", "last_year"))])
        fig.update_layout(title=t("digest.change", lang), xaxis={"tickformat": "+.0%"}, barmode="group")
        out["week"] = fig
    if d.month_cards:
        fig = go.Figure(go.Bar(x=[t(f"kpi.{c['kpi']}", lang) for c in d.month_cards],
                               y=[metrics.attainment(c["value"], c["target"]) for c in d.month_cards],
                               marker_color=charts.COLORS["target"], name=t("digest.attainment", lang)))
        fig.add_hline(y=1, line_dash="dot")
        fig.update_layout(title=t("digest.attainment", lang), yaxis={"tickformat": ".0%"})
        out["month"] = fig
    if d.forecast is not None:
        f = d.forecast
        labels = [t("digest.value", lang), t("digest.forecast.to_date", lang), t("digest.forecast.month", lang)]
        bounds = f["lo80"] is not None
        fig = go.Figure(go.Bar(x=labels, y=[f["value"], f["to_date"], f["forecast"]],
                               marker_color=[charts.COLORS["actual"], charts.COLORS["last_year"],
                                             charts.COLORS["last_year"]],
                               error_y={"type": "data", "symmetric": False, "visible": bounds,
                                        "array": [0, 0, f["hi80"] - f["forecast"] if bounds else 0],
                                        "arrayminus": [0, 0, f["forecast"] - f["lo80"] if bounds else 0]}))
        fig.update_layout(title=t(f"kpi.{f['kpi']}", lang), showlegend=False)
        out["forecast"] = fig
    for by, rows in d.movers.items():
        if rows:
            fig = go.Figure(go.Bar(y=[r["name"] for r in rows], x=[r["change"] for r in rows], orientation="h",
                                   marker_color=[charts.COLORS["target"] if r["change"] >= 0 else "#dc3545"
                                                 for r in rows]))
            fig.update_layout(title=t("digest.change", lang), yaxis={"autorange": "reversed"}, showlegend=False)
            out[f"movers.{by}"] = fig
    return {key: charts.framed(fig, lang, height=260) for key, fig in out.items()}


def draw(digests: list[Digest]) -> bool:
    """Draw every digest's charts in one browser session into ``Digest.images``; False when static export is
    unavailable (the digests keep their tables only)."""
    wanted = [(d, key, fig) for d in digests for key, fig in figures(d).items()]
    images = static.to_png([fig for _d, _key, fig in wanted])
    if images is None:
        return False
    for (d, key, _fig), png in zip(wanted, images, strict=True):
        d.images[key] = png
    return True


def subject(d: Digest) -> str:
    return i18n.t("digest.subject", d.language, period=i18n.date_range(*d.week, d.language))


def render_text(d: Digest) -> str:
    base, lang = get_settings().app_url, d.language
    out = [i18n.t("alerts.email.intro.digest", lang, name=d.user.name), ""]
    for title, header, rows, _key in sections(d):
        out += [title, *("  " + " | ".join(cell for cell in row if cell) for row in ([header] if header else [])
                         + rows), ""]
    out += [i18n.t("alerts.email.link", lang, url=base + "/"), i18n.t("digest.opt_out", lang, url=base + texts.PATH)]
    return "\n".join(out) + "\n"


def render_html(d: Digest) -> str:
    base, lang = get_settings().app_url, d.language
    parts = [f"<p>{html.escape(i18n.t('alerts.email.intro.digest', lang, name=d.user.name))}</p>"]
    for title, header, rows, key in sections(d):
        head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(c)}</th>" for c in header)
        body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows)
        parts.append(f"<h3>{html.escape(title)}</h3><table style='border-collapse:collapse'>"
                     f"{'<tr>' + head + '</tr>' if head else ''}{body}</table>")
        if key in d.images:  # a data URI here; an inline related part (cid:) in the e-mail
            parts.append(f"<p><img src=\"data:image/png;base64,{base64.b64encode(d.images[key]).decode()}\" "
                         f"alt=\"{html.escape(title)}\" width=\"640\" style='max-width:100%'></p>")
        if key == "health":
            parts.append(f"<p><a href='{html.escape(base)}/health'>{html.escape(i18n.t('health.line.open', lang))}"
                         "</a></p>")
    parts.append(f"<p><a href='{html.escape(base)}/'>Pilotage</a> · <a href='{html.escape(base + texts.PATH)}'>"
                 f"{html.escape(i18n.t('digest.preferences', lang))}</a></p>")
    return f"<html lang='{lang}'><body style='font-family:sans-serif'>{''.join(parts)}</body></html>"


def send_weekly(dry_run: bool = False, email: str | None = None, now: dt.datetime | None = None) -> list[Digest]:
    """Compute the digest of every active user who has not opted out (or of ``email`` only), draw the charts of
    all of them in one browser session (tables only if that fails), and queue them."""
    chosen = [u for u in list_users() if u.active and (email is None or u.email == email.strip().lower())]
    sent = [digest for user in chosen if DIGEST in email_kinds(user.id)
            if (digest := compute(user, now)) is not None]
    if not dry_run:
        draw(sent)
        for digest in sent:
            with get_engine().begin() as conn:
                mail.enqueue(conn, digest.user.email, subject(digest), render_text(digest), html=render_html(digest))
    return sent
