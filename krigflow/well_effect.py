"""The well effect: a constant offset per well, as a variance component.

Logs of one property read differently from well to well for reasons that have nothing to do with the rock:
the tool (ECGR vs GR), its calibration, open or cased hole. On the Poseidon wells about 40 % of the squared
cross-validation error is such a constant offset per well. The model (DOMAIN.md, "Well effect") is

    r(x) = w_well + e(x),    w ~ N(0, sigma_w**2) shared by every datum of one well, independent of e,

with ``e`` the stationary residual of the variogram. What krigflow predicts at a grid cell is the value a
*new* well would log there: ``w_new + e(x)`` with ``w_new`` independent of the data wells. Hence

* the covariance of two **data** gains ``sigma_w**2`` when they come from the same well, and the diagonal
  gains it once (a datum's own well is not counted twice);
* the covariance between a datum and a **target** does not change (a target is in no data well);
* the variance of a target is ``sill + sigma_w**2``: far from the data the kriging variance grows by the
  well-effect variance;
* in simulation every realization draws one offset per data well (to condition correctly) and one offset
  for the new well, added to the whole field.

:func:`estimate_well_effect` estimates ``sigma_w**2`` from the spread of the wells' mean residuals minus the
part of that spread the within-well variogram explains.
"""
from __future__ import annotations

import logging

import numpy as np
import scipy.linalg

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "add_well_effect",
    "draw_offsets",
    "estimate_well_effect",
    "krige_points_well_effect",
    "mean_variance_within",
    "well_effect_matrix",
]


def _check_variance(variance):
    try:
        variance = float(variance)
    except (TypeError, ValueError):
        raise ConfigError(f"well-effect variance must be a number >= 0, got {variance!r}")
    if not (np.isfinite(variance) and variance >= 0):
        raise ConfigError(f"well-effect variance must be a number >= 0, got {variance!r}")
    return variance


def well_effect_matrix(well_a, well_b, variance) -> np.ndarray:
    """The well-effect covariance between two sets of data: ``variance`` where the wells are equal.

    Parameters
    ----------
    well_a : int array, shape (m,)
        Well label of each datum of the first set; a negative label marks a target (in no data well).
    well_b : int array, shape (n,)
        Well labels of the second set.
    variance : float
        ``sigma_w**2`` (>= 0).

    Returns
    -------
    array, shape (m, n)

    Examples
    --------
    >>> well_effect_matrix([0, 0, 1, -1], [0, 1], 2.0).tolist()
    [[2.0, 0.0], [2.0, 0.0], [0.0, 2.0], [0.0, 0.0]]
    """
    variance = _check_variance(variance)
    a, b = np.asarray(well_a), np.asarray(well_b)
    same = (a[:, None] == b[None, :]) & (a[:, None] >= 0)
    return np.where(same, variance, 0.0)


def add_well_effect(cov, well, variance) -> np.ndarray:
    """Add the well effect to the covariance matrix of data, in place, and return it.

    Parameters
    ----------
    cov : array, shape (n, n)
        Covariance of the data under the variogram (diagonal: the sill).
    well : int array, shape (n,)
        Well label of each datum (>= 0).
    variance : float
        ``sigma_w**2``.

    Returns
    -------
    array, shape (n, n)
        ``cov`` with ``variance`` added to every pair of one well; the diagonal gets it once.

    Examples
    --------
    >>> add_well_effect(np.eye(3), [0, 0, 1], 0.5).tolist()
    [[1.5, 0.5, 0.0], [0.5, 1.5, 0.0], [0.0, 0.0, 1.5]]
    """
    variance = _check_variance(variance)
    if variance == 0.0:
        return cov
    well = np.asarray(well)
    if cov.shape != (well.size, well.size):
        raise ConfigError(f"add_well_effect: covariance of shape {cov.shape} for {well.size} data")
    labels, inverse = np.unique(well, return_inverse=True)
    for k in range(labels.size):
        idx = np.flatnonzero(inverse == k)
        cov[np.ix_(idx, idx)] += variance
    return cov


def mean_variance_within(variogram, easting, northing, tvdss) -> float:
    """Variance of the mean of one well's data under the variogram alone: ``mean(C(x_i - x_j))``.

    Parameters
    ----------
    variogram : krigflow.variogram.Variogram
    easting, northing, tvdss : array, shape (n,)
        Positions of one well's data (m).

    Returns
    -------
    float

    Examples
    --------
    >>> from krigflow.variogram import Variogram
    >>> v = Variogram("spherical", 1.0, 100.0, 10.0)
    >>> mean_variance_within(v, [0.0, 0.0], [0.0, 0.0], [0.0, 100.0])
    0.5
    """
    e, n, t = (np.asarray(a, dtype=float) for a in (easting, northing, tvdss))
    cov = variogram.covariance(e[:, None] - e[None, :], n[:, None] - n[None, :], t[:, None] - t[None, :])
    return float(np.mean(cov))


