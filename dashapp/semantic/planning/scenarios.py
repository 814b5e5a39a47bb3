"""The user's saved scenarios: listed, saved (or replaced), loaded on the current plan months, deleted and
compared. Each belongs to one user and one scope: every read and write is filtered by the logged-in user's
id and the checked scope, so a forged id of someone else's scenario reads as "not found".
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from flask_login import current_user
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pilotage.store.engine import get_engine
from pilotage.store.models.planning import PlanScenario, PlanScenarioCell

from ...auth import audit
from ...auth.permissions import require_role
from ..inputs import clean_text
from ..inputs import row_id as scenario_id_of
from .access import WRITE_ROLES, PlanningError, champion_run, checked_scope
from .plan import current_plan, first_of_month
from .simulation import Simulation, simulate_current, simulate_plan

MAX_NAME = 120
MAX_SCENARIOS = 200  # per user: a list to choose from, not an archive
MAX_COMPARED = 6


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _owner() -> int:
    return int(current_user.id)


def clean_name(value) -> str:
    """A scenario name: printable text, spaces collapsed, 1 to 120 characters; else :class:`PlanningError`."""
    name = clean_text(value, MAX_NAME)
    if name is None:
        raise PlanningError("name")
    return name


def list_scenarios(scope) -> list[dict]:
    """The user's own scenarios of ``scope``: ``id, name, updated_at, run_id, total_spend``, latest first."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    cell = PlanScenarioCell.__table__
    statement = (select(PlanScenario.id, PlanScenario.name, PlanScenario.updated_at, PlanScenario.run_id,
                        func.coalesce(func.sum(cell.c.spend), 0.0).label("total_spend"))
                 .outerjoin(cell, cell.c.scenario_id == PlanScenario.id)
                 .where(PlanScenario.owner_id == _owner(), PlanScenario.scope_code == code)
                 .group_by(PlanScenario.id, PlanScenario.name, PlanScenario.updated_at, PlanScenario.run_id)
                 .order_by(PlanScenario.updated_at.desc(), PlanScenario.id.desc()))
    with get_engine().connect() as conn:
        return [{**dict(r._mapping), "total_spend": float(r.total_spend)} for r in conn.execute(statement)]


def save_scenario(scope, name, plan: pd.DataFrame, overwrite: bool = False) -> tuple[str, int | None]:
    """Save ``plan`` under ``name`` for the user and scope: ``("saved", id)``, ``("replaced", id)`` when
    ``overwrite`` and the name existed, or ``("exists", id)`` when it existed and nothing was written."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    name = clean_name(name)
    run = champion_run()
    owner = _owner()
    now = _now()
    cells = [{"month": m, "channel_code": c, "spend": float(v)} for m, row in plan.iterrows() for c, v in row.items()]
    engine = get_engine()
    try:
        with engine.begin() as conn:
            existing = conn.execute(select(PlanScenario.id).where(
                PlanScenario.owner_id == owner, PlanScenario.scope_code == code, PlanScenario.name == name)).scalar()
            if existing is not None and not overwrite:
                return "exists", int(existing)
            if existing is None:
                count = conn.execute(select(func.count()).select_from(PlanScenario)
                                     .where(PlanScenario.owner_id == owner)).scalar_one()
                if count >= MAX_SCENARIOS:
                    raise PlanningError("too_many_scenarios", limit=MAX_SCENARIOS)
                scenario_id = conn.execute(insert(PlanScenario).values(
                    owner_id=owner, name=name, scope_code=code, run_id=run["id"] if run else None, note="",
                    created_at=now, updated_at=now).returning(PlanScenario.id)).scalar_one()
                status = "saved"
            else:
                scenario_id = int(existing)
                conn.execute(update(PlanScenario).where(PlanScenario.id == scenario_id).values(
                    updated_at=now, run_id=run["id"] if run else None))
                conn.execute(delete(PlanScenarioCell).where(PlanScenarioCell.scenario_id == scenario_id))
                status = "replaced"
            if cells:
                conn.execute(insert(PlanScenarioCell), [{"scenario_id": scenario_id, **c} for c in cells])
    except IntegrityError:  # saved by the same user in another tab at the same instant
        return "exists", None
    audit.record("scenario", current_user.email, {"action": status, "scope": code, "name": name, "id": scenario_id})
    return status, int(scenario_id)


def own_scenario_row(conn, scope: str, scenario_id) -> dict | None:
    number = scenario_id_of(scenario_id)
    if number is None:
        return None
    row = conn.execute(select(PlanScenario.id, PlanScenario.name, PlanScenario.run_id, PlanScenario.updated_at)
                       .where(PlanScenario.id == number, PlanScenario.owner_id == _owner(),
                              PlanScenario.scope_code == scope)).first()
    return dict(row._mapping) if row is not None else None


def own_scenario_scope(scenario_id) -> str:
    """The scope of one of the user's scenarios, for a caller that has its id only (the read API); another
    user's id, or a malformed one, is :class:`PlanningError` ``not_found`` (whether it exists is not said)."""
    require_role(*WRITE_ROLES)
    number = scenario_id_of(scenario_id)
    if number is not None:
        with get_engine().connect() as conn:
            scope = conn.execute(select(PlanScenario.scope_code).where(
                PlanScenario.id == number, PlanScenario.owner_id == _owner())).scalar()
        if scope is not None:
            return scope
    raise PlanningError("not_found")


