"""Tests of krigflow.variogram.experimental: experimental variograms from wells (and, until it moves to cli/ and plotting/, the variogram command and its plot)."""
import numpy as np
import pytest

from krigflow.exceptions import VariogramError
from krigflow.realizations.fft import gaussian_field
from krigflow.variogram.experimental import (
    horizontal_variogram,
    vertical_variogram,
)
from krigflow.variogram.model import Variogram

SHAPE, SPACING = (64, 64, 80), (25.0, 25.0, 1.0)


def _wells_in(field, n_wells=30, seed=2):
    """Vertical wells at random lattice columns of ``field``: (easting, northing, tvdss, values, well)."""
    nx, ny, nz = field.shape
    cols = np.random.default_rng(seed).choice(nx * ny, n_wells, replace=False)
    ci, cj = np.divmod(cols, ny)
    e = np.repeat(ci * SPACING[0], nz)
    n = np.repeat(cj * SPACING[1], nz)
    t = np.tile(np.arange(nz) * SPACING[2], n_wells)
    return e, n, t, field[ci, cj, :].ravel(), np.repeat(np.arange(n_wells), nz)


@pytest.fixture(scope="module")
def exponential_field():
    """One field of a known exponential model (sill 4, ranges 500 m / 10 m)."""
    truth = Variogram("exponential", 4.0, 500.0, 10.0)
    return truth, gaussian_field(SHAPE, SPACING, truth.covariance, np.random.default_rng(1))[0]


def test_cressie_estimator_resists_spikes():
    """A few log spikes inflate the Matheron estimate much more than the Cressie-Hawkins one."""
    rng = np.random.default_rng(0)
    t = np.arange(0.0, 400.0, 0.5)
    values = np.cumsum(rng.normal(size=t.size)) * 0.1
    values -= np.convolve(values, np.ones(41) / 41, mode="same")                # short-range signal
    spiky = values.copy()
    spiky[rng.choice(t.size, 8, replace=False)] += 50.0
    well = np.zeros(t.size)
    kwargs = dict(lag=2.0, max_lag=20.0)
    clean = vertical_variogram(t, values, well, estimator="matheron", **kwargs).gamma
    matheron = vertical_variogram(t, spiky, well, estimator="matheron", **kwargs).gamma
    cressie = vertical_variogram(t, spiky, well, estimator="cressie", **kwargs).gamma
    assert np.median(matheron / clean) > 100.0
    assert np.median(cressie / clean) < 0.01 * np.median(matheron / clean)


def test_directional_horizontal_variogram_sees_anisotropy():
    """Along the major axis the semivariance at a given lag is lower than across it."""
    truth = Variogram("gaussian", 1.0, 900.0, 5.0, range_h2=250.0, azimuth=90.0, nugget=0.01)
    field = gaussian_field((64, 64, 20), SPACING, truth.covariance, np.random.default_rng(3))[0]
    nx, ny, nz = field.shape
    i, j = np.meshgrid(np.arange(0, nx, 4), np.arange(0, ny, 4), indexing="ij")
    ci, cj = i.ravel(), j.ravel()
    e, n = np.repeat(ci * 25.0, nz), np.repeat(cj * 25.0, nz)
    t = np.tile(np.arange(nz) * 1.0, ci.size)
    v, w = field[ci, cj, :].ravel(), np.repeat(np.arange(ci.size), nz)
    kwargs = dict(lag=100.0, max_lag=400.0, dz_tol=0.1, angle_tol=15.0)
    east = horizontal_variogram(e, n, t, v, w, azimuth=90.0, **kwargs)
    north = horizontal_variogram(e, n, t, v, w, azimuth=0.0, **kwargs)
    assert east.gamma[2] < 0.5 * north.gamma[2]
    omni = horizontal_variogram(e, n, t, v, w, lag=100.0, max_lag=400.0, dz_tol=0.1)
    assert omni.pairs.sum() > east.pairs.sum() + north.pairs.sum()


def test_vertical_pairs_stay_in_their_well():
    """Vertical pairs are formed within wells only; horizontal pairs only between wells."""
    t = np.tile(np.arange(10.0), 2)
    values = np.concatenate([np.zeros(10), np.full(10, 100.0)])
    well = np.repeat([0, 1], 10)
    e = np.repeat([0.0, 50.0], 10)
    vert = vertical_variogram(t, values, well, lag=1.0, max_lag=5.0)
    assert np.all(vert.gamma == 0.0) and vert.pairs.sum() == 2 * (9 + 8 + 7 + 6)
    horiz = horizontal_variogram(e, np.zeros(20), t, values, well, lag=10.0, max_lag=100.0, dz_tol=0.0)
    assert horiz.pairs.tolist() == [10] and horiz.gamma[0] == pytest.approx(5000.0)


def test_experimental_errors():
    """An unknown estimator or bad lags are reported."""
    t = np.arange(0.0, 100.0, 0.5)
    with pytest.raises(VariogramError, match="estimator must be one of"):
        vertical_variogram(t, t, np.zeros(t.size), lag=1.0, max_lag=10.0, estimator="robust")
    with pytest.raises(VariogramError, match="need 0 < lag <= max_lag"):
        vertical_variogram(t, t, np.zeros(t.size), lag=0.0, max_lag=10.0)
