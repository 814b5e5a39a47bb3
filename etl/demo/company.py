"""Reference data of the demo company, "Autorive", a French network of car dealerships.

Autorive sells new, used and electric cars (and fleets to businesses), many of them with a
monthly leasing and maintenance contract: that contract is the demo's subscription. Its
bottom-of-funnel leads are test-drive, quote and stock requests, the target the forecaster
learns. Everything here is fixed; what varies with the seed (flighting, rep skill, the
draws of leads) is in :mod:`etl.demo.generate`.

Budgets are given for the reference size (``REFERENCE_LEADS_PER_YEAR``); a larger demo
scales spend and saturation points with the lead count, so costs per lead stay realistic.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY_NAME = "Autorive"
COUNTRY = "FR"
REFERENCE_LEADS_PER_YEAR = 40_000
ALL_WEEK = (1, 2, 3, 4, 5, 6, 7)


@dataclass(frozen=True)
class DemoRegion:
    code: str
    name: str
    population: float  # millions: national campaigns and baseline demand are spread by it
    team: str


REGIONS = (
    DemoRegion("FR-IDF", "Île-de-France", 12.3, "team-idf"),
    DemoRegion("FR-ARA", "Auvergne-Rhône-Alpes", 8.1, "team-sud"),
    DemoRegion("FR-HDF", "Hauts-de-France", 6.0, "team-nord-est"),
    DemoRegion("FR-NAQ", "Nouvelle-Aquitaine", 6.1, "team-ouest"),
    DemoRegion("FR-OCC", "Occitanie", 6.0, "team-sud"),
    DemoRegion("FR-GES", "Grand Est", 5.6, "team-nord-est"),
    DemoRegion("FR-PACA", "Provence-Alpes-Côte d'Azur", 5.1, "team-sud"),
    DemoRegion("FR-PDL", "Pays de la Loire", 3.9, "team-ouest"),
    DemoRegion("FR-BRE", "Bretagne", 3.4, "team-ouest"),
    DemoRegion("FR-NOR", "Normandie", 3.3, "team-nord-est"),
    DemoRegion("FR-BFC", "Bourgogne-Franche-Comté", 2.8, "team-nord-est"),
    DemoRegion("FR-CVL", "Centre-Val de Loire", 2.6, "team-ouest"),
    DemoRegion("FR-COR", "Corse", 0.35, "team-sud"),
)
REGION_CODES = tuple(r.code for r in REGIONS)

TEAMS = (
    ("team-idf", "Île-de-France"),
    ("team-nord-est", "Nord-Est"),
    ("team-ouest", "Ouest"),
    ("team-sud", "Sud"),
    ("team-sdr", "Plateau de qualification"),
)
SDR_TEAM = "team-sdr"
SDR_COUNT = 6
INHABITANTS_PER_REP = 2.0  # millions: a region gets one field rep per 2 M inhabitants, at least one

REP_NAMES = (
    "Camille Martin", "Lucas Bernard", "Léa Dubois", "Hugo Thomas", "Chloé Robert",
    "Louis Richard", "Manon Petit", "Nathan Durand", "Emma Leroy", "Jules Moreau",
    "Inès Simon", "Théo Laurent", "Sarah Lefebvre", "Arthur Michel", "Jade Garcia",
    "Raphaël David", "Louise Bertrand", "Gabriel Roux", "Alice Vincent", "Adam Fournier",
    "Lina Morel", "Paul Girard", "Zoé André", "Tom Lefèvre", "Clara Mercier",
    "Noah Dupont", "Anna Lambert", "Ethan Bonnet", "Rose François", "Maël Martinez",
    "Julia Legrand", "Sacha Garnier", "Lou Faure", "Nolan Rousseau", "Eva Blanc",
    "Liam Guerin", "Agathe Muller", "Victor Henry", "Margaux Roussel", "Enzo Nicolas",
)


def field_rep_counts() -> dict[str, int]:
    """Field reps per region, in proportion to its population."""
    return {r.code: max(1, round(r.population / INHABITANTS_PER_REP)) for r in REGIONS}


def rep_rows() -> list[dict]:
    """Field reps (one region each) then the SDRs who qualify leads for every region."""
    rows, names = [], iter(REP_NAMES)
    for region in REGIONS:
        short = region.code.removeprefix("FR-").lower()
        for number in range(1, field_rep_counts()[region.code] + 1):
            rows.append(dict(code=f"rep-{short}-{number:02d}", name=next(names),
                             team_code=region.team, region_code=region.code))
    for number in range(1, SDR_COUNT + 1):
        rows.append(dict(code=f"sdr-{number:02d}", name=next(names), team_code=SDR_TEAM,
                         region_code=None))
    return rows


@dataclass(frozen=True)
class ChannelProfile:
    """How a channel brings leads.

    A paid channel's leads follow its spend through geometric carry-over
    (``adstock_t = spend_t + decay * adstock_{t-1}``) and Hill saturation, whose half point is
    ``saturation`` times the channel's typical adstocked spend and whose steepness is
    ``shape``. An unpaid channel's leads follow the baseline (trend and seasonality).
    """

    code: str
    paid: bool
    lead_share: float  # expected share of all leads over the history
    qualified_rate: float  # share of its leads that are test-drive, quote or stock requests
    decay: float = 0.0
    saturation: float = 1.0
    shape: float = 1.0
    cpm: float = 0.0  # EUR per 1,000 impressions (contacts for TV, radio and press)
    ctr: float = 0.0  # clicks per impression; 0 for offline media
    lockdown_cut: float = 0.0  # share of spend cut at full Covid stringency


CHANNELS = (
    ChannelProfile("organic", False, 0.27, 0.40),
    ChannelProfile("direct", False, 0.12, 0.48),
    ChannelProfile("email", False, 0.06, 0.35),
    ChannelProfile("national_tv", True, 0.10, 0.32, decay=0.85, saturation=0.8, shape=1.8, cpm=22.0,
                   lockdown_cut=0.95),
    ChannelProfile("radio", True, 0.06, 0.30, decay=0.6, saturation=0.7, shape=1.4, cpm=6.0,
                   lockdown_cut=0.9),
    ChannelProfile("local_press", True, 0.06, 0.42, decay=0.5, saturation=1.0, shape=1.0, cpm=14.0,
                   lockdown_cut=0.9),
    ChannelProfile("paid_search", True, 0.20, 0.45, decay=0.15, saturation=1.5, shape=1.0, cpm=60.0,
                   ctr=0.045, lockdown_cut=0.5),
    ChannelProfile("paid_social", True, 0.09, 0.24, decay=0.4, saturation=1.0, shape=1.2, cpm=7.0,
                   ctr=0.011, lockdown_cut=0.5),
    ChannelProfile("display", True, 0.04, 0.18, decay=0.3, saturation=0.9, shape=1.0, cpm=2.5,
                   ctr=0.0025, lockdown_cut=0.6),
)
CHANNEL_CODES = tuple(c.code for c in CHANNELS)
OFFLINE_CHANNELS = ("national_tv", "radio", "local_press")  # they lift direct and organic visits


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign and its flighting: bursts of ``on_days`` at a level drawn per burst,
    separated by ``off_days`` without spend (``(0, 0)``: always on, only the level moves)."""

    code: str
    name: str
    channel: str
    daily_budget: float  # EUR per active day at the reference size, all regions together
    on_days: tuple[int, int]
    off_days: tuple[int, int]
    level_sigma: float
    region: str | None = None  # None: national, spread over the regions by population
    weekdays: tuple[int, ...] = ALL_WEEK  # ISO weekdays with spend (press: insertion days)

    @property
    def coverage(self) -> str:
        return "national" if self.region is None else "local"