def estimate_well_effect(residuals, well, variogram, easting, northing, tvdss, *, min_wells=3) -> dict:
    """Estimate ``sigma_w**2`` from the spread of the wells' mean residuals.

    With ``r = w + e``, the mean residual of well k is ``w_k + mean(e over well k)``; its variance is
    ``sigma_w**2 + V_k`` with ``V_k`` the variance of the mean of ``e`` over the well's data
    (:func:`mean_variance_within`, from the within-well variogram, which well offsets do not affect). So

        sigma_w**2 = max(0, S**2 - mean_k V_k),

    ``S**2`` the sample variance (ddof=1) of the wells' mean residuals. Wells are assumed far enough
    apart that their means are uncorrelated (with correlated wells the estimate is low: conservative for
    the weights, not for the variance).

    Parameters
    ----------
    residuals : array, shape (n,)
        Residual of each datum (trend removed).
    well : int array, shape (n,)
        Well label of each datum.
    variogram : krigflow.variogram.Variogram
        Within-well (vertical) variogram of the residuals.
    easting, northing, tvdss : array, shape (n,)
        Positions of the data (m).
    min_wells : int, default 3
        Fewer wells: the estimate is 0 (a spread of two means says nothing).

    Returns
    -------
    dict
        ``variance`` (sigma_w**2), ``spread`` (S**2), ``explained`` (mean V_k), ``wells`` (the labels),
        ``means`` (each well's mean residual), JSON-ready.

    Examples
    --------
    >>> from krigflow.variogram import Variogram
    >>> v = Variogram("spherical", 1.0, 100.0, 10.0)
    >>> t = np.tile(np.arange(0.0, 1000.0, 10.0), 4)
    >>> w = np.repeat([0, 1, 2, 3], 100)
    >>> r = np.random.default_rng(1).normal(0, 1, t.size) + np.array([-3.0, -1.0, 1.0, 3.0])[w]
    >>> round(estimate_well_effect(r, w, v, 1000.0 * w, 0 * t, t)["variance"], 1)
    6.7
    """
    r = np.asarray(residuals, dtype=float)
    well = np.asarray(well)
    e, n, t = (np.asarray(a, dtype=float) for a in (easting, northing, tvdss))
    labels = np.unique(well)
    means = np.array([r[well == k].mean() for k in labels])
    explained = np.array([mean_variance_within(variogram, e[well == k], n[well == k], t[well == k])
                          for k in labels])
    if labels.size < max(int(min_wells), 2):
        spread = float("nan") if labels.size < 2 else float(np.var(means, ddof=1))
        return {"variance": 0.0, "spread": spread, "explained": float(np.mean(explained)),
                "wells": labels.tolist(), "means": means.tolist(),
                "note": f"{labels.size} well(s): too few to estimate a well effect"}
    spread = float(np.var(means, ddof=1))
    variance = max(0.0, spread - float(np.mean(explained)))
    return {"variance": variance, "spread": spread, "explained": float(np.mean(explained)),
            "wells": labels.tolist(), "means": means.tolist()}


def draw_offsets(rng, n_wells, variance) -> np.ndarray:
    """One offset per data well and one for a new well: ``n_wells + 1`` draws of N(0, variance).

    Parameters
    ----------
    rng : numpy.random.Generator
        The realization's generator.
    n_wells : int
        Number of data wells.
    variance : float
        ``sigma_w**2``.

    Returns
    -------
    array, shape (n_wells + 1,)
        Offsets of wells ``0 .. n_wells-1``, then the new well's (added to the whole field).

    Examples
    --------
    >>> draw_offsets(np.random.default_rng(0), 3, 4.0).shape
    (4,)
    """
    variance = _check_variance(variance)
    return np.sqrt(variance) * rng.standard_normal(int(n_wells) + 1)


def _covariance(variogram, a, b):
    return variogram.covariance(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1],
                                a[:, None, 2] - b[None, :, 2])


def krige_points_well_effect(variogram, coords, well, values, targets, variance, *, kind="simple",
                             mean=0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kriging at points with a well effect (dense; for validation and small problems).

    The data covariance is ``C + sigma_w**2 [same well]`` (:func:`add_well_effect`), the data-target
    covariance ``C`` and the target variance ``sill + sigma_w**2`` (a target is read by a new well).

    Parameters
    ----------
    variogram : krigflow.variogram.Variogram
    coords : array, shape (n, 3)
        Data positions (easting, northing, tvdss; m).
    well : int array, shape (n,)
        Well label of each datum.
    values : array, shape (n,)
    targets : array, shape (m, 3)
    variance : float
        ``sigma_w**2``.
    kind : {"simple", "ordinary"}, default "simple"
    mean : float, default 0
        Simple-kriging mean.

    Returns
    -------
    estimate, kriging_variance : arrays, shape (m,)
    weights : array, shape (n, m)

    Examples
    --------
    Far from the data the simple-kriging variance is the sill plus the well-effect variance:

    >>> from krigflow.variogram import Variogram
    >>> v = Variogram("spherical", 2.0, 100.0, 10.0)
    >>> c = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    >>> est, var, _ = krige_points_well_effect(v, c, [0, 0], [1.0, 2.0], np.array([[1e4, 0.0, 0.0]]), 0.5)
    >>> est.tolist(), var.tolist()
    ([0.0], [2.5])
    """
    if kind not in ("simple", "ordinary"):
        raise ConfigError(f"kriging kind must be 'simple' or 'ordinary', got {kind!r}")
    variance = _check_variance(variance)
    a = np.atleast_2d(np.asarray(coords, dtype=float))
    b = np.atleast_2d(np.asarray(targets, dtype=float))
    z = np.asarray(values, dtype=float)
    cov = add_well_effect(_covariance(variogram, a, a), well, variance)
    c0 = _covariance(variogram, a, b)
    n = z.size
    if kind == "simple":
        lam = scipy.linalg.cho_solve(scipy.linalg.cho_factor(cov, lower=True), c0)
        mu = np.zeros(b.shape[0])
        estimate = mean + lam.T @ (z - mean)
    else:
        system = np.zeros((n + 1, n + 1))
        system[:n, :n] = cov
        system[:n, n] = system[n, :n] = 1.0
        sol = scipy.linalg.solve(system, np.vstack([c0, np.ones((1, b.shape[0]))]), assume_a="sym")
        lam, mu = sol[:n], sol[n]
        estimate = lam.T @ z
    kv = variogram.sill + variance - np.einsum("ij,ij->j", lam, c0) - mu
    return estimate, np.maximum(kv, 0.0), lam
