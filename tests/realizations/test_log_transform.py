"""Log transform: exact inverse pair, fitted statistics, refusal of non-positive data."""
import pickle

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.realizations.log_transform import LogTransform
from krigflow.realizations.transform import NormalScore


def test_log10_values():
    """log10 of decades are integers; back-transform gives the decades back."""
    t = LogTransform.fit([0.1, 1.0, 10.0, 1000.0])
    npt.assert_array_equal(t.transform([0.01, 1.0, 100.0]), [-2.0, 0.0, 2.0])
    npt.assert_allclose(t.back_transform([-1.0, 0.5, 3.0]), [0.1, 10 ** 0.5, 1000.0], rtol=1e-15)


@pytest.mark.parametrize("base", [10.0, np.e, 2.0])
def test_round_trip_and_fit_statistics(base):
    """back_transform(transform(z)) == z for a log-normal sample; log mean/std are those of the log data."""
    rng = np.random.default_rng(3)
    k = base ** rng.normal(2.0, 0.7, size=500)
    t = LogTransform.fit(k, base=base)
    npt.assert_allclose(t.back_transform(t.transform(k)), k, rtol=1e-13)
    assert t.log_mean == pytest.approx(np.mean(np.log(k) / np.log(base)), rel=1e-12)
    assert t.log_std == pytest.approx(np.std(np.log(k) / np.log(base)), rel=1e-12)
    assert (t.data_min, t.data_max, t.n_values) == (k.min(), k.max(), 500)


def test_back_transform_in_place_and_nan():
    """out= writes in place (as NormalScore's); NaN stays NaN."""
    t = LogTransform.fit([1.0, 100.0])
    y = np.array([[0.0, 1.0], [np.nan, 2.0]])
    out = t.back_transform(y, out=y)
    assert out is y
    npt.assert_array_equal(y, [[1.0, 10.0], [np.nan, 100.0]])
    assert np.isnan(t.transform(np.nan))


def test_same_interface_as_normal_score():
    """The conditional method can use either: same public methods."""
    for name in ("fit", "transform", "back_transform", "value_range", "describe"):
        assert callable(getattr(LogTransform, name)) and callable(getattr(NormalScore, name))


def test_value_range_brackets_data():
    """value_range is positive, holds the data and widens with the standard deviation."""
    t = LogTransform.fit([1.0, 10.0, 100.0])
    low, high = t.value_range(5.0)
    assert 0 < low <= 1.0 and high >= 100.0
    assert t.value_range(5.0, std=2.0) == pytest.approx((10 ** (1 - 10.0), 10 ** (1 + 10.0)))


@pytest.mark.parametrize("data, match", [
    ([1.0, 0.0, -2.0], "2 of 3 data are <= 0 \\(smallest -2\\)"),
    ([], "at least one datum"),
    ([1.0, np.inf], "all finite"),
])
def test_fit_rejects(data, match):
    """Non-positive, missing or infinite data are refused with counts."""
    with pytest.raises(KrigflowError, match=match):
        LogTransform.fit(data)


def test_bad_base():
    """The base must be > 1."""
    with pytest.raises(KrigflowError, match="base must be"):
        LogTransform.fit([1.0], base=1.0)


def test_picklable_and_describe():
    """Workers receive it by pickle; describe() is JSON-ready."""
    t = LogTransform.fit([2.0, 20.0])
    assert pickle.loads(pickle.dumps(t)) == t
    assert t.describe()["kind"] == "log10"
