"""Who a command-line run is recorded as (training runs, ETL runs, promotions, user changes).

Never the operating-system login: the app showed "trained by root", which tells any planner the
server's account names and says nothing about the person. A run started from the app records the
user's app account (their e-mail); a command records ``--by`` when given (the scheduler passes
"scheduler"), else ``cli:`` and ``PILOTAGE_OPERATOR`` (set it to your app account's e-mail in your
shell profile), else plain ``cli``.
"""

from __future__ import annotations

import os

MAX_LENGTH = 120  # the run_by / actor columns


def cli_operator(by: str | None = None) -> str:
    if by and by.strip():
        return by.strip()[:MAX_LENGTH]
    operator = os.environ.get("PILOTAGE_OPERATOR", "").strip()
    return f"cli:{operator}"[:MAX_LENGTH] if operator else "cli"
