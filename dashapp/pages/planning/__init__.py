"""The media planning page (``/planning``; director, planner, admin): the champion response model of
the chosen scope (what each channel brings and costs, contributions, response curves), a scenario
editor on the current media plan (predicted qualified leads with intervals, cost per lead, spend
outside the history flagged; uploads; saved scenarios compared side by side and shared) and the budget
optimiser (a background job with progress and cancel; by channel, region and month within the history's
ranges unless the planner widens one, which the result then flags).

Directors read: the model and the current plan's prediction; the editor is shown read-only and
the scenario and optimiser sections are left out. Every role sees the scenarios shared with them.
"""

from __future__ import annotations

import dash

from ... import i18n
from .. import guarded
from .layout import NAME

PATH = "/planning"

__all__ = ["NAME", "PATH", "register"]


def register(app: dash.Dash) -> None:
    from . import callbacks

    dash.register_page(__name__, path=PATH, name="Planning", title=lambda **_: "Pilotage · " + i18n.t("nav.planning"),
                       layout=guarded(PATH, callbacks.page_layout))
    callbacks.register_callbacks(app)
