"""The alerts page's callbacks and the navbar's bell: notifications listed and marked read, rules saved,
edited and deleted, preferences saved.

Every input is untrusted: the user is the session's (``current_user``), a notification id marks only that
user's own events, a rule is changed only by its owner or an admin, and a rule's fields are checked by
:func:`dashapp.alerts.rules.clean` whatever the form sent.
"""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from flask_login import current_user

from .. import i18n
from ..alerts import events, rules, texts
from ..auth import users as user_store
from ..auth.callbacks import role_checked

READ = "alerts-read"
EDIT = "alerts-rule-edit"
DELETE = "alerts-rule-delete"
FORM_FIELDS = ("name", "kind", "kpi", "grain", "basis", "threshold", "severity", "regions", "channels", "source",
               "users", "roles")


def bell(_pathname):
    return texts.bell_label(events.unread_count(current_user.id))


def _bump(version) -> int:
    return version + 1 if isinstance(version, int) and not isinstance(version, bool) else 1


def _when(value: dt.datetime | None, language: str) -> str:
    return f"{i18n.date(value.date(), language=language)} {value:%H:%M}" if value else "–"


def _item(row: dict, language: str) -> dbc.ListGroupItem:
    notice = texts.of_event(row, language)
    unread = row["read_at"] is None
    state = i18n.t(f"alerts.state.{row['state']}", language)
    if row["state"] == "resolved":
        state = f"{state} ({i18n.t('alerts.resolved_at', language, when=_when(row['resolved_at'], language))})"
    color = {"critical": "danger", "warning": "warning", "info": "info"}.get(row["severity"], "secondary")
    header = [html.Strong(notice.title), " ",
              dbc.Badge(state, color="light", text_color="dark", className="ms-1")]
    if unread:
        header.append(dbc.Badge(i18n.t("alerts.unread", language), color=color, className="ms-1"))
    actions = []
    if notice.link:
        actions.append(dcc.Link(notice.link_label, href=notice.link, className="me-3 alerts-link"))
    if unread:
        actions.append(dbc.Button(i18n.t("alerts.mark_read", language), id={"type": READ, "index": row["id"]},
                                  size="sm", color="link", className="p-0"))
    return dbc.ListGroupItem([
        html.Div(header),
        html.P(notice.what, className="mb-1 alerts-what"),
        html.Small([notice.where, " · ", notice.when, " · ",
                    i18n.t("alerts.fired", language, when=_when(row["fired_at"], language))],
                   className="text-muted d-block mb-1"),
        html.Div(actions),
    ], className="alerts-item" + (" alerts-unread" if unread else ""), color=None if not unread else "light")


def render(version):
    language = i18n.current_language()
    rows = events.notifications(current_user.id)
    listing = (dbc.ListGroup([_item(row, language) for row in rows]) if rows
               else html.P(i18n.t("alerts.none", language), className="text-muted", id="alerts-empty"))
    return listing, *texts.bell_label(events.unread_count(current_user.id))


def mark(_one, _all, version):
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return dash.no_update  # a button drawn again, not a click
    if trigger == "alerts-mark-all":
        events.mark_read(current_user.id)
    elif isinstance(trigger, dict) and trigger.get("type") == READ:
        events.mark_read(current_user.id, [trigger.get("index")])
    else:
        return dash.no_update
    return _bump(version)


# --- rules ----------------------------------------------------------------------------------------------------

def _describe_rule(rule: rules.Rule, language: str, names: dict[int, str]) -> list:
    t = i18n.t
    what = t(f"alerts.kind.{rule.kind}", language)
    if rule.kpi:
        what += f" · {t(f'kpi.{rule.kpi}', language)}"
    if rule.kind in ("target", "change"):
        what += f" · {t(f'alerts.grain.{rule.grain}', language)}"
    if rule.basis:
        what += f" · {t(f'alerts.basis.{rule.basis}', language)}"
    if rule.source:
        what += f" · {rule.source}"
    subscribers = [names.get(u, str(u)) for u in rule.users] + [t(f"role.{r}", language) for r in rule.roles]
    return [rule.name, what, texts.threshold_text(rule.kind, rule.threshold, language),
            t(f"alerts.severity.{rule.severity}", language), ", ".join(subscribers)]


