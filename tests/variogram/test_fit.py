"""Tests of krigflow.variogram.fit: weighted least-squares fits of variogram models to experimental variograms."""
import numpy as np
import pytest

from krigflow.exceptions import VariogramError
from krigflow.realizations.fft import gaussian_field
from krigflow.variogram.experimental import (
    ExperimentalVariogram,
    vertical_variogram,
)
from krigflow.variogram.fit import fit_variogram, variogram_from_samples
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


def test_fit_recovers_known_parameters(exponential_field):
    """Fitting the variograms of 30 wells in one field recovers sill, nugget and both ranges of the truth.

    Tolerances reflect one realization over ~3 horizontal ranges: sill 10 %, ranges 20-25 %.
    """
    truth, field = exponential_field
    fit = variogram_from_samples(*_wells_in(field), spacing=(50.0, 50.0, 4.0), candidates=["exponential"])
    v = fit.variogram
    assert v.sill == pytest.approx(truth.sill, rel=0.1)
    assert v.nugget < 0.05 * truth.sill
    assert v.range_v == pytest.approx(truth.range_v, rel=0.2)
    assert v.range_h == pytest.approx(truth.range_h, rel=0.25)
    assert fit.describe()["chosen"]["model"] == "exponential"


@pytest.mark.parametrize("family", ["exponential", "gaussian"])
def test_fit_picks_the_family(family):
    """Among exponential and gaussian, the fit picks the family of the truth (their origins differ)."""
    truth = Variogram(family, 4.0, 500.0, 20.0, nugget=0.04)
    field = gaussian_field(SHAPE, SPACING, truth.covariance, np.random.default_rng(4))[0]
    fit = variogram_from_samples(*_wells_in(field), spacing=(50.0, 50.0, 4.0),
                                 candidates=["exponential", "gaussian"])
    assert fit.variogram.model == family
    assert set(fit.fits) == {"exponential", "gaussian"} and fit.errors[family] == min(fit.errors.values())


def test_fit_recovers_a_nugget():
    """White noise added to the samples is found as the nugget."""
    truth = Variogram("spherical", 4.0, 500.0, 20.0)
    field = gaussian_field(SHAPE, SPACING, truth.covariance, np.random.default_rng(1))[0]
    e, n, t, values, well = _wells_in(field)
    noisy = values + np.random.default_rng(5).normal(0.0, 1.0, values.size)      # nugget 1
    fit = variogram_from_samples(e, n, t, noisy, well, spacing=(50.0, 50.0, 4.0), candidates=["spherical"])
    assert fit.variogram.nugget == pytest.approx(1.0, abs=0.3)
    assert fit.variogram.sill == pytest.approx(5.0, rel=0.12)
    fixed = variogram_from_samples(e, n, t, values, well, spacing=(50.0, 50.0, 4.0),
                                   candidates=["spherical"], fit_nugget=False, nugget=0.5)
    assert fixed.variogram.nugget == 0.5


def test_fit_errors():
    """No horizontal pairs or an unknown candidate are reported."""
    t = np.arange(0.0, 100.0, 0.5)
    vert = vertical_variogram(t, np.sin(t), np.zeros(t.size), lag=1.0, max_lag=10.0)
    empty = ExperimentalVariogram("horizontal", np.array([]), np.array([]), np.array([], int), "matheron", 1.0)
    with pytest.raises(VariogramError, match="no horizontal lag bin"):
        fit_variogram(vert, empty)
    with pytest.raises(VariogramError, match="candidates must be among"):
        fit_variogram(vert, vert, candidates=["cubic"])


def test_fixed_sill_for_normal_scores(exponential_field):
    """With sill=1 (normal scores) the total sill is fixed and the rest is fitted."""
    from krigflow.realizations.transform import NormalScore

    _, field = exponential_field
    e, n, t, values, well = _wells_in(field)
    scores = NormalScore.fit(values).transform(values)
    fit = variogram_from_samples(e, n, t, scores, well, spacing=(50.0, 50.0, 4.0), sill=1.0,
                                 candidates=["exponential", "spherical"])
    assert all(v.sill == pytest.approx(1.0) for v in fit.fits.values())
    assert fit.variogram.range_v == pytest.approx(10.0, rel=0.3)
