"""Tests of krigflow.variogram.model: models, practical ranges, anisotropy and validation."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import VariogramError
from krigflow.variogram.model import Variogram, matern_scale


@pytest.mark.parametrize("model", ["spherical", "exponential", "gaussian", "matern"])
def test_zero_lag_is_full_sill(model):
    """C(0) is the total sill (nugget included) and gamma(0) is 0."""
    v = Variogram(model, sill=2.5, range_h=100.0, range_v=10.0, nugget=0.5)
    npt.assert_allclose(v.covariance(0.0, 0.0, 0.0), 2.5, rtol=1e-15)
    npt.assert_allclose(v.semivariance(0.0, 0.0, 0.0), 0.0, atol=1e-15)


@pytest.mark.parametrize(
    "model, expected",
    [("exponential", np.exp(-3.0)), ("gaussian", np.exp(-3.0)), ("spherical", 0.0), ("matern", 0.05)],
)
def test_practical_range(model, expected):
    """The structured correlation at the range is exp(-3) (exp/gauss), 0 (spherical), 0.05 (Matern)."""
    v = Variogram(model, sill=3.0, range_h=250.0, range_v=10.0, nugget=1.0, nu=2.5)
    for lag in [(0.0, 250.0, 0.0), (0.0, 0.0, 10.0)]:
        npt.assert_allclose(v.covariance(*lag), 2.0 * expected, rtol=1e-10, atol=1e-14)


def test_nugget_is_a_jump():
    """Just off zero lag the covariance is the partial sill, not the total sill."""
    v = Variogram("exponential", sill=2.0, range_h=100.0, range_v=10.0, nugget=0.5)
    npt.assert_allclose(v.covariance(1e-9, 0.0, 0.0), 1.5, rtol=1e-9)


def test_exponential_and_spherical_formulas():
    """Exponential is psill*exp(-3h/a); spherical is psill*(1 - 1.5h/a + 0.5h^3/a^3) inside the range."""
    h = np.array([10.0, 50.0, 99.0, 150.0])
    ve = Variogram("exponential", sill=1.0, range_h=100.0, range_v=5.0)
    npt.assert_allclose(ve.covariance(h, 0.0, 0.0), np.exp(-3 * h / 100), rtol=1e-14)
    vs = Variogram("spherical", sill=1.0, range_h=100.0, range_v=5.0)
    x = np.minimum(h / 100, 1)
    npt.assert_allclose(vs.covariance(h, 0.0, 0.0), 1 - 1.5 * x + 0.5 * x**3, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5, 4.0])
def test_matern_matches_gstools(nu):
    """Matern covariance equals GSTools' Matern with len_scale = range * sqrt(nu) / scale."""
    gs = pytest.importorskip("gstools")
    v = Variogram("matern", sill=2.0, range_h=300.0, range_v=300.0, nugget=0.0, nu=nu)
    model = gs.Matern(dim=3, var=2.0, len_scale=300.0 * np.sqrt(nu) / matern_scale(nu), nu=nu)
    r = np.linspace(0.0, 900.0, 31)
    npt.assert_allclose(v.covariance(r, 0.0, 0.0), model.covariance(r), rtol=1e-10, atol=1e-14)


def test_matern_half_is_exponential():
    """Matern with nu = 1/2 is exp(-t) with scale ln(20)."""
    v = Variogram("matern", sill=1.0, range_h=100.0, range_v=100.0, nu=0.5)
    h = np.array([1.0, 30.0, 100.0, 400.0])
    npt.assert_allclose(v.covariance(h, 0, 0), np.exp(-np.log(20.0) * h / 100), rtol=1e-12)


def test_anisotropy_hand_computed():
    """With azimuth 30, a lag of range_h along the major axis and range_h2 along the minor are both h = 1."""
    v = Variogram("exponential", sill=1.0, range_h=100.0, range_h2=50.0, range_v=10.0, azimuth=30.0)
    az = np.deg2rad(30.0)
    major = 100.0 * np.array([np.sin(az), np.cos(az)])     # clockwise from north
    minor = 50.0 * np.array([np.cos(az), -np.sin(az)])
    npt.assert_allclose(v.normalized_lag(major[0], major[1], 0.0), 1.0, rtol=1e-14)
    npt.assert_allclose(v.normalized_lag(minor[0], minor[1], 0.0), 1.0, rtol=1e-14)
    # a mixed lag by hand: 3/5 of the major, 4/5 of the minor, plus 10 m vertical -> sqrt(0.36+0.64+1)
    lag = 0.6 * major + 0.8 * minor
    npt.assert_allclose(v.normalized_lag(lag[0], lag[1], 10.0), np.sqrt(2.0), rtol=1e-14)
    # azimuth 90: major axis along easting
    v90 = Variogram("exponential", sill=1.0, range_h=100.0, range_h2=50.0, range_v=10.0, azimuth=90.0)
    npt.assert_allclose(v90.normalized_lag([100.0, 0.0], [0.0, 50.0], 0.0), [1.0, 1.0], rtol=1e-14)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"model": "cubic"}, "model"),
        ({"sill": 0.5, "nugget": 0.5}, "sill"),
        ({"nugget": -0.1}, "nugget"),
        ({"range_h": 0.0}, "range_h"),
        ({"range_h2": -1.0}, "range_h2"),
        ({"range_v": np.inf}, "range_v"),
        ({"model": "matern", "nu": 0.0}, "nu"),
        ({"sill": "big"}, "sill"),
    ],
)
def test_validation_names_the_parameter(kwargs, match):
    """Invalid parameters raise VariogramError naming the parameter."""
    args = {"model": "exponential", "sill": 1.0, "range_h": 100.0, "range_v": 10.0}
    args.update(kwargs)
    with pytest.raises(VariogramError, match=match):
        Variogram(**args)


def test_range_h2_defaults_to_range_h():
    """Without range_h2 the horizontal plane is isotropic."""
    v = Variogram("gaussian", sill=1.0, range_h=80.0, range_v=5.0, azimuth=17.0)
    assert v.range_h2 == 80.0
    npt.assert_allclose(v.covariance(80.0, 0.0, 0.0), v.covariance(0.0, 80.0, 0.0), rtol=1e-14)
