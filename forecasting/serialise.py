"""JSON-safe values for the registry's JSON columns and the benchmarks' outputs."""

from __future__ import annotations

import math

import numpy as np


def json_safe(value):
    """numpy to Python, tuples to lists, non-finite floats to ``None`` (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
