"""Every KPI, defined once: formula, unit, direction, funnel stage, leading or lagging, and its
definition, in English (which the glossary page and every tooltip read, through the gettext catalogues:
``pilotage i18n update`` writes it into en.po as ``kpi.definition.<name>``, translators translate it in fr.po).

Cards, charts, grids, targets and exports all compute a KPI through :func:`value`, from the
base measures the query layer sums over a scope and a period. A ratio is always the ratio
of the sums (never an average of ratios), so a KPI computed on a breakdown row and on the
total are consistent. A KPI whose definition changes gets a new name.

Conventions stated on the pages: funnel counts follow the *activity* convention (a deal
won in March counts in March); MRR, customers and GPMRR are stocks read at the period's
end; churn is read over the period's complete months only; LTV assumes a 100% gross
margin; company-wide costs reach a regional scope in proportion to its share of media
spend; a cost per unit is blank (None) where nothing was spent.

The badge rule (:func:`state`) is the same for every KPI and is shown in each badge's tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

STAGES = ("awareness", "acquisition", "activation", "revenue", "retention")
UNITS = ("count", "eur", "ratio", "months", "per_k_eur")
# Which way is better: a higher value, a lower one, or the one closest to the target (a budget).
DIRECTIONS = ("higher", "lower", "target")
# Leading indicators move first and can still be acted on (spend, leads, pipeline); lagging ones
# record the outcome (won deals, revenue, churn).
TIMINGS = ("leading", "lagging")
# The badge rule: a target missed by at most this share of it is amber, by more red.
TOLERANCE = 0.05
# The badge reads the share of target as the card shows it (to 0.1 %): "100.0 % of target" is met.
SHOWN_PRECISION = 3


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: str
    direction: str
    stage: str
    measures: tuple[str, ...]
    formula: Callable[..., float | None]
    additive: bool = False  # a count or an amount: the total is the sum of its parts
    timing: str = "leading"
    definition: str = ""  # what it counts or divides, in one sentence, in English (the French: fr.po)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def compute(self, measures: Mapping[str, float | None]) -> float | None:
        args = [measures.get(m) for m in self.measures]
        if any(a is None for a in args):
            return None
        return self.formula(*args)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _cost(cost: float, count: float) -> float | None:
    """A cost per unit; none without cost (an unpaid channel has no cost per lead, not 0.00 EUR)."""
    return _ratio(cost, count) if cost else None


def _ltv(mrr: float, customers: float, churned: float, customers_start: float, months: float) -> float | None:
    """ARPU / monthly churn rate (100% gross margin); monthly churn = period churn / months."""
    arpu = _ratio(mrr, customers)
    monthly_churn = _ratio(churned, customers_start * months)
    return _ratio(arpu, monthly_churn) if arpu is not None and monthly_churn else None


def _payback(spend: float, costs: float, won: float, mrr: float, customers: float) -> float | None:
    """Months of ARPU that pay back the full acquisition cost of one customer."""
    cac = _cost(spend + costs, won)
    arpu = _ratio(mrr, customers)
    return _ratio(cac, arpu) if cac is not None and arpu else None


def _count(name: str, stage: str, definition: str, *, direction: str = "higher", unit: str = "count",
           timing: str = "leading") -> Kpi:
    return Kpi(name, unit, direction, stage, (name,), lambda v: float(v), additive=True, timing=timing,
               definition=definition)


def _rate(name: str, stage: str, numerator: str, denominator: str, definition: str, *,
          direction: str = "higher", unit: str = "ratio", timing: str = "leading", formula=_ratio) -> Kpi:
    return Kpi(name, unit, direction, stage, (numerator, denominator), formula, timing=timing, definition=definition)


def _cost_per(name: str, stage: str, count: str, definition: str, timing: str = "leading") -> Kpi:
    return _rate(name, stage, "spend", count, definition, direction="lower", unit="eur", timing=timing, formula=_cost)


KPIS: dict[str, Kpi] = {k.name: k for k in (
    _count("impressions", "awareness", "Times an ad was shown (ad platforms)."),
    _count("clicks", "awareness", "Clicks on the ads (ad platforms)."),
    _rate("ctr", "awareness", "clicks", "impressions", "Clicks ÷ impressions."),
    _count("sessions", "acquisition", "Visits to the website (web analytics)."),
    _count("leads", "acquisition",
           "Contacts created in the CRM, on their creation day: the funnel's first stage."),
    _count("qualified_leads", "acquisition",
           "Leads that asked for a test drive or a quote, on their creation day. An attribute of the lead, not a "
           "stage of the funnel: shown beside it."),
    _rate("qualified_rate", "acquisition", "qualified_leads", "leads",
          "Qualified leads ÷ leads created in the period."),
    _rate("session_to_lead", "acquisition", "leads", "sessions", "Leads ÷ sessions of the period."),
    _count("mqls", "activation",
           "Marketing-qualified leads: leads marketing hands over to sales, on the day they became MQL."),
    _count("sqls", "activation",
           "Sales-qualified leads: MQLs sales accepted as worth a sales conversation, on the day they became SQL."),
    _count("opportunities", "activation",
           "Deals opened by sales (a proposal in progress), on their opening day."),
    _rate("lead_to_mql", "activation", "mqls", "leads",
          "MQLs ÷ leads of the same period (each counted on its own date)."),
    _rate("mql_to_sql", "activation", "sqls", "mqls", "SQLs ÷ MQLs of the same period."),
    _rate("sql_to_opportunity", "activation", "opportunities", "sqls", "Opportunities ÷ SQLs of the same period."),
    _rate("opportunity_to_won", "revenue", "won", "opportunities",
          "Deals won ÷ opportunities opened in the same period.", timing="lagging"),
    _rate("lead_to_won", "revenue", "won", "leads",
          "Deals won ÷ leads created in the same period.", timing="lagging"),
    _rate("opportunity_win_rate", "revenue", "won", "pipeline_closed",
          "Deals won ÷ opportunities closed in the period (won or lost): the share of the deals decided that "
          "were won.", timing="lagging"),
    _count("won", "revenue", "Deals won, on the day they were won.", timing="lagging"),
    _count("spend", "acquisition",
           "Media spend of the period. A budget: the closer to its target, the better.",
           direction="target", unit="eur"),
    _cost_per("cost_per_lead", "acquisition", "leads",
              "Media spend ÷ leads; blank without spend (an unpaid channel)."),
    _cost_per("cost_per_qualified_lead", "acquisition", "qualified_leads",
              "Media spend ÷ qualified leads; blank without spend."),
    _cost_per("cost_per_opportunity", "activation", "opportunities",
              "Media spend ÷ opportunities; blank without spend."),
    # Cost per customer is the marketing-only CAC: media spend per won deal.
    _cost_per("cac", "revenue", "won",
              "Media spend ÷ deals won: the media-only customer acquisition cost.", timing="lagging"),
    Kpi("cac_full", "eur", "lower", "revenue", ("spend", "costs", "won"), lambda s, c, w: _cost(s + c, w),
        timing="lagging",
        definition="(Media spend + the other acquisition costs: salaries, agencies, tools) ÷ deals won."),
    Kpi("leads_per_k_eur", "per_k_eur", "higher", "acquisition", ("leads", "spend"),
        lambda n, s: _ratio(1000.0 * n, s), definition="Leads per €1,000 of media spend."),
    _rate("average_deal_value", "revenue", "won_value", "won",
          "Won value ÷ deals won.", unit="eur", timing="lagging"),
    _count("won_value", "revenue",
           "One-off value of the deals won in the period.", unit="eur", timing="lagging"),
    _count("new_mrr", "revenue",
           "Monthly recurring revenue of the deals won in the period.", unit="eur", timing="lagging"),
    Kpi("mrr", "eur", "higher", "retention", ("mrr",), float, timing="lagging",
        definition="Monthly recurring revenue of the active customers: a stock, read at the end of the period (the "
                   "month holding its last day)."),
    Kpi("arr", "eur", "higher", "retention", ("mrr",), lambda m: 12.0 * m, timing="lagging",
        definition="12 × MRR at the end of the period."),
    _rate("churn_rate", "retention", "churned_customers", "customers_start",
          "Customers lost over the complete months of the period ÷ customers at their start; blank when the period "
          "holds no complete month (a week, a month to date).", direction="lower", timing="lagging"),
    _rate("arpu", "retention", "mrr", "customers",
          "MRR ÷ customers, both at the end of the period.", unit="eur", timing="lagging"),
    Kpi("ltv", "eur", "higher", "retention", ("mrr", "customers", "churned_customers", "customers_start", "months"),
        lambda *m: _ltv(*m), timing="lagging",
        definition="ARPU ÷ monthly churn rate (complete months), with a 100 % gross margin."),
    Kpi("payback_months", "months", "lower", "retention", ("spend", "costs", "won", "mrr", "customers"),
        lambda *m: _payback(*m), timing="lagging",
        definition="Full CAC ÷ ARPU: the months of revenue that pay back one customer's acquisition."),
    Kpi("gpmrr", "eur", "higher", "revenue", ("pipeline_open_mrr",), float,
        definition="Monthly amounts of the open opportunities (opened, neither won nor lost yet): a stock, read at "
                   "the end of the period."),
)}

# The funnel's stages, top to bottom, as counts (each lead goes down them in this order), and the
# measures shown beside it: attributes of a lead, not stages (a lead becomes an MQL with or without
# a test-drive or quote request), each with its share of the stage it is an attribute of.
FUNNEL = ("impressions", "clicks", "sessions", "leads", "mqls", "sqls", "opportunities", "won")
FUNNEL_BESIDE = {"qualified_leads": ("leads", "qualified_rate")}
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


def gap(name: str, actual: float | None, target: float | None) -> float | None:
    """How far ``actual`` misses ``target`` in the KPI's direction, as a share of the target and read
    on the share of target the card shows (to 0.1 %): 0 when the target is met; below it for "higher",
    above it for "lower", either way for "target" (a budget). None without a target."""
    shown = attainment(actual, target)
    if shown is None:
        return None
    shown = round(shown, SHOWN_PRECISION)
    direction = KPIS[name].direction
    if direction == "higher":
        return max(0.0, 1.0 - shown)
    if direction == "lower":
        return max(0.0, shown - 1.0)
    return abs(shown - 1.0)


def state(name: str, actual: float | None, target: float | None, tolerance: float = TOLERANCE) -> str:
    """The one badge rule: green when the target is met, amber when missed by ``tolerance`` of it or
    less, red beyond; "none" without a target. "Missed" follows the KPI's direction (:func:`gap`)."""
    missed = gap(name, actual, target)
    if missed is None:
        return "none"
    if missed <= 0.0:
        return "green"
    return "amber" if missed <= tolerance + 1e-9 else "red"


def better(name: str, change_: float | None) -> bool | None:
    """Whether a change is an improvement for this KPI; None when it has no better side (a budget)."""
    if not change_ or KPIS[name].direction == "target":
        return None
    return (change_ > 0) == KPIS[name].higher_is_better


def glossary() -> list[Kpi]:
    """Every KPI in funnel-stage order, then in definition order (the glossary page and its tests)."""
    return sorted(KPIS.values(), key=lambda k: STAGES.index(k.stage))


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
