"""Exact per-cell quantiles and exceedance probabilities of a zoned ``conditional`` run.

Each zone is simulated on its simbox by conditioning by *simple* kriging (with the zone's well-effect variance)
of the simulated variable ``y`` (normal scores of its residuals, or the residuals)
(:func:`krigflow.zones.model.zone_realizations`): ``s = u + SK(y - u(x_data))``. At a cell,
``s(x) - SK*(y)(x) = u(x) - SK*(u(x_data))(x)`` is Gaussian with mean 0 and the simple-kriging variance and
does not depend on the data, so the cell's distribution is ``N(SK*(y)(x), sigma_SK^2(x))``; back-transformed with the zone's transform and with the zone's trend in stratigraphic
position added, it is exactly what the realizations sample (:class:`krigflow.stats.GaussianQuantiles`,
trend one value per layer). The per-zone arrays are copied back to the corner-point cells
(:meth:`krigflow.zones.stratigraphic.StratigraphicGrid.from_zone_values`; NaN in inactive cells).
"""
from __future__ import annotations

import os

import numpy as np

from krigflow.stats import GaussianQuantiles, cutoff_name, default_max_data, quantile_name, sk_moments

__all__ = ["zone_gaussian", "zoned_exact_outputs"]


def zone_gaussian(problem, *, threads=1) -> GaussianQuantiles:
    """Per-cell conditional distributions of one zone's simbox (see the module docstring).

    Parameters
    ----------
    problem : krigflow.zones.model.ZoneProblem
        The zone (simbox grid, residual data, variogram of the normal scores, transform, trend).
    threads : int, default 1
        Threads of the neighbourhood variance (large simboxes only).

    Returns
    -------
    krigflow.stats.GaussianQuantiles
        Simple-kriging mean and standard deviation of the simulated variable, the zone's transform, its trend
        per layer.
    """
    values = np.asarray(problem.data.values, dtype=np.float64)
    if problem.transform is not None:
        values = problem.transform.transform(values)
    max_data = default_max_data(problem.grid.n_cells, values.size)
    extra = {"well_effect": problem.well_effect} if problem.well_effect else {}
    mean, std = sk_moments(problem.grid, problem.variogram, problem.data, values=values, mean=problem.mean,
                           kind="simple", max_data=max_data, threads=threads, **extra)
    trend = np.asarray(problem.trend_of_layers(), dtype=np.float64).reshape(1, 1, -1)
    return GaussianQuantiles(mean, std, problem.transform, trend)


def zoned_exact_outputs(sgrid, problems, *, quantiles=(), cutoffs=(), dtype=np.float64, threads=None) -> dict:
    """``p<q>`` and ``prob_gt_<cutoff>`` of a zoned conditional run on the corner-point cells.

    Parameters
    ----------
    sgrid : krigflow.zones.StratigraphicGrid
    problems : sequence of krigflow.zones.model.ZoneProblem
        One per zone.
    quantiles : sequence of float
        Percent.
    cutoffs : sequence of float
        Property units.
    dtype : numpy dtype, default float64
    threads : int, optional
        Default: the cores this process may use.

    Returns
    -------
    dict of str to array, shape (ncol, nrow, nk)
        NaN in inactive cells (as the statistics of the realizations).
    """
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    zones = [zone_gaussian(p, threads=threads) for p in problems]
    out = {}
    for q in quantiles:
        out[quantile_name(q)] = sgrid.from_zone_values([g.quantile(float(q) / 100.0) for g in zones]).astype(dtype)
    for c in cutoffs:
        out[cutoff_name(c)] = sgrid.from_zone_values([g.exceedance(c) for g in zones]).astype(dtype)
    return out
