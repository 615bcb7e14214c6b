"""The steps of a stochastic-kriging run, independent of dispel4py.

A run goes: validated config → :func:`load_inputs` (wells) → :func:`build_problem`
(grid, conditioning data, variogram...) → :func:`run_realizations` on chunks of
realization indices (:func:`realization_chunks`) → :func:`finalize` (merge the
partial statistics in a fixed order) → :func:`krigflow.io.atomic.write_outputs`.

:func:`run_local` does all of it in one process; the PEs of ``pes/`` call the
same functions, one step each, so that every dispel4py mapping gives the same
numbers as :func:`run_local`.

Realization ``r`` uses only ``numpy.random.default_rng([seed, r])`` (through
:func:`krigflow.realizations.conditional.subsample_masks`), so results do not depend on how
realizations are chunked or which worker computes them.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from dataclasses import dataclass
from importlib import metadata

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.conditioning import ConditioningData, upscale
from krigflow.grid import Grid
from krigflow.io import well_traces
from krigflow.kriging import krige_grid
from krigflow.realizations import conditional_realizations, subsample_masks
from krigflow.run.config import check_inputs
from krigflow.stats import HistogramSpec, RunningStats, uniform_edges
from krigflow.variogram import Variogram

logger = logging.getLogger(__name__)

__all__ = [
    "Problem",
    "Partial",
    "load_inputs",
    "build_problem",
    "realization_chunks",
    "run_realizations",
    "finalize",
    "describe_wells",
    "versions",
    "run_local",
    "compute_partial",
    "complete_run",
    "make_summary",
]


@dataclass(frozen=True)
class Problem:
    """Everything a worker needs to compute realizations (sent once to each worker).

    Parameters
    ----------
    grid : krigflow.grid.Grid
        The model grid.
    data : krigflow.conditioning.ConditioningData
        Upscaled conditioning data (n).
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    kind : {"ordinary", "simple"}
        Kriging kind.
    mean : float or None
        Mean for simple kriging (None with ordinary kriging).
    method : dict
        Stochastic method and its options (``{"name", "fraction", "unit"}``).
    seed : int
        Base seed: realization ``r`` uses ``default_rng([seed, r])``.
    realizations : int
        Number of realizations of the run.
    batch_size : int
        Realizations per chunk (see :func:`realization_chunks`).
    traces : dict or None
        Decimated well trajectories (:func:`krigflow.io.writers.well_traces`), for ``wells.npz`` and figures.
    transform : krigflow.realizations.transform.NormalScore or None
        Normal-score transform of the ``conditional`` method (``variogram`` is then the normal-score model).
    histogram : krigflow.stats.running.HistogramSpec or None
        Histogram bins and cutoffs, identical for every worker (see :func:`histogram_spec`).
    quantiles : tuple of float
        Per-cell quantiles (percent) written to ``stats.npz``.
    variogram_fit : dict or None
        Experimental variograms and the fitted model (``variogram: auto``), JSON-ready.
    field_dtype : str
        Precision of the ``conditional`` realization fields: ``"float32"`` from
        :data:`FLOAT32_CELLS` cells on (half the memory per field; statistics stay float64), else
        ``"float64"``.
    """

    grid: Grid
    data: ConditioningData
    variogram: Variogram
    kind: str
    mean: float | None
    method: dict
    seed: int
    realizations: int
    batch_size: int
    traces: dict | None = None
    transform: object = None
    histogram: HistogramSpec | None = None
    quantiles: tuple = ()
    variogram_fit: dict | None = None
    field_dtype: str = "float64"


#: Grid size from which ``conditional`` realizations are computed in float32 (see ``Problem.field_dtype``).
FLOAT32_CELLS = 1_000_000


def exact_quantiles(problem) -> bool:
    """True when the run's quantiles and exceedance probabilities come from the exact multi-Gaussian shortcut
    (``conditional`` with ``quantiles_from: exact``, the default) rather than from per-cell histograms."""
    method = problem.method if isinstance(problem, Problem) else problem
    return method["name"] == "conditional" and method.get("quantiles_from", "exact") == "exact"


@dataclass(frozen=True)
class Partial:
    """Statistics over a set of realizations (what one worker sends back).

    Parameters
    ----------
    indices : array of int, shape (k,)
        Realization indices covered, sorted.
    stats : krigflow.stats.running.RunningStats
        Per-cell statistics over those realizations.
    seconds : float
        Compute time spent on them.
    """

    indices: np.ndarray
    stats: RunningStats
    seconds: float = 0.0


def load_inputs(config) -> list:
    """Read and place every well of a run.

    Parameters
    ----------
    config : dict
        Validated configuration (:func:`krigflow.run.config.validate_config`).

    Returns
    -------
    list of krigflow.wells.well.Well
        One well per LAS file, in the order of ``config["las"]`` (expanded).

    Raises
    ------
    KrigflowError
        If an input file is missing, or if any LAS file cannot be read or
        placed. All files are tried first; the message names every file that
        failed and why.
    """
    from krigflow.wells import load_well, read_well_sources  # wells pulls in lasio: import only when reading

    paths = check_inputs(config)
    sources = read_well_sources(
        property=config["property"],
        well_headers=config["well_headers"],
        surveys=config["surveys"],
        name_map=config["name_map"],
        aliases={config["property"]: config["aliases"]} if config["aliases"] else None,
        crs=config["crs"],
    )
    wells, failures = [], []
    for path in paths:
        try:
            wells.append(load_well(path, sources))
        except Exception as exc:  # noqa: BLE001 - every failure is reported with its file
            failures.append(_name_file(path, exc))
    if failures:
        raise KrigflowError(f"{len(failures)} of {len(paths)} LAS file(s) failed: " + "; ".join(failures))
    logger.info("loaded %d wells", len(wells))
    return wells


def build_problem(wells, config) -> Problem:
    """Build the grid and the conditioning data of a run from its wells.

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
        The wells (any order: they are sorted by file path, then name, so the
        problem does not depend on the order they arrived in).
    config : dict
        Validated configuration.

    Returns
    -------
    Problem

    Raises
    ------
    KrigflowError
        If there are no wells, no valid sample, or no conditioning datum
        inside the grid.
    """
    if not wells:
        raise KrigflowError("no wells to model")
    wells = sorted(wells, key=lambda w: (w.path, w.name))
    names = tuple(w.name for w in wells)
    parts = [_valid_samples(w) for w in wells]
    easting, northing, tvdss, values = (np.concatenate([p[i] for p in parts]) for i in range(4))
    well = np.concatenate([np.full(p[0].size, i, dtype=np.int64) for i, p in enumerate(parts)])
    if values.size == 0:
        raise KrigflowError(
            f"property {config['property']!r}: no valid sample in any of the {len(wells)} wells"
        )
    grid_cfg = config["grid"]
    if grid_cfg["bounds"] is not None:
        grid = Grid.from_bounds(grid_cfg["bounds"], grid_cfg["spacing"])
    else:
        grid = Grid.around_points(easting, northing, tvdss, grid_cfg["spacing"], padding=grid_cfg["padding"])
    data = upscale(
        grid, easting, northing, tvdss, values, well, well_names=names, min_samples=config["min_samples"]
    )
    if data.n == 0:
        raise KrigflowError(
            f"no conditioning datum inside the grid (bounds {grid.bounds}); check grid.bounds"
        )
    unused = [names[i] for i in range(len(names)) if not np.any(data.well == i)]
    if unused:
        logger.warning("wells with no conditioning datum in the grid: %s", ", ".join(unused))
    kriging = config["kriging"]
    mean = kriging["mean"]
    kind = kriging["kind"]
    if kind == "simple" and mean is None:
        mean = float(np.mean(data.values))
    samples = _samples_in(grid, easting, northing, tvdss, values, well)
    variogram, transform, fit = _method_model(config, grid, data, samples)
    if config["method"]["name"] == "conditional":
        # conditioning by kriging: simple kriging of the residuals (mean 0 for normal scores)
        kind = "simple"
        if transform is not None:
            mean = 0.0
        elif mean is None:
            mean = float(np.mean(data.values))
    logger.info("grid %s, %d conditioning data from %d wells", grid.shape, data.n, len(wells))
    return Problem(
        grid=grid,
        data=data,
        variogram=variogram,
        kind=kind,
        mean=mean,
        method=dict(config["method"]),
        seed=config["seed"],
        realizations=config["realizations"],
        batch_size=config["batch_size"],
        traces=well_traces(wells),
        transform=transform,
        histogram=histogram_spec(config, data, variogram, transform, mean),
        quantiles=tuple(config.get("quantiles", ())),
        variogram_fit=fit,
        field_dtype="float32" if config["method"]["name"] == "conditional" and grid.n_cells >= FLOAT32_CELLS
        else "float64",
    )


def _samples_in(grid, easting, northing, tvdss, values, well):
    """The log samples inside the grid box (for variography)."""
    b = grid.bounds
    inside = ((easting >= b[0]) & (easting <= b[1]) & (northing >= b[2]) & (northing <= b[3])
              & (tvdss >= b[4]) & (tvdss <= b[5]))
    return tuple(a[inside] for a in (easting, northing, tvdss, values, well))


def _method_model(config, grid, data, samples):
    """Variogram used by the method, normal-score transform (conditional) and the fit record (auto).

    * ``conditional`` with ``transform: normal_score``: the transform table of the conditioning data; the
      variogram is that of the normal scores: fitted to the normal scores of the samples with the sill
      fixed at 1 (``auto``), or the configured model standardized (sill 1, nugget / sill, same ranges).
    * otherwise: the configured model, or the model fitted to the samples (``auto``).
    """
    from krigflow.realizations import NormalScore
    from krigflow.variogram import variogram_from_samples

    vg_cfg, method = config["variogram"], config["method"]
    transform = None
    if method["name"] == "conditional" and method.get("transform", "none") == "normal_score":
        transform = NormalScore.fit(data.values, tails=method["tails"], zmin=method["zmin"], zmax=method["zmax"])
    if vg_cfg["model"] != "auto":
        keys = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu")
        variogram = Variogram(**{k: vg_cfg[k] for k in keys if k in vg_cfg})
        if transform is not None:
            variogram = Variogram(variogram.model, 1.0, variogram.range_h, variogram.range_v,
                                  nugget=variogram.nugget / variogram.sill, range_h2=variogram.range_h2,
                                  azimuth=variogram.azimuth, nu=variogram.nu)
        return variogram, transform, None
    easting, northing, tvdss, values, well = samples
    if transform is not None:
        values = NormalScore.fit(values, tails="extrapolate").transform(values)
    result = variogram_from_samples(
        easting, northing, tvdss, values, well, spacing=grid.spacing, candidates=vg_cfg["candidates"],
        estimator=vg_cfg["estimator"], fit_nugget=vg_cfg["fit_nugget"], nugget=vg_cfg["nugget"],
        nu=vg_cfg["nu"], lag_h=vg_cfg["lag_h"], lag_v=vg_cfg["lag_v"], max_lag_h=vg_cfg["max_lag_h"],
        max_lag_v=vg_cfg["max_lag_v"], sill=1.0 if transform is not None else None)
    v = result.variogram
    model = {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h, "range_v": v.range_v,
             "nu": v.nu}
    fit = {"space": "normal_score" if transform is not None else "property", "model": model,
           "experimental": [{"direction": ev.direction, "lag": ev.lags.tolist(), "gamma": ev.gamma.tolist(),
                             "pairs": ev.pairs.tolist(), "estimator": ev.estimator}
                            for ev in result.experimental],
           **result.describe()}
    logger.info("variogram fitted (%s space): %s", fit["space"], v)
    return v, transform, fit


def histogram_spec(config, data, variogram, transform, mean) -> HistogramSpec:
    """Histogram bins and cutoffs of a run, derived once from the problem (identical in every worker).

    Edges: ``histogram_range`` if given, else a range that holds (nearly) every realization value:
    the back-transform bounds (``zmin``/``zmax``) for normal scores, ``mean +- 5 sqrt(sill)`` and the data
    range for a Gaussian ``conditional`` run, the data range widened by 5 % for ``subsample`` (kriging
    stays near the data). ``histogram_bins`` uniform bins, plus the under/overflow bins of
    :class:`krigflow.stats.running.HistogramSpec`. Per-cell histograms only when quantiles are asked for.
    """
    bins = int(config.get("histogram_bins", 100))
    low, high = float(np.min(data.values)), float(np.max(data.values))
    if config.get("histogram_range") is not None:
        low, high = config["histogram_range"]
    else:
        if config["method"]["name"] == "conditional":
            if transform is not None:
                t_low, t_high = transform.value_range(5.0)
                low, high = min(low, t_low), max(high, t_high)
            else:
                half = 5.0 * np.sqrt(variogram.sill)
                low, high = min(low, mean - half), max(high, mean + half)
        else:
            pad = 0.05 * (high - low)
            low, high = low - pad, high + pad
        if not high > low:
            low, high = low - 1.0, high + 1.0
    exact = exact_quantiles(config["method"])     # quantiles and P(> cutoff) from the shortcut instead
    return HistogramSpec(uniform_edges(low, high, bins), cutoffs=() if exact else tuple(config.get("cutoffs", ())),
                         cell_histograms=bool(config.get("quantiles")) and not exact,
                         max_count=max(int(config["realizations"]), 1))


def realization_chunks(realizations, batch_size) -> list:
    """Split realization indices ``0 .. realizations-1`` into consecutive chunks.

    Parameters
    ----------
    realizations : int
        Number of realizations.
    batch_size : int
        Chunk length (the last chunk may be shorter).

    Returns
    -------
    list of list of int

    Examples
    --------
    >>> realization_chunks(5, 2)
    [[0, 1], [2, 3], [4]]
    """
    return [
        list(range(start, min(start + batch_size, realizations)))
        for start in range(0, realizations, batch_size)
    ]


def run_realizations(problem, indices) -> RunningStats:
    """Compute realizations and return their per-cell statistics.

    All realizations of ``indices`` are kriged with one
    :func:`krigflow.kriging.krige_grid` call (one column of data masks each).

    Parameters
    ----------
    problem : Problem
        The run's problem.
    indices : sequence of int, shape (R,)
        Realization indices.

    Returns
    -------
    krigflow.stats.running.RunningStats
        Statistics over the ``R`` realizations.
    """
    indices = np.asarray(indices, dtype=np.int64)
    method = problem.method
    if method["name"] == "conditional":
        batch = conditional_realizations(problem.grid, problem.variogram, problem.data, problem.seed, indices,
                                         mean=problem.mean, transform=problem.transform,
                                         dtype=np.dtype(problem.field_dtype))
        return RunningStats.from_batch(batch, problem.histogram)
    masks = subsample_masks(
        problem.seed, indices, problem.data.well, fraction=method["fraction"], unit=method["unit"]
    )
    batch = krige_grid(
        problem.grid, problem.variogram, problem.data, kind=problem.kind, mean=problem.mean, masks=masks
    )
    return RunningStats.from_batch(batch, problem.histogram)


def compute_partial(problem, chunks) -> Partial:
    """Compute several chunks of realizations and fold them into one :class:`Partial`.

    Parameters
    ----------
    problem : Problem
    chunks : sequence of sequence of int
        Chunks of realization indices (e.g. from :func:`realization_chunks`).

    Returns
    -------
    Partial
    """
    start = time.perf_counter()
    stats = RunningStats.empty(problem.grid.shape)
    done = []
    for chunk in sorted(chunks, key=min):
        stats.merge_in_place(run_realizations(problem, chunk))      # no second copy of the accumulator
        done.extend(chunk)
    return Partial(
        indices=np.sort(np.asarray(done, dtype=np.int64)), stats=stats, seconds=time.perf_counter() - start
    )


def finalize(partials, grid, realizations=None, quantiles=(10.0, 50.0, 90.0)) -> dict:
    """Merge partial statistics in a fixed order and return the output arrays.

    Parameters
    ----------
    partials : sequence of Partial
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
        :meth:`krigflow.stats.running.RunningStats.output_arrays`).

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
    stats = RunningStats.empty(partials[0].stats.shape)
    for partial in partials:
        stats.merge_in_place(partial.stats)        # one accumulator besides the partials
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