LOCAL_RADIO_REGIONS = ("FR-IDF", "FR-ARA", "FR-PACA")
LOCAL_SOCIAL_REGIONS = ("FR-IDF", "FR-ARA", "FR-HDF", "FR-NAQ", "FR-OCC")
PRESS_BUDGET_PER_MILLION = 25.0  # EUR per active day and million inhabitants
LOCAL_SOCIAL_BUDGET_PER_MILLION = 8.0


def _campaigns() -> tuple[CampaignSpec, ...]:
    national = [
        CampaignSpec("tv-brand", "TV - marque Autorive", "national_tv", 9_000,
                     (14, 28), (28, 70), 0.3),
        CampaignSpec("radio-national", "Radio - offres du mois", "radio", 2_500,
                     (7, 21), (14, 42), 0.3),
        CampaignSpec("search-brand", "Search - marque", "paid_search", 350,
                     (14, 42), (0, 0), 0.35),
        CampaignSpec("search-generic", "Search - générique", "paid_search", 600,
                     (10, 40), (0, 10), 0.5),
        CampaignSpec("social-prospecting", "Social - prospection", "paid_social", 450,
                     (14, 42), (7, 28), 0.35),
        CampaignSpec("display-retargeting", "Display - retargeting", "display", 250,
                     (14, 28), (7, 21), 0.3),
    ]
    local = []
    for region in REGIONS:
        short = region.code.removeprefix("FR-").lower()
        local.append(CampaignSpec(
            f"press-{short}", f"Presse locale - {region.name}", "local_press",
            PRESS_BUDGET_PER_MILLION * region.population, (7, 21), (7, 35), 0.3, region.code,
            weekdays=(3, 6)))
        if region.code in LOCAL_RADIO_REGIONS:
            local.append(CampaignSpec(
                f"radio-{short}", f"Radio locale - {region.name}", "radio", 250,
                (7, 14), (14, 35), 0.3, region.code))
        if region.code in LOCAL_SOCIAL_REGIONS:
            local.append(CampaignSpec(
                f"social-{short}", f"Social local - {region.name}", "paid_social",
                LOCAL_SOCIAL_BUDGET_PER_MILLION * region.population, (7, 21), (14, 42), 0.3,
                region.code))
    return (*national, *local)


