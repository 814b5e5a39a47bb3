"""Alert rules and their subscribers: what a rule is, who may create, change or delete which.

Directors create rules for themselves, planners forecast rules for themselves, admins any rule for anyone
(users, or everyone with a role); sales users are only subscribed. Every field is checked here, on the server
(the page's inputs are untrusted): a KPI of :mod:`metrics`, a grain, the basis its kind allows, filter codes
the store holds. The threshold's direction is the KPI's own (:func:`metrics.gap`, :func:`metrics.better`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import delete, insert, or_, select, update

from pilotage.store.engine import get_engine
from pilotage.store.models import (
    ALERT_GRAINS,
    ALERT_KINDS,
    ALERT_SEVERITIES,
    ROLES,
    AlertRule,
    AlertSubscription,
    AppUser,
    Campaign,
    Channel,
    Region,
    Source,
)

from ..auth import audit
from ..semantic import metrics

# What ``basis`` may be for each kind, the first being the default.
BASES = {"target": ("end", "pace"), "change": ("previous", "last_year", "previous_to_date", "last_year_to_date"),
         "forecast": ("95", "80"),
         "freshness": ("",), "quality": ("",)}
DEFAULT_THRESHOLDS = {"target": metrics.TOLERANCE, "change": 0.2, "forecast": 0.0, "freshness": 3.0,
                      "quality": 1.0}
FORECAST_KPI = "qualified_leads"  # the forecast of record is of qualified leads, by month
FILTER_KEYS = ("regions", "channels", "campaigns", "sources")
MAX_NAME = 200
MAX_CODES = 50
# Who may create which kinds, and for whom: "self" (only themselves as subscriber) or "anyone".
CREATORS = {"admin": (ALERT_KINDS, "anyone"), "director": (ALERT_KINDS, "self"), "planner": (("forecast",), "self")}


class RuleError(ValueError):
    """A rule that cannot be saved; ``code`` names the reason (translated as ``alerts.error.<code>``)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}{': ' + detail if detail else ''}")
        self.code = code


