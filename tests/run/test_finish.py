"""Tests of krigflow.run.finish: the merge order and the coverage checks of a run's end."""

import numpy.testing as npt
import pytest
from fake_partials import batch, write
from synthetic_field import compute_partial, make_wells, small_config

from krigflow.exceptions import KrigflowError
from krigflow.io import read_partial
from krigflow.run import build_problem, final_arrays, merge_partials
from krigflow.stats import RunningStats


@pytest.fixture(scope="module")
def problem():
    return build_problem(make_wells(), small_config())


def test_final_arrays_checks_coverage(problem):
    """Missing or duplicated realizations are refused."""
    part = compute_partial(problem, [[0, 1]])
    with pytest.raises(KrigflowError, match="missing: \\[2, 3\\]"):
        final_arrays([part], problem.grid, 4)
    with pytest.raises(KrigflowError, match="not covered exactly once"):
        final_arrays([part, part], problem.grid, 2)
    with pytest.raises(KrigflowError, match="no realization"):
        final_arrays([], problem.grid, 2)


def test_merge_is_order_independent(tmp_path):
    """Partials are merged sorted by realization: any listing order gives identical bits."""
    paths = [write(str(tmp_path), idx) for idx in ([6, 7, 8], [0, 1], [2, 3, 4, 5])]
    parts = [read_partial(p) for p in paths]
    one = merge_partials(parts)
    two = merge_partials(parts[::-1])
    reference = RunningStats.from_batch(batch(range(9)))
    for key in ("count", "mean", "m2", "min", "max"):
        npt.assert_array_equal(getattr(one, key), getattr(two, key))
        npt.assert_allclose(getattr(one, key), getattr(reference, key), rtol=0, atol=1e-10)
