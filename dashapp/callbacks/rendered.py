"""What a read-only callback renders, kept in the one query cache (:mod:`dashapp.semantic.cache`).

Under load the data is already cached and the time goes into building figures and components: plotly
validates every property (10 ms and more per figure), for the very figures the next director of the same
regions gets. A rendered view depends on the callback's inputs, the user's regions and role (the home page
shows each role its KPIs), the language, the annotations drawn (their version) and the data version: that is
the key. Only for callbacks without side
effects: an export is audited each time, so it is never wrapped.
"""

from __future__ import annotations

import plotly.graph_objects as go
from flask_login import current_user

from .. import i18n
from ..semantic import annotations
from ..semantic.cache import scoped_cache


def _context() -> tuple:
    """The role, the language and the annotations' version (the series draw the events the user may see)."""
    return getattr(current_user, "role", None), i18n.current_language(), annotations.version()


def _plain(value):
    """Figures as the dicts Dash sends (a cached go.Figure would be validated again when read back)."""
    if isinstance(value, go.Figure):
        return value.to_plotly_json()
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value


def rendered(callback):
    """Cache ``callback(*inputs)``'s outputs per inputs, scope, role, language and data version."""
    return scoped_cache(callback, context=_context, prepare=_plain)
