"""Every KPI, defined once: formula, unit, direction and funnel stage.

Cards, charts, grids, targets and exports all compute a KPI through :func:`value`, from the
base measures the query layer sums over a scope and a period. A ratio is always the ratio
of the sums (never an average of ratios), so a KPI computed on a breakdown row and on the
total are consistent. A KPI whose definition changes gets a new name.

Conventions stated on the pages: funnel counts follow the *activity* convention (a deal
won in March counts in March); MRR, customers and GPMRR are stocks read at the period's
end; LTV assumes a 100% gross margin; company-wide costs reach a regional scope in
proportion to its share of media spend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

STAGES = ("awareness", "acquisition", "activation", "revenue", "retention")
UNITS = ("count", "eur", "ratio", "months", "per_k_eur")


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: str
    higher_is_better: bool
    stage: str
    measures: tuple[str, ...]
    formula: Callable[..., float | None]
    additive: bool = False  # a count or an amount: the total is the sum of its parts

    def compute(self, measures: Mapping[str, float | None]) -> float | None:
        args = [measures.get(m) for m in self.measures]
        if any(a is None for a in args):
            return None
        return self.formula(*args)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _ltv(mrr: float, customers: float, churned: float, customers_start: float, months: float) -> float | None:
    """ARPU / monthly churn rate (100% gross margin); monthly churn = period churn / months."""
    arpu = _ratio(mrr, customers)
    monthly_churn = _ratio(churned, customers_start * months)
    return _ratio(arpu, monthly_churn) if arpu is not None and monthly_churn else None


def _payback(spend: float, costs: float, won: float, mrr: float, customers: float) -> float | None:
    """Months of ARPU that pay back the full acquisition cost of one customer."""
    cac = _ratio(spend + costs, won)
    arpu = _ratio(mrr, customers)
    return _ratio(cac, arpu) if cac is not None and arpu else None


def _count(name: str, stage: str, higher_is_better: bool = True, unit: str = "count") -> Kpi:
    return Kpi(name, unit, higher_is_better, stage, (name,), lambda v: float(v), additive=True)


def _rate(name: str, stage: str, numerator: str, denominator: str, higher_is_better: bool = True,
          unit: str = "ratio") -> Kpi:
    return Kpi(name, unit, higher_is_better, stage, (numerator, denominator), _ratio)


KPIS: dict[str, Kpi] = {k.name: k for k in (
    _count("impressions", "awareness"),
    _count("clicks", "awareness"),
    _rate("ctr", "awareness", "clicks", "impressions"),
    _count("sessions", "acquisition"),
    _count("leads", "acquisition"),
    _count("qualified_leads", "acquisition"),
    _rate("qualified_rate", "acquisition", "qualified_leads", "leads"),
    _rate("session_to_lead", "acquisition", "leads", "sessions"),
    _count("mqls", "activation"),
    _count("sqls", "activation"),
    _count("opportunities", "activation"),
    _rate("lead_to_mql", "activation", "mqls", "leads"),
    _rate("mql_to_sql", "activation", "sqls", "mqls"),
    _rate("sql_to_opportunity", "activation", "opportunities", "sqls"),
    _rate("opportunity_to_won", "revenue", "won", "opportunities"),
    _rate("win_rate", "revenue", "won", "closed_deals"),
    _count("won", "revenue"),
    _count("spend", "acquisition", higher_is_better=False, unit="eur"),
    _rate("cost_per_lead", "acquisition", "spend", "leads", higher_is_better=False, unit="eur"),
    _rate("cost_per_qualified_lead", "acquisition", "spend", "qualified_leads", higher_is_better=False, unit="eur"),
    _rate("cost_per_opportunity", "activation", "spend", "opportunities", higher_is_better=False, unit="eur"),
    # Cost per customer is the marketing-only CAC: media spend per won deal.
    _rate("cac", "revenue", "spend", "won", higher_is_better=False, unit="eur"),
    Kpi("cac_full", "eur", False, "revenue", ("spend", "costs", "won"), lambda s, c, w: _ratio(s + c, w)),
    Kpi("leads_per_k_eur", "per_k_eur", True, "acquisition", ("leads", "spend"),
        lambda n, s: _ratio(1000.0 * n, s)),
    _rate("average_deal_value", "revenue", "won_value", "won", unit="eur"),
    _count("won_value", "revenue", unit="eur"),
    _count("new_mrr", "revenue", unit="eur"),
    Kpi("mrr", "eur", True, "retention", ("mrr",), float),
    Kpi("arr", "eur", True, "retention", ("mrr",), lambda m: 12.0 * m),
    _rate("churn_rate", "retention", "churned_customers", "customers_start", higher_is_better=False),
    _rate("arpu", "retention", "mrr", "customers", unit="eur"),
    Kpi("ltv", "eur", True, "retention", ("mrr", "customers", "churned_customers", "customers_start", "months"),
        lambda *m: _ltv(*m)),
    Kpi("payback_months", "months", False, "retention", ("spend", "costs", "won", "mrr", "customers"),
        lambda *m: _payback(*m)),
    Kpi("gpmrr", "eur", True, "revenue", ("pipeline_open_mrr",), float),
)}

# The funnel, top to bottom, as counts, and the AARRR summary of the home page.
FUNNEL = ("impressions", "clicks", "sessions", "leads", "qualified_leads", "mqls", "sqls", "opportunities", "won")
AARRR = {
    "awareness": "impressions",
    "acquisition": "leads",
    "activation": "opportunities",
    "revenue": "won",
    "retention": "mrr",
}
# The home page's cards per role (6 to 8, in reading order).
HOME_KPIS = {
    "director": ("leads", "qualified_leads", "won", "spend", "cost_per_qualified_lead", "cac_full", "mrr",
                 "gpmrr"),
    "planner": ("spend", "impressions", "leads", "qualified_leads", "cost_per_qualified_lead", "leads_per_k_eur",
                "ctr"),
    "sales": ("leads", "opportunities", "won", "opportunity_to_won", "average_deal_value", "new_mrr", "gpmrr"),
    "admin": ("leads", "qualified_leads", "won", "spend", "cost_per_qualified_lead", "mrr", "gpmrr"),
}


def get(name: str) -> Kpi:
    """The KPI called ``name``; a KeyError for any other name (inputs are untrusted)."""
    return KPIS[name]


def value(name: str, measures: Mapping[str, float | None]) -> float | None:
    return KPIS[name].compute(measures)


def base_measures(names) -> tuple[str, ...]:
    """The base measures the query layer must sum to compute ``names``."""
    seen: dict[str, None] = {}
    for name in names:
        for measure in KPIS[name].measures:
            seen.setdefault(measure)
    return tuple(seen)


def state(name: str, actual: float | None, target: float | None, tolerance: float = 0.05) -> str:
    """Green at or better than target, amber within ``tolerance`` of it, red beyond; grey without."""
    if actual is None or not target:
        return "none"
    ratio = actual / target if KPIS[name].higher_is_better else target / actual if actual else 0.0
    if ratio >= 1.0:
        return "green"
    return "amber" if ratio >= 1.0 - tolerance else "red"


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change, None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return (current - previous) / abs(previous)


def attainment(actual: float | None, target: float | None) -> float | None:
    """Actual as a share of target (a card's "% of target"), None without a target."""
    if actual is None or not target:
        return None
    return actual / target


def conversion(reached: float | None, base: float | None) -> float | None:
    """Share of a funnel stage's count that reached the next stage, None without a base."""
    if reached is None or not base:
        return None
    return reached / base
