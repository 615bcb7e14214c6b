"""Leave-one-well-out cross-validation on the Poseidon gamma-ray logs (real data).

Historical: the baseline of issue 11. ``lowo_poseidon.json`` holds the numbers measured before issue 11 (no
trend, the free ``auto`` fit); since then ``variogram: auto`` is the constrained fit and runs remove a depth
trend by default, so re-running this script gives other numbers. ``krigflow validate`` is the tool now;
``validation/poseidon_variants.py`` reproduces this baseline (row 1 of its table) and every variant tried.

For each of the 8 wells of ``../shared/data/poseidon``: model GR from the other 7 wells and compare with the
held-out well's log upscaled to the same grid (the cell-support "truth" at the held-out cells):

* **kriging** — ordinary kriging with the variogram fitted (``variogram: auto``) to the 7 training wells,
  interval ``estimate +- 1.2816 sqrt(kriging variance)`` (Gaussian);
* **conditional** — ``method: conditional`` with the normal-score transform and ``variogram: auto`` (fitted
  to the normal scores of the 7 wells), ``--realizations`` realizations: the ensemble mean, and the
  [P10, P90] interval from the per-cell histograms;
* **IDW** — inverse-distance weighting (power 2) of the training data, distances scaled by the fitted
  ranges (anisotropic), no interval;
* **training mean** — the mean of the training data everywhere (the trivial baseline).

Reported: RMSE over the held-out cells (per well and pooled) and the fraction of held-out cells inside
the 80 % interval (ideal 0.80).

Usage::

    python validation/lowo_poseidon.py [--data ../shared/data/poseidon] [--realizations 100] [--json out.json]

Takes a few minutes on one core.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import time

import numpy as np

from krigflow.run import validate_config
from krigflow.conditioning import upscale
from krigflow.kriging import krige_points
from krigflow.run import build_problem, load_inputs, run_realizations
from krigflow.run.problem import _valid_samples

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Model box: every well has GR over 1000-4600 m TVDSS.
BOUNDS = [398000.0, 437000.0, 8465000.0, 8501000.0, 1000.0, 4600.0]
SPACING = [1000.0, 1000.0, 20.0]
Z80 = 1.2815515655446004


def raw_config(data_dir, realizations):
    return {
        "las": os.path.join(data_dir, "las", "*.LAS"),
        "well_headers": os.path.join(data_dir, "Well_Headers.csv"),
        "surveys": os.path.join(data_dir, "deviation", "*.dev"),
        "property": "GR",
        "grid": {"spacing": SPACING, "bounds": BOUNDS},
        "variogram": {"model": "auto"},
        "method": {"name": "conditional", "transform": "normal_score"},
        "realizations": realizations,
        "batch_size": 25,
        "seed": 1,
        "quantiles": [10, 50, 90],
        "outputs": {"formats": [], "figures": False},
    }


def held_out_data(well, grid):
    """The held-out well's log upscaled onto the grid (cells and values)."""
    e, n, t, v = _valid_samples(well)
    return upscale(grid, e, n, t, v, np.zeros(v.size, dtype=np.int64), well_names=(well.name,))


