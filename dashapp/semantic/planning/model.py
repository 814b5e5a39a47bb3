"""What the champion response model of a scope says: per channel its share of the leads, average and
marginal cost per incremental lead (80 % intervals over the bootstrap draws), whether the data identify it
and why not; the history decomposed into baseline and channels; the response curves; which model it is and
its fit. Read-only, for every role of the page; cached per run and scope (a run never changes).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..cache import scoped_cache
from .access import LEVELS, model_for, run_models

CURVE_POINTS = 41


def _bounds(model, figure) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = model.interval(figure, LEVELS[0])
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def finite_or_none(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


@scoped_cache
def _channel_table(run_id: int, scope: str) -> list[dict]:
    model = run_models(run_id)[scope]
    share = model.contribution_shares()
    share_lo, share_hi = _bounds(model, lambda p: model.contribution_shares(p))
    average = model.average_cost()
    average_lo, average_hi = _bounds(model, lambda p: model.average_cost(params=p))
    marginal = model.marginal_cost()
    marginal_lo, marginal_hi = _bounds(model, lambda p: model.marginal_cost(params=p))
    low, high = model.spend_range()
    recent = model.recent_spend()
    rows = []
    for i, channel in enumerate(model.channels):
        rows.append({
            "channel": channel, "identified": bool(model.identified[i]), "reason": model.reasons[i] or "",
            "detail": (model.stats.get("details") or [""] * len(model.channels))[i] or "",
            "share": finite_or_none(share[i]), "share_lo": finite_or_none(share_lo[i]),
            "share_hi": finite_or_none(share_hi[i]),
            "average_cost": finite_or_none(average[i]), "average_cost_lo": finite_or_none(average_lo[i]),
            "average_cost_hi": finite_or_none(average_hi[i]),
            "marginal_cost": finite_or_none(marginal[i]), "marginal_cost_lo": finite_or_none(marginal_lo[i]),
            "marginal_cost_hi": finite_or_none(marginal_hi[i]),
            "spend_min": float(low[i]), "spend_max": float(high[i]), "recent_spend": float(recent[i]),
            "spend_total": float(model.spend[:, i].sum()),
        })
    return rows


def channel_table(scope) -> list[dict]:
    """Per channel: contribution share, average and marginal cost per incremental qualified lead (each
    with its 80% interval over the bootstrap draws; None where infinite), whether the data identify
    it and why not, and its historical spend per period (min, max, recent mean)."""
    run, _model = model_for(scope)
    return _channel_table(run["id"], scope)


def spend_ranges(scope) -> dict[str, tuple[float, float]]:
    """Per channel, its historical monthly spend (min, max): a plan's cell outside it is extrapolation."""
    return {r["channel"]: (r["spend_min"], r["spend_max"]) for r in channel_table(scope)}


@scoped_cache
def _contributions(run_id: int, scope: str) -> pd.DataFrame:
    model = run_models(run_id)[scope]
    fitted = model.fitted()
    frame = pd.DataFrame(fitted.contributions, columns=list(model.channels))
    frame.insert(0, "baseline", fitted.baseline)
    frame.insert(0, "period", list(model.periods))
    frame["fitted"] = fitted.total
    frame["actual"] = np.asarray(model.y, dtype=float)
    return frame


def contributions(scope) -> pd.DataFrame:
    """The history decomposed: ``period, baseline, <channel>..., fitted, actual``; baseline plus the
    channels' contributions is the fitted value of each period."""
    run, _model = model_for(scope)
    return _contributions(run["id"], scope)


@scoped_cache
def _curves(run_id: int, scope: str) -> dict[str, dict]:
    model = run_models(run_id)[scope]
    low, high = model.spend_range()
    recent = model.recent_spend()
    out = {}
    for i, channel in enumerate(model.channels):
        top = max(float(high[i]) * 1.5, float(recent[i]) * 2.0, 1.0)
        grid = np.linspace(0.0, top, CURVE_POINTS)
        lo, hi = model.interval(lambda p, c=channel, g=grid: model.response_curve(c, g, p), LEVELS[0])
        current = float(recent[i])
        out[channel] = {"spend": grid.tolist(), "leads": model.response_curve(channel, grid).tolist(),
                        "lo": np.asarray(lo, dtype=float).tolist(), "hi": np.asarray(hi, dtype=float).tolist(),
                        "spend_min": float(low[i]), "spend_max": float(high[i]), "current_spend": current,
                        "current_leads": float(model.response_curve(channel, np.array([current]))[0]),
                        "identified": bool(model.identified[i])}
    return out


def response_curves(scope) -> dict[str, dict]:
    """Per channel: leads per period that a steady spend brings (``spend``, ``leads``), the 80% band over
    the draws (``lo``, ``hi``), the historical spend range and the current (recent mean) spend point."""
    run, _model = model_for(scope)
    return _curves(run["id"], scope)


def model_summary(scope) -> dict:
    """Which media model the champion is (``"geo"``: the pooled model over every region, whose national
    figures are the regions' sum; ``"national"``: one model per scope), how many regions it pools, and the
    share of the scope's fitted leads that channels the data do not identify bring (``unattributed``), and the
    grain it was fitted on (a geo model fits weeks of daily facts, then reads as monthly models)."""
    _run, model = model_for(scope)
    stats = dict(model.stats)
    shares = model.contribution_shares()
    unattributed = float(sum(max(float(s), 0.0) for s, ok in zip(shares, model.identified, strict=True) if not ok))
    return {"model": stats.get("model") or "national", "regions": len(stats.get("regions") or []),
            "unattributed": unattributed, "fitted_on": stats.get("fitted_on") or model.frequency,
            "fitted_periods": stats.get("fitted_periods") or len(model.periods)}


def model_stats(scope) -> dict:
    """The model's fit figures (R², MAPE, hold-out...) as the fit stored them, plus its history span."""
    _run, model = model_for(scope)
    return {**dict(model.stats), "first": model.periods[0], "last": model.periods[-1],
            "frequency": model.frequency}
