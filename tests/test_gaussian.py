"""Tests of the exact (multi-Gaussian) per-cell quantiles in krigflow.stats.gaussian."""
import numpy as np
import numpy.testing as npt
import pytest
from scipy import special

from krigflow.conditioning import upscale
from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.kriging import krige_points
from krigflow.realizations import NormalScore, conditional_realizations
from krigflow.stats.gaussian import (
    GaussianQuantiles,
    block_slices,
    conditional_gaussian,
    score_threshold,
    sk_moments,
    sk_variance,
)
from krigflow.variogram import Variogram

GRID = Grid.from_bounds([0.0, 400.0, 0.0, 300.0, 1000.0, 1030.0], [20.0, 20.0, 3.0])     # 20 x 15 x 10
VARIOGRAM = Variogram("exponential", 1.0, 250.0, 10.0, range_h2=150.0, azimuth=30.0)


def _wells(columns=((3, 3), (15, 4), (9, 11), (17, 12)), skew=True):
    """Vertical wells at (i, j) columns, one datum per cell; lognormal (skewed) values."""
    cells = np.array([[i, j, k] for i, j in columns for k in range(GRID.shape[2])])
    rng = np.random.default_rng(11)
    e, n, t = GRID.easting[cells[:, 0]], GRID.northing[cells[:, 1]], GRID.tvdss[cells[:, 2]]
    base = rng.standard_normal(cells.shape[0]).cumsum() * 0.3
    values = np.exp(3.0 + base) if skew else base
    well = np.repeat(np.arange(len(columns)), GRID.shape[2])
    return upscale(GRID, e, n, t, values, well, well_names=tuple(f"W{i}" for i in range(len(columns))))


def _centres(grid):
    e, n, t = np.meshgrid(grid.easting, grid.northing, grid.tvdss, indexing="ij")
    return e.ravel(), n.ravel(), t.ravel()


def test_single_datum_analytic():
    """One datum: mean = m + rho (y - m), variance = sill (1 - rho^2); quantiles and P(> c) in closed form."""
    grid = Grid.from_bounds([0.0, 100.0, 0.0, 10.0, 0.0, 10.0], [10.0, 10.0, 10.0])
    v = Variogram("exponential", 2.0, 50.0, 50.0)
    data = upscale(grid, np.array([5.0]), np.array([5.0]), np.array([5.0]), np.array([3.0]), np.array([0]))
    m, s = sk_moments(grid, v, data, mean=1.0)
    rho = np.exp(-3.0 * np.arange(10) * 10.0 / 50.0)
    npt.assert_allclose(m.ravel(), 1.0 + rho * 2.0, rtol=1e-12)
    npt.assert_allclose(s.ravel(), np.sqrt(2.0 * (1 - rho ** 2)), rtol=1e-12, atol=1e-12)
    g = GaussianQuantiles(m, s)
    npt.assert_allclose(g.quantile(0.9).ravel(), m.ravel() + special.ndtri(0.9) * s.ravel(), rtol=1e-12)
    p = g.exceedance(2.0).ravel()
    npt.assert_allclose(p[1:], special.ndtr((m.ravel()[1:] - 2.0) / s.ravel()[1:]), rtol=1e-12)
    assert p[0] == 1.0                      # the datum's cell: value 3 > 2 with certainty
    assert g.exceedance(3.0).ravel()[0] == 0.0      # strictly greater: 3 > 3 is false


def test_variance_matches_primal_kriging_and_is_zero_at_data():
    """Global sk_variance equals the simple-kriging variance of krige_points, 0 at data cells (nugget too)."""
    data = _wells()
    for v in (VARIOGRAM, Variogram("spherical", 1.0, 250.0, 10.0, nugget=0.2)):
        var = sk_variance(GRID, v, data)
        ref = krige_points(v, data, *_centres(GRID), kind="simple", mean=0.0).variance
        npt.assert_allclose(var.ravel(), ref, atol=1e-10)
        npt.assert_allclose(var[tuple(data.cells.T)], 0.0, atol=1e-10)


def test_neighbourhood_variance_bounds_the_exact_one():
    """With k < n data per block the variance is >= the exact one, equal to it when k >= n, and close."""
    data = _wells()
    exact = sk_variance(GRID, VARIOGRAM, data)
    npt.assert_allclose(sk_variance(GRID, VARIOGRAM, data, max_data=data.n), exact, atol=0)
    near = sk_variance(GRID, VARIOGRAM, data, max_data=24, block_cells=64)
    assert np.all(near >= exact - 1e-10)
    npt.assert_allclose(near[tuple(data.cells.T)], 0.0, atol=1e-10)      # own datum always used
    assert np.max(np.sqrt(near) - np.sqrt(exact)) < 0.05


