"""The user's saved views (``/views``, every role): each with its page and a link that opens it, which one is their
home (where they land after login and on ``/``), and buttons to change the home or delete a view.

Views are saved from any dashboard with the navbar's "Save view" button (:func:`dashapp.layout.shell.save_view_dialog`);
:mod:`.callbacks` holds both callbacks (that dialog's and this page's), :mod:`dashapp.semantic.views` the rules
(each user's own views only)."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

PATH = "/views"
NAME = "views"


def register(app: dash.Dash) -> None:
    from . import callbacks, layout

    dash.register_page(__name__, path=PATH, name="Views", title=lambda **_: "Pilotage · " + i18n.t("nav.views"),
                       layout=guarded(PATH, layout.layout))
    callbacks.register_callbacks(app)
