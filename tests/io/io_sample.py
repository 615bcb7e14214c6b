"""Fixtures of the io tests: statistics on a small grid and the summary of their run.

Test modules make them fixtures (``arrays = pytest.fixture(sample_arrays, name="arrays")``); this is not a
conftest.py because a second conftest.py would replace the top-level one as the module ``conftest`` that
other tests import helpers from.
"""

import copy

import numpy as np

SHAPE = (4, 3, 5)


def sample_arrays():
    """Statistics on a 4 x 3 x 5 grid with distinct values, NaN, empty cells and extra arrays."""
    nx, ny, nz = SHAPE
    i, j, k = np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij")
    mean = 50.0 + 100.0 * i + 10.0 * j + k + 0.123456789
    count = np.full(SHAPE, 20, dtype=np.int64)
    count[0, 0, 0] = 0
    mean[0, 0, 0] = np.nan
    std = 1.0 + 0.01 * mean
    return {
        "mean": mean,
        "std": std,
        "count": count,
        "min": mean - 3.0,
        "max": mean + 3.0,
        "p10": mean - 1.5,
        "prob_gt_80": np.clip((mean - 50.0) / 400.0, 0, 1),
        "hist_counts": np.arange(10, dtype=np.int64),
        "hist_edges": np.linspace(0.0, 200.0, 11),
        "easting": 400000.0 + 50.0 * np.arange(nx) + 25.0,
        "northing": 8480000.0 + 40.0 * np.arange(ny) + 20.0,
        "tvdss": 1000.0 + 5.0 * np.arange(nz) + 2.5,
    }


def sample_summary():
    """A run summary: property GR in gAPI (the most common unit), seed 3, 20 realizations."""
    return copy.deepcopy(SUMMARY)


SUMMARY = {
    "config": {"property": "GR", "crs": None, "seed": 3, "variogram": {"model": "spherical", "sill": 400.0}},
    "wells": [{"unit": "gAPI"}, {"unit": "gAPI"}, {"unit": "API"}],
    "realizations_done": 20,
    "grid": {"spacing": [50.0, 40.0, 5.0]},
}
