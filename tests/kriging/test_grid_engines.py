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
