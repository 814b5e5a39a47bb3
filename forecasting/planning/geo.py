"""A pooled geo media response model: one fit over every region, channel effects partially pooled.

Leads of region ``r`` in period ``t`` (``s_r`` the region's size, see below)::

    y_rt = s_r * (D_rt . base_r + sum_c (b_c + d_rc) * f_c(x_rtc))
    f_c(x) = hill(n; h_c, k_c) / hill(1; h_c, k_c),  n = (1 - decay_c) * adstock(x; decay_c)
    x_rtc = spend_rtc / (s_r * xbar_c)

- **Region baselines**: each region has its own level, trend, Fourier season and controls (``D`` is
  :func:`~.model.baseline_design`; ``base_r`` is free per region).
- **Shared shape**: carry-over ``decay_c``, half point ``h_c`` and Hill exponent ``k_c`` are one per
  channel. Spend is taken per unit of size, relative to the channel's mean (``xbar_c``), so a region
  that spends twice as much per head sits further up the same curve: cross-region differences in
  spend identify the curve, not only each region's flights.
- **Partial pooling**: a region's effect ``b_c + d_rc`` (its leads per period at the normal spend, as
  a share of its mean leads) is the shared ``b_c`` plus a deviation ``d_rc`` with a ridge penalty of
  sd :data:`DEVIATION_SD`, the penalised-likelihood form of a normal hierarchical prior
  ``d_rc ~ N(0, tau^2)`` with ``tau`` fixed. ``b_c >= 0`` (a channel never removes leads nationally).
- **Sizes** ``s_r``: the region's mean target per period (the leads' own share). Where a channel is only
  bought nationally, :func:`split_national` splits its spend by a documented share (population, or the
  regions' sessions or leads share): the per-head spend is then the same everywhere and only its
  timing identifies it.
- National figures are the sums of the regions'.

**Fitting** (variable projection): for a given shape ``theta = (decay, log h, k)`` of every channel,
the rest is linear: region baselines are projected out region by region (QR of ``D_r``), the pooled
effects solve a small ridge system (per region ``C x C``, so 40 regions cost no more than 40 small
solves), ``b >= 0`` by NNLS on its Cholesky form. The profiled penalised likelihood (data, the
ridge, weak priors on the shape as in :mod:`.fit`) has an analytic gradient (envelope theorem) and
is minimised by L-BFGS-B within the shape's bounds, from three carry-over starts.

**Uncertainty: a moving-block bootstrap in time, the same blocks for every region**, rescaled by
``sqrt(n / (n - p))``; each draw re-estimates everything, the carry-over and saturation shape
included, so the intervals carry the shape's uncertainty and not only the effects' around one shape.
Each draw starts from the point estimate's shape moved at random (:data:`DRAW_JITTER`), so that a
draw is not held near the point estimate by a flat objective. Why time blocks rather than region
blocks: resampling 13 regions gives few distinct panels, and a
region drawn twice or not at all leaves its own deviation ``d_rc`` undefined for the national sum; time
blocks keep every region, keep the residuals' autocorrelation (blocks of about three months) and
keep the shocks that hit all regions at once (a national news week), which is what makes regional
residuals correlated.

**Identification** (:func:`identify`): per channel, a reason code when it is not identified, and what
would identify it (:data:`REMEDIES`): no spend, spend in too few periods, spend too constant, spend
confounded with the season (multiple correlation of its per-head spend with the trend and season
above :data:`CONFOUNDED_CORR`) or with another channel (correlation above the same threshold), a
fit that ends on a bound of the shape or at no effect (point estimate, or in more than
:data:`BOUND_DRAW_SHARE` of the draws), or an 80% interval of the average cost wider than
:data:`MAX_COST_RATIO` (hi / lo). ``unattributed_share`` is the share of fitted leads from the
channels not identified.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize, nnls
from scipy.signal import lfilter

from forecasting.candidates.base import one_thread
from forecasting.planning.calibration import Experiment, calibration_penalty, drawn, period_weights
from forecasting.planning.fit import (
    BLOCK_MONTHS,
    DAYS_PER_MONTH,
    DECAY_PRIOR,
    DEFAULT_HARMONICS,
    EFFECT_PRIOR_SD,
    HALF_PRIOR_SD,
    HALF_RANGE,
    MAX_COST_RATIO,
    MAX_DECAY,
    MIN_PERIODS,
    MIN_SPEND_CV,
    SHAPE_PRIOR_SD,
    SHAPE_RANGE,
    START_DECAYS,
    _block_indices,
    mape,
    parallel_map,
    per_period_decay,
    period_days,
    r2_score,
)
from forecasting.planning.model import baseline_design, percentile_interval
from forecasting.planning.transforms import hill_derivative

DEVIATION_SD = 0.05  # sd of a region's effect around the shared one, as a share of the region's mean leads
CONFOUNDED_CORR = 0.8  # |correlation| of spend with the season or another channel above which it is confounded
BOUND_DRAW_SHARE = 0.25  # share of bootstrap draws ending on a bound above which the channel is flagged
DRAW_JITTER = 1.0  # each draw starts from the point estimate's shape moved at random (see the module's docstring)
RECENT_MONTHS = 6  # the "recent" spend of the marginal cost: the last six months, whatever the period
GEO_REASONS = ("no_spend", "few_periods", "constant_spend", "confounded_season", "confounded_channel", "no_effect",
               "at_bound", "uncertain")
REASON_TEXT = {"no_spend": "no spend", "few_periods": "spend in too few periods",
               "constant_spend": "spend too constant", "confounded_season": "spend moves with the season",
               "confounded_channel": "spend moves with another channel",
               "no_effect": "no effect found (the fit ends at zero)",
               "at_bound": "the fit ends on a bound of its curve", "uncertain": "too uncertain"}
REMEDIES = {"no_spend": "spend on it", "few_periods": "more periods with spend",
            "constant_spend": "spend variation: change its level between months or regions",
            "confounded_season": "spend against the season in some regions, or an experiment (geo holdout)",
            "confounded_channel": "flights apart from the other channel, or an experiment (geo holdout)",
            "no_effect": "an experiment (geo holdout) to bound its effect",
            "at_bound": "an experiment (geo holdout) or a wider spend range",
            "uncertain": "more months of varied spend, or an experiment (geo holdout)"}


def split_national(spend: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A national spend series (T,) split into regions (R, T) by ``weights`` (population, sessions or
    leads shares; normalised here): the documented rule where only national spend exists."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    return w[:, None] * np.asarray(spend, dtype=float)[None, :]


# --- the model --------------------------------------------------------------------------------------


@dataclass
class GeoParams:
    """One set of parameters in the scaled space (point estimate or one bootstrap draw)."""

    decay: np.ndarray  # (C,)
    logh: np.ndarray  # (C,) log half point, in units of the normal (mean) per-head spend
    shape: np.ndarray  # (C,)
    b: np.ndarray  # (C,) shared effect at normal spend, share of a region's mean leads
    d: np.ndarray  # (R, C) regional deviations
    base: np.ndarray  # (R, K) baseline coefficients, share of the region's mean leads

    @property
    def effects(self) -> np.ndarray:
        return self.b[None, :] + self.d

    def to_dict(self) -> dict:
        return {k: np.asarray(v, dtype=float).tolist() for k, v in vars(self).items()}


def _curves(x: np.ndarray, decay: np.ndarray, logh: np.ndarray, shape: np.ndarray, gradient: bool = False,
            carry_in: np.ndarray | None = None) -> dict:
    """f (R, T, C) and, with ``gradient``, its derivatives by decay, log h and shape."""
    r, t, c = x.shape
    stock = np.empty_like(x)
    dstock = np.empty_like(x) if gradient else None
    for j in range(c):
        zi = None if carry_in is None else (decay[j] * carry_in[:, j])[:, None]
        if zi is None:
            stock[:, :, j] = lfilter([1.0], [1.0, -decay[j]], x[:, :, j], axis=1)
        else:
            stock[:, :, j] = lfilter([1.0], [1.0, -decay[j]], x[:, :, j], axis=1, zi=zi)[0]
        if gradient:
            lagged = np.concatenate([np.zeros((r, 1)) if carry_in is None else carry_in[:, j:j + 1],
                                     stock[:, :-1, j]], axis=1)
            dstock[:, :, j] = lfilter([1.0], [1.0, -decay[j]], lagged, axis=1)
    n = stock * (1.0 - decay)
    positive = n > 0
    safe = np.where(positive, n, 1.0)
    log_n = np.where(positive, np.log(safe), 0.0)
    u = np.where(positive, np.exp(shape * log_n), 0.0)
    v = np.exp(shape * logh)
    f = u * (1.0 + v) / (u + v)
    out = {"f": f, "stock": stock}
    if gradient:
        denom = (u + v) ** 2
        df_du = (1.0 + v) * v / denom
        df_dv = u * (u - 1.0) / denom
        dn = dstock * (1.0 - decay) - stock
        out["ddecay"] = np.where(positive, df_du * shape * u / safe, 0.0) * dn
        out["dlogh"] = df_dv * shape * v
        out["dshape"] = df_du * u * log_n + df_dv * v * logh
    return out


@dataclass
class GeoProblem:
    """Scaled data of one fit: ``ys`` (R, T) leads / size, ``x`` (R, T, C) per-head spend / its mean."""

    ys: np.ndarray
    x: np.ndarray
    design: np.ndarray  # (R, T, K)
    sigma: float
    max_decay: float
    decay_prior: tuple[float, float]
    active: np.ndarray  # (C,) channels with spend
    tau: float = DEVIATION_SD
    # Experiments as (channel index, (R, T) leads per unit of f: size x region in the test x days covered, the
    # experiment): their lifts enter the fit through calibration_penalty (see calibration.py).
    calibration: tuple = ()

    def __post_init__(self) -> None:
        self.q = np.empty_like(self.design)
        self.rmat = np.empty((self.design.shape[0], self.design.shape[2], self.design.shape[2]))
        for r in range(self.design.shape[0]):
            self.q[r], self.rmat[r] = np.linalg.qr(self.design[r])
        self.my = self.ys - np.einsum("rtk,rk->rt", self.q, np.einsum("rtk,rt->rk", self.q, self.ys))

    @property
    def c(self) -> int:
        return self.x.shape[2]

    def bounds(self) -> list[tuple[float, float]]:
        c = self.c
        return ([(0.0, self.max_decay)] * c + [(math.log(HALF_RANGE[0]), math.log(HALF_RANGE[1]))] * c
                + [SHAPE_RANGE] * c)

    def linear(self, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Pooled effects for the curves ``f``: (b, d, residuals, effective degrees of freedom of the effects)."""
        c = self.c
        z = f - np.einsum("rtk,rkc->rtc", self.q, np.einsum("rtk,rtc->rkc", self.q, f))
        z[:, :, ~self.active] = 0.0
        a = np.einsum("rtc,rte->rce", z, z)
        cvec = np.einsum("rtc,rt->rc", z, self.my)
        lam = self.sigma ** 2 / self.tau ** 2
        eye = np.eye(c)
        s = np.linalg.inv(a + lam * eye)  # (R, C, C)
        h = lam * np.einsum("rce,ref->cf", s, a) + (self.sigma / EFFECT_PRIOR_SD) ** 2 * eye
        g = lam * np.einsum("rce,re->c", s, cvec)
        if self.calibration:
            # Each test's lift is affine in b once d is profiled out (d = S (c - A b)): its Gaussian prior is
            # one more quadratic term in b, so b stays the exact optimum of a non-negative least squares.
            sa = np.einsum("rce,ref->rcf", s, a)
            sc = np.einsum("rce,re->rc", s, cvec)
            for j, weight, experiment in self.calibration:
                w = np.einsum("rt,rt->r", weight, f[:, :, j])
                k = w.sum() * eye[j] - np.einsum("r,rf->f", w, sa[:, j, :])
                scale = self.sigma ** 2 / experiment.sd ** 2
                h = h + scale * np.outer(k, k)
                g = g + scale * k * (experiment.lift - float(w @ sc[:, j]))
        h = (h + h.T) / 2
        lower = np.linalg.cholesky(h)  # b >= 0: min b'Hb/2 - g'b as a non-negative least-squares problem
        b = nnls(lower.T, np.linalg.solve(lower, g))[0]
        b[~self.active] = 0.0
        d = np.einsum("rce,re->rc", s, cvec - np.einsum("rce,e->rc", a, b))
        d[:, ~self.active] = 0.0
        m = b[None, :] + d
        residuals = self.my - np.einsum("rtc,rc->rt", z, m)
        edf = float(np.einsum("rce,rec->", s, a))  # trace of the ridge's hat matrix, all regions
        return b, d, residuals, edf

    def prior(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        c = self.c
        decay, logh, shape = theta[:c], theta[c:2 * c], theta[2 * c:]
        mu, sd = self.decay_prior
        value = 0.5 * (np.sum(((decay - mu) / sd) ** 2) + np.sum((logh / HALF_PRIOR_SD) ** 2)
                       + np.sum((np.log(shape) / SHAPE_PRIOR_SD) ** 2))
        grad = np.concatenate([(decay - mu) / sd ** 2, logh / HALF_PRIOR_SD ** 2,
                               np.log(shape) / (shape * SHAPE_PRIOR_SD ** 2)])
        mask = np.tile(self.active, 3)
        return float(np.sum(value)), np.where(mask, grad, 0.0)

    def objective(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        c = self.c
        decay, logh, shape = theta[:c], theta[c:2 * c], theta[2 * c:]
        cv = _curves(self.x, decay, logh, shape, gradient=True)
        b, d, res, _ = self.linear(cv["f"])
        m = b[None, :] + d
        s2 = self.sigma ** 2
        lam = s2 / self.tau ** 2
        ridge_b = (self.sigma / EFFECT_PRIOR_SD) ** 2
        value = (np.sum(res ** 2) + lam * np.sum(d ** 2) + ridge_b * np.sum(b ** 2)) / (2 * s2)
        weighted = res[:, :, None] * m[:, None, :]  # envelope theorem: the linear part is at its optimum
        grad = -np.concatenate([np.einsum("rtc,rtc->c", weighted, cv[k]) for k in ("ddecay", "dlogh", "dshape")])
        grad /= s2
        if self.calibration:
            lifts = self.lifts(cv["f"], m)
            penalty = calibration_penalty(lifts, [e for _, _, e in self.calibration])
            value += penalty.value
            for (j, weight, _), slope in zip(self.calibration, penalty.gradient, strict=True):
                for i, key in enumerate(("ddecay", "dlogh", "dshape")):
                    grad[i * c + j] += slope * float(np.einsum("rt,rt,r->", weight, cv[key][:, :, j], m[:, j]))
        p_value, p_grad = self.prior(theta)
        return float(value + p_value), grad + p_grad

    def lifts(self, f: np.ndarray, m: np.ndarray) -> np.ndarray:
        """(E,) the model's lift, in leads, for each experiment of ``calibration``."""
        return np.array([float(np.einsum("rt,rt,r->", weight, f[:, :, j], m[:, j]))
                         for j, weight, _ in self.calibration])

    def solve(self, theta0: np.ndarray, maxiter: int = 300) -> tuple[np.ndarray, float]:
        lo, hi = np.array(self.bounds()).T
        done = minimize(self.objective, np.clip(theta0, lo, hi), jac=True, method="L-BFGS-B",
                        bounds=self.bounds(), options={"maxiter": maxiter, "ftol": 1e-10, "gtol": 1e-7})
        return done.x, float(done.fun)

    def params(self, theta: np.ndarray) -> GeoParams:
        c = self.c
        decay, logh, shape = theta[:c], theta[c:2 * c], theta[2 * c:]
        f = _curves(self.x, decay, logh, shape)["f"]
        b, d, _, _ = self.linear(f)
        m = b[None, :] + d
        rest = self.ys - np.einsum("rtc,rc->rt", f, m)
        base = np.stack([np.linalg.solve(self.rmat[r], self.q[r].T @ rest[r]) for r in range(len(rest))])
        return GeoParams(decay.copy(), logh.copy(), shape.copy(), b, d, base)

    def fitted(self, theta: np.ndarray) -> np.ndarray:
        p = self.params(theta)
        f = _curves(self.x, p.decay, p.logh, p.shape)["f"]
        return np.einsum("rtk,rk->rt", self.design, p.base) + np.einsum("rtc,rc->rt", f, p.effects)

    def at_bound(self, theta: np.ndarray) -> np.ndarray:
        """Per channel: the shape ends on a bound (carry-over 0 is a natural value, not counted)."""
        c = self.c
        lo, hi = np.array(self.bounds()).T
        hit = np.isclose(theta, hi, atol=1e-4) | (np.isclose(theta, lo, atol=1e-4) & (np.arange(3 * c) >= c))
        return hit.reshape(3, c).any(axis=0) & self.active


@dataclass
class GeoModel:
    """A fitted geo model: the data it saw, its parameters, draws and identification."""

    channels: list[str]
    regions: list[str]
    controls: list[str]
    periods: list[dt.date]
    frequency: str
    n_harmonics: int
    y: np.ndarray  # (R, T)
    spend: np.ndarray  # (R, T, C) EUR
    control_values: np.ndarray  # (R, T, J)
    control_mean: np.ndarray
    control_scale: np.ndarray
    size: np.ndarray  # (R,) mean target per period of each region
    unit_spend: np.ndarray  # (C,) mean spend per period per unit of size (xbar)
    params: GeoParams
    residual_sd: float  # of the scaled target
    draws: list[GeoParams] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # e.g. the other channel of a confounded pair
    stats: dict = field(default_factory=dict)
    experiments: list[Experiment] = field(default_factory=list)  # those the fit was calibrated on

    @property
    def identified(self) -> list[bool]:
        return [not r for r in self.reasons]

    def all_params(self) -> list[GeoParams]:
        return self.draws or [self.params]

    def scaled_spend(self, spend: np.ndarray) -> np.ndarray:
        return spend / (self.size[:, None, None] * self.unit_spend[None, None, :])

    def design(self, periods: list[dt.date], controls: np.ndarray | None) -> np.ndarray:
        r = len(self.regions)
        if controls is None or not self.controls:
            standard = np.zeros((r, len(periods), len(self.controls)))
            if self.controls:
                standard[:] = (self.control_values[:, -1:, :] - self.control_mean) / self.control_scale
        else:
            standard = (np.asarray(controls, dtype=float) - self.control_mean) / self.control_scale
        return np.stack([baseline_design(periods, self.periods[0], self.n_harmonics, standard[i]) for i in range(r)])

    def predict(self, spend: np.ndarray, periods: list[dt.date], controls: np.ndarray | None = None,
                params: GeoParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(total (R, T), contributions (R, T, C)) in leads for ``spend`` (R, T, C) from the first fitted period."""
        p = params or self.params
        f = _curves(self.scaled_spend(spend), p.decay, p.logh, p.shape)["f"]
        contributions = self.size[:, None, None] * f * p.effects[:, None, :]
        baseline = self.size[:, None] * np.einsum("rtk,rk->rt", self.design(periods, controls), p.base)
        return baseline + contributions.sum(axis=2), contributions

    def fitted(self, params: GeoParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        return self.predict(self.spend, self.periods, self.control_values, params)

    # --- national figures (sums of the regions) ---------------------------------------------------
    def contribution_shares(self, params: GeoParams | None = None) -> np.ndarray:
        total, contributions = self.fitted(params)
        return contributions.sum(axis=(0, 1)) / max(float(total.sum()), 1e-12)

    def average_cost(self, params: GeoParams | None = None) -> np.ndarray:
        contributed = self.fitted(params)[1].sum(axis=(0, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(contributed > 0, self.spend.sum(axis=(0, 1)) / contributed, math.inf)

    def recent_periods(self) -> int:
        return max(1, round(RECENT_MONTHS * DAYS_PER_MONTH / period_days(self.frequency)))

    def marginal_leads_per_eur(self, params: GeoParams | None = None) -> np.ndarray:
        """National leads per period from one more EUR per period, split across regions as the recent spend is.

        The level is each region's mean spend of the last six months (not the last six periods: six
        weeks of a flighted channel are often all off air); where a region or channel has no recent
        spend, its mean spend over the periods it was on air. At zero spend a Hill curve with a shape
        above 1 is flat, so the marginal cost there is infinite in theory and astronomically large
        in floating point (7.4e23 EUR was printed for a weekly national TV): a cost at a level the
        channel never runs at is not what a planner asks.
        """
        p = params or self.params
        recent = self.spend[:, -self.recent_periods():, :].mean(axis=1)  # (R, C)
        on = self.spend > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            on_level = np.where(on.any(axis=1), self.spend.sum(axis=1) / np.maximum(on.sum(axis=1), 1), 0.0)
        level = np.where(recent > 0, recent, on_level)
        weights = np.where(recent.sum(axis=0) > 0, recent, self.spend.sum(axis=1))
        weights = weights / np.maximum(weights.sum(axis=0, keepdims=True), 1e-300)
        x = level / (self.size[:, None] * self.unit_spend[None, :])  # steady n equals the per-head level
        h = np.exp(p.logh)
        hill_one = 1.0 / (1.0 + h ** p.shape)  # hill(1; h, k): f is the curve divided by it
        slope = hill_derivative(x, h[None, :], p.shape[None, :]) / hill_one[None, :]
        per_region = p.effects * slope / self.unit_spend[None, :]  # leads per EUR, region r
        return np.sum(weights * np.maximum(per_region, 0.0), axis=0)

    def marginal_cost(self, params: GeoParams | None = None) -> np.ndarray:
        leads = self.marginal_leads_per_eur(params)
        with np.errstate(divide="ignore"):
            return np.where(leads > 1e-12, 1.0 / np.maximum(leads, 1e-300), math.inf)

    def interval(self, figure, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        return percentile_interval([figure(p) for p in self.all_params()], level)

    def experiment_lift(self, experiment: Experiment, params: GeoParams | None = None) -> float:
        """The model's lift for ``experiment``: its channel's contribution in its regions and days, in leads."""
        (terms, _) = calibration_weights([experiment], self.channels, self.regions, self.periods, self.frequency,
                                         np.ones(len(self.regions)))
        if not terms:
            return math.nan
        j, weight, _ = terms[0]
        return float(np.sum(weight * self.fitted(params)[1][:, :, j]))

    def unattributed_share(self) -> float:
        """Share of the fitted leads that channels not identified bring (the model fits them, nobody should
        read them as a channel's)."""
        shares = self.contribution_shares()
        return float(sum(s for s, r in zip(shares, self.reasons, strict=True) if r))


# --- identification -----------------------------------------------------------------------------------


def _demeaned_per_head(spend: np.ndarray, size: np.ndarray) -> np.ndarray:
    """(R*T, C): per-head spend with each region's mean removed (what the pooled fit sees vary)."""
    per_head = spend / size[:, None, None]
    return (per_head - per_head.mean(axis=1, keepdims=True)).reshape(-1, spend.shape[2])


def confounding(spend: np.ndarray, size: np.ndarray, season: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per channel: multiple correlation of its per-head spend with ``season`` (T, S: trend and Fourier terms),
    and the largest |correlation| with another channel and which one (-1 if none)."""
    r, t, c = spend.shape
    x = _demeaned_per_head(spend, size)
    s = np.tile(season - season.mean(axis=0), (r, 1))
    with_season = np.zeros(c)
    for j in range(c):
        if np.ptp(x[:, j]) > 0:
            coef, *_ = np.linalg.lstsq(s, x[:, j], rcond=None)
            fitted = s @ coef
            with_season[j] = math.sqrt(max(0.0, float(fitted @ fitted) / float(x[:, j] @ x[:, j])))
    sd = x.std(axis=0)
    corr = np.zeros((c, c))
    ok = sd > 0
    corr[np.ix_(ok, ok)] = np.corrcoef(x[:, ok].T)
    np.fill_diagonal(corr, 0.0)
    other = np.where(np.abs(corr).max(axis=1) > 0, np.abs(corr).argmax(axis=1), -1)
    return with_season, np.abs(corr).max(axis=1), other


def identify(model: GeoModel, bound_point: np.ndarray, bound_draws: np.ndarray) -> None:
    """Fill ``model.reasons`` and ``details`` (see the module's docstring): the first reason that applies."""
    r, t, c = model.spend.shape
    national = model.spend.sum(axis=0)
    days = np.array([(p - model.periods[0]).days for p in model.periods], dtype=float)
    season = baseline_design(model.periods, model.periods[0], model.n_harmonics)[:, 1:]
    season[:, 0] = days / 365.25
    with_season, with_other, other = confounding(model.spend, model.size, season)
    per_head = model.spend / model.size[:, None, None]
    ac_lo, ac_hi = model.interval(model.average_cost) if model.draws else (None, None)
    reasons, details = [], []
    for j in range(c):
        column = national[:, j]
        cv = float(per_head[:, :, j].std() / per_head[:, :, j].mean()) if column.sum() > 0 else 0.0
        detail = ""
        if column.sum() <= 0:
            reason = "no_spend"
        elif int((column > 0).sum()) < MIN_PERIODS:
            reason = "few_periods"
        elif cv < MIN_SPEND_CV:
            reason = "constant_spend"
        elif with_season[j] > CONFOUNDED_CORR:
            reason, detail = "confounded_season", f"correlation {with_season[j]:.2f}"
        elif with_other[j] > CONFOUNDED_CORR:
            reason, detail = "confounded_channel", f"{model.channels[other[j]]}, correlation {with_other[j]:.2f}"
        elif model.params.b[j] <= 0:
            reason = "no_effect"
        elif bound_point[j] or bound_draws[j] > BOUND_DRAW_SHARE:
            reason, detail = "at_bound", f"{bound_draws[j]:.0%} of draws"
        elif ac_lo is not None and not (np.isfinite(ac_hi[j]) and ac_lo[j] > 0
                                        and ac_hi[j] / ac_lo[j] <= MAX_COST_RATIO):
            reason = "uncertain"
        else:
            reason = ""
        reasons.append(reason)
        details.append(detail)
    model.reasons, model.details = reasons, details
    model.stats["season_correlation"] = with_season.tolist()
    model.stats["channel_correlation"] = with_other.tolist()


# --- the fit --------------------------------------------------------------------------------------------


def _draw_chunk(task: tuple) -> list[tuple[np.ndarray, bool]]:
    problem, theta, fitted, residuals, block, seed, indices = task
    out = []
    with one_thread():
        for i in indices:
            rng = np.random.default_rng([seed, i])
            pick = _block_indices(rng, fitted.shape[1], block)
            tests = drawn([e for _, _, e in problem.calibration], rng)
            sample = GeoProblem(fitted + residuals[:, pick], problem.x, problem.design, problem.sigma,
                                problem.max_decay, problem.decay_prior, problem.active, problem.tau,
                                tuple((j, w, e) for (j, w, _), e in zip(problem.calibration, tests, strict=True)))
            c = problem.c
            start = theta + DRAW_JITTER * rng.standard_normal(3 * c) * np.repeat([0.15, 0.5, 0.3], c)
            th, _ = sample.solve(start, maxiter=150)
            out.append((sample.params(th), sample.at_bound(th)))
    return out


def resampled_residuals(residuals: np.ndarray, dof: float, k: int, channels: int) -> np.ndarray:
    """The residuals (R, T) the bootstrap resamples: centred per region, split into the part common to all
    regions (their mean per period) and each region's own part, each rescaled by its own degrees of freedom.

    The common part is one series of ``T`` values from which the fit has already taken, in every region alike,
    the ``k`` baseline columns (level, trend, season, controls: the same design everywhere) and the channels'
    shape and shared effects (``4`` per channel, which a channel bought nationally and split by population can
    only learn from time): its variance is ``T / (T - k - 4 C)`` times larger than it looks. Rescaling the whole
    panel by the panel's ``n / (n - p)`` (``R T`` observations) left it almost as small as the fitted residuals,
    and the intervals of nationally bought channels too narrow (67 % coverage of national TV at 80 %)."""
    rn, t = residuals.shape
    centred = residuals - residuals.mean(axis=1, keepdims=True)
    common = centred.mean(axis=0, keepdims=True)
    own = centred - common
    common_dof = max(t - k - 4 * channels, 1.0)
    return own * math.sqrt(rn * t / dof) + common * math.sqrt(t / common_dof)


def fit_geo(y, spend, periods, channels, regions, controls=None, control_names=(), frequency: str | None = None,
            n_boot: int = 100, seed: int = 0, n_jobs: int = 1, n_harmonics: int | None = None,
            size: np.ndarray | None = None, tau: float = DEVIATION_SD,
            experiments: list[Experiment] | None = None) -> GeoModel:
    """Fit ``y`` (R, T) to ``spend`` (R, T, C, EUR per region) over ``periods``; ``controls`` (R, T, J) raw.

    ``size`` (R,) defaults to each region's mean target; ``n_boot`` = 0 skips the bootstrap.
    ``experiments``: lift tests the fit is calibrated on (those of a channel, region or period the data
    does not have are left aside and listed in ``stats["experiments_left_aside"]``).
    """
    from forecasting.planning.fit import infer_frequency

    clock = time.perf_counter()
    periods = [p if isinstance(p, dt.date) and not isinstance(p, dt.datetime) else p.date() for p in periods]
    y = np.asarray(y, dtype=float)
    spend = np.asarray(spend, dtype=float)
    rn, t = y.shape
    channels, regions, names = list(channels), list(regions), list(control_names)
    if spend.shape != (rn, t, len(channels)):
        raise ValueError(f"spend of shape {spend.shape}, expected {(rn, t, len(channels))}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(spend))) or np.any(spend < 0):
        raise ValueError("the target must be finite and spend finite and not negative")
    frequency = frequency or infer_frequency(periods)
    n_harmonics = DEFAULT_HARMONICS[frequency] if n_harmonics is None else int(n_harmonics)
    raw = np.zeros((rn, t, 0)) if controls is None else np.asarray(controls, dtype=float).reshape(rn, t, len(names))
    c_mean = raw.reshape(-1, len(names)).mean(axis=0) if names else np.zeros(0)
    c_scale = raw.reshape(-1, len(names)).std(axis=0) if names else np.zeros(0)
    c_scale = np.where(c_scale > 0, c_scale, 1.0)
    size = np.maximum(np.abs(y).mean(axis=1), 1e-9) if size is None else np.asarray(size, dtype=float)
    per_head = spend / size[:, None, None]
    unit = per_head.mean(axis=(0, 1))
    active = unit > 0
    unit = np.where(active, unit, 1.0)
    x = per_head / unit
    design = np.stack([baseline_design(periods, periods[0], n_harmonics, (raw[i] - c_mean) / c_scale)
                       for i in range(rn)])
    ys = y / size[:, None]
    mu_d = per_period_decay(DECAY_PRIOR[0], frequency)
    sd_d = DECAY_PRIOR[1] * (1.0 if frequency == "month" else 0.7)
    max_decay = MAX_DECAY[frequency]
    c = len(channels)
    with one_thread():
        # a first noise level: the baselines and each channel's spend as is (linear)
        lin = np.concatenate([design, x], axis=2)
        res0 = np.concatenate([ys[i] - lin[i] @ np.linalg.lstsq(lin[i], ys[i], rcond=None)[0] for i in range(rn)])
        sigma0 = max(float(np.sqrt(np.sum(res0 ** 2) / max(rn * (t - lin.shape[2]), 1))), 1e-4)
        calibration, aside = calibration_weights(experiments or [], channels, regions, periods, frequency, size)
        problem = GeoProblem(ys, x, design, sigma0, max_decay, (mu_d, sd_d), active, tau, calibration)
        starts = []
        for monthly in START_DECAYS:
            theta0 = np.concatenate([np.full(c, min(per_period_decay(monthly, frequency), max_decay)), np.zeros(c),
                                     np.ones(c)])
            starts.append(problem.solve(theta0))
        theta = min(starts, key=lambda s: s[1])[0]
        f = _curves(x, theta[:c], theta[c:2 * c], theta[2 * c:])["f"]
        _, _, res, edf = problem.linear(f)
        n_params = rn * design.shape[2] + edf + 4 * int(active.sum())
        dof = max(rn * t - n_params, 1.0)
        problem.sigma = max(float(np.sqrt(np.sum(res ** 2) / dof)), 1e-5)
        theta, _ = problem.solve(theta)
        fitted = problem.fitted(theta)
        residuals = ys - fitted
        point_s = time.perf_counter() - clock

        block = max(1, round(BLOCK_MONTHS * DAYS_PER_MONTH / period_days(frequency)))
        centred = resampled_residuals(residuals, dof, design.shape[2], int(active.sum()))
        clock_boot = time.perf_counter()
        draws: list[tuple[GeoParams, np.ndarray]] = []
        if n_boot > 0:
            jobs = max(1, min(n_jobs or os.cpu_count() or 1, n_boot))
            chunks = [list(range(i, n_boot, jobs)) for i in range(jobs)]
            tasks = [(problem, theta, fitted, centred, block, seed, chunk) for chunk in chunks if chunk]
            for chunk in parallel_map(_draw_chunk, tasks, jobs):
                draws.extend(chunk)
        boot_s = time.perf_counter() - clock_boot

    model = GeoModel(channels, regions, names, periods, frequency, n_harmonics, y, spend, raw, c_mean, c_scale, size,
                     unit, problem.params(theta), float(np.sqrt(np.sum(residuals ** 2) / dof)),
                     draws=[d for d, _ in draws], experiments=[e for _, _, e in calibration])
    bound_draws = np.mean([b for _, b in draws], axis=0) if draws else np.zeros(c)
    identify(model, problem.at_bound(theta), bound_draws)
    total, _ = model.fitted()
    model.stats.update({
        "r2_region": r2_score(y.ravel(), total.ravel()), "mape_region": mape(y.ravel(), total.ravel()),
        "r2": r2_score(y.sum(axis=0), total.sum(axis=0)), "mape": mape(y.sum(axis=0), total.sum(axis=0)),
        "n_obs": rn * t, "n_boot": len(draws), "seed": seed, "parameters": n_params, "block": block,
        "deviation_sd": tau, "at_bound_point": problem.at_bound(theta).tolist(), "at_bound_draws": bound_draws.tolist(),
        "interval": "moving-block bootstrap in time (same blocks for every region; common and regional residuals "
                    "rescaled by their own degrees of freedom), shape re-estimated, percentile",
        "start_costs": [float(s[1]) for s in starts], "seconds_point": point_s, "seconds_bootstrap": boot_s,
        "seconds": time.perf_counter() - clock, "experiments_left_aside": [e.label or e.channel for e in aside],
    })
    return model


def calibration_weights(experiments: list[Experiment], channels: list[str], regions: list[str], periods: list[dt.date],
                        frequency: str, size: np.ndarray) -> tuple[tuple, list[Experiment]]:
    """(calibration terms of :class:`GeoProblem`, experiments left aside): each test's (R, T) weights are the
    region's size where the test ran, times the share of each period's days it covered."""
    terms, aside = [], []
    for experiment in experiments:
        days = period_weights(experiment, periods, frequency)
        inside = np.array([experiment.regions is None or r in experiment.regions for r in regions], dtype=float)
        if experiment.channel not in channels or not inside.any() or not days.any():
            aside.append(experiment)
            continue
        terms.append((channels.index(experiment.channel), (size * inside)[:, None] * days[None, :], experiment))
    return tuple(terms), aside


# --- holdout ---------------------------------------------------------------------------------------------


@dataclass
class GeoHoldout:
    """Accuracy on the last dates of every region, the model fitted on the dates before."""

    n_train: int
    n_test: int
    actual: np.ndarray  # (R, n_test)
    predicted: np.ndarray  # (R, n_test)
    model: GeoModel

    @property
    def region_mape(self) -> float:
        return mape(self.actual.ravel(), self.predicted.ravel())

    @property
    def region_r2(self) -> float:
        return r2_score(self.actual.ravel(), self.predicted.ravel())

    @property
    def national_mape(self) -> float:
        return mape(self.actual.sum(axis=0), self.predicted.sum(axis=0))

    @property
    def national_r2(self) -> float:
        return r2_score(self.actual.sum(axis=0), self.predicted.sum(axis=0))


def geo_holdout(y, spend, periods, channels, regions, controls=None, control_names=(), frequency=None,
                holdout: float = 0.2, seed: int = 0, n_harmonics: int | None = None) -> GeoHoldout:
    """Fit on the first ``1 - holdout`` of the dates, predict the rest given their actual spend and controls
    (the carry-over of earlier spend included: the prediction runs through the whole history)."""
    y = np.asarray(y, dtype=float)
    t = y.shape[1]
    n_test = int(round(t * holdout)) if holdout < 1 else int(holdout)
    if not 1 <= n_test <= t - 12:
        raise ValueError(f"holdout of {n_test} periods out of {t}: keep at least 12 to fit and 1 to test")
    cut = t - n_test
    spend = np.asarray(spend, dtype=float)
    raw = None if controls is None else np.asarray(controls, dtype=float)
    model = fit_geo(y[:, :cut], spend[:, :cut], periods[:cut], channels, regions,
                    None if raw is None else raw[:, :cut], control_names, frequency, n_boot=0, seed=seed,
                    n_harmonics=n_harmonics)
    total, _ = model.predict(spend, list(periods), raw)
    return GeoHoldout(cut, n_test, y[:, cut:], total[:, cut:], model)
