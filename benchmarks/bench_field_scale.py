"""Field-scale benchmark: 20 million cells, conditional method, bounded memory per process; peers at 10^6.

Usage::

    python benchmarks/bench_field_scale.py                         # 20 M cells, 64 realizations, peers at 10^6
    python benchmarks/bench_field_scale.py --cells 2e5 --realizations 8 --peer-cells 5e4   # quick check
    python benchmarks/bench_field_scale.py --memory-model           # only the kriger memory model fit

Problem (synthetic, written as LAS files so that the whole ``krigflow run`` path is measured): a
5000 m x 4000 m x 200 m box, grid 500 x 400 x 100 (10 x 10 x 2 m, 20 M cells) or the same box at ``--cells``
cells (each axis scaled by ``(cells / 20e6) ** (1/3)``); vertical wells sampled every 0.5 m, as many wells
as needed for ``--data`` (default 1 200) upscaled data; a skewed gamma-ray-like property with a depth
trend (+60 units over the 200 m; ``--no-depth-trend``: none); P10/P50/P90 and two cutoffs (the data's 30 %
and 70 % quantiles). The run config holds the data, the grid and the outputs only: **the defaults** decide
the residual model (``trend: auto`` removes a moving-average depth trend, ``variogram: auto`` fits the
residual variogram and the well effect, ``method.transform: auto`` simulates Gaussian residuals when a
trend is removed) and the quantiles are exact (``method.quantiles_from: exact``). ``--config-extra`` merges
settings into it (h6's 20 M run used ``{"variogram": VARIOGRAM, "method": {"name": "conditional",
"transform": "normal_score"}, "trend": "none"}`` with ``--no-depth-trend``). The in-process sections (peers,
memory model) use the fixed normal-score variogram below.

Sections, all in one run (each in its own process):

1. ``krigflow run CONFIG --mapping multi -n N`` with ``--krigers`` SampleKrigers (``-n`` from
   ``--processes``, default krigers + 3): wall time, seconds per realization (wall / R, start-up and
   writing included), **peak RSS of every process** (``VmHWM`` from ``/proc/<pid>/status``, polled every
   0.2 s for every descendant: the whole process tree, not tracemalloc), CPU seconds of every process (idle
   ranks busy-polling would show here), and **bytes moved** between processes (``wchar`` of
   ``/proc/<pid>/io`` summed over the tree, minus the bytes of the output files: pipe traffic plus logs).
2. The same problem at ``--peer-cells`` (default 10^6) in process: krigflow's conditional realizations (a
   batch of ``--peer-realizations``, statistics included) and its exact quantiles
   (:func:`krigflow.stats.gaussian.conditional_gaussian`), gstlearn's conditional turning-bands simulation
   (``gstlearn.simtub``, moving neighbourhood of 32 data, 100 bands, simple kriging) and GSTools'
   ``CondSRF`` (simple kriging, randomization method), one realization each, in normal-score space; ratios
   = peer seconds / krigflow seconds per realization.
3. ``--memory-model``: peak RSS of one kriger process (fork, ``ru_maxrss``) for conditional batches at a few
   grid sizes and batch sizes; least-squares fit of ``bytes = a + b * cells + c * cells * batch``
   (see ``krigflow/run/memory.py``).
"""
from __future__ import annotations

import argparse
import glob
import json
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FULL_SHAPE = (500, 400, 100)
EXTENT = (5000.0, 4000.0, 200.0)
TOP = 1000.0
#: Increase of the synthetic property from the top to the base of the box (a compaction-like depth trend).
DEPTH_TREND = 60.0
VARIOGRAM = {"model": "exponential", "sill": 1.0, "nugget": 0.0, "range_h": 1500.0, "range_h2": 1000.0,
             "azimuth": 60.0, "range_v": 15.0}
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PRTE_MCA_rmaps_default_mapping_policy": ":oversubscribe"}