@pytest.mark.parametrize("tails", ["linear", "clip", "extrapolate"])
def test_score_threshold_brackets_the_back_transform(tails):
    """phi(y) > c exactly when y > y*(c), for every tail rule, cutoffs inside and outside the range."""
    ns = NormalScore.fit(np.exp(np.random.default_rng(1).normal(size=40)), tails=tails)
    y = np.linspace(-6, 6, 4001)
    z = ns.back_transform(y)
    for c in np.concatenate([ns.values[::7], [ns.values[0] - 1, ns.values[-1] + 1, ns.zmin, ns.zmax,
                                             0.5 * (ns.values[3] + ns.values[4])]]):
        t = float(score_threshold(ns, c))
        np.testing.assert_array_equal(z > c, y > t, err_msg=f"cutoff {c}")


def test_split_and_combine_round_trip():
    """Blocks computed separately and combined equal the whole; overlaps and holes are refused."""
    data = _wells()
    ns = NormalScore.fit(data.values)
    trend = np.linspace(0, 1, GRID.n_cells).reshape(GRID.shape)
    whole = conditional_gaussian(GRID, VARIOGRAM, data, transform=ns, trend=trend)
    parts = [conditional_gaussian(GRID, VARIOGRAM, data, transform=ns, trend=trend, box=b)
             for b in block_slices(GRID.shape, (7, 8, 4))]
    back = GaussianQuantiles.combine(parts, GRID.shape)
    npt.assert_allclose(back.mean, whole.mean, atol=1e-12)
    npt.assert_allclose(back.std, whole.std, atol=1e-12)
    npt.assert_array_equal(back.quantile(0.1), whole.quantile(0.1))
    again = GaussianQuantiles.combine(whole.split((5, 5, 5)))
    npt.assert_array_equal(again.exceedance(30.0), whole.exceedance(30.0))
    with pytest.raises(KrigflowError, match="overlap"):
        GaussianQuantiles.combine(parts + parts[:1], GRID.shape)
    with pytest.raises(KrigflowError, match="not covered"):
        GaussianQuantiles.combine(parts[1:], GRID.shape)


def test_quantiles_of_many_realizations_converge_to_the_exact_ones():
    """The simulator checks itself: per-cell P10/P50/P90 and P(> c) of 2 000 conditional realizations
    (normal scores, skewed data) match the exact multi-Gaussian values within Monte Carlo error."""
    data = _wells()
    ns = NormalScore.fit(data.values)
    v = Variogram("exponential", 1.0, 250.0, 10.0, range_h2=150.0, azimuth=30.0, nugget=0.05)
    exact = conditional_gaussian(GRID, v, data, transform=ns)
    n_real = 2000
    below = {p: np.zeros(GRID.shape) for p in (0.1, 0.5, 0.9)}
    cutoffs = np.quantile(data.values, [0.3, 0.8])
    above = {c: np.zeros(GRID.shape) for c in cutoffs}
    q_exact = {p: exact.quantile(p) for p in below}
    for start in range(0, n_real, 250):
        fields = conditional_realizations(GRID, v, data, 5, range(start, start + 250), transform=ns)
        for p in below:
            below[p] += np.sum(fields <= q_exact[p], axis=0)
        for c in cutoffs:
            above[c] += np.sum(fields > c, axis=0)
    free = np.ones(GRID.shape, bool)
    free[tuple(data.cells.T)] = False                     # data cells: a point mass, checked separately
    for p, count in below.items():
        frac = count[free] / n_real
        sigma = np.sqrt(p * (1 - p) / n_real)
        assert abs(frac.mean() - p) < 3 * sigma, p          # no bias over the grid
        assert np.max(np.abs(frac - p)) < 5.5 * sigma, p    # every cell within Monte Carlo error
    for c, count in above.items():
        prob = exact.exceedance(c)
        frac = count / n_real
        sigma = np.sqrt(prob * (1 - prob) / n_real) + 1e-12
        assert np.max(np.abs(frac - prob)[free] / sigma[free]) < 5.5, c
        npt.assert_array_equal(frac[~free], prob[~free])    # at the data: 0 or 1, exactly
    npt.assert_allclose(exact.quantile(0.5)[tuple(data.cells.T)], data.values, rtol=1e-12)


def test_validation_messages():
    """Bad inputs are refused naming what is wrong."""
    with pytest.raises(KrigflowError, match="std must be >= 0"):
        GaussianQuantiles(np.zeros((1, 1, 1)), -np.ones((1, 1, 1)))
    with pytest.raises(KrigflowError, match="p must be in"):
        GaussianQuantiles(np.zeros((1, 1, 1)), np.ones((1, 1, 1))).quantile(1.0)
    with pytest.raises(KrigflowError, match="max_data"):
        sk_variance(GRID, VARIOGRAM, _wells(), max_data=0)


def test_threads_give_the_same_variance():
    """The neighbourhood variance split over threads equals the single-thread one bit for bit."""
    data = _wells()
    one = sk_variance(GRID, VARIOGRAM, data, max_data=24, block_cells=64)
    npt.assert_array_equal(sk_variance(GRID, VARIOGRAM, data, max_data=24, block_cells=64, threads=3), one)
