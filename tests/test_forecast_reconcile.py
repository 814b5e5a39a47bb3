"""MinT reconciliation with shrinkage: parts sum exactly to their totals and nothing is negative."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.reconcile import (
    build_hierarchy,
    mint_bottom,
    reconcile,
    reconcile_backtest,
    residual_matrix,
    shrinkage_covariance,
)
from forecasting.selection import SeriesInput, forecast_many
from forecasting.training import reconciled_intervals

CHANNELS = ["search", "social", "display"]
REGIONS = ["north", "south", "east", "west"]


@pytest.fixture
def hierarchy():
    return build_hierarchy([(c, r) for c in CHANNELS for r in REGIONS])


def _incoherent(h, rng, horizon=6, noise=5.0):
    bottom = rng.gamma(3.0, 20.0, size=(len(h.bottom), horizon))
    base = h.S @ bottom + rng.normal(0, noise, size=(len(h.nodes), horizon))
    residuals = rng.normal(0, 1, size=(len(h.nodes), 36)) * np.sqrt(h.S.sum(axis=1))[:, None]
    return base, residuals


def _assert_coherent(h, out):
    bottom = out[-len(h.bottom):]
    assert np.allclose(out, h.S @ bottom, rtol=0, atol=1e-9)
    total = out[h.index((None, None))]
    assert np.allclose(total, bottom.sum(axis=0), rtol=0, atol=1e-9)
    for c in CHANNELS:
        parts = [out[h.index((c, r))] for r in REGIONS]
        assert np.allclose(out[h.index((c, None))], np.sum(parts, axis=0), rtol=0, atol=1e-9)


def test_summing_matrix_total_channel_channel_x_region(hierarchy):
    h = hierarchy
    assert h.nodes[0] == (None, None) and h.S[0].sum() == 12
    assert [n for n in h.nodes if n[1] is None and n[0] is not None] == [(c, None) for c in CHANNELS]
    assert h.S.shape == (1 + 3 + 12, 12)
    by_region = build_hierarchy(h.bottom, levels=[(), (1,)])
    assert [n for n in by_region.nodes[1:5]] == [(None, r) for r in REGIONS]
    with pytest.raises(ValueError, match="duplicate"):
        build_hierarchy([("a", "n"), ("a", "n")])


def test_reconciled_forecasts_sum_exactly_and_are_not_negative(hierarchy):
    rng = np.random.default_rng(0)
    for _ in range(20):
        base, residuals = _incoherent(hierarchy, rng)
        out = reconcile(base, hierarchy.S, residuals)
        _assert_coherent(hierarchy, out)
        assert out.min() >= 0


def test_negative_bottoms_are_clipped_and_coherence_restored(hierarchy):
    rng = np.random.default_rng(1)
    base, residuals = _incoherent(hierarchy, rng)
    base[-len(hierarchy.bottom):-6] = -40.0  # half the channel x region forecasts negative
    raw = hierarchy.S @ mint_bottom(base, hierarchy.S, shrinkage_covariance(residuals)[0])
    assert raw.min() < 0
    out = reconcile(base, hierarchy.S, residuals)
    assert out.min() >= 0
    _assert_coherent(hierarchy, out)


def test_coherent_forecasts_are_left_unchanged(hierarchy):
    rng = np.random.default_rng(2)
    coherent = hierarchy.S @ rng.gamma(3.0, 20.0, size=(12, 4))
    _, residuals = _incoherent(hierarchy, rng)
    np.testing.assert_allclose(reconcile(coherent, hierarchy.S, residuals), coherent, rtol=1e-9)


def test_total_by_region_hierarchy_and_one_dimensional_input():
    h = build_hierarchy([("r1",), ("r2",), ("r3",)])
    assert h.nodes == [(None,), ("r1",), ("r2",), ("r3",)]
    out = reconcile(np.array([100.0, 30.0, 30.0, 30.0]), h.S)
    assert out[0] == pytest.approx(out[1:].sum(), abs=1e-9)
    assert out[1:] == pytest.approx([32.5, 32.5, 32.5])  # OLS: the 10 missing are shared equally (identity W)


def test_shrinkage_intensity():
    rng = np.random.default_rng(3)
    independent = rng.normal(size=(5, 200))
    _, lam = shrinkage_covariance(independent)
    assert lam > 0.5  # no true correlation: shrink hard towards the diagonal
    common = rng.normal(size=200)
    correlated = common + 0.1 * rng.normal(size=(5, 200))
    W, lam = shrinkage_covariance(correlated)
    assert lam < 0.1 and np.all(np.linalg.eigvalsh(W) > 0)


def test_mint_uses_the_covariance():
    """A noisy total and precise parts: MinT trusts the parts, OLS would not."""
    h = build_hierarchy([("a",), ("b",)])
    rng = np.random.default_rng(4)
    residuals = np.vstack([rng.normal(0, 50, 100), rng.normal(0, 1, 100), rng.normal(0, 1, 100)])
    out = reconcile(np.array([150.0, 40.0, 60.0]), h.S, residuals)
    assert out[1] == pytest.approx(40.0, abs=0.5) and out[2] == pytest.approx(60.0, abs=0.5)
    with pytest.raises(ValueError, match="nodes"):
        reconcile(np.ones(2), h.S)


def test_end_to_end_from_series_forecasts():
    """Forecast every node of total > channel > channel x region, reconcile on the backtest residuals."""
    rng = np.random.default_rng(5)
    h = build_hierarchy([(c, r) for c in ("search", "social") for r in ("north", "south")])
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(48) / 12)
    bottom = np.vstack([rng.poisson(lam * season).astype(float) for lam in (40, 25, 15, 5)])
    series = h.S @ bottom
    results = forecast_many([SeriesInput(node, y) for node, y in zip(h.nodes, series, strict=True)], 6, n_jobs=1,
                            candidates=("seasonal_naive", "ets", "regression"))
    base = np.vstack([r.yhat for r in results])
    residuals = residual_matrix([r.one_step_errors for r in results], [r.backtest_origins for r in results])
    assert residuals.shape == (len(h.nodes), len(results[0].backtest_origins))
    out = reconcile(base, h.S, residuals)
    assert np.allclose(out, h.S @ out[-4:], rtol=0, atol=1e-9) and out.min() >= 0
    assert np.all(np.abs(out[0] - base[0]) < 0.25 * base[0])  # the total moves, but not far


def test_backtest_cells_are_reconciled_one_by_one_and_cut_windows_stay_empty(hierarchy):
    rng = np.random.default_rng(3)
    h = hierarchy
    forecasts = np.stack([h.S @ rng.gamma(3.0, 20.0, size=len(h.bottom)) for _ in range(5 * 6)], axis=1)
    forecasts = forecasts.reshape(len(h.nodes), 5, 6) + rng.normal(0, 5, (len(h.nodes), 5, 6))
    forecasts[:, 4, 1:] = np.nan  # the last origin's window passes the end of the data
    forecasts[3, 0, 0] = np.nan  # one node lacks a cell: that cell is left out for every node
    out = reconcile_backtest(forecasts, h.S)
    assert np.isnan(out[:, 4, 1:]).all() and np.isnan(out[:, 0, 0]).all()
    usable = ~np.isnan(out[0])
    assert usable.sum() == 5 * 6 - 5 - 1
    cells = out[:, usable]
    assert np.allclose(cells, h.S @ cells[-len(h.bottom):], rtol=0, atol=1e-9) and cells.min() >= 0
    assert np.allclose(out[:, 2, 3], reconcile(forecasts[:, 2, 3], h.S))


def _short_hierarchy_draw(rng, h, n):
    """Bottom series with a season, their own noise and a shock shared by all (what makes totals hard)."""
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(n) / 12)
    common = np.cumsum(rng.normal(0, 0.03, n))
    levels = np.array([40.0, 25.0, 15.0, 8.0])[:, None]
    bottom = rng.poisson(levels * season * np.exp(common)).astype(float)
    return h.S @ bottom


def test_reconciled_intervals_keep_their_coverage_on_short_series():
    """30 months of history (6 backtest origins), the next 6 months held out, 40 draws of the hierarchy.

    The case the demo showed: intervals of short series calibrated on the winner's own errors, then
    moved by the reconciliation, covered 65% / 77% instead of 80% / 95%.
    """
    h = build_hierarchy([(c, r) for c in ("search", "social") for r in ("north", "south")])
    rng = np.random.default_rng(11)
    hits = {0.8: [], 0.95: []}
    for _ in range(40):
        series = _short_hierarchy_draw(rng, h, 36)
        past, future = series[:, :30], series[:, 30:]
        results = forecast_many([SeriesInput(node, y) for node, y in zip(h.nodes, past, strict=True)], 6, n_jobs=1,
                                candidates=("seasonal_naive", "ets", "regression"))
        base = np.vstack([r.yhat for r in results])
        residuals = residual_matrix([r.one_step_errors for r in results], [r.backtest_origins for r in results])
        reconciled = reconcile(base, h.S, residuals)
        bands, coverage = reconciled_intervals(results, reconciled, h.S, residuals, 6)
        assert len(coverage) == len(h.nodes) and all(0 <= c[0.8] <= c[0.95] <= 1 for c in coverage)
        for level, (lo, hi) in bands.items():
            assert np.all(lo <= reconciled) and np.all(reconciled <= hi) and lo.min() >= 0
            hits[level].extend(((future >= lo) & (future <= hi)).ravel())
    assert np.mean(hits[0.8]) == pytest.approx(0.8, abs=0.05)
    assert np.mean(hits[0.95]) >= 0.90
