"""``method.transform: log10``: the property is modelled through log10 (krigflow.run.log_space).

Oracles: a log-normal field's exact quantiles (``10 ** (m + s z_p)`` from the simple-kriging moments of the
log data) against the empirical quantiles of many realizations; the lognormal mean
``10 ** (m + ln(10) s**2 / 2)`` against the realizations' mean (and not the median ``10 ** m``); a pure
log-linear trend ``k = 10 ** (a + b z)`` restored exactly; the run's statistics against regenerated
realizations; non-positive data refused naming the well, the file and the depth.
"""
import dataclasses

import numpy as np
import numpy.testing as npt
import pytest
from synthetic_field import make_wells, small_config

from krigflow.exceptions import ConfigError, KrigflowError
from krigflow.realizations import LogTransform
from krigflow.run import build_problem, run_local
from krigflow.run.finish import exact_arrays
from krigflow.run.realize import iter_realizations, realization_values
from krigflow.stats.gaussian import conditional_gaussian, score_threshold

#: Variogram of log10(k) (sill 0.09: a log10 spread of 0.3, k varies by a factor 2 per standard deviation).
LOG_VARIOGRAM = {"model": "spherical", "sill": 0.09, "nugget": 0.0, "range_h": 700.0, "range_v": 25.0}


def perm_wells(a=2.0, b=0.0):
    """The synthetic wells with k = 10 ** (a + b (tvdss - 1000) + 0.3 * (GR - 60) / 20): positive, log-normal-ish.

    Samples every 0.5 m from 1000.25 m: a 9 m cell's samples are centred on the cell centre, so a cell's mean
    of a log-linear profile is its value at the centre."""
    out = []
    for w in make_wells(top=1000.25):
        log_k = a + b * (w.tvdss - 1000.0) + (0.3 * (w.values - 60.0) / 20.0 if b == 0.0 else 0.0)
        out.append(dataclasses.replace(w, values=np.power(10.0, log_k), curve="PERM", unit="mD"))
    return out


def log_config(tmp_path=None, **changes):
    raw = {"method": {"name": "conditional", "transform": "log10"}, "variogram": LOG_VARIOGRAM, "trend": "none",
           "quantiles": [10, 50, 90], "cutoffs": [100.0], "realizations": 12, "batch_size": 4}
    raw.update(changes)
    return small_config(tmp_path, **raw)


def test_config_accepts_log10_for_both_methods():
    """log10 is a transform of the property: accepted with conditional and subsample; the normal score is
    still refused with subsample."""
    assert log_config()["method"]["transform"] == "log10"
    cfg = small_config(method={"name": "subsample", "transform": "log10"})
    assert cfg["method"]["name"] == "subsample" and cfg["method"]["transform"] == "log10"
    with pytest.raises(ConfigError, match="method.transform: only used with method 'conditional'"):
        small_config(method={"name": "subsample", "transform": "normal_score"})


def test_non_positive_data_refused_naming_well_file_and_depth():
    """A value <= 0 is refused before any work: the error names the well, its file, MD and TVDSS of the first."""
    wells = perm_wells()
    values = wells[2].values.copy()
    values[[40, 90]] = [0.0, -3.0]                     # MD order: index 40 comes first
    wells[2] = dataclasses.replace(wells[2], values=values)
    with pytest.raises(KrigflowError) as info:
        build_problem(wells, log_config())
    text = str(info.value)
    md, tvdss = wells[2].md[40], wells[2].tvdss[40]
    assert "method.transform log10" in text and "'W2'" in text and "W2.las" in text
    assert f"MD {md:.2f} m" in text and f"TVDSS {tvdss:.2f} m" in text and "2 value(s) <= 0" in text
    assert "W0" not in text and "W1" not in text


def test_exact_quantiles_match_realizations_and_mean_is_lognormal():
    """Log-normal field: exact quantiles 10 ** (m + s z) match the empirical quantiles of 300 realizations;
    P(k > c) = P(log k > log c); the ensemble mean is the lognormal mean 10 ** (m + ln(10) s^2 / 2), well
    above the median 10 ** m where the log spread is large. (300 realizations of 4 000 cells: ~2 s.)"""
    problem = build_problem(perm_wells(), log_config(realizations=300, batch_size=50))
    assert problem.log is not None and problem.transform is None and problem.trend.kind == "none"
    fields = np.concatenate([realization_values(problem, range(s, s + 50)) for s in range(0, 300, 50)])
    assert fields.min() > 0
    exact = exact_arrays(problem, cutoffs=[100.0])
    for q in (10, 50, 90):     # fraction of realizations below the exact quantile, pooled over the cells
        below = float(np.mean(fields < exact[f"p{q}"][None]))
        assert abs(below - q / 100) < 0.02, (q, below)
    empirical = np.quantile(fields, 0.5, axis=0)
    assert np.median(np.abs(np.log10(empirical) - np.log10(exact["p50"]))) < 0.02
    npt.assert_allclose(np.mean(exact["prob_gt_100"]), np.mean(fields > 100.0), atol=0.01)
    g = conditional_gaussian(problem.grid, problem.variogram, problem.data, transform=problem.log,
                             mean=problem.mean, values=problem.data.values)
    npt.assert_allclose(g.quantile(0.5), np.power(10.0, g.mean), rtol=1e-12)      # the median is 10 ** m
    lognormal_mean = np.power(10.0, g.mean + np.log(10.0) * g.std ** 2 / 2)
    far = g.std > 0.25                                       # cells far from the wells: mean / median ~ 1.2-1.3
    ratio = fields.mean(axis=0)[far] / lognormal_mean[far]
    assert far.sum() > 500 and abs(np.mean(ratio) - 1.0) < 0.02, np.mean(ratio)
    assert np.mean(fields.mean(axis=0)[far] / np.power(10.0, g.mean[far])) > 1.15


