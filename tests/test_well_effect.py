"""The well effect: covariance term, kriging variance, estimator and per-well offsets (krigflow.well_effect)."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.variogram import Variogram
from krigflow.well_effect import (
    add_well_effect,
    draw_offsets,
    estimate_well_effect,
    krige_points_well_effect,
    well_effect_matrix,
)

V = Variogram("exponential", sill=4.0, range_h=500.0, range_v=20.0, nugget=0.5)


def _two_wells():
    t = np.arange(1000.0, 1100.0, 10.0)
    coords = np.concatenate([np.stack([np.zeros_like(t), np.zeros_like(t), t], 1),
                             np.stack([np.full_like(t, 300.0), np.zeros_like(t), t], 1)])
    well = np.repeat([0, 1], t.size)
    values = np.random.default_rng(3).normal(0.0, 2.0, coords.shape[0])
    return coords, well, values


@pytest.mark.parametrize("kind", ["simple", "ordinary"])
def test_variance_at_unsampled_location_grows_by_the_well_effect(kind):
    """Far from every datum the kriging variance is larger by exactly sigma_w**2 (simple kriging), and by
    sigma_w**2 plus the (smaller) uncertainty of the mean for ordinary kriging: never by less."""
    coords, well, values = _two_wells()
    far = np.array([[1e6, 0.0, 1050.0]])
    _, var0, _ = krige_points_well_effect(V, coords, well, values, far, 0.0, kind=kind)
    _, var1, _ = krige_points_well_effect(V, coords, well, values, far, 1.5, kind=kind)
    if kind == "simple":
        npt.assert_allclose(var0, V.sill, rtol=1e-12)
        npt.assert_allclose(var1 - var0, 1.5, rtol=1e-12)
    else:
        assert var1[0] - var0[0] >= 1.5 - 1e-9


def test_own_well_not_double_counted():
    """A datum's covariance with itself gains sigma_w**2 once; kriging at a datum of a single-datum well
    gives the closed form of a 1x1 system with C(0) + sigma_w**2."""
    cov = add_well_effect(np.full((1, 1), V.sill), [0], 1.5)
    assert cov[0, 0] == V.sill + 1.5
    coords = np.array([[0.0, 0.0, 1000.0]])
    est, var, lam = krige_points_well_effect(V, coords, [0], [2.0], coords, 1.5)
    w = V.sill / (V.sill + 1.5)
    npt.assert_allclose(lam[0, 0], w, rtol=1e-12)
    npt.assert_allclose(est, w * 2.0, rtol=1e-12)
    npt.assert_allclose(var, V.sill + 1.5 - w * V.sill, rtol=1e-12)


def test_data_target_covariance_has_no_well_effect():
    """Targets (label -1) never share a well with data: the well-effect block is zero for them."""
    m = well_effect_matrix([0, 1, -1], [0, 1, -1], 2.0)
    npt.assert_array_equal(m, [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0]])


def test_well_effect_spreads_weights_over_wells():
    """With a well effect the nearest well's data weigh less in total (its offset is not copied)."""
    coords, well, values = _two_wells()
    target = np.array([[30.0, 0.0, 1050.0]])
    _, _, lam0 = krige_points_well_effect(V, coords, well, values, target, 0.0, kind="ordinary")
    _, _, lam1 = krige_points_well_effect(V, coords, well, values, target, 3.0, kind="ordinary")
    assert lam1[well == 0].sum() < lam0[well == 0].sum()
    npt.assert_allclose(lam1.sum(), 1.0, rtol=1e-10)


def test_estimator_recovers_a_known_well_effect():
    """Many wells with offsets of variance 9 and white residuals: the estimate is close to 9; with no offsets
    it is near 0 (clipped at 0)."""
    rng = np.random.default_rng(7)
    n_wells, per = 60, 50
    t = np.tile(np.arange(per) * 10.0, n_wells)
    well = np.repeat(np.arange(n_wells), per)
    e = rng.normal(0.0, 1.0, t.size)
    v = Variogram("spherical", 1.0, 100.0, 1.0)
    offsets = rng.normal(0.0, 3.0, n_wells)
    est = estimate_well_effect(e + offsets[well], well, v, 1000.0 * well, 0.0 * t, t)
    assert 6.0 < est["variance"] < 12.0
    none = estimate_well_effect(e, well, v, 1000.0 * well, 0.0 * t, t)
    assert none["variance"] < 0.1
    assert estimate_well_effect(e[:100], well[:100], v, t[:100], t[:100], t[:100])["variance"] == 0.0


def test_offsets_are_seeded_and_scaled():
    a = draw_offsets(np.random.default_rng([1, 2]), 5, 4.0)
    b = draw_offsets(np.random.default_rng([1, 2]), 5, 4.0)
    npt.assert_array_equal(a, b)
    assert a.shape == (6,)
    big = draw_offsets(np.random.default_rng(0), 20000, 4.0)
    assert abs(big.std() - 2.0) < 0.05


def test_negative_variance_is_refused():
    with pytest.raises(ConfigError, match="well-effect variance"):
        well_effect_matrix([0], [0], -1.0)
