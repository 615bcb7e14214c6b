"""Anisotropy conventions: krigflow's Variogram against GSTools itself and GSLIB's setrot/cova3."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.variogram.conventions import (
    from_gslib,
    from_gstools,
    gslib_par_lines,
    gstools_model,
    to_gslib,
    to_gstools,
)
from krigflow.variogram.model import Variogram

gs = pytest.importorskip("gstools")

MODELS = [
    Variogram("exponential", sill=2.0, range_h=900.0, range_h2=300.0, range_v=25.0, nugget=0.3, azimuth=30.0),
    Variogram("gaussian", sill=1.0, range_h=600.0, range_h2=450.0, range_v=40.0, azimuth=125.0),
    Variogram("spherical", sill=1.5, range_h=700.0, range_h2=200.0, range_v=15.0, nugget=0.5, azimuth=80.0),
    Variogram("matern", sill=1.0, range_h=500.0, range_h2=250.0, range_v=20.0, azimuth=160.0, nu=0.8),
    Variogram("matern", sill=3.0, range_h=400.0, range_h2=400.0, range_v=12.0, azimuth=0.0, nu=2.5),
]
IDS = ["exponential", "gaussian", "spherical", "matern0.8", "matern2.5"]


def _lags(variogram, n=400):
    """Lags along and across the major axis, diagonal ones and random ones, up to 1.5 ranges."""
    rng = np.random.default_rng(7)
    az = np.deg2rad(variogram.azimuth)
    major = np.array([np.sin(az), np.cos(az), 0.0])
    minor = np.array([np.cos(az), -np.sin(az), 0.0])
    t = np.linspace(0.01, 1.5, 50)[:, None]
    axes = [t * variogram.range_h * major, t * variogram.range_h2 * minor, t * variogram.range_v * [0, 0, 1.0]]
    scale = np.array([variogram.range_h, variogram.range_h, variogram.range_v])
    random = rng.uniform(-1.2, 1.2, size=(n, 3)) * scale
    return np.concatenate(axes + [random])


@pytest.mark.parametrize("variogram", MODELS, ids=IDS)
def test_gstools_model_has_the_same_covariance(variogram):
    """The converted GSTools model (default rescale) gives krigflow's covariance at rotated lags."""
    model = gstools_model(variogram)
    lags = _lags(variogram)
    mine = variogram.covariance(lags[:, 0], lags[:, 1], lags[:, 2])
    theirs = model.cov_spatial(lags.T)   # partial sill part; no lag here is zero
    npt.assert_allclose(theirs, mine, rtol=1e-9, atol=1e-12 * variogram.sill)
    assert model.sill == pytest.approx(variogram.sill)


@pytest.mark.parametrize("variogram", MODELS, ids=IDS)
def test_gstools_round_trip(variogram):
    """krigflow -> GSTools -> krigflow gives the same model."""
    back = from_gstools(gstools_model(variogram))
    assert back.model == variogram.model
    for name in ("sill", "nugget", "range_h", "range_h2", "range_v", "azimuth", "nu"):
        assert getattr(back, name) == pytest.approx(getattr(variogram, name), rel=1e-12, abs=1e-9), name


def test_gstools_rescale_one_gives_range_over_sqrt3():
    """With rescale=1 a gaussian's length scale is range / sqrt(3), and the covariance still agrees."""
    v = Variogram("gaussian", sill=1.0, range_h=300.0, range_v=30.0)
    assert to_gstools(v, rescale=1.0)["len_scale"] == pytest.approx(300.0 / np.sqrt(3.0))
    assert to_gstools(v)["len_scale"] == pytest.approx(300.0 / np.sqrt(3.0) * np.sqrt(np.pi) / 2)
    model = gstools_model(v, rescale=1.0)
    lags = _lags(v)
    npt.assert_allclose(model.cov_spatial(lags.T), v.covariance(*lags.T), rtol=1e-9)


def test_from_gstools_user_model():
    """A model written directly in GSTools (angle from east, length scale) converts to practical ranges."""
    model = gs.Exponential(dim=3, var=2.0, len_scale=100.0, nugget=0.5, anis=[0.5, 0.1], angles=[np.pi / 6, 0, 0])
    v = from_gstools(model)
    assert v.range_h == pytest.approx(300.0)
    assert v.range_h2 == pytest.approx(150.0)
    assert v.range_v == pytest.approx(30.0)
    assert v.azimuth == pytest.approx(60.0)   # 30 deg counter-clockwise from east = 60 deg clockwise from north
    assert v.sill == pytest.approx(2.5)
    lags = _lags(v)
    npt.assert_allclose(v.covariance(*lags.T), model.cov_spatial(lags.T), rtol=1e-9)


