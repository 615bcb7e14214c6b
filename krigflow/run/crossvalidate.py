"""Leave-one-well-out cross-validation of a run configuration (``krigflow validate``).

For every well with data in the grid: build the run's problem from the *other* wells with the config's own
settings (whatever the config says ``auto`` is refitted in each fold), compute the config's realizations,
read them at the held-out well's cells, and score them against the held-out well's log upscaled to the same
grid. The grid of every fold is the grid of the full run (``grid.bounds`` fixed from all wells), so that the
held-out cells are the cells the full run would model.

Per well and pooled: RMSE and bias of the ensemble mean, coverage of the 80 % interval (P10-P90 of the
realizations), Deutsch's accuracy plot and goodness G, the PIT histogram and the share of squared error
that is a per-well offset; baselines on the same cells: IDW of the training data (power 2, vertical x100,
no trend), the trend + IDW of the residuals, and the training mean.

Folds are independent: :func:`cross_validate` runs them one after the other (``simple``), in a pool of
processes (``multi``), or hands them to a fold runner (``mpi``: :func:`krigflow.distributed.mpi_fold_runner`
runs them on MPI ranks); every fold is seeded by the config's seed, so the numbers do not depend on the
mapping.
"""
from __future__ import annotations

import copy
import logging
import time

import numpy as np

from krigflow.crossval import (
    DEFAULT_PS,
    accuracy_points,
    bias,
    goodness,
    idw,
    offset_share,
    pit_histogram,
    pit_values,
    rmse,
    training_mean,
    trend_idw,
)
from krigflow.exceptions import KrigflowError
from krigflow.tool_offsets import offsets_mode, tool_family

logger = logging.getLogger(__name__)

__all__ = ["VALIDATE_MAPPINGS", "contract_record", "cross_validate", "fold_config", "fold_jobs", "run_fold",
           "run_fold_jobs", "score_folds"]

#: How folds can be run.
VALIDATE_MAPPINGS = ("simple", "multi", "mpi")


def fold_config(config, grid, held_family=None, train_families=()) -> dict:
    """The config of a fold: the full run's grid fixed as bounds, no outputs written.

    With tool offsets (:mod:`krigflow.tool_offsets`) the fold predicts the held-out well as read by its own
    tool: the reference is ``held_family`` (the held-out well's curve mnemonic, metadata only) when a
    training well shares it; otherwise the tool is unknown and the fold runs without tool offsets (its
    offset is then part of the well effect, with its whole variance).
    """
    cfg = copy.deepcopy(config)
    cfg["grid"] = dict(cfg["grid"], bounds=[float(b) for b in grid.bounds], padding=None)
    cfg["outputs"] = dict(cfg.get("outputs") or {}, formats=[], figures=False)
    mode = offsets_mode(cfg.get("tool_offsets"))[0]
    if mode != "none" and held_family is not None:
        cfg["tool_offsets"] = ({"reference": held_family, "required": mode == "on"}
                               if held_family in set(train_families) else "none")
    return cfg


def _held_out_truth(well, grid):
    """The held-out well's log upscaled to the grid."""
    from krigflow.conditioning import upscale

    arrays = [np.asarray(a, dtype=float) for a in (well.easting, well.northing, well.tvdss, well.values)]
    ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    e, n, t, v = (a[ok] for a in arrays)
    return upscale(grid, e, n, t, v, np.zeros(v.size, dtype=np.int64), well_names=(well.name,))


