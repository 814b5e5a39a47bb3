"""Simulated media histories with a known truth, to check that :mod:`.fit` recovers it.

A monthly history shaped like the demo company's (:mod:`etl.demo.company`): qualified leads with a
trend, a yearly season, a Covid-like shock (a stringency index, also a control of the model) and
six paid channels with known carry-over, saturation and size, whose spend is flighted (months on
and off, levels that move, budgets cut in lockdown) so that the data hold real variation. The
leads follow the model's own form (:mod:`.model`) plus autocorrelated noise, so every figure of
the truth is exact: the true average cost per incremental lead is spend / true contribution over
the history, and the true shares are the true contributions over the noise-free total.
Everything is drawn from one seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from forecasting.planning.model import Params, ResponseModel, baseline_design
from forecasting.planning.transforms import adstock, hill


@dataclass(frozen=True)
class TrueChannel:
    """A simulated channel: its spend pattern and its true response."""

    name: str
    mean_spend: float  # EUR per month over the history
    decay: float  # monthly carry-over
    half_ratio: float  # half point / steady adstock at mean spend
    shape: float
    lead_share: float  # share of all leads (noise-free) it brings over the history
    on_rate: float  # share of months with spend
    level_sigma: float  # month-to-month spread of the level when on (log scale)
    lockdown_cut: float  # share of spend cut at full stringency


# Monthly budgets and responses in the spirit of the demo company (about 1,250 qualified leads a month).
CHANNELS = (
    TrueChannel("national_tv", 80_000, 0.5, 1.0, 1.6, 0.12, 0.55, 0.35, 0.95),
    TrueChannel("radio", 25_000, 0.3, 0.8, 1.3, 0.07, 0.5, 0.35, 0.9),
    TrueChannel("local_press", 6_000, 0.2, 1.0, 1.0, 0.03, 0.75, 0.3, 0.9),
    TrueChannel("paid_search", 28_000, 0.05, 1.4, 1.0, 0.16, 0.85, 0.5, 0.5),
    TrueChannel("paid_social", 12_000, 0.2, 1.0, 1.2, 0.07, 0.7, 0.35, 0.5),
    TrueChannel("display", 6_000, 0.1, 0.9, 1.0, 0.03, 0.8, 0.3, 0.6),
)
LEVEL = 1_250.0  # noise-free leads per month, before trend, season and shock
TREND = 0.04  # per year, share of the level
SEASON = (0.06, 0.07, -0.04, 0.03)  # cos 1, sin 1, cos 2, sin 2 of the day of year, share of the level
COVID_DROP = 0.5  # share of the baseline lost at full stringency
# Stringency (0-100) by month from March 2020: lockdown, relief, second wave, fade-out.
STRINGENCY = (45, 85, 75, 50, 40, 35, 40, 65, 60, 55, 50, 45, 35, 25, 20, 15, 10, 5)


@dataclass
class Simulation:
    """A simulated history and its truth."""

    y: np.ndarray  # (T,) leads
    spend: np.ndarray  # (T, C) EUR
    periods: list[dt.date]
    channels: list[str]
    controls: np.ndarray  # (T, 1) the stringency index
    control_names: list[str]
    truth: ResponseModel  # the true model (its params), on the same history
    average_cost: np.ndarray  # (C,) EUR per incremental lead, true
    shares: np.ndarray  # (C,) true contribution shares
    noise_sd: float

    @property
    def spend_shares(self) -> np.ndarray:
        return self.spend.sum(axis=0) / self.spend.sum()

    def head(self, months: int) -> Simulation:
        """The first ``months`` of the history, the truth's figures over them (the same true model)."""
        t = self.truth
        truth = ResponseModel(t.channels, t.controls, t.periods[:months], t.frequency, t.n_harmonics, t.params,
                              t.y[:months], t.spend[:months], t.control_values[:months], t.control_mean,
                              t.control_scale, t.residual_sd)
        return Simulation(self.y[:months], self.spend[:months], self.periods[:months], self.channels,
                          self.controls[:months], self.control_names, truth, truth.average_cost(),
                          truth.contribution_shares(), self.noise_sd)


