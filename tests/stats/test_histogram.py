"""Tests of krigflow.stats.histogram and the quantiles of RunningStats: HistogramSpec, quantiles, exceedance, pooled histogram."""
import io

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import StatsError
from krigflow.stats.histogram import HistogramSpec, cutoff_name, quantile_name, uniform_edges
from krigflow.stats.running import RunningStats

SHAPE = (6, 5, 4)
EDGES = uniform_edges(20.0, 130.0, 55)          # bin width 2; some values fall outside
SPEC = HistogramSpec(EDGES, cutoffs=(60.0, 100.0))


def _realizations(n=200, seed=0):
    """Skewed realizations (lognormal-ish) so that quantiles are not symmetric."""
    rng = np.random.default_rng(seed)
    return 30.0 + np.exp(3.4 + 0.45 * rng.standard_normal((n, *SHAPE)))


def _stats(data, sizes, spec=SPEC):
    """Accumulate ``data`` in consecutive batches of the given sizes."""
    stats = RunningStats.empty(SHAPE, spec)
    start = 0
    for size in sizes:
        stats.update(data[start:start + size])
        start += size
    assert start == len(data)
    return stats


@pytest.mark.parametrize("q", [0.0, 0.01, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0])
def test_quantiles_agree_with_numpy_within_one_bin(q):
    """Histogram quantiles are within one bin width of numpy's inverted-CDF sample quantile."""
    data = _realizations()
    stats = _stats(data, [64, 64, 72])
    expected = np.quantile(data, q, axis=0, method="inverted_cdf")
    width = stats.bin_width()
    assert width == pytest.approx(2.0)
    # outside the edges the bound is the distance from the edge to min/max
    bound = np.where(expected < EDGES[0], EDGES[0] - stats.min,
                     np.where(expected >= EDGES[-1], stats.max - EDGES[-1], width))
    assert np.all(np.abs(stats.quantile(q) - expected) <= bound + 1e-9)
    # numpy's default (linear) definition: also within one bin plus the order-statistic gap
    linear = np.quantile(data, q, axis=0)
    gap = np.abs(linear - expected)
    assert np.all(np.abs(stats.quantile(q) - linear) <= bound + gap + 1e-9)


def test_quantile_typical_error_is_much_smaller_than_a_bin():
    """Linear interpolation inside the bin makes the typical error a fraction of the bin width."""
    data = _realizations(500, seed=3)
    stats = _stats(data, [500])
    err = np.abs(stats.quantile(0.5) - np.quantile(data, 0.5, axis=0, method="inverted_cdf"))
    assert np.median(err) < 0.25 * stats.bin_width()


def test_merge_order_gives_identical_counts_and_quantiles():
    """Integer counts merge exactly: any order and batching gives bit-identical results."""
    data = _realizations(120, seed=1)
    parts = [RunningStats.from_batch(data[a:b], SPEC) for a, b in [(0, 7), (7, 50), (50, 51), (51, 120)]]
    forward = RunningStats.empty(SHAPE)
    for p in parts:
        forward = forward.merge(p)
    backward = parts[3].merge(parts[2]).merge(parts[1].merge(parts[0]))
    for name in ("cell_hist", "exceed", "hist_counts", "hist_outside", "min", "max", "count"):
        npt.assert_array_equal(getattr(forward, name), getattr(backward, name), err_msg=name)
    npt.assert_array_equal(forward.quantile([0.1, 0.5, 0.9]), backward.quantile([0.1, 0.5, 0.9]))
    npt.assert_array_equal(forward.cell_hist, _stats(data, [120]).cell_hist)


def test_exceedance_is_exact():
    """prob_gt_<cutoff> counts values strictly above the cutoff, independently of the bins."""
    data = _realizations(90, seed=2)
    data[0, 0, 0, 0] = 60.0                     # equal to the cutoff: not counted
    stats = _stats(data, [30, 60])
    npt.assert_array_equal(stats.exceedance()[0], np.mean(data > 60.0, axis=0))
    npt.assert_array_equal(stats.exceedance()[1], np.mean(data > 100.0, axis=0))


def test_pooled_histogram_matches_numpy():
    """hist_counts is numpy's histogram of every value; hist_outside counts values off the edges."""
    data = _realizations(50, seed=4)
    stats = _stats(data, [10, 40])
    inside = data[(data >= EDGES[0]) & (data < EDGES[-1])]
    npt.assert_array_equal(stats.hist_counts, np.histogram(inside, EDGES)[0])
    assert stats.hist_outside.tolist() == [int(np.sum(data < EDGES[0])), int(np.sum(data >= EDGES[-1]))]
    assert stats.hist_counts.sum() + stats.hist_outside.sum() == data.size


