"""Tests of krigflow.realizations.fft: the FFT circulant-embedding generator (full and half spectra)."""
import logging

import numpy as np
import numpy.testing as npt
import pytest
import scipy.fft

from krigflow.exceptions import SimulationError
from krigflow.realizations.fft import (
    circulant_spectrum,
    embedding_shape,
    field_spectrum,
    gaussian_field,
    simulation_padding,
    unconditional_field,
)
from krigflow.variogram.model import Variogram

SILL = 4.0
SHAPE = (32, 24, 16)
SPACING = (10.0, 10.0, 2.0)


def anisotropic_exponential(d_easting, d_northing, d_tvdss, *, sill=SILL, range_h=100.0, range_h2=50.0,
                            range_v=10.0, azimuth=30.0):
    """Exponential covariance (practical ranges) with the major axis at ``azimuth`` from north."""
    theta = np.radians(azimuth)
    major = d_easting * np.sin(theta) + d_northing * np.cos(theta)
    minor = d_easting * np.cos(theta) - d_northing * np.sin(theta)
    h = np.sqrt((major / range_h) ** 2 + (minor / range_h2) ** 2 + (d_tvdss / range_v) ** 2)
    return sill * np.exp(-3.0 * h)


def _lagged_pairs(fields, lag):
    """Both ends of every node pair separated by ``lag`` (in nodes, signed) in every field."""
    first, second = [slice(None)], [slice(None)]
    for offset, n in zip(lag, fields.shape[1:]):
        first.append(slice(max(0, -offset), n - max(0, offset)))
        second.append(slice(max(0, offset), n + min(0, offset)))
    return fields[tuple(first)], fields[tuple(second)]


@pytest.fixture(scope="module")
def many_fields():
    """400 fields of the anisotropic model (200 FFTs), shared by the statistical tests."""
    return gaussian_field(SHAPE, SPACING, anisotropic_exponential, np.random.default_rng(12345),
                          n_fields=400)


def test_shape_and_dtype(many_fields):
    """Fields come as (n_fields, nx, ny, nz) float64."""
    assert many_fields.shape == (400, *SHAPE)
    assert many_fields.dtype == np.float64
    assert np.all(np.isfinite(many_fields))


def test_mean_and_variance(many_fields):
    """Over many fields the mean is about 0 and the variance about the sill (within 5 %)."""
    npt.assert_allclose(many_fields.mean(), 0.0, atol=0.05 * SILL)
    npt.assert_allclose(np.mean(many_fields**2), SILL, rtol=0.05)
    # every node, not just on average: per-node variance over 400 fields has a
    # relative standard error of sqrt(2/400) = 7 %; allow 7 standard errors.
    per_node = np.mean(many_fields**2, axis=0)
    assert np.all(np.abs(per_node - SILL) < 0.5 * SILL)


@pytest.mark.parametrize(
    "lag",
    [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, -1, 0), (3, 2, 1), (-2, 4, 0), (5, 0, 2), (8, 8, 0)],
)
def test_empirical_covariance_matches_model(many_fields, lag):
    """Empirical covariance at node lags (both diagonals test the azimuth) within 5 % of the sill."""
    a, b = _lagged_pairs(many_fields, lag)
    empirical = np.mean(a * b)  # the mean is known to be 0
    model = anisotropic_exponential(*(n * d for n, d in zip(lag, SPACING)))
    npt.assert_allclose(empirical, model, atol=0.05 * SILL)


def test_diagonals_distinguish_anisotropy(many_fields):
    """The covariance along the major axis (azimuth 30°) exceeds that across it."""
    along = np.mean(np.multiply(*_lagged_pairs(many_fields, (1, 1, 0))))   # 45° from north
    across = np.mean(np.multiply(*_lagged_pairs(many_fields, (1, -1, 0))))  # 135° from north
    assert along > across + 0.1 * SILL


def test_reproducible_and_prefix_stable():
    """Same seed, same fields; fewer fields are a prefix of more fields."""
    args = ((10, 12, 6), (5.0, 5.0, 1.0), anisotropic_exponential)
    a = gaussian_field(*args, np.random.default_rng(7), n_fields=3)
    b = gaussian_field(*args, np.random.default_rng(7), n_fields=3)
    npt.assert_array_equal(a, b)
    npt.assert_array_equal(gaussian_field(*args, np.random.default_rng(7), n_fields=1)[0], a[0])
    npt.assert_array_equal(gaussian_field(*args, 7, n_fields=3), a)
    c = gaussian_field(*args, np.random.default_rng(8), n_fields=3)
    assert not np.allclose(a, c)
    # the real and imaginary halves of one FFT are different fields
    assert not np.allclose(a[0], a[1])


def test_single_node_axes():
    """Grids with a single node along an axis (2-D sections, 1-D traces) work."""
    fields = gaussian_field((1, 1, 400), (1.0, 1.0, 0.5), anisotropic_exponential,
                            np.random.default_rng(3), n_fields=200)
    assert fields.shape == (200, 1, 1, 400)
    npt.assert_allclose(np.mean(fields**2), SILL, rtol=0.1)
    lag1 = np.mean(fields[..., 1:] * fields[..., :-1])
    npt.assert_allclose(lag1, anisotropic_exponential(0.0, 0.0, 0.5), atol=0.05 * SILL)


def test_pure_nugget_is_white_noise():
    """A covariance that is zero away from the origin gives independent nodes."""
    def nugget(de, dn, dz):
        return np.where((de == 0) & (dn == 0) & (dz == 0), 2.0, 0.0)
    fields = gaussian_field((10, 10, 10), (1.0, 1.0, 1.0), nugget, np.random.default_rng(0), n_fields=50)
    npt.assert_allclose(fields.var(), 2.0, rtol=0.05)
    npt.assert_allclose(np.mean(fields[:, 1:] * fields[:, :-1]), 0.0, atol=0.05)


