"""Which role may open which page: the one table the guard, the navbar and the page
layouts all read. Deny by default: a page missing here is open to nobody."""

from __future__ import annotations

from flask_login import current_user

PAGE_ACCESS: dict[str, frozenset[str]] = {
    "/": frozenset({"director", "planner", "sales", "admin"}),
    "/explore": frozenset({"director", "planner", "sales", "admin"}),
    "/forecast": frozenset({"director", "planner", "admin"}),
    "/planning": frozenset({"director", "planner", "admin"}),
    "/admin": frozenset({"admin"}),
    # The data team; directors too, in their scope (rejected input rows stay the data team's).
    "/health": frozenset({"director", "admin"}),
    "/glossary": frozenset({"director", "planner", "sales", "admin"}),
    "/profile": frozenset({"director", "planner", "sales", "admin"}),
    "/alerts": frozenset({"director", "planner", "sales", "admin"}),
    "/views": frozenset({"director", "planner", "sales", "admin"}),
}


class Forbidden(PermissionError):
    """The logged-in user's role may not do this."""


def page_for_path(path: str) -> str | None:
    """The page a URL path belongs to (``/explore?x=1`` -> ``/explore``), or None."""
    path = "/" + path.split("?", 1)[0].strip("/")
    return path if path in PAGE_ACCESS else None


def can_view(path: str, user=None) -> bool:
    user = user if user is not None else current_user
    page = page_for_path(path)
    return bool(page and getattr(user, "is_authenticated", False) and user.role in PAGE_ACCESS[page])


def require_role(*roles: str):
    """Raise :class:`Forbidden` unless the current user has one of ``roles``."""
    if not getattr(current_user, "is_authenticated", False) or current_user.role not in roles:
        raise Forbidden(f"requires one of the roles {', '.join(roles)}")
    return current_user
