"""Benchmark of the ``conditional`` method: one conditional realization of 500 000 cells, amortized.

Reference problem (the issue's): 25 vertical wells in a 2000 x 2000 x 200 m box, 100 x 100 x 50 grid
(500 000 cells, 20 x 20 x 4 m), exponential variogram 800 m / 20 m, one conditioning datum per cell along
every well (1250 data), normal-score transform. A batch of R realizations costs:

* per batch: the field spectrum (covariance on the embedding lattice + one real FFT), the data covariance
  factorization and the residual-kriging engine set-up;
* per realization: white noise and one ``irfftn`` of the embedding (200 x 200 x 72 here), the residuals at
  the data, one column of the batched residual kriging, the back-transform, and the streaming statistics
  (mean/M2/min/max and the per-cell histograms of the quantiles, 100 bins).

Each measurement runs in a fresh process (peak resident memory from ``getrusage``), with one BLAS/FFT
thread. The comparison with GSTools' conditioned random field (``gstools.CondSRF``, default randomization
method, simple kriging) runs on a 1/8 subgrid (50 x 50 x 25, same wells, same data) and is scaled by 8:
both its field generator and its kriging evaluation are linear in the number of cells. GSLIB sgsim is not
installed here: its figure (1.6 s, 41 MB for one realization of this size on this machine) is quoted from
the issue, not measured.

Usage::

    python benchmarks/bench_conditional.py [--batches 1 4 16] [--gstools] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time

import numpy as np

SHAPE = (100, 100, 50)
BOUNDS = [0.0, 2000.0, 0.0, 2000.0, 1000.0, 1200.0]
SPACING = [20.0, 20.0, 4.0]


def reference_problem(shape=SHAPE, bounds=BOUNDS, spacing=SPACING, n_wells=25, seed=0):
    """Grid, conditioning data (one per cell along 25 vertical wells) and the exponential variogram."""
    from krigflow.conditioning import upscale
    from krigflow.grid import Grid
    from krigflow.variogram import Variogram

    grid = Grid.from_bounds(bounds, spacing)
    rng = np.random.default_rng(seed)
    # wells at cell-centre columns, 5 x 5 jittered pattern
    base = (np.arange(5) + 0.5) * grid.shape[0] / 5
    ci = np.clip((np.repeat(base, 5) + rng.integers(-4, 5, 25)).astype(int), 0, grid.shape[0] - 1)
    cj = np.clip((np.tile(base, 5) + rng.integers(-4, 5, 25)).astype(int), 0, grid.shape[1] - 1)
    nz = grid.shape[2]
    e, n = np.repeat(grid.easting[ci], nz), np.repeat(grid.northing[cj], nz)
    t = np.tile(grid.tvdss, n_wells)
    values = np.exp(4.0 + 0.4 * rng.standard_normal(e.size))          # skewed, like gamma ray
    data = upscale(grid, e, n, t, values, np.repeat(np.arange(n_wells), nz),
                   well_names=tuple(f"W{i}" for i in range(n_wells)))
    return grid, data, Variogram("exponential", 1.0, 800.0, 20.0)


def _maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _krigflow_batch(n_real, queue):
    """Child process: one batch of n_real conditional realizations, streamed into statistics."""
    from krigflow.realizations import conditional_realizations
    from krigflow.stats import HistogramSpec, RunningStats, uniform_edges
    from krigflow.run import blas_threads
    from krigflow.realizations import NormalScore

    grid, data, variogram = reference_problem()
    transform = NormalScore.fit(data.values)
    spec = HistogramSpec(uniform_edges(*transform.value_range(), 100), cutoffs=(80.0,), max_count=1000)
    base = _maxrss_mb()
    with blas_threads(1):
        start = time.perf_counter()
        fields = conditional_realizations(grid, variogram, data, 1, range(n_real), transform=transform)
        t_sim = time.perf_counter() - start
        stats = RunningStats.from_batch(fields, spec)
        t_total = time.perf_counter() - start
    at = fields[:, data.cells[:, 0], data.cells[:, 1], data.cells[:, 2]]
    assert np.allclose(at, data.values, rtol=1e-9, atol=1e-9)
    del stats
    queue.put({"realizations": n_real, "seconds": t_total, "seconds_simulation": t_sim,
               "per_realization": t_total / n_real, "peak_mb": _maxrss_mb(), "baseline_mb": base})


def _gstools_batch(n_real, queue, factor=2):
    """Child process: GSTools conditioned SRF on a 1/factor**3 subgrid with the same wells."""
    import gstools as gs

    grid, data, variogram = reference_problem()
    sub = [s // factor for s in SHAPE]
    keep = (data.cells[:, 0] < sub[0]) & (data.cells[:, 1] < sub[1]) & (data.cells[:, 2] < sub[2])
    # same geometry scaled: use the wells inside the subgrid box
    y = data.values[keep]
    y = (y - y.mean()) / y.std()
    cond = (data.easting[keep], data.northing[keep], data.tvdss[keep])
    # GSTools' Exponential is exp(-h / len_scale): practical range 3 * len_scale; anisotropy by ratio
    model = gs.Exponential(dim=3, var=1.0, len_scale=[800.0 / 3, 800.0 / 3, 20.0 / 3])
    krige = gs.krige.Simple(model, cond, y, mean=0.0)
    srf = gs.CondSRF(krige)
    axes = (grid.easting[:sub[0]], grid.northing[:sub[1]], grid.tvdss[:sub[2]])
    base = _maxrss_mb()
    start = time.perf_counter()
    for r in range(n_real):
        field = srf.structured(axes, seed=r)
    seconds = time.perf_counter() - start
    queue.put({"realizations": n_real, "cells": int(np.prod(sub)), "n_data": int(keep.sum()),
               "seconds": seconds, "per_realization": seconds / n_real,
               "per_realization_scaled_to_500k": seconds / n_real * (np.prod(SHAPE) / np.prod(sub)),
               "peak_mb": _maxrss_mb(), "baseline_mb": base, "field_std": float(np.std(field))})


def _in_child(target, *args):
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description="conditional realizations of 500 000 cells")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--gstools", action="store_true", help="also time GSTools CondSRF on a 1/8 subgrid")
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args(argv)
    results = {"krigflow": [], "gstools": None,
               "gslib_sgsim_quoted": {"per_realization": 1.6, "peak_mb": 41, "source": "issue (not measured)"}}
    for n_real in args.batches:
        row = _in_child(_krigflow_batch, n_real)
        results["krigflow"].append(row)
        print(f"krigflow conditional, batch of {n_real:3d}: {row['per_realization']:.3f} s per realization "
              f"({row['seconds']:.2f} s total; simulation {row['seconds_simulation']:.2f} s), "
              f"peak RSS {row['peak_mb']:.0f} MB (after set-up {row['baseline_mb']:.0f} MB)", flush=True)
    if args.gstools:
        row = _in_child(_gstools_batch, 2)
        results["gstools"] = row
        print(f"GSTools CondSRF on {row['cells']} cells ({row['n_data']} data): {row['per_realization']:.2f} s "
              f"per realization -> {row['per_realization_scaled_to_500k']:.1f} s scaled to 500 000 cells; "
              f"peak RSS {row['peak_mb']:.0f} MB", flush=True)
    print("GSLIB sgsim (quoted from the issue, not measured here): 1.6 s and 41 MB per realization")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return results


if __name__ == "__main__":
    main()
