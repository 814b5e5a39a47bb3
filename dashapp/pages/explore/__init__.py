"""The drill-down page (/explore): "in three clicks, why". Every role that reads the dashboards opens it.

A KPI over time against its target and last year, the funnel, the reps' leaderboard, a breakdown grid by
channel, campaign, region or source, the cost per qualified lead per channel and month, cohort and activity
views; clicking a channel, a row or a heatmap cell filters the page, and the URL carries the view (a shared
link reopens it). Every visual exports its data (CSV, Excel) and its image. Package: :mod:`.ids`,
:mod:`.layout`, :mod:`.views` (what each part shows, from :mod:`dashapp.semantic.drilldown` and
:mod:`dashapp.semantic.breakdowns`), :mod:`.figures`, :mod:`.exports`, :mod:`.callbacks`.
"""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded
from . import callbacks
from .ids import NAME, PATH
from .layout import layout

__all__ = ["NAME", "PATH", "register"]


def register(app) -> None:
    dash.register_page(__name__, path=PATH, name="Drill-down", title=lambda **_: "Pilotage · " + i18n.t(
        "explore.title"), layout=guarded(PATH, layout))
    callbacks.register_callbacks(app)