CAMPAIGNS = _campaigns()


@dataclass(frozen=True)
class SourceSpec:
    """A web traffic source. ``share``: of its channel's visits and web leads. Unpaid sources'
    visits follow their leads at ``lead_rate`` leads per session; paid ones follow clicks."""

    code: str
    channel: str
    share: float
    engaged_rate: float
    lead_rate: float = 0.0


SOURCES = (
    SourceSpec("google / cpc", "paid_search", 0.82, 0.62),
    SourceSpec("bing / cpc", "paid_search", 0.18, 0.60),
    SourceSpec("facebook / cpc", "paid_social", 0.70, 0.45),
    SourceSpec("instagram / cpc", "paid_social", 0.30, 0.42),
    SourceSpec("dv360 / display", "display", 1.00, 0.30),
    SourceSpec("google / organic", "organic", 0.62, 0.68, 0.014),
    SourceSpec("bing / organic", "organic", 0.08, 0.66, 0.014),
    SourceSpec("lacentrale.fr / referral", "organic", 0.30, 0.72, 0.025),
    SourceSpec("(direct) / (none)", "direct", 1.00, 0.70, 0.020),
    SourceSpec("newsletter / email", "email", 1.00, 0.66, 0.030),
)
CLICK_TO_SESSION = 0.92  # share of ad clicks that land as a session
USERS_PER_SESSION = 0.82
# Offline media lift visits to the site: sessions per EUR of daily adstocked offline spend
# (normalised by 1 - decay), shared between these sources.
HALO_SESSIONS_PER_EUR = 0.15
HALO_SOURCES = ("google / organic", "(direct) / (none)")
PLATFORM_OVERCLAIM = 0.25  # ad platforms report this many extra conversions per real lead