def test_nan_values_not_counted():
    """A NaN (no value in that realization) is not counted in any histogram."""
    data = _realizations(40, seed=5)
    data[::3, 1, 1, 1] = np.nan
    stats = _stats(data, [40])
    cell = data[:, 1, 1, 1]
    assert int(stats.cell_hist[:, 1, 1, 1].sum()) == np.sum(~np.isnan(cell)) == stats.count[1, 1, 1]
    assert stats.exceedance()[0, 1, 1, 1] == np.sum(cell > 60) / np.sum(~np.isnan(cell))
    expected = np.nanquantile(cell, 0.5, method="inverted_cdf")
    assert abs(stats.quantile(0.5)[1, 1, 1] - expected) <= stats.bin_width()


def test_npz_round_trip_without_pickle():
    """to_dict() saved as npz (allow_pickle=False) and from_dict() give the same statistics."""
    stats = _stats(_realizations(30), [30])
    buffer = io.BytesIO()
    np.savez(buffer, **stats.to_dict())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as npz:
        back = RunningStats.from_dict(dict(npz))
    npt.assert_array_equal(back.cell_hist, stats.cell_hist)
    npt.assert_array_equal(back.quantile(0.9), stats.quantile(0.9))
    assert back.cell_hist.dtype == np.uint16 and back.spec().cutoffs == (60.0, 100.0)


def test_output_arrays_names():
    """output_arrays names the quantiles p<q> and the exceedance prob_gt_<cutoff>."""
    stats = _stats(_realizations(20), [20])
    arrays = stats.output_arrays([10, 50, 90, 2.5])
    assert {"p10", "p50", "p90", "p2.5", "prob_gt_60", "prob_gt_100", "hist_edges", "hist_counts",
            "hist_outside"} == set(arrays)
    assert quantile_name(90) == "p90" and cutoff_name(62.5) == "prob_gt_62.5"
    assert RunningStats.empty(SHAPE).output_arrays([50]) == {}


def test_memory_per_cell():
    """Per-cell counts are uint16 (B + 2 bins and K cutoffs per cell) up to 65 535 realizations."""
    stats = RunningStats.empty(SHAPE, SPEC)
    assert stats.cell_hist.dtype == np.uint16 and stats.cell_hist.shape == (57, *SHAPE)
    assert SPEC.cell_bytes() == (57 + 2) * 2
    big = HistogramSpec(EDGES, max_count=100_000)
    assert RunningStats.empty(SHAPE, big).cell_hist.dtype == np.uint32
    without = HistogramSpec(EDGES, cell_histograms=False)
    assert RunningStats.empty(SHAPE, without).cell_hist is None


def test_histogram_errors():
    """Mismatched histograms refuse to merge; bad specs and quantiles are reported."""
    a = RunningStats.from_batch(_realizations(3), SPEC)
    with pytest.raises(StatsError, match="histogram edges differ"):
        a.merge(RunningStats.from_batch(_realizations(3), HistogramSpec(EDGES + 1.0, (60.0, 100.0))))
    with pytest.raises(StatsError, match="cutoffs differ"):
        a.merge(RunningStats.from_batch(_realizations(3), HistogramSpec(EDGES, (60.0,))))
    with pytest.raises(StatsError, match="has none"):
        a.merge(RunningStats.from_batch(_realizations(3)))
    with pytest.raises(StatsError, match="edges must be"):
        HistogramSpec([1.0, 1.0])
    with pytest.raises(StatsError, match="q must be in"):
        a.quantile(1.5)
    with pytest.raises(StatsError, match="no per-cell histograms"):
        RunningStats.from_batch(_realizations(3), HistogramSpec(EDGES, cell_histograms=False)).quantile(0.5)
    with pytest.raises(StatsError, match="overflow"):
        small = HistogramSpec(EDGES, max_count=65535)
        full = RunningStats.empty((1,), small)
        full.cell_hist[1, 0] = 65535
        full.count[...] = 65535
        full.merge(RunningStats.from_batch(np.full((1, 1), 21.0), small))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bin_index_is_searchsorted(dtype):
    """The arithmetic binning of uniform edges gives searchsorted's bins exactly: values on, just below and
    just above every edge, far outside, infinite; non-uniform edges fall back to searchsorted."""
    from krigflow.stats.histogram import BIN_BLOCK, bin_index

    rng = np.random.default_rng(3)
    for low, high, bins in ((0.0, 1.0, 100), (-3.7, 123.9, 100), (35.6, 89.7, 7), (0.0, 1.0, 1)):
        edges = uniform_edges(low, high, bins)
        values = np.concatenate([rng.uniform(low - 0.3 * (high - low), high + 0.3 * (high - low), 3 * BIN_BLOCK),
                                 edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf),
                                 [1e30, -1e30, np.inf, -np.inf]]).astype(dtype)
        np.testing.assert_array_equal(bin_index(edges, values), np.searchsorted(edges, values, side="right"))
    edges = np.array([0.0, 1.0, 5.0, 6.0])
    values = rng.uniform(-1, 7, 1000)
    np.testing.assert_array_equal(bin_index(edges, values), np.searchsorted(edges, values, side="right"))
    assert bin_index(edges[:2], np.array([np.nan]))[0] in (0, 2)
