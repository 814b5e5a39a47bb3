"""What runs after a load: state that another layer derives from the data (the forecast's "last month
outside the 95% interval", :func:`forecasting.record.after_load`).

The ETL must not import the layers that keep such state, so they declare a function in the
``pilotage.after_load`` entry-point group (``pyproject.toml``) and :func:`after_load` calls each one
with the store's engine once a load has committed. A failing hook never undoes nor fails the load:
its error comes back as a note for the run's report.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from sqlalchemy import Engine

GROUP = "pilotage.after_load"
log = logging.getLogger("pilotage.hooks")


def after_load(engine: Engine) -> list[str]:
    """Run every ``pilotage.after_load`` hook on ``engine``; returns a note per hook that failed."""
    notes = []
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        try:
            point.load()(engine)
        except Exception as error:  # the load is committed: report, never undo
            log.warning("after-load hook %s failed: %s", point.name, error)
            notes.append(f"after-load step {point.name} failed ({type(error).__name__}: {error})")
    return notes
