"""Callbacks of saved views: the navbar dialog that saves the page being looked at, and the ``/views`` page that
sets the home view or deletes one. Both run for every role (each user's own views only: the semantic layer
filters every read and write by the logged-in user, so a forged view id is "not found").

- ``save_view``: dialog feedback <- save (state: name, home, the address read in the browser)
- ``manage``: list, choices, feedback <- set home, no home, delete (state: chosen view)
"""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from ... import i18n
from ...auth.callbacks import role_checked
from ...semantic import views
from . import PATH, ids
from .figures import view_options, views_table


def save_view(_clicks, name, home, location):
    language = i18n.current_language()
    location = location if isinstance(location, dict) else {}
    try:
        status, _id = views.save_view(name, location.get("path"), location.get("search"), home is True)
    except views.ViewError as error:
        return i18n.t(f"views.error.{error.code}", language), "danger", True
    key = "views.saved_home" if home is True else f"views.done_{status}"
    return i18n.t(key, language, name=views.clean_name(name)), "success", True


def manage(_home, _clear, _delete, pick):
    language = i18n.current_language()
    trigger = ctx.triggered_id
    try:
        if trigger == ids.SET_HOME:
            if pick in (None, ""):
                raise views.ViewError("pick")
            message = i18n.t("views.home_set", language, name=views.set_home(pick))
        elif trigger == ids.CLEAR_HOME:
            views.set_home(None)
            message = i18n.t("views.home_cleared", language)
        elif trigger == ids.DELETE:
            if pick in (None, ""):
                raise views.ViewError("pick")
            message = i18n.t("views.deleted", language, name=views.delete_view(pick))
        else:
            raise PreventUpdate
    except views.ViewError as error:
        return no_update, no_update, no_update, i18n.t(f"views.error.{error.code}", language), "danger", True
    listing = views.list_views()
    return views_table(listing, language), view_options(listing), None, message, "success", True


def register_callbacks(app) -> None:
    app = role_checked(app, PATH)  # every role: each user's own views only
    app.callback(Output(ids.DIALOG_FEEDBACK, "children"), Output(ids.DIALOG_FEEDBACK, "color"),
                 Output(ids.DIALOG_FEEDBACK, "is_open"), Input(ids.DIALOG_SAVE, "n_clicks"),
                 State(ids.DIALOG_NAME, "value"), State(ids.DIALOG_HOME, "value"), State(ids.DIALOG_LOCATION, "data"),
                 prevent_initial_call=True)(save_view)
    app.callback(Output(ids.LIST, "children"), Output(ids.PICK, "options"), Output(ids.PICK, "value"),
                 Output(ids.FEEDBACK, "children"), Output(ids.FEEDBACK, "color"),
                 Output(ids.FEEDBACK, "is_open"), Input(ids.SET_HOME, "n_clicks"),
                 Input(ids.CLEAR_HOME, "n_clicks"), Input(ids.DELETE, "n_clicks"),
                 State(ids.PICK, "value"), prevent_initial_call=True)(manage)