@dataclass
class RuleSpec:
    name: str
    kind: str
    kpi: str | None = None
    grain: str = "month"
    basis: str = ""
    threshold: float | None = None
    severity: str = "warning"
    filters: dict = field(default_factory=dict)
    source: str = ""
    users: list[int] = field(default_factory=list)  # subscribers
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    kind: str
    kpi: str | None
    grain: str
    basis: str
    threshold: float
    severity: str
    filters: dict
    source: str
    owner_id: int
    active: bool
    users: tuple[int, ...]
    roles: tuple[str, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _known(conn) -> dict[str, set[str]]:
    return {"regions": set(conn.execute(select(Region.code)).scalars()),
            "channels": set(conn.execute(select(Channel.code)).scalars()),
            "campaigns": set(conn.execute(select(Campaign.code)).scalars()),
            "sources": set(conn.execute(select(Source.code)).scalars())}


def clean(spec: RuleSpec, actor) -> RuleSpec:
    """The spec checked and completed (defaults, the forecast's KPI and grain), or :class:`RuleError`."""
    kinds, whom = CREATORS.get(getattr(actor, "role", None), ((), "none"))
    if spec.kind not in ALERT_KINDS:
        raise RuleError("kind", str(spec.kind))
    if spec.kind not in kinds:
        raise RuleError("forbidden", f"a {getattr(actor, 'role', '-')} may not create {spec.kind} rules")
    name = str(spec.name or "").strip()[:MAX_NAME]
    if not name:
        raise RuleError("name")
    kpi, grain = spec.kpi, spec.grain
    if spec.kind == "forecast":
        kpi, grain = FORECAST_KPI, "month"
    elif spec.kind in ("target", "change"):
        if kpi not in metrics.KPIS:
            raise RuleError("kpi", str(kpi))
    else:
        kpi = None
    if grain not in ALERT_GRAINS:
        raise RuleError("grain", str(grain))
    basis = spec.basis if spec.basis else BASES[spec.kind][0]
    if basis not in BASES[spec.kind]:
        raise RuleError("basis", str(basis))
    if grain == "day" and (basis == "pace" or basis.endswith("_to_date")):
        raise RuleError("pace_day")  # a day has no "to date"
    try:
        threshold = DEFAULT_THRESHOLDS[spec.kind] if spec.threshold is None else float(spec.threshold)
    except (TypeError, ValueError):
        raise RuleError("threshold", str(spec.threshold)) from None
    if not 0 <= threshold <= 10_000 or threshold != threshold:
        raise RuleError("threshold", str(threshold))
    if spec.severity not in ALERT_SEVERITIES:
        raise RuleError("severity", str(spec.severity))
    raw = spec.filters if isinstance(spec.filters, dict) else {}
    with get_engine().connect() as conn:
        known = _known(conn)
        filters = {}
        for key in FILTER_KEYS:
            values = raw.get(key) or []
            values = [values] if isinstance(values, str) else list(values)[:MAX_CODES]
            unknown = [v for v in values if v not in known[key]]
            if unknown:
                raise RuleError("filter", f"{key}: {', '.join(map(str, unknown))}")
            if values:
                filters[key] = sorted(set(values))
        users = sorted({int(u) for u in spec.users})
        roles = sorted(set(spec.roles))
        if any(r not in ROLES for r in roles):
            raise RuleError("role", ", ".join(roles))
        if users and len(conn.execute(select(AppUser.id).where(AppUser.id.in_(users))).all()) != len(users):
            raise RuleError("subscriber")
    if whom == "self":
        if roles or users not in ([], [actor.id]):
            raise RuleError("forbidden", "only an admin may subscribe others")
        users = [actor.id]
    if not users and not roles:
        raise RuleError("subscriber")
    return RuleSpec(name=name, kind=spec.kind, kpi=kpi, grain=grain, basis=basis, threshold=threshold,
                    severity=spec.severity, filters=filters, source=str(spec.source or "").strip()[:500],
                    users=users, roles=roles)


def _values(spec: RuleSpec) -> dict:
    values = asdict(spec)
    values.pop("users"), values.pop("roles")
    values["filters"] = json.dumps(spec.filters, sort_keys=True)
    return values


def _subscribe(conn, rule_id: int, spec: RuleSpec) -> None:
    conn.execute(delete(AlertSubscription).where(AlertSubscription.rule_id == rule_id))
    rows = [{"rule_id": rule_id, "user_id": u, "role": None} for u in spec.users]
    rows += [{"rule_id": rule_id, "user_id": None, "role": r} for r in spec.roles]
    conn.execute(insert(AlertSubscription), rows)


def form_spec(fields: dict) -> RuleSpec:
    """A spec from the page's form as the browser sent it (anything): texts where texts are expected, lists of
    codes and user ids; the defaults for what is empty. :func:`clean` checks every value when it is saved."""
    def codes(value) -> list:
        return [v for v in value if isinstance(v, (str, int))] if isinstance(value, list) else []

    def text(value) -> str:
        return value if isinstance(value, str) else ""

    return RuleSpec(
        name=text(fields.get("name")), kind=fields.get("kind"), kpi=fields.get("kpi"),
        grain=fields.get("grain") or "month", basis=fields.get("basis") or "", threshold=fields.get("threshold"),
        severity=fields.get("severity") or "warning",
        filters={"regions": codes(fields.get("regions")), "channels": codes(fields.get("channels"))},
        source=text(fields.get("source")), users=[u for u in codes(fields.get("users")) if isinstance(u, int)],
        roles=codes(fields.get("roles")))


def create_rule(actor, spec: RuleSpec) -> int:
    spec = clean(spec, actor)
    now = _now()
    with get_engine().begin() as conn:
        rule_id = conn.execute(insert(AlertRule).values(**_values(spec), owner_id=actor.id, active=True,
                                                        created_at=now, updated_at=now)).inserted_primary_key[0]
        _subscribe(conn, rule_id, spec)
    audit.record("alert_rule", actor.email, {"action": "create", "rule": rule_id, "kind": spec.kind})
    return int(rule_id)


def may_edit(actor, rule: Rule) -> bool:
    """Whether ``actor`` may change or delete ``rule``: its owner, or an admin (subscribers only read it)."""
    return getattr(actor, "role", None) == "admin" or rule.owner_id == getattr(actor, "id", None)


def editable_rule(actor, rule_id) -> Rule | None:
    """The rule an untrusted id names, if ``actor`` may edit it; else None (another's rule reads as unknown)."""
    rule = get_rule(rule_id)
    return rule if rule is not None and may_edit(actor, rule) else None


def _editable(actor, rule_id) -> Rule:
    rule = editable_rule(actor, rule_id)
    if rule is None:
        raise RuleError("not_found", str(rule_id))
    return rule


def update_rule(actor, rule_id: int, spec: RuleSpec, active: bool = True) -> None:
    _editable(actor, rule_id)
    spec = clean(spec, actor)
    with get_engine().begin() as conn:
        conn.execute(update(AlertRule).where(AlertRule.id == rule_id).values(
            **_values(spec), active=bool(active), updated_at=_now()))
        _subscribe(conn, rule_id, spec)
    audit.record("alert_rule", actor.email, {"action": "update", "rule": rule_id})


def delete_rule(actor, rule_id: int) -> None:
    _editable(actor, rule_id)
    with get_engine().begin() as conn:
        conn.execute(delete(AlertRule).where(AlertRule.id == rule_id))
    audit.record("alert_rule", actor.email, {"action": "delete", "rule": rule_id})


def _rules(where=None) -> list[Rule]:
    statement = select(*AlertRule.__table__.c).order_by(AlertRule.id)
    if where is not None:
        statement = statement.where(where)
    with get_engine().connect() as conn:
        rows = conn.execute(statement).all()
        subs = conn.execute(select(AlertSubscription.rule_id, AlertSubscription.user_id, AlertSubscription.role)
                            .where(AlertSubscription.rule_id.in_([r.id for r in rows]))).all() if rows else []
    return [Rule(id=r.id, name=r.name, kind=r.kind, kpi=r.kpi, grain=r.grain, basis=r.basis, threshold=r.threshold,
                 severity=r.severity, filters=json.loads(r.filters or "{}"), source=r.source or "",
                 owner_id=r.owner_id, active=r.active,
                 users=tuple(s.user_id for s in subs if s.rule_id == r.id and s.user_id is not None),
                 roles=tuple(s.role for s in subs if s.rule_id == r.id and s.role)) for r in rows]


def get_rule(rule_id) -> Rule | None:
    try:
        rule_id = int(rule_id)
    except (TypeError, ValueError):
        return None
    found = _rules(AlertRule.id == rule_id)
    return found[0] if found else None


def active_rules() -> list[Rule]:
    return _rules(AlertRule.active.is_(True))


def all_rules() -> list[Rule]:
    return _rules()


def visible_rules(actor) -> list[Rule]:
    """Admins see every rule; others the rules they own or are subscribed to (in person or by role)."""
    if actor.role == "admin":
        return _rules()
    mine = select(AlertSubscription.rule_id).where(or_(AlertSubscription.user_id == actor.id,
                                                       AlertSubscription.role == actor.role))
    return _rules(or_(AlertRule.owner_id == actor.id, AlertRule.id.in_(mine)))


def spec_of(rule: Rule) -> RuleSpec:
    return RuleSpec(name=rule.name, kind=rule.kind, kpi=rule.kpi, grain=rule.grain, basis=rule.basis,
                    threshold=rule.threshold, severity=rule.severity, filters=dict(rule.filters),
                    source=rule.source, users=list(rule.users), roles=list(rule.roles))


def rule_choices(language: str) -> dict[str, list[dict]]:
    """The form's options for the logged-in user: their scope's regions and the channels, the loaded sources,
    and (admins only) the users to subscribe."""
    from flask_login import current_user

    from ..auth.users import list_users
    from ..semantic import alerting, queries

    options = queries.filter_options(language)
    users = [{"label": f"{u.name} ({u.email})", "value": u.id} for u in list_users()
             if u.active] if current_user.role == "admin" else []
    return {"regions": options["regions"], "channels": options["channels"],
            "loads": [{"label": s, "value": s} for s in sorted(alerting.source_freshness())], "users": users}
