"""Every Dash callback goes through one registration wrapper that knows which roles may run it.

A callback is a plain HTTP endpoint (a POST to ``/_dash-update-component`` naming its outputs):
the audit forged one for the forecast panel as a sales user and got the forecast, although
``/forecast`` answered 403. So the roles are not left to each callback's body:

- :func:`role_checked` wraps the Dash app of a page; its ``callback`` registers a function with the
  page's roles (from :data:`PAGE_ACCESS`, or fewer) and wraps it with :func:`require_role`;
- the Flask guard (:func:`dashapp.auth.guard.check_callback`), before Dash, answers 403 to a callback the
  user's role may not run, and to a callback registered without the wrapper (deny by default);
- :func:`check_all_registered` makes ``create_app`` refuse to start if any server callback (or route of
  the read API, registered with :meth:`RoleChecked.route`) bypassed the wrapper, so forgetting it cannot
  go unnoticed.
"""

from __future__ import annotations

import functools

from .permissions import PAGE_ACCESS, require_role

ROLES_ATTRIBUTE = "pilotage_roles"
# Dash registers a cancel callback of its own for each background callback's cancel input (output
# ``<input id>.id``, function ``cancel_call``: it only stops jobs whose signed handle this page load holds).
# It may run for the roles of the background callback that declared that input.
CANCEL_ROLES: dict[str, frozenset[str]] = {}
DASH_CANCEL = "cancel_call"
MAX_JSON_DEPTH = 64  # Dash's own bodies nest about 10 deep (pattern-matching ids, figures in State)


class RoleChecked:
    """The Dash app as a page's callback modules see it: ``callback`` requires the page's roles."""

    def __init__(self, app, page: str):
        self.app = app
        self.page = page

    def _allowed(self, roles: tuple[str, ...] | None) -> frozenset[str]:
        allowed = PAGE_ACCESS[self.page] if roles is None else frozenset(roles)
        if not allowed <= PAGE_ACCESS[self.page]:
            raise ValueError(f"roles {sorted(allowed)} may not open {self.page}")
        return allowed

    @staticmethod
    def _checked(function, allowed: frozenset[str]):
        @functools.wraps(function)
        def checked(*args, **kw):
            require_role(*allowed)
            return function(*args, **kw)

        setattr(checked, ROLES_ATTRIBUTE, allowed)  # Dash's wrapper copies it (functools.wraps)
        return checked

    def callback(self, *dependencies, roles: tuple[str, ...] | None = None, **kwargs):
        """Register a callback with the page's roles (or ``roles``, fewer). A background one
        (``background=True``) runs in a job as the user who started it (:func:`dashapp.jobs.as_requester`),
        with the same role check; its cancel buttons get the same roles (:data:`CANCEL_ROLES`)."""
        allowed = self._allowed(roles)

        def register(function):
            checked = self._checked(function, allowed)
            if kwargs.get("background"):
                from ..jobs import as_requester

                checked = as_requester(checked, self.app.server)
                for cancel in kwargs.get("cancel") or ():
                    CANCEL_ROLES[f"{cancel.component_id}.id"] = allowed
            return self.app.callback(*dependencies, **kwargs)(checked)

        return register

    def route(self, rule: str, roles: tuple[str, ...] | None = None, **options):
        """A Flask route (``self.app`` is then a blueprint, e.g. the read API's) with the page's roles: the
        guard refuses other roles before the view runs (:func:`allowed_route_roles`), the view checks again."""
        allowed = self._allowed(roles)

        def register(function):
            checked = self._checked(function, allowed)
            self.app.route(rule, **options)(checked)
            return checked

        return register

    def clientside_callback(self, *args, **kwargs):
        """Runs in the browser: no server endpoint to protect."""
        return self.app.clientside_callback(*args, **kwargs)


def role_checked(app, page: str) -> RoleChecked:
    return RoleChecked(app, page)


def _is_dash_router(key: str) -> bool:
    """Dash Pages' own callback: it renders page layouts, each of which checks the role itself."""
    ids = [part.rsplit(".", 1)[0] for part in key.strip(".").split("...")]
    return all(component.startswith("_pages_") for component in ids)


def allowed_roles(app, output: str) -> frozenset[str] | None:
    """The roles that may run the server callback with this output key; None: nobody."""
    entry = app.callback_map.get(output)
    if entry is None or "callback" not in entry:
        return None
    if _is_dash_router(output):
        return frozenset(role for roles in PAGE_ACCESS.values() for role in roles)
    if output in CANCEL_ROLES and getattr(entry["callback"], "__name__", "") == DASH_CANCEL:
        return CANCEL_ROLES[output]
    return getattr(entry["callback"], ROLES_ATTRIBUTE, None)


def unchecked_callbacks(app) -> list[str]:
    return [key for key, entry in app.callback_map.items()
            if "callback" in entry and allowed_roles(app, key) is None]


def allowed_route_roles(server, endpoint: str | None) -> frozenset[str] | None:
    """The roles that may call a Flask route (registered with :meth:`RoleChecked.route`); None: nobody."""
    view = server.view_functions.get(endpoint) if endpoint else None
    return getattr(view, ROLES_ATTRIBUTE, None)


def unchecked_routes(server, prefix: str, public: frozenset[str]) -> list[str]:
    return sorted(rule.rule for rule in server.url_map.iter_rules()
                  if rule.rule.startswith(prefix) and rule.rule not in public
                  and allowed_route_roles(server, rule.endpoint) is None)


def check_all_registered(app, api_prefix: str = "/api/", public: frozenset[str] = frozenset()) -> None:
    missing = unchecked_callbacks(app)
    if missing:
        raise RuntimeError(f"callbacks registered without a role check (use role_checked): {missing}")
    missing = unchecked_routes(app.server, api_prefix, public)
    if missing:
        raise RuntimeError(f"API routes registered without a role check (use role_checked(...).route): {missing}")


def json_depth(value) -> int:
    """Nesting depth, counted without recursion (the value may be hostile)."""
    depth, level = 0, [(value, 1)]
    while level:
        item, d = level.pop()
        depth = max(depth, d)
        if isinstance(item, dict):
            level.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            level.extend((v, d + 1) for v in item)
    return depth
