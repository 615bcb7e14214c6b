"""Tests of krigflow.conditioning: upscaling well samples to conditioning data."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import ConditioningData, upscale
from krigflow.exceptions import GridError
from krigflow.grid import Grid


def test_upscale_means_nan_outside_and_order():
    """Each (well, cell) gets the mean of its valid samples at the cell centre, sorted by well then cell."""
    grid = Grid.from_bounds((0, 20, 0, 10, 0, 4), (10, 10, 2))
    easting = [15, 15, 5, 5, 5, 5, 5, 50]
    northing = [5] * 8
    tvdss = [0.5, 1.5, 0.5, 1.5, 2.5, 3.0, 3.5, 1.0]
    values = [10.0, 20.0, 1.0, 3.0, np.nan, 5.0, 7.0, 99.0]
    well = [1, 1, 0, 0, 0, 0, 0, 0]
    data = upscale(grid, easting, northing, tvdss, values, well, well_names=("A", "B"))
    assert isinstance(data, ConditioningData)
    npt.assert_allclose(data.values, [2.0, 6.0, 15.0], rtol=0, atol=1e-12)
    npt.assert_array_equal(data.well, [0, 0, 1])
    npt.assert_array_equal(data.cells, [[0, 0, 0], [0, 0, 1], [1, 0, 0]])
    npt.assert_allclose(data.easting, [5, 5, 15], rtol=0, atol=1e-12)
    npt.assert_allclose(data.tvdss, [1, 3, 1], rtol=0, atol=1e-12)
    assert data.well_names == ("A", "B")


def test_upscale_min_samples():
    """Cells with fewer valid samples than min_samples are dropped."""
    grid = Grid.from_bounds((0, 10, 0, 10, 0, 4), (10, 10, 2))
    data = upscale(grid, [5] * 3, [5] * 3, [0.5, 1.5, 2.5], [1.0, 2.0, 3.0], [0] * 3, min_samples=2)
    npt.assert_allclose(data.values, [1.5], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"values": [1.0]}, "same length"),
        ({"min_samples": 0}, "min_samples"),
        ({"well_names": ("A",), "well": [0, 1]}, "out of range"),
    ],
    ids=["length", "min-samples", "well-index"],
)
def test_upscale_errors(kwargs, match):
    """Inconsistent inputs raise GridError naming the problem."""
    grid = Grid.from_bounds((0, 10, 0, 10, 0, 4), (10, 10, 2))
    args = {"easting": [5, 5], "northing": [5, 5], "tvdss": [1, 3], "values": [1.0, 2.0], "well": [0, 0]}
    args.update(kwargs)
    with pytest.raises(GridError, match=match):
        upscale(grid, args.pop("easting"), args.pop("northing"), args.pop("tvdss"), args.pop("values"),
                args.pop("well"), **args)


def test_upscale_merges_wells_sharing_a_cell():
    """Two wells in one cell give one datum there: the mean of all its samples, owned by the larger share."""
    grid = Grid.from_bounds((0, 10, 0, 10, 0, 4), (10, 10, 2))
    # well 0: three samples in cell k=0 and one in k=1; well 1: one sample in cell k=0
    d = upscale(grid, [5] * 5, [5] * 5, [0.2, 0.5, 1.5, 2.5, 1.0], [1.0, 2.0, 3.0, 10.0, 6.0],
                [0, 0, 0, 0, 1], well_names=("A", "B"))
    assert d.values.tolist() == [3.0, 10.0]
    assert d.well.tolist() == [0, 0]
    assert d.cells[:, 2].tolist() == [0, 1]


def test_upscale_shared_cell_makes_krigeable_data():
    """Co-located wells no longer make the kriging system singular."""
    from krigflow.kriging import krige_grid
    from krigflow.variogram.model import Variogram

    grid = Grid.from_bounds((0, 100, 0, 100, 0, 20), (10, 10, 2))
    z = np.linspace(0.5, 19.5, 20)
    e = np.r_[np.full(20, 55.0), np.full(20, 52.0), np.full(20, 15.0)]   # wells 0 and 1 share a column
    n = np.r_[np.full(20, 55.0), np.full(20, 57.0), np.full(20, 85.0)]
    vals = np.r_[np.sin(z), np.cos(z), z / 10]
    d = upscale(grid, e, n, np.r_[z, z, z], vals, np.repeat([0, 1, 2], 20))
    est = krige_grid(grid, Variogram("exponential", sill=1.0, range_h=50, range_v=5), d)
    assert np.all(np.isfinite(est))
    i, j, k = d.cells.T
    np.testing.assert_allclose(est[0, i, j, k], d.values, atol=1e-8)
