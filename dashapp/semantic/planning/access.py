"""Which media response model the user may read: the roles of the page, the scopes (``national`` and the
top regions) checked against the user's, the champion media run and its models (parsed once per process and
run), and the translated names of scopes and channels. Every other module of the package goes through
:func:`checked_scope` or :func:`model_for`: a forged scope code is refused, never widened.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from forecasting import api as forecasting_api  # scipy & co. load on first use of the optimiser or a media run
from pilotage.settings import get_settings
from pilotage.store.engine import get_engine
from pilotage.store.models import ForecastRun
from pilotage.store.models.planning import NATIONAL_SCOPE

from ...auth.permissions import require_role
from ..queries import channel_names as channel_names  # the planning package's uploads and pages use it
from ..scope import allowed_regions, region_tree

MEDIA_KIND = "media"
READ_ROLES = ("director", "planner", "admin")
WRITE_ROLES = ("planner", "admin")
LEVELS = (0.8, 0.95)


class PlanningError(ValueError):
    """A request the page cannot serve: ``code`` names the translated message, ``values`` fill it."""

    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code = code
        self.values = values


def can_edit() -> bool:
    """Whether the user's role edits plans (simulates, saves, optimises); directors read the current plan's
    prediction, whatever rows their browser sends."""
    from flask_login import current_user

    return getattr(current_user, "role", None) in WRITE_ROLES


def permitted_scopes() -> list[str]:
    """The model scopes the user may read: ``national`` only when they see every region, then the top
    regions inside their scope (a top region counts only when the user sees all of it)."""
    require_role(*READ_ROLES)
    regions = allowed_regions()
    if not regions:
        return []
    tree = region_tree()
    tops = [code for code in forecasting_api.top_region_codes(tree.parent) if code in regions]
    everything = regions == frozenset(tree.parent)
    return ([NATIONAL_SCOPE] if everything else []) + tops


def champion_run() -> dict | None:
    """The champion media run's id, cut-off, creation time and author (one indexed row, read once per
    request and never cached longer: a promotion must show at once)."""
    from flask import g, has_request_context

    if has_request_context() and "media_champion" in g:
        return g.media_champion
    run = _read_champion()
    if has_request_context():
        g.media_champion = run
    return run


def _read_champion() -> dict | None:
    statement = (select(ForecastRun.id, ForecastRun.cutoff, ForecastRun.created_at, ForecastRun.run_by)
                 .where(ForecastRun.kind == MEDIA_KIND, ForecastRun.is_champion.is_(True),
                        ForecastRun.status == "ok"))
    with get_engine().connect() as conn:
        row = conn.execute(statement).first()
    return dict(row._mapping) if row is not None else None


_MODELS: dict[tuple[str, int], dict] = {}
_MODELS_LOCK = threading.Lock()


def run_models(run_id: int) -> dict:
    """The run's response models by scope, parsed once per process and run (a run never changes)."""
    key = (get_settings().database_url, int(run_id))
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
    # This run's models, not the champion's: a promotion in between must not put another run's
    # figures under this run's id (the page's caches are keyed by it).
    models = forecasting_api.media_models(get_engine(), int(run_id))
    with _MODELS_LOCK:
        if len(_MODELS) > 8:
            _MODELS.clear()
        _MODELS[key] = models
    return models


def scope_options() -> list[str]:
    """The permitted scopes that have a model in the champion run, national first."""
    run = champion_run()
    if run is None:
        return []
    models = run_models(run["id"])
    return [code for code in permitted_scopes() if code in models]


def checked_scope(value) -> str:
    """``value`` if it is a scope the user may read and the champion run has a model for, else
    :class:`PlanningError` (``no_run``, ``no_model`` or ``scope``)."""
    if champion_run() is None:
        raise PlanningError("no_run")
    options = scope_options()
    if not options:
        raise PlanningError("no_model")
    if not isinstance(value, str) or value not in options:
        raise PlanningError("scope")
    return value


def model_for(scope) -> tuple[dict, object]:
    """(champion run, its :class:`~forecasting.planning.model.ResponseModel` for ``scope``), scope checked."""
    code = checked_scope(scope)
    run = champion_run()
    return run, run_models(run["id"])[code]


def scope_label(code: str, language: str) -> str:
    from ... import i18n

    if code == NATIONAL_SCOPE:
        return i18n.t("planning.scope.national", language)
    return region_tree().names.get(code, code)
