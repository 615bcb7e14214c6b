"""Exact per-cell quantiles with the residual model of a run (issue 15 on top of issue 11): a depth trend
added back, a well effect in the simple-kriging variance, normal scores back-transformed.

The oracle is the simulator itself: the conditional realizations (which draw one offset per data well and
one for the new well) must sample exactly the per-cell Gaussian distributions of
:func:`krigflow.stats.gaussian.conditional_gaussian`, so their per-cell quantiles, exceedance frequencies,
means and variances converge to the exact values within Monte Carlo error.
"""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import upscale
from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.realizations import NormalScore, conditional_realizations
from krigflow.stats.gaussian import GaussianQuantiles, conditional_gaussian, sk_variance
from krigflow.variogram import Variogram
from krigflow.well_effect import krige_points_well_effect

GRID = Grid.from_bounds([0.0, 240.0, 0.0, 200.0, 1000.0, 1024.0], [20.0, 20.0, 3.0])      # 12 x 10 x 8
VARIOGRAM = Variogram("exponential", 1.0, 250.0, 10.0, range_h2=150.0, azimuth=30.0, nugget=0.05)
#: A depth trend, one value per layer (as a run passes it: shape (1, 1, nz)).
TREND = (50.0 + 2.0 * np.arange(GRID.shape[2])).reshape(1, 1, -1)


def _data(skew=False):
    """Three vertical wells, one datum per cell, wells offset from each other (a well effect)."""
    columns = ((2, 2), (9, 3), (5, 8))
    cells = np.array([[i, j, k] for i, j in columns for k in range(GRID.shape[2])])
    e, n, t = GRID.easting[cells[:, 0]], GRID.northing[cells[:, 1]], GRID.tvdss[cells[:, 2]]
    well = np.repeat(np.arange(len(columns)), GRID.shape[2])
    values = np.random.default_rng(1).standard_normal(cells.shape[0]).cumsum() * 0.3 + np.array([-0.5, 0.2, 0.6])[well]
    if skew:
        values = np.exp(values)
    return upscale(GRID, e, n, t, values, well, well_names=("A", "B", "C"))


def _centres():
    e, n, t = np.meshgrid(GRID.easting, GRID.northing, GRID.tvdss, indexing="ij")
    return np.stack([e.ravel(), n.ravel(), t.ravel()], axis=1)


def test_well_effect_moments_match_dense_kriging():
    """Mean and variance with a well effect equal the dense simple kriging of krigflow.well_effect (data
    covariance + sigma_w^2 for pairs of one well, cell variance sill + sigma_w^2); far from the data the
    variance is the sill plus the well effect; the neighbourhood variance stays an upper bound."""
    data, w = _data(), 0.4
    est, var, _ = krige_points_well_effect(
        VARIOGRAM, np.stack([data.easting, data.northing, data.tvdss], 1), data.well, data.values, _centres(), w,
        mean=0.3)
    g = conditional_gaussian(GRID, VARIOGRAM, data, mean=0.3, well_effect=w)
    npt.assert_allclose(g.mean.ravel(), est, atol=1e-12)
    npt.assert_allclose(g.std.ravel() ** 2, var, atol=1e-12)
    assert np.min(var) > w                       # even at a datum's cell: a new well's offset is unknown
    far = Grid.from_bounds([1e5, 1e5 + 20.0, 0.0, 20.0, 1000.0, 1003.0], [20.0, 20.0, 3.0])
    assert float(sk_variance(far, VARIOGRAM, data, well_effect=w)[0, 0, 0]) == pytest.approx(1.0 + w)
    near = sk_variance(GRID, VARIOGRAM, data, well_effect=w, max_data=10, block_cells=32)
    assert np.all(near >= g.std ** 2 - 1e-10) and np.max(near - g.std ** 2) > 0
    with pytest.raises(KrigflowError, match="well_effect"):
        sk_variance(GRID, VARIOGRAM, data, well_effect=-1.0)


def _simulate(data, transform, mean, w, n_real, seed=5):
    """Realizations with the depth trend added back (what a run folds), in batches."""
    for start in range(0, n_real, 500):
        fields = conditional_realizations(GRID, VARIOGRAM, data, seed, range(start, start + 500), mean=mean,
                                          transform=transform, well_effect=w)
        yield fields + TREND


