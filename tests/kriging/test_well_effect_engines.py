"""The well effect inside the kriging engines and the conditional simulation."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import upscale
from krigflow.grid import Grid
from krigflow.kriging import krige_grid, krige_points
from krigflow.realizations import conditional_realizations
from krigflow.variogram import Variogram
from krigflow.well_effect import krige_points_well_effect

V = Variogram("exponential", sill=4.0, range_h=800.0, range_v=30.0, nugget=0.2)
GRID = Grid.from_bounds((0.0, 2000.0, 0.0, 2000.0, 1000.0, 1100.0), (100.0, 100.0, 10.0))


def _data(seed=0):
    rng = np.random.default_rng(seed)
    e, n, t, v, w = [], [], [], [], []
    for k, (x, y) in enumerate([(250.0, 250.0), (1250.0, 650.0), (650.0, 1650.0)]):
        z = np.arange(1001.0, 1100.0, 1.0)
        e.append(np.full(z.size, x)), n.append(np.full(z.size, y)), t.append(z)
        v.append(rng.normal(0, 2, z.size) + 3.0 * (k - 1))
        w.append(np.full(z.size, k))
    arrays = [np.concatenate(a) for a in (e, n, t, v)]
    return upscale(GRID, *arrays, np.concatenate(w).astype(np.int64), well_names=("A", "B", "C"))


@pytest.mark.parametrize("kind", ["simple", "ordinary"])
def test_krige_points_variance_grows_by_the_well_effect_far_away(kind):
    """Far from every well the variance with a well effect exceeds the one without by sigma_w**2 (SK exactly)."""
    d = _data()
    far = ([1e6], [1e6], [1050.0])
    mean = 0.0 if kind == "simple" else None
    v0 = krige_points(V, d, *far, kind=kind, mean=mean).variance[0]
    v1 = krige_points(V, d, *far, kind=kind, mean=mean, well_effect=1.5).variance[0]
    if kind == "simple":
        npt.assert_allclose(v1 - v0, 1.5, rtol=1e-10)
    else:
        assert v1 - v0 >= 1.5


def test_engines_agree_with_the_dense_reference():
    """krige_grid and krige_points with a well effect give the estimate of the dense well-effect kriging."""
    d = _data()
    coords = np.stack([d.easting, d.northing, d.tvdss], 1)
    targets = np.stack([a.ravel() for a in np.meshgrid(GRID.easting, GRID.northing, GRID.tvdss, indexing="ij")], 1)
    ref, ref_var, _ = krige_points_well_effect(V, coords, d.well, d.values, targets, 1.5, kind="simple", mean=0.0)
    for method in ("dense", "fft", "columns"):
        got = krige_grid(GRID, V, d, kind="simple", mean=0.0, well_effect=1.5, method=method)
        npt.assert_allclose(got[0].ravel(), ref, rtol=1e-9, atol=1e-9)
    pts = krige_points(V, d, targets[:50, 0], targets[:50, 1], targets[:50, 2], kind="simple", mean=0.0,
                       well_effect=1.5)
    npt.assert_allclose(pts.estimate, ref[:50], rtol=1e-9, atol=1e-9)
    npt.assert_allclose(pts.variance, ref_var[:50], rtol=1e-9, atol=1e-9)


def test_conditional_with_well_effect_is_seeded_and_spreads_more():
    """One offset per well and one for the new well per realization: same seed same fields; a wider spread
    far from the wells than without the well effect; the ensemble mean approaches the kriging estimate."""
    d = _data()
    a = conditional_realizations(GRID, V, d, 7, [0, 1, 2], mean=0.0, well_effect=1.5)
    b = conditional_realizations(GRID, V, d, 7, [2, 1, 0], mean=0.0, well_effect=1.5)
    npt.assert_array_equal(a[0], b[2])
    many = conditional_realizations(GRID, V, d, 7, np.arange(300), mean=0.0, well_effect=1.5)
    none = conditional_realizations(GRID, V, d, 7, np.arange(300), mean=0.0)
    corner = (slice(None), -1, -1, slice(None))
    assert many[corner].std() > none[corner].std()
    ref = krige_grid(GRID, V, d, kind="simple", mean=0.0, well_effect=1.5)[0]
    assert np.abs(many.mean(axis=0) - ref).mean() < 0.25
    npt.assert_allclose(many[corner].var(), V.sill + 1.5, rtol=0.2)
