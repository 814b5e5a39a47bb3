"""Sharing saved media scenarios: a planner (or an admin) shares one of their scenarios with named users or
with every user of a role; whoever receives it reads it on their planning page, never edits it.

- Only the scenario's author shares or unshares it (the scenario is looked up among the user's own, as
  :mod:`dashapp.semantic.planning` does for every scenario write); a forged id of someone else's scenario is
  "not found". Shares go to users and roles that open the planning page (director, planner, admin).
- A reader sees the scenarios shared with them by id or by role (not their own: those are in their list).
- Opening one checks the share again, then the scope, as for the reader's own figures: a scenario is made on
  one model scope (``national`` or a top region) and its prediction is that scope's, which cannot be cut
  down to some regions. So a reader whose scope holds that top region sees its figures; a reader scoped to
  some regions gets a clear message instead of the figures for a national scenario (``shared_national``: it
  mixes in regions outside their access) or for another region's (``shared_outside``). Their list still
  shows the scenario, marked as such, so that they know it was shared and can ask for one of their region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from flask_login import current_user
from sqlalchemy import delete, func, insert, or_, select

from pilotage.store.engine import get_engine
from pilotage.store.models import AppUser, PlanScenario, PlanScenarioCell, PlanScenarioShare
from pilotage.store.models.planning import NATIONAL_SCOPE

from ...auth import audit
from ...auth.permissions import require_role
from ..inputs import row_id as scenario_id_of
from .access import READ_ROLES, WRITE_ROLES, PlanningError, checked_scope, scope_options
from .plan import targets
from .scenarios import own_scenario_row, scenario_plan
from .simulation import Simulation, simulate_current, simulate_saved

SHARE_ROLES = READ_ROLES  # the roles that open the planning page
MAX_TARGETS = 50


def share_targets() -> list[dict]:
    """The users a scenario may be shared with: active, of a role that opens the planning page, not the user
    (``id, name, email, role``), by name."""
    require_role(*WRITE_ROLES)
    statement = (select(AppUser.id, AppUser.name, AppUser.email, AppUser.role)
                 .where(AppUser.is_active.is_(True), AppUser.role.in_(SHARE_ROLES), AppUser.id != int(current_user.id))
                 .order_by(func.lower(AppUser.name), AppUser.email))
    with get_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(statement)]


def _own(conn, scope, scenario_id) -> dict:
    code = checked_scope(scope)
    row = own_scenario_row(conn, code, scenario_id)
    if row is None:
        raise PlanningError("not_found")
    return row


def share_scenario(scope, scenario_id, user_ids, roles) -> int:
    """Share one of the user's scenarios of ``scope`` with ``user_ids`` and ``roles`` (untrusted lists); returns
    how many shares were added (existing ones are kept once). Unknown users or roles are refused."""
    require_role(*WRITE_ROLES)
    user_ids = user_ids if isinstance(user_ids, list) else [] if user_ids in (None, "") else None
    roles = roles if isinstance(roles, list) else [] if roles in (None, "") else None
    if user_ids is None or roles is None or len(user_ids) + len(roles) > MAX_TARGETS:
        raise PlanningError("share_targets")
    if not user_ids and not roles:
        raise PlanningError("share_none")
    if any(role not in SHARE_ROLES for role in roles):
        raise PlanningError("share_targets")
    allowed = {u["id"]: u for u in share_targets()}
    wanted = set()
    for value in user_ids:
        number = scenario_id_of(value)
        if number not in allowed:
            raise PlanningError("share_targets")
        wanted.add(number)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with get_engine().begin() as conn:
        row = _own(conn, scope, scenario_id)
        existing = conn.execute(select(PlanScenarioShare.user_id, PlanScenarioShare.role)
                                .where(PlanScenarioShare.scenario_id == row["id"])).all()
        have_users = {u for u, _ in existing if u is not None}
        have_roles = {r for _, r in existing if r is not None}
        new = ([{"scenario_id": row["id"], "user_id": u, "role": None, "created_at": now}
                for u in sorted(wanted - have_users)]
               + [{"scenario_id": row["id"], "user_id": None, "role": r, "created_at": now}
                  for r in sorted(set(roles) - have_roles)])
        if new:
            conn.execute(insert(PlanScenarioShare), new)
    audit.record("scenario", current_user.email, {
        "action": "shared", "id": row["id"], "name": row["name"], "users": sorted(wanted),
        "emails": sorted(allowed[u]["email"] for u in wanted), "roles": sorted(set(roles))})
    return len(new)


def shares_of(scope, scenario_id) -> list[dict]:
    """Who one of the user's scenarios is shared with: ``id, user_id, role, name, email``."""
    require_role(*WRITE_ROLES)
    user = AppUser.__table__
    with get_engine().connect() as conn:
        row = _own(conn, scope, scenario_id)
        rows = conn.execute(select(PlanScenarioShare.id, PlanScenarioShare.user_id, PlanScenarioShare.role,
                                   user.c.name, user.c.email)
                            .outerjoin(user, user.c.id == PlanScenarioShare.user_id)
                            .where(PlanScenarioShare.scenario_id == row["id"])
                            .order_by(PlanScenarioShare.role.is_(None), PlanScenarioShare.role,
                                      func.lower(user.c.name))).all()
    return [dict(r._mapping) for r in rows]


