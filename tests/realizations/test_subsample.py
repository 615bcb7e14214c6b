"""Tests of krigflow.realizations.subsample: per-realization generators and subsampling masks."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import SimulationError
from krigflow.realizations.subsample import realization_rng, subsample_mask, subsample_masks

# 8 wells with different numbers of data, labels not contiguous.
WELL = np.repeat(np.array([0, 1, 2, 3, 5, 6, 7, 9]), [5, 3, 8, 1, 6, 4, 7, 2])


def test_realization_rng_is_default_rng_of_seed_and_index():
    """realization_rng(s, r) draws exactly what default_rng([s, r]) draws."""
    npt.assert_array_equal(
        realization_rng(42, 7).random(10), np.random.default_rng([42, 7]).random(10)
    )
    assert realization_rng(np.int64(42), np.int32(7)).random() == realization_rng(42, 7).random()


@pytest.mark.parametrize(
    "seed, index, match",
    [(-1, 0, "seed"), (0, -3, "realization index"), (1.5, 0, "seed"), (0, "2", "realization index"),
     (True, 0, "seed")],
    ids=["negative-seed", "negative-index", "float-seed", "str-index", "bool-seed"],
)
def test_realization_rng_errors(seed, index, match):
    """Seeds and indices must be non-negative integers."""
    with pytest.raises(SimulationError, match=f"{match} must be a non-negative integer"):
        realization_rng(seed, index)


@pytest.mark.parametrize("unit", ["wells", "samples"])
def test_masks_reproducible(unit):
    """The same seed and indices give the same masks."""
    a = subsample_masks(3, range(20), WELL, fraction=0.5, unit=unit)
    b = subsample_masks(3, range(20), WELL, fraction=0.5, unit=unit)
    npt.assert_array_equal(a, b)
    assert a.shape == (WELL.size, 20) and a.dtype == bool


@pytest.mark.parametrize("unit", ["wells", "samples"])
def test_masks_independent_of_batching_and_order(unit):
    """A realization's mask does not depend on the batch or order it is drawn in."""
    indices = np.arange(30)
    whole = subsample_masks(11, indices, WELL, fraction=0.75, unit=unit)
    batches = [indices[:7], indices[7:8], indices[8:30]]
    pieces = np.concatenate([subsample_masks(11, b, WELL, fraction=0.75, unit=unit) for b in batches],
                            axis=1)
    npt.assert_array_equal(pieces, whole)
    order = np.random.default_rng(0).permutation(indices)
    shuffled = subsample_masks(11, order, WELL, fraction=0.75, unit=unit)
    npt.assert_array_equal(shuffled, whole[:, order])
    single = subsample_mask(realization_rng(11, 17), WELL, fraction=0.75, unit=unit)
    npt.assert_array_equal(single, whole[:, 17])


@pytest.mark.parametrize("unit", ["wells", "samples"])
def test_masks_differ_between_realizations_and_seeds(unit):
    """Different realizations (and seeds) draw different subsets."""
    masks = subsample_masks(5, range(20), WELL, fraction=0.5, unit=unit)
    distinct = {tuple(column) for column in masks.T}
    assert len(distinct) > 10
    other = subsample_masks(6, range(20), WELL, fraction=0.5, unit=unit)
    assert not np.array_equal(masks, other)


@pytest.mark.parametrize(
    "fraction, n_kept", [(0.75, 6), (0.5, 4), (0.3, 2), (0.01, 1), (1.0, 8), (0.0625, 1), (0.1875, 2)]
)
def test_wells_fraction_respected(fraction, n_kept):
    """unit='wells' keeps round(fraction * n_wells) whole wells (at least one)."""
    masks = subsample_masks(1, range(25), WELL, fraction=fraction, unit="wells")
    for column in masks.T:
        kept = np.unique(WELL[column])
        assert kept.size == n_kept
        # whole wells: every datum of a kept well is used, none of the others
        npt.assert_array_equal(column, np.isin(WELL, kept))


@pytest.mark.parametrize("fraction, n_kept", [(0.75, 27), (0.5, 18), (0.01, 1), (1.0, 36)])
def test_samples_fraction_respected(fraction, n_kept):
    """unit='samples' keeps round(fraction * n) data (at least one)."""
    masks = subsample_masks(2, range(25), WELL, fraction=fraction, unit="samples")
    npt.assert_array_equal(masks.sum(axis=0), n_kept)


def test_min_keep():
    """min_keep raises the number kept, capped at the number available."""
    masks = subsample_masks(2, range(10), WELL, fraction=0.1, unit="wells", min_keep=3)
    assert all(np.unique(WELL[c]).size == 3 for c in masks.T)
    masks = subsample_masks(2, range(10), WELL, fraction=0.1, unit="samples", min_keep=100)
    assert masks.all()
    masks = subsample_masks(2, range(10), WELL, fraction=0.1, unit="samples", min_keep=0)
    npt.assert_array_equal(masks.sum(axis=0), 4)


def test_wells_selection_frequencies_uniform():
    """Every well is kept in about fraction of the realizations."""
    masks = subsample_masks(9, range(2000), WELL, fraction=0.5, unit="wells")
    labels = np.unique(WELL)
    freq = np.array([masks[WELL == label][0].mean() for label in labels])
    npt.assert_allclose(freq, 0.5, atol=0.05)


def test_string_labels_and_empty_data():
    """Well labels may be names; no data gives an empty mask."""
    names = np.array(["A", "A", "B", "C", "C"])
    mask = subsample_mask(realization_rng(0, 0), names, fraction=0.5, unit="wells")
    assert np.unique(names[mask]).size == 2
    assert subsample_masks(0, [0, 1], np.array([], dtype=int), fraction=0.5).shape == (0, 2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fraction": 0.0}, r"fraction must be in \(0, 1\], got 0.0"),
        ({"fraction": 1.2}, r"fraction must be in \(0, 1\], got 1.2"),
        ({"fraction": -0.5}, r"fraction must be in \(0, 1\]"),
        ({"fraction": "half"}, r"fraction must be a number"),
        ({"fraction": 0.5, "unit": "cells"}, r"unit must be one of \('wells', 'samples'\), got 'cells'"),
        ({"fraction": 0.5, "min_keep": -1}, "min_keep must be a non-negative integer"),
    ],
    ids=["zero", "above-one", "negative", "str", "bad-unit", "bad-min-keep"],
)
def test_subsample_errors(kwargs, match):
    """Bad subsampling parameters raise SimulationError naming the value."""
    with pytest.raises(SimulationError, match=match):
        subsample_masks(0, [0], WELL, **kwargs)
    with pytest.raises(SimulationError, match=match):
        subsample_mask(realization_rng(0, 0), WELL, **kwargs)


def test_shape_errors():
    """well must be 1-D and indices 1-D."""
    with pytest.raises(SimulationError, match="well must be a 1-D array"):
        subsample_masks(0, [0], WELL.reshape(4, 9), fraction=0.5)
    with pytest.raises(SimulationError, match="indices must be a 1-D"):
        subsample_masks(0, [[0, 1]], WELL, fraction=0.5)
    with pytest.raises(SimulationError, match="realization index"):
        subsample_masks(0, [0, -1], WELL, fraction=0.5)
