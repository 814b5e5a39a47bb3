"""What the home page shows for a period, shared by the layout (the first screen, drawn on the server) and the
period switch's callback: one cached answer per period, scope, role, language and data version
(:func:`rendered`), so that the two always agree."""

from __future__ import annotations

from ... import i18n
from ...callbacks.rendered import rendered
from ...semantic import overview
from . import figures


@rendered
def show(period):
    """The cards, the AARRR summary and the period line of ``period``, in the user's language."""
    return figures.screen(overview.home_view(period), i18n.current_language())
