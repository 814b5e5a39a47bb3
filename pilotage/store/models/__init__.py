"""The store's schema (SQLAlchemy 2 typed models). Alembic migrations are generated from it."""

from .access import ALL_REGIONS, ROLES, ApiToken, AppUser, AuditEntry
from .alerts import (
    ALERT_GRAINS,
    ALERT_KINDS,
    ALERT_SEVERITIES,
    EMAIL_CHOICES,
    AlertEvent,
    AlertPreference,
    AlertRule,
    AlertSubscription,
    MailQueue,
)
from .base import Base
from .collaboration import Annotation, PlanScenarioShare, SavedView
from .dimensions import Calendar, Campaign, Channel, Region, SalesRep, SalesTeam, Source
from .facts import (
    LEAD_STAGES,
    AdPerformance,
    Cost,
    ExternalSeries,
    Lead,
    MediaExperiment,
    MediaPlan,
    Subscription,
    Target,
    WebAnalytics,
)
from .forecasting import (
    CHAMPION_ACTIONS,
    INTERVAL_STATES,
    SERIES_LEVELS,
    ForecastAccuracy,
    ForecastChampionEvent,
    ForecastIntervalState,
    ForecastOverride,
    ForecastRun,
    ForecastSeries,
    ForecastValue,
)
from .marts import (
    ACTIVITY_MEASURES,
    COHORT_MEASURES,
    REP_MEASURES,
    MartCohortMonthly,
    MartDaily,
    MartMonthly,
    MartRepMonthly,
    MartSubscriptionMonthly,
)
from .planning import NATIONAL_SCOPE, PlanScenario, PlanScenarioCell
from .quality import FINDING_SEVERITIES, DataQualityFinding
from .runs import EtlReject, EtlRun

__all__ = [
    "ALL_REGIONS", "ROLES", "REP_MEASURES", "ApiToken", "AppUser", "AuditEntry", "MartRepMonthly",
    "ACTIVITY_MEASURES", "COHORT_MEASURES", "LEAD_STAGES", "AdPerformance", "Base", "Calendar",
    "Campaign", "Channel", "Cost", "EtlReject", "EtlRun", "ExternalSeries", "Lead",
    "MartCohortMonthly", "MartDaily", "MartMonthly", "MartSubscriptionMonthly", "MediaExperiment", "MediaPlan",
    "Region", "SalesRep", "SalesTeam", "Source", "Subscription", "Target", "WebAnalytics",
    "CHAMPION_ACTIONS", "SERIES_LEVELS", "ForecastChampionEvent", "ForecastRun", "ForecastSeries", "ForecastValue",
    "ForecastAccuracy", "ForecastOverride", "ForecastIntervalState", "INTERVAL_STATES",
    "NATIONAL_SCOPE", "PlanScenario", "PlanScenarioCell", "FINDING_SEVERITIES", "DataQualityFinding",
    "ALERT_GRAINS", "ALERT_KINDS", "ALERT_SEVERITIES", "EMAIL_CHOICES", "AlertEvent", "AlertPreference", "AlertRule",
    "AlertSubscription", "MailQueue",
    "PlanScenarioShare", "SavedView", "Annotation",
]
