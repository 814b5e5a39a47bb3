"""The forecast panel (``/forecast``; director, planner, admin): the forecast of record (the champion
run's next months of qualified leads) with its intervals, actuals, target and last year; its accuracy by
horizon, what drives it, the media plan it assumes, whether last month fell outside the interval, the
planners' overrides and an export of what is shown. Planners and admins may override the forecast of
record (their figure and its reason next to the model's); admins also get the run registry: list,
compare, promote, roll back.

``ids`` names the components, ``layout`` lays them out, ``figures`` draws what the semantic layer
(:mod:`dashapp.semantic.forecasts`, :mod:`dashapp.semantic.forecast_panel`) returns, ``callbacks`` wires
them. The first screen comes in one answer; what is below the fold is computed when scrolled near.
"""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded
from . import layout
from .layout import NAME

PATH = "/forecast"
__all__ = ["NAME", "PATH", "register"]


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="Forecast", title=lambda **_: "Pilotage · " + i18n.t("nav.forecast"),
                       layout=guarded(PATH, layout.layout))
    from . import callbacks

    callbacks.register_callbacks(app)
