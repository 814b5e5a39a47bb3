"""The geo bootstrap's residuals: the part common to every region is rescaled by its own degrees of freedom
(one series of T periods from which the fit took the shared baseline and the channels' curves), each region's
own part by the panel's; a shock common to all regions therefore widens the intervals more than the same
amount of regional noise, which averages out over the regions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecasting.planning.geo import resampled_residuals


def test_a_common_shock_is_rescaled_by_the_periods_left_after_the_shared_fit():
    rng = np.random.default_rng(0)
    regions, periods, k, channels = 13, 60, 8, 6
    dof = regions * periods - (regions * k + 4 * channels)
    common = np.tile(rng.standard_normal(periods), (regions, 1))
    out = resampled_residuals(common, dof, k, channels)
    centred = common - common.mean(axis=1, keepdims=True)
    assert out == pytest.approx(centred * math.sqrt(periods / (periods - k - 4 * channels)))
    own = rng.standard_normal((regions, periods))
    own -= own.mean(axis=0, keepdims=True)  # nothing common
    out = resampled_residuals(own, dof, k, channels)
    assert out == pytest.approx((own - own.mean(axis=1, keepdims=True)) * math.sqrt(regions * periods / dof))


def test_the_common_part_is_inflated_more_than_the_regions_own_and_nothing_is_lost():
    rng = np.random.default_rng(1)
    residuals = rng.standard_normal((13, 60)) + rng.standard_normal(60)[None, :]
    dof = 13 * 60 - 150.0
    out = resampled_residuals(residuals, dof, 8, 6)
    assert np.allclose(out.mean(axis=1), 0.0)  # centred per region
    common_in = (residuals - residuals.mean(axis=1, keepdims=True)).mean(axis=0)
    common_out = out.mean(axis=0)
    own_in = residuals - residuals.mean(axis=1, keepdims=True) - common_in
    own_out = out - common_out
    assert np.std(common_out) / np.std(common_in) > np.std(own_out) / np.std(own_in) > 1.0
    # with too few periods for the shared fit, the common part is not blown up to infinity
    assert np.all(np.isfinite(resampled_residuals(residuals[:, :20], 13 * 20 - 100.0, 8, 6)))