def describe_wells(wells, data=None) -> list:
    """Return a JSON-ready summary of the wells used (name, file, curve, sources, data count)."""
    out = []
    for i, w in enumerate(sorted(wells, key=lambda w: (w.path, w.name))):
        item = {
            "name": w.name,
            "path": w.path,
            "curve": w.curve,
            "unit": w.unit,
            "location_source": w.location_source,
            "survey_source": w.survey_source,
            "n_samples": int(np.sum(np.isfinite(np.asarray(w.values, dtype=float)))),
            "warnings": list(w.warnings),
        }
        if data is not None:
            item["n_data"] = int(np.sum(data.well == i))
        out.append(item)
    return out


def versions() -> dict:
    """Return the versions of Python and of the packages that shape the results."""
    found = {"python": platform.python_version()}
    for dist in ("krigflow", "numpy", "scipy", "lasio", "stream-d4py", "mpi4py", "threadpoolctl"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def run_local(config, *, overwrite=False, write=True, wells=None) -> dict:
    """Run a whole stochastic-kriging job in this process (no dispel4py).

    Parameters
    ----------
    config : dict
        Validated configuration.
    overwrite : bool, default False
        Replace existing outputs in ``config["output"]``.
    write : bool, default True
        Write ``stats.npz`` and ``summary.json``; if False only return them.
    wells : sequence of krigflow.wells.well.Well, optional
        Use these wells instead of reading ``config["las"]``.

    Returns
    -------
    dict
        ``{"arrays": <finalize() result>, "summary": <summary dict>}``.

    Raises
    ------
    KrigflowError
        On bad inputs, or if the output exists and ``overwrite`` is False.
    """
    from krigflow.io import check_output

    started = time.perf_counter()
    if write:
        check_output(config["output"], overwrite=overwrite)
    wells = load_inputs(config) if wells is None else list(wells)
    t_load = time.perf_counter()
    problem = build_problem(wells, config)
    t_problem = time.perf_counter()
    partial = compute_partial(problem, realization_chunks(problem.realizations, problem.batch_size))
    timings = {
        "load_inputs": t_load - started,
        "build_problem": t_problem - t_load,
        "krige": partial.seconds,
        "total": time.perf_counter() - started,
    }
    return complete_run(
        config,
        problem,
        describe_wells(wells, problem.data),
        [partial],
        mapping="local",
        timings=timings,
        overwrite=overwrite,
        write=write,
    )


def complete_run(
    config, problem, wells_info, partials, *, mapping, timings, overwrite=False, write=True, fingerprint=None
) -> dict:
    """Merge the partials, build the summary and write the outputs (the last step of a run).

    Parameters
    ----------
    config : dict
        Validated configuration.
    problem : Problem
        The run's problem.
    wells_info : list of dict
        :func:`describe_wells` of the wells used.
    partials : sequence of Partial
        Partial statistics from all workers (any order).
    mapping : str
        How the run was executed (recorded in the summary).
    timings : dict of str to float
        Seconds spent per step (recorded in the summary).
    overwrite : bool, default False
        Replace existing outputs.
    write : bool, default True
        Write ``stats.npz`` and ``summary.json`` into ``config["output"]``.
    fingerprint : dict, optional
        The run's fingerprint (:func:`krigflow.run.checkpoint.make_fingerprint`), recorded in the summary
        so that a later run can tell whether these results are its own.

    Returns
    -------
    dict
        ``{"arrays": <finalize() result>, "summary": <summary dict>}``.

    Raises
    ------
    KrigflowError
        If realizations are missing, or the output exists and ``overwrite`` is False.
    """
    from krigflow.io import write_outputs

    arrays = finalize(partials, problem.grid, problem.realizations, quantiles=problem.quantiles)
    if exact_quantiles(problem) and (problem.quantiles or config.get("cutoffs")):
        arrays.update(exact_arrays(problem, config.get("cutoffs", ())))
    summary = make_summary(config, wells_info, problem, partials, mapping=mapping, timings=timings)
    if fingerprint is not None:
        summary["fingerprint"] = fingerprint
    if write:
        from krigflow.io import check_output, write_run_files
        from krigflow.plotting import write_run_figures

        check_output(config["output"], overwrite=overwrite)  # before any result file is replaced
        write_run_files(config, arrays, summary, problem=problem)  # wells.npz, stats.nc...: fail first
        write_outputs(config["output"], arrays, summary, overwrite=overwrite)
        write_run_figures(config, arrays, summary)  # never fails the run
    return {"arrays": arrays, "summary": summary}


def exact_arrays(problem, cutoffs) -> dict:
    """``p<q>`` and ``prob_gt_<cutoff>`` of a ``conditional`` run from the multi-Gaussian shortcut.

    The simple-kriging mean and variance of the normal scores at every cell
    (:func:`krigflow.stats.gaussian.exact_outputs`), back-transformed: exact, no per-cell histograms.
    Arrays are float32 when the realizations are (field scale), else float64.
    """
    from krigflow.stats.gaussian import exact_outputs

    start = time.perf_counter()
    arrays = exact_outputs(problem.grid, problem.variogram, problem.data, transform=problem.transform,
                           mean=problem.mean, quantiles=problem.quantiles, cutoffs=tuple(cutoffs),
                           dtype=np.dtype(problem.field_dtype))
    logger.info("exact quantiles and exceedance probabilities: %.1f s", time.perf_counter() - start)
    return arrays


def make_summary(config, wells_info, problem, partials, *, mapping, timings) -> dict:
    """Return the JSON-ready run summary written to ``summary.json``."""
    return {
        "status": "ok",
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


def _valid_samples(well):
    arrays = [np.asarray(a, dtype=float) for a in (well.easting, well.northing, well.tvdss, well.values)]
    ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    return [a[ok] for a in arrays]


def _name_file(path, exc):
    """One line naming the file and the cause of a failure."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    name = os.path.basename(path)
    if name not in message:
        message = f"{name}: {message}"
    if not isinstance(exc, KrigflowError):
        message = f"{message} ({type(exc).__name__})"
    return message
