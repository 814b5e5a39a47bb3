"""The channel x region x month optimiser: within each cell's history unless widened, the budget conserved,
explicit widenings honoured and reported, binding constraints grouped by channel, and close to SLSQP run on
every cell (what the greedy start and the near-active polish save time against)."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.planning import optimise as opt
from forecasting.planning.optimise import Infeasible, geo_media_leads, optimise_geo
from tests.test_planning_scenario import make_model

MONTHS = 6


def regions(n_regions: int, n_channels: int, seed: int, shape_high: float = 2.5) -> dict:
    """Regions of different sizes, each with its own response curves (some S-shaped) and spend history."""
    rng = np.random.default_rng(seed)
    out = {}
    for r in range(n_regions):
        size = rng.uniform(0.3, 2.0)
        out[f"R{r:02d}"] = make_model(decay=rng.uniform(0.0, 0.6, n_channels),
                                      half=rng.uniform(4000, 20000, n_channels) * size,
                                      shape=rng.uniform(0.7, shape_high, n_channels),
                                      beta=rng.uniform(20, 150, n_channels) * size, n_periods=30, n_draws=2,
                                      seed=seed * 100 + r)
    return out


def history_range(models: dict) -> tuple[np.ndarray, np.ndarray]:
    """(R, C) historical monthly min and max, straight from each model's spend history."""
    return (np.array([m.spend.min(axis=0) for m in models.values()]),
            np.array([m.spend.max(axis=0) for m in models.values()]))


def feasible_budget(models: dict, share: float) -> float:
    low, high = history_range(models)
    return MONTHS * (low.sum() + share * (high - low).sum())


@pytest.mark.parametrize("seed", range(12))
def test_the_default_answer_never_leaves_the_historical_ranges_and_spends_the_whole_budget(seed):
    rng = np.random.default_rng(1000 + seed)
    models = regions(int(rng.integers(1, 6)), int(rng.integers(2, 6)), seed)
    budget = feasible_budget(models, float(rng.uniform(0.02, 0.98)))
    caps = None
    if seed % 3 == 0:  # a month capped at what its minimums need plus a little
        low, high = history_range(models)
        caps = [None] * MONTHS
        caps[int(rng.integers(MONTHS))] = float(low.sum() + 0.3 * (high - low).sum())
        budget = min(budget, float(MONTHS * low.sum() + 0.3 * (high - low).sum() * (MONTHS - 1) + 1))
    allocation = optimise_geo(models, MONTHS, budget=budget, period_budgets=caps, hold_unidentified=False)
    low, high = history_range(models)
    assert allocation.spend.shape == (MONTHS, len(models), len(low[0]))
    assert (allocation.spend >= low[None] - 1e-6).all() and (allocation.spend <= high[None] + 1e-6).all()
    assert allocation.spend.sum() == pytest.approx(budget, rel=1e-9, abs=1e-6)  # all of it, to the cent
    assert allocation.total_spend == pytest.approx(budget, rel=1e-9, abs=1e-6)
    assert not allocation.extrapolated and not allocation.widened
    if caps is not None:
        month = next(t for t, c in enumerate(caps) if c is not None)
        assert allocation.spend[month].sum() <= caps[month] + 1e-6
    # at least as good as spreading the same budget in proportion to each cell's room
    room = (high - low)[None].repeat(MONTHS, axis=0)
    spread = low[None] + room * (budget - MONTHS * low.sum()) / room.sum()
    if caps is None:
        assert allocation.media_leads >= geo_media_leads(models, MONTHS, spread) - 1e-6


def test_a_budget_outside_the_history_is_refused_with_what_it_supports():
    models = regions(3, 4, 1)
    low, high = history_range(models)
    with pytest.raises(Infeasible) as above:
        optimise_geo(models, MONTHS, budget=MONTHS * high.sum() * 1.1)
    assert above.value.code == "above_history"
    assert above.value.values["ceiling"] == pytest.approx(MONTHS * high.sum())
    with pytest.raises(Infeasible) as below:
        optimise_geo(models, MONTHS, budget=MONTHS * low.sum() * 0.5)
    assert below.value.code == "below_history"


