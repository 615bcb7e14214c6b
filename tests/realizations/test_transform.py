"""Tests of krigflow.realizations.transform: normal-score transform and back-transform."""
import pickle

import numpy as np
import numpy.testing as npt
import pytest
from scipy import stats

from krigflow.exceptions import TransformError
from krigflow.realizations.transform import NormalScore


def _skewed(n=500, seed=0):
    """A skewed (lognormal) sample, like gamma ray or permeability."""
    return np.exp(3.5 + 0.6 * np.random.default_rng(seed).standard_normal(n))


def test_scores_are_normal_quantiles_of_ranks():
    """With equal weights the i-th of n distinct data gets Phi^-1((i - 1/2) / n)."""
    data = _skewed(50)
    ns = NormalScore.fit(data)
    expected = stats.norm.ppf((np.arange(50) + 0.5) / 50)
    npt.assert_allclose(ns.scores, expected, rtol=0, atol=1e-12)
    npt.assert_allclose(ns.transform(np.sort(data)), expected, rtol=0, atol=1e-12)


def test_round_trip_and_gaussian_scores():
    """transform then back_transform returns the data; the scores have mean 0 and variance ~1."""
    data = _skewed(2000, seed=1)
    ns = NormalScore.fit(data)
    y = ns.transform(data)
    npt.assert_allclose(ns.back_transform(y), data, rtol=1e-12)
    assert abs(y.mean()) < 1e-12 and abs(y.var() - 1.0) < 0.01
    assert stats.skew(y) == pytest.approx(0.0, abs=1e-3) and stats.skew(data) > 1.0


def test_back_transform_reproduces_the_data_histogram():
    """Back-transformed standard normal values have the data's distribution (two-sample KS test)."""
    data = _skewed(1000, seed=2)
    ns = NormalScore.fit(data)
    simulated = ns.back_transform(np.random.default_rng(3).standard_normal(20000))
    assert stats.ks_2samp(data, simulated).pvalue > 0.01
    npt.assert_allclose(np.quantile(simulated, [0.1, 0.5, 0.9]), np.quantile(data, [0.1, 0.5, 0.9]),
                        rtol=0.03)


def test_ties_share_one_score():
    """Equal data values get one score, at the middle of their probability mass."""
    ns = NormalScore.fit([1.0, 2.0, 2.0, 2.0, 3.0])
    assert ns.values.tolist() == [1.0, 2.0, 3.0]
    npt.assert_allclose(ns.probabilities, [0.1, 0.5, 0.9])
    assert ns.transform(2.0) == pytest.approx(0.0)


def test_declustering_weights():
    """A heavier weight moves the probability mass: weights (1, 1, 2) give p = (1/8, 3/8, 3/4)."""
    ns = NormalScore.fit([10.0, 20.0, 30.0], weights=[1.0, 1.0, 2.0])
    npt.assert_allclose(ns.probabilities, [0.125, 0.375, 0.75])


@pytest.mark.parametrize("tails", ["linear", "clip", "extrapolate"])
def test_tails_are_monotone(tails):
    """The back-transform is non-decreasing across the table and both tails."""
    ns = NormalScore.fit(_skewed(100, seed=4), tails=tails)
    y = np.linspace(-6, 6, 2001)
    z = ns.back_transform(y)
    assert np.all(np.diff(z) >= 0)
    npt.assert_allclose(ns.back_transform(ns.scores), ns.values)
    if tails == "linear":
        assert z[0] >= ns.zmin and z[-1] <= ns.zmax
        assert z[0] < ns.values[0] and z[-1] > ns.values[-1]
        assert ns.value_range() == (ns.zmin, ns.zmax)
    elif tails == "clip":
        assert z[0] == ns.values[0] and z[-1] == ns.values[-1]
    else:
        assert z[0] < ns.values[0] - 1 and z[-1] > ns.values[-1] + 1


def test_linear_tails_default_bounds_and_forward_tails():
    """Default bounds widen the data range by 10 %; the forward transform inverts the linear tails."""
    ns = NormalScore.fit([0.0, 5.0, 10.0])
    assert (ns.zmin, ns.zmax) == (-1.0, 11.0)
    z = np.array([-0.5, 10.5])
    npt.assert_allclose(ns.back_transform(ns.transform(z)), z, rtol=1e-9)
    given = NormalScore.fit([1.0, 2.0], zmin=0.0, zmax=100.0)
    assert (given.zmin, given.zmax) == (0.0, 100.0)


def test_nan_and_shapes_and_pickle():
    """NaN passes through, shapes are kept, the table pickles."""
    ns = NormalScore.fit(_skewed(30))
    y = ns.transform(np.array([[np.nan, 40.0], [30.0, 20.0]]))
    assert y.shape == (2, 2) and np.isnan(y[0, 0])
    assert np.isnan(ns.back_transform(np.array([np.nan, 0.0]))[0])
    back = pickle.loads(pickle.dumps(ns))
    npt.assert_array_equal(back.values, ns.values)
    assert ns.describe()["n_values"] == 30


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"data": []}, "at least one datum"),
        ({"data": [1.0, np.nan]}, "all finite"),
        ({"data": [1.0, 2.0], "weights": [1.0, 0.0]}, "weights must be"),
        ({"data": [1.0, 2.0], "tails": "power"}, "tails must be one of"),
        ({"data": [1.0, 2.0], "zmin": 1.5}, "must bracket the data"),
    ],
    ids=["empty", "nan", "weights", "tails", "bounds"],
)
def test_errors(kwargs, match):
    """Bad inputs are rejected with a message naming the problem."""
    with pytest.raises(TransformError, match=match):
        NormalScore.fit(**kwargs)
