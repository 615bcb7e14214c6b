"""Tests of krigflow.run.problem: the problem built from wells and config."""

import numpy.testing as npt
import pytest
from synthetic_field import make_wells, small_config

from krigflow.exceptions import KrigflowError
from krigflow.run.problem import build_problem


@pytest.fixture(scope="module")
def problem():
    return build_problem(make_wells(), small_config())


def test_build_problem_grid_and_data(problem):
    """The problem holds the configured grid and one datum per (well, cell)."""
    assert problem.grid.shape == (20, 20, 10)
    assert problem.data.n == 5 * 10
    assert problem.data.well_names == ("W0", "W1", "W2", "W3", "W4")
    assert problem.kind == "ordinary" and problem.mean is None
    assert problem.variogram.range_v == 25.0


def test_build_problem_is_order_independent():
    """Wells arriving in another order give the same problem."""
    a = build_problem(make_wells(), small_config())
    b = build_problem(make_wells()[::-1], small_config())
    npt.assert_array_equal(a.data.values, b.data.values)
    npt.assert_array_equal(a.data.well, b.data.well)


def test_build_problem_automatic_grid_and_simple_mean():
    """Without bounds the grid wraps the wells plus padding; simple kriging defaults to the data mean."""
    cfg = small_config(grid={"spacing": [50.0, 50.0, 10.0], "padding": [100.0, 100.0, 0.0]}, kriging="simple")
    p = build_problem(make_wells(), cfg)
    lo_e, hi_e, lo_n, hi_n, lo_z, hi_z = p.grid.bounds
    assert lo_e <= 900 and hi_e >= 1950 and lo_n <= 900 and hi_n >= 1950
    assert lo_z <= 1000 and hi_z >= 1089.5
    assert p.kind == "simple"
    npt.assert_allclose(p.mean, p.data.values.mean(), rtol=1e-12)


def test_build_problem_errors():
    """No wells, or no datum inside the grid, are clear errors."""
    with pytest.raises(KrigflowError, match="no wells"):
        build_problem([], small_config())
    far = small_config(grid={"spacing": [10.0, 10.0, 1.0], "bounds": [0, 100, 0, 100, 0, 10]})
    with pytest.raises(KrigflowError, match="no conditioning datum inside the grid"):
        build_problem(make_wells(), far)