# ---------------------------------------------------------------------------------------------- problem
def grid_shape(cells):
    """Grid shape of the benchmark box with about ``cells`` cells (every axis scaled alike)."""
    f = (float(cells) / np.prod(FULL_SHAPE)) ** (1.0 / 3.0)
    return tuple(max(2, round(n * f)) for n in FULL_SHAPE)


def bounds_spacing(shape):
    spacing = tuple(e / n for e, n in zip(EXTENT, shape))
    return [0.0, EXTENT[0], 0.0, EXTENT[1], TOP, TOP + EXTENT[2]], spacing


def synthetic_wells(shape, n_data=1200, seed=0, depth_trend=None):
    """Vertical wells (name, easting, northing, tvdss, values): enough wells for ``n_data`` upscaled data.

    Wells stand at cell centres (so upscaling keeps one datum per cell); the property is lognormal with
    a vertical AR(1) structure (correlation length ~5 m) plus a smooth lateral trend and a well offset,
    plus ``depth_trend`` units from the top to the base of the box (linear in TVDSS).
    """
    rng = np.random.default_rng(seed)
    depth_trend = DEPTH_TREND if depth_trend is None else float(depth_trend)
    _, spacing = bounds_spacing(shape)
    n_wells = max(4, int(np.ceil(n_data / shape[2])))
    i = rng.choice(shape[0] - 2, n_wells, replace=True) + 1
    j = rng.choice(shape[1] - 2, n_wells, replace=True) + 1
    seen, wells = set(), []
    tvdss = np.arange(TOP + 0.25, TOP + EXTENT[2], 0.5)
    for w, (a, b) in enumerate(zip(i, j)):
        if (a, b) in seen:
            a = (a + 1 + w) % shape[0]
        seen.add((a, b))
        e, n = (a + 0.5) * spacing[0], (b + 0.5) * spacing[1]
        g = np.empty(tvdss.size)
        g[0] = rng.standard_normal()
        rho = np.exp(-0.5 / 5.0)
        noise = rng.standard_normal(tvdss.size) * np.sqrt(1 - rho ** 2)
        for k in range(1, tvdss.size):
            g[k] = rho * g[k - 1] + noise[k]
        g += 0.5 * np.sin(e / 900.0) + 0.5 * np.cos(n / 700.0) + 0.3 * rng.standard_normal()
        wells.append((f"W{w:03d}", e, n, tvdss, np.exp(4.0 + 0.35 * g) + depth_trend * (tvdss - TOP) / EXTENT[2]))
    return wells


def write_las(folder, wells):
    """One LAS 2.0 file per well (X/Y in the ~Well section, EKB 0: TVDSS = MD)."""
    os.makedirs(folder, exist_ok=True)
    for name, e, n, tvdss, values in wells:
        rows = "\n".join(f"{d:.2f} {v:.4f}" for d, v in zip(tvdss, values))
        text = (f"~V\nVERS. 2.0 :\nWRAP. NO :\n~W\nSTRT.M {tvdss[0]:.2f} :\nSTOP.M {tvdss[-1]:.2f} :\n"
                f"STEP.M 0.5 :\nNULL. -999.25 :\nWELL. {name} :\nX.M {e:.3f} :\nY.M {n:.3f} :\nEKB.M 0.0 :\n"
                f"~C\nDEPT.M :\nGR.gAPI :\n~A\n{rows}\n")
        with open(os.path.join(folder, f"{name}.las"), "w", encoding="utf-8") as fh:
            fh.write(text)


def conditioning(shape, wells):
    """krigflow grid and upscaled data of the problem."""
    from krigflow.conditioning import upscale
    from krigflow.grid import Grid

    bounds, spacing = bounds_spacing(shape)
    grid = Grid.from_bounds(bounds, spacing)
    e = np.concatenate([np.full(w[3].size, w[1]) for w in wells])
    n = np.concatenate([np.full(w[3].size, w[2]) for w in wells])
    t = np.concatenate([w[3] for w in wells])
    v = np.concatenate([w[4] for w in wells])
    well = np.concatenate([np.full(w[3].size, k) for k, w in enumerate(wells)])
    return grid, upscale(grid, e, n, t, v, well, well_names=tuple(w[0] for w in wells))


