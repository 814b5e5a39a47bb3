"""The glossary (``/glossary``, every role): each KPI's definition, unit, direction, whether it is a leading or a
lagging indicator and its funnel stage, the badge rule and how periods are compared.

Everything is read from :mod:`dashapp.semantic.metrics`, the definitions through the ``kpi.definition.*``
keys (their English written there, copied into en.po by ``pilotage i18n update``, their French in fr.po): the page
holds no second copy of a definition, so it says what the cards' and the drill-down's tooltips say. A static
page: no callback."""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded

PATH = "/glossary"
NAME = "glossary"


def register(app: dash.Dash) -> None:
    from . import layout

    dash.register_page(__name__, path=PATH, name="Glossary", title=lambda **_: "Pilotage · " + i18n.t("nav.glossary"),
                       layout=guarded(PATH, layout.layout))