def month_starts(start: dt.date, count: int) -> list[dt.date]:
    return [dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def stringency(periods: list[dt.date]) -> np.ndarray:
    """The shock's index per month: from March 2020 if the history holds it, else from its 15th month."""
    origin = dt.date(2020, 3, 1)
    first = origin if periods[0] <= origin <= periods[-1] else periods[min(14, len(periods) - 1)]
    out = np.zeros(len(periods))
    for i, p in enumerate(periods):
        k = (p.year - first.year) * 12 + p.month - first.month
        if 0 <= k < len(STRINGENCY):
            out[i] = STRINGENCY[k]
    return out


def flighted_spend(rng: np.random.Generator, channel: TrueChannel, index: np.ndarray) -> np.ndarray:
    """Months on and off (a two-state chain that keeps about ``on_rate`` on) at lognormal levels, cut in lockdown."""
    t = len(index)
    on = np.ones(t, dtype=bool)
    if channel.on_rate < 1:
        stay_on = 0.6
        # from off, switch on with the rate that keeps the chain's stationary share at on_rate
        switch_on = min(1.0, (1 - stay_on) * channel.on_rate / (1 - channel.on_rate))
        on[0] = rng.random() < channel.on_rate
        for i in range(1, t):
            on[i] = rng.random() < (stay_on if on[i - 1] else switch_on)
        if on.sum() < 6:  # keep the channel on the air at least six months
            on[rng.choice(t, 6, replace=False)] = True
    level = np.exp(channel.level_sigma * rng.standard_normal(t))
    spend = on * level * (1 - channel.lockdown_cut * index / 100)
    return spend * channel.mean_spend / spend.mean()


def simulate(seed: int = 0, months: int = 60, start: dt.date = dt.date(2019, 1, 1), noise: float = 0.02,
             rho: float = 0.2, channels: tuple[TrueChannel, ...] = CHANNELS) -> Simulation:
    """A monthly history of ``months`` from ``start``; ``noise`` is the noise sd as a share of ``LEVEL``,
    AR(1) with coefficient ``rho``."""
    rng = np.random.default_rng(seed)
    periods = month_starts(start, months)
    index = stringency(periods)
    spend = np.column_stack([flighted_spend(rng, c, index) for c in channels])
    mean_spend = spend.mean(axis=0)
    decay = np.array([c.decay for c in channels])
    shape = np.array([c.shape for c in channels])
    half = np.array([c.half_ratio for c in channels]) * mean_spend / (1 - decay)
    curves = hill(adstock(spend.T, decay), half[:, None], shape[:, None])  # (C, T)

    control_mean, control_scale = index.mean(keepdims=True), np.maximum(index.std(keepdims=True), 1e-9)
    paid = sum(c.lead_share for c in channels)
    level = LEVEL * (1 - paid)
    base = np.array([level, TREND * LEVEL, *(s * LEVEL for s in SEASON), -COVID_DROP * level / 100 * control_scale[0]])
    design = baseline_design(periods, periods[0], 2, (index[:, None] - control_mean) / control_scale)
    base[0] -= float(np.mean(design[:, 1:] @ base[1:]))  # the baseline's mean is the level
    baseline = design @ base
    total = baseline.sum() / (1 - paid)
    beta = np.array([c.lead_share * total / curves[i].sum() for i, c in enumerate(channels)])
    params = Params(decay=decay, half=half, shape=shape, beta=beta, base=base)
    names = [c.name for c in channels]
    truth = ResponseModel(names, ["covid_stringency"], periods, "month", 2, params, np.zeros(months), spend,
                          index[:, None], control_mean, control_scale, noise * LEVEL)
    clean = truth.fitted().total
    shocks = noise * LEVEL * rng.standard_normal(months)
    errors = np.empty(months)
    errors[0] = shocks[0]
    for i in range(1, months):
        errors[i] = rho * errors[i - 1] + np.sqrt(1 - rho ** 2) * shocks[i]
    truth.y = clean + errors
    return Simulation(truth.y.copy(), spend, periods, names, index[:, None], ["covid_stringency"], truth,
                      truth.average_cost(), truth.contribution_shares(), noise * LEVEL)


# --- regions ------------------------------------------------------------------------------------------

NATIONAL_CHANNELS = ("national_tv",)  # bought nationally: split into regions by population


@dataclass
class GeoSimulation:
    """A simulated history by region and its truth (national figures are sums of the regions')."""

    y: np.ndarray  # (R, T)
    spend: np.ndarray  # (R, T, C) EUR
    periods: list[dt.date]
    frequency: str
    channels: list[str]
    regions: list[str]
    controls: np.ndarray  # (R, T, 1)
    control_names: list[str]
    population: np.ndarray  # (R,) shares
    contributions: np.ndarray  # (R, T, C) true
    clean: np.ndarray  # (R, T) noise-free leads
    average_cost: np.ndarray  # (C,) national EUR per incremental lead, true
    shares: np.ndarray  # (C,) national contribution shares, true

    @property
    def spend_shares(self) -> np.ndarray:
        return self.spend.sum(axis=(0, 1)) / self.spend.sum()

    def head(self, n: int) -> GeoSimulation:
        """The first ``n`` periods, with the truth of those periods (to refit with one more and compare)."""
        contributions, clean = self.contributions[:, :n], self.clean[:, :n]
        contributed = contributions.sum(axis=(0, 1))
        spend = self.spend[:, :n]
        return GeoSimulation(self.y[:, :n], spend, self.periods[:n], self.frequency, self.channels, self.regions,
                             self.controls[:, :n], self.control_names, self.population, contributions, clean,
                             spend.sum(axis=(0, 1)) / contributed, contributed / clean.sum())

    def frame(self, target: str = "leads"):
        """The history as a wide file's rows: date, region, target, ``<channel>_spend``, controls."""
        import pandas as pd

        rows = []
        for r, region in enumerate(self.regions):
            part = pd.DataFrame({"date": [p.isoformat() for p in self.periods], "region": region,
                                 target: np.round(self.y[r], 2)})
            for c, name in enumerate(self.channels):
                part[f"{name}_spend"] = np.round(self.spend[r, :, c], 2)
            for j, name in enumerate(self.control_names):
                part[name] = self.controls[r, :, j]
            rows.append(part)
        return pd.concat(rows, ignore_index=True)


def simulate_geo(seed: int = 0, regions: int = 13, periods: int = 60, frequency: str = "month",
                 start: dt.date = dt.date(2019, 1, 7), noise: float = 0.04, rho: float = 0.2, region_sd: float = 0.2,
                 channels: tuple[TrueChannel, ...] = CHANNELS) -> GeoSimulation:
    """A history of ``regions`` regions: populations drawn log-normal, national channels split by
    population, the other channels flighted per region with their own budget per head; each channel's
    effect varies by region (log-normal, ``region_sd``) around a shared curve (decay, half point per
    head, shape). Noise: ``noise`` x the region's level, AR(1) ``rho``, one third of its variance a
    national shock common to every region."""
    from forecasting.planning.fit import DAYS_PER_MONTH, per_period_decay, period_days

    rng = np.random.default_rng(seed)
    if frequency == "month":
        dates = month_starts(dt.date(start.year, start.month, 1), periods)
        index = stringency(dates)
    else:
        dates = [start + dt.timedelta(days=7 * i) for i in range(periods)]
        months = month_starts(dt.date(start.year, start.month, 1), periods // 4 + 2)
        by_month = dict(zip(months, stringency(months), strict=True))
        index = np.array([by_month[dt.date(d.year, d.month, 1)] for d in dates])
    scale = period_days(frequency) / DAYS_PER_MONTH
    names = [f"R{i + 1:02d}" for i in range(regions)]
    population = np.exp(0.6 * rng.standard_normal(regions))
    population /= population.sum()
    spend = np.zeros((regions, periods, len(channels)))
    for c, ch in enumerate(channels):
        monthly = TrueChannel(ch.name, ch.mean_spend * scale, ch.decay, ch.half_ratio, ch.shape, ch.lead_share,
                              ch.on_rate, ch.level_sigma, ch.lockdown_cut)
        if ch.name in NATIONAL_CHANNELS:
            spend[:, :, c] = population[:, None] * flighted_spend(rng, monthly, index)[None, :]
        else:
            budget = population * np.exp(0.35 * rng.standard_normal(regions))
            budget /= budget.sum()
            for r in range(regions):
                spend[r, :, c] = budget[r] * flighted_spend(rng, monthly, index)
    level = LEVEL * scale * population  # leads per period of each region, before media
    per_head = spend / level[:, None, None]
    decay = np.array([per_period_decay(ch.decay, frequency) for ch in channels])
    shape = np.array([ch.shape for ch in channels])
    half = np.array([ch.half_ratio for ch in channels]) * per_head.mean(axis=(0, 1))
    curves = np.empty_like(spend)
    for c in range(len(channels)):
        stock = adstock(per_head[:, :, c], decay[c]) * (1 - decay[c])
        curves[:, :, c] = hill(stock, half[c], shape[c])
    effect = np.exp(region_sd * rng.standard_normal((regions, len(channels))) - region_sd ** 2 / 2)
    paid = sum(ch.lead_share for ch in channels)
    design = baseline_design(dates, dates[0], 2, ((index - index.mean()) / max(index.std(), 1e-9))[:, None])
    base = np.array([1 - paid, TREND, *SEASON, -COVID_DROP * (1 - paid) / 100 * max(index.std(), 1e-9)])
    base[0] -= float(np.mean(design[:, 1:] @ base[1:]))
    baseline = level[:, None] * (design @ base)[None, :] * np.exp(0.05 * rng.standard_normal(regions))[:, None]
    raw = level[:, None, None] * effect[:, None, :] * curves
    total = baseline.sum() / (1 - paid)
    beta = np.array([ch.lead_share * total / raw[:, :, c].sum() for c, ch in enumerate(channels)])
    contributions = raw * beta[None, None, :]
    clean = baseline + contributions.sum(axis=2)
    shocks = (np.sqrt(2 / 3) * rng.standard_normal((regions, periods))
              + np.sqrt(1 / 3) * rng.standard_normal(periods)[None, :]) * noise * level[:, None]
    errors = np.empty_like(shocks)
    errors[:, 0] = shocks[:, 0]
    for t in range(1, periods):
        errors[:, t] = rho * errors[:, t - 1] + np.sqrt(1 - rho ** 2) * shocks[:, t]
    contributed = contributions.sum(axis=(0, 1))
    return GeoSimulation(clean + errors, spend, dates, frequency, [ch.name for ch in channels], names,
                         np.repeat(index[None, :, None], regions, axis=0), ["covid_stringency"], population,
                         contributions, clean, spend.sum(axis=(0, 1)) / contributed, contributed / clean.sum())