def cutoffs_of(wells):
    values = np.concatenate([w[4] for w in wells])
    return [float(np.round(np.quantile(values, q), 1)) for q in (0.3, 0.7)]


def write_config(folder, shape, wells, realizations, batch_size, extra=None):
    bounds, spacing = bounds_spacing(shape)
    config = {
        "las": os.path.join(folder, "las", "*.las"),
        "property": "GR",
        "grid": {"spacing": list(spacing), "bounds": bounds},
        "realizations": int(realizations),    # residual model and method: the defaults
        "batch_size": int(batch_size),
        "seed": 7,
        "quantiles": [10.0, 50.0, 90.0],
        "cutoffs": cutoffs_of(wells),
        "outputs": {"formats": [], "figures": False},
        "output": os.path.join(folder, "out"),
    }
    config.update(extra or {})
    path = os.path.join(folder, "run.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=1)
    return path


# ---------------------------------------------------------------------------------------------- /proc
def _children_map():
    kids = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat, encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    return kids


def _descendants(pid):
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _read_proc(pid):
    """VmHWM, VmRSS (bytes), CPU seconds, wchar and the command line of one process (None if gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            status = {line.split(":")[0]: line.split(":")[1].strip() for line in fh if ":" in line}
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            text = fh.read()
        fields = text[text.rfind(")") + 2:].split()
        tick = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / tick
        with open(f"/proc/{pid}/io", encoding="utf-8") as fh:
            io = {line.split(":")[0]: int(line.split(":")[1]) for line in fh}
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (OSError, IndexError, ValueError):
        return None
    kb = lambda key: int(status.get(key, "0 kB").split()[0]) * 1024
    return {"hwm": kb("VmHWM"), "rss": kb("VmRSS"), "cpu": cpu, "wchar": io.get("wchar", 0),
            "cmd": cmd[:120], "pid": pid, "ppid": int(fields[1])}


class TreeWatcher(threading.Thread):
    """Polls every process of a tree: the last seen peak RSS, CPU time and bytes written of each."""

    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.seen, self._halt = pid, interval, {}, threading.Event()

    def run(self):
        while not self._halt.is_set():
            for p in _descendants(self.pid):
                rec = _read_proc(p)
                if rec is not None and rec["cmd"]:
                    self.seen[p] = rec
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def run_cli(config, mapping, n, timeout, *, graph=None, extra_env=None):
    """One ``krigflow run`` with the tree watched: wall seconds, per-process records, summary.

    ``graph``: another graph module (``--graph``); ``extra_env``: variables added to the environment."""
    env = dict(os.environ, **MPI_ENV, **(extra_env or {}))
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "krigflow.cli.app", "run", config, "--mapping", mapping, "-n", str(n),
               "--overwrite", "--timeout", str(timeout)] + (["--graph", graph] if graph else [])
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    watcher = TreeWatcher(proc.pid)
    watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    watcher.stop()
    if proc.returncode != 0:
        procs = sorted(watcher.seen.values(), key=lambda r: -r["hwm"])
        table = "\n".join(f"    peak RSS {_mb(p['hwm']):.0f} MB, CPU {p['cpu']:.1f} s: {p['cmd'][-60:]}" for p in procs)
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}) after {seconds:.0f} s:\n{err[-3000:]}"
                           f"\n  processes:\n{table}")
    with open(config, encoding="utf-8") as fh:
        folder = json.load(fh)["output"]
    summary = {}
    if os.path.exists(os.path.join(folder, "summary.json")):
        with open(os.path.join(folder, "summary.json"), encoding="utf-8") as fh:
            summary = json.load(fh)
    written = sum(os.path.getsize(p) for p in glob.glob(os.path.join(folder, "**"), recursive=True)
                  if os.path.isfile(p))
    procs = sorted(watcher.seen.values(), key=lambda r: -r["cpu"])
    return {"seconds": seconds, "processes": procs, "output_bytes": written, "summary": summary,
            "stderr_tail": err[-2000:]}


# ---------------------------------------------------------------------------------------------- in process
def _maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _in_child(target, *args):
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_wrap, args=(target, args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    if isinstance(result, BaseException):
        raise result
    return result


def _wrap(target, args, queue):
    try:
        queue.put(target(*args))
    except BaseException as exc:  # noqa: BLE001 - handed back to the parent
        queue.put(RuntimeError(f"{target.__name__}: {type(exc).__name__}: {exc}"))


def _variogram():
    from krigflow.variogram import Variogram

    return Variogram(**VARIOGRAM)


def krigflow_batch(shape, wells, n_real, with_stats=True, field_scale=True, batches=1, method="auto"):
    """Conditional realizations in process, folded into an accumulator as a run's kriger does.

    ``field_scale`` (the run's default from 10^6 cells): float32 fields, statistics without per-cell
    histograms (quantiles from the exact shortcut), each batch merged in place into the accumulator.
    Otherwise float64 fields and 100-bin per-cell histograms plus cutoff counts (``quantiles_from:
    realizations``). ``batches`` batches of ``n_real`` realizations.
    """
    from krigflow.realizations import NormalScore, conditional_realizations
    from krigflow.stats import HistogramSpec, RunningStats, uniform_edges

    grid, data = conditioning(shape, wells)
    ns = NormalScore.fit(data.values)
    spec = HistogramSpec(uniform_edges(*ns.value_range(), 100),
                         cutoffs=() if field_scale else tuple(cutoffs_of(wells)),
                         cell_histograms=not field_scale, max_count=max(n_real * batches, 1))
    dtype = np.float32 if field_scale else np.float64
    base = _maxrss()
    start = time.perf_counter()
    t_sim = 0.0
    acc = RunningStats.empty(grid.shape) if with_stats else None
    for b in range(batches):
        t0 = time.perf_counter()
        fields = conditional_realizations(grid, _variogram(), data, 7, range(b * n_real, (b + 1) * n_real),
                                          transform=ns, dtype=dtype, method=method)
        t_sim += time.perf_counter() - t0
        if with_stats:
            acc.merge_in_place(RunningStats.from_batch(fields, spec))
        del fields
    seconds = time.perf_counter() - start
    total = n_real * batches
    return {"cells": grid.n_cells, "n_data": data.n, "realizations": total, "seconds": seconds,
            "seconds_simulation": t_sim, "per_realization": seconds / total, "peak_rss": _maxrss(),
            "baseline_rss": base, "field_scale": field_scale}


def krigflow_exact(shape, wells, max_data, check_cells=2000):
    """Exact quantiles (SK mean + variance): time, and the error of the neighbourhood variance."""
    from krigflow.realizations import NormalScore
    from krigflow.stats.gaussian import conditional_gaussian, sk_variance

    grid, data = conditioning(shape, wells)
    ns = NormalScore.fit(data.values)
    start = time.perf_counter()
    g = conditional_gaussian(grid, _variogram(), data, transform=ns, max_data=max_data)
    t_moments = time.perf_counter() - start
    arrays = g.output_arrays([10, 50, 90], cutoffs_of(wells))
    seconds = time.perf_counter() - start
    out = {"cells": grid.n_cells, "n_data": data.n, "max_data": max_data, "seconds": seconds,
           "seconds_moments": t_moments, "peak_rss": _maxrss(), "arrays": sorted(arrays)}
    if max_data is not None and max_data < data.n:
        # exact variance on a random subset of cells (a thin box per cell would be slow: sample columns)
        rng = np.random.default_rng(0)
        i = rng.integers(0, grid.shape[0], 4)
        err = []
        for a in i:
            box = (slice(a, a + 1), slice(0, grid.shape[1]), slice(0, grid.shape[2]))
            exact = np.sqrt(sk_variance(grid, _variogram(), data, box=box))
            err.append(np.max(np.abs(g.std[box] - exact)))
        out["max_std_error_vs_exact"] = float(np.max(err))
    return out


def _sub_axes(grid, max_cells):
    """Axes of a block of whole columns at the grid's centre with at most ``max_cells`` cells (all if None)."""
    nx, ny, nz = grid.shape
    if max_cells is None or max_cells >= grid.n_cells:
        return grid.easting, grid.northing, grid.tvdss
    side = max(1, int(np.sqrt(max_cells / nz)))
    i0, j0 = max(0, (nx - side) // 2), max(0, (ny - side) // 2)
    return grid.easting[i0:i0 + side], grid.northing[j0:j0 + side], grid.tvdss


def gstlearn_one(shape, wells, max_cells=None, n_max=32, nbtuba=100):
    """gstlearn conditional turning-bands simulation, one realization, normal scores, simple kriging.

    On a centred block of whole columns of at most ``max_cells`` cells (all by default); the time is scaled
    per cell to the whole grid (``per_realization``).
    """
    import gstlearn as gl

    from krigflow.realizations import NormalScore

    grid, data = conditioning(shape, wells)
    y = NormalScore.fit(data.values).transform(data.values)
    gl.defineDefaultSpace(gl.ESpaceType.RN, 3)
    db = gl.Db.create()
    db["x1"], db["x2"], db["x3"], db["y"] = data.easting, data.northing, data.tvdss, y
    db.setLocators(["x1", "x2", "x3"], gl.ELoc.X)
    db.setLocator("y", gl.ELoc.Z)
    axes = _sub_axes(grid, max_cells)
    out = gl.DbGrid.create(nx=[a.size for a in axes], dx=list(grid.spacing), x0=[a[0] for a in axes])
    v = VARIOGRAM
    # gstlearn angles are counter-clockwise from east; krigflow's azimuth is clockwise from north
    model = gl.Model.createFromParam(gl.ECov.EXPONENTIAL, ranges=[v["range_h"], v["range_h2"], v["range_v"]],
                                     angles=[90.0 - v["azimuth"], 0.0, 0.0], sill=1.0)
    model.setMeans([0.0])
    neigh = gl.NeighMoving.create(False, n_max, 1e9)
    start = time.perf_counter()
    err = gl.simtub(db, out, model, neigh, nbsimu=1, seed=123, nbtuba=nbtuba)
    seconds = time.perf_counter() - start
    if err:
        raise RuntimeError(f"gstlearn simtub failed ({err})")
    field = np.asarray(out["Simu*"])
    cells = int(np.prod([a.size for a in axes]))
    return {"cells": cells, "n_data": data.n, "seconds": seconds, "per_realization": seconds * grid.n_cells / cells,
            "peak_rss": _maxrss(), "field_std": float(np.std(field)),
            "setup": f"simtub, NeighMoving {n_max} data, {nbtuba} bands, {cells:,d} cells"
                     + ("" if cells == grid.n_cells else " (scaled per cell)")}


def gstools_one(shape, wells, max_cells=None):
    """GSTools CondSRF (simple kriging, default randomization method), one realization, normal scores.

    On a centred block of whole columns of at most ``max_cells`` cells; the time is scaled per cell (its
    kriging of 1 000+ data, ~15 ms per cell here, dominates and is linear in the cells).
    """
    import gstools as gs

    from krigflow.realizations import NormalScore

    grid, data = conditioning(shape, wells)
    y = NormalScore.fit(data.values).transform(data.values)
    v = VARIOGRAM
    model = gs.Exponential(dim=3, var=1.0, len_scale=v["range_h"] / 3.0,
                           anis=[v["range_h2"] / v["range_h"], v["range_v"] / v["range_h"]],
                           angles=np.deg2rad(90.0 - v["azimuth"]))
    krige = gs.krige.Simple(model, [data.easting, data.northing, data.tvdss], y, mean=0.0)
    srf = gs.CondSRF(krige)
    axes = _sub_axes(grid, max_cells)
    start = time.perf_counter()
    field = srf.structured(list(axes), seed=3)
    seconds = time.perf_counter() - start
    cells = int(np.prod([a.size for a in axes]))
    return {"cells": cells, "n_data": data.n, "seconds": seconds, "per_realization": seconds * grid.n_cells / cells,
            "peak_rss": _maxrss(), "field_std": float(np.std(field)),
            "setup": f"CondSRF, Simple kriging, {cells:,d} cells" + ("" if cells == grid.n_cells else " (scaled per cell)")}


def kriger_memory(shape, wells, batch, field_scale=True):
    """Peak RSS (bytes) of a process that computes two conditional batches into an accumulator.

    The residual kriging uses the ``columns`` engine, the one a field-scale grid gets (the ``fft`` engine's
    doubled lattice is refused above 384 MiB), so that small grids extrapolate to large ones.
    """
    row = krigflow_batch(shape, wells, batch, field_scale=field_scale, batches=2, method="columns")
    return {"cells": row["cells"], "batch": batch, "n_data": row["n_data"], "peak_rss": row["peak_rss"],
            "baseline_rss": row["baseline_rss"]}


def memory_model(sizes=(1e5, 3e5, 1e6), batches=(1, 4, 8), field_scale=True):
    """Fit peak RSS = a + b cells + c cells batch (bytes) over a few grid sizes and batch sizes."""
    rows = []
    for cells in sizes:
        shape = grid_shape(cells)
        wells = synthetic_wells(shape)
        for batch in batches:
            rows.append(_in_child(kriger_memory, shape, wells, batch, field_scale))
            r = rows[-1]
            print(f"  memory: {r['cells']:>9,d} cells x batch {batch:2d}: peak RSS {r['peak_rss'] / 2**20:8.1f} MB"
                  f" (after imports and set-up {r['baseline_rss'] / 2**20:.0f} MB)", flush=True)
    x = np.array([[1.0, r["cells"], r["cells"] * r["batch"]] for r in rows])
    y = np.array([r["peak_rss"] for r in rows], dtype=float)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    print(f"  fit: peak RSS = {coef[0] / 2**20:.0f} MB + {coef[1]:.0f} B x cells + {coef[2]:.1f} B x cells x batch"
          f" (max residual {np.max(np.abs(resid)) / 2**20:.0f} MB)", flush=True)
    return {"rows": rows, "fixed": coef[0], "per_cell": coef[1], "per_cell_realization": coef[2],
            "max_residual": float(np.max(np.abs(resid)))}


# ---------------------------------------------------------------------------------------------- main
def _mb(b):
    return b / 2**20


def _memory_model_of(shape, args, row):
    """The memory model's estimates for the run (MB) and the partials' size (40 bytes per cell each)."""
    import scipy.fft

    from krigflow.realizations.fft import simulation_padding
    from krigflow.run.memory import estimate_memory

    _, spacing = bounds_spacing(shape)
    pad = simulation_padding(shape, spacing, _variogram())
    embedding = tuple(scipy.fft.next_fast_len(int(n + p), real=True) for n, p in zip(shape, pad))
    n = row.get("n_data") or args.data
    krigers = row.get("workers") or args.krigers
    kriger = estimate_memory(shape, args.batch_size, n, embedding=embedding, cutoffs=2,
                             realizations=args.realizations)
    acc = estimate_memory(shape, args.batch_size, n, role="accumulator", cutoffs=2, krigers=krigers,
                          realizations=args.realizations)
    return {"kriger": _mb(kriger.total), "accumulator": _mb(acc.total),
            "partials": _mb(40 * int(np.prod(shape)) * krigers)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=float, default=20e6, help="grid cells of the run (default 20e6)")
    parser.add_argument("--data", type=int, default=1200, help="upscaled data (about; default 1200)")
    parser.add_argument("--realizations", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--krigers", type=int, default=2)
    parser.add_argument("--processes", type=int, default=None, help="-n of krigflow run (default krigers + 3)")
    parser.add_argument("--mapping", default="multi", choices=["multi", "mpi", "simple"])
    parser.add_argument("--config-extra", default=None, help="JSON merged into the run config")
    parser.add_argument("--no-depth-trend", action="store_true", help="synthetic property without the depth trend")
    parser.add_argument("--peer-cells", type=float, default=1e6)
    parser.add_argument("--peer-realizations", type=int, default=8, help="krigflow batch at peer size")
    parser.add_argument("--peers", nargs="*", default=["gstlearn", "gstools"], choices=["gstlearn", "gstools"])
    parser.add_argument("--gstlearn-cells", type=float, default=None,
                        help="run gstlearn on a centred block of this many cells, time scaled (default: all)")
    parser.add_argument("--gstools-cells", type=float, default=5000,
                        help="run GSTools on a centred block of this many cells, time scaled (default 5000)")
    parser.add_argument("--exact-max-data", type=int, default=-1,
                        help="max_data of the exact quantiles' variance at peer size (0: all data, -1: the "
                             "run's default, krigflow.stats.gaussian.default_max_data)")
    parser.add_argument("--skip-run", action="store_true", help="skip the krigflow run at --cells")
    parser.add_argument("--memory-model", action="store_true", help="only the kriger memory model")
    parser.add_argument("--histograms", action="store_true",
                        help="memory model / peer batch with float64 fields and per-cell histograms "
                             "(quantiles_from: realizations) instead of the field-scale path")
    parser.add_argument("--timeout", type=float, default=7200.0)
    parser.add_argument("--json", help="write the results to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    from bench_kriging import machine

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M')}",
          flush=True)
    results = {"machine": machine(), "args": vars(args)}
    if args.memory_model:
        results["memory_model"] = memory_model(field_scale=not args.histograms)
        _dump(args, results)
        return results
    work = tempfile.mkdtemp(prefix="bench-field-")
    try:
        if not args.skip_run:
            shape = grid_shape(args.cells)
            wells = synthetic_wells(shape, args.data, depth_trend=0.0 if args.no_depth_trend else DEPTH_TREND)
            write_las(os.path.join(work, "las"), wells)
            extra = json.loads(args.config_extra) if args.config_extra else None
            config = write_config(work, shape, wells, args.realizations, args.batch_size, extra)
            n = args.processes or args.krigers + 3
            print(f"krigflow run: grid {shape} ({np.prod(shape):,d} cells), {len(wells)} wells, "
                  f"{args.realizations} realizations, batch {args.batch_size}, {args.mapping} -n {n}", flush=True)
            try:
                row = run_cli(config, args.mapping, n, args.timeout)
            except RuntimeError as exc:           # report and go on with the peers
                print(f"  krigflow run FAILED: {exc}", flush=True)
                results["run"] = {"error": str(exc)}
                row = None
        if not args.skip_run and row is not None:
            summary = row["summary"]
            # /proc/<pid>/io of a parent includes its reaped children's I/O: count the leaf processes only
            parents = {p["ppid"] for p in row["processes"]}
            leaves = [p for p in row["processes"] if p["pid"] not in parents]
            moved = sum(p["wchar"] for p in leaves) - row["output_bytes"]
            row.update(shape=shape, cells=int(np.prod(shape)), n_data=summary.get("n_data"),
                       workers=summary.get("workers"), per_realization=row["seconds"] / args.realizations,
                       bytes_moved=moved, load=os.getloadavg()[0])
            row["residual_model"] = {"trend": (summary.get("trend") or {}).get("kind"),
                                     "well_effect": summary.get("well_effect"),
                                     "transform": "normal_score" if summary.get("transform") else "none",
                                     "variogram": summary.get("variogram_used"),
                                     "quantiles_from": summary.get("quantiles_from")}
            results["run"] = row
            print(f"  residual model (defaults): {row['residual_model']}", flush=True)
            print(f"  wall {row['seconds']:.1f} s = {row['per_realization']:.2f} s per realization "
                  f"({row['workers']} krigers, {row['n_data']} data); timings {summary.get('timings')}", flush=True)
            print("  | process | peak RSS MB | CPU s | written MB | command |\n  |---|---|---|---|---|")
            for k, p in enumerate(row["processes"]):
                print(f"  | {k} | {_mb(p['hwm']):.0f} | {p['cpu']:.1f} | {_mb(p['wchar']):.1f} | {p['cmd'][-60:]} |")
            row["model"] = _memory_model_of(shape, args, row)
            print(f"  memory model (krigflow.run.memory): kriger {row['model']['kriger']:.0f} MB, accumulator "
                  f"{row['model']['accumulator']:.0f} MB; partials {row['model']['partials']:.0f} MB in all", flush=True)
            print(f"  max peak RSS {_mb(max(p['hwm'] for p in row['processes'])):.0f} MB; bytes moved between "
                  f"processes ~{_mb(moved):.0f} MB (written by the leaf processes "
                  f"{_mb(sum(p['wchar'] for p in leaves)):.0f} MB"
                  f" minus outputs {_mb(row['output_bytes']):.0f} MB)", flush=True)
        if args.peer_cells:
            shape = grid_shape(args.peer_cells)
            wells = synthetic_wells(shape, args.data)
            peer = {}
            kf = _in_child(krigflow_batch, shape, wells, args.peer_realizations, True, not args.histograms)
            peer["krigflow"] = kf
            print(f"peers at {kf['cells']:,d} cells, {kf['n_data']} data:", flush=True)
            print(f"  krigflow conditional, batch of {args.peer_realizations}: {kf['per_realization']:.3f} s per "
                  f"realization (statistics included), peak RSS {_mb(kf['peak_rss']):.0f} MB", flush=True)
            max_data = args.exact_max_data or None
            if max_data == -1:
                from krigflow.stats.gaussian import default_max_data

                max_data = default_max_data(np.prod(shape), kf["n_data"])
            ex = _in_child(krigflow_exact, shape, wells, max_data)
            peer["krigflow_exact"] = ex
            print(f"  krigflow exact quantiles (P10/P50/P90 + 2 cutoffs, max_data {max_data}): {ex['seconds']:.2f} s"
                  f" once (moments {ex['seconds_moments']:.2f} s), peak RSS {_mb(ex['peak_rss']):.0f} MB"
                  + (f", max |std - exact std| {ex['max_std_error_vs_exact']:.2e}"
                     if "max_std_error_vs_exact" in ex else ""), flush=True)
            limits = {"gstlearn": args.gstlearn_cells, "gstools": args.gstools_cells}
            for name, fn in (("gstlearn", gstlearn_one), ("gstools", gstools_one)):
                if name in args.peers:
                    row = _in_child(fn, shape, wells, None if limits[name] is None else int(limits[name]))
                    row["ratio"] = row["per_realization"] / kf["per_realization"]
                    peer[name] = row
                    print(f"  {name} ({row['setup']}): {row['seconds']:.1f} s -> {row['per_realization']:.1f} s per "
                          f"realization of {np.prod(shape):,d} cells, peak RSS "
                          f"{_mb(row['peak_rss']):.0f} MB -> {row['ratio']:.0f}x krigflow", flush=True)
            results["peers"] = peer
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    _dump(args, results)
    return results


def _dump(args, results):
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))


if __name__ == "__main__":
    main()
