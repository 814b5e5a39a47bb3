"""The admin page (``/admin``, the data team only): ETL runs and the rows they rejected, users with their
role, scope and state (and the actions on them), the e-mails of the outbox and the audit log.

``layout`` holds no data: ``callbacks`` fill every grid from :mod:`dashapp.semantic.admin` (which checks the
admin role again and holds the rules of the user actions), ``figures`` shapes its rows for the grids."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

NAME = "admin"
PATH = "/admin"


def register(app: dash.Dash) -> None:
    from . import callbacks, layout

    dash.register_page(__name__, path=PATH, name=i18n.t("admin.title", "en"), title="Pilotage",
                       layout=guarded(PATH, layout.layout))
    callbacks.register_callbacks(app)
