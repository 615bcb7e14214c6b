"""Tests of krigflow.grid: Grid construction and upscaling of well samples."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import GridError
from krigflow.conditioning import ConditioningData, upscale
from krigflow.grid import Grid


def test_from_bounds_shape_centres_bounds():
    """Outer-edge bounds give round(extent/spacing) cells with centres half a cell inside."""
    grid = Grid.from_bounds((100, 300, 0, 50, 1000, 1010), (20, 10, 2))
    assert grid.shape == (10, 5, 5)
    assert grid.n_cells == 250
    npt.assert_allclose(grid.easting, 110 + 20 * np.arange(10), rtol=0, atol=1e-12)
    npt.assert_allclose(grid.tvdss, [1001, 1003, 1005, 1007, 1009], rtol=0, atol=1e-12)
    npt.assert_allclose(grid.bounds, (100, 300, 0, 50, 1000, 1010), rtol=0, atol=1e-9)


def test_from_bounds_tolerates_rounding():
    """Extents that are whole multiples up to floating-point rounding are accepted."""
    grid = Grid.from_bounds((0, 0.3, 0, 1, 0, 1), (0.1, 0.5, 0.25))
    assert grid.shape == (3, 2, 4)


@pytest.mark.parametrize(
    "bounds, spacing, match",
    [
        ((0, 105, 0, 100, 0, 10), (10, 10, 1), "easting extent 105"),
        ((0, 100, 50, 10, 0, 10), (10, 10, 1), "northing_max"),
        ((0, 100, 0, 100, 0, 10), (10, 0, 1), "spacing"),
        ((0, 100, 0, 100, 0), (10, 10, 1), "bounds must be six"),
        ((0, 100, 0, 100, 0, np.nan), (10, 10, 1), "finite"),
    ],
    ids=["non-multiple", "unordered", "zero-spacing", "five-bounds", "nan"],
)
def test_from_bounds_errors(bounds, spacing, match):
    """Invalid bounds or spacing raise GridError naming the bad value."""
    with pytest.raises(GridError, match=match):
        Grid.from_bounds(bounds, spacing)


def test_grid_validates_shape():
    """A non-positive or non-integer shape is rejected."""
    with pytest.raises(GridError, match="shape"):
        Grid(origin=(0, 0, 0), spacing=(1, 1, 1), shape=(2, 0, 3))
    with pytest.raises(GridError, match="shape"):
        Grid(origin=(0, 0, 0), spacing=(1, 1, 1), shape=(2, 1.5, 3))


def test_grid_is_frozen():
    """Grid is immutable."""
    grid = Grid((0, 0, 0), (1, 1, 1), (1, 1, 1))
    with pytest.raises(AttributeError):
        grid.shape = (2, 2, 2)


def test_around_points_padding_and_alignment():
    """The grid holds every point plus padding, with edges snapped outwards to multiples of the spacing."""
    grid = Grid.around_points([5, 95, np.nan], [10, 40, 0], [1003, 1017, 0], (10, 10, 4), padding=(10, 10, 0))
    assert grid.bounds == (-10.0, 110.0, 0.0, 50.0, 1000.0, 1020.0)
    assert grid.shape == (12, 5, 5)


def test_around_points_point_on_edge_is_inside():
    """A point exactly on an aligned edge is still inside the (half-open) cells."""
    grid = Grid.around_points([0, 100], [0, 100], [0, 8], (10, 10, 4))
    _, inside = grid.cell_indices([0, 100], [0, 100], [0, 8])
    assert inside.all()


def test_around_points_errors():
    """No finite point or negative padding is rejected."""
    with pytest.raises(GridError, match="no point"):
        Grid.around_points([np.nan], [0], [0], (1, 1, 1))
    with pytest.raises(GridError, match="padding"):
        Grid.around_points([0], [0], [0], (1, 1, 1), padding=(-1, 0, 0))


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