def test_clipping_is_logged(caplog):
    """Too little padding for a long-range model: negative eigenvalues are clipped and logged."""
    def long_gaussian(de, dn, dz):
        return np.exp(-3.0 * (de**2 + dn**2 + dz**2) / 500.0**2)
    with caplog.at_level(logging.WARNING, logger="krigflow.realizations.fft"):
        gaussian_field((20, 20, 4), (10.0, 10.0, 10.0), long_gaussian, np.random.default_rng(0),
                       padding=(0, 0, 0))
    assert "clipped negative circulant eigenvalues" in caplog.text


def test_embedding_shape():
    """The embedding is at least grid + padding, a fast FFT length, 1 for flat axes."""
    assert embedding_shape((100, 100, 50)) == (200, 200, 100)
    assert embedding_shape((101, 101, 202)) == (210, 210, 405)
    assert embedding_shape((1, 7, 13), (0, 0, 20)) == (1, 7, 33)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"shape": (10, 10)}, r"shape must be 3 positive integers, got \(10, 10\)"),
        ({"shape": (10, 0, 5)}, "shape must be 3 positive integers"),
        ({"shape": (10.5, 10, 5)}, "shape must be 3 positive integers"),
        ({"spacing": (1.0, -1.0, 1.0)}, "spacing must be 3 positive numbers"),
        ({"spacing": (1.0, np.nan, 1.0)}, "spacing must be 3 positive numbers"),
        ({"n_fields": 0}, "n_fields must be a positive integer, got 0"),
        ({"padding": (1, -1, 0)}, "padding must be 3 non-negative integers"),
        ({"rng": None}, "rng must be a numpy.random.Generator or an int seed, got NoneType"),
        ({"covariance": lambda de, dn, dz: np.ones(3)}, "covariance must return an array broadcasting"),
    ],
    ids=["2d-shape", "zero-shape", "float-shape", "neg-spacing", "nan-spacing", "n-fields", "padding",
         "rng", "covariance"],
)
def test_errors(kwargs, match):
    """Bad arguments raise SimulationError naming the argument and the value."""
    args = {"shape": (10, 10, 5), "spacing": (1.0, 1.0, 1.0), "covariance": anisotropic_exponential,
            "rng": np.random.default_rng(0)}
    args.update({k: v for k, v in kwargs.items() if k in args})
    extra = {k: v for k, v in kwargs.items() if k not in args}
    with pytest.raises(SimulationError, match=match):
        gaussian_field(args["shape"], args["spacing"], args["covariance"], args["rng"], **extra)


def test_field_covariance_is_exactly_the_circulant():
    """The half-spectrum generator has exactly the circulant covariance (linear map checked column by column)."""
    v = Variogram("exponential", 2.0, 3.0, 2.0)
    spectrum = field_spectrum((5, 4, 6), (1.0, 1.0, 1.0), v, padding=(5, 4, 6))
    lx, ly, lz = spectrum.embedding
    nf = lz // 2 + 1
    columns = []
    for part in (1.0, 1j):
        for idx in np.ndindex(lx, ly, nf):
            xi = np.zeros((lx, ly, nf), complex)
            xi[idx] = part * spectrum.scale[idx]
            columns.append(scipy.fft.irfftn(xi, s=spectrum.embedding)[:5, :4, :6].ravel())
    a = np.array(columns).T
    i, j, k = np.meshgrid(np.arange(5), np.arange(4), np.arange(6), indexing="ij")
    pts = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1).astype(float)
    lag = pts[:, None, :] - pts[None, :, :]
    expected = v.covariance(lag[..., 0], lag[..., 1], lag[..., 2])
    npt.assert_allclose(a @ a.T, expected, atol=2e-3 * v.sill)      # padding = n: truncation only
    assert spectrum.clipped < 1e-3


def test_default_padding():
    """Padding is a few ranges capped at the grid."""
    assert simulation_padding((100, 100, 50), (20.0, 20.0, 4.0), Variogram("exponential", 1.0, 800.0, 20.0)) \
        == (100, 100, 15)


def test_full_and_half_spectra_share_the_eigenvalues():
    """One generator: the full spectrum (gaussian_field) and the half spectrum (conditional fields) hold the
    same circulant eigenvalues, each scaled for its sampler."""
    v = Variogram("exponential", 2.0, 60.0, 6.0, range_h2=30.0, azimuth=30.0, nugget=0.1)
    shape, spacing, padding = (12, 10, 8), (10.0, 10.0, 1.0), (12, 10, 8)
    full = circulant_spectrum(shape, spacing, v.covariance, padding, real=False)
    half = circulant_spectrum(shape, spacing, v.covariance, padding, real=True)
    assert full.embedding == half.embedding == (24, 20, 16) and not full.real and half.real
    size = np.prod(full.embedding)
    nf = full.embedding[2] // 2 + 1
    eig_full = full.scale[..., :nf] ** 2 * size                  # sqrt(lambda / M)
    eig_half = half.scale ** 2 * 2.0 / size                      # sqrt(M lambda / 2), x sqrt(2) on 0 / Nyquist
    eig_half[..., [0, nf - 1]] /= 2.0
    npt.assert_allclose(eig_half, eig_full, rtol=1e-9, atol=1e-12 * eig_full.max())
    assert field_spectrum(shape, spacing, v, padding).scale.tobytes() == half.scale.tobytes()
    with pytest.raises(SimulationError, match="half"):
        unconditional_field(full, np.random.default_rng(0))
