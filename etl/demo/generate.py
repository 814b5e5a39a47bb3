"""Draw the demo company's facts from a seed, with vectorised numpy (no loop per lead).

How the data is made, in the order of :func:`generate`:

1. a timeline: the history (``years`` back from ``end``) and six plan months after it, with
   the demand factors every lead shares (weekday, French holidays, a Covid-like shock);
2. spend per campaign and day, in bursts (flighting), spread over regions by population
   for national campaigns, and its carry-over (adstock);
3. expected leads per channel x region x day: a baseline (trend x yearly profile x demand)
   for unpaid channels, ``beta * hill(adstock)`` x demand for paid ones, both scaled so the
   history holds ``leads`` leads; the leads themselves are one multinomial draw over the cells;
4. each lead's campaign, source, rep, and its walk down the funnel; won contracts become
   monthly subscriptions; ad delivery and web visits follow the same spend and leads;
5. the media plan (what the flighting spends per month), targets (expected volumes plus
   ambition) and non-media costs.

``truth`` keeps the parameters the data was drawn from, for checking what models recover.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from etl.pseudonymise import pseudonymise
from pilotage.dates import french_holidays

from . import company as co

Rng = np.random.Generator
SOURCE_SYSTEM = "demo"
PLAN_MONTHS = 6
SECONDS_PER_DAY = 86_400
DAILY_SPEND_SIGMA = 0.1  # day-to-day spend noise inside a burst
CPM_SIGMA = 0.08
CTR_SIGMA = 0.1
PLAN_SIGMA = 0.08  # how far the history's media plan is from what was spent
PLAN_ROUNDING = -2  # planned spend in hundreds of euros
FORMULAS = {  # how the expected leads were computed (see ``truth``)
    "unpaid": "leads[c,r,t] = daily_leads_at_start[c] * region_weights[r]"
              " * exp(trend_per_year * years_since_start[t]) * yearly[t] * demand[t]",
    "paid": "leads[c,r,t] = max_daily_leads[c] * population_weights[r]"
            " * hill(adstock[c,r,t] / population_weights[r]) * demand[t]",
    "adstock": "adstock[t] = spend[t] + decay * adstock[t-1] (EUR, per channel x region)",
    "hill": "hill(x) = x**shape / (x**shape + half_saturation**shape)",
    "yearly": "monthly_profile interpolated linearly between month middles",
    "demand": "weekday_factors[weekday] * (holiday_factor on French public holidays)"
              " * (1 - covid.elasticity * covid_stringency / 100)",
}
TARGET_KPIS = ("leads", "qualified_leads", "won", "spend", "new_mrr", "cost_per_qualified_lead")

CHANNEL_INDEX = {c.code: i for i, c in enumerate(co.CHANNELS)}
REGION_INDEX = {r.code: i for i, r in enumerate(co.REGIONS)}
CAMPAIGN_CODES = tuple(c.code for c in co.CAMPAIGNS)
SOURCE_CODES = tuple(s.code for s in co.SOURCES)


@dataclass
class DemoCompany:
    """The generated company: dimension frames in the columns of the ``dim_*`` tables and
    fact frames in the columns of the ``fact_*`` tables (leads indexed by their CRM id,
    ``D00000001`` ...), plus the parameters the facts were drawn from."""

    start: dt.date
    end: dt.date
    regions: pd.DataFrame
    teams: pd.DataFrame
    reps: pd.DataFrame
    campaigns: pd.DataFrame
    sources: pd.DataFrame
    ad_performance: pd.DataFrame
    web_analytics: pd.DataFrame
    leads: pd.DataFrame
    subscriptions: pd.DataFrame
    media_plan: pd.DataFrame
    targets: pd.DataFrame
    costs: pd.DataFrame
    external_series: pd.DataFrame
    truth: dict = field(default_factory=dict)


@dataclass
class _Timeline:
    """Days of the history then of the plan horizon, with what drives demand on each."""

    days: np.ndarray  # datetime64[D]
    history: int  # days[:history] is the history
    weekday: np.ndarray  # 0 = Monday
    seasonal: np.ndarray  # trend x yearly profile (baseline only)
    demand: np.ndarray  # weekday x holiday x Covid factors (every lead)
    stringency: np.ndarray  # 0..100
    covid_start: dt.date


@dataclass
class _Media:
    """Spend per campaign x region series and day (cents), and its adstock."""

    campaign: np.ndarray  # index into CAMPAIGNS, per series
    region: np.ndarray  # index into REGIONS, per series
    channel: np.ndarray  # index into CHANNELS, per series
    spend: np.ndarray  # (series, days)
    adstock: np.ndarray  # (series, days)


def generate(seed: int = 42, leads: int | None = None, years: int = 3,
             end: dt.date | None = None) -> DemoCompany:
    """Generate the demo company; the same arguments always give the same frames (for the
    same pseudonymisation key, which the lead keys depend on)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    end = end or dt.date.today() - dt.timedelta(days=1)
    n_leads = co.REFERENCE_LEADS_PER_YEAR * years if leads is None else leads
    if n_leads < 1:
        raise ValueError("leads must be at least 1")
    rng = np.random.default_rng(seed)
    size = n_leads / (co.REFERENCE_LEADS_PER_YEAR * years)
    timeline = _timeline(end, years)
    population = _population_weights()
    demand_weights = population * rng.lognormal(0.0, co.REGION_DEMAND_SIGMA, len(co.REGIONS))
    demand_weights /= demand_weights.sum()
    media = _media(rng, timeline, population, size)
    rates, channel_truth = _lead_rates(media, timeline, population, demand_weights, n_leads)
    draws = _draw_leads(rng, rates[:, :, :timeline.history], n_leads, timeline, media)
    leads_frame = _leads_frame(draws)
    ad_frame, clicks = _ad_performance(rng, media, timeline, draws)
    return DemoCompany(
        start=_date(timeline.days[0]), end=end,
        regions=_regions_frame(), teams=pd.DataFrame(co.TEAMS, columns=["code", "name"]),
        reps=pd.DataFrame(co.rep_rows())[["code", "name", "team_code"]],
        campaigns=_campaigns_frame(),
        sources=pd.DataFrame({"code": SOURCE_CODES,
                              "channel_code": [s.channel for s in co.SOURCES]}),
        ad_performance=ad_frame,
        web_analytics=_web_analytics(rng, media, timeline, rates, clicks, draws),
        leads=leads_frame,
        subscriptions=_subscriptions(rng, leads_frame, end),
        media_plan=_media_plan(rng, media, timeline),
        targets=_targets(rates, media, timeline, leads_frame),
        costs=_costs(rng, media, timeline, size),
        external_series=_stringency_frame(timeline),
        truth=_truth(seed, n_leads, size, timeline, media, channel_truth,
                     dict(population=population, demand=demand_weights)),
    )


