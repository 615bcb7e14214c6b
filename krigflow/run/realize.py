"""Realizations of a run's problem as arrays, in property units (trend added back).

:func:`realization_values` is what every worker computes before folding the realizations into running
statistics; ``krigflow validate`` reads them at held-out cells. The problem's data are *residuals* (data
minus :attr:`Problem.trend`), so the realizations are residual fields to which the trend of each cell's
depth is added: estimates, realizations, quantiles and exceedance probabilities all include it.

With a well effect (``problem.well_effect`` = sigma_w**2 > 0, :mod:`krigflow.well_effect`) the data
covariance gains sigma_w**2 for pairs of one well; in conditional simulation every realization draws one
offset per data well (with the unconditional field at the data) and one for the new well the grid
stands for, added to the whole field, from the stream ``default_rng([seed, r, 1])``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["realization_values"]


def _restore(problem, batch):
    trend = getattr(problem, "trend", None)
    if trend is None or trend.kind == "none":
        return batch
    batch += trend.evaluate(problem.grid.tvdss)
    return batch


def realization_values(problem, indices) -> np.ndarray:
    """Compute realizations ``indices`` of a problem.

    Parameters
    ----------
    problem : krigflow.run.Problem
        The run's problem (data are residuals of ``problem.trend``).
    indices : sequence of int, shape (R,)
        Realization indices.

    Returns
    -------
    float64 array, shape (R, nx, ny, nz)
        Realizations in property units.
    """
    from krigflow.kriging import krige_grid
    from krigflow.realizations import conditional_realizations, subsample_masks

    indices = np.asarray(indices, dtype=np.int64)
    method = problem.method
    if getattr(problem, "zones", None) is not None:   # every zone on its simbox, copied to the corner-point cells
        return problem.zones.realizations(method, problem.seed, indices)
    sigma2 = float(getattr(problem, "well_effect", 0.0) or 0.0)
    extra = {"well_effect": sigma2} if sigma2 else {}
    if method["name"] == "conditional":
        batch = conditional_realizations(problem.grid, problem.variogram, problem.data, problem.seed, indices,
                                         mean=problem.mean, transform=problem.transform, **extra)
        return _restore(problem, batch)
    masks = subsample_masks(problem.seed, indices, problem.data.well, fraction=method["fraction"],
                            unit=method["unit"])
    batch = krige_grid(problem.grid, problem.variogram, problem.data, kind=problem.kind, mean=problem.mean,
                       masks=masks, **extra)
    return _restore(problem, batch)
