"""What a notification says, in the reader's language: what happened (the figure and its threshold), where
(the regions and filters, as the recipient sees them), when (the period), and the link that opens the
drill-down on the same filters and period. The page and the e-mail both word events here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from pilotage.settings import get_settings

from .. import i18n
from ..semantic.filters import Filters

PATH = "/alerts"


@dataclass(frozen=True)
class Notice:
    title: str
    what: str
    where: str
    when: str
    link: str | None
    link_label: str


def bell_label(count: int) -> tuple[str, str]:
    """The bell's badge (empty without unread notifications) and its accessible title."""
    return (str(count) if count else ""), i18n.t("alerts.bell", count=count)


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def threshold_text(kind: str, threshold: float, language: str) -> str:
    """A rule's threshold as users read it: a share for targets and changes, else a count (days, findings)."""
    if kind in ("target", "change"):
        return i18n.percent(threshold, 1, language)
    return i18n.number(threshold, 0, language)


def _where(kind: str, detail: dict, language: str) -> str:
    if kind == "forecast":
        scope = detail.get("scope", "")
        name = i18n.t("alerts.where.national", language) if scope == "national" else i18n.region_name(scope, None,
                                                                                                       language)
        return i18n.t("alerts.where.forecast", language, scope=name)
    if kind == "freshness":
        return i18n.t("alerts.where.source", language, source=detail.get("source", ""))
    from ..semantic.scope import region_tree

    names = region_tree().names
    parts = [i18n.t("alerts.where.regions", language, codes=", ".join(
        i18n.region_name(c, names.get(c), language) for c in detail["regions"]))
        if detail.get("regions") else i18n.t("alerts.where.scope", language)]
    for key in ("channels", "campaigns", "sources"):
        if detail.get(key):
            parts.append(i18n.t(f"alerts.where.{key}", language, codes=", ".join(detail[key])))
    return " · ".join(parts)


def _link(kind: str, kpi: str | None, grain: str, start, end, detail: dict) -> str | None:
    if kind in ("target", "change"):
        from ..layout.filters import DEFAULT_BY, query_string  # Dash's components: loaded only when needed

        filters = Filters(start=start, end=end, grain=grain, period="custom",
                          regions=tuple(detail.get("regions", ())), channels=tuple(detail.get("channels", ())),
                          campaigns=tuple(detail.get("campaigns", ())), sources=tuple(detail.get("sources", ())))
        return "/explore" + query_string(filters, kpi, DEFAULT_BY)
    if kind == "forecast":
        return "/forecast"
    if kind == "quality" and start and end:
        return "/explore?" + urlencode({"period": "custom", "start": start.isoformat(), "end": end.isoformat(),
                                        "grain": "day", **({"region": ",".join(detail["regions"])}
                                                           if detail.get("regions") else {})})
    return None


def notice(*, kind: str, name: str, kpi: str | None, grain: str, basis: str, threshold: float, severity: str,
           period_start, period_end, value, reference, detail: dict, language: str) -> Notice:
    start, end = _date(period_start), _date(period_end)
    t = i18n.t
    money = (lambda v: i18n.kpi_value(kpi, v, language)) if kpi else (lambda v: i18n.number(v, 0, language))
    if kind in ("target", "change"):
        key = "alerts.what.pace" if kind == "target" and basis == "pace" else f"alerts.what.{kind}"
        reference_period = ""
        if kind == "change" and detail.get("reference_start"):
            reference_period = i18n.date_range(_date(detail["reference_start"]), _date(detail["reference_end"]),
                                               language, weekdays=grain != "month")
        what = t(key, language, kpi=t(f"kpi.{kpi}", language), value=money(value), reference=money(reference),
                 gap=i18n.percent(detail.get("gap"), 1, language),
                 change=i18n.percent(detail.get("change"), 1, language, signed=True),
                 basis=t(f"alerts.basis.{basis}", language), reference_period=reference_period,
                 threshold=threshold_text(kind, threshold, language))
    elif kind == "forecast":
        what = t("alerts.what.forecast", language, value=i18n.number(value, 0, language), level=detail.get("level"),
                 low=i18n.number(detail.get("low"), 0, language), high=i18n.number(detail.get("high"), 0, language),
                 yhat=i18n.number(detail.get("yhat"), 0, language))
    elif kind == "freshness":
        last = detail.get("last")
        what = (t("alerts.what.freshness", language, source=detail.get("source"), days=int(value),
                  last=i18n.date(_date(last), language=language), threshold=i18n.number(threshold, 0, language))
                if last else t("alerts.what.freshness.never", language, source=detail.get("source")))
    else:
        what = t("alerts.what.quality", language, count=i18n.number(value, 0, language), file=detail.get("file"),
                 period=i18n.date_range(start, end, language) if start and end else "–")
    when = i18n.date_range(start, end, language, weekdays=grain == "week") if start and end else "–"
    label = "alerts.open.forecast" if kind == "forecast" else "alerts.open"
    return Notice(title=f"{t(f'alerts.severity.{severity}', language)} · {name}", what=what,
                  where=_where(kind, detail, language), when=t("alerts.period", language, period=when),
                  link=_link(kind, kpi, grain, start, end, detail), link_label=t(label, language))


def of_event(row: dict, language: str) -> Notice:
    """A stored event (:func:`events.notifications`'s row) in ``language``."""
    return notice(kind=row["kind"], name=row["rule_name"], kpi=row["kpi"], grain=row["grain"], basis=row["basis"],
                  threshold=row["threshold"], severity=row["severity"], period_start=row["period_start"],
                  period_end=row["period_end"], value=row["value"], reference=row["reference"],
                  detail=row["detail"], language=language)


def of_outcome(rule, outcome, language: str) -> Notice:
    return notice(kind=rule.kind, name=rule.name, kpi=rule.kpi, grain=rule.grain, basis=rule.basis,
                  threshold=rule.threshold, severity=rule.severity, period_start=outcome.period_start,
                  period_end=outcome.period_end, value=outcome.value, reference=outcome.reference,
                  detail=outcome.detail, language=language)


def email(rule, outcome, language: str, name: str = "") -> tuple[str, str]:
    """Subject and plain-text body of the e-mail of a new notification."""
    found = of_outcome(rule, outcome, language)
    base = get_settings().app_url
    t = i18n.t
    subject = t("alerts.email.subject", language, severity=t(f"alerts.severity.{rule.severity}", language),
                name=rule.name)
    lines = [t("alerts.email.intro", language, name=name, rule=rule.name), "", found.what, found.where, found.when, ""]
    if found.link:
        lines += [t("alerts.email.link", language, url=base + found.link), ""]
    lines.append(t("alerts.email.footer", language, url=base + PATH))
    return subject, "\n".join(lines) + "\n"