# Baseline demand: trend, yearly profile (month middles, interpolated), weekdays, holidays.
TREND_PER_YEAR = 0.06  # log growth of baseline leads per year
MONTHLY_PROFILE = (0.95, 1.0, 1.2, 1.1, 1.0, 1.05, 0.9, 0.65, 1.1, 1.1, 1.0, 0.85)
WEEKDAY_FACTORS = (1.12, 1.10, 1.06, 1.05, 0.98, 0.78, 0.55)  # Monday .. Sunday
HOLIDAY_FACTOR = 0.45  # French public holidays
REGION_DEMAND_SIGMA = 0.15  # regions differ from their population share (dealer density)

# A Covid-like shock: stringency (0..100) by days from the start of the lockdown, and how
# much demand (and so every channel's leads) falls per point: factor 1 - elasticity * s / 100.
COVID_ELASTICITY = 0.6
STRINGENCY_PROFILE = (
    (-10, 0.0), (-5, 20.0), (0, 50.0), (4, 88.0), (56, 88.0), (62, 60.0), (90, 40.0), (150, 30.0),
    (230, 45.0), (290, 35.0), (360, 20.0), (420, 8.0), (480, 0.0),
)
LOCKDOWN_DAYS = 56
REAL_LOCKDOWN_START = (2020, 3, 17)
SHOCK_MONTHS_BEFORE_END = 21  # where the shock goes when the history does not hold 2020

# Leads: time of day (hour weights), segments and bottom-of-funnel request types.
HOUR_WEIGHTS = (0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.2, 2.6, 2.5, 2.0, 2.2, 2.5, 2.4,
                2.3, 2.2, 2.2, 2.3, 2.4, 2.0, 1.3, 0.6)


@dataclass(frozen=True)
class Segment:
    code: str
    share: float
    median_price: float  # EUR of a won deal
    contract_share: float  # share of won deals with a monthly leasing / maintenance contract
    win_factor: float  # multiplies the win rate of its opportunities


SEGMENTS = (
    Segment("new_car", 0.45, 27_000, 0.60, 1.0),
    Segment("used_car", 0.35, 15_500, 0.35, 1.15),
    Segment("electric", 0.12, 36_000, 0.75, 0.9),
    Segment("fleet", 0.08, 85_000, 0.90, 0.7),
)
QUALIFIED_TYPES = (("test_drive", 0.45), ("quote", 0.35), ("stock_request", 0.20))
PRICE_SIGMA = 0.3
CONTRACT_RATE = (0.011, 0.016)  # monthly amount as a share of the deal value


@dataclass(frozen=True)
class Funnel:
    """Conversion rates and lags (days) between stages; won deals close 20 to 90 days after
    the lead was created."""

    mql_if_qualified: float = 0.92
    mql_otherwise: float = 0.35
    sql_if_qualified: float = 0.60
    sql_otherwise: float = 0.25
    opportunity: float = 0.60
    won: float = 0.42  # of opportunities, before rep skill and segment
    lost_after_mql: float = 0.5
    lost_after_sql: float = 0.85
    mql_lag_qualified: float = 2 / 24  # exponential mean
    mql_lag_otherwise: float = 1.5
    sql_lag: float = 1.2  # gamma(2, scale)
    opportunity_lag: float = 2.5
    lost_lag: float = 7.0
    won_min_days: float = 20.0
    won_max_days: float = 90.0
    won_lag: float = 10.0  # gamma(2, scale) on top of the minimum
    rep_skill_sigma: float = 0.25
    rep_deal_sigma: float = 0.08
    monthly_churn: float = 0.02  # of contracts, each month


FUNNEL = Funnel()

# Non-media costs (EUR per month at the reference size) and their yearly raise.
SALARY_FIELD_REP = 4_600.0
SALARY_SDR = 3_400.0
MARKETING_TEAM_COST = 31_000.0
SALARY_RAISE_PER_YEAR = 0.025
TOOLS_COST = 14_000.0
AGENCY_FEE = 6_000.0
AGENCY_SHARE_OF_MEDIA = 0.10
TARGET_AMBITION = 1.05  # targets ask for 5 % more than the expected volume