def rules_view(_version):
    language = i18n.current_language()
    visible = rules.visible_rules(current_user)
    if not visible:
        return html.P(i18n.t("alerts.rules.none", language), className="text-muted")
    names = {u.id: u.name for u in user_store.list_users()}
    head = html.Thead(html.Tr([html.Th(i18n.t(k, language)) for k in (
        "alerts.field.name", "alerts.field.kind", "alerts.field.threshold", "alerts.field.severity",
        "alerts.field.subscribers")] + [html.Th("")]))
    body = []
    for rule in visible:
        editable = current_user.role == "admin" or rule.owner_id == current_user.id
        buttons = [dbc.Button(i18n.t("alerts.rules.edit", language), id={"type": EDIT, "index": rule.id}, size="sm",
                              color="link", className="p-0 me-2"),
                   dbc.Button(i18n.t("alerts.rules.delete", language), id={"type": DELETE, "index": rule.id},
                              size="sm", color="link", className="p-0 text-danger")] if editable else []
        body.append(html.Tr([html.Td(cell) for cell in _describe_rule(rule, language, names)] + [html.Td(buttons)]))
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, responsive=True, className="small")


def _feedback(message: str, ok: bool):
    return message, "success" if ok else "danger", True


def save_rule(_clicks, editing, *values):
    *values, version = values
    fields = dict(zip(FORM_FIELDS, values, strict=True))

    def codes(value) -> list:
        return [v for v in value if isinstance(v, (str, int))] if isinstance(value, list) else []

    spec = rules.RuleSpec(
        name=fields["name"] if isinstance(fields["name"], str) else "", kind=fields["kind"], kpi=fields["kpi"],
        grain=fields["grain"] or "month", basis=fields["basis"] or "", threshold=fields["threshold"],
        severity=fields["severity"] or "warning",
        filters={"regions": codes(fields["regions"]), "channels": codes(fields["channels"])},
        source=fields["source"] if isinstance(fields["source"], str) else "",
        users=[u for u in codes(fields["users"]) if isinstance(u, int)], roles=codes(fields["roles"]))
    try:
        if isinstance(editing, int) and not isinstance(editing, bool):
            rules.update_rule(current_user, editing, spec)
        else:
            rules.create_rule(current_user, spec)
    except rules.RuleError as error:
        return *_feedback(i18n.t(f"alerts.error.{error.code}"), False), dash.no_update, dash.no_update
    return *_feedback(i18n.t("alerts.rules.saved"), True), None, _bump(version)


def edit_rule(_clicks):
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value") or not isinstance(trigger, dict):
        return (dash.no_update,) * (len(FORM_FIELDS) + 2)
    rule = rules.get_rule(trigger.get("index"))
    if rule is None or not (current_user.role == "admin" or rule.owner_id == current_user.id):
        return (dash.no_update,) * (len(FORM_FIELDS) + 2)
    values = [rule.name, rule.kind, rule.kpi, rule.grain, rule.basis or None, rule.threshold, rule.severity,
              list(rule.filters.get("regions", [])), list(rule.filters.get("channels", [])), rule.source or None,
              list(rule.users), list(rule.roles)]
    return (rule.id, f"{i18n.t('alerts.rules.edit')}: {rule.name}", *values)


def delete_rule(_clicks, version):
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value") or not isinstance(trigger, dict):
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    try:
        rules.delete_rule(current_user, trigger.get("index"))
    except rules.RuleError as error:
        return *_feedback(i18n.t(f"alerts.error.{error.code}"), False), dash.no_update
    return *_feedback(i18n.t("alerts.rules.deleted"), True), _bump(version)


# --- this week's digest -------------------------------------------------------------------------------------