def load_scenario(scope, scenario_id) -> tuple[dict, pd.DataFrame, list[dt.date]]:
    """One of the user's scenarios of ``scope``: (its row, its plan on the current plan months, the plan
    months it did not hold, taken from the current plan). Another user's id, or another scope's, is
    :class:`PlanningError` ``not_found``."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    with get_engine().connect() as conn:
        row = own_scenario_row(conn, code, scenario_id)
        if row is None:
            raise PlanningError("not_found")
    plan, missing = scenario_plan(code, row["id"])
    return row, plan, missing


def scenario_plan(code: str, scenario_id: int) -> tuple[pd.DataFrame, list[dt.date]]:
    """A scenario's plan on the current plan months of its (checked) scope ``code``, and the plan months it
    did not hold (taken from the current plan). The caller has checked that the user may read it."""
    with get_engine().connect() as conn:
        cells = conn.execute(select(PlanScenarioCell.month, PlanScenarioCell.channel_code, PlanScenarioCell.spend)
                             .where(PlanScenarioCell.scenario_id == scenario_id)).all()
    current = current_plan(code)
    plan = current.copy()
    held = set()
    for month, channel, spend in cells:
        month = first_of_month(month)
        if month in plan.index and channel in plan.columns:
            plan.loc[month, channel] = float(spend)
            held.add(month)
    return plan, [m for m in current.index if m not in held]


def delete_scenario(scope, scenario_id) -> str:
    """Delete one of the user's scenarios of ``scope``; returns its name, or raises ``not_found``."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    with get_engine().begin() as conn:
        row = own_scenario_row(conn, code, scenario_id)
        if row is None:
            raise PlanningError("not_found")
        conn.execute(delete(PlanScenario).where(PlanScenario.id == row["id"], PlanScenario.owner_id == _owner()))
    audit.record("scenario", current_user.email, {"action": "deleted", "scope": code, "name": row["name"],
                                                  "id": row["id"]})
    return row["name"]


CURRENT = "current"


def compare_scenarios(scope, choices) -> list[tuple[str, str, Simulation]]:
    """(key, name, simulation) of each chosen item: ``"current"`` (the current plan) or one of the user's
    scenario ids; unknown or foreign ids are skipped; at most :data:`MAX_COMPARED`."""
    require_role(*WRITE_ROLES)
    code = checked_scope(scope)
    if not isinstance(choices, list):
        return []
    out = []
    seen = set()
    for choice in choices[:MAX_COMPARED]:
        if choice == CURRENT and CURRENT not in seen:
            seen.add(CURRENT)
            out.append((CURRENT, "", simulate_current(code)))
            continue
        number = scenario_id_of(choice)
        if number is None or number in seen:
            continue
        seen.add(number)
        try:
            row, plan, _missing = load_scenario(code, number)
        except PlanningError:
            continue
        out.append((str(row["id"]), row["name"], simulate_plan(code, plan)))
    return out
