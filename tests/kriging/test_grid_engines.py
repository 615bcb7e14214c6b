"""Tests of krigflow.kriging.grid_engines: the dense, fft and columns engines of krige_grid, masks and errors."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import ConditioningData, upscale
from krigflow.exceptions import KrigingError
from krigflow.grid import Grid
from krigflow.kriging import krige_grid
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


def test_grid_exact_at_data_all_engines():
    """Every grid engine reproduces the data at their cells."""
    grid, data = _well_problem()
    v = VARIOGRAMS[0]
    for method in ["dense", "fft", "columns"]:
        out = krige_grid(grid, v, data, method=method)[0]
        npt.assert_allclose(out[tuple(data.cells.T)], data.values, rtol=0, atol=1e-9)


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


@pytest.mark.parametrize("variogram", [Variogram("spherical", sill=2.0, range_h=120.0, range_h2=60.0, azimuth=35.0,
                                                 range_v=6.0, nugget=0.1),
                                       Variogram("gaussian", sill=1.0, range_h=50.0, range_v=6.0, nugget=0.05)],
                         ids=["spherical", "gaussian"])
@pytest.mark.parametrize("kind", ["ordinary", "simple"])
def test_columns_engine_tiles_skip_wells_out_of_reach(variogram, kind):
    """With a covariance of finite reach the columns engine works in tiles that use only the data columns
    within reach (some tiles none: they get beta alone); the estimates equal the dense engine's, also when
    added into a float32 array (the conditional method's field-scale path)."""
    from krigflow.kriging.grid_engines import _zero_reach

    grid = Grid.from_bounds((0, 1200, 0, 900, 1000, 1020), (20, 20, 2))          # 60 x 45 x 10
    heads = [(110, 90), (610, 430), (1010, 790), (300, 700)]
    tvd = np.arange(1000.5, 1020.0, 1.0)
    e = np.concatenate([np.full(tvd.size, x) for x, _ in heads])
    n = np.concatenate([np.full(tvd.size, y) for _, y in heads])
    t = np.tile(tvd, len(heads))
    values = np.sin(e / 80) + np.cos(t / 2) + 0.1 * np.arange(e.size) % 3
    data = upscale(grid, e, n, t, values, np.repeat(np.arange(len(heads)), tvd.size))
    assert np.isfinite(_zero_reach(variogram))
    masks = np.random.default_rng(3).random((data.n, 3)) < 0.8
    ref = krige_grid(grid, variogram, data, kind=kind, mean=0.4, masks=masks, method="dense")
    out = krige_grid(grid, variogram, data, kind=kind, mean=0.4, masks=masks, method="columns", chunk_bytes=2**19)
    npt.assert_allclose(out, ref, rtol=0, atol=1e-10 * np.abs(ref).max())
    base = np.random.default_rng(4).standard_normal((3, *grid.shape)).astype(np.float32)
    added = krige_grid(grid, variogram, data, kind=kind, mean=0.4, masks=masks, method="columns",
                       chunk_bytes=2**19, add_to=base.copy())
    npt.assert_allclose(added, base + ref, rtol=0, atol=1e-5)
    if variogram.model == "spherical":       # columns out of every well's reach: beta alone, in some tiles
        far = np.all(out == out[:, 59:60, 0:1, 0:1], axis=(0, 3))
        assert 0.2 < far.mean() < 1.0