# --- timeline ----------------------------------------------------------------------------

def _date(day: np.datetime64) -> dt.date:
    return pd.Timestamp(day).date()


def _timeline(end: dt.date, years: int) -> _Timeline:
    start = (pd.Timestamp(end) - pd.DateOffset(years=years)).date() + dt.timedelta(days=1)
    horizon_end = (pd.Timestamp(end).to_period("M") + PLAN_MONTHS).end_time.date()
    days = np.arange(np.datetime64(start), np.datetime64(horizon_end) + 1, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    years_covered = range(start.year, horizon_end.year + 1)
    holidays = sorted(set().union(*(french_holidays(y) for y in years_covered)))
    is_holiday = np.isin(days, np.array(holidays, dtype="datetime64[D]"))
    covid_start = _covid_start(start, end)
    stringency = _stringency(days, covid_start)
    years_in = (days - days[0]).astype(np.int64) / 365.25
    seasonal = np.exp(co.TREND_PER_YEAR * years_in) * _yearly_profile(days)
    demand = (np.asarray(co.WEEKDAY_FACTORS)[weekday] * np.where(is_holiday, co.HOLIDAY_FACTOR, 1.0)
              * (1.0 - co.COVID_ELASTICITY * stringency / 100.0))
    history = int((np.datetime64(end) - days[0]).astype(np.int64)) + 1
    return _Timeline(days, history, weekday, seasonal, demand, stringency, covid_start)


def _yearly_profile(days: np.ndarray) -> np.ndarray:
    """The monthly profile (mean 1), interpolated between month middles so it has no steps."""
    profile = np.asarray(co.MONTHLY_PROFILE) / np.mean(co.MONTHLY_PROFILE)
    day_of_year = (days - days.astype("datetime64[Y]")).astype(np.int64)
    middles = (np.arange(12) + 0.5) * 365.25 / 12
    return np.interp(day_of_year, middles, profile, period=365.25)


def _covid_start(start: dt.date, end: dt.date) -> dt.date:
    """The real 2020 lockdown when the history holds it with a year before it; otherwise a
    shock about 21 months before ``end`` (mid-history for short histories)."""
    real = dt.date(*co.REAL_LOCKDOWN_START)
    year = dt.timedelta(days=365)
    if start + year <= real and real + dt.timedelta(days=co.LOCKDOWN_DAYS) <= end:
        return real
    shifted = (pd.Timestamp(end) - pd.DateOffset(months=co.SHOCK_MONTHS_BEFORE_END)).date()
    shifted = shifted.replace(day=real.day)
    if shifted < start + year:
        return start + (end - start) / 2
    return shifted


def _stringency(days: np.ndarray, covid_start: dt.date) -> np.ndarray:
    offsets = (days - np.datetime64(covid_start)).astype(np.int64)
    points, values = zip(*co.STRINGENCY_PROFILE, strict=True)
    return np.interp(offsets, points, values, left=0.0, right=0.0)


def _population_weights() -> np.ndarray:
    population = np.array([r.population for r in co.REGIONS])
    return population / population.sum()


# --- media -------------------------------------------------------------------------------

def _flights(rng: Rng, spec: co.CampaignSpec, n_days: int) -> np.ndarray:
    """Spend level per day: bursts with a level drawn per burst, separated by pauses, and
    starting at a random point of the cycle."""
    shortest = spec.on_days[0] + spec.off_days[0]
    longest = spec.on_days[1] + spec.off_days[1]
    cycles = (n_days + longest) // shortest + 1
    on = rng.integers(spec.on_days[0], spec.on_days[1] + 1, cycles)
    off = rng.integers(spec.off_days[0], spec.off_days[1] + 1, cycles)
    levels = rng.lognormal(0.0, spec.level_sigma, cycles)
    lengths = np.column_stack([on, off]).ravel()
    values = np.column_stack([levels, np.zeros(cycles)]).ravel()
    phase = rng.integers(0, longest)
    return np.repeat(values, lengths)[phase:phase + n_days]


def _campaign_spend(rng: Rng, timeline: _Timeline, size: float) -> np.ndarray:
    """Daily spend per campaign (EUR), cut during the lockdown like real advertisers did."""
    n_days = len(timeline.days)
    rows = []
    for spec in co.CAMPAIGNS:
        profile = co.CHANNELS[CHANNEL_INDEX[spec.channel]]
        active = np.isin(timeline.weekday + 1, spec.weekdays)
        budget = spec.daily_budget * 7 / len(spec.weekdays) * size
        noise = rng.lognormal(0.0, DAILY_SPEND_SIGMA, n_days)
        cut = 1.0 - profile.lockdown_cut * timeline.stringency / 100.0
        rows.append(budget * _flights(rng, spec, n_days) * active * noise * cut)
    return np.vstack(rows)


def _media(rng: Rng, timeline: _Timeline, population: np.ndarray, size: float) -> _Media:
    """Spend per campaign x region: national campaigns spread by population, local ones in
    their region; rounded to cents here, so the adstock is that of the spend reported."""
    spend = _campaign_spend(rng, timeline, size)
    campaign, region, share = [], [], []
    for index, spec in enumerate(co.CAMPAIGNS):
        regions = range(len(co.REGIONS)) if spec.region is None else [REGION_INDEX[spec.region]]
        for r in regions:
            campaign.append(index)
            region.append(r)
            share.append(population[r] if spec.region is None else 1.0)
    campaign = np.array(campaign)
    channel = np.array([CHANNEL_INDEX[co.CAMPAIGNS[i].channel] for i in campaign])
    series_spend = np.round(spend[campaign] * np.array(share)[:, None], 2)
    decay = np.array([co.CHANNELS[c].decay for c in channel])
    return _Media(campaign, np.array(region), channel, series_spend, _adstock(series_spend, decay))


def _adstock(spend: np.ndarray, decay: np.ndarray) -> np.ndarray:
    """Geometric carry-over, ``a_t = x_t + decay * a_{t-1}``: a loop over days, vectorised
    over series (a thousand steps, whatever the number of leads)."""
    out = np.empty_like(spend)
    carried = np.zeros(spend.shape[0])
    for day in range(spend.shape[1]):
        carried = spend[:, day] + decay * carried
        out[:, day] = carried
    return out


def _channel_region(values: np.ndarray, media: _Media, channel: int) -> np.ndarray:
    """Sum the series of one channel per region: (regions, days)."""
    out = np.zeros((len(co.REGIONS), values.shape[1]))
    selected = media.channel == channel
    np.add.at(out, media.region[selected], values[selected])
    return out


# --- expected leads ----------------------------------------------------------------------

def _lead_rates(media: _Media, timeline: _Timeline, population: np.ndarray,
                demand_weights: np.ndarray, n_leads: int) -> tuple[np.ndarray, dict]:
    """Expected leads per channel x region x day (history and horizon), each channel
    scaled so that its history holds ``lead_share * n_leads`` leads."""
    history = timeline.history
    rates = np.zeros((len(co.CHANNELS), len(co.REGIONS), len(timeline.days)))
    baseline = demand_weights[:, None] * (timeline.seasonal * timeline.demand)[None, :]
    truth = {}
    for index, profile in enumerate(co.CHANNELS):
        expected = profile.lead_share * n_leads
        if not profile.paid:
            level = expected / baseline[:, :history].sum()
            rates[index] = level * baseline
            truth[profile.code] = dict(
                paid=False, daily_leads_at_start=float(level),
                qualified_rate=profile.qualified_rate, expected_leads=float(expected))
            continue
        adstock = _channel_region(media.adstock, media, index)
        national = adstock[:, :history].sum(axis=0)
        half = profile.saturation * national[national > 0].mean()
        scaled = (adstock / population[:, None]) ** profile.shape
        hill = scaled / (scaled + half ** profile.shape)
        shape = population[:, None] * hill * timeline.demand[None, :]
        beta = expected / shape[:, :history].sum()
        rates[index] = beta * shape
        spend = float(media.spend[media.channel == index, :history].sum())
        truth[profile.code] = dict(
            paid=True, decay=profile.decay, half_saturation=float(half), shape=profile.shape,
            max_daily_leads=float(beta), qualified_rate=profile.qualified_rate,
            expected_leads=float(expected),
            spend=round(spend, 2), cost_per_incremental_lead=spend / expected,
            cost_per_incremental_qualified_lead=spend / (expected * profile.qualified_rate),
        )
    return rates, truth


# --- leads -------------------------------------------------------------------------------

@dataclass
class _Draws:
    """One entry per lead, sorted by creation time; stage times in epoch seconds (NaN: the
    stage was not reached)."""

    channel: np.ndarray
    region: np.ndarray
    day: np.ndarray
    series: np.ndarray  # campaign x region series; -1 for unpaid channels
    campaign: np.ndarray  # -1 for unpaid channels
    source: np.ndarray  # -1 when the lead did not come through the web
    segment: np.ndarray
    qualified_type: np.ndarray  # -1 when not qualified
    rep: np.ndarray
    sdr: np.ndarray  # -1 when the lead never reached MQL
    stages: dict[str, np.ndarray]
    deal_value: np.ndarray
    monthly_amount: np.ndarray


def _draw_leads(rng: Rng, rates: np.ndarray, n_leads: int, timeline: _Timeline,
                media: _Media) -> _Draws:
    """Draw every lead: its cell (channel x region x day) in one multinomial over the
    expected rates, a time of day, then its attributes and its funnel."""
    counts = rng.multinomial(n_leads, (rates / rates.sum()).ravel())
    cells = np.repeat(np.arange(counts.size), counts)
    channel, region, day = np.unravel_index(cells, rates.shape)
    hour = rng.choice(24, size=n_leads, p=np.asarray(co.HOUR_WEIGHTS) / sum(co.HOUR_WEIGHTS))
    day_start = timeline.days[:timeline.history].astype("datetime64[s]").astype(np.int64)
    created = day_start[day] + hour * 3600 + rng.integers(0, 3600, n_leads)
    order = np.argsort(created, kind="stable")
    channel, region, day, created = channel[order], region[order], day[order], created[order]

    qualified_rate = np.array([c.qualified_rate for c in co.CHANNELS])
    qualified = rng.random(n_leads) < qualified_rate[channel]
    type_shares = np.array([share for _, share in co.QUALIFIED_TYPES])
    qualified_type = np.where(qualified, rng.choice(len(type_shares), n_leads, p=type_shares), -1)
    segment = rng.choice(len(co.SEGMENTS), size=n_leads, p=[s.share for s in co.SEGMENTS])
    n_reps = len(co.rep_rows())
    skill = rng.lognormal(0.0, co.FUNNEL.rep_skill_sigma, n_reps)
    deal_factor = rng.lognormal(0.0, co.FUNNEL.rep_deal_sigma, n_reps)
    rep = _field_rep(rng, region)
    segment_factor = np.array([s.win_factor for s in co.SEGMENTS])
    win_rate = np.minimum(co.FUNNEL.won * skill[rep] * segment_factor[segment], 0.95)
    end_seconds = day_start[-1] + SECONDS_PER_DAY
    stages = _funnel(rng, created.astype(float), qualified, win_rate, end_seconds)
    sdr = (n_reps - co.SDR_COUNT) + rng.integers(0, co.SDR_COUNT, n_leads)
    won = ~np.isnan(stages["won_at"])
    in_pipeline = won | ~np.isnan(stages["opportunity_at"])
    deal_value, monthly_amount = _deal_amounts(rng, segment, deal_factor[rep], in_pipeline)
    series = _pick_series(rng, media, channel, region, day)
    return _Draws(
        channel=channel, region=region, day=day, series=series,
        campaign=np.where(series >= 0, media.campaign[np.maximum(series, 0)], -1),
        source=_pick_sources(rng, channel), segment=segment, qualified_type=qualified_type, rep=rep,
        sdr=np.where(np.isnan(stages["mql_at"]), -1, sdr), stages=stages,
        deal_value=deal_value, monthly_amount=monthly_amount)


def _field_rep(rng: Rng, region: np.ndarray) -> np.ndarray:
    """A field rep of the lead's region, uniformly (reps are listed region by region)."""
    per_region = np.array([co.field_rep_counts()[r.code] for r in co.REGIONS])
    first = np.concatenate([[0], np.cumsum(per_region)[:-1]])
    return first[region] + (rng.random(len(region)) * per_region[region]).astype(np.int64)


def _gamma_days(rng: Rng, scale: float, n: int, cap: float) -> np.ndarray:
    return np.minimum(rng.gamma(2.0, scale, n), cap) * SECONDS_PER_DAY


def _funnel(rng: Rng, created: np.ndarray, qualified: np.ndarray, win_rate: np.ndarray,
            end_seconds: float) -> dict[str, np.ndarray]:
    """Stage times: created -> MQL -> SQL -> opportunity -> won or lost, lags of hours to
    weeks, won 20 to 90 days after creation. A stage not reached by ``end`` is left empty
    (the lead is still open), so no time is in the future and times never decrease."""
    f, n = co.FUNNEL, len(created)
    mql = rng.random(n) < np.where(qualified, f.mql_if_qualified, f.mql_otherwise)
    sql = mql & (rng.random(n) < np.where(qualified, f.sql_if_qualified, f.sql_otherwise))
    opportunity = sql & (rng.random(n) < f.opportunity)
    won = opportunity & (rng.random(n) < win_rate)
    mql_lag = rng.exponential(np.where(qualified, f.mql_lag_qualified, f.mql_lag_otherwise))
    mql_at = created + np.round(np.minimum(mql_lag, 14.0) * SECONDS_PER_DAY)
    sql_at = mql_at + np.round(_gamma_days(rng, f.sql_lag, n, 21.0))
    opportunity_at = sql_at + np.round(_gamma_days(rng, f.opportunity_lag, n, 30.0))
    won_after = f.won_min_days * SECONDS_PER_DAY + _gamma_days(rng, f.won_lag, n, f.won_max_days)
    won_after = np.round(np.minimum(won_after, f.won_max_days * SECONDS_PER_DAY))
    won_at = created + np.maximum(won_after, opportunity_at - created + 3600)
    lost_lag = np.round(_gamma_days(rng, f.lost_lag, n, 60.0))
    gives_up = rng.random(n)
    lost_at = np.select(
        [opportunity & ~won, sql & ~opportunity & (gives_up < f.lost_after_sql),
         mql & ~sql & (gives_up < f.lost_after_mql)],
        [opportunity_at + lost_lag, sql_at + lost_lag, mql_at + lost_lag], default=np.nan)
    stages = {"created_at": created, "mql_at": np.where(mql, mql_at, np.nan),
              "sql_at": np.where(sql, sql_at, np.nan),
              "opportunity_at": np.where(opportunity, opportunity_at, np.nan),
              "won_at": np.where(won, won_at, np.nan), "lost_at": lost_at}
    return {name: np.where(times < end_seconds, times, np.nan) for name, times in stages.items()}


def _deal_amounts(rng: Rng, segment: np.ndarray, rep_factor: np.ndarray,
                  in_pipeline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deal value of leads that reached an opportunity (as a CRM carries the opportunity's
    amount, won or not); the monthly contract amount when the customer took one (else 0)."""
    n = len(segment)
    price = np.array([s.median_price for s in co.SEGMENTS])[segment]
    value = np.round(price * rng.lognormal(0.0, co.PRICE_SIGMA, n) * rep_factor, 2)
    contract_share = np.array([s.contract_share for s in co.SEGMENTS])[segment]
    contract = rng.random(n) < contract_share
    monthly = np.where(contract, np.round(value * rng.uniform(*co.CONTRACT_RATE, n), 2), 0.0)
    return np.where(in_pipeline, value, np.nan), np.where(in_pipeline, monthly, np.nan)


def _pick_series(rng: Rng, media: _Media, channel: np.ndarray, region: np.ndarray,
                 day: np.ndarray) -> np.ndarray:
    """The campaign x region series a paid lead came from, in proportion to each series'
    adstock in the lead's region that day; -1 for unpaid channels."""
    n_series = len(media.campaign)
    candidates: dict[tuple[int, int], list[int]] = {}
    for s in range(n_series):
        candidates.setdefault((int(media.channel[s]), int(media.region[s])), []).append(s)
    width = max(len(v) for v in candidates.values())
    table = np.full((len(co.CHANNELS), len(co.REGIONS), width), n_series)  # n_series: a zero row
    for (c, r), series in candidates.items():
        table[c, r, :len(series)] = series
    paid = np.flatnonzero(table[channel, region, 0] != n_series)
    options = table[channel[paid], region[paid]]
    padded = np.vstack([media.adstock, np.zeros((1, media.adstock.shape[1]))])
    cumulative = padded[options, day[paid, None]].cumsum(axis=1)
    draw = rng.random(len(paid)) * cumulative[:, -1]
    pick = np.minimum((cumulative <= draw[:, None]).sum(axis=1), width - 1)
    result = np.full(len(channel), -1)
    result[paid] = options[np.arange(len(paid)), pick]
    return result


def _pick_sources(rng: Rng, channel: np.ndarray) -> np.ndarray:
    """The web source of each lead of a channel that has sources (a loop over channels)."""
    result = np.full(len(channel), -1)
    for index, profile in enumerate(co.CHANNELS):
        options = [i for i, s in enumerate(co.SOURCES) if s.channel == profile.code]
        if not options:
            continue
        mask = channel == index
        shares = np.array([co.SOURCES[i].share for i in options])
        result[mask] = rng.choice(options, size=int(mask.sum()), p=shares / shares.sum())
    return result


def _categorical(codes: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(categories))


def _categorical_or_empty(codes: np.ndarray, categories: tuple[str, ...]) -> pd.Categorical:
    """-1 (none) becomes the empty code '': campaign and source are part of natural keys."""
    return _categorical(np.where(codes >= 0, codes, len(categories)), (*categories, ""))


def _datetimes(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (NaN: none) as datetime64[us] (NaT: none)."""
    missing = np.isnan(seconds)
    values = np.where(missing, 0, seconds).astype(np.int64).astype("datetime64[s]")
    values[missing] = np.datetime64("NaT")
    return values.astype("datetime64[us]")


def _leads_frame(draws: _Draws) -> pd.DataFrame:
    numbers = pd.Series(np.arange(1, len(draws.channel) + 1)).astype(str)
    ids = pd.Index("D" + numbers.str.zfill(8), name="lead_id")
    reps = [r["code"] for r in co.rep_rows()]
    return pd.DataFrame({
        "lead_key": pseudonymise(pd.Series(ids), SOURCE_SYSTEM).to_numpy(),
        "source_system": SOURCE_SYSTEM,
        "channel_code": _categorical(draws.channel, co.CHANNEL_CODES),
        "campaign_code": _categorical_or_empty(draws.campaign, CAMPAIGN_CODES),
        "source_code": _categorical_or_empty(draws.source, SOURCE_CODES),
        "region_code": _categorical(draws.region, co.REGION_CODES),
        "rep_code": _categorical(draws.rep, reps),
        "sdr_code": _categorical(draws.sdr, reps),
        "segment": _categorical(draws.segment, [s.code for s in co.SEGMENTS]),
        **{name: _datetimes(seconds) for name, seconds in draws.stages.items()},
        "is_qualified": draws.qualified_type >= 0,
        "qualified_type": _categorical(draws.qualified_type, [t for t, _ in co.QUALIFIED_TYPES]),
        "deal_value": draws.deal_value,
        "monthly_amount": draws.monthly_amount,
    }, index=ids)


# --- ad delivery and web visits ----------------------------------------------------------

def _ad_performance(rng: Rng, media: _Media, timeline: _Timeline,
                    draws: _Draws) -> tuple[pd.DataFrame, np.ndarray]:
    """Delivery per campaign x region x day with spend; also returns clicks per series x day
    (the paid visits of the web analytics)."""
    history = timeline.history
    spend = media.spend[:, :history]
    cpm = np.array([co.CHANNELS[c].cpm for c in media.channel])[:, None]
    ctr = np.array([co.CHANNELS[c].ctr for c in media.channel])[:, None]
    contacts = spend / cpm * 1000 * rng.lognormal(0.0, CPM_SIGMA, spend.shape)
    impressions = np.where(spend > 0, np.maximum(1, np.round(contacts)), 0).astype(np.int64)
    click_rate = np.minimum(ctr * rng.lognormal(0.0, CTR_SIGMA, spend.shape), 1.0)
    clicks = rng.binomial(impressions, click_rate)
    paid = draws.series >= 0
    leads = np.bincount(draws.series[paid] * history + draws.day[paid],
                        minlength=spend.size).reshape(spend.shape)
    conversions = np.where(ctr > 0, leads + rng.poisson(leads * co.PLATFORM_OVERCLAIM), 0)
    day, series = np.nonzero(spend.T > 0)
    frame = pd.DataFrame({
        "source_system": SOURCE_SYSTEM,
        "date": timeline.days[day].astype("datetime64[us]"),
        "campaign_code": _categorical(media.campaign[series], CAMPAIGN_CODES),
        "region_code": _categorical(media.region[series], co.REGION_CODES),
        "ad_code": "",
        "channel_code": _categorical(media.channel[series], co.CHANNEL_CODES),
        "impressions": impressions[series, day],
        "clicks": clicks[series, day],
        "spend": spend[series, day],
        "platform_conversions": conversions[series, day],
    })
    return frame, clicks


def _web_analytics(rng: Rng, media: _Media, timeline: _Timeline, rates: np.ndarray,
                   clicks: np.ndarray, draws: _Draws) -> pd.DataFrame:
    """Visits per source x region x day: paid sources from ad clicks, unpaid ones from their
    expected leads, plus the lift offline media give direct and organic search visits.
    Conversions are the leads that came through each source."""
    history, n_regions, n_sources = timeline.history, len(co.REGIONS), len(co.SOURCES)
    web = draws.source >= 0
    cell = (draws.source[web] * n_regions + draws.region[web]) * history + draws.day[web]
    shape = (n_sources, n_regions, history)
    conversions = np.bincount(cell, minlength=np.prod(shape)).reshape(shape)
    halo = sum((1 - co.CHANNELS[CHANNEL_INDEX[c]].decay)
               * _channel_region(media.adstock[:, :history], media, CHANNEL_INDEX[c])
               for c in co.OFFLINE_CHANNELS)
    visits = []
    for source in co.SOURCES:
        channel = CHANNEL_INDEX[source.channel]
        if co.CHANNELS[channel].paid:
            channel_clicks = _channel_region(clicks, media, channel).astype(np.int64)
            visits.append(rng.binomial(channel_clicks, source.share * co.CLICK_TO_SESSION))
            continue
        expected = rates[channel, :, :history] * source.share / source.lead_rate
        if source.code in co.HALO_SOURCES:
            expected = expected + halo * co.HALO_SESSIONS_PER_EUR / len(co.HALO_SOURCES)
        visits.append(rng.poisson(expected))
    sessions = np.maximum(np.stack(visits), conversions)
    users = rng.binomial(sessions, co.USERS_PER_SESSION)
    engaged = rng.binomial(sessions, np.array([s.engaged_rate for s in co.SOURCES])[:, None, None])
    day, source, region = np.nonzero(sessions.transpose(2, 0, 1) > 0)
    return pd.DataFrame({
        "source_system": SOURCE_SYSTEM,
        "date": timeline.days[day].astype("datetime64[us]"),
        "source_code": _categorical(source, SOURCE_CODES),
        "region_code": _categorical(region, co.REGION_CODES),
        "sessions": sessions[source, region, day],
        "users": users[source, region, day],
        "engaged_sessions": engaged[source, region, day],
        "conversions": conversions[source, region, day],
    })


# --- subscriptions, plan, targets, costs, open data ------------------------------------

def _subscriptions(rng: Rng, leads: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """One row per contract and month from the won month; a contract lasts a geometric
    number of months (constant monthly churn) and its churn month carries the MRR lost."""
    amount = np.where(leads["won_at"].notna(), leads["monthly_amount"].to_numpy(), np.nan)
    customers = np.flatnonzero(np.nan_to_num(amount) > 0)
    first = leads["won_at"].to_numpy()[customers].astype("datetime64[M]").astype(np.int64)
    last = np.datetime64(end, "M").astype(np.int64)
    lifetime = rng.geometric(co.FUNNEL.monthly_churn, len(customers))
    churned = lifetime <= last - first
    rows = np.minimum(lifetime, last - first + 1) + churned
    customer = np.repeat(np.arange(len(customers)), rows)
    offset = np.arange(rows.sum()) - np.repeat(np.cumsum(rows) - rows, rows)
    source_rows = customers[customer]
    return pd.DataFrame({
        "source_system": SOURCE_SYSTEM,
        "customer_key": leads["lead_key"].to_numpy()[source_rows],
        "month": (first[customer] + offset).astype("datetime64[M]").astype("datetime64[us]"),
        "region_code": leads["region_code"].array[source_rows],
        "channel_code": leads["channel_code"].array[source_rows],
        "mrr": amount[source_rows],
        "is_new": offset == 0,
        "is_churned": offset == lifetime[customer],
    })


def _monthly(values: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum the last axis (days, sorted) by month: (first days of the months, sums)."""
    months = days.astype("datetime64[M]")
    starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
    return months[starts].astype("datetime64[us]"), np.add.reduceat(values, starts, axis=-1)


def _media_plan(rng: Rng, media: _Media, timeline: _Timeline) -> pd.DataFrame:
    """Planned spend per month x channel x region (national campaigns on the country): what
    the flighting spends, with the noise of a plan for the history's months."""
    months, spend = _monthly(media.spend, timeline.days)
    national = np.array([co.CAMPAIGNS[c].region is None for c in media.campaign])
    region_codes = np.where(national, co.COUNTRY, np.array(co.REGION_CODES)[media.region])
    frame = pd.DataFrame({
        "month": np.tile(months, len(media.campaign)),
        "channel_code": np.repeat(np.array(co.CHANNEL_CODES)[media.channel], len(months)),
        "region_code": np.repeat(region_codes, len(months)),
        "coverage": np.repeat(np.where(national, "national", "local"), len(months)),
        "planned_spend": spend.ravel(),
    }).groupby(["month", "channel_code", "region_code", "coverage"], as_index=False).sum()
    in_history = frame["month"] <= np.datetime64(_date(timeline.days[timeline.history - 1]), "M")
    noise = np.where(in_history, rng.lognormal(0.0, PLAN_SIGMA, len(frame)), 1.0)
    frame["planned_spend"] = (frame["planned_spend"] * noise).round(PLAN_ROUNDING)
    frame.insert(0, "source_system", SOURCE_SYSTEM)
    return frame[frame["planned_spend"] > 0].reset_index(drop=True)


def _targets(rates: np.ndarray, media: _Media, timeline: _Timeline,
             leads: pd.DataFrame) -> pd.DataFrame:
    """Monthly and quarterly targets per region and for all: expected volumes (channel
    conversion rates of the history, on creation cohorts) with some ambition, the spend
    the flighting plans, and the cost per qualified lead these imply."""
    months, monthly_rates = _monthly(rates, timeline.days)
    won = leads["won_at"].notna()
    won_rate = won.groupby(leads["channel_code"], observed=False).mean()
    won_rate = won_rate.reindex(co.CHANNEL_CODES).fillna(0.0).to_numpy()
    qualified = np.array([c.qualified_rate for c in co.CHANNELS])
    mrr_per_won = float(leads.loc[won, "monthly_amount"].mean()) if won.any() else 0.0
    region_spend = np.zeros((len(co.REGIONS), len(timeline.days)))
    np.add.at(region_spend, media.region, media.spend)
    volumes = {
        "leads": monthly_rates.sum(axis=0) * co.TARGET_AMBITION,
        "qualified_leads": np.tensordot(qualified, monthly_rates, axes=1) * co.TARGET_AMBITION,
        "won": np.tensordot(won_rate, monthly_rates, axes=1) * co.TARGET_AMBITION,
        "spend": _monthly(region_spend, timeline.days)[1],
    }
    volumes["new_mrr"] = volumes["won"] * mrr_per_won
    monthly = pd.DataFrame({"period_start": np.tile(months, len(co.REGIONS)),
                            "region_code": np.repeat(co.REGION_CODES, len(months)),
                            **{kpi: values.ravel() for kpi, values in volumes.items()}})
    everywhere = monthly.groupby("period_start", as_index=False).sum(numeric_only=True)
    everywhere["region_code"] = "all"
    monthly = pd.concat([monthly, everywhere], ignore_index=True).assign(grain="month")
    return _target_rows(pd.concat([monthly, _quarters(monthly)], ignore_index=True))


def _quarters(monthly: pd.DataFrame) -> pd.DataFrame:
    """Quarter sums of the monthly volumes, for the quarters whose three months are there."""
    quarter = monthly["period_start"].dt.to_period("Q").dt.start_time.astype("datetime64[us]")
    grouped = monthly.drop(columns=["period_start", "grain"]).assign(period_start=quarter, months=1)
    sums = grouped.groupby(["period_start", "region_code"], as_index=False).sum(numeric_only=True)
    return sums[sums.pop("months") == 3].assign(grain="quarter")


def _target_rows(volumes: pd.DataFrame) -> pd.DataFrame:
    volumes = volumes.assign(cost_per_qualified_lead=volumes["spend"] / volumes["qualified_leads"])
    long = volumes.melt(id_vars=["period_start", "grain", "region_code"],
                        value_vars=list(TARGET_KPIS), var_name="kpi", value_name="value")
    digits = long["kpi"].map({"leads": 0, "qualified_leads": 0, "won": 0, "spend": PLAN_ROUNDING,
                              "new_mrr": 2, "cost_per_qualified_lead": 2})
    long["value"] = [round(v, d) for v, d in zip(long["value"], digits, strict=True)]
    long = long.assign(source_system=SOURCE_SYSTEM, channel_code="")
    return long[["source_system", "period_start", "grain", "kpi", "region_code", "channel_code",
                 "value"]]


def _costs(rng: Rng, media: _Media, timeline: _Timeline, size: float) -> pd.DataFrame:
    """Salaries (the sales and marketing teams, a raise each year), tools and agencies (a fee
    and a share of the media spend) per month of the history."""
    history = timeline.history
    months, media_spend = _monthly(media.spend[:, :history].sum(axis=0), timeline.days[:history])
    month_numbers = months.astype("datetime64[M]").astype(np.int64)
    year = (month_numbers - month_numbers[0]) // 12
    team = (sum(co.field_rep_counts().values()) * co.SALARY_FIELD_REP + co.SDR_COUNT * co.SALARY_SDR
            + co.MARKETING_TEAM_COST)
    amounts = {
        "salaries": team * size * (1 + co.SALARY_RAISE_PER_YEAR) ** year,
        "tools": co.TOOLS_COST * size * 1.1 ** year,
        "agencies": co.AGENCY_FEE * size + co.AGENCY_SHARE_OF_MEDIA * media_spend,
    }
    frames = [pd.DataFrame({"month": months, "category": category,
                            "amount": np.round(values * rng.lognormal(0.0, 0.02, len(months)), 2)})
              for category, values in amounts.items()]
    costs = pd.concat(frames, ignore_index=True)
    costs = costs.sort_values(["month", "category"], ignore_index=True)
    return costs.assign(source_system=SOURCE_SYSTEM, region_code="all")[
        ["source_system", "month", "category", "region_code", "amount"]]


def _stringency_frame(timeline: _Timeline) -> pd.DataFrame:
    history = timeline.history
    return pd.DataFrame({"source_system": SOURCE_SYSTEM, "series": "covid_stringency", "geo": "FRA",
                         "date": timeline.days[:history].astype("datetime64[us]"),
                         "value": np.round(timeline.stringency[:history], 2)})


# --- dimensions and truth ----------------------------------------------------------------

def _regions_frame() -> pd.DataFrame:
    rows = [dict(code=co.COUNTRY, name="France", level="country", parent_code=None)]
    rows += [dict(code=r.code, name=r.name, level="region", parent_code=co.COUNTRY)
             for r in co.REGIONS]
    return pd.DataFrame(rows)


def _campaigns_frame() -> pd.DataFrame:
    return pd.DataFrame([dict(code=c.code, name=c.name, channel_code=c.channel, coverage=c.coverage)
                         for c in co.CAMPAIGNS])


def _truth(seed: int, n_leads: int, size: float, timeline: _Timeline, media: _Media,
           channels: dict, weights: dict[str, np.ndarray]) -> dict:
    covid = timeline.covid_start
    return {
        "company": co.COMPANY_NAME, "seed": seed, "leads": n_leads,
        "size": size,  # spend and saturation points relative to the reference budgets
        "start": _date(timeline.days[0]), "end": _date(timeline.days[timeline.history - 1]),
        "plan_end": _date(timeline.days[-1]),
        "formulas": FORMULAS,
        "channels": channels,
        "baseline": {
            "trend_per_year": co.TREND_PER_YEAR,
            "monthly_profile": [float(m / np.mean(co.MONTHLY_PROFILE)) for m in co.MONTHLY_PROFILE],
            "weekday_factors": list(co.WEEKDAY_FACTORS),
            "holiday_factor": co.HOLIDAY_FACTOR,
            "region_weights": _by_region(weights["demand"]),
        },
        "population_weights": _by_region(weights["population"]),
        "covid": {
            "start": covid, "lockdown_end": covid + dt.timedelta(days=co.LOCKDOWN_DAYS),
            "lockdown_month": (covid + dt.timedelta(days=co.LOCKDOWN_DAYS // 2)).replace(day=1),
            "elasticity": co.COVID_ELASTICITY, "series": "covid_stringency",
            "peak_stringency": float(timeline.stringency.max()),
            "spend_cut": {c.code: c.lockdown_cut for c in co.CHANNELS if c.paid},
        },
        "funnel": asdict(co.FUNNEL),
        "total_spend": round(float(media.spend[:, :timeline.history].sum()), 2),
    }


def _by_region(values: np.ndarray) -> dict[str, float]:
    return dict(zip(co.REGION_CODES, values.tolist(), strict=True))
