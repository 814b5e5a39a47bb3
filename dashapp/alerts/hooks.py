"""The alerts' entry points (``pyproject.toml``): evaluated after every load and every training run, then the
queued e-mails are handed to the sender thread (the load or training does not wait for the SMTP server)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from pilotage import mail
from pilotage.store.engine import get_engine

log = logging.getLogger("pilotage.alerts")


def after_load(engine: Engine) -> None:
    """Evaluate the rules on the configured store (the app's): a load into another store (a test's, a
    benchmark's) has no users nor rules of the app to tell."""
    if engine is not get_engine():
        log.info("alerts not evaluated: %s is not the configured store", engine.url.render_as_string())
        return
    from .events import run

    changes = run()
    if changes:
        log.info("alerts: %d conditions changed", len(changes))
    mail.deliver_due_later(engine)
