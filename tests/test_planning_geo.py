"""The pooled geo response model: it recovers a simulated truth, says why a channel is not identified,
its marginal cost does not blow up, and ``plan evaluate`` fits it on a file with a region column."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from forecasting.planning.fit import fit_response
from forecasting.planning.geo import GeoProblem, fit_geo, geo_holdout, split_national
from forecasting.planning.model import Params, ResponseModel, baseline_design
from forecasting.planning.simulate import simulate_geo
from forecasting.planning.wide import WideFileError, evaluate_file, read_wide

GEO_FILE = Path(__file__).parent / "fixtures" / "geo" / "geo_small.csv"  # simulate_geo(seed=7, regions=5, periods=36)


@pytest.fixture(scope="module")
def sim():
    return simulate_geo(seed=3, regions=8, periods=48)


@pytest.fixture(scope="module")
def model(sim):
    return fit_geo(sim.y, sim.spend, sim.periods, sim.channels, sim.regions, sim.controls, sim.control_names,
                   n_boot=12, seed=0)


def test_the_profiled_gradient_is_the_objectives_derivative(sim):
    """L-BFGS-B relies on the analytic gradient (envelope theorem over the linear part)."""
    size = sim.y.mean(axis=1)
    per_head = sim.spend / size[:, None, None]
    design = np.stack([baseline_design(sim.periods, sim.periods[0], 2) for _ in sim.regions])
    problem = GeoProblem(sim.y / size[:, None], per_head / per_head.mean(axis=(0, 1)), design, 0.05, 0.9, (0.3, 0.3),
                         np.ones(len(sim.channels), dtype=bool))
    theta = np.concatenate([np.full(6, 0.3), np.full(6, 0.2), np.full(6, 1.3)])
    analytic = problem.objective(theta)[1]
    numeric = approx_fprime(theta, lambda th: problem.objective(th)[0], 1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-3, atol=1e-3 * np.abs(numeric).max())


def test_the_pooled_fit_recovers_the_large_channels_and_sums_regions(sim, model):
    total, contributions = model.fitted()
    assert total.shape == sim.y.shape and contributions.shape == sim.spend.shape
    shares = model.contribution_shares()
    np.testing.assert_allclose(shares, contributions.sum(axis=(0, 1)) / total.sum())  # national = sum of regions
    cost = model.average_cost()
    for c, name in enumerate(sim.channels):
        if sim.spend_shares[c] >= 0.10:
            assert cost[c] == pytest.approx(sim.average_cost[c], rel=0.25), name
            assert shares[c] == pytest.approx(sim.shares[c], abs=0.03), name
    assert sum(model.identified) >= 4
    assert model.stats["r2_region"] > 0.9 and model.stats["n_boot"] == 12
    assert model.unattributed_share() == pytest.approx(
        sum(s for s, ok in zip(shares, model.identified, strict=True) if not ok))


def test_a_channel_that_moves_with_another_or_the_season_is_confounded(sim):
    rng = np.random.default_rng(0)
    spend = sim.spend.copy()
    radio, tv = sim.channels.index("radio"), sim.channels.index("national_tv")
    spend[:, :, radio] = spend[:, :, tv] * 0.3 * rng.uniform(0.95, 1.05, spend.shape[:2])
    display = sim.channels.index("display")
    month = np.array([p.month for p in sim.periods])
    spend[:, :, display] = (1000 * (1 + np.cos(2 * np.pi * (month - 1) / 12)) + 50)[None, :] * sim.population[:, None]
    fitted = fit_geo(sim.y, spend, sim.periods, sim.channels, sim.regions, sim.controls, sim.control_names,
                     n_boot=0)
    assert fitted.reasons[radio] == "confounded_channel" or fitted.reasons[tv] == "confounded_channel"
    assert "national_tv" in fitted.details[radio] or "radio" in fitted.details[tv]
    assert fitted.reasons[display] == "confounded_season"
    assert not fitted.identified[display]


def test_a_region_missing_a_period_is_refused(tmp_path):
    rows = GEO_FILE.read_text().splitlines()
    path = tmp_path / "gap.csv"
    path.write_text("\n".join(r for r in rows if not r.startswith("2020-03-01,R02")) + "\n")
    with pytest.raises(WideFileError, match="region 'R02' has no row for 2020-03-01"):
        read_wide(path, "leads")


def test_plan_evaluate_fits_the_geo_model_on_a_region_file():
    result = evaluate_file(GEO_FILE, "leads", holdout=0.25, n_boot=6, seed=0)
    data = result.data
    assert data.regions == [f"R0{i}" for i in range(1, 6)] and data.panel.y.shape == (5, 36)
    np.testing.assert_allclose(data.panel.y.sum(axis=0), data.y)
    assert (result.holdout.n_train, result.holdout.n_test) == (27, 9)
    report = result.format_report()
    assert re.search(r"holdout by region: MAPE \d+\.\d%, R2 -?\d\.\d\d", report)
    assert re.search(r"holdout national: MAPE \d+\.\d%, R2 -?\d\.\d\d", report)
    k = sum(c.identified for c in result.channels)
    assert f"identified: {k} of 6 channels" in report
    for figures in result.channels:
        assert figures.channel in report
        assert figures.identified == (figures.reason == "") and (figures.identified or figures.remedy)
    assert result.holdout.national_mape < 10
    one = evaluate_file(GEO_FILE, "leads", holdout=0.25, n_boot=0, region="R01")  # one region: as before
    assert one.data.panel is None and "holdout (last 9 months" in one.format_report()


def test_split_national_keeps_the_total():
    national = np.array([100.0, 0.0, 50.0])
    split = split_national(national, np.array([2.0, 1.0, 1.0]))
    np.testing.assert_allclose(split.sum(axis=0), national)
    np.testing.assert_allclose(split[:, 0], [50, 25, 25])


def test_the_marginal_cost_of_a_channel_off_air_lately_stays_finite():
    """A weekly channel off air in its last six weeks with a Hill shape above 1: the marginal cost at zero
    spend is astronomically large (7.4e23 EUR was printed); it is read at the channel's on-air level."""
    weeks = [dt.date(2023, 1, 2) + dt.timedelta(days=7 * i) for i in range(104)]
    spend = np.zeros((104, 1))
    spend[:90:3, 0] = 20_000.0
    params = Params(decay=np.array([0.5]), half=np.array([15_000.0]), shape=np.array([2.5]), beta=np.array([80.0]),
                    base=np.array([500.0, 0, 0, 0, 0, 0, 0, 0]))
    truth = ResponseModel(["tv"], [], weeks, "week", 3, params, np.zeros(104), spend, np.zeros((104, 0)),
                          np.zeros(0), np.zeros(0), 5.0)
    truth.y = truth.fitted().total + np.random.default_rng(0).normal(0, 5, 104)
    assert truth.recent_spend()[0] == 0  # the last six weeks are off air
    marginal = truth.marginal_cost()[0]
    assert np.isfinite(marginal) and marginal < 20 * truth.average_cost()[0]
    fitted = fit_response(truth.y, spend, weeks, ["tv"], n_boot=0)
    assert np.isfinite(fitted.marginal_cost()[0]) and fitted.marginal_cost()[0] < 1e6


