"""Regenerate realizations of a run exactly, on demand, without having stored them.

Realization ``r`` depends only on the problem (grid, conditioning data, variogram, method) and on
``numpy.random.default_rng([seed, r])``, so it can be recomputed at any time with the same numbers as
the run folded into its statistics (same code path: :func:`realization_fields` is what every worker calls
per chunk). :func:`realization` returns one as an ``xarray.DataArray``; :func:`check_run` refuses a config
that no longer matches the finished run it is meant to reproduce (its fingerprint in ``summary.json``).
"""
from __future__ import annotations

import json
import logging
import os

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.kriging import krige_grid
from krigflow.realizations import conditional_realizations, residual_engine, subsample_masks

logger = logging.getLogger(__name__)

__all__ = ["realization_values", "realization_fields", "realization", "iter_realizations", "open_realizations", "realization_of",
           "to_dataarray", "check_run",
           "parse_realizations", "run_engine"]


def run_engine(problem, index, chunks=None):
    """Residual-kriging engine the run used for realization ``index`` (``conditional`` method only).

    The conditional method picks its engine from the number of realizations kriged together
    (:func:`krigflow.realizations.residual_engine`); engines agree to about 1e-14 relative, and
    choosing the run's one makes the regenerated realization equal to the run's to the last bits.

    Parameters
    ----------
    problem : krigflow.run.Problem
    index : int
    chunks : sequence of sequence of int, optional
        Chunks the run computed; default consecutive chunks of ``problem.batch_size`` over
        ``0 .. problem.realizations - 1``.

    Returns
    -------
    str or None
        ``"columns"`` or ``"fft"``; None for the subsample method.
    """
    if problem.method["name"] != "conditional" or getattr(problem, "zones", None) is not None:
        return None
    if chunks is None:
        start = (int(index) // problem.batch_size) * problem.batch_size
        size = min(problem.batch_size, max(problem.realizations - start, 1))
    else:
        size = next((len(c) for c in chunks if int(index) in set(int(i) for i in c)), problem.batch_size)
    return residual_engine(problem.grid.shape, np.asarray(problem.data.cells), size)


def _restore(problem, batch):
    """Add the trend of each cell's depth back to residual realizations (no trend: unchanged), then, in a
    log10 run (:mod:`krigflow.run.log_space`), take ``10 **`` of the result (in place)."""
    trend = getattr(problem, "trend", None)
    if trend is not None and trend.kind != "none":
        batch += trend.evaluate(problem.grid.tvdss)
    return _back(problem, batch)


def _back(problem, batch):
    """``10 ** batch`` in place for a log10 run; the batch unchanged otherwise."""
    log = getattr(problem, "log", None)
    if log is not None:
        for field in batch:                   # one realization at a time: no full-size temporary
            log.back_transform(field, out=field)
    return batch


def realization_values(problem, indices, *, method="auto", cache=None) -> np.ndarray:
    """Compute realizations ``indices`` of a problem, in property units (trend added back).

    What every worker computes before folding the realizations into running statistics and summaries;
    ``krigflow validate`` reads them at held-out cells and ``krigflow realize`` writes them. The problem's data
    are *residuals* (data minus :attr:`Problem.trend`), so the realizations are residual fields to which the
    trend of each cell's depth is added (in a log10 run, :mod:`krigflow.run.log_space`, all this is in log10
    units and the result is ``10 **`` of it). With a well effect (``problem.well_effect`` = sigma_w**2 > 0,
    :mod:`krigflow.well_effect`) the data covariance gains sigma_w**2 for pairs of one well; in conditional
    simulation every realization draws one offset per data well and one for the new well the grid stands
    for, from the stream ``default_rng([seed, r, 1])``.

    Parameters
    ----------
    problem : krigflow.run.Problem
        The run's problem.
    indices : sequence of int, shape (R,)
        Realization indices.
    method : str, default "auto"
        Residual-kriging engine of the conditional method (see :func:`run_engine`).
    cache : dict, optional
        A dict owned by the caller (a worker computing several chunks of one problem): the float32 field
        generator keeps its spectrum there between chunks (:func:`krigflow.realizations.conditional_realizations`;
        at 20 M cells it costs about two realizations' time to compute). Same numbers with or without.

    Returns
    -------
    float64 array, shape (R, nx, ny, nz)
        Realizations in property units.
    """
    indices = np.atleast_1d(np.asarray(indices, dtype=np.int64))
    spec = problem.method
    if getattr(problem, "zones", None) is not None:   # every zone on its simbox, copied back to the cells
        return _back(problem, problem.zones.realizations(spec, problem.seed, indices))
    sigma2 = float(getattr(problem, "well_effect", 0.0) or 0.0)
    extra = {"well_effect": sigma2} if sigma2 else {}
    if spec["name"] == "conditional":
        extra["dtype"] = np.dtype(getattr(problem, "field_dtype", "float64"))     # float32 at field scale
        extra["cache"] = cache
        batch = conditional_realizations(problem.grid, problem.variogram, problem.data, problem.seed, indices,
                                         mean=problem.mean, transform=problem.transform, method=method, **extra)
        return _restore(problem, batch)
    masks = subsample_masks(problem.seed, indices, problem.data.well, fraction=spec["fraction"], unit=spec["unit"])
    batch = krige_grid(problem.grid, problem.variogram, problem.data, kind=problem.kind, mean=problem.mean,
                       masks=masks, **extra)
    return _restore(problem, batch)


def realization_fields(problem, indices, *, method="auto", cache=None) -> np.ndarray:
    """Alias of :func:`realization_values` (the arrays the run folds into its statistics)."""
    return realization_values(problem, indices, method=method, cache=cache)


def to_dataarray(field, grid, *, realization, name="property", unit="", attrs=None):
    """Wrap one realization as an ``xarray.DataArray`` on the grid's cell centres.

    Parameters
    ----------
    field : array, shape (nx, ny, nz)
    grid : krigflow.grid.Grid
    realization : int
        Its index (``attrs["realization"]``).
    name : str
        Property name (the DataArray's name).
    unit : str
        Unit (``attrs["units"]``).
    attrs : dict, optional
        More attributes.

    Returns
    -------
    xarray.DataArray
        Dims ``(easting, northing, tvdss)`` with the cell-centre coordinates (m; tvdss positive down).
    """
    import xarray as xr  # results as data: xarray is needed only here

    coords = {axis: (axis, getattr(grid, axis), {"units": "m", "long_name": f"cell centre {axis}"})
              for axis in ("easting", "northing", "tvdss")}
    coords["tvdss"][2]["positive"] = "down"
    return xr.DataArray(np.asarray(field, dtype=np.float64), dims=("easting", "northing", "tvdss"), coords=coords,
                        name=name, attrs={"units": unit, "realization": int(realization), **(attrs or {})})


def _problem(config, wells):
    from krigflow.run.problem import build_problem, load_inputs

    wells = load_inputs(config) if wells is None else list(wells)
    return build_problem(wells, config), wells


def _config(config):
    from krigflow.run.config import load_config

    if isinstance(config, (str, os.PathLike)):
        return load_config(config)
    return config


def _check_indices(indices, total):
    indices = [int(r) for r in indices]
    bad = [r for r in indices if not 0 <= r < total]
    if bad:
        raise KrigflowError(f"realization(s) {bad[:10]} not in the run (it has realizations 0..{total - 1})")
    return indices


def open_realizations(config, *, wells=None, run_dir=None) -> tuple:
    """Build the problem of a run once, to regenerate its realizations (:func:`realization_of`).

    Parameters
    ----------
    config : str, os.PathLike or dict
        Run configuration file, or a validated configuration.
    wells : sequence of krigflow.wells.well.Well, optional
    run_dir : str, optional
        A finished run's output folder to check the configuration against (:func:`check_run`).

    Returns
    -------
    config : dict
        The validated configuration.
    problem : krigflow.run.Problem
    unit : str
        The property's unit (most common among the wells).
    """
    config = _config(config)
    problem, wells = _problem(config, wells)
    if run_dir is not None:
        check_run(run_dir, config, problem)
    units = [w.unit for w in wells if getattr(w, "unit", None)]
    return config, problem, (max(set(units), key=units.count) if units else "")


def realization_of(problem, r, *, name="property", unit=""):
    """Realization ``r`` of a problem as an ``xarray.DataArray`` (see :func:`realization`)."""
    field = realization_fields(problem, [r], method=run_engine(problem, r) or "auto")[0]
    attrs = {"seed": int(problem.seed), "method": problem.method["name"]}
    return to_dataarray(field, problem.grid, realization=r, name=name, unit=unit, attrs=attrs)


def iter_realizations(config, indices, *, wells=None, run_dir=None):
    """Regenerate several realizations of a run, one at a time (the problem is built once).

    Parameters
    ----------
    config : str, os.PathLike or dict
        Run configuration file, or a validated configuration.
    indices : iterable of int
        Realization indices (``0 <= r < realizations``).
    wells : sequence of krigflow.wells.well.Well, optional
        Use these wells instead of reading ``config["las"]``.
    run_dir : str, optional
        A finished run's output folder to check the configuration against (:func:`check_run`).

    Yields
    ------
    xarray.DataArray
        One realization per index, in the order given.

    Raises
    ------
    KrigflowError
        An index outside the run, or a configuration that differs from the run's (``run_dir``).
    """
    config = _config(config)
    indices = _check_indices(indices, int(config["realizations"]))
    config, problem, unit = open_realizations(config, wells=wells, run_dir=run_dir)
    for r in indices:
        yield realization_of(problem, r, name=config["property"], unit=unit)


def realization(config, r, *, wells=None, run_dir=None):
    """Regenerate realization ``r`` of a run as an ``xarray.DataArray``.

    The same numbers as the run folded into its statistics (realization ``r`` depends only on the
    problem and ``default_rng([seed, r])``).

    Parameters
    ----------
    config : str, os.PathLike or dict
        Run configuration file, or a validated configuration.
    r : int
        Realization index (``0 <= r < realizations``).
    wells : sequence of krigflow.wells.well.Well, optional
        Use these wells instead of reading ``config["las"]``.
    run_dir : str, optional
        Check the configuration against this finished run first (:func:`check_run`).

    Returns
    -------
    xarray.DataArray
        Dims ``(easting, northing, tvdss)``, named after the property; ``attrs``: ``units``,
        ``realization``, ``seed``, ``method``.

    Raises
    ------
    KrigflowError
        ``r`` outside the run, bad inputs, or a configuration that differs from the run's.
    """
    return next(iter_realizations(config, [r], wells=wells, run_dir=run_dir))


def check_run(run_dir, config, problem) -> dict:
    """Refuse to regenerate realizations of a run whose configuration or data changed since.

    Parameters
    ----------
    run_dir : str
        Output folder of the finished run (holds ``summary.json``).
    config : dict
        Validated configuration used now.
    problem : krigflow.run.Problem
        Problem built from it now.

    Returns
    -------
    dict
        The run's ``summary.json``.

    Raises
    ------
    KrigflowError
        No ``summary.json``, or its fingerprint differs from this configuration's (the differences are
        listed: config keys, data hash, numerics version).
    """
    from krigflow.run.fingerprint import config_fingerprint, fingerprint_differences, make_fingerprint

    path = os.path.join(run_dir, "summary.json")
    try:
        with open(path, encoding="utf-8") as fh:
            summary = json.load(fh)
    except FileNotFoundError:
        raise KrigflowError(f"{run_dir}: no summary.json (is this the output folder of a finished run?)") from None
    except (OSError, ValueError) as exc:
        raise KrigflowError(f"{path}: cannot be read ({exc})") from exc
    found = summary.get("fingerprint")
    if found is None:
        # results of run_local carry no fingerprint: compare the configuration only
        found = {"config": config_fingerprint(summary.get("config") or {})}
        expected = {"config": config_fingerprint(config)}
    else:
        expected = make_fingerprint(config, problem)
    differences = fingerprint_differences(expected, found)
    if differences:
        raise KrigflowError(f"{run_dir}: this configuration does not reproduce that run: " + "; ".join(differences))
    return summary


def parse_realizations(text, total=None) -> list:
    """Parse a selection of realizations: ``3,17,42``, ``A:B`` (B excluded), or a mix ``0:3,10``.

    Parameters
    ----------
    text : str
    total : int, optional
        Number of realizations of the run (``A:`` means ``A:total``).

    Returns
    -------
    list of int
        Unique indices, in the order first given.

    Raises
    ------
    KrigflowError
        Not numbers, an empty or reversed range, or an open range without ``total``.

    Examples
    --------
    >>> parse_realizations("3,17,42"), parse_realizations("4:7"), parse_realizations("8:,0", total=10)
    ([3, 17, 42], [4, 5, 6], [8, 9, 0])
    """
    out = []
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            continue
        a, colon, b = part.partition(":")
        if colon and not b.strip():
            if total is None:
                raise KrigflowError(f"realizations {part!r}: an open range needs the run's total")
            b = str(total)
        try:
            a = int(a) if (a.strip() or not colon) else 0
            b = int(b) if colon else None
        except ValueError:
            raise KrigflowError(f"realizations: expected comma-separated indices or A:B ranges, got {text!r}") from None
        if a < 0 or (colon and b <= a):
            raise KrigflowError(f"realizations {part!r}: expected an index >= 0, or A:B with 0 <= A < B")
        out.extend(range(a, b) if colon else [a])
    if not out:
        raise KrigflowError(f"realizations: no index in {text!r}")
    return list(dict.fromkeys(out))
