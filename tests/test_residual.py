"""The residual model of a run: trend, transform, variogram and well effect fitted together."""
import numpy as np
import numpy.testing as npt

from krigflow.conditioning import upscale
from krigflow.grid import Grid
from krigflow.residual import fit_residual_model
from krigflow.variogram.constrained import VariogramBoundWarning  # noqa: F401 (recorded, not raised)


def synthetic(n_wells=8, offsets=4.0, seed=0):
    """Wells 2-5 km apart, a linear depth trend, a per-well offset and AR(1) noise along each well."""
    rng = np.random.default_rng(seed)
    t = np.arange(1000.0, 2000.0, 1.0)
    e, n, z, v, w = [], [], [], [], []
    xy = rng.uniform(0, 15000, size=(n_wells, 2))
    for k in range(n_wells):
        noise = np.zeros(t.size)
        for i in range(1, t.size):
            noise[i] = 0.95 * noise[i - 1] + rng.normal(0, 1.0)
        e.append(np.full(t.size, xy[k, 0]))
        n.append(np.full(t.size, xy[k, 1]))
        z.append(t)
        v.append(0.05 * t + offsets * rng.standard_normal() + noise)
        w.append(np.full(t.size, k))
    arrays = [np.concatenate(a) for a in (e, n, z, v)] + [np.concatenate(w).astype(np.int64)]
    grid = Grid.from_bounds((-500, 15500, -500, 15500, 1000, 2000), (500.0, 500.0, 10.0))
    data = upscale(grid, *arrays, well_names=tuple(f"W{k}" for k in range(n_wells)))
    return grid, data, tuple(arrays)


def test_trend_removed_well_effect_found_sill_is_residual_variance():
    grid, data, samples = synthetic()
    model = fit_residual_model(data, samples, spacing=grid.spacing, trend="auto", variogram={"model": "auto"})
    assert model.trend.kind == "moving_average"
    npt.assert_allclose(model.trend.restore(data.tvdss, model.residuals), data.values, atol=1e-12)
    assert model.well_effect > 3.0                          # offsets of sd 4 (variance 16), 8 wells
    npt.assert_allclose(model.variogram.sill + model.well_effect, np.var(model.residuals), rtol=1e-9)
    rec = model.record
    assert rec["variogram_fit"]["how"]["range_h"].startswith("capped")
    assert rec["variogram_fit"]["experimental"][0]["pairs"]
    assert set(rec["well_mean_residuals"]) == {f"W{k}" for k in range(8)}
    assert rec["transform"] is None and rec["space"] == "property"


def test_transform_auto_and_configured_model():
    grid, data, samples = synthetic(offsets=0.0)
    auto = fit_residual_model(data, samples, spacing=grid.spacing, trend="none", variogram={"model": "auto"},
                              transform={"transform": "auto", "tails": "linear", "zmin": None, "zmax": None})
    assert auto.record["transform"] == "normal_score" and auto.transform is not None
    with_trend = fit_residual_model(data, samples, spacing=grid.spacing, trend="auto",
                                    variogram={"model": "auto"}, transform={"transform": "auto"})
    assert with_trend.record["transform"] == "none" and with_trend.transform is None
    fixed = fit_residual_model(data, samples, spacing=grid.spacing, trend="none",
                               variogram={"model": "exponential", "sill": 4.0, "range_h": 900.0, "range_v": 30.0})
    assert fixed.well_effect == 0.0 and fixed.variogram.sill == 4.0 and fixed.record["variogram_fit"] is None


def test_user_cap_and_fixed_values():
    grid, data, samples = synthetic()
    model = fit_residual_model(data, samples, spacing=grid.spacing, trend={"kind": "polynomial", "degree": 1},
                               variogram={"model": "auto", "range_h_max": 1234.0, "range_v": 25.0,
                                          "well_effect": 2.0})
    assert model.variogram.range_h == 1234.0 and model.variogram.range_v == 25.0 and model.well_effect == 2.0
    assert model.trend.kind == "polynomial"


def test_configured_well_effect_in_normal_score_units():
    """With normal scores a configured well effect (property units) becomes a share of the unit variance."""
    grid, data, samples = synthetic()
    ns = {"transform": "normal_score", "tails": "linear", "zmin": None, "zmax": None}
    base = fit_residual_model(data, samples, spacing=grid.spacing, trend="none", variogram={"model": "auto"},
                              transform=ns)
    variance = float(np.var(base.residuals))
    model = fit_residual_model(data, samples, spacing=grid.spacing, trend="none",
                               variogram={"model": "auto", "well_effect": 0.2 * variance}, transform=ns)
    npt.assert_allclose(model.well_effect, 0.2, rtol=1e-12)
    npt.assert_allclose(model.variogram.sill, 0.8, rtol=1e-12)
