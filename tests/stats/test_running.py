"""Tests of krigflow.stats.running: streaming per-cell statistics."""
import pickle

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import StatsError
from krigflow.stats.running import RunningStats

SHAPE = (4, 3, 5)
ATOL = 1e-12


def _realizations(n=37, shape=SHAPE, seed=0, nan_fraction=0.0):
    """Random realizations, offset from zero to exercise the merge formula."""
    rng = np.random.default_rng(seed)
    data = 75.0 + 20.0 * rng.standard_normal((n, *shape))
    if nan_fraction:
        data[rng.random(data.shape) < nan_fraction] = np.nan
    return data


def _assert_matches_numpy(stats, data):
    """Compare every statistic with numpy on the stacked realizations."""
    npt.assert_array_equal(stats.count, np.sum(~np.isnan(data), axis=0))
    npt.assert_allclose(stats.mean, np.mean(data, axis=0), rtol=0, atol=ATOL)
    npt.assert_allclose(stats.std(), np.std(data, axis=0, ddof=1), rtol=0, atol=ATOL)
    npt.assert_allclose(stats.std(ddof=0), np.std(data, axis=0), rtol=0, atol=ATOL)
    npt.assert_array_equal(stats.min, np.min(data, axis=0))
    npt.assert_array_equal(stats.max, np.max(data, axis=0))


def _split(data, sizes):
    """Cut realizations into consecutive batches of the given sizes."""
    edges = np.cumsum([0, *sizes])
    assert edges[-1] == len(data)
    return [data[a:b] for a, b in zip(edges[:-1], edges[1:])]


