"""Cross-validation scores and baselines (krigflow.crossval)."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.crossval import (
    DEFAULT_PS,
    accuracy_points,
    bias,
    gaussian_pit,
    goodness,
    idw,
    interval_coverage,
    offset_share,
    pit_histogram,
    pit_values,
    rmse,
    training_mean,
    trend_idw,
)
from krigflow.exceptions import KrigflowError
from krigflow.trend import Trend


def test_calibrated_gaussian_prediction_scores_near_perfect():
    """Truth drawn from the predictive distribution: xi(p) ~ p, G ~ 1, flat PIT histogram."""
    rng = np.random.default_rng(0)
    mean, sd = rng.normal(0, 5, 20000), rng.uniform(1, 3, 20000)
    truth = mean + sd * rng.standard_normal(20000)
    xi = accuracy_points(gaussian_pit(truth, mean, sd))
    npt.assert_allclose(xi, DEFAULT_PS, atol=0.015)
    assert goodness(xi) > 0.98
    counts, _ = pit_histogram(gaussian_pit(truth, mean, sd))
    assert counts.min() > 0.9 * counts.mean()


def test_overconfident_prediction_is_penalised_twice():
    """Intervals too narrow (sd halved) give xi < p and a lower G than intervals too wide by the same amount."""
    rng = np.random.default_rng(1)
    truth = rng.standard_normal(20000)
    narrow = accuracy_points(gaussian_pit(truth, 0 * truth, 0.5 + 0 * truth))
    assert np.all(narrow < np.asarray(DEFAULT_PS))
    dev = np.abs(narrow - np.asarray(DEFAULT_PS))
    npt.assert_allclose(goodness(narrow), 1 - np.mean(2 * dev))


def test_realization_pit_matches_gaussian_pit():
    """PIT from many Gaussian realizations converges to the Gaussian PIT; interval coverage agrees."""
    rng = np.random.default_rng(2)
    truth = rng.standard_normal(500)
    real = rng.standard_normal((4000, 500))
    npt.assert_allclose(pit_values(truth, real), gaussian_pit(truth, 0 * truth, 1 + 0 * truth), atol=0.04)
    p10, p90 = np.quantile(real, [0.1, 0.9], axis=0)
    xi80 = accuracy_points(pit_values(truth, real), [0.8])[0]
    assert abs(interval_coverage(truth, p10, p90) - xi80) < 0.02


def test_rmse_bias_offset_share():
    truth = np.zeros(6)
    est = np.array([2.0, 2.0, 2.0, -1.0, 1.0, 0.0])
    well = np.array([0, 0, 0, 1, 1, 1])
    assert rmse(truth, est) == pytest.approx(np.sqrt(14 / 6))
    assert bias(truth, est) == pytest.approx(1.0)
    assert offset_share(truth, est, well) == pytest.approx(12 / 14)
    assert offset_share(truth, est - est.mean() * 0, np.arange(6)) == pytest.approx(1.0)


def test_idw_stretches_vertical_distances():
    """A datum 10 m above weighs like one 1000 m away sideways (x100)."""
    coords = np.array([[0.0, 0.0, 10.0], [1000.0, 0.0, 0.0]])
    npt.assert_allclose(idw(coords, [0.0, 2.0], np.array([[0.0, 0.0, 0.0]])), [1.0])
    w = np.array([1 / 10.0 ** 2, 1 / 1000.0 ** 2])
    npt.assert_allclose(idw(coords, [0.0, 2.0], np.array([[0.0, 0.0, 0.0]]), vertical_stretch=1.0),
                        [2.0 * w[1] / w.sum()])


def test_trend_idw_and_mean():
    trend = Trend("moving_average", knots=[0.0, 100.0], values=[0.0, 100.0])
    coords = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 100.0]])
    out = trend_idw(coords, [0.0, 100.0], np.array([[500.0, 0.0, 50.0]]), trend)
    npt.assert_allclose(out, [50.0])
    npt.assert_array_equal(training_mean([1.0, 2.0, 6.0], 2), [3.0, 3.0])


def test_bad_shapes_name_the_problem():
    with pytest.raises(KrigflowError, match="one length"):
        rmse([1.0, 2.0], [1.0])
    with pytest.raises(KrigflowError, match="realizations must have shape"):
        pit_values([1.0, 2.0], np.zeros((3, 4)))
