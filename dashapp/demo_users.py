"""One demo user per role (two directors: the whole company and one region), created only
when ``PILOTAGE_ENV=demo``. Their password is printed at start and on the login page."""

from __future__ import annotations

from pilotage.settings import get_settings

from .auth import users

DEMO_PASSWORD = "pilotage-demo"
DEMO_USERS = (
    ("director@pilotage.demo", "Claire Directrice", "director", "all"),
    ("director.idf@pilotage.demo", "Hugo Directeur IDF", "director", "FR-IDF"),
    ("planner@pilotage.demo", "Inès Média", "planner", "all"),
    ("sales@pilotage.demo", "Marc Ventes", "sales", "FR-ARA,FR-PACA"),
    ("admin@pilotage.demo", "Data Team", "admin", "all"),
)


def demo_users() -> list[users.User]:
    existing = {u.email: u for u in users.list_users()}
    return [existing[email] for email, *_ in DEMO_USERS if email in existing]


def ensure_demo_users() -> list[users.User]:
    """Create the missing demo users (never in production).

    A regional user whose regions are not in the store yet (``pilotage serve`` before ``pilotage
    demo``) is left out rather than stopping the server; ``pilotage demo`` creates it once the
    regions are loaded."""
    if get_settings().is_production:
        return []
    existing = {u.email for u in users.list_users()}
    for email, name, role, scope in DEMO_USERS:
        if email in existing:
            continue
        try:
            users.add_user(email, DEMO_PASSWORD, role, scope, name=name, actor="demo")
        except users.UnknownRegions:
            continue
    return demo_users()
