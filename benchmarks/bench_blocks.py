"""Peak RSS per kriger with and without spatial blocks (issue 15 item 3), ``subsample`` kriging.

One ``krigflow run`` of the same problem twice: the whole grid (``blocks: null``) and split into blocks
(``blocks: N`` or ``auto``), with ``multi`` and ``--krigers`` SampleKrigers. The problem is the 20 M-cell
box of ``bench_field_scale.py`` (500 x 400 x 100 cells, ``--cells`` scales it), ``--data`` upscaled data in
vertical wells, subsample kriging (75 % of the wells per realization), ordinary kriging, mean/std/min/max
(``--quantiles`` adds P10/P50/P90 and two cutoffs: per-cell histograms). Every process of each run is
watched through ``/proc`` (``VmHWM``: peak resident memory, CPU seconds); the two ``stats.npz`` are compared
(max |difference| of every array). Prints one table and writes ``--json``.

Example::

    python benchmarks/bench_blocks.py --cells 20e6 --realizations 4 --batch-size 2 --krigers 2 --blocks auto
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_field_scale import (  # noqa: E402
    _mb, grid_shape, synthetic_wells, write_config, write_las,
)
from bench_field_scale import run_cli as field_scale_run  # noqa: E402,I001

ROLES_GRAPH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "roles_graph.py")


def run_cli(config, n, timeout, roles_file):
    """``krigflow run --mapping multi -n N`` with the roles graph, every process watched; records by role."""
    result = field_scale_run(config, "multi", n, timeout, graph=ROLES_GRAPH,
                             extra_env={"KRIGFLOW_ROLES_FILE": roles_file})
    roles = {}
    with open(roles_file, encoding="utf-8") as fh:
        for line in fh:
            pid, name = line.split()
            roles[int(pid)] = name
    procs = [dict(p, role=roles.get(p["pid"], "other")) for p in result["processes"]]
    return {"seconds": result["seconds"], "processes": sorted(procs, key=lambda r: -r["hwm"]),
            "stderr_tail": result["stderr_tail"]}


def one_run(folder, shape, wells, args, blocks):
    extra = {"method": {"name": "subsample", "fraction": 0.75, "unit": "wells"}, "blocks": blocks,
             "output": os.path.join(folder, "out"), "kriging": {"kind": "ordinary"}}
    if not args.quantiles:
        extra.update(quantiles=[], cutoffs=[])
    config = write_config(folder, shape, wells, args.realizations, args.batch_size, extra=extra)
    load = os.getloadavg()
    result = run_cli(config, args.krigers + 3, args.timeout, os.path.join(folder, "roles.txt"))
    result["load_before"], result["load_after"] = load, os.getloadavg()
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", type=float, default=20e6)
    p.add_argument("--data", type=int, default=400)
    p.add_argument("--realizations", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--krigers", type=int, default=2)
    p.add_argument("--blocks", default="auto")
    p.add_argument("--quantiles", action="store_true")
    p.add_argument("--timeout", type=float, default=7200)
    p.add_argument("--only", choices=("whole", "blocks"), default=None)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    blocks = args.blocks if args.blocks == "auto" else int(args.blocks)
    shape = grid_shape(args.cells)
    wells = synthetic_wells(shape, n_data=args.data)
    root = tempfile.mkdtemp(prefix="bench_blocks_")
    results = {"shape": shape, "cells": int(np.prod(shape)), "args": vars(args)}
    try:
        for name, value in (("whole", None), ("blocks", blocks)):
            if args.only and name != args.only:
                continue
            folder = os.path.join(root, name)
            os.makedirs(folder)
            write_las(os.path.join(folder, "las"), wells)
            start = time.time()
            res = one_run(folder, shape, wells, args, value)
            print(f"{name}: {res['seconds']:.0f} s wall, load {res['load_before'][0]:.1f} -> {res['load_after'][0]:.1f}")
            for proc in res["processes"][:8]:
                print(f"    peak RSS {_mb(proc['hwm']):7.0f} MB  CPU {proc['cpu']:7.1f} s  {proc['role']}")
            with np.load(os.path.join(folder, "out", "stats.npz")) as npz:
                res["arrays"] = {k: npz[k] for k in npz.files}
            res["started"] = start
            results[name] = res
        if "whole" in results and "blocks" in results:
            a, b = results["whole"].pop("arrays"), results["blocks"].pop("arrays")
            diff = {k: float(np.nanmax(np.abs(a[k] - b[k]))) if a[k].dtype.kind == "f" else
                    int(not np.array_equal(a[k], b[k])) for k in a}
            results["max_abs_difference"] = diff
            print("max |whole - blocks|:", json.dumps(diff))
        for name in ("whole", "blocks"):
            results.get(name, {}).pop("arrays", None)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump(results, fh, indent=1, default=str)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