def test_exact_quantiles_with_a_log_space_trend_match_realizations():
    """With a trend in log10 units the exact quantile is ``10 ** (trend + m + s z)`` (the trend inside the
    back-transform) and ``P(k > c) = P(trend + Y > log10 c)``: both match 200 realizations."""
    wells = []
    for w in make_wells(top=1000.25):
        log_k = 2.0 + 0.004 * (w.tvdss - 1000.0) + 0.3 * (w.values - 60.0) / 20.0
        wells.append(dataclasses.replace(w, values=np.power(10.0, log_k), curve="PERM", unit="mD"))
    problem = build_problem(wells, log_config(trend={"kind": "polynomial", "degree": 1}, realizations=200,
                                              batch_size=50))
    assert problem.log is not None and problem.trend.kind == "polynomial"
    fields = np.concatenate([realization_values(problem, range(s, s + 50)) for s in range(0, 200, 50)])
    exact = exact_arrays(problem, cutoffs=[100.0])
    for q in (10, 50, 90):
        below = float(np.mean(fields < exact[f"p{q}"][None]))
        assert abs(below - q / 100) < 0.025, (q, below)
    npt.assert_allclose(np.mean(exact["prob_gt_100"]), np.mean(fields > 100.0), atol=0.015)
    assert np.ptp(np.log10(exact["p50"]).mean(axis=(0, 1))) > 0.1      # the trend is in the quantiles


def test_score_threshold_of_a_log_transform():
    """P(k > c) = P(log10 k > log10 c); every positive k exceeds c <= 0."""
    t = LogTransform.fit([1.0, 100.0])
    npt.assert_array_equal(score_threshold(t, [100.0, 1.0, 0.0, -5.0]), [2.0, 0.0, -np.inf, -np.inf])


@pytest.mark.parametrize("method", [{"name": "subsample", "fraction": 0.6, "unit": "wells", "transform": "log10"},
                                    {"name": "conditional", "transform": "log10"}], ids=["subsample", "conditional"])
def test_log_linear_trend_restored_exactly(method):
    """k = 10 ** (a + b z) with a degree-1 trend fitted in log10: the residuals are 0, so subsample realizations
    are the trend everywhere, conditional ones at every datum's cell; not a trend of k itself."""
    a, b = 1.0, 0.02
    cfg = log_config(method=method, trend={"kind": "polynomial", "degree": 1}, quantiles=[],
                     variogram=dict(LOG_VARIOGRAM, sill=1e-6))
    problem = build_problem(perm_wells(a, b), cfg)
    assert problem.trend.kind == "polynomial"
    npt.assert_allclose(problem.data.values, 0.0, atol=1e-9)
    field = realization_values(problem, [3])[0]
    expected = np.power(10.0, a + b * (problem.grid.tvdss - 1000.0))
    if method["name"] == "subsample":
        npt.assert_allclose(field, np.broadcast_to(expected, field.shape), rtol=1e-9)
    else:
        c = problem.data.cells
        npt.assert_allclose(field[c[:, 0], c[:, 1], c[:, 2]], expected[c[:, 2]], rtol=1e-9)
        npt.assert_allclose(field, np.broadcast_to(expected, field.shape), rtol=0.02)   # sill 1e-6: tiny noise
    data = problem.property_data()                             # wells.npz: the data in mD again
    npt.assert_allclose(data.values, np.power(10.0, a + b * (data.tvdss - 1000.0)), rtol=1e-9)


@pytest.mark.parametrize("trend", ["none", {"kind": "polynomial", "degree": 1}], ids=["no-trend", "trend"])
def test_run_statistics_are_those_of_regenerated_realizations(tmp_path, trend):
    """A log10 run (run_local, written) and realizations regenerated from its config: min/max/mean equal,
    realizations.csv rows equal, summary.json records the log transform; quantiles exact without a trend,
    from geometric histogram bins with one."""
    cfg = log_config(tmp_path, trend=trend, output=str(tmp_path / "out"), realizations=7, batch_size=3,
                     outputs={"figures": False, "formats": []})
    arrays = run_local(cfg, wells=perm_wells())["arrays"]
    fields = np.stack([da.values for da in iter_realizations(cfg, range(7), wells=perm_wells(),
                                                             run_dir=cfg["output"])])
    npt.assert_allclose(fields.min(axis=0), arrays["min"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.max(axis=0), arrays["max"], rtol=1e-12, atol=0)
    npt.assert_allclose(fields.mean(axis=0), arrays["mean"], rtol=1e-12, atol=0)
    import json
    with open(tmp_path / "out" / "summary.json") as fh:
        summary = json.load(fh)
    assert summary["transform"]["kind"] == "log10" and summary["residual_model"]["space"] == "log10"
    assert summary["quantiles_from"] == "exact"          # log-space trend: 10 ** (trend + m + s z)
    with np.load(tmp_path / "out" / "wells.npz") as w:
        assert w["data_value"].min() > 10 and w["data_value"].max() < 1e4        # mD, not log10
    assert np.all(arrays["p10"] <= arrays["p50"]) and np.all(arrays["p50"] <= arrays["p90"])
    assert np.all(arrays["p10"] > 0)
