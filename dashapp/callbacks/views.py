"""Callbacks of saved views: the navbar dialog that saves the page being looked at, and the ``/views`` page that
sets the home view or deletes one. Both run for every role (each user's own views only: the semantic layer
filters every read and write by the logged-in user, so a forged view id is "not found").

- ``save_view``: dialog feedback <- save (state: name, home, the address read in the browser)
- ``manage``: list, choices, feedback <- set home, no home, delete (state: chosen view)
"""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from .. import i18n
from ..auth.callbacks import role_checked
from ..pages import views as page
from ..semantic import views


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
        if trigger == "views-set-home":
            if pick in (None, ""):
                raise views.ViewError("pick")
            message = i18n.t("views.home_set", language, name=views.set_home(pick))
        elif trigger == "views-clear-home":
            views.set_home(None)
            message = i18n.t("views.home_cleared", language)
        elif trigger == "views-delete":
            if pick in (None, ""):
                raise views.ViewError("pick")
            message = i18n.t("views.deleted", language, name=views.delete_view(pick))
        else:
            raise PreventUpdate
    except views.ViewError as error:
        return no_update, no_update, no_update, i18n.t(f"views.error.{error.code}", language), "danger", True
    listing = views.list_views()
    return page.views_table(listing, language), page.view_options(listing), None, message, "success", True


def register_callbacks(app) -> None:
    app = role_checked(app, page.PATH)  # every role: each user's own views only
    app.callback(Output("view-feedback", "children"), Output("view-feedback", "color"),
                 Output("view-feedback", "is_open"), Input("view-save", "n_clicks"), State("view-name", "value"),
                 State("view-home", "value"), State("view-location", "data"), prevent_initial_call=True)(save_view)
    app.callback(Output("views-list", "children"), Output("views-pick", "options"), Output("views-pick", "value"),
                 Output("views-feedback", "children"), Output("views-feedback", "color"),
                 Output("views-feedback", "is_open"), Input("views-set-home", "n_clicks"),
                 Input("views-clear-home", "n_clicks"), Input("views-delete", "n_clicks"),
                 State("views-pick", "value"), prevent_initial_call=True)(manage)
