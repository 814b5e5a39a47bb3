"""The home page (macro level, ``/``, every role): how it is going in the user's scope, readable with no filter
touched -- the role's KPI cards (value, target, badge, changes, 13-month sparkline), the AARRR summary, the
data-health line (directors and admins), a period switch kept in the URL, CSV/Excel exports and a PDF.

The first screen is drawn on the server with the page's layout (no callback before the first paint); the period
switch then redraws it through one callback (:mod:`.callbacks`). The figures come from
:mod:`dashapp.semantic.overview`."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

PATH = "/"
NAME = "home"  # in export ids and file names


def register(app: dash.Dash) -> None:
    from . import callbacks, layout

    dash.register_page(__name__, path=PATH, name="Overview", title=lambda **_: "Pilotage · " + i18n.t("nav.home"),
                       layout=guarded(PATH, layout.layout))
    callbacks.register_callbacks(app)