def test_an_explicit_widening_is_honoured_and_reported():
    models = regions(4, 3, 2)
    low, high = history_range(models)
    budget = MONTHS * high.sum() * 1.3  # more than the history supports
    allocation = optimise_geo(models, MONTHS, budget=budget, widen=1.6)
    assert allocation.spend.sum() == pytest.approx(budget, rel=1e-9)
    assert (allocation.spend <= 1.6 * high[None] + 1e-6).all()
    assert allocation.widened
    beyond = allocation.spend > high[None] + 1.0
    assert beyond.any()
    reported = {e.channel: e for e in allocation.extrapolated}
    for c, channel in enumerate(allocation.channels):
        cells = int(beyond[:, :, c].sum())
        assert (channel in reported) == bool(cells)
        if cells:
            assert reported[channel].cells == cells
            assert reported[channel].ratio == pytest.approx(float((allocation.spend[:, :, c] / high[None, :, c]).max()))
    # a widening of one channel only moves that channel's bounds
    one = allocation.channels[0]
    budget = MONTHS * (high.sum() + 0.3 * high[:, 0].sum())
    single = optimise_geo(models, MONTHS, budget=budget, widen={one: 2.0})
    assert (single.spend[:, :, 1:] <= high[None, :, 1:] + 1e-6).all()
    assert {e.channel for e in single.extrapolated} == {one}
    # a minimum factor of 0 lets a channel stop below its historical minimum
    stop = optimise_geo(models, MONTHS, budget=MONTHS * (low.sum() - low[:, 1].sum()),
                        widen_min={allocation.channels[1]: 0})
    assert stop.spend[:, :, 1].sum() == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(ValueError):
        optimise_geo(models, MONTHS, budget=budget, widen=opt.MAX_WIDEN + 1)


def test_binding_constraints_are_grouped_by_channel_with_their_cell_counts():
    models = regions(13, 6, 3)
    low, high = history_range(models)
    allocation = optimise_geo(models, MONTHS, budget=feasible_budget(models, 0.6))
    keys = [(b.kind, b.channel, b.historical) for b in allocation.binding]
    assert len(keys) == len(set(keys))  # one line per channel and kind, not one per cell
    assert len(allocation.binding) <= 2 * 6 + 3
    spend = allocation.spend
    for b in allocation.binding:
        if b.kind == "max":
            c = allocation.channels.index(b.channel)
            at = spend[:, :, c] >= high[None, :, c] - np.maximum(1.0, 1e-6 * high[None, :, c])
            assert b.cells == int(at.sum()) and b.of == MONTHS * len(models)
            assert set(b.regions) == {allocation.regions[r] for r in np.nonzero(at.any(axis=0))[0]}
    assert ("budget", None, True) in keys


def test_locked_and_unmeasured_channels_keep_the_reference_plan():
    models = regions(3, 4, 4)
    low, high = history_range(models)
    for model in models.values():
        model.identified = [True, False, True, True]
    reference = np.broadcast_to((low + high) / 2, (MONTHS, *low.shape)).copy()
    reference[:, :, 2] = high[None, :, 2] * 1.5  # a locked channel keeps even a plan beyond its history
    budget = reference.sum()
    allocation = optimise_geo(models, MONTHS, budget=budget, locked={"ch2"}, reference=reference)
    np.testing.assert_allclose(allocation.spend[:, :, 1], reference[:, :, 1])  # held: not measured
    np.testing.assert_allclose(allocation.spend[:, :, 2], reference[:, :, 2])  # locked
    kinds = {(b.kind, b.channel) for b in allocation.binding}
    assert {("held", "ch1"), ("locked", "ch2")} <= kinds
    released = optimise_geo(models, MONTHS, budget=budget, locked={"ch2"}, reference=reference, widen={"ch1": 1.0})
    assert ("held", "ch1") not in {(b.kind, b.channel) for b in released.binding}
    assert released.media_leads >= allocation.media_leads - 1e-6


def test_close_to_slsqp_on_every_cell(monkeypatch):
    models = regions(4, 4, 5)
    budget = feasible_budget(models, 0.5)
    fast = optimise_geo(models, MONTHS, budget=budget)
    monkeypatch.setattr(opt, "_near_active", lambda geo, x, lo, hi, free: free)
    monkeypatch.setattr(opt, "GEO_SLSQP_ITERATIONS", 500)
    full = optimise_geo(models, MONTHS, budget=budget)
    assert fast.media_leads >= full.media_leads * (1 - 1e-3)


def test_target_mode_spends_no_more_than_the_budget_that_reaches_it():
    models = regions(3, 4, 6)
    budget = feasible_budget(models, 0.5)
    best = optimise_geo(models, MONTHS, budget=budget)
    cheapest = optimise_geo(models, MONTHS, target_media=best.media_leads)
    assert cheapest.media_leads >= best.media_leads - 1e-6
    assert cheapest.total_spend <= budget * (1 + 5e-3)
    low, high = history_range(models)
    assert (cheapest.spend >= low[None] - 1e-6).all() and (cheapest.spend <= high[None] + 1e-6).all()
    with pytest.raises(Infeasible) as out_of_reach:
        optimise_geo(models, MONTHS, target_media=best.media_leads * 100)
    assert out_of_reach.value.code == "target_out_of_reach"


def test_progress_is_reported_in_order():
    steps = []
    optimise_geo(regions(2, 3, 7), MONTHS, budget=feasible_budget(regions(2, 3, 7), 0.4),
                 progress=lambda fraction, step: steps.append((fraction, step)))
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and 0 < fractions[-1] < 1
    assert [s for _, s in steps] == ["bounds", "greedy", "polish"]
