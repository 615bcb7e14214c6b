"""Exact per-cell quantiles on the default path of a conditional run (issue 15 item 1 after issue 11).

The defaults remove a depth trend (``trend: auto``), estimate a well effect (``variogram: auto``) and simulate
the residuals as Gaussian (``method.transform: auto``); such runs take P10/P50/P90 and P(> cutoff) from the
exact multi-Gaussian shortcut (no per-cell histograms), and ``method.quantiles_from: realizations`` keeps the
histograms. Both agree (the realizations sample the exact distributions), and every mapping gives the same
numbers.
"""
import json
import os
import subprocess

import numpy as np
import numpy.testing as npt
import pytest

from krigflow.run import build_problem, run_local
from krigflow.run.guards import estimate_run_memory
from krigflow.run.problem import exact_quantiles
from krigflow.stats.gaussian import exact_outputs

from synthetic_field import make_wells, small_config

#: Per-well offsets (property units) and a depth gradient added to the synthetic wells: the defaults then
#: remove a moving-average trend and estimate a well effect.
OFFSETS = (25.0, -20.0, 10.0, -30.0, 15.0)
QUANTILES = [10.0, 50.0, 90.0]
CUTOFFS = [100.0, 150.0]


def _trended_wells():
    wells = make_wells()
    for well, offset in zip(wells, OFFSETS):
        well.values[:] = well.values + 1.2 * (well.tvdss - 1000.0) + offset
    return wells


def _config(**method):
    return small_config(method={"name": "conditional", **method}, variogram="auto", realizations=300,
                        batch_size=100, quantiles=QUANTILES, cutoffs=CUTOFFS)


def test_default_run_takes_exact_quantiles_with_trend_and_well_effect():
    """The default residual model (trend, well effect, Gaussian residuals) gets exact quantiles: no per-cell
    histograms, arrays equal to the shortcut with the trend and well effect; the histogram option agrees."""
    wells = _trended_wells()
    config = _config()
    problem = build_problem(wells, config)
    assert problem.trend.kind == "moving_average" and problem.well_effect > 0 and problem.transform is None
    assert exact_quantiles(problem) and exact_quantiles(config)
    assert not problem.histogram.cell_histograms and problem.histogram.cutoffs == ()
    kriger, _ = estimate_run_memory(problem.grid.shape, config, n_data=problem.data.n)
    hist_kriger, _ = estimate_run_memory(problem.grid.shape, _config(quantiles_from="realizations"),
                                         n_data=problem.data.n)
    assert kriger.statistics == (2 * 40 + 9) * problem.grid.n_cells < hist_kriger.statistics

    exact = run_local(config, write=False, wells=wells)
    hist = run_local(_config(quantiles_from="realizations"), write=False, wells=wells)
    a, b = exact["arrays"], hist["arrays"]
    assert exact["summary"]["quantiles_from"] == "exact" and hist["summary"]["quantiles_from"] == "realizations"
    trend = problem.trend.evaluate(problem.grid.tvdss).reshape(1, 1, -1)
    direct = exact_outputs(problem.grid, problem.variogram, problem.data, transform=None, mean=problem.mean,
                           quantiles=QUANTILES, cutoffs=CUTOFFS, trend=trend, well_effect=problem.well_effect)
    for name, value in direct.items():
        npt.assert_array_equal(a[name], value)
    # Gaussian residuals: P50 is trend + SK mean, and the realizations' mean converges to it
    npt.assert_array_less(np.abs(a["mean"] - a["p50"]), 5.0 * a["std"] / np.sqrt(300) + 1e-9)
    width = hist["summary"]["quantile_accuracy"]
    for name in ("p10", "p50", "p90"):
        assert np.median(np.abs(a[name] - b[name])) < width, name
    for c in CUTOFFS:
        name = f"prob_gt_{c:g}"
        p = a[name]
        assert 0.05 < p.mean() < 0.95
        sigma = np.sqrt(p * (1 - p) / 300) + 1e-9
        assert np.quantile(np.abs(b[name] - p) / sigma, 0.99) < 4.0, name
    npt.assert_array_equal(a["mean"], b["mean"])       # same realizations either way


@pytest.mark.slow
def test_exact_quantiles_are_the_same_in_simple_multi_and_combine(tmp_path):
    """`krigflow run` of a conditional run with a trend and a well effect writes the same quantiles and
    exceedance probabilities (exact) and statistics under simple and multi (2 krigers), and so does
    `krigflow combine` of two `--realizations` ranges (four subprocess runs, ~30 s)."""
    from test_graph import ENV, ROOT, TIMEOUT, write_field

    with open(write_field(str(tmp_path))) as fh:
        raw = json.load(fh)
    raw.update(method={"name": "conditional"}, trend={"kind": "polynomial", "degree": 1},
               variogram=dict(raw["variogram"], well_effect=20.0), realizations=6, batch_size=2,
               quantiles=QUANTILES, cutoffs=[55.0, 70.0], outputs={"formats": [], "figures": False})
    arrays = {}
    for mapping, n in (("simple", 1), ("multi", 5)):
        output = str(tmp_path / mapping)
        path = tmp_path / f"{mapping}.json"
        path.write_text(json.dumps(dict(raw, output=output)))
        proc = subprocess.run(["krigflow", "run", str(path), "--mapping", mapping, "-n", str(n)], check=False,
                              capture_output=True, text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        with open(os.path.join(output, "summary.json")) as fh:
            summary = json.load(fh)
        assert summary["quantiles_from"] == "exact" and summary["well_effect"] == 20.0
        assert summary["trend"]["kind"] == "polynomial"
        with np.load(os.path.join(output, "stats.npz")) as npz:
            arrays[mapping] = {k: npz[k] for k in npz.files}
    # two --realizations ranges combined: the exact quantiles are recomputed from the run's config
    for part, span in (("a", "0:2"), ("b", "2:6")):
        path = tmp_path / f"{part}.json"
        path.write_text(json.dumps(dict(raw, output=str(tmp_path / part))))
        proc = subprocess.run(["krigflow", "run", str(path), "--realizations", span], capture_output=True,
                              text=True, timeout=TIMEOUT, env=ENV, cwd=ROOT, check=False)
        assert proc.returncode == 0, proc.stderr
    from krigflow.run import combine

    combined = combine([str(tmp_path / "a"), str(tmp_path / "b")], str(tmp_path / "all"))
    assert combined["summary"]["quantiles_from"] == "exact"
    arrays["combine"] = combined["arrays"]
    simple = arrays["simple"]
    for other in ("multi", "combine"):
        for name in ("p10", "p50", "p90", "prob_gt_55", "prob_gt_70"):
            npt.assert_array_equal(simple[name], arrays[other][name], err_msg=f"{other} {name}")
        for name in ("mean", "std", "min", "max"):
            npt.assert_allclose(simple[name], arrays[other][name], rtol=1e-10, atol=1e-10, err_msg=f"{other} {name}")