def show_digest(_clicks):
    """The Monday digest of the session's user, as the e-mail says it (same sections, same figures)."""
    from ..alerts import digest

    found = digest.compute(current_user)
    if found is None:
        return html.P(i18n.t("digest.none"), className="text-muted")
    found.language = i18n.current_language()
    blocks = []
    for title, head, body, _chart in digest.sections(found):
        blocks += [html.H3(title, className="h6 mt-3"), dbc.Table(
            ([html.Thead(html.Tr([html.Th(c) for c in head]))] if head else [])
            + [html.Tbody([html.Tr([html.Td(c) for c in row]) for row in body])],
            size="sm", striped=True, responsive=True, className="small mb-1")]
    return html.Div(blocks, id="alerts-digest-body")


# --- preferences ------------------------------------------------------------------------------------------------

def save_preferences(_clicks, kinds, language):
    events.set_email_kinds(current_user.id, kinds if isinstance(kinds, list) else [])
    reload = dash.no_update
    if language in user_store.LANGUAGES and language != current_user.language:
        user_store.set_language(current_user.id, language)
        reload = "/alerts"  # the page is drawn again in the chosen language
    return i18n.t("alerts.preferences.saved"), "success", True, reload


def register_callbacks(app: dash.Dash) -> None:
    from ..pages.alerts import PATH

    app = role_checked(app, PATH)  # every role may open the page: each function acts on the session's user only
    app.callback(Output("nav-bell-count", "children"), Output("nav-bell", "title"),
                 Input("_pages_location", "pathname"))(bell)
    app.callback(Output("alerts-list", "children"), Output("nav-bell-count", "children", allow_duplicate=True),
                 Output("nav-bell", "title", allow_duplicate=True), Input("alerts-version", "data"),
                 prevent_initial_call="initial_duplicate")(render)
    app.callback(Output("alerts-version", "data"), Input({"type": READ, "index": ALL}, "n_clicks"),
                 Input("alerts-mark-all", "n_clicks"), State("alerts-version", "data"),
                 prevent_initial_call=True)(mark)
    app.callback(Output("alerts-rules", "children"), Input("alerts-version", "data"))(rules_view)
    app.callback(Output("alerts-rule-feedback", "children"), Output("alerts-rule-feedback", "color"),
                 Output("alerts-rule-feedback", "is_open"), Output("alerts-rule-editing", "data"),
                 Output("alerts-version", "data", allow_duplicate=True),
                 Input("alerts-rule-save", "n_clicks"), State("alerts-rule-editing", "data"),
                 *[State(f"alerts-rule-{name}", "value") for name in FORM_FIELDS], State("alerts-version", "data"),
                 prevent_initial_call=True)(save_rule)
    app.callback(Output("alerts-rule-editing", "data", allow_duplicate=True),
                 Output("alerts-rule-form-title", "children"),
                 *[Output(f"alerts-rule-{name}", "value", allow_duplicate=True) for name in FORM_FIELDS],
                 Input({"type": EDIT, "index": ALL}, "n_clicks"), prevent_initial_call=True)(edit_rule)
    app.callback(Output("alerts-rule-feedback", "children", allow_duplicate=True),
                 Output("alerts-rule-feedback", "color", allow_duplicate=True),
                 Output("alerts-rule-feedback", "is_open", allow_duplicate=True),
                 Output("alerts-version", "data", allow_duplicate=True),
                 Input({"type": DELETE, "index": ALL}, "n_clicks"), State("alerts-version", "data"),
                 prevent_initial_call=True)(delete_rule)
    app.callback(Output("alerts-digest", "children"), Input("alerts-digest-show", "n_clicks"),
                 prevent_initial_call=True)(show_digest)
    app.callback(Output("alerts-pref-feedback", "children"), Output("alerts-pref-feedback", "color"),
                 Output("alerts-pref-feedback", "is_open"), Output("alerts-reload", "href"),
                 Input("alerts-pref-save", "n_clicks"), State("alerts-pref-kinds", "value"),
                 State("alerts-pref-language", "value"), prevent_initial_call=True)(save_preferences)
