"""Example rules for the demo company (``pilotage demo``), one or more of each kind, owned and subscribed as
the roles allow; created once (a store that already has rules keeps them)."""

from __future__ import annotations

from ..demo_users import demo_users
from .rules import RuleSpec, all_rules, create_rule


def ensure_demo_rules() -> list[int]:
    """Create the example rules when the store has none and the demo users exist; their ids."""
    users = {u.email.split("@")[0]: u for u in demo_users()}
    if all_rules() or not {"director", "director.idf", "planner", "admin"} <= set(users):
        return []
    director, idf, planner, admin = (users[k] for k in ("director", "director.idf", "planner", "admin"))
    examples = [
        (director, RuleSpec("Qualified leads below target (month)", "target", "qualified_leads", "month", "end",
                            0.05, "critical")),
        (director, RuleSpec("Leads behind the target's pace (month to date)", "target", "leads", "month", "pace",
                            0.05, "warning")),
        (idf, RuleSpec("Qualified leads down on last year (ISO week, IDF)", "change", "qualified_leads", "week",
                       "last_year", 0.1, "warning", filters={"regions": ["FR-IDF"]})),
        (admin, RuleSpec("Leads down on the week before (sales, their regions)", "change", "leads", "week",
                         "previous", 0.1, "info", roles=["sales"])),
        (admin, RuleSpec("Cost per qualified lead up on the month before", "change", "cost_per_qualified_lead",
                         "month", "previous", 0.1, "warning", users=[director.id, idf.id])),
        (planner, RuleSpec("Qualified leads outside the forecast's 80 % interval", "forecast", basis="80",
                           severity="warning")),
        (admin, RuleSpec("A source not loaded for 3 days", "freshness", threshold=3, severity="critical",
                         users=[admin.id])),
        (admin, RuleSpec("Data-quality findings in your regions", "quality", threshold=1, severity="info",
                         roles=["director"])),
    ]
    return [create_rule(owner, spec) for owner, spec in examples]