def idw(train, target, variogram, power=2.0):
    """Inverse-distance weighting with distances scaled by the variogram's ranges."""
    def scaled(d):
        return np.stack([d.easting / variogram.range_h, d.northing / variogram.range_h,
                         d.tvdss / variogram.range_v], axis=1)
    a, b = scaled(target), scaled(train)
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    w = 1.0 / np.maximum(d2, 1e-12) ** (power / 2)
    return (w @ train.values) / w.sum(axis=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "poseidon"))
    parser.add_argument("--realizations", type=int, default=100)
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("lasio").setLevel(logging.ERROR)

    cond_cfg = validate_config(raw_config(os.path.abspath(args.data), args.realizations))
    prop_raw = raw_config(os.path.abspath(args.data), args.realizations)
    prop_raw["method"] = {"name": "subsample", "fraction": 1.0}
    prop_cfg = validate_config(prop_raw)
    wells = load_inputs(cond_cfg)
    rows, pooled = [], {k: [] for k in ("truth", "kriging", "kriging_lo", "kriging_hi", "conditional",
                                         "cond_lo", "cond_hi", "idw", "mean")}
    for held in wells:
        start = time.perf_counter()
        train = [w for w in wells if w is not held]
        prop = build_problem(train, prop_cfg)           # property-space variogram (auto), training data
        cond = build_problem(train, cond_cfg)           # normal-score variogram (auto), transform
        target = held_out_data(held, prop.grid)
        # kriging (OK) at the held-out cells
        ok = krige_points(prop.variogram, prop.data, target.easting, target.northing, target.tvdss)
        sd = np.sqrt(np.maximum(ok.variance, 0.0))
        # conditional simulation: statistics over the realizations, read at the held-out cells
        stats = None
        for chunk in range(0, args.realizations, cond.batch_size):
            part = run_realizations(cond, range(chunk, min(chunk + cond.batch_size, args.realizations)))
            stats = part if stats is None else stats.merge(part)
        idx = tuple(target.cells.T)
        p10, p90 = (q[idx] for q in stats.quantile([0.1, 0.9]))
        est = {"kriging": ok.estimate, "conditional": stats.mean[idx],
               "idw": idw(prop.data, target, prop.variogram),
               "mean": np.full(target.n, prop.data.values.mean())}
        row = {"well": held.name, "cells": int(target.n), "seconds": round(time.perf_counter() - start, 1),
               "variogram_property": prop.variogram_fit["chosen"], "variogram_normal_score": cond.variogram_fit["chosen"]}
        for name, values in est.items():
            row[f"rmse_{name}"] = float(np.sqrt(np.mean((values - target.values) ** 2)))
        row["coverage_kriging"] = float(np.mean(np.abs(target.values - ok.estimate) <= Z80 * sd))
        row["coverage_conditional"] = float(np.mean((target.values >= p10) & (target.values <= p90)))
        rows.append(row)
        for key, values in (("truth", target.values), ("kriging", ok.estimate), ("kriging_lo", ok.estimate - Z80 * sd),
                            ("kriging_hi", ok.estimate + Z80 * sd), ("conditional", est["conditional"]),
                            ("cond_lo", p10), ("cond_hi", p90), ("idw", est["idw"]), ("mean", est["mean"])):
            pooled[key].append(values)
        print(f"{held.name:18s} {target.n:4d} cells  RMSE kriging {row['rmse_kriging']:6.2f}  conditional "
              f"{row['rmse_conditional']:6.2f}  IDW {row['rmse_idw']:6.2f}  mean {row['rmse_mean']:6.2f}  | "
              f"80% coverage kriging {row['coverage_kriging']:.2f} conditional {row['coverage_conditional']:.2f}"
              f"  ({row['seconds']:.0f} s)", flush=True)
    p = {k: np.concatenate(v) for k, v in pooled.items()}
    summary = {name: float(np.sqrt(np.mean((p[name] - p["truth"]) ** 2)))
               for name in ("kriging", "conditional", "idw", "mean")}
    summary["coverage_kriging"] = float(np.mean((p["truth"] >= p["kriging_lo"]) & (p["truth"] <= p["kriging_hi"])))
    summary["coverage_conditional"] = float(np.mean((p["truth"] >= p["cond_lo"]) & (p["truth"] <= p["cond_hi"])))
    summary["cells"] = int(p["truth"].size)
    print(f"pooled over {summary['cells']} held-out cells: RMSE kriging {summary['kriging']:.2f}, conditional "
          f"{summary['conditional']:.2f}, IDW {summary['idw']:.2f}, training mean {summary['mean']:.2f}; "
          f"80% coverage kriging {summary['coverage_kriging']:.3f}, conditional {summary['coverage_conditional']:.3f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"realizations": args.realizations, "grid": {"bounds": BOUNDS, "spacing": SPACING},
                       "wells": rows, "pooled": summary}, fh, indent=2)
    return rows, summary


if __name__ == "__main__":
    main()
