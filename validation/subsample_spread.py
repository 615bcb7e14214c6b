"""Why the spread of ``method: subsample`` is not an uncertainty: P10-P90 width against distance to the wells.

Runs ``examples/poseidon.yaml`` twice on the Poseidon wells: as written (``subsample``: kriging of random 75 %
subsets of the wells) and with the defaults (``conditional`` simulation of the trend residuals with the
constrained ``auto`` variogram and the well effect). For each cell: the horizontal distance to the nearest
conditioning datum and the width of its P10-P90 interval. Writes ``subsample_vs_conditional.png`` (median
width per distance bin, with the data's own P10-P90 width as a reference) and prints the median widths more
than 5 km from any well.

Usage::

    python validation/subsample_spread.py [--realizations 30] [--out subsample_vs_conditional.png] [--json f]
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def distance_to_data(grid, data) -> np.ndarray:
    """Horizontal distance (m) from every cell column to the nearest column holding a datum, (nx, ny)."""
    cols = np.unique(data.cells[:, :2], axis=0)
    i, j = np.meshgrid(np.arange(grid.shape[0]), np.arange(grid.shape[1]), indexing="ij")
    de = (i[..., None] - cols[:, 0]) * grid.spacing[0]
    dn = (j[..., None] - cols[:, 1]) * grid.spacing[1]
    return np.min(np.hypot(de, dn), axis=2)


def main(argv=None):
    import yaml

    from krigflow.run import build_problem, load_inputs, run_local, validate_config

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realizations", type=int, default=30)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "figures", "subsample_vs_conditional.png"))
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("lasio").setLevel(logging.ERROR)
    folder = os.path.join(ROOT, "examples")
    with open(os.path.join(folder, "poseidon.yaml"), encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    raw["realizations"] = args.realizations
    raw["outputs"] = {"formats": [], "figures": False}
    sub = dict(copy.deepcopy(raw), method={"name": "subsample", "fraction": 0.75, "unit": "wells"},
               variogram={"model": "spherical", "sill": 500, "nugget": 50, "range_h": 5000, "range_v": 30},
               trend="none")
    cond = copy.deepcopy(raw)
    for key in ("method", "variogram", "trend"):
        cond.pop(key, None)
    configs = {"subsample": validate_config(sub, base_dir=folder),
               "conditional (defaults)": validate_config(cond, base_dir=folder)}
    wells = load_inputs(configs["subsample"])
    results, curves = {}, {}
    for name, cfg in configs.items():
        problem = build_problem(wells, cfg)
        arrays = run_local(cfg, wells=wells, write=False)["arrays"]
        dist = np.broadcast_to(distance_to_data(problem.grid, problem.data)[..., None], arrays["p10"].shape)
        width = arrays["p90"] - arrays["p10"]
        far = dist > 5000.0
        bins = np.arange(0.0, dist.max() + 1000.0, 1000.0)
        idx = np.digitize(dist, bins) - 1
        curves[name] = (bins[:-1] + 500.0, [float(np.median(width[idx == k])) if np.any(idx == k) else np.nan
                                             for k in range(bins.size - 1)])
        results[name] = {"median_width_far": float(np.median(width[far])), "cells_far": int(far.sum())}
        print(f"{name}: median P10-P90 width more than 5 km from any well {results[name]['median_width_far']:.1f}"
              f" ({results[name]['cells_far']} cells)", flush=True)
    data = np.concatenate([np.asarray(w.values, float)[np.isfinite(np.asarray(w.values, float))] for w in wells])
    p10, p90 = np.percentile(data, [10, 90])
    results["data_p10_p90_width"] = float(p90 - p10)
    print(f"the data's own P10-P90 width: {p90 - p10:.1f}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), constrained_layout=True)
    for name, (x, y) in curves.items():
        ax.plot(np.asarray(x) / 1000.0, y, "o-", label=name)
    ax.axhline(p90 - p10, color="grey", ls="--", label="P10-P90 width of the data")
    ax.set_xlabel("distance to the nearest well (km)")
    ax.set_ylabel("median P10-P90 width (gAPI)")
    ax.set_title("Poseidon GR: spread of subsample vs conditional realizations")
    ax.legend(fontsize=8)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return results


if __name__ == "__main__":
    main()
