"""Exact per-cell quantiles of zoned conditional runs (issue 15): each zone's simple-kriging moments of its
normal scores on the simbox, back-transformed, its trend added, copied back to the corner-point cells.

The oracle is the zoned simulator (conditioning by simple kriging per zone): its per-cell quantiles and
exceedance frequencies converge to the exact values."""
import dataclasses
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest
import yaml
from zones_sample import layered_case

from krigflow.kriging import krige_points
from krigflow.run import build_problem, run_local, validate_config
from krigflow.zones.exact import zone_gaussian, zoned_exact_outputs
from krigflow.zones.model import build_zone_problems, zoned_realizations

CONDITIONAL = {"name": "conditional", "transform": "normal_score", "tails": "linear"}
DEMO = Path(__file__).resolve().parents[2] / "data" / "zoned_demo"


@pytest.fixture(scope="module")
def zoned():
    truth, wells, arrays, well = layered_case(800.0, (4, 5, 3), 6)
    problems = build_zone_problems(truth.sgrid, *arrays, well, well_names=[w.name for w in wells],
                                   method=CONDITIONAL, variograms=[{"model": "exponential", "sill": 50.0,
                                                                    "range_h": 300.0 + 50 * q, "range_v": 4.0,
                                                                    "nugget": 2.0} for q in range(3)])
    return truth.sgrid, problems


def test_zone_moments_are_simple_kriging(zoned):
    """A zone's mean and variance (normal scores) are the simple-kriging estimate and variance (mean: the
    zone's simple-kriging mean), as the zoned simulator conditions."""
    _, problems = zoned
    p = problems[1]
    g = zone_gaussian(p)
    e, n, t = np.meshgrid(p.grid.easting, p.grid.northing, p.grid.tvdss, indexing="ij")
    scores = dataclasses.replace(p.data, values=p.transform.transform(p.data.values))
    ref = krige_points(p.variogram, scores, e.ravel(), n.ravel(), t.ravel(), kind="simple", mean=p.mean)
    npt.assert_allclose(g.mean.ravel(), ref.estimate, atol=1e-10)
    npt.assert_allclose(g.std.ravel() ** 2, ref.variance, atol=1e-10)


def test_zoned_realizations_converge_to_the_exact_quantiles(zoned):
    """Per-cell P10/P50/P90 and P(> c) of 1 200 zoned realizations match the exact values within Monte Carlo
    error in every active cell (~3 s of CPU)."""
    sgrid, problems = zoned
    exact = zoned_exact_outputs(sgrid, problems, quantiles=[10, 50, 90], cutoffs=[50.0, 90.0])
    std = sgrid.from_zone_values([zone_gaussian(p).std for p in problems])
    free = np.isfinite(std) & (std > 0)                 # active cells that hold no datum
    n_real = 1200
    below = {q: np.zeros(std.shape) for q in (10, 50, 90)}
    above = {c: np.zeros(std.shape) for c in (50.0, 90.0)}
    for start in range(0, n_real, 300):
        fields = zoned_realizations(sgrid, problems, CONDITIONAL, 9, range(start, start + 300))
        for q in below:
            below[q] += np.sum(fields <= exact[f"p{q}"], axis=0)
        for c in above:
            above[c] += np.sum(fields > c, axis=0)
    for q, count in below.items():
        p = q / 100.0
        frac = count[free] / n_real
        sigma = np.sqrt(p * (1 - p) / n_real)
        assert abs(frac.mean() - p) < 3 * sigma, q
        assert np.max(np.abs(frac - p)) < 5.5 * sigma, q
    for c, count in above.items():
        prob = exact[f"prob_gt_{c:g}"][free]
        assert 0.05 < prob.mean() < 0.95, c
        sigma = np.sqrt(prob * (1 - prob) / n_real) + 1e-12
        assert np.max(np.abs(count[free] / n_real - prob) / sigma) < 5.5, c
    assert np.all(np.isnan(exact["p50"]) == np.isnan(std))        # inactive cells: NaN, as the statistics


@pytest.mark.slow
def test_zoned_run_takes_exact_quantiles(tmp_path):
    """A zoned conditional run writes exact quantiles and exceedances (no per-cell histograms), NaN where the
    statistics are NaN, with fixed horizons; drawn horizons (`surface_uncertainty: auto`) and `quantiles_from:
    realizations` keep the histograms (slow: four builds of the zoned demo problem, ~6 s of CPU)."""
    raw = yaml.safe_load((DEMO / "run.yaml").read_text())
    raw.update({"realizations": 4, "batch_size": 2, "output": str(tmp_path / "out"), "quantiles": [10, 50, 90],
                "cutoffs": [60.0], "outputs": {"formats": [], "figures": False}})
    drawn = run_local(validate_config(raw, base_dir=str(DEMO)), write=False)["summary"]
    assert drawn["quantiles_from"] == "realizations"     # horizons drawn per realization: not Gaussian per cell
    raw["zones"] = dict(raw["zones"], surface_uncertainty="none")
    config = validate_config(raw, base_dir=str(DEMO))
    result = run_local(config, write=False)
    a, summary = result["arrays"], result["summary"]
    assert summary["quantiles_from"] == "exact" and "quantile_accuracy" not in summary
    problem = build_problem_from(config)
    direct = problem.zones.exact_outputs([10, 50, 90], [60.0])
    for name, value in direct.items():
        npt.assert_array_equal(a[name], value)
    assert np.array_equal(np.isnan(a["p50"]), np.isnan(a["mean"]))
    active = np.isfinite(a["p50"])
    assert np.all(a["p10"][active] <= a["p50"][active]) and np.all(a["p50"][active] <= a["p90"][active])
    hist = run_local(validate_config(dict(raw, method={"name": "conditional", "quantiles_from": "realizations"}),
                                     base_dir=str(DEMO)), write=False)
    assert hist["summary"]["quantiles_from"] == "realizations" and "quantile_accuracy" in hist["summary"]
    npt.assert_array_equal(hist["arrays"]["mean"], a["mean"])


def build_problem_from(config):
    from krigflow.run import load_inputs

    return build_problem(load_inputs(config), config)
