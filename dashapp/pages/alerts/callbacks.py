"""The alerts page's callbacks and the navbar's bell: notifications listed and marked read, rules saved,
edited and deleted, the digest shown, preferences saved.

Every input is untrusted: the user is the session's (``current_user``), a notification id marks only that
user's own events (:func:`dashapp.alerts.events.mark_read`), a rule is changed only by whom
:func:`dashapp.alerts.rules.may_edit` allows, and a rule's fields are checked by
:func:`dashapp.alerts.rules.clean` whatever the form sent.
"""

from __future__ import annotations

import json

import dash
from dash import ALL, Input, Output, State, ctx, html
from flask_login import current_user

from ... import i18n
from ...alerts import events, rules, texts
from ...auth import users as user_store
from ...auth.callbacks import role_checked
from ...callbacks.signals import next_version
from . import PATH, figures, ids


def bell(_pathname):
    return texts.bell_label(events.unread_count(current_user.id))



# In the browser: a click on a notification's or a rule's button, copied into the store of its kind. Buttons
# drawn by the list (n_clicks empty) change nothing, so the server is not asked after each drawing.
FORWARD_CLICK = """
function (reads, edits, deletes) {
    const dc = window.dash_clientside, context = dc.callback_context, id = context.triggered_id;
    const out = [dc.no_update, dc.no_update, dc.no_update];
    const kind = id && typeof id === "object" ? KINDS.indexOf(id.type) : -1;
    if (kind < 0) return out;
    const position = context.inputs_list[kind].findIndex(input => input.id.index === id.index);
    const clicks = position >= 0 ? [reads, edits, deletes][kind][position] : null;
    if (clicks) out[kind] = {index: id.index, clicks: clicks, at: Date.now()};
    return out;
}
""".replace("KINDS", json.dumps(list(ids.CLICKED)))


def _clicked(data) -> object:
    """The index of the button a click store names (from the browser: anything), or None."""
    return data.get("index") if isinstance(data, dict) else None


def render(_version):
    """The notifications, the bell and the rules in one answer (the page drawn once when it opens)."""
    language = i18n.current_language()
    listing = figures.notifications(events.notifications(current_user.id), language)
    visible = [(rule, rules.may_edit(current_user, rule)) for rule in rules.visible_rules(current_user)]
    names = {u.id: u.name for u in user_store.list_users()} if visible else {}
    return (listing, *texts.bell_label(events.unread_count(current_user.id)),
            figures.rules_table(visible, names, language))


def mark(clicked, _all, version):
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return dash.no_update
    if ctx.triggered_id == ids.MARK_ALL:
        events.mark_read(current_user.id)
    elif _clicked(clicked) is not None:
        events.mark_read(current_user.id, [_clicked(clicked)])
    else:
        return dash.no_update
    return next_version(version)


# --- rules ----------------------------------------------------------------------------------------------------

def _feedback(message: str, ok: bool):
    return message, "success" if ok else "danger", True


def save_rule(_clicks, editing, *values):
    *values, version = values
    spec = rules.form_spec(dict(zip(ids.FORM_FIELDS, values, strict=True)))
    try:
        if isinstance(editing, int) and not isinstance(editing, bool):
            rules.update_rule(current_user, editing, spec)
        else:
            rules.create_rule(current_user, spec)
    except rules.RuleError as error:
        return *_feedback(i18n.t(f"alerts.error.{error.code}"), False), dash.no_update, dash.no_update
    return *_feedback(i18n.t("alerts.rules.saved"), True), None, next_version(version)


def edit_rule(clicked):
    rule = rules.editable_rule(current_user, _clicked(clicked))
    if rule is None:
        return (dash.no_update,) * (len(ids.FORM_FIELDS) + 2)
    return (rule.id, f"{i18n.t('alerts.rules.edit')}: {rule.name}", *figures.form_values(rule))


def delete_rule(clicked, version):
    if _clicked(clicked) is None:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    try:
        rules.delete_rule(current_user, _clicked(clicked))
    except rules.RuleError as error:
        return *_feedback(i18n.t(f"alerts.error.{error.code}"), False), dash.no_update
    return *_feedback(i18n.t("alerts.rules.deleted"), True), next_version(version)


