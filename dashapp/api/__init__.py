"""The read API (``/api/v1/``): JSON over the same semantic layer and scope as the pages, for other tools.

One declaration per route (:func:`endpoint`): its rule, the page whose roles it has, its parameters and
whether it is paginated. From that one declaration:

- the route is registered through :meth:`dashapp.auth.callbacks.RoleChecked.route`, so the guard
  (:func:`dashapp.auth.guard.check_api`) checks the token, the rate and the roles before the view runs;
- a query parameter the route does not declare is refused (400), so a typo is never silently ignored;
- the OpenAPI 3 description (``/api/v1/openapi.json``) is written with apispec from the same list.

Views only read :mod:`dashapp.semantic` (which takes the scope from the token's user); refusals are
:class:`ApiError` (or the semantic layer's own errors), answered as JSON with the pages' messages.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from ..auth import guard
from ..auth.callbacks import role_checked
from ..auth.permissions import Forbidden

PREFIX = "/api/v1"
blueprint = Blueprint(guard.API_BLUEPRINT, __name__, url_prefix=PREFIX)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class ApiError(Exception):
    """A request the API refuses: HTTP ``status``, a stable ``code`` for programs, ``key`` of the message."""

    def __init__(self, status: int, code: str, key: str, **values):
        super().__init__(code)
        self.status, self.code, self.key, self.values = status, code, key, values


@dataclass(frozen=True)
class Param:
    """A parameter as the OpenAPI description states it (``schema`` is an OpenAPI schema object)."""

    name: str
    description: str
    schema: dict
    required: bool = False
    where: str = "query"

    def openapi(self) -> dict:
        return {"name": self.name, "in": self.where, "required": self.required or self.where == "path",
                "description": self.description, "schema": self.schema}


@dataclass(frozen=True)
class Endpoint:
    rule: str
    name: str
    summary: str
    description: str
    roles: frozenset[str]
    params: tuple[Param, ...]
    paginated: bool


PAGINATION = (Param("limit", f"Rows per page (1 to {MAX_LIMIT}).",
                    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
              Param("offset", "Rows skipped before the page.", {"type": "integer", "minimum": 0, "default": 0}))
ENDPOINTS: list[Endpoint] = []


def endpoint(rule: str, *, page: str, summary: str, params: tuple[Param, ...] = (),
             roles: tuple[str, ...] | None = None, paginated: bool = False):
    """Declare and register a GET route of the API (see the module's docstring)."""
    declared = {p.name for p in params if p.where == "query"} | ({p.name for p in PAGINATION} if paginated else set())

    def register(function):
        @functools.wraps(function)
        def view(**path_values):
            unknown = sorted(set(request.args) - declared)
            if unknown:
                raise ApiError(400, "unknown_parameter", "api.error.unknown_parameter", names=", ".join(unknown))
            return jsonify(plain(function(**path_values)))

        checked = role_checked(blueprint, page).route(rule, roles=roles, methods=["GET"])(view)
        ENDPOINTS.append(Endpoint(rule, function.__name__, summary, (function.__doc__ or "").strip(),
                                  checked.pilotage_roles, params, paginated))
        return function

    return register


def plain(value):
    """JSON-ready values: ISO dates, no NaN (null instead), numpy numbers as Python ones."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _whole(name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        raise ApiError(400, "parameter", "api.error.parameter", parameter=name, value=raw[:50])
    return int(raw)


def paginate(rows: list) -> dict:
    """``data`` (one page of ``rows``) and ``pagination``: limit, offset, total and the links to the pages
    around (the request's own URL with another offset; ``next`` is null on the last page)."""
    limit = _whole("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _whole("offset", 0, 0, None)
    total = len(rows)

    def link(at: int) -> str:
        query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "offset")]
        return f"{request.base_url}?{urlencode([*query, ('limit', limit), ('offset', at)])}"

    return {"data": rows[offset:offset + limit], "pagination": {
        "limit": limit, "offset": offset, "total": total, "self": link(offset),
        "next": link(offset + limit) if offset + limit < total else None,
        "prev": link(max(0, offset - limit)) if offset > 0 else None, "first": link(0)}}


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError):
    return guard.api_error(error.status, error.code, error.key, **error.values)


@blueprint.errorhandler(Forbidden)
def _forbidden(_error):
    return guard.api_error(403, "forbidden", "error.forbidden.text")


# --- the OpenAPI description -------------------------------------------------------------------------------

ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "code", "message"], "properties": {
        "status": {"type": "integer"}, "code": {"type": "string", "description": "stable, for programs"},
        "message": {"type": "string", "description": "for people, in the request's language (Accept-Language) "
                                                     "or the token's user's"}}}}}
PAGINATION_SCHEMA = {"type": "object", "properties": {
    "limit": {"type": "integer"}, "offset": {"type": "integer"}, "total": {"type": "integer"},
    "self": {"type": "string"}, "first": {"type": "string"},
    "next": {"type": "string", "nullable": True}, "prev": {"type": "string", "nullable": True}}}
REFUSALS = {"400": "A parameter is unknown or invalid.", "401": "No token, or a malformed, unknown, revoked or "
            "expired one.", "403": "The token's user may not read this (role, or regions outside their scope).",
            "404": "Nothing of this kind in the user's scope.",
            "429": "Too many requests with this token (see Retry-After)."}


def _openapi_path(rule: str) -> str:
    return PREFIX + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def openapi() -> dict:
    from apispec import APISpec

    spec = APISpec(title="Pilotage read API", version="1.0.0", openapi_version="3.0.3", info={"description": (
        "The figures of the Pilotage pages, as JSON. Authenticate with a personal access token created on the "
        "profile page (`Authorization: Bearer plt_...`); a token acts as its user: the same role and regions "
        "as the pages, read on each request. Session cookies do not authenticate the API.")})
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                              "description": "A personal access token (plt_<prefix>_<secret>)."})
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.schema("Pagination", PAGINATION_SCHEMA)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for item in ENDPOINTS:
        body = {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}},
                                                 "pagination": {"$ref": "#/components/schemas/Pagination"}}} \
            if item.paginated else {"type": "object"}
        params = [p.openapi() for p in item.params + (PAGINATION if item.paginated else ())]
        params.append({"name": "Accept-Language", "in": "header", "required": False, "schema": {
            "type": "string", "example": "fr"}, "description": "The language of error messages (en or fr)."})
        spec.path(path=_openapi_path(item.rule), operations={"get": {
            "operationId": item.name, "summary": item.summary, "description": item.description,
            "security": [{"token": []}], "parameters": params, "x-roles": sorted(item.roles),
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": body}}},
                          **{code: {"description": text, **error} for code, text in REFUSALS.items()}}}})
    return spec.to_dict()


@blueprint.route("/openapi.json", methods=["GET"])
def openapi_json():
    """Public (:data:`dashapp.auth.guard.PUBLIC_PATHS`): it describes the API and holds no data."""
    return jsonify(openapi())


from . import routes  # noqa: E402,F401  (registers the routes on the blueprint)