@pytest.mark.parametrize("model, match", [
    (lambda: gs.Stable(dim=3), "no krigflow equivalent"),
    (lambda: gs.Exponential(dim=2), "dim=3"),
    (lambda: gs.Exponential(dim=3, angles=[0.1, 0.2, 0.0]), "only the first angle"),
])
def test_from_gstools_rejects(model, match):
    """Models krigflow cannot represent are refused with the reason."""
    with pytest.raises(ConfigError, match=match):
        from_gstools(model())


def _gslib_cova(lags, c0, it, cc, ang1, ang2, ang3, a_hmax, a_hmin, a_vert):
    """Covariance of one GSLIB structure at lags (x east, y north, z up), transcribed from setrot + cova3."""
    d2r = np.pi / 180.0
    alpha = (90.0 - ang1) * d2r if 0.0 <= ang1 < 270.0 else (450.0 - ang1) * d2r
    beta, theta = -ang2 * d2r, ang3 * d2r
    sa, sb, st, ca, cb, ct = np.sin(alpha), np.sin(beta), np.sin(theta), np.cos(alpha), np.cos(beta), np.cos(theta)
    f1, f2 = a_hmax / a_hmin, a_hmax / a_vert
    rot = np.array([[cb * ca, cb * sa, -sb],
                    [f1 * (-ct * sa + st * sb * ca), f1 * (ct * ca + st * sb * sa), f1 * st * cb],
                    [f2 * (st * sa + ct * sb * ca), f2 * (-st * ca + ct * sb * sa), f2 * ct * cb]])
    h = np.sqrt(np.sum((lags @ rot.T) ** 2, axis=1)) / a_hmax
    if it == 1:
        hr = np.minimum(h, 1.0)
        cov = cc * (1.0 - hr * (1.5 - 0.5 * hr * hr))
    elif it == 2:
        cov = cc * np.exp(-3.0 * h)
    else:
        cov = cc * np.exp(-3.0 * h * h)
    return np.where(h < 1e-12, cov + c0, cov)


@pytest.mark.parametrize("variogram", MODELS[:3], ids=IDS[:3])
def test_gslib_parameters_give_the_same_covariance(variogram):
    """GSLIB's rotation (setrot) with the converted parameters gives krigflow's covariance; round trip."""
    g = to_gslib(variogram)
    lags = _lags(variogram)
    up = lags * [1.0, 1.0, -1.0]   # GSLIB's z is elevation
    theirs = _gslib_cova(up, **{k: g[k] for k in ("c0", "it", "cc", "ang1", "ang2", "ang3", "a_hmax",
                                                   "a_hmin", "a_vert")})
    npt.assert_allclose(theirs, variogram.covariance(*lags.T), rtol=1e-12, atol=1e-14)
    assert from_gslib(**g) == variogram


def test_gslib_azimuth_folded_and_ranges():
    """An azimuth of 300 deg (GSLIB's other branch of setrot) is the axis 120 deg; covariances agree."""
    v = from_gslib(c0=0.0, it=2, cc=1.0, ang1=300.0, a_hmax=800.0, a_hmin=100.0, a_vert=10.0)
    assert v.azimuth == pytest.approx(120.0)
    lags = _lags(v)
    theirs = _gslib_cova(lags, 0.0, 2, 1.0, 300.0, 0.0, 0.0, 800.0, 100.0, 10.0)
    npt.assert_allclose(theirs, v.covariance(*lags.T), rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(it=4, cc=1.0, a_hmax=1.0, a_vert=1.0), "it must be one of"),
    (dict(it=1, cc=1.0, a_hmax=1.0, a_vert=1.0, ang2=10.0), "ang2 must be 0"),
    (dict(it=1, cc=1.0, a_hmax=1.0, a_vert=1.0, ang3=-5.0), "ang3 must be 0"),
    (dict(it=1, cc=1.0, a_hmax=1.0, a_vert=1.0, nst=2), "one structure"),
])
def test_from_gslib_rejects(kwargs, match):
    """GSLIB models krigflow cannot represent are refused, naming the parameter."""
    with pytest.raises(ConfigError, match=match):
        from_gslib(**kwargs)


def test_to_gslib_rejects_matern():
    """GSLIB has no Matérn model."""
    with pytest.raises(ConfigError, match="GSLIB has no 'matern'"):
        to_gslib(MODELS[3])


def test_gslib_par_lines_parse_back():
    """The parameter-file lines hold the numbers of to_gslib in GSLIB's order."""
    v = MODELS[0]
    lines = gslib_par_lines(v).splitlines()
    nst, c0 = lines[0].split()[:2]
    it, cc, a1, a2, a3 = lines[1].split()[:5]
    ah, amin, av = lines[2].split()[:3]
    back = from_gslib(nst=int(nst), c0=float(c0), it=int(it), cc=float(cc), ang1=float(a1), ang2=float(a2),
                      ang3=float(a3), a_hmax=float(ah), a_hmin=float(amin), a_vert=float(av))
    assert back == v
