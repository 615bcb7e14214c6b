"""Tests of krigflow.kriging.dual: exactness, weights, variances, PyKrige oracle, dual weights and errors."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import ConditioningData
from krigflow.exceptions import KrigingError
from krigflow.grid import Grid
from krigflow.kriging import dual_weights, krige_grid, krige_points
from krigflow.variogram.model import Variogram


def _scattered_data(n=40, seed=0):
    """Irregular data in a 500 x 400 x 40 m box with a smooth trend plus noise."""
    rng = np.random.default_rng(seed)
    e, nn, t = rng.uniform(0, 500, n), rng.uniform(0, 400, n), rng.uniform(1000, 1040, n)
    values = np.sin(e / 120) + 0.02 * t + rng.normal(scale=0.2, size=n)
    return ConditioningData(e, nn, t, values, np.zeros(n, int), np.zeros((n, 3), int), ("w",))


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


def test_dual_weights_ordinary_sum_to_zero():
    """Ordinary dual weights sum to zero and left-out data get weight zero."""
    data = _scattered_data(n=25)
    masks = np.random.default_rng(8).random((25, 4)) < 0.6
    w, beta = dual_weights(VARIOGRAMS[0], data, masks=masks)
    npt.assert_allclose(w.sum(axis=0), 0.0, atol=1e-10)
    assert np.all(w[~masks] == 0.0)
    assert beta.shape == (4,)


def test_duplicate_locations_without_nugget_raise():
    """Two data at one location without nugget make a singular system: a clear error, not garbage."""
    data = _scattered_data(n=5)
    dup = ConditioningData(np.r_[data.easting, data.easting[:1]], np.r_[data.northing, data.northing[:1]],
                           np.r_[data.tvdss, data.tvdss[:1]], np.r_[data.values, 9.0], np.zeros(6, int),
                           np.zeros((6, 3), int), ("w",))
    with pytest.raises(KrigingError, match="positive definite"):
        dual_weights(VARIOGRAMS[1], dup)