def unshare(scope, scenario_id, share_id) -> None:
    """Take back one share of one of the user's scenarios (a share of another scenario is "not found")."""
    require_role(*WRITE_ROLES)
    number = scenario_id_of(share_id)
    with get_engine().begin() as conn:
        row = _own(conn, scope, scenario_id)
        removed = conn.execute(delete(PlanScenarioShare).where(
            PlanScenarioShare.id == number, PlanScenarioShare.scenario_id == row["id"])).rowcount if number else 0
    if not removed:
        raise PlanningError("not_found")
    audit.record("scenario", current_user.email, {"action": "unshared", "id": row["id"], "name": row["name"],
                                                  "share": number})


def _shared_with_me():
    me = int(current_user.id)
    return (PlanScenario.owner_id != me) & PlanScenario.id.in_(
        select(PlanScenarioShare.scenario_id).where(or_(PlanScenarioShare.user_id == me,
                                                        PlanScenarioShare.role == current_user.role)))


def shared_with_me() -> list[dict]:
    """The scenarios shared with the user (by name or role), latest first: ``id, name, scope_code, owner,
    updated_at, total_spend, readable`` (``readable``: the reader's scope lets them see its figures)."""
    require_role(*READ_ROLES)
    owner = AppUser.__table__
    cell = PlanScenarioCell.__table__
    statement = (select(PlanScenario.id, PlanScenario.name, PlanScenario.scope_code, PlanScenario.updated_at,
                        owner.c.name.label("owner"), func.coalesce(func.sum(cell.c.spend), 0.0).label("total_spend"))
                 .join(owner, owner.c.id == PlanScenario.owner_id)
                 .outerjoin(cell, cell.c.scenario_id == PlanScenario.id)
                 .where(_shared_with_me())
                 .group_by(PlanScenario.id, PlanScenario.name, PlanScenario.scope_code, PlanScenario.updated_at,
                           owner.c.name)
                 .order_by(PlanScenario.updated_at.desc(), PlanScenario.id.desc()))
    with get_engine().connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(statement)]
    try:
        readable = set(scope_options())
    except PlanningError:
        readable = set()
    return [{**r, "total_spend": float(r["total_spend"]), "readable": r["scope_code"] in readable} for r in rows]


@dataclass
class SharedScenario:
    """A scenario shared with the user, as they read it: its plan and prediction beside the current plan's."""

    id: int
    name: str
    owner: str
    scope: str
    plan: pd.DataFrame
    missing: list[dt.date]
    simulation: Simulation
    current: Simulation
    targets: pd.Series


def open_shared(scenario_id) -> SharedScenario:
    """One scenario shared with the user, read only. Not shared with them (or forged): ``not_found``; a scope
    they may not read: ``shared_national`` or ``shared_outside`` (no figure of it is computed)."""
    require_role(*READ_ROLES)
    number = scenario_id_of(scenario_id)
    owner = AppUser.__table__
    with get_engine().connect() as conn:
        row = conn.execute(select(PlanScenario.id, PlanScenario.name, PlanScenario.scope_code,
                                  owner.c.name.label("owner"))
                           .join(owner, owner.c.id == PlanScenario.owner_id)
                           .where(PlanScenario.id == number, _shared_with_me())).first() if number else None
    if row is None:
        raise PlanningError("not_found")
    try:
        code = checked_scope(row.scope_code)
    except PlanningError as error:
        if error.code != "scope":
            raise
        raise PlanningError("shared_national" if row.scope_code == NATIONAL_SCOPE else "shared_outside") from None
    plan, missing = scenario_plan(code, row.id)
    return SharedScenario(row.id, row.name, row.owner, code, plan, missing, simulate_saved(code, plan),
                          simulate_current(code), targets(code))
