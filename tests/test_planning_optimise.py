"""The optimiser against grid enumeration, optimality conditions and its constraints."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.planning.optimise import DEFAULT_CAP_FACTOR, Infeasible, brute_force, build_problem, optimise
from tests.test_planning_scenario import make_model

# An S-shaped channel (shape 2.5), a concave one (0.8) and a linear-start one (1.0), with carry-over.
MIXED = {"decay": [0.4, 0.2, 0.0], "half": [15000, 9000, 6000], "shape": [2.5, 0.8, 1.0], "beta": [160, 70, 50]}
S_SHAPED = {"decay": [0.3, 0.5, 0.1, 0.0], "half": [10000, 14000, 6000, 8000], "shape": [3.0, 2.0, 2.5, 4.0],
            "beta": [90, 120, 50, 70]}
CONCAVE = {"decay": [0.3, 0.0], "half": [8000, 12000], "shape": [0.8, 1.0], "beta": [60, 90]}
# A steep S-curve (shape 4) on a small budget: best in bursts (off one month), which no gradient finds from a spread.
BURST = {"decay": [0.31, 0.02, 0.11], "half": [28000, 8000, 14000], "shape": [1.0, 1.0, 4.0], "beta": [78, 152, 250]}


def _budget(model, periods, share):
    return share * model.spend_range()[1].sum() * periods


def _kinds(allocation, kind):
    return [(b.channel, b.period) for b in allocation.binding if b.kind == kind]


def test_gradient_matches_finite_differences():
    model = make_model(**MIXED)
    problem = build_problem(model, 4, budget=1e6)
    x = np.random.default_rng(1).uniform(1000, 20000, size=(4, 3))
    _, grad = problem.media_grad(x)
    numeric = np.zeros_like(x)
    for t, c in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[t, c] = 0.5
        numeric[t, c] = (problem.media(x + step) - problem.media(x - step)) / 1.0
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)


@pytest.mark.parametrize("spec, periods, share, steps, extra", [
    (MIXED, 2, 0.8, 18, {}),
    (MIXED, 2, 0.4, 18, {"period_budgets": [9000.0, 30000.0]}),
    (S_SHAPED, 1, 0.5, 24, {}),
    (S_SHAPED, 1, 1.2, 24, {"min_spend": {"ch3": 2000.0}}),
    (CONCAVE, 3, 0.7, 12, {"locked": {"ch1": [np.nan, 5000.0, np.nan]}}),
    (BURST, 3, 0.2, 12, {}),
])
def test_within_one_percent_of_brute_force(spec, periods, share, steps, extra):
    model = make_model(**spec)
    budget = _budget(model, periods, share)
    best = optimise(model, periods, budget=budget, **extra)
    grid = brute_force(model, periods, budget=budget, step=budget / steps, **extra)
    assert best.total_spend <= budget * (1 + 1e-9)
    assert best.media_leads >= 0.99 * grid.media_leads
    assert best.total_spend == pytest.approx(budget, rel=1e-6)  # more spend always helps: all of it is spent
    assert ("budget" in {b.kind for b in best.binding}) or extra.get("period_budgets")


def test_concave_optimum_equalises_marginal_returns():
    """KKT: with concave curves every cell strictly inside its bounds earns the same leads per extra EUR."""
    model = make_model(**CONCAVE)
    best = optimise(model, 3, budget=_budget(model, 3, 0.7))
    inside = (best.spend > 1.0) & (best.spend < DEFAULT_CAP_FACTOR * model.spend_range()[1] - 1.0)
    marginal = best.marginal_leads_per_eur[inside]
    assert inside.sum() >= 4
    np.testing.assert_allclose(marginal, marginal.mean(), rtol=1e-3)


def test_allocation_figures_agree_with_a_scenario():
    model = make_model(**MIXED)
    best = optimise(model, 2, budget=_budget(model, 2, 0.8))
    np.testing.assert_allclose(best.channel_totals, best.spend.sum(axis=0))
    assert best.leads == pytest.approx(best.scenario.total_leads)
    assert best.media_leads == pytest.approx(best.scenario.media_leads)
    low, high = best.intervals[0.8]
    assert low < best.leads < high
    assert best.seconds > 0 and best.starts > 1


def test_bounds_locks_and_period_budgets_hold_and_are_reported():
    model = make_model(**MIXED)
    periods = model.future_periods(2)
    hist_max = model.spend_range()[1]
    budget = 60000.0
    best = optimise(model, periods, budget=budget, min_spend={"ch1": 4000.0}, max_spend={"ch0": 12000.0},
                    locked={"ch2": [3000.0, np.nan]}, period_budgets=[None, 25000.0])
    x = best.spend
    assert x[0, 2] == pytest.approx(3000.0) and ("ch2", periods[0]) in _kinds(best, "locked")
    assert np.all(x[:, 1] >= 4000.0 - 1e-6) and np.all(x[:, 0] <= 12000.0 + 1e-6)
    assert x[1].sum() <= 25000.0 + 1e-6 and x.sum() <= budget + 1e-6
    assert x[1, 2] <= DEFAULT_CAP_FACTOR * hist_max[2] + 1e-6
    # the S-shaped ch0 is the best channel: it sits on its max, and the tight second month is full
    assert ("ch0", periods[0]) in _kinds(best, "max") and (None, periods[1]) in _kinds(best, "period_budget")
    maxed = [b for b in best.binding if b.kind == "max"]
    assert all(not b.default and b.value == 12000.0 for b in maxed if b.channel == "ch0")
    for channel, period in _kinds(best, "min"):
        assert channel == "ch1" and x[periods.index(period), 1] == pytest.approx(4000.0)


def test_a_binding_minimum_is_reported():
    """A weak channel held at a high minimum: the optimiser would spend less there, so the minimum binds."""
    model = make_model(decay=[0.2, 0.2], half=[8000, 8000], shape=[1.0, 1.0], beta=[200, 10])
    best = optimise(model, 2, budget=30000.0, min_spend={"ch1": 5000.0})
    np.testing.assert_allclose(best.spend[:, 1], 5000.0)
    assert _kinds(best, "min") == [("ch1", p) for p in best.periods]


def test_a_budget_above_every_maximum_buys_every_maximum():
    model = make_model(**CONCAVE)
    cap = DEFAULT_CAP_FACTOR * model.spend_range()[1]
    best = optimise(model, 2, budget=10 * cap.sum() * 2)
    np.testing.assert_allclose(best.spend, np.tile(cap, (2, 1)))
    assert len(_kinds(best, "max")) == 4 and not _kinds(best, "budget")
    assert all(b.default for b in best.binding if b.kind == "max")


@pytest.mark.parametrize("spec, periods, steps", [(MIXED, 2, 16), (S_SHAPED, 1, 20), (CONCAVE, 3, 10)])
def test_least_budget_for_a_target(spec, periods, steps):
    model = make_model(**spec)
    reference = optimise(model, periods, budget=_budget(model, periods, 0.6))
    target = reference.leads - 0.25 * reference.media_leads
    cheapest = optimise(model, periods, target=target)
    assert cheapest.leads >= target - 1e-6
    assert cheapest.total_spend < reference.total_spend
    grid = brute_force(model, periods, target=target, step=reference.total_spend / steps,
                       budget=reference.total_spend)
    assert grid.leads >= target
    assert cheapest.total_spend <= 1.01 * grid.total_spend
    assert ("target" in {b.kind for b in cheapest.binding}) and cheapest.mode == "target"


def test_target_met_by_the_minimums_costs_nothing_more():
    model = make_model(**CONCAVE)
    floor = optimise(model, 2, target=1.0, min_spend=1000.0)
    np.testing.assert_allclose(floor.spend, 1000.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"budget": 5000.0, "locked": {"ch0": 2000.0}, "min_spend": {"ch1": 1000.0}}, "exceed the budget"),
    ({"budget": 1e5, "min_spend": {"ch0": 5000.0}, "period_budgets": [3000.0, None]}, "period's budget"),
    ({"budget": 1e5, "min_spend": 9000.0, "max_spend": 8000.0}, "above maximum"),
    ({"target": 1e9}, "out of reach"),
    ({"target": 1e9, "budget": 1000.0}, "out of reach"),
])
def test_infeasible_problems_say_why(kwargs, message):
    model = make_model(**MIXED)
    with pytest.raises(Infeasible, match=message):
        optimise(model, 2, **kwargs)


def test_bad_arguments_are_refused():
    model = make_model(**MIXED)
    with pytest.raises(ValueError, match="budget.*target"):
        optimise(model, 2)
    with pytest.raises(ValueError, match="unknown channel"):
        optimise(model, 2, budget=1e4, locked={"radio": 10.0})
    with pytest.raises(ValueError, match="one value per period"):
        optimise(model, 2, budget=1e4, max_spend={"ch0": [1.0, 2.0, 3.0]})


def test_same_inputs_same_plan():
    model = make_model(**S_SHAPED)
    first, again = optimise(model, 2, budget=30000.0), optimise(model, 2, budget=30000.0)
    np.testing.assert_array_equal(first.spend, again.spend)
    assert first.intervals == again.intervals


def test_an_unidentified_channel_is_held_at_the_current_plan_unless_the_planner_bounds_it():
    """Its point effect is zero: left free, the optimiser would cut it to nothing on no evidence."""
    model = make_model(**CONCAVE, seed=3)
    model.params.beta[1] = 0.0
    model.identified, model.reasons = [True, False], ["", "uncertain"]
    current = np.tile([9000.0, 7000.0], (3, 1))
    held = optimise(model, 3, budget=40000.0, reference=current)
    assert np.allclose(held.spend[:, 1], 7000.0) and held.spend.sum() == pytest.approx(40000.0, rel=1e-6)
    assert {(b.kind, b.channel) for b in held.binding} >= {("held", "ch1"), ("budget", None)}
    free = optimise(model, 3, budget=40000.0, reference=current, max_spend={"ch1": 20000.0})
    assert np.allclose(free.spend[:, 1], 0.0, atol=1.0)  # bounded by the planner: the model's zero decides
    assert not any(b.kind == "held" for b in free.binding)
    unheld = optimise(model, 3, budget=40000.0, hold_unidentified=False)
    assert np.allclose(unheld.spend[:, 1], 0.0, atol=1.0)
