"""The Celery worker of the production background jobs (the planning page's optimiser):

    PILOTAGE_JOBS=celery REDIS_URL=redis://... celery -A dashapp.worker:celery_app worker --concurrency 2

It builds the app as gunicorn does, so that every background callback is registered as a Celery task
under the same name as in the web processes (see :mod:`dashapp.jobs`); the web processes only queue jobs
and read results in Redis. The demo needs no worker: without ``PILOTAGE_JOBS=celery`` jobs are child
processes of the web worker (Dash's ``DiskcacheManager``).
"""

from __future__ import annotations

import os

os.environ.setdefault("PILOTAGE_JOBS", "celery")

from dashapp import jobs  # noqa: E402
from dashapp.app import create_app  # noqa: E402

app = create_app()
celery_app = jobs.celery_app()