@pytest.mark.parametrize(
    "sizes",
    [[37], [1] * 37, [10, 10, 10, 7], [1, 36], [20, 0, 17], [5, 3, 8, 1, 13, 7]],
    ids=["one", "singles", "tens", "one-then-rest", "empty-batch", "uneven"],
)
def test_update_matches_numpy(sizes):
    """Updating batch by batch gives numpy's statistics of all realizations."""
    data = _realizations()
    stats = RunningStats.empty(SHAPE)
    for batch in _split(data, sizes):
        stats.update(batch)
    _assert_matches_numpy(stats, data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_merge_any_order_matches_numpy(seed):
    """Partial statistics merged in random orders and tree shapes agree with numpy."""
    data = _realizations(seed=seed)
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(1, len(data)), size=6, replace=False))
    parts = [RunningStats.from_batch(b) for b in np.split(data, cuts)]
    # Sequential merge in a shuffled order.
    order = rng.permutation(len(parts))
    total = RunningStats.empty(SHAPE)
    for i in order:
        total = total.merge(parts[i])
    _assert_matches_numpy(total, data)
    # Pairwise tree merge.
    level = parts[::-1]
    while len(level) > 1:
        level = [level[i].merge(level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    _assert_matches_numpy(level[0], data)


def test_merge_is_pure():
    """merge() returns a new object and leaves both operands unchanged."""
    a = RunningStats.from_batch(_realizations(5, seed=1))
    b = RunningStats.from_batch(_realizations(7, seed=2))
    a_before, b_before = a.to_dict(), b.to_dict()
    merged = a.merge(b)
    assert merged is not a and merged is not b
    for key, value in a.to_dict().items():
        npt.assert_array_equal(value, a_before[key])
    for key, value in b.to_dict().items():
        npt.assert_array_equal(value, b_before[key])


def test_nan_not_counted():
    """A NaN in a realization is skipped for that cell only."""
    data = _realizations(nan_fraction=0.3, seed=4)
    data[:, 0, 0, 0] = np.nan  # a cell that never has a value
    data[:-1, 1, 0, 0] = np.nan  # a cell with exactly one value
    stats = RunningStats.empty(SHAPE)
    for batch in _split(data, [9, 1, 12, 15]):
        stats.update(batch)
    npt.assert_array_equal(stats.count, np.sum(~np.isnan(data), axis=0))
    with np.errstate(invalid="ignore", divide="ignore"), pytest.warns(RuntimeWarning):
        expected = {
            "mean": np.nanmean(data, axis=0),
            "std": np.nanstd(data, axis=0, ddof=1),
            "min": np.nanmin(data, axis=0),
            "max": np.nanmax(data, axis=0),
        }
    expected["std"][stats.count <= 1] = np.nan
    npt.assert_allclose(stats.mean, expected["mean"], rtol=0, atol=ATOL)
    npt.assert_allclose(stats.std(), expected["std"], rtol=0, atol=ATOL)
    npt.assert_array_equal(stats.min, expected["min"])
    npt.assert_array_equal(stats.max, expected["max"])
    assert stats.count[0, 0, 0] == 0 and np.isnan(stats.mean[0, 0, 0])
    assert stats.m2[0, 0, 0] == 0
    assert stats.count[1, 0, 0] == 1 and np.isnan(stats.std()[1, 0, 0])
    assert stats.std(ddof=0)[1, 0, 0] == 0


def test_empty():
    """Empty statistics: zero counts, NaN mean/min/max/std; neutral element of merge."""
    empty = RunningStats.empty(SHAPE)
    assert empty.count.dtype == np.int64 and empty.count.shape == SHAPE
    assert np.all(empty.count == 0) and np.all(empty.m2 == 0)
    assert np.all(np.isnan(empty.mean)) and np.all(np.isnan(empty.min)) and np.all(np.isnan(empty.max))
    assert np.all(np.isnan(empty.std())) and np.all(np.isnan(empty.std(ddof=0)))
    data = _realizations(6)
    full = RunningStats.from_batch(data)
    for merged in (empty.merge(full), full.merge(empty)):
        for key, value in merged.to_dict().items():
            npt.assert_array_equal(value, getattr(full, key))
    both_empty = empty.merge(RunningStats.empty(SHAPE))
    assert np.all(both_empty.count == 0) and np.all(np.isnan(both_empty.mean))


def test_single_realization_std_is_nan():
    """With one realization the sample std (ddof=1) is NaN and the population std is 0."""
    stats = RunningStats.empty((2, 2))
    stats.update(np.ones((1, 2, 2)))
    assert np.all(np.isnan(stats.std()))
    npt.assert_array_equal(stats.std(ddof=0), 0.0)


def test_dict_round_trip_and_pickle():
    """to_dict/from_dict and pickling keep every array exactly."""
    stats = RunningStats.from_batch(_realizations(8, nan_fraction=0.2))
    data = stats.to_dict()
    assert sorted(data) == sorted(["count", "mean", "m2", "min", "max"])
    assert all(type(value) is np.ndarray for value in data.values())
    for other in (RunningStats.from_dict(data), pickle.loads(pickle.dumps(stats))):
        for key, value in other.to_dict().items():
            npt.assert_array_equal(value, data[key])
            assert value.dtype == data[key].dtype
    data["mean"][...] = 0  # to_dict returns copies
    assert not np.all(stats.mean == 0)


def test_npz_round_trip(tmp_path):
    """The dict can be saved with np.savez and loaded back."""
    stats = RunningStats.from_batch(_realizations(3))
    np.savez(tmp_path / "stats.npz", **stats.to_dict())
    with np.load(tmp_path / "stats.npz") as loaded:
        back = RunningStats.from_dict(loaded)
    npt.assert_array_equal(back.mean, stats.mean)
    assert back.count.dtype == np.int64


def test_memory_independent_of_realizations():
    """The accumulator holds five arrays of the grid shape, whatever R."""
    stats = RunningStats.empty(SHAPE)
    for _ in range(3):
        stats.update(_realizations(10))
    arrays = stats.to_dict()
    assert all(value.shape == SHAPE for value in arrays.values())
    assert {name for name, value in vars(stats).items() if value is not None} == set(arrays)


@pytest.mark.parametrize(
    "batch, match",
    [
        (np.zeros((2, 4, 3)), r"batch has shape \(2, 4, 3\), expected \(R, \*\(4, 3, 5\)\)"),
        (np.zeros((2, 4, 3, 6)), r"batch has shape \(2, 4, 3, 6\)"),
        (np.zeros((4, 3, 5)), r"batch has shape \(4, 3, 5\)"),
    ],
    ids=["missing-axis", "wrong-size", "no-realization-axis"],
)
def test_update_shape_errors(batch, match):
    """update() names the batch shape received and the one expected."""
    with pytest.raises(StatsError, match=match):
        RunningStats.empty(SHAPE).update(batch)


def test_merge_errors():
    """merge() rejects other shapes and other types."""
    with pytest.raises(StatsError, match=r"shapes differ: \(4, 3, 5\) and \(4, 3\)"):
        RunningStats.empty(SHAPE).merge(RunningStats.empty((4, 3)))
    with pytest.raises(StatsError, match="expected a RunningStats, got dict"):
        RunningStats.empty(SHAPE).merge(RunningStats.empty(SHAPE).to_dict())


def test_constructor_and_dict_errors():
    """Bad shapes and incomplete dicts raise StatsError naming the problem."""
    with pytest.raises(StatsError, match="non-negative"):
        RunningStats.empty((3, -1))
    with pytest.raises(StatsError, match="tuple of ints"):
        RunningStats.empty("abc")
    data = RunningStats.empty(SHAPE).to_dict()
    del data["m2"]
    with pytest.raises(StatsError, match=r"missing key\(s\) \['m2'\]"):
        RunningStats.from_dict(data)
    data = RunningStats.empty(SHAPE).to_dict()
    data["max"] = np.zeros((4, 3))
    with pytest.raises(StatsError, match=r"'max' has shape \(4, 3\)"):
        RunningStats.from_dict(data)
    with pytest.raises(StatsError, match="ddof"):
        RunningStats.empty(SHAPE).std(ddof=-1)
