"""Memory-lean statistics: chunked batch moments, in-place merge, uint8 histogram counts (issue 15)."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import KrigflowError
from krigflow.stats import HistogramSpec, RunningStats, running, uniform_edges

SHAPE = (7, 5, 3)


def _batch(r, seed=0, nan=False, dtype=np.float64):
    rng = np.random.default_rng(seed)
    batch = rng.normal(50.0, 10.0, (r, *SHAPE)).astype(dtype)
    if nan:
        batch[rng.random(batch.shape) < 0.2] = np.nan
    return batch


@pytest.mark.parametrize("nan", [False, True])
def test_chunked_moments_equal_whole_batch(monkeypatch, nan):
    """Statistics computed in tiny chunks of cells equal the one-chunk computation (to rounding)."""
    batch = _batch(6, nan=nan)
    whole = RunningStats.from_batch(batch)
    monkeypatch.setattr(running, "CHUNK_BYTES", 100)
    chunked = RunningStats.from_batch(batch)
    for key in running.FIELDS:
        npt.assert_allclose(getattr(chunked, key), getattr(whole, key), rtol=1e-13)


def test_float32_batch_is_folded_in_double_precision():
    """A float32 batch gives the statistics of its values in float64 (no double-precision copy of the batch)."""
    batch = _batch(5, dtype=np.float32)
    a = RunningStats.from_batch(batch)
    b = RunningStats.from_batch(batch.astype(np.float64))
    assert a.mean.dtype == np.float64
    for key in running.FIELDS:
        npt.assert_array_equal(getattr(a, key), getattr(b, key))


@pytest.mark.parametrize("nan", [False, True])
def test_merge_in_place_equals_merge(monkeypatch, nan):
    """merge_in_place gives exactly merge's numbers (histograms too) and returns the same object."""
    monkeypatch.setattr(running, "CHUNK_BYTES", 640)
    spec = HistogramSpec(uniform_edges(20.0, 80.0, 12), cutoffs=(45.0,), max_count=20)
    a = RunningStats.from_batch(_batch(4, 1, nan), spec)
    b = RunningStats.from_batch(_batch(3, 2, nan), spec)
    expected = a.merge(b)
    assert a.merge_in_place(b) is a
    for key in running.FIELDS + ("cell_hist", "exceed", "hist_counts", "hist_outside"):
        npt.assert_array_equal(getattr(a, key), getattr(expected, key))
    empty = RunningStats.empty(SHAPE)
    empty.merge_in_place(b)
    npt.assert_array_equal(empty.mean, b.mean)


def test_merge_in_place_refuses_other_shapes():
    """A shape mismatch is refused before anything changes."""
    a = RunningStats.from_batch(_batch(2))
    before = a.mean.copy()
    with pytest.raises(KrigflowError, match="shapes differ"):
        a.merge_in_place(RunningStats.empty((2, 2, 2)))
    npt.assert_array_equal(a.mean, before)


def test_uint8_counts_up_to_255_realizations_and_overflow_refused():
    """One byte per bin and cell up to 255 realizations; a merge that would exceed it is refused."""
    edges = uniform_edges(0.0, 100.0, 10)
    assert HistogramSpec(edges, max_count=255).count_dtype == np.uint8
    assert HistogramSpec(edges, max_count=256).count_dtype == np.uint16
    spec = HistogramSpec(edges, cutoffs=(50.0,), max_count=200)
    a = RunningStats.from_batch(np.full((200, 2, 1, 1), 60.0), spec)
    assert a.cell_hist.dtype == np.uint8 and a.cell_hist.nbytes == 12 * 2
    b = RunningStats.from_batch(np.full((100, 2, 1, 1), 60.0), spec)
    with pytest.raises(KrigflowError, match="overflow"):
        a.merge(b)