def run_fold(config, wells, held, grid) -> dict:
    """Hold out well ``held`` (its index in ``wells``), fit on the others and predict its cells.

    Returns
    -------
    dict
        ``well``, ``truth`` (m,), ``estimate`` (ensemble mean), ``pit`` (m,), ``p10``/``p90`` (m,),
        ``idw``, ``trend_idw``, ``mean`` (m,), ``trend`` (the fold's trend record), ``seconds``.
    """
    from krigflow.run.problem import build_problem
    from krigflow.run.realize import realization_values

    start = time.perf_counter()
    train = [w for i, w in enumerate(wells) if i != held]
    cfg = fold_config(config, grid, tool_family(wells[held].curve), [tool_family(w.curve) for w in train])
    truth = _held_out_truth(wells[held], grid)
    # the full run already said what build_problem says
    quiet = [logging.getLogger(name) for name in ("krigflow.run", "krigflow.tool_offsets")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.ERROR)
    try:
        problem = build_problem(train, cfg)
    finally:
        for q, level in zip(quiet, levels):
            q.setLevel(level)
    cells = truth.cells
    values = np.empty((problem.realizations, truth.n))
    for s in range(0, problem.realizations, problem.batch_size):
        idx = list(range(s, min(s + problem.batch_size, problem.realizations)))
        batch = realization_values(problem, idx)
        values[idx] = batch[:, cells[:, 0], cells[:, 1], cells[:, 2]]
    d = problem.data
    raw = problem.trend.restore(d.tvdss, d.values) if problem.trend is not None else d.values
    tools = getattr(problem, "tool_offsets", None)
    if tools is not None and tools.applied:    # baselines use the logs as read, not shifted to one tool
        raw = raw + np.array([tools.shifts.get(n, 0.0) for n in d.well_names])[d.well]
    log = getattr(problem, "log", None)          # log10 run: baselines in log10, back-transformed
    back = (lambda y: y) if log is None else log.back_transform
    coords = np.stack([d.easting, d.northing, d.tvdss], 1)
    targets = np.stack([truth.easting, truth.northing, truth.tvdss], 1)
    p10, p90 = np.quantile(values, [0.1, 0.9], axis=0)
    out = {"well": wells[held].name, "truth": truth.values, "estimate": values.mean(axis=0),
           "pit": pit_values(truth.values, values), "p10": p10, "p90": p90,
           "idw": back(idw(coords, raw, targets)), "mean": back(training_mean(raw, truth.n)),
           "trend": problem.trend.describe() if problem.trend is not None else {"kind": "none"},
           "variogram": dict(problem.variogram.__dict__), "well_effect": float(getattr(problem, "well_effect", 0.0)),
           "tool_reference": tools.reference if tools is not None and tools.applied else None}
    out["trend_idw"] = (back(trend_idw(coords, raw, targets, problem.trend)) if problem.trend is not None
                        else out["idw"])
    out["seconds"] = time.perf_counter() - start
    logger.info("fold %s: %d cells, RMSE %.3f (%.1f s)", out["well"], truth.n, rmse(truth.values, out["estimate"]),
                out["seconds"])
    return out


def _fold_worker(args):
    config, wells, held, grid = args
    return run_fold(config, wells, held, grid)


def fold_jobs(config, wells) -> tuple[list, object]:
    """The folds of a cross-validation: ``([(config, wells, held, grid), ...], full_problem)``.

    Wells are sorted by (path, name); a fold per well with data in the full run's grid (at least 3).
    Deterministic: every process that calls it with the same config and wells gets the same jobs.
    """
    from krigflow.run.problem import build_problem

    wells = sorted(wells, key=lambda w: (w.path, w.name))
    full = build_problem(wells, config)
    used = sorted({int(k) for k in np.unique(full.data.well)})
    if len(used) < 3:
        raise KrigflowError(f"validate: need at least 3 wells with data in the grid, got {len(used)}")
    return [(config, wells, i, full.grid) for i in used], full


def run_fold_jobs(jobs) -> list:
    """Run fold jobs ``(config, wells, held, grid)`` one after the other (what every mapping's ranks do)."""
    return [_fold_worker(job) for job in jobs]


