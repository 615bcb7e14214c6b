"""Realizations per second against worker count under dispel4py ``multi`` and ``mpi`` (``krigflow run``).

Usage::

    python benchmarks/bench_scaling.py                  # multi and mpi, 3 repeats (~15-25 min)
    python benchmarks/bench_scaling.py --quick          # small grid, 1 repeat (a minute or two)
    python benchmarks/bench_scaling.py --mappings multi --repeat 1

Problem: the bundled demo wells (``data/demo``: 8 wells, 3 deviated) on a reference-size grid,
2000 m x 2000 m x 200 m in 20 m x 20 m x 4 m cells = 100 x 100 x 50 = 500 000 cells, ``batch_size`` 16.
Each configuration runs ``krigflow run CONFIG --mapping M -n N --graph benchmarks/scaling_graph.py`` (the
real graph, instrumented; see that file) for two realization counts ``R1 < R2``; the wall times ``t1, t2``
of the whole command give

* realizations per second = ``(R2 - R1) / (t2 - t1)`` (the slope: process start-up, imports, reading the
  LAS files, building the problem, MPI start and writing the outputs cancel out);
* fixed cost = ``t1 - R1 / rate`` (start-up and everything else that does not grow with ``R``), reported
  separately.

Configurations (``-n`` = workers + 3: LogReader, GridPlacer, StatsAccumulator): 1 worker with the default
thread discipline (``max(1, cores // workers)`` = 2 threads on 2 cores), 1 worker forced to 1 thread
(``KRIGFLOW_BENCH_THREADS=1``), and ``W`` workers (1 thread each on 2 cores). "Worker scaling" is the rate of
2 workers x 1 thread over 1 worker x 1 thread (fixed threads per worker); the rate over 1 worker x 2
threads is printed too (the same 2 cores used by threads instead of processes).

Bytes moved between processes are the pickled sizes of every message written by the PEs during the runs
(recorded by the instrumented graph): wells, the problem (once per SampleKriger), the task chunks, the run
record and the partials. They are printed for both realization counts.

Each (configuration, R) is timed ``--repeat`` times and the median is used. The load average is printed
before and after: on a shared machine take numbers only when it is low.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEMO = os.path.join(ROOT, "data", "demo")
GRAPH = os.path.join(HERE, "scaling_graph.py")
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "PRTE_MCA_rmaps_default_mapping_policy": ":oversubscribe",
}


def write_config(folder, spacing, realizations, batch_size):
    """A run config over the demo wells with the given cell size (JSON, absolute paths)."""
    config = {
        "las": os.path.join(DEMO, "las", "*.las"),
        "well_headers": os.path.join(DEMO, "well_headers.csv"),
        "surveys": os.path.join(DEMO, "surveys", "*.csv"),
        "property": "GR",
        "grid": {"spacing": list(spacing), "bounds": [500000.0, 502000.0, 7000000.0, 7002000.0, 1000.0, 1200.0]},
        "variogram": {"model": "exponential", "sill": 400.0, "nugget": 0.0, "range_h": 600.0,
                      "range_h2": 400.0, "azimuth": 30.0, "range_v": 15.0},
        "method": {"name": "subsample", "fraction": 0.75, "unit": "wells"},
        "kriging": "ordinary",
        "realizations": int(realizations),
        "batch_size": int(batch_size),
        "seed": 42,
        "outputs": {"formats": [], "figures": False},      # stats.npz only: no NetCDF, no figures
        "output": os.path.join(folder, f"out_{realizations}"),
    }
    path = os.path.join(folder, f"run_{realizations}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(config, fh)
    return path


def run_once(config, mapping, n, threads, bytes_dir, mpiexec, timeout, sleep=False):
    """Wall time (s) of one ``krigflow run`` into an emptied output folder; raises on failure."""
    with open(config, encoding="utf-8") as fh:
        shutil.rmtree(json.load(fh)["output"], ignore_errors=True)
    env = dict(os.environ, **MPI_ENV)
    for key in ("KRIGFLOW_BENCH_THREADS", "KRIGFLOW_BENCH_MPI_SLEEP"):
        env.pop(key, None)
    if threads:
        env["KRIGFLOW_BENCH_THREADS"] = str(threads)
    if sleep:
        env["KRIGFLOW_BENCH_MPI_SLEEP"] = "1"
    env["KRIGFLOW_BENCH_BYTES"] = bytes_dir
    command = [sys.executable, "-m", "krigflow.cli.app", "run", config, "--mapping", mapping, "-n", str(n),
               "--overwrite", "--graph", GRAPH, "--timeout", str(timeout)]
    if mapping == "mpi" and mpiexec:
        command += ["--mpiexec", mpiexec]
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return seconds


def read_bytes(folder, n_krigers):
    """Bytes moved per message type, from the instrumented graph's records (problem x krigers)."""
    totals, counts = collections.Counter(), collections.Counter()
    for path in glob.glob(os.path.join(folder, "*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                key = f"{rec['pe']}.{rec['port']}"
                copies = n_krigers if key == "GridPlacer.problem" else 1
                totals[key] += rec["bytes"] * copies
                counts[key] += copies
    return totals, counts


def load():
    return os.getloadavg()[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mappings", nargs="+", default=["multi", "mpi"], choices=["multi", "mpi"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2], help="SampleKriger counts")
    parser.add_argument("--mpi-sleep", action="store_true",
                        help="also run the mpi setups with the sleeping receive (KRIGFLOW_BENCH_MPI_SLEEP)")
    parser.add_argument("--counts", nargs=2, type=int, default=[16, 144], metavar=("R1", "R2"),
                        help="the two realization counts (slope between them)")
    parser.add_argument("--spacing", nargs=3, type=float, default=[20.0, 20.0, 4.0])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="runs per point (median)")
    parser.add_argument("--mpiexec", default="mpiexec", help="MPI launcher given to krigflow run --mpiexec")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--quick", action="store_true", help="coarse grid, few realizations, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.spacing, args.counts, args.repeat = [40.0, 40.0, 5.0], [16, 64], 1
    sys.path.insert(0, ROOT)
    from bench_kriging import machine  # noqa: E402  (beside this file)

    work = tempfile.mkdtemp(prefix="bench-scaling-")
    try:
        configs = {r: write_config(work, args.spacing, r, args.batch_size) for r in args.counts}
        setups = [(1, None, "1 worker x 2 threads (default)"), (1, 1, "1 worker x 1 thread")]
        setups += [(w, None, f"{w} workers x {max(1, os.cpu_count() // w)} thread(s)")
                   for w in args.workers if w > 1]
        load_before = load()
        print(f"Machine: {machine()}; load average before: {load_before:.2f}", flush=True)
        rows, moved = [], {}
        runs = [(m, False) for m in args.mappings]
        if args.mpi_sleep and "mpi" in args.mappings:
            runs.append(("mpi", True))
        for mapping, sleep in runs:
            name = mapping + (" (sleeping receive)" if sleep else "")
            for workers, threads, label in setups:
                times = {}
                for r in args.counts:
                    samples = []
                    for _ in range(args.repeat):
                        bytes_dir = tempfile.mkdtemp(dir=work)
                        samples.append(run_once(configs[r], mapping, workers + 3, threads, bytes_dir,
                                                args.mpiexec, args.timeout, sleep))
                        moved[(name, workers, r)] = read_bytes(bytes_dir, workers)
                    times[r] = statistics.median(samples)
                    print(f"  {name} {label}, R={r}: " + ", ".join(f"{s:.1f}" for s in samples)
                          + f" s (load {load():.2f})", flush=True)
                r1, r2 = args.counts
                rate = (r2 - r1) / (times[r2] - times[r1])
                rows.append(dict(mapping=name, workers=workers, threads=threads, label=label, rate=rate,
                                 fixed=times[r1] - r1 / rate, t1=times[r1], t2=times[r2]))
        load_after = load()
        print(f"\nMachine: {machine()}; grid spacing {args.spacing}, batch_size {args.batch_size}, "
              f"R = {args.counts}, median of {args.repeat}; load average before {load_before:.2f}, "
              f"after {load_after:.2f}\n")
        print(f"| mapping | setup | -n | t(R={args.counts[0]}) s | t(R={args.counts[1]}) s "
              "| realizations / s (slope) | fixed cost s | vs 1 worker x 1 thread | vs 1 worker x 2 threads |")
        print("|---|---|---|---|---|---|---|---|---|")
        for row in rows:
            base1 = next(r["rate"] for r in rows if r["mapping"] == row["mapping"] and r["threads"] == 1)
            base2 = next(r["rate"] for r in rows if r["mapping"] == row["mapping"] and r["workers"] == 1
                         and r["threads"] is None)
            print(f"| {row['mapping']} | {row['label']} | {row['workers'] + 3} | {row['t1']:.1f} | "
                  f"{row['t2']:.1f} | {row['rate']:.2f} | {row['fixed']:.1f} | {row['rate'] / base1:.2f}x | "
                  f"{row['rate'] / base2:.2f}x |")
        print("\nBytes moved between processes per run (pickled messages; the problem counted once per "
              "SampleKriger):\n")
        print("| mapping | workers | R | wells + run record | problem (all krigers) | tasks | partials | total MB |")
        print("|---|---|---|---|---|---|---|---|")
        for (mapping, workers, r), (totals, counts) in sorted(moved.items()):
            if "sleeping" in mapping:
                continue
            wells = totals["LogReader.output"] + totals["GridPlacer.run"]
            print(f"| {mapping} | {workers} | {r} | {wells / 1e6:.2f} MB | "
                  f"{totals['GridPlacer.problem'] / 1e6:.3f} MB ({counts['GridPlacer.problem']}) | "
                  f"{totals['GridPlacer.tasks'] / 1e3:.1f} kB ({counts['GridPlacer.tasks']}) | "
                  f"{totals['SampleKriger.output'] / 1e6:.1f} MB ({counts['SampleKriger.output']}) | "
                  f"{sum(totals.values()) / 1e6:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
