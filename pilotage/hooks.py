"""What runs after a load or a training: state that another layer derives from the data (the forecast's
"last month outside the 95% interval", :func:`forecasting.record.after_load`) and the alerts
(:mod:`dashapp.alerts.hooks`).

The ETL must not import the layers that keep such state, so they declare a function in the
``pilotage.after_load`` entry-point group (``pyproject.toml``) and :func:`after_load` calls each one
with the store's engine once a load has committed; a training run calls :func:`after_training`, whose
hooks are in the ``pilotage.after_training`` group. Hooks run in the order of their names (the alerts,
``notify_alerts``, after the interval state they read). A failing hook never undoes nor fails the load
or the training: its error comes back as a note for the run's report.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from sqlalchemy import Engine

GROUP = "pilotage.after_load"
TRAINING_GROUP = "pilotage.after_training"
log = logging.getLogger("pilotage.hooks")


def run_hooks(group: str, engine: Engine, what: str) -> list[str]:
    """Run every hook of ``group`` on ``engine``, in name order; returns a note per hook that failed."""
    notes = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            point.load()(engine)
        except Exception as error:  # the load (or training) is committed: report, never undo
            log.warning("%s hook %s failed: %s", what, point.name, error)
            notes.append(f"{what} step {point.name} failed ({type(error).__name__}: {error})")
    return notes


def after_load(engine: Engine) -> list[str]:
    """Run every ``pilotage.after_load`` hook on ``engine``; returns a note per hook that failed."""
    return run_hooks(GROUP, engine, "after-load")


def after_training(engine: Engine) -> list[str]:
    """Run every ``pilotage.after_training`` hook on ``engine``; returns a note per hook that failed."""
    return run_hooks(TRAINING_GROUP, engine, "after-training")
