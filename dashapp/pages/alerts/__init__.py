"""The alerts page (``/alerts``, every role): the user's notifications (what, where, when, the figure and its
threshold, a link to the drill-down on the alert's filters and period), marked read; the rules they may see,
created or edited as their role allows (:mod:`dashapp.alerts.rules`); this week's digest; their e-mail
preferences and language. Its callbacks also keep the navbar's bell current on every page.

``layout`` draws the form and the empty sections, ``callbacks`` fill them from :mod:`dashapp.alerts`,
``figures`` draws the notifications, the rules and the digest."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

NAME = "alerts"
PATH = "/alerts"


def register(app: dash.Dash) -> None:
    from . import callbacks, layout

    dash.register_page(__name__, path=PATH, name=i18n.t("alerts.title", "en"),
                       title=lambda **_: "Pilotage · " + i18n.t("alerts.title"), layout=guarded(PATH, layout.layout))
    callbacks.register_callbacks(app)
