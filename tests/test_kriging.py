"""Tests of krigflow.kriging.engines: exactness, weights, variances, PyKrige oracle, engines and masks."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import KrigingError
from krigflow.conditioning import ConditioningData, upscale
from krigflow.grid import Grid
from krigflow.kriging import dual_weights, krige_grid, krige_points
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
@pytest.mark.parametrize("variogram", VARIOGRAMS, ids=VARIOGRAM_IDS)
def test_exact_at_data_with_zero_variance(variogram, kind):
    """At the data the estimate equals the datum and the kriging variance is zero."""
    data = _scattered_data()
    res = krige_points(variogram, data, data.easting, data.northing, data.tvdss, kind=kind, mean=0.5)
    npt.assert_allclose(res.estimate, data.values, rtol=0, atol=1e-9)
    npt.assert_allclose(res.variance, 0.0, atol=1e-9)


@pytest.mark.parametrize("variogram", VARIOGRAMS, ids=VARIOGRAM_IDS)
def test_ordinary_weights_sum_to_one_and_variance_nonnegative(variogram):
    """Ordinary-kriging weights sum to one and the variance is >= 0 and <= the sill plus |mu|."""
    data = _scattered_data()
    rng = np.random.default_rng(1)
    pts = [rng.uniform(-50, 550, 200), rng.uniform(-50, 450, 200), rng.uniform(990, 1050, 200)]
    res = krige_points(variogram, data, *pts, return_weights=True)
    npt.assert_allclose(res.weights.sum(axis=1), 1.0, rtol=0, atol=1e-10)
    assert np.all(res.variance >= -1e-10)


def test_grid_exact_at_data_all_engines():
    """Every grid engine reproduces the data at their cells."""
    grid, data = _well_problem()
    v = VARIOGRAMS[0]
    for method in ["dense", "fft", "columns"]:
        out = krige_grid(grid, v, data, method=method)[0]
        npt.assert_allclose(out[tuple(data.cells.T)], data.values, rtol=0, atol=1e-9)


def _pykrige_ok3d(variogram, data, pts):
    """PyKrige OrdinaryKriging3D with our variogram translated into its conventions."""
    pk = pytest.importorskip("pykrige.ok3d")
    v = variogram
    kwargs = dict(
        anisotropy_scaling_y=v.range_h / v.range_h2,
        anisotropy_scaling_z=v.range_h / v.range_v,
        anisotropy_angle_z=90.0 - v.azimuth,   # PyKrige: x axis rotated counter-clockwise from east
        exact_values=True,
    )
    if v.model in ("exponential", "spherical"):
        # PyKrige: 'sill' is the total sill; exponential is psill*(1 - exp(-d/(range/3))): practical range
        kwargs.update(variogram_model=v.model,
                      variogram_parameters={"sill": v.sill, "range": v.range_h, "nugget": v.nugget})
    else:
        # PyKrige's gaussian uses (4/7 range)^2, not 3 h^2/a^2: pass our model as a custom function
        kwargs.update(variogram_model="custom", variogram_parameters=[],
                      variogram_function=lambda m, d: v.psill * (1.0 - v.correlation_of_lag(d / v.range_h))
                      + v.nugget)
    ok = pk.OrdinaryKriging3D(data.easting, data.northing, data.tvdss, data.values, **kwargs)
    return ok.execute("points", *pts, backend="vectorized")


@pytest.mark.parametrize("variogram", VARIOGRAMS, ids=VARIOGRAM_IDS)
def test_agrees_with_pykrige(variogram):
    """Ordinary kriging estimates and variances match PyKrige OrdinaryKriging3D within 1e-8."""
    data = _scattered_data(n=60, seed=3)
    rng = np.random.default_rng(2)
    pts = [rng.uniform(0, 500, 150), rng.uniform(0, 400, 150), rng.uniform(1000, 1040, 150)]
    pts = [np.concatenate([p, d[:5]]) for p, d in zip(pts, (data.easting, data.northing, data.tvdss))]
    est, var = _pykrige_ok3d(variogram, data, pts)
    res = krige_points(variogram, data, *pts)
    npt.assert_allclose(res.estimate, np.asarray(est), rtol=0, atol=1e-8)
    npt.assert_allclose(res.variance, np.asarray(var), rtol=0, atol=1e-8)
    # and the grid dual form agrees with the primal form
    grid = Grid.from_bounds((0, 500, 0, 400, 1000, 1040), (50, 50, 5))
    out = krige_grid(grid, variogram, data, method="dense")[0]
    ge, gn, gt = np.meshgrid(grid.easting, grid.northing, grid.tvdss, indexing="ij")
    ref = krige_points(variogram, data, ge.ravel(), gn.ravel(), gt.ravel()).estimate
    npt.assert_allclose(out.ravel(), ref, rtol=0, atol=1e-9)


def test_simple_kriging_against_numpy_solve():
    """Simple kriging equals m + c0' C^-1 (z - m) and variance C(0) - c0' C^-1 c0 from a direct solve."""
    data = _scattered_data(n=30, seed=4)
    v = VARIOGRAMS[0]
    xyz = np.stack([data.easting, data.northing, data.tvdss], 1)
    pts = np.array([[100.0, 100.0, 1010.0], [260.0, 40.0, 1033.0], [480.0, 390.0, 1001.0]])
    cov = v.covariance(*(xyz[:, None, :] - xyz[None, :, :]).transpose(2, 0, 1))
    c0 = v.covariance(*(xyz[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    lam = np.linalg.solve(cov, c0)
    res = krige_points(v, data, *pts.T, kind="simple", mean=0.7)
    npt.assert_allclose(res.estimate, 0.7 + lam.T @ (data.values - 0.7), rtol=1e-11)
    npt.assert_allclose(res.variance, v.sill - np.sum(lam * c0, axis=0), rtol=1e-10)
    grid = Grid.from_bounds((0, 500, 0, 400, 1000, 1040), (100, 100, 10))
    out = krige_grid(grid, v, data, kind="simple", mean=0.7)[0]
    ge, gn, gt = np.meshgrid(grid.easting, grid.northing, grid.tvdss, indexing="ij")
    ref = krige_points(v, data, ge.ravel(), gn.ravel(), gt.ravel(), kind="simple", mean=0.7).estimate
    npt.assert_allclose(out.ravel(), ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("kind", ["ordinary", "simple"])
@pytest.mark.parametrize("method", ["dense", "fft", "columns"])
def test_masks_equal_separate_runs(method, kind):
    """Each realization of a masked run equals a single run with only its data."""
    grid, data = _well_problem(deviated=True)
    v = VARIOGRAMS[0]
    masks = np.random.default_rng(5).random((data.n, 3)) < 0.5
    batch = krige_grid(grid, v, data, kind=kind, mean=0.3, masks=masks, method=method)
    assert batch.shape == (3,) + grid.shape
    for r in range(3):
        keep = masks[:, r]
        sub = ConditioningData(data.easting[keep], data.northing[keep], data.tvdss[keep], data.values[keep],
                               data.well[keep], data.cells[keep], data.well_names)
        single = krige_grid(grid, v, sub, kind=kind, mean=0.3, method="dense")[0]
        npt.assert_allclose(batch[r], single, rtol=0, atol=1e-9 * np.abs(single).max())


@pytest.mark.parametrize("deviated", [False, True], ids=["vertical", "deviated"])
@pytest.mark.parametrize("variogram", VARIOGRAMS, ids=VARIOGRAM_IDS)
@pytest.mark.parametrize("method", ["fft", "columns"])
def test_fast_engines_match_straightforward(method, variogram, deviated):
    """The lattice engines agree with the straightforward dense dual form within 1e-9 relative."""
    grid, data = _well_problem(seed=6, deviated=deviated)
    masks = np.random.default_rng(7).random((data.n, 4)) < 0.7
    ref = krige_grid(grid, variogram, data, masks=masks, method="dense")
    out = krige_grid(grid, variogram, data, masks=masks, method=method, chunk_bytes=2**20)
    npt.assert_allclose(out, ref, rtol=0, atol=1e-9 * np.abs(ref).max())


def test_auto_falls_back_to_dense_off_lattice():
    """Off-lattice data use the dense engine under 'auto' and are rejected by the lattice engines."""
    data = _scattered_data(n=20)
    grid = Grid.from_bounds((0, 500, 0, 400, 1000, 1040), (100, 100, 10))
    v = VARIOGRAMS[1]
    npt.assert_allclose(krige_grid(grid, v, data), krige_grid(grid, v, data, method="dense"), rtol=0, atol=0)
    with pytest.raises(KrigingError, match="cell centre"):
        krige_grid(grid, v, data, method="fft")


def test_dual_weights_ordinary_sum_to_zero():
    """Ordinary dual weights sum to zero and left-out data get weight zero."""
    data = _scattered_data(n=25)
    masks = np.random.default_rng(8).random((25, 4)) < 0.6
    w, beta = dual_weights(VARIOGRAMS[0], data, masks=masks)
    npt.assert_allclose(w.sum(axis=0), 0.0, atol=1e-10)
    assert np.all(w[~masks] == 0.0)
    assert beta.shape == (4,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "universal"}, "kind"),
        ({"kind": "simple"}, "mean"),
        ({"masks": np.ones((3, 2), bool)}, "masks"),
        ({"masks": np.zeros((20, 2), bool)}, "no data"),
        ({"method": "magic"}, "method"),
    ],
)
def test_krige_grid_errors(kwargs, match):
    """Bad options raise KrigingError naming the option."""
    data = _scattered_data(n=20)
    grid = Grid.from_bounds((0, 500, 0, 400, 1000, 1040), (100, 100, 10))
    with pytest.raises(KrigingError, match=match):
        krige_grid(grid, VARIOGRAMS[1], data, **kwargs)


def test_duplicate_locations_without_nugget_raise():
    """Two data at one location without nugget make a singular system: a clear error, not garbage."""
    data = _scattered_data(n=5)
    dup = ConditioningData(np.r_[data.easting, data.easting[:1]], np.r_[data.northing, data.northing[:1]],
                           np.r_[data.tvdss, data.tvdss[:1]], np.r_[data.values, 9.0], np.zeros(6, int),
                           np.zeros((6, 3), int), ("w",))
    with pytest.raises(KrigingError, match="positive definite"):
        dual_weights(VARIOGRAMS[1], dup)


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
    from krigflow.kriging.neighbourhood import _scaled_coordinates, _select_neighbours
    from scipy.spatial import cKDTree

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
    from krigflow.kriging.neighbourhood import _scaled_coordinates, _select_neighbours
    from scipy.spatial import cKDTree

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
