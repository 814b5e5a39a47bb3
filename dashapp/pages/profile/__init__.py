"""The profile page (``/profile``, every role): who the user is, and their personal access tokens of the read API
(create one, shown once; revoke one). Both act on the logged-in user's own tokens only (:mod:`dashapp.auth.tokens`
takes the user, never an id from the browser, and audits both)."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

PATH = "/profile"
NAME = "profile"


def register(app: dash.Dash) -> None:
    from . import callbacks, layout

    dash.register_page(__name__, path=PATH, name="Profile", title=lambda **_: "Pilotage · " + i18n.t("nav.profile"),
                       layout=guarded(PATH, layout.layout))
    callbacks.register_callbacks(app)
