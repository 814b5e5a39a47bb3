"""Calibration with experiments: a lift test moves an unidentified channel's estimate towards the truth and
narrows its interval; a test that the data contradicts is flagged as disagreeing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecasting.planning.calibration import Experiment, agreement, calibration_penalty, period_weights
from forecasting.planning.geo import fit_geo
from forecasting.planning.simulate import simulate_geo

UNIDENTIFIED, IDENTIFIED = 2, 3  # on this simulation: "too uncertain" without a test, and a well-measured one


@pytest.fixture(scope="module")
def sim():
    return simulate_geo(seed=1, regions=8, periods=36)


def _fit(sim, experiments=None):
    return fit_geo(sim.y, sim.spend, sim.periods, sim.channels, sim.regions, sim.controls, sim.control_names,
                   n_boot=20, n_jobs=1, experiments=experiments)


def _test(sim, channel: int, factor: float, regions=range(8), periods=range(6, 30)) -> tuple[Experiment, float]:
    """A test of ``channel`` whose measured lift is ``factor`` x the simulation's true one, +-15 %."""
    true = float(sim.contributions[list(regions)][:, list(periods), channel].sum())
    lift = factor * true
    return Experiment(sim.channels[channel], tuple(sim.regions[r] for r in regions), sim.periods[periods[0]],
                      sim.periods[periods[-1] + 1] - dt.timedelta(days=1), lift, 0.85 * lift, 1.15 * lift), true


@pytest.fixture(scope="module")
def plain(sim):
    return _fit(sim)


def test_the_penalty_is_a_gaussian_prior_read_from_the_interval():
    test = Experiment("radio", None, dt.date(2024, 3, 1), dt.date(2024, 3, 31), 100.0, 80.0, 120.0)
    assert test.sd == pytest.approx(20 / 1.2816, rel=1e-3)
    penalty = calibration_penalty(np.array([100.0 + test.sd]), [test])
    assert penalty.value == pytest.approx(0.5) and penalty.gradient[0] == pytest.approx(1 / test.sd)
    assert penalty.residuals[0] == pytest.approx(1.0)
    assert calibration_penalty(np.array([100.0]), [test]).value == 0.0


def test_a_period_the_test_covers_in_part_counts_for_its_days():
    months = [dt.date(2024, m, 1) for m in (2, 3, 4)]
    test = Experiment("radio", None, dt.date(2024, 3, 17), dt.date(2024, 4, 15), 1, 0, 2)
    assert period_weights(test, months, "month").tolist() == pytest.approx([0, 15 / 31, 15 / 30])


def test_a_true_lift_moves_an_unidentified_channel_towards_the_truth_and_narrows_it(sim, plain):
    assert plain.reasons[UNIDENTIFIED]  # the premise: the data alone cannot say
    test, _ = _test(sim, UNIDENTIFIED, 1.0)
    calibrated = _fit(sim, [test])
    truth = sim.shares[UNIDENTIFIED]
    before, after = plain.contribution_shares()[UNIDENTIFIED], calibrated.contribution_shares()[UNIDENTIFIED]
    assert abs(after - truth) < abs(before - truth)
    width = [np.subtract(*m.interval(m.contribution_shares)[::-1])[UNIDENTIFIED] for m in (plain, calibrated)]
    assert width[1] < width[0]
    assert not calibrated.reasons[UNIDENTIFIED]
    lifts = [calibrated.experiment_lift(test, p) for p in calibrated.draws]
    assert agreement(test, lifts, calibrated.experiment_lift(test)).agrees


def test_a_test_the_data_contradicts_is_flagged_as_disagreeing(sim):
    for factor, agrees in ((1.0, True), (0.3, False)):
        test, _ = _test(sim, IDENTIFIED, factor)
        model = _fit(sim, [test])
        found = agreement(test, [model.experiment_lift(test, p) for p in model.draws], model.experiment_lift(test))
        assert found.agrees is agrees, (factor, found)


def test_a_test_of_a_channel_or_region_the_data_does_not_have_is_left_aside(sim):
    other = Experiment("podcast", None, sim.periods[0], sim.periods[5], 10, 5, 15, label="podcast")
    model = fit_geo(sim.y, sim.spend, sim.periods, sim.channels, sim.regions, n_boot=0, experiments=[other])
    assert model.stats["experiments_left_aside"] == ["podcast"] and model.experiments == []


def test_the_national_model_takes_the_same_prior():
    from forecasting.planning.fit import fit_response
    from forecasting.planning.simulate import simulate

    national = simulate(seed=3, months=36)
    args = (national.y, national.spend, national.periods, national.channels, national.controls,
            national.control_names)
    plain = fit_response(*args, n_boot=30, n_jobs=1)
    j = UNIDENTIFIED
    assert plain.reasons[j] == "uncertain"
    window = Experiment(national.channels[j], None, national.periods[6], national.periods[30] - dt.timedelta(days=1),
                        1, 0, 2)
    true = national.truth.experiment_lift(window)
    test = Experiment(window.channel, None, window.start, window.end, true, 0.85 * true, 1.15 * true)
    calibrated = fit_response(*args, n_boot=30, n_jobs=1, experiments=[test])
    truth = national.shares[j]
    assert abs(calibrated.contribution_shares()[j] - truth) < abs(plain.contribution_shares()[j] - truth)
    width = [np.subtract(*m.interval(m.contribution_shares)[::-1])[j] for m in (plain, calibrated)]
    assert width[1] < width[0] and not calibrated.reasons[j]
    assert abs(calibrated.experiment_lift(test) - true) < abs(plain.experiment_lift(test) - true)


def test_a_stored_experiment_calibrates_the_media_run_of_its_scopes(engine):
    from sqlalchemy import insert

    from forecasting.planning import registry
    from pilotage.store.models import MediaExperiment

    from .forecast_helpers import fill_store

    fill_store(engine)
    before = registry.fit_and_register(engine, run_by="test", n_boot=4, n_jobs=1)
    idf = before.models["FR-IDF"]
    start, end = idf.periods[-12], idf.periods[-6] - dt.timedelta(days=1)
    window = Experiment("paid_search", ("FR-IDF",), start, end, 1, 0, 2)
    measured = 2.0 * idf.experiment_lift(window)  # far from what the data say, and precise
    with engine.begin() as conn:
        conn.execute(insert(MediaExperiment).values(
            source_system="test", channel_code="paid_search", regions="FR-IDF", start_date=start, end_date=end,
            incremental_leads=measured, lo=0.97 * measured, hi=1.03 * measured, spend=None, notes=""))
    after = registry.fit_and_register(engine, run_by="test", n_boot=4, n_jobs=1)
    assert "FR-IDF: calibrated on 1 experiment(s)" in after.notes and "national: calibrated on 1 experiment(s)" \
        in after.notes and not any(n.startswith("FR-ARA: calibrated") for n in after.notes)
    moved = after.models["FR-IDF"].experiment_lift(window)
    assert abs(moved - measured) < abs(idf.experiment_lift(window) - measured)
    np.testing.assert_allclose(after.models["FR-ARA"].fitted().total, before.models["FR-ARA"].fitted().total)