def score_folds(folds, ps=DEFAULT_PS) -> dict:
    """Per-well and pooled scores of the folds (the JSON contract plus the accuracy plot and PIT)."""
    rows = []
    for f in folds:
        xi = accuracy_points(f["pit"], ps)
        rows.append({"well": f["well"], "cells": int(f["truth"].size), "rmse": rmse(f["truth"], f["estimate"]),
                     "rmse_idw": rmse(f["truth"], f["idw"]), "bias": bias(f["truth"], f["estimate"]),
                     "coverage_80": float(accuracy_points(f["pit"], [0.8])[0]), "goodness": goodness(xi, ps)})
    cat = {k: np.concatenate([f[k] for f in folds]) for k in ("truth", "estimate", "pit", "idw", "trend_idw", "mean")}
    well = np.concatenate([np.full(f["truth"].size, i) for i, f in enumerate(folds)])
    xi = accuracy_points(cat["pit"], ps)
    counts, edges = pit_histogram(cat["pit"])
    pooled = {"cells": int(cat["truth"].size), "rmse": rmse(cat["truth"], cat["estimate"]),
              "rmse_idw": rmse(cat["truth"], cat["idw"]), "rmse_trend_idw": rmse(cat["truth"], cat["trend_idw"]),
              "rmse_mean": rmse(cat["truth"], cat["mean"]),
              "coverage_80": float(accuracy_points(cat["pit"], [0.8])[0]), "goodness": goodness(xi, ps),
              "offset_share": offset_share(cat["truth"], cat["estimate"], well),
              "bias": bias(cat["truth"], cat["estimate"])}
    return {"wells": rows, "pooled": pooled,
            "accuracy": {"p": [float(p) for p in ps], "xi": xi.tolist()},
            "pit": {"counts": counts.tolist(), "edges": edges.tolist()},
            "folds": [{"well": f["well"], "trend": f["trend"], "variogram": f["variogram"],
                       "well_effect": f["well_effect"], "seconds": round(f["seconds"], 3)} for f in folds]}


def contract_record(scores) -> dict:
    """The object ``krigflow validate --json`` prints: ``wells`` and ``pooled`` with the contract's keys."""
    well_keys = ("well", "cells", "rmse", "rmse_idw", "bias", "coverage_80")
    pooled_keys = ("cells", "rmse", "rmse_idw", "rmse_trend_idw", "rmse_mean", "coverage_80", "goodness",
                   "offset_share")
    return {"wells": [{k: w[k] for k in well_keys} for w in scores["wells"]],
            "pooled": {k: scores["pooled"][k] for k in pooled_keys}}


def cross_validate(config, wells=None, *, mapping="simple", processes=1, fold_runner=None) -> dict:
    """Leave-one-well-out cross-validation of a validated run configuration.

    Parameters
    ----------
    config : dict
        Validated configuration (:func:`krigflow.run.validate_config`).
    wells : sequence of krigflow.wells.Well, optional
        The wells (read from ``config["las"]`` if None).
    mapping : {"simple", "multi", "mpi"}, default "simple"
        Run the folds in this process, in ``processes`` worker processes, or with ``fold_runner`` (``mpi``).
    processes : int, default 1
        Worker processes (``multi``).
    fold_runner : callable, optional
        ``fold_runner(jobs) -> folds`` (in the order of ``jobs``); required with ``mpi``
        (:func:`krigflow.distributed.mpi_fold_runner`).

    Returns
    -------
    dict
        :func:`score_folds` of the folds, plus ``grid`` and ``realizations``.

    Raises
    ------
    KrigflowError
        Fewer than 3 wells with data in the grid, an unknown mapping, or ``mpi`` without a fold runner.
    """
    if mapping not in VALIDATE_MAPPINGS:
        raise KrigflowError(f"validate: mapping must be one of {VALIDATE_MAPPINGS}, got {mapping!r}")
    if mapping == "mpi" and fold_runner is None:
        raise KrigflowError("validate: mapping 'mpi' needs a fold_runner (krigflow.distributed.mpi_fold_runner)")
    from krigflow.run.problem import load_inputs

    wells = load_inputs(config) if wells is None else list(wells)
    jobs, full = fold_jobs(config, wells)
    grid = full.grid
    if fold_runner is not None:
        folds = list(fold_runner(jobs))
    elif mapping == "multi" and processes > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(min(processes, len(jobs))) as pool:
            folds = pool.map(_fold_worker, jobs, chunksize=1)
    else:
        folds = run_fold_jobs(jobs)
    scores = score_folds(folds)
    scores["grid"] = {"shape": list(grid.shape), "bounds": [float(b) for b in grid.bounds],
                      "spacing": [float(s) for s in grid.spacing]}
    scores["realizations"] = int(full.realizations)
    scores["method"] = full.method.get("name")
    scores["_folds"] = folds
    scores["_problem"] = full
    return scores
