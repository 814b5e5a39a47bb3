"""The data-health page (``/health``): is the data the dashboards show complete and on time? Per source its
last load, last date covered and cadence; gaps, duplicates, outliers recorded at load and rejected rows over
time, each figure a button that opens the rows behind it. The data team sees everything; directors see it in
their regions (rejected rows and feeds without a region stay the data team's).

``layout`` holds no data: ``callbacks`` fill it from :mod:`dashapp.semantic.health`, ``figures`` shapes what
that returned."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

NAME = "health"
PATH = "/health"


def register(app: dash.Dash) -> None:
    from . import callbacks, layout

    dash.register_page(__name__, path=PATH, name=i18n.t("health.title", "en"),
                       title=lambda **_: "Pilotage · " + i18n.t("health.title"), layout=guarded(PATH, layout.layout))
    callbacks.register_callbacks(app)
