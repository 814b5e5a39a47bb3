"""Carry-over and saturation, the two shapes of a media response.

``adstock_t = spend_t + decay * adstock_{t-1}`` (geometric carry-over; ``decay`` per period) and
``hill(a) = a**shape / (a**shape + half**shape)`` (0 at no spend, 1/2 at ``half``, 1 at
saturation). A channel's leads per period are ``beta * hill(adstock)``: ``beta`` is the most the
channel can bring per period. Functions work on the last axis so that a whole bootstrap
(draws x channels x periods) is computed at once.
"""

from __future__ import annotations

import numpy as np


def adstock(spend: np.ndarray, decay: np.ndarray | float, carry_in: np.ndarray | float = 0.0) -> np.ndarray:
    """Geometric carry-over along the last axis, starting from ``carry_in`` (the adstock before the first period)."""
    spend = np.asarray(spend, dtype=float)
    decay = np.asarray(decay, dtype=float)
    out = np.empty_like(spend)
    carried = np.broadcast_to(np.asarray(carry_in, dtype=float), spend.shape[:-1]).astype(float)
    for t in range(spend.shape[-1]):
        carried = spend[..., t] + decay * carried
        out[..., t] = carried
    return out


def hill(a: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """Saturation in [0, 1): ``a**shape / (a**shape + half**shape)``; 0 where ``a <= 0``."""
    a = np.maximum(np.asarray(a, dtype=float), 0.0)
    half = np.asarray(half, dtype=float)
    shape = np.asarray(shape, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(a > 0, (half / np.where(a > 0, a, 1.0)) ** shape, np.inf)
    return 1.0 / (1.0 + ratio)


def hill_derivative(a: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """d hill / d a (per EUR of adstock)."""
    a = np.maximum(np.asarray(a, dtype=float), 1e-12)
    h = hill(a, half, shape)
    return np.asarray(shape, dtype=float) * h * (1.0 - h) / a


def steady_adstock(spend_per_period: np.ndarray | float, decay: np.ndarray | float) -> np.ndarray:
    """The adstock that a constant spend settles at: ``spend / (1 - decay)``."""
    return np.asarray(spend_per_period, dtype=float) / (1.0 - np.asarray(decay, dtype=float))