@pytest.mark.parametrize("case", ["trend + well effect", "normal scores + trend + well effect"])
def test_realizations_converge_to_the_exact_quantiles(case):
    """Per-cell P10/P50/P90 and P(> c) of 2 000 realizations match the exact values within Monte Carlo error,
    with the trend added back and the well effect drawn per realization (~2 s)."""
    normal = case.startswith("normal")
    data = _data(skew=normal)
    transform = NormalScore.fit(data.values) if normal else None
    mean, w = (0.0, 0.3) if normal else (0.2, 0.4)
    exact = conditional_gaussian(GRID, VARIOGRAM, data, transform=transform, mean=mean, trend=TREND, well_effect=w)
    n_real = 2000
    probs = (0.1, 0.5, 0.9)
    q_exact = {p: exact.quantile(p) for p in probs}
    cutoffs = [float(np.quantile(q_exact[0.5], 0.3)), float(np.quantile(q_exact[0.9], 0.7))]
    below = {p: np.zeros(GRID.shape) for p in probs}
    above = {c: np.zeros(GRID.shape) for c in cutoffs}
    total, squares = np.zeros(GRID.shape), np.zeros(GRID.shape)
    for fields in _simulate(data, transform, mean, w, n_real):
        for p in probs:
            below[p] += np.sum(fields <= q_exact[p], axis=0)
        for c in cutoffs:
            above[c] += np.sum(fields > c, axis=0)
        total += fields.sum(axis=0)
        squares += np.sum(fields ** 2, axis=0)
    for p, count in below.items():
        frac = count / n_real
        sigma = np.sqrt(p * (1 - p) / n_real)
        assert abs(frac.mean() - p) < 3 * sigma, p              # no bias over the grid
        assert np.max(np.abs(frac - p)) < 5.5 * sigma, p        # every cell (960) within Monte Carlo error
    for c, count in above.items():
        prob = exact.exceedance(c)
        assert 0.05 < prob.mean() < 0.95, c
        sigma = np.sqrt(prob * (1 - prob) / n_real) + 1e-12
        assert np.max(np.abs(count / n_real - prob) / sigma) < 5.5, c
    if not normal:
        # Gaussian residuals: the realizations' mean and variance converge to trend + SK mean and SK variance
        mean_r = total / n_real
        var_r = squares / n_real - mean_r ** 2
        npt.assert_array_less(np.abs(mean_r - exact.quantile(0.5)), 5.0 * exact.std / np.sqrt(n_real))
        assert np.max(np.abs(var_r / exact.std ** 2 - 1.0)) < 5.0 * np.sqrt(2.0 / n_real)
        npt.assert_allclose(exact.quantile(0.5), exact.mean + TREND, atol=1e-12)


def test_trend_per_layer_equals_a_full_trend_and_is_refused_when_it_does_not_fit():
    """A (1, 1, nz) trend gives the same quantiles, exceedances and blocks as the full (nx, ny, nz) one."""
    data = _data(skew=True)
    ns = NormalScore.fit(data.values)
    layer = conditional_gaussian(GRID, VARIOGRAM, data, transform=ns, trend=TREND, well_effect=0.2)
    full = conditional_gaussian(GRID, VARIOGRAM, data, transform=ns, trend=np.broadcast_to(TREND, GRID.shape),
                                well_effect=0.2)
    assert layer.nbytes < full.nbytes
    npt.assert_array_equal(layer.quantile(0.1), full.quantile(0.1))
    npt.assert_array_equal(layer.exceedance(55.0), full.exceedance(55.0))
    parts = layer.split((5, 4, 3))
    assert all(p.trend.shape == (1, 1, p.shape[2]) for p in parts)
    back = GaussianQuantiles.combine(parts, GRID.shape)
    npt.assert_array_equal(back.quantile(0.9), full.quantile(0.9))
    box = conditional_gaussian(GRID, VARIOGRAM, data, transform=ns, trend=TREND, well_effect=0.2,
                               box=(slice(3, 7), slice(2, 5), slice(4, 8)))
    npt.assert_array_equal(box.exceedance(55.0), full.exceedance(55.0)[3:7, 2:5, 4:8])
    with pytest.raises(KrigflowError, match="does not broadcast"):
        GaussianQuantiles(layer.mean, layer.std, trend=np.zeros((1, 1, 3)))
