"""Tests of krigflow.grid: grid geometry, bounds, cell indices and validation."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import GridError
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
