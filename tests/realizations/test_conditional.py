"""Tests of krigflow.realizations.conditional: conditional simulation by kriging of the residuals of FFT fields."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.conditioning import ConditioningData, upscale
from krigflow.exceptions import SimulationError
from krigflow.grid import Grid
from krigflow.kriging import krige_grid, krige_points
from krigflow.realizations.conditional import conditional_realizations, unconditional_fields
from krigflow.realizations.fft import field_spectrum, unconditional_field
from krigflow.realizations.subsample import realization_rng
from krigflow.realizations.transform import NormalScore
from krigflow.variogram.model import Variogram

GRID = Grid.from_bounds([0.0, 600.0, 0.0, 400.0, 1000.0, 1060.0], [20.0, 20.0, 3.0])     # 30 x 20 x 20
VARIOGRAM = Variogram("exponential", 1.0, 300.0, 12.0, range_h2=200.0, azimuth=30.0)


def _wells(values_fn, columns=((5, 4), (22, 6), (12, 15), (27, 17))):
    """Vertical wells at the given (i, j) columns, one datum per cell, values from ``values_fn(rng, n)``."""
    cells = np.array([[i, j, k] for i, j in columns for k in range(GRID.shape[2])])
    rng = np.random.default_rng(7)
    e, n, t = GRID.easting[cells[:, 0]], GRID.northing[cells[:, 1]], GRID.tvdss[cells[:, 2]]
    well = np.repeat(np.arange(len(columns)), GRID.shape[2])
    return upscale(GRID, e, n, t, values_fn(rng, cells.shape[0]), well,
                   well_names=tuple(f"W{i}" for i in range(len(columns))))


def test_unconditional_variogram_reproduction():
    """Unconditional fields reproduce the model variogram along each axis (mean of 40 fields, 10 %)."""
    fields = unconditional_fields(GRID, VARIOGRAM, 3, range(40))
    assert abs(fields.var() - VARIOGRAM.sill) < 0.1
    checks = [(0, 5), (0, 10), (1, 5), (2, 2), (2, 4), (2, 8)]       # (axis, lag in cells)
    for axis, lag in checks:
        a = np.take(fields, range(0, GRID.shape[axis] - lag), axis=axis + 1)
        b = np.take(fields, range(lag, GRID.shape[axis]), axis=axis + 1)
        gamma = 0.5 * np.mean((a - b) ** 2)
        d = [0.0, 0.0, 0.0]
        d[axis] = lag * GRID.spacing[axis]
        model = float(VARIOGRAM.semivariance(*d))
        assert abs(gamma - model) < 0.1 * VARIOGRAM.sill, (axis, lag, gamma, model)


def test_fields_are_index_stable():
    """Realization r's field depends only on default_rng([seed, r]), not on the batch."""
    whole = unconditional_fields(GRID, VARIOGRAM, 11, [0, 1, 2, 3])
    npt.assert_array_equal(unconditional_fields(GRID, VARIOGRAM, 11, [2])[0], whole[2])
    spectrum = field_spectrum(GRID.shape, GRID.spacing, VARIOGRAM)
    npt.assert_array_equal(unconditional_field(spectrum, realization_rng(11, 3)), whole[3])


@pytest.mark.parametrize("nugget", [0.0, 0.2])
@pytest.mark.parametrize("use_transform", [False, True])
def test_realizations_honour_the_data(nugget, use_transform):
    """Every simulated value at a datum's cell equals the datum (with or without nugget / transform)."""
    data = _wells(lambda rng, n: np.exp(3.0 + 0.5 * rng.standard_normal(n)))
    v = Variogram("spherical", 1.0, 250.0, 10.0, nugget=nugget)
    transform = NormalScore.fit(data.values) if use_transform else None
    mean = 0.0 if use_transform else float(data.values.mean())
    if not use_transform:
        v = Variogram("spherical", float(data.values.var()), 250.0, 10.0, nugget=nugget * data.values.var())
    sims = conditional_realizations(GRID, v, data, 5, range(6), mean=mean, transform=transform)
    at = sims[:, data.cells[:, 0], data.cells[:, 1], data.cells[:, 2]]
    npt.assert_allclose(at, np.broadcast_to(data.values, at.shape), rtol=1e-9, atol=1e-9)
    # away from the data the realizations differ
    assert sims[:, 15, 10, 5].std() > 0.1 * data.values.std()


def test_batching_changes_only_rounding():
    """A realization computed alone or in a batch agrees to 1e-10."""
    data = _wells(lambda rng, n: rng.standard_normal(n))
    batch = conditional_realizations(GRID, VARIOGRAM, data, 2, [4, 5, 6])
    alone = conditional_realizations(GRID, VARIOGRAM, data, 2, [5])
    npt.assert_allclose(alone[0], batch[1], rtol=0, atol=1e-10)


def test_ensemble_mean_and_variance_tend_to_simple_kriging():
    """Mean over many realizations -> simple-kriging estimate; variance -> simple-kriging variance."""
    data = _wells(lambda rng, n: 1.5 * rng.standard_normal(n), columns=((5, 4), (22, 6), (12, 15)))
    n_real = 300
    sims = conditional_realizations(GRID, VARIOGRAM, data, 9, range(n_real))
    estimate = krige_grid(GRID, VARIOGRAM, data, kind="simple", mean=0.0)[0]
    # the mean of R draws with conditional variance s2 has standard error sqrt(s2 / R)
    sk_var = krige_points(VARIOGRAM, data, *np.meshgrid(GRID.easting, GRID.northing, GRID.tvdss,
                                                         indexing="ij"), kind="simple", mean=0.0).variance
    sk_var = np.maximum(sk_var.reshape(GRID.shape), 0.0)
    z = (sims.mean(axis=0) - estimate) / np.sqrt(sk_var / n_real + 1e-12)
    assert np.mean(np.abs(z) < 3.0) > 0.98
    assert abs(np.mean(z)) < 0.3
    far = sk_var > 0.5
    ratio = sims.var(axis=0, ddof=1)[far] / sk_var[far]
    assert abs(np.mean(ratio) - 1.0) < 0.05


def test_histogram_reproduction_with_normal_score():
    """With a normal-score transform, realizations reproduce the (skewed) data histogram."""
    data = _wells(lambda rng, n: np.exp(3.0 + 0.6 * rng.standard_normal(n)))
    # independent data values: the data histogram is the target distribution
    transform = NormalScore.fit(data.values)
    v = Variogram("exponential", 1.0, 150.0, 6.0)
    sims = conditional_realizations(GRID, v, data, 1, range(20), transform=transform)
    npt.assert_allclose(np.quantile(sims, [0.1, 0.25, 0.5, 0.75, 0.9]),
                        np.quantile(data.values, [0.1, 0.25, 0.5, 0.75, 0.9]), rtol=0.1)
    assert sims.min() >= transform.zmin and sims.max() <= transform.zmax


def test_off_lattice_data_are_refused():
    """Off-lattice data are refused."""
    off = ConditioningData(np.array([1.0]), np.array([1.0]), np.array([1001.0]), np.array([0.0]),
                           np.zeros(1, int), np.zeros((1, 3), int), ("w",))
    with pytest.raises(SimulationError, match="cell centre"):
        conditional_realizations(GRID, VARIOGRAM, off, 0, [0])
