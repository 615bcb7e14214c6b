"""The end of a run, for every way of running it: merge, summary, result files, status record.

:func:`finish` merges this attempt's partials with the earlier ones (:func:`merge_partials`, in a fixed
order), checks that every realization was computed exactly once, builds ``summary.json`` and writes the
results in one order (:func:`write_results`: ``wells.npz`` and the configured formats first, so that a run
whose files cannot all be written fails without results, then ``stats.npz`` and ``summary.json``, then the
figures). :func:`end_run` adds the status record (``status.json``) that ``krigflow run`` reads; the
StatsAccumulator PE calls it, :func:`krigflow.run.run_local` calls :func:`finish`, and
:func:`krigflow.run.combine` calls :func:`final_arrays` and :func:`write_results`.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from importlib import metadata

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import (
    STATUS_FILE,
    check_output,
    write_formats,
    write_outputs,
    write_run_files,
    write_status,
)
from krigflow.plotting import write_run_figures
from krigflow.run.blocks import join_pieces, summaries_of
from krigflow.run.config import DEFAULTS
from krigflow.run.config_file import config_output
from krigflow.run.lock import if_free
from krigflow.run.messages import RunError
from krigflow.run.plan import coverage
from krigflow.run.prepare import hold_output, release_output
from krigflow.run.problem import exact_quantiles
from krigflow.run.progress import clear_progress
from krigflow.run.ranges import format_ranges
from krigflow.run.summaries import write_summaries
from krigflow.run.warning_log import collect_warnings, merge_warnings
from krigflow.stats import REALIZATIONS_FILE, RunningStats, summary_record

logger = logging.getLogger(__name__)

__all__ = [
    "merge_partials",
    "final_arrays",
    "make_summary",
    "versions",
    "write_results",
    "finish",
    "end_run",
    "status_record",
    "record_status",
]

#: Pipeline order of the steps, to report errors in a stable order.
STAGES = ("LogReader", "GridPlacer", "SampleKriger", "StatsAccumulator")
#: Summary entries copied into the status record (for range runs: what is covered and missing).
_STATUS_KEYS = ("range", "covered", "missing")


def merge_partials(partials, *, consume=False):
    """Merge the statistics of partials in a fixed order: by smallest realization index.

    The one merge of a run's end (and of ``krigflow combine``), so a single run, a resumed run and a
    combination of independent jobs merge alike, whatever order the partials arrived in.

    Parameters
    ----------
    partials : sequence of krigflow.run.Partial or krigflow.io.SavedPartial
        Objects with ``indices`` and ``stats`` (a saved partial's statistics are read one file at a time).

    consume : bool, default False
        Merge into the first partial's statistics (they are modified: the end of a run, where the partials
        are not used again), instead of into a new accumulator.

    Returns
    -------
    krigflow.stats.RunningStats or None
        None if no partial covers any realization.

    Examples
    --------
    >>> import numpy as np
    >>> from krigflow.stats import RunningStats
    >>> from krigflow.run.messages import Partial
    >>> parts = [Partial(np.array([r]), RunningStats.from_batch(np.array([[float(r)]]))) for r in (2, 0, 1)]
    >>> merge_partials(parts).mean.tolist()
    [1.0]
    """
    merged = None
    for p in sorted((p for p in partials if len(p.indices)), key=lambda p: int(np.min(p.indices))):
        if merged is None:
            merged = p.stats if consume else RunningStats.empty(p.stats.shape).merge_in_place(p.stats)
        else:
            merged.merge_in_place(p.stats)         # one accumulator, no copy per merge
    return merged


def final_arrays(partials, grid, realizations=None, quantiles=(10.0, 50.0, 90.0), *, consume=False) -> dict:
    """Merge partial statistics in a fixed order and return the output arrays.

    Parameters
    ----------
    partials : sequence of krigflow.run.Partial or krigflow.io.SavedPartial
        Partials from all workers, in any order. They are merged sorted by
        their smallest realization index, so the result does not depend on the
        arrival order.
    grid : krigflow.grid.Grid
        The model grid (for the cell-centre vectors).
    realizations : int, optional
        If given, check that the partials cover exactly ``0 .. realizations-1``.
    quantiles : sequence of float, default (10, 50, 90)
        Per-cell quantiles (percent) to write when the statistics kept per-cell histograms.

    Returns
    -------
    dict of str to array
        ``mean``, ``std`` (sample, ddof=1), ``count``, ``min``, ``max`` of
        shape ``grid.shape`` indexed ``[easting, northing, tvdss]``, and the
        cell-centre vectors ``easting``, ``northing``, ``tvdss``. With
        histograms also ``p<q>``, ``prob_gt_<cutoff>``, ``hist_edges``,
        ``hist_counts`` and ``hist_outside`` (see
        :meth:`krigflow.stats.RunningStats.output_arrays`).

    Raises
    ------
    KrigflowError
        If there is no partial, or the realizations are not covered exactly
        once.
    """
    partials = sorted((p for p in partials if len(p.indices)), key=lambda p: int(np.min(p.indices)))
    if not partials:
        raise KrigflowError("no realization was computed")
    done = np.sort(np.concatenate([p.indices for p in partials]))
    if realizations is not None and not np.array_equal(done, np.arange(realizations)):
        missing = np.setdiff1d(np.arange(realizations), done)
        raise KrigflowError(
            f"realizations not covered exactly once: {done.size} done of {realizations}"
            f" (missing: {missing[:10].tolist()}{'...' if missing.size > 10 else ''})"
        )
    stats = merge_partials(partials, consume=consume)
    return {
        "mean": stats.mean,
        "std": stats.std(),
        "count": stats.count,
        "min": stats.min,
        "max": stats.max,
        "easting": grid.easting,
        "northing": grid.northing,
        "tvdss": grid.tvdss,
        **stats.output_arrays(quantiles if stats.cell_hist is not None else ()),
    }


def exact_arrays(problem, cutoffs) -> dict:
    """``p<q>`` and ``prob_gt_<cutoff>`` of a ``conditional`` run from the multi-Gaussian shortcut.

    The simple-kriging mean and variance of the residuals (their normal scores with a transform) at every
    cell, with the run's well-effect variance in the data covariance and in every cell's variance
    (:func:`krigflow.stats.gaussian.exact_outputs`), back-transformed, plus the depth trend: exact, no
    per-cell histograms. Arrays are float32 when the realizations are (field scale), else float64.
    """
    from krigflow.stats.gaussian import exact_outputs

    start = time.perf_counter()
    if getattr(problem, "zones", None) is not None:     # per zone on its simbox, copied back to the cells
        arrays = problem.zones.exact_outputs(problem.quantiles, tuple(cutoffs),
                                             dtype=np.dtype(getattr(problem, "field_dtype", "float64")))
        logger.info("exact quantiles and exceedance probabilities: %.1f s", time.perf_counter() - start)
        return arrays
    trend = getattr(problem, "trend", None)
    if trend is not None and trend.kind != "none":      # one value per layer, broadcast over the cells
        trend = np.asarray(trend.evaluate(problem.grid.tvdss), dtype=np.float64).reshape(1, 1, -1)
    else:
        trend = None
    log = getattr(problem, "log", None)       # log10 run: data in log10, quantiles 10 ** (trend + m + s z)
    extra = {"transform": log, "values": problem.data.values} if log is not None else {"transform": problem.transform}
    arrays = exact_outputs(problem.grid, problem.variogram, problem.data, **extra,
                           mean=problem.mean, quantiles=problem.quantiles, cutoffs=tuple(cutoffs),
                           dtype=np.dtype(getattr(problem, "field_dtype", "float64")), trend=trend,
                           well_effect=float(getattr(problem, "well_effect", 0.0) or 0.0))
    logger.info("exact quantiles and exceedance probabilities: %.1f s", time.perf_counter() - start)
    return arrays


def make_summary(config, wells_info, problem, partials, *, mapping, timings, warnings=()) -> dict:
    """Return the JSON-ready run summary written to ``summary.json`` (``warnings``: the run's warnings)."""
    return {
        "status": "ok",
        "warnings": list(warnings),
        "mapping": mapping,
        "config": config,
        "wells": wells_info,
        "grid": {
            "shape": list(problem.grid.shape),
            "bounds": [float(b) for b in problem.grid.bounds],
            "spacing": [float(s) for s in problem.grid.spacing],
        },
        "n_data": problem.data.n,
        "kriging_mean": problem.mean,
        **({"variogram_used": _variogram_dict(problem.variogram)} if problem.variogram is not None else {}),
        **({"variogram_fit": problem.variogram_fit} if problem.variogram_fit else {}),
        **({"transform": problem.transform.describe()} if problem.transform is not None else {}),
        **({"transform": problem.log.describe()} if getattr(problem, "log", None) is not None else {}),
        **({"trend": problem.trend.describe()} if getattr(problem, "trend", None) is not None else {}),
        "well_effect": float(getattr(problem, "well_effect", 0.0)),
        **({"residual_model": {k: v for k, v in problem.residual.items() if k not in ("trend", "variogram_fit")}}
           if getattr(problem, "residual", None) else {}),
        **({"zones": problem.zones.describe()} if getattr(problem, "zones", None) is not None else {}),
        **({"quantile_accuracy": float(np.max(np.diff(problem.histogram.edges)))}
           if problem.histogram is not None and problem.quantiles and not exact_quantiles(problem) else {}),
        **({"quantiles_from": "exact" if exact_quantiles(problem) else "realizations"}
           if problem.method["name"] == "conditional" else {}),
        "realizations_done": int(sum(len(p.indices) for p in partials)),
        "workers": len([p for p in partials if len(p.indices)]),
        "timings": {k: round(float(v), 6) for k, v in timings.items()},
        "versions": versions(),
    }


def _variogram_dict(v):
    """JSON-ready parameters of a Variogram."""
    return {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h, "range_h2": v.range_h2,
            "range_v": v.range_v, "azimuth": v.azimuth, "nu": v.nu}


def write_trend_png(config, problem, folder=None):
    """Write ``trend.png`` (the trend with the data) into the output folder when a trend was removed and
    figures are on; a failure is logged, never raised (like the other figures). Returns the path or None."""
    trend = getattr(problem, "trend", None)
    if trend is None or trend.kind == "none" or not (config.get("outputs") or {}).get("figures", True):
        return None
    try:
        from krigflow.plotting import write_trend_figure

        d = problem.data
        prop = f"log10 {config['property']}" if getattr(problem, "log", None) is not None else config["property"]
        return write_trend_figure(trend, d, os.path.join(folder or config["output"], "trend.png"),
                                  values=trend.restore(d.tvdss, d.values), prop=prop)
    except Exception as exc:  # noqa: BLE001 - figures never fail a run
        logger.warning("trend.png not written: %s", exc)
        return None


def versions() -> dict:
    """Return the versions of Python and of the packages that shape the results."""
    found = {"python": platform.python_version()}
    for dist in ("krigflow", "numpy", "scipy", "lasio", "stream-d4py", "mpi4py", "threadpoolctl"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def write_results(config, arrays, summary, *, problem=None, overwrite=False, summaries=None) -> None:
    """Write the results of a run into ``config["output"]``, in the one order every run uses.

    ``wells.npz`` (from ``problem``; without one, the caller has put it there), the configured formats and
    ``realizations.csv`` first, so that a run whose files cannot all be written fails without results; then
    ``stats.npz`` and ``summary.json`` (atomically); then the figures, which never fail the run.

    Parameters
    ----------
    config : dict
        Validated configuration (``output``, ``outputs``).
    arrays : dict
        :func:`final_arrays`.
    summary : dict
        :func:`make_summary`.
    problem : krigflow.run.Problem, optional
        For ``wells.npz``.
    overwrite : bool, default False
        Replace existing ``stats.npz``/``summary.json``.
    summaries : krigflow.stats.SummaryTable, optional
        Per-realization summaries, written to ``realizations.csv`` (without them, a ``realizations.csv``
        left by an earlier run is removed).

    Raises
    ------
    krigflow.io.OutputExistsError
        If results exist and ``overwrite`` is False (checked before any file is written).
    """
    check_output(config["output"], overwrite=overwrite)
    if problem is not None:
        write_run_files(config, arrays, summary, problem=problem)
    else:
        write_formats(config["output"], arrays, (config.get("outputs") or {}).get("formats", ["netcdf"]),
                      summary=summary)
    if summaries is not None:
        write_summaries(config["output"], summaries, summary)
    elif os.path.isfile(os.path.join(config["output"], REALIZATIONS_FILE)):
        os.remove(os.path.join(config["output"], REALIZATIONS_FILE))  # an earlier run's rows
    write_outputs(config["output"], arrays, summary, overwrite=overwrite)
    write_run_figures(config, arrays, summary)
    if problem is not None:
        write_trend_png(config, problem)


def finish(state, partials, *, write=True, overwrite=False) -> dict:
    """Last step of a run: merge this attempt's partials with the earlier ones and write the results.

    Parameters
    ----------
    state : krigflow.run.RunState
        From :func:`krigflow.run.prepare` (``config``, ``problem``, ``wells``, ``plan``, ``timings``).
    partials : sequence of krigflow.run.Partial
        This attempt's partials (any order).
    write : bool, default True
        Write the result files (:func:`write_results`).
    overwrite : bool, default False
        Without a plan (``state.plan`` None): replace existing results. With a plan, results of the same
        fingerprint (checked when planning) are always replaced.

    Returns
    -------
    dict
        ``state``: ``"complete"`` (every realization covered: ``arrays``, ``summary`` and ``summaries``
        (the :class:`krigflow.stats.SummaryTable` of realizations.csv, or None), files written),
        ``"already complete"`` (nothing to do) or ``"range"`` (the requested range is covered, other
        realizations are missing: partials only, no final files); ``summary`` with at least
        ``realizations_done``.

    Raises
    ------
    krigflow.io.CheckpointError
        If realizations are missing or computed twice.
    krigflow.exceptions.KrigflowError
        If no realization was computed.
    """
    config, plan = state.config, state.plan
    total = int(config["realizations"])
    fingerprint = None
    if plan is not None and plan.complete:
        return {"state": "already complete", "summary": {"realizations_done": total}}
    partials, plan = join_pieces(partials, plan, state.problem.grid.shape)  # blocks: one whole-grid partial
    if plan is not None:
        full, done = coverage(plan, partials, total)
        if not full:
            missing = np.setdiff1d(np.arange(total), done)
            return {
                "state": "range",
                "summary": {
                    "realizations_done": int(np.isin(plan.wanted, done).sum()),
                    "range": [int(plan.wanted[0]), int(plan.wanted[-1]) + 1],
                    "covered": int(done.size),
                    "missing": format_ranges(missing),
                },
            }
        partials = list(partials) + list(plan.prior)
        fingerprint, overwrite = plan.fingerprint, True
    arrays = final_arrays(partials, state.problem.grid, state.problem.realizations,
                          quantiles=state.problem.quantiles, consume=True)
    if state.problem.zones is not None:   # the corner-point geometry goes into stats.npz with the statistics
        arrays.update(state.problem.zones.sgrid.to_arrays())
    exact_seconds = None
    if exact_quantiles(state.problem) and (state.problem.quantiles or config.get("cutoffs")):
        start = time.perf_counter()
        arrays.update(exact_arrays(state.problem, config.get("cutoffs", ())))
        exact_seconds = time.perf_counter() - start
    timings = _timings(state, partials)
    if exact_seconds is not None:
        timings["exact_quantiles"] = exact_seconds
    summary = make_summary(config, state.wells, state.problem, partials, mapping=state.mapping,
                           timings=timings,
                           warnings=merge_warnings(state.warnings, *(getattr(p, "warnings", ()) for p in partials)))
    if fingerprint is not None:
        summary["fingerprint"] = fingerprint
    table = summaries_of(partials)   # none for a run in blocks
    if table is not None:
        summary["realization_summaries"] = summary_record(table)
    if write:
        write_results(config, arrays, summary, problem=state.problem, overwrite=overwrite, summaries=table)
    return {"state": "complete", "arrays": arrays, "summary": summary, "summaries": table}


def _timings(state, partials):
    seconds = [p.seconds for p in partials]
    return dict(state.timings, krige_sum=sum(seconds), krige_max=max(seconds, default=0.0),
                total=time.time() - (state.started or time.time()))


def end_run(state, partials, errors=(), *, name="StatsAccumulator") -> dict:
    """Finish a run unless it failed, write its status record, and return the record.

    Parameters
    ----------
    state : krigflow.run.RunState or None
        None if the run never got that far.
    partials : sequence of krigflow.run.Partial
    errors : sequence of krigflow.run.RunError
        Errors of earlier steps; an error of :func:`finish` is added.
    name : str, default "StatsAccumulator"
        The step that finishes (named in the error of :func:`finish`).

    Returns
    -------
    dict
        The status record (see :func:`status_record`), written to the request's ``status`` path (if any)
        and to ``<output>/status.json`` (unless another run holds the folder). The output folder's lock
        is released.
    """
    errors, result, found = list(errors), None, []
    try:
        state = hold_output(state)  # from another process: join the run's lock (taken over: refused)
    except KrigflowError as exc:
        errors.append(RunError.of(name, exc))
    owned = state is not None and state.lock is not None and state.lock.held
    with collect_warnings(found):
        if not errors and state is not None:
            try:
                result = finish(state, partials)
            except Exception as exc:  # noqa: BLE001 - becomes the run's status
                errors.append(RunError.of(name, exc))
    warnings = merge_warnings(state.warnings if state is not None else (), *(p.warnings for p in partials),
                              (result or {}).get("summary", {}).get("warnings"), found)
    status = status_record(state, result, errors, warnings)
    request = state.request if state is not None else None
    try:
        record_status(state, status, owned=owned)
    finally:
        release_output(state)
    if state is not None and state.progress is not None and not (request and request.run_id):
        clear_progress(state.progress.folder, state.progress.run_id)  # krigflow run (run_id) reads them to the end
    return status


def record_status(state, status, *, owned) -> None:
    """Write a status record to the request's ``status`` path (if any) and to ``<output>/status.json``.

    Parameters
    ----------
    state : krigflow.run.RunState or None
    status : dict
        From :func:`status_record`.
    owned : bool
        This run holds its output folder (:mod:`krigflow.run.lock`). If not (its config is invalid, or it
        was refused before it could take the folder), ``status.json`` is written only when no other run is
        live in the folder, whose record is never replaced.
    """
    request = state.request if state is not None else None
    if request is not None and request.status:
        _write_status(request.status, status)
    _write_folder_status(state, status, owned)


def _write_status(path, status):
    try:
        write_status(path, status)
    except OSError as exc:
        logger.error("cannot write the status record %s: %s", path, exc)


def _write_folder_status(state, status, owned):
    """``<output>/status.json``: written by the run that holds the folder, or, by a run that never took it
    (its config is invalid, or it was refused before), only if no other run is live there."""
    config = (state.config if state is not None else None) or {}
    output = config.get("output")
    if output is None and state is not None and state.request is not None and state.request.config:
        # the config is invalid: where would the run have written?
        output = config_output(state.request.config, DEFAULTS["output"])
        if output is None or not os.path.isdir(output):
            return
    if output is None:
        return
    path = os.path.join(output, STATUS_FILE)
    if owned:
        _write_status(path, status)
        return
    free = if_free(output)
    if free is None:
        logger.error("another run is live in %s: its status record %s is left as it is", output, path)
        return
    try:
        _write_status(path, status)
    finally:
        free.close()


def status_record(state, result, errors, warnings=()) -> dict:
    """The status record of a run: ``{"status": "ok"|"failed", "errors", "message", "warnings", ...}``.

    Errors are listed in pipeline order (:data:`STAGES`), then by message; ``warnings`` are the run's
    warnings, one line each (JSON-ready).
    """
    errors = sorted((e.to_dict() for e in errors), key=_stage)
    config = (state.config if state is not None else None) or {}
    request_id = state.request.run_id if state is not None and state.request is not None else None
    return {
        "status": "failed" if errors else "ok",
        "run_id": request_id or (state.run_id if state is not None else None),
        "output": config.get("output"),
        "errors": errors,
        "message": "; ".join(f"{e['pe']}: {e['message']}" for e in errors) or "ok",
        "realizations_done": result["summary"]["realizations_done"] if result else 0,
        "state": (result or {}).get("state"),
        "summary": {k: v for k, v in (result or {}).get("summary", {}).items() if k in _STATUS_KEYS},
        "warnings": list(warnings),
    }


def _stage(error) -> tuple:
    """Sort key putting error dicts in pipeline order, then by message."""
    name = error.get("pe", "")
    index = next((i for i, s in enumerate(STAGES) if name.endswith(s) or s in name), len(STAGES))
    return index, name, error.get("rank") or 0, error.get("message", "")