def test_the_geo_marginal_cost_is_finite_and_of_the_order_of_the_average(model):
    marginal, average = model.marginal_cost(), model.average_cost()
    assert np.all(np.isfinite(marginal)) and np.all(marginal > 0)
    assert np.all(marginal < 10 * average)


def test_geo_holdout_predicts_the_last_dates(sim):
    held = geo_holdout(sim.y, sim.spend, sim.periods, sim.channels, sim.regions, sim.controls, sim.control_names,
                       holdout=0.25)
    assert held.actual.shape == held.predicted.shape == (8, 12)
    assert held.national_mape < 8 and held.region_r2 > 0.8


def test_the_plan_evaluate_command_prints_the_geo_lines():
    from typer.testing import CliRunner

    from pilotage.cli import app

    result = CliRunner().invoke(app, ["plan", "evaluate", "--input", str(GEO_FILE), "--target", "leads",
                                      "--holdout", "0.25", "--boot", "4", "--n-jobs", "1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "5 regions x 36 months" in out and "pooled geo model" in out
    assert re.search(r"^holdout by region: MAPE \d+\.\d%, R2 -?\d\.\d\d$", out, re.M)
    assert re.search(r"^holdout national: MAPE \d+\.\d%, R2 -?\d\.\d\d$", out, re.M)
    assert re.search(r"^identified: \d of 6 channels", out, re.M)
