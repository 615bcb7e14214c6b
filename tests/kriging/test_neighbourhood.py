"""Tests of krigflow.kriging.neighbourhood: the moving neighbourhood of krige_grid."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import ConditioningData, upscale
from krigflow.exceptions import KrigingError
from krigflow.grid import Grid
from krigflow.kriging import krige_grid, krige_points
from krigflow.variogram.model import Variogram


def _scattered_data(n=40, seed=0):
    """Irregular data in a 500 x 400 x 40 m box with a smooth trend plus noise."""
    rng = np.random.default_rng(seed)
    e, nn, t = rng.uniform(0, 500, n), rng.uniform(0, 400, n), rng.uniform(1000, 1040, n)
    values = np.sin(e / 120) + 0.02 * t + rng.normal(scale=0.2, size=n)
    return ConditioningData(e, nn, t, values, np.zeros(n, int), np.zeros((n, 3), int), ("w",))


def _well_problem(seed=0, deviated=True):
    """A small grid with three vertical wells and (optionally) one deviated well, upscaled to the lattice."""
    rng = np.random.default_rng(seed)
    grid = Grid.from_bounds((0, 400, 0, 300, 1000, 1040), (20, 20, 2))
    tvd = np.arange(1000.2, 1040.0, 0.5)
    heads = [(55, 77), (210, 150), (330, 260)]
    e = [np.full(tvd.size, x, float) for x, _ in heads]
    n = [np.full(tvd.size, y, float) for _, y in heads]
    if deviated:
        e.append(100 + 4 * (tvd - 1000))
        n.append(250 - 3 * (tvd - 1000))
    k = len(e)
    e, n = np.concatenate(e), np.concatenate(n)
    t = np.tile(tvd, k)
    well = np.repeat(np.arange(k), tvd.size)
    values = np.sin(e / 50) + np.cos(t / 3) + rng.normal(scale=0.1, size=e.size)
    return grid, upscale(grid, e, n, t, values, well)


VARIOGRAMS = [
    Variogram("exponential", sill=1.2, range_h=300.0, range_h2=150.0, azimuth=30.0, range_v=8.0, nugget=0.1),
    Variogram("spherical", sill=2.0, range_h=250.0, range_v=12.0),
    Variogram("gaussian", sill=1.0, range_h=200.0, range_v=10.0, nugget=0.05),
    Variogram("matern", sill=1.0, range_h=300.0, range_v=10.0, nu=1.5, nugget=0.02),
]
VARIOGRAM_IDS = ["exponential-aniso", "spherical", "gaussian", "matern"]


@pytest.mark.parametrize("kind", ["ordinary", "simple"])
@pytest.mark.parametrize("octants", [False, True])
def test_neighbourhood_with_all_data_equals_global(kind, octants):
    """A moving neighbourhood holding every datum gives the global answer (per realization)."""
    _, data = _well_problem(seed=9, deviated=True)
    grid = Grid.from_bounds((0, 400, 0, 300, 1000, 1040), (40, 50, 4))    # coarser target grid
    masks = np.random.default_rng(10).random((data.n, 2)) < 0.7
    v = VARIOGRAMS[0]
    ref = krige_grid(grid, v, data, kind=kind, mean=0.2, masks=masks, method="dense")
    k = 8 * data.n if octants else data.n
    out = krige_grid(grid, v, data, kind=kind, mean=0.2, masks=masks, neighbourhood={"max_data": k,
                                                                                   "octants": octants})
    npt.assert_allclose(out, ref, rtol=0, atol=1e-9 * np.abs(ref).max())


def test_neighbourhood_octants_spread_the_data():
    """With octants, a cell beside one well takes data from several wells, and stays exact at data."""
    from scipy.spatial import cKDTree

    from krigflow.kriging.neighbourhood import _scaled_coordinates, _select_neighbours

    grid, data = _well_problem(seed=11, deviated=False)
    v = Variogram("spherical", sill=1.0, range_h=250.0, range_v=100.0)
    coords = np.stack([data.easting, data.northing, data.tvdss], 1)
    scaled = _scaled_coordinates(v, coords)
    target = _scaled_coordinates(v, coords[:1] + [1.0, 0.0, 0.0])
    near = _select_neighbours(cKDTree(scaled), scaled, target, 16, False)[0]
    spread = _select_neighbours(cKDTree(scaled), scaled, target, 16, True)[0]
    assert np.unique(data.well[near]).size == 1
    assert np.unique(data.well[spread[spread >= 0]]).size > 1
    out = krige_grid(grid, v, data, neighbourhood={"max_data": 16, "octants": True})[0]
    npt.assert_allclose(out[tuple(data.cells.T)], data.values, rtol=0, atol=1e-9)


def test_neighbourhood_errors():
    """Bad neighbourhood options raise KrigingError naming the key."""
    grid, data = _well_problem()
    with pytest.raises(KrigingError, match="max_data"):
        krige_grid(grid, VARIOGRAMS[1], data, neighbourhood={"max_data": 0})
    with pytest.raises(KrigingError, match="unknown key"):
        krige_grid(grid, VARIOGRAMS[1], data, neighbourhood={"max_data": 4, "radius": 10})


def _brute_neighbourhood_reference(grid, v, data, cells, k, octants, kind="ordinary", mean=None):
    """Per cell: select neighbours by brute force (cKDTree per cell), krige with krige_points on them."""
    from scipy.spatial import cKDTree

    from krigflow.kriging.neighbourhood import _scaled_coordinates, _select_neighbours

    coords = np.stack([data.easting, data.northing, data.tvdss], 1)
    scaled = _scaled_coordinates(v, coords)
    out = []
    for i, j, kk in cells:
        p = np.array([[grid.easting[i], grid.northing[j], grid.tvdss[kk]]])
        sel = _select_neighbours(cKDTree(scaled), scaled, _scaled_coordinates(v, p), k, octants)[0]
        sel = sel[sel >= 0]
        sub = ConditioningData(data.easting[sel], data.northing[sel], data.tvdss[sel], data.values[sel],
                               np.zeros(sel.size, int), np.zeros((sel.size, 3), int), ("w",))
        out.append(krige_points(v, sub, p[:, 0], p[:, 1], p[:, 2], kind=kind, mean=mean).estimate[0])
    return np.array(out)


@pytest.mark.parametrize("kind", ["ordinary", "simple"])
@pytest.mark.parametrize("octants", [False, True])
def test_neighbourhood_block_search_matches_per_cell_search(kind, octants):
    """Block candidate search + shared sets give, cell by cell, kriging with the per-cell k-d tree selection."""
    data = _scattered_data(n=120, seed=21)             # scattered: no distance ties
    grid = Grid.from_bounds((0, 500, 0, 400, 1000, 1040), (25, 25, 4))
    v = VARIOGRAMS[0]
    out = krige_grid(grid, v, data, kind=kind, mean=0.4, neighbourhood={"max_data": 12, "octants": octants},
                     chunk_bytes=2**18)[0]
    cells = np.random.default_rng(3).integers(0, grid.shape, size=(40, 3))
    ref = _brute_neighbourhood_reference(grid, v, data, cells, 12, octants, kind=kind, mean=0.4)
    npt.assert_allclose(out[tuple(cells.T)], ref, rtol=0, atol=1e-10)


def test_neighbourhood_shared_shapes_on_lattice_data():
    """Lattice data (many sets share one kriging matrix one layer lower): equal to per-cell kriging, exact at data."""
    grid, data = _well_problem(seed=12, deviated=False)
    v = Variogram("exponential", sill=1.0, range_h=300.0, range_h2=200.0, azimuth=20.0, range_v=6.0, nugget=0.0)
    out = krige_grid(grid, v, data, neighbourhood={"max_data": 9})[0]
    npt.assert_allclose(out[tuple(data.cells.T)], data.values, rtol=0, atol=1e-9)
    # cells whose 9th and 10th nearest distances differ (lattice data have ties: any tie-break is valid)
    from krigflow.kriging.dual import _scaled_coordinates
    coords = np.stack([data.easting, data.northing, data.tvdss], 1)
    scaled = _scaled_coordinates(v, coords)
    rng = np.random.default_rng(4)
    cells = []
    while len(cells) < 30:
        c = rng.integers(0, grid.shape)
        p = _scaled_coordinates(v, np.array([[grid.easting[c[0]], grid.northing[c[1]], grid.tvdss[c[2]]]]))
        d = np.sort(np.linalg.norm(scaled - p, axis=1))
        if d[9] - d[8] > 1e-6:
            cells.append(c)
    ref = _brute_neighbourhood_reference(grid, v, data, np.array(cells), 9, False)
    npt.assert_allclose(out[tuple(np.array(cells).T)], ref, rtol=0, atol=1e-10)


def test_neighbourhood_memory_bounded_by_chunk():
    """The moving neighbourhood's working memory follows chunk_bytes, not the grid size."""
    import tracemalloc

    _, data = _well_problem(seed=13, deviated=True)
    v = VARIOGRAMS[0]
    peaks = []
    for shape in ((20, 15, 20), (40, 30, 40)):                       # 8x more cells
        grid = Grid.from_bounds((0, 400, 0, 300, 1000, 1040), (400 / shape[0], 300 / shape[1], 40 / shape[2]))
        tracemalloc.start()
        out = krige_grid(grid, v, data, neighbourhood={"max_data": 16, "octants": True}, chunk_bytes=2**20)
        peak = tracemalloc.get_traced_memory()[1] - out.nbytes
        tracemalloc.stop()
        peaks.append(peak)
    assert peaks[1] < 8 * 2**20, peaks
    assert peaks[1] < 3 * peaks[0] + 2**20, peaks
