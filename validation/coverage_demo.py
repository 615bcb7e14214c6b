"""Calibration on the synthetic demo: how often the P10-P90 interval holds the known truth.

Runs the demo (``data/demo/run.yaml``: 8 wells, 50 x 50 x 40 grid) with the defaults (``conditional``, trend,
variogram and well effect ``auto``), with ``conditional`` and the true variogram, and with ``subsample`` and the
true variogram, and reports over the cells farther
than ``--away`` metres (horizontally) from every conditioning datum:

* the coverage of the [P10, P90] interval (ideal: 0.80), against two truths:
  - **cell support** — the truth averaged over each 5-m cell along the vertical line through its centre,
    exactly like the wells' log samples are averaged into conditioning data (the support the realizations
    represent: they are conditioned on cell averages and treat cells as points);
  - **point** — ``truth.npz``: the truth at the cell centres (more variable than 5-m averages, so any
    cell-support model under-covers it);
* the RMSE of the ensemble mean and the mean P10-P90 width.

Usage::

    python validation/coverage_demo.py [--realizations 100] [--away 100] [--json results.json]

Takes about a minute on one core.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _demo_truth import ROOT, _make_demo, demo_truths  # noqa: E402

from krigflow.run import load_config, validate_config  # noqa: E402
from krigflow.run import build_problem, load_inputs, run_local  # noqa: E402


def distance_to_data(problem) -> np.ndarray:
    """Horizontal distance (m) from every cell column to the nearest column holding a datum, (nx, ny)."""
    grid, cells = problem.grid, problem.data.cells
    cols = np.unique(cells[:, :2], axis=0)
    i, j = np.meshgrid(np.arange(grid.shape[0]), np.arange(grid.shape[1]), indexing="ij")
    de = (i[..., None] - cols[:, 0]) * grid.spacing[0]
    dn = (j[..., None] - cols[:, 1]) * grid.spacing[1]
    return np.min(np.hypot(de, dn), axis=2)


def configs(realizations):
    """The runs compared: conditional with the true variogram and with auto, and subsample (run.yaml)."""
    import yaml

    folder = os.path.join(ROOT, "data", "demo")
    with open(os.path.join(folder, "run.yaml"), encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    raw["realizations"] = realizations
    raw["outputs"] = {"formats": [], "figures": False}
    defaults = copy.deepcopy(raw)                  # run.yaml: data and grid only
    truth = dict(_make_demo().VARIOGRAM)
    cond = dict(copy.deepcopy(raw), variogram=truth, trend="none",
                method={"name": "conditional", "transform": "normal_score"})
    sub = dict(copy.deepcopy(raw), variogram=truth, trend="none",
               method={"name": "subsample", "fraction": 0.75, "unit": "wells"})
    runs = {"conditional (true variogram)": cond, "defaults (run.yaml)": defaults, "subsample (true variogram)": sub}
    return {name: validate_config(cfg, base_dir=folder) for name, cfg in runs.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realizations", type=int, default=100)
    parser.add_argument("--away", type=float, default=100.0, help="minimum distance to the data (m)")
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    base = load_config(os.path.join(ROOT, "data", "demo", "run.yaml"))
    wells = load_inputs(base)
    point, block = demo_truths()
    away = None
    results = {}
    for name, cfg in configs(args.realizations).items():
        start = time.perf_counter()
        problem = build_problem(wells, cfg)
        out = run_local(cfg, wells=wells, write=False)
        seconds = time.perf_counter() - start
        arrays, summary = out["arrays"], out["summary"]
        if away is None:
            away = np.broadcast_to((distance_to_data(problem) > args.away)[..., None], point.shape)
        p10, p90, mean = arrays["p10"], arrays["p90"], arrays["mean"]
        row = {"seconds": round(seconds, 1), "cells_away": int(away.sum()),
               "variogram": summary.get("variogram_used"),
               "mean_p10_p90_width": float(np.mean((p90 - p10)[away]))}
        for support, truth in (("cell_support", block), ("point", point)):
            inside = (truth >= p10) & (truth <= p90)
            row[f"coverage_{support}"] = float(inside[away].mean())
            row[f"rmse_mean_{support}"] = float(np.sqrt(np.mean((mean - truth)[away] ** 2)))
        results[name] = row
        print(f"{name}: coverage of P10-P90 away from wells: {row['coverage_cell_support']:.3f} (cell support), "
              f"{row['coverage_point']:.3f} (point); RMSE of mean {row['rmse_mean_cell_support']:.2f} / "
              f"{row['rmse_mean_point']:.2f}; mean width {row['mean_p10_p90_width']:.1f}; {seconds:.0f} s",
              flush=True)
    print(f"cells more than {args.away:g} m from every datum: {int(away.sum())} of {away.size}; "
          f"truth std {block.std():.1f} (cell support), {point.std():.1f} (point)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"realizations": args.realizations, "away_m": args.away, "results": results}, fh, indent=2)
    return results


if __name__ == "__main__":
    main()