# --- this week's digest -------------------------------------------------------------------------------------

def show_digest(_clicks):
    """The Monday digest of the session's user, as the e-mail says it (same sections, same figures)."""
    from ...alerts import digest

    found = digest.compute(current_user)
    if found is None:
        return html.P(i18n.t("digest.none"), className="text-muted")
    found.language = i18n.current_language()
    return figures.digest(digest.sections(found))


# --- preferences ------------------------------------------------------------------------------------------------

def save_preferences(_clicks, kinds, language):
    events.set_email_kinds(current_user.id, kinds if isinstance(kinds, list) else [])
    reload = dash.no_update
    if language in user_store.LANGUAGES and language != current_user.language:
        user_store.set_language(current_user.id, language)
        reload = PATH  # the page is drawn again in the chosen language
    return i18n.t("alerts.preferences.saved"), "success", True, reload


def register_callbacks(app: dash.Dash) -> None:
    app = role_checked(app, PATH)  # every role may open the page: each function acts on the session's user only
    app.callback(Output(ids.BELL_COUNT, "children"), Output(ids.BELL, "title"),
                 Input("_pages_location", "pathname"))(bell)
    app.callback(Output(ids.LIST, "children"), Output(ids.BELL_COUNT, "children", allow_duplicate=True),
                 Output(ids.BELL, "title", allow_duplicate=True), Output(ids.RULES, "children"),
                 Input(ids.VERSION, "data"), prevent_initial_call="initial_duplicate")(render)
    app.clientside_callback(FORWARD_CLICK, *(Output(store, "data") for store in ids.CLICKED.values()),
                            *(Input(ids.button(kind, ALL), "n_clicks") for kind in ids.CLICKED),
                            prevent_initial_call=True)
    app.callback(Output(ids.VERSION, "data"), Input(ids.CLICKED[ids.READ], "data"),
                 Input(ids.MARK_ALL, "n_clicks"), State(ids.VERSION, "data"),
                 prevent_initial_call=True)(mark)
    app.callback(Output(ids.RULE_FEEDBACK, "children"), Output(ids.RULE_FEEDBACK, "color"),
                 Output(ids.RULE_FEEDBACK, "is_open"), Output(ids.RULE_EDITING, "data"),
                 Output(ids.VERSION, "data", allow_duplicate=True),
                 Input(ids.RULE_SAVE, "n_clicks"), State(ids.RULE_EDITING, "data"),
                 *[State(ids.field(name), "value") for name in ids.FORM_FIELDS], State(ids.VERSION, "data"),
                 prevent_initial_call=True)(save_rule)
    app.callback(Output(ids.RULE_EDITING, "data", allow_duplicate=True),
                 Output(ids.RULE_FORM_TITLE, "children"),
                 *[Output(ids.field(name), "value", allow_duplicate=True) for name in ids.FORM_FIELDS],
                 Input(ids.CLICKED[ids.EDIT], "data"), prevent_initial_call=True)(edit_rule)
    app.callback(Output(ids.RULE_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.RULE_FEEDBACK, "color", allow_duplicate=True),
                 Output(ids.RULE_FEEDBACK, "is_open", allow_duplicate=True),
                 Output(ids.VERSION, "data", allow_duplicate=True),
                 Input(ids.CLICKED[ids.DELETE], "data"), State(ids.VERSION, "data"),
                 prevent_initial_call=True)(delete_rule)
    app.callback(Output(ids.DIGEST, "children"), Input(ids.DIGEST_SHOW, "n_clicks"),
                 prevent_initial_call=True)(show_digest)
    app.callback(Output(ids.PREF_FEEDBACK, "children"), Output(ids.PREF_FEEDBACK, "color"),
                 Output(ids.PREF_FEEDBACK, "is_open"), Output(ids.RELOAD, "href"),
                 Input(ids.PREF_SAVE, "n_clicks"), State(ids.PREF_KINDS, "value"),
                 State(ids.PREF_LANGUAGE, "value"), prevent_initial_call=True)(save_preferences)
