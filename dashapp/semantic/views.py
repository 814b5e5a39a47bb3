"""Saved dashboard views: a page and its filters and period preset under a name ("my Monday view"), listed,
deleted, and one of them the user's home, where they land after login and on ``/``.

A view is the page's URL form (the home page's ``?period=``, the drill-down's filter bar): the pages already
keep their state in the address, and each page validates its query against the user's scope when it is
opened, so a saved view can never show more than its owner may see now (a scope narrowed since is applied).
Here the path must be a page the user's role opens, and the query keeps the pages' known keys only.

Every read and write is filtered by the logged-in user's id: a forged view id of someone else reads as
"not found".
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from flask_login import current_user
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pilotage.store.engine import get_engine
from pilotage.store.models import SavedView

from ..auth import audit
from ..auth.permissions import PAGE_ACCESS, can_view
from .inputs import clean_text, row_id

VIEW_PAGES = ("/", "/explore", "/forecast", "/planning")  # the dashboards; admin and glossary hold no view
QUERY_KEYS = ("period", "start", "end", "grain", "region", "channel", "campaign", "source", "kpi", "by")
MAX_NAME = 120
MAX_VALUE = 400
MAX_VIEWS = 50


class ViewError(ValueError):
    """A request the page cannot serve: ``code`` names the translated message (``views.error.<code>``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _owner() -> int:
    if not getattr(current_user, "is_authenticated", False):
        raise ViewError("not_found")
    return int(current_user.id)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def clean_name(value) -> str:
    name = clean_text(value, MAX_NAME)
    if name is None:
        raise ViewError("name")
    return name


def clean_target(path, search) -> tuple[str, str]:
    """(path, query) of an untrusted page address: a dashboard the user may open, and its known keys only
    (each value capped; the page validates the values themselves when the view is opened)."""
    if not isinstance(path, str):
        raise ViewError("page")
    path = "/" + path.split("?", 1)[0].strip("/")
    if path not in VIEW_PAGES or path not in PAGE_ACCESS or not can_view(path):
        raise ViewError("page")
    pairs = []
    if isinstance(search, str) and search.lstrip("?"):
        for key, value in parse_qsl(search.lstrip("?")[:4000], keep_blank_values=False):
            if key in QUERY_KEYS and len(value) <= MAX_VALUE and value.isprintable():
                pairs.append((key, value))
    return path, ("?" + urlencode(pairs)) if pairs else ""


def url_of(view: dict) -> str:
    return view["path"] + view["query"]


def list_views() -> list[dict]:
    """The user's views: ``id, name, path, query, is_home, url``, by name."""
    statement = (select(SavedView.id, SavedView.name, SavedView.path, SavedView.query, SavedView.is_home)
                 .where(SavedView.owner_id == _owner()).order_by(func.lower(SavedView.name), SavedView.id))
    with get_engine().connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(statement)]
    return [{**r, "url": url_of(r)} for r in rows]


def save_view(name, path, search, home: bool = False) -> tuple[str, int]:
    """Save the page at ``path`` with ``search`` under ``name`` (the same name replaces it): ``("saved" or
    "replaced", id)``; ``home`` also makes it the user's home."""
    name = clean_name(name)
    path, query = clean_target(path, search)
    owner, now = _owner(), _now()
    try:
        with get_engine().begin() as conn:
            existing = conn.execute(select(SavedView.id).where(SavedView.owner_id == owner,
                                                               SavedView.name == name)).scalar()
            if existing is None:
                count = conn.execute(select(func.count()).select_from(SavedView)
                                     .where(SavedView.owner_id == owner)).scalar_one()
                if count >= MAX_VIEWS:
                    raise ViewError("too_many")
                view_id = conn.execute(insert(SavedView).values(
                    owner_id=owner, name=name, path=path, query=query, is_home=False, created_at=now, updated_at=now)
                    .returning(SavedView.id)).scalar_one()
                status = "saved"
            else:
                view_id, status = int(existing), "replaced"
                conn.execute(update(SavedView).where(SavedView.id == view_id).values(path=path, query=query,
                                                                                      updated_at=now))
            if home:
                _make_home(conn, owner, view_id)
    except IntegrityError:  # the same name saved in another tab at the same instant
        raise ViewError("name") from None
    audit.record("view", current_user.email, {"action": status, "id": view_id, "name": name, "home": bool(home)})
    return status, int(view_id)


def _own(conn, view_id) -> dict | None:
    number = row_id(view_id)
    if number is None:
        return None
    row = conn.execute(select(SavedView.id, SavedView.name, SavedView.path, SavedView.query)
                       .where(SavedView.id == number, SavedView.owner_id == _owner())).first()
    return dict(row._mapping) if row is not None else None


def _make_home(conn, owner: int, view_id: int | None) -> None:
    conn.execute(update(SavedView).where(SavedView.owner_id == owner, SavedView.is_home.is_(True))
                 .values(is_home=False))
    if view_id is not None:
        conn.execute(update(SavedView).where(SavedView.id == view_id, SavedView.owner_id == owner)
                     .values(is_home=True))


def set_home(view_id) -> str | None:
    """Make one of the user's views their home (None: no home view, ``/`` is the overview again); returns
    the view's name."""
    owner = _owner()
    with get_engine().begin() as conn:
        row = None
        if view_id is not None:
            row = _own(conn, view_id)
            if row is None:
                raise ViewError("not_found")
        _make_home(conn, owner, row["id"] if row else None)
    audit.record("view", current_user.email, {"action": "home", "id": row["id"] if row else None})
    return row["name"] if row else None


def delete_view(view_id) -> str:
    """Delete one of the user's views; returns its name."""
    with get_engine().begin() as conn:
        row = _own(conn, view_id)
        if row is None:
            raise ViewError("not_found")
        conn.execute(delete(SavedView).where(SavedView.id == row["id"], SavedView.owner_id == _owner()))
    audit.record("view", current_user.email, {"action": "deleted", "id": row["id"], "name": row["name"]})
    return row["name"]


def home_url() -> str | None:
    """Where the user lands after login and on ``/``: their home view's address, if its page is still one
    their role opens; else None (the overview)."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    with get_engine().connect() as conn:
        row = conn.execute(select(SavedView.path, SavedView.query).where(
            SavedView.owner_id == int(current_user.id), SavedView.is_home.is_(True))).first()
    if row is None or not can_view(row.path):
        return None
    return row.path + row.query
