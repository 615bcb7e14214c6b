"""Depth trends: fitting, removal and exact restoration (krigflow.trend)."""
import numpy as np
import numpy.testing as npt
import pytest

from krigflow.exceptions import ConfigError
from krigflow.trend import Trend, choose_trend, default_window, fit_trend


def _wells(trend, n_wells=4, seed=0, noise=0.0, uneven=False):
    rng = np.random.default_rng(seed)
    t, w = [], []
    for k in range(n_wells):
        top = 1000.0 + (600.0 * k if uneven else 0.0)
        depths = np.arange(top, 3000.0, 10.0 if not (uneven and k == 0) else 2.0)
        t.append(depths)
        w.append(np.full(depths.size, k))
    t, w = np.concatenate(t), np.concatenate(w)
    return t, trend(t) + noise * rng.standard_normal(t.size), w


@pytest.mark.parametrize("kind,kwargs", [("polynomial", {"degree": 1}), ("polynomial", {"degree": 3}),
                                         ("moving_average", {"window": 300.0})])
def test_removal_and_restoration_exact_on_a_pure_trend(kind, kwargs):
    """A pure polynomial trend is removed to zero by a polynomial fit; restore(remove(z)) == z always."""
    def pure(t):
        return 5.0 + 0.01 * (t - 2000.0) + (2e-8 * (t - 2000.0) ** 3 if kwargs.get("degree") == 3 else 0.0)
    t, z, w = _wells(pure)
    trend = fit_trend(t, z, w, kind=kind, **kwargs)
    residual = trend.remove(t, z)
    npt.assert_allclose(trend.restore(t, residual), z, rtol=0, atol=1e-12)
    if kind == "polynomial":
        npt.assert_allclose(residual, 0.0, atol=1e-9)
    else:   # a moving average of a linear trend is exact wherever the window is whole
        inner = (t > 1200.0) & (t < 2800.0)
        npt.assert_allclose(residual[inner], 0.0, atol=1e-9)


def test_restore_broadcasts_over_realizations():
    """Realizations (R, nx, ny, nz) get the trend of their depth axis added back."""
    trend = Trend("moving_average", knots=[0.0, 100.0], values=[10.0, 20.0])
    resid = np.zeros((3, 2, 2, 5))
    tvdss = np.linspace(0.0, 100.0, 5)
    out = trend.restore(tvdss, resid)
    npt.assert_allclose(out[2, 1, 0], [10.0, 12.5, 15.0, 17.5, 20.0])


def test_moving_average_is_robust_to_uneven_well_coverage():
    """A densely sampled well and wells that start deeper do not pull the trend: each well weighs once."""
    def step(t):
        return np.where(t < 2000.0, 10.0, 30.0)
    t, z, w = _wells(step, uneven=True)
    z = z + np.array([30.0, -30.0, 0.0, 0.0])[w]   # offsets that cancel over the wells at every depth
    trend = fit_trend(t, z, w, kind="moving_average", window=200.0)
    both = np.array([2500.0, 2900.0])             # depths every well covers
    npt.assert_allclose(trend.evaluate(both), 30.0, atol=1e-9)


def test_auto_chooses_and_reports():
    """auto: a moving average on data with a depth trend, none on stationary noise; the reason is recorded."""
    t, z, w = _wells(lambda t: 0.02 * t, noise=1.0)
    chosen = choose_trend(t, z, w)
    assert chosen.kind == "moving_average" and chosen.reason.startswith("auto: depth trend")
    t, z, w = _wells(lambda t: 0.0 * t, noise=1.0)
    none = fit_trend(t, z, w, kind="auto")
    assert none.kind == "none" and "no depth trend" in none.describe()["reason"]


def test_auto_chooses_a_depth_profile_shared_by_the_wells():
    """Layered data with a non-monotone depth profile (a high zone between two low ones, at the same depths in
    every well): pairs far apart in depth differ no more than random pairs (the first test fails: 1.05 x the
    variance), but the moving average explains more than 2 / n_wells of the variance: a moving average is chosen, for that reason. With 3 wells the same
    share is not enough (2 / 3)."""
    rng = np.random.default_rng(4)
    t = np.tile(np.arange(2000.0, 2200.0, 1.0), 10)
    w = np.repeat(np.arange(10), 200)
    profile = np.where((t > 2060.0) & (t < 2120.0), 95.0, 50.0)
    z = profile + rng.normal(0.0, 20.0, t.size)
    chosen = choose_trend(t, z, w)
    assert chosen.kind == "moving_average" and "shared by the wells" in chosen.reason
    few = w < 3
    assert choose_trend(t[few], z[few], w[few]).kind == "none"


def test_record_round_trip():
    """describe() -> from_record() gives the same trend (summary.json)."""
    t, z, w = _wells(lambda t: np.sin(t / 300.0), noise=0.1)
    for kind in ("moving_average", "polynomial", "none"):
        tr = fit_trend(t, z, w, kind=kind, degree=2)
        back = Trend.from_record(tr.describe())
        npt.assert_array_equal(back.evaluate(t), tr.evaluate(t))


def test_default_window_scales_with_extent():
    """A tenth of the extent, at least five cells, at most 400 m."""
    assert default_window([1000.0, 4600.0], 20.0) == 360.0
    assert default_window([0.0, 10000.0], 20.0) == 400.0
    assert default_window([0.0, 100.0], 5.0) == 25.0


@pytest.mark.parametrize("kwargs,match", [({"kind": "spline"}, "trend.kind"),
                                          ({"kind": "moving_average", "window": -5.0}, "trend.window"),
                                          ({"kind": "polynomial", "degree": 1.5}, "trend.degree")])
def test_bad_options_name_the_key(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        fit_trend([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], **kwargs)
