"""Dual kriging weights and point kriging: the linear algebra shared by every engine.

Dual form. For realization ``r`` the data with ``masks[:, r]`` True are used; the covariance matrix of
those data is Cholesky-factorized (``scipy.linalg.cho_factor``) and the dual weights are

* simple kriging:    ``w = C^-1 (z - m)``, constant ``beta = m``;
* ordinary kriging:  ``w = C^-1 (z - beta 1)`` with ``beta = 1' C^-1 z / 1' C^-1 1`` (Schur complement
  of the bordered system), so that ``1' w = 0``.

Left-out data get weight 0, so every realization's estimate is ``K @ W[:, r] + beta[r]`` where ``K`` is the
covariance between the targets and *all* n data (see :mod:`krigflow.kriging.grid_engines`).
:func:`krige_points` solves the primal system at arbitrary points (validation, small problems).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from krigflow._validate import check_choice
from krigflow.exceptions import KrigingError

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_CHUNK_BYTES", "KINDS", "KrigingResult", "dual_weights", "krige_points"]

#: Default bound on the covariance block held at once by the chunked engines (bytes).
DEFAULT_CHUNK_BYTES = 64 * 2**20

#: Kriging types (``kind`` argument; the run config's ``kriging.kind``).
KINDS = ("ordinary", "simple")


@dataclass(frozen=True)
class KrigingResult:
    """Kriging estimates at points, with variances and optionally weights.

    Parameters
    ----------
    estimate : array, shape (m,)
        Kriging estimate at each point.
    variance : array, shape (m,)
        Kriging variance at each point (0 at the data, up to rounding).
    weights : array, shape (m, n) or None
        Kriging weights of the n data for each point (if requested).
    lagrange : array, shape (m,) or None
        Lagrange multiplier of ordinary kriging (if weights were requested; zeros for simple kriging).
    """

    estimate: np.ndarray
    variance: np.ndarray
    weights: np.ndarray | None = None
    lagrange: np.ndarray | None = None


def _check_kind(kind, mean):
    check_choice(kind, "kriging kind", KINDS, error=KrigingError)
    if kind == "simple":
        if mean is None or not np.isfinite(float(mean)):
            raise KrigingError(f"simple kriging needs a finite mean, got mean={mean!r}")
        return float(mean)
    return None


def _data_arrays(data):
    coords = np.stack([np.asarray(data.easting, float), np.asarray(data.northing, float),
                       np.asarray(data.tvdss, float)], axis=1)
    values = np.asarray(data.values, dtype=float)
    if coords.shape[0] != values.shape[0] or not np.all(np.isfinite(coords)) or not np.all(np.isfinite(values)):
        raise KrigingError("conditioning data must have finite easting, northing, tvdss and values of one length")
    return coords, values


def _scaled_coordinates(variogram, coords):
    """Coordinates in which Euclidean distance is the variogram's normalized (anisotropic) lag."""
    theta = np.deg2rad(variogram.azimuth)
    major = coords[:, 0] * np.sin(theta) + coords[:, 1] * np.cos(theta)
    minor = coords[:, 0] * np.cos(theta) - coords[:, 1] * np.sin(theta)
    return np.stack([major / variogram.range_h, minor / variogram.range_h2, coords[:, 2] / variogram.range_v], 1)


def _covariance_scaled(variogram, sa, sb, out, tmp):
    """Covariance between scaled point sets (m, 3) and (n, 3), computed in place in ``out`` (m, n)."""
    np.subtract(sa[:, None, 0], sb[None, :, 0], out=out)
    np.square(out, out=out)
    for axis in (1, 2):
        np.subtract(sa[:, None, axis], sb[None, :, axis], out=tmp)
        np.square(tmp, out=tmp)
        out += tmp
    np.sqrt(out, out=out)                       # normalized lag h
    zero = (out == 0.0) if variogram.nugget else None
    if variogram.model == "exponential":
        out *= -3.0
        np.exp(out, out=out)
    elif variogram.model == "gaussian":
        np.square(out, out=out)
        out *= -3.0
        np.exp(out, out=out)
    else:
        out[...] = variogram.correlation_of_lag(out)
    out *= variogram.psill
    if zero is not None:
        out[zero] += variogram.nugget
    return out


def _covariance_matrix(variogram, a, b, chunk_bytes=DEFAULT_CHUNK_BYTES):
    """Covariance between point sets ``a`` (m, 3) and ``b`` (n, 3), built in row blocks of bounded size."""
    sa, sb = _scaled_coordinates(variogram, a), _scaled_coordinates(variogram, b)
    out = np.empty((a.shape[0], b.shape[0]))
    rows = max(1, int(chunk_bytes // (8 * max(b.shape[0], 1))))
    tmp = np.empty((min(rows, a.shape[0]), b.shape[0]))
    for start in range(0, a.shape[0], rows):
        stop = min(start + rows, a.shape[0])
        _covariance_scaled(variogram, sa[start:stop], sb, out[start:stop], tmp[:stop - start])
    return out


def _check_masks(masks, n):
    if masks is None:
        return np.ones((n, 1), dtype=bool)
    masks = np.asarray(masks)
    if masks.ndim == 1:
        masks = masks[:, None]
    if masks.ndim != 2 or masks.shape[0] != n or masks.dtype != bool:
        raise KrigingError(f"masks must be a boolean array of shape (n_data={n}, R), got "
                          f"{masks.dtype} {masks.shape}")
    return masks


def _cholesky(cov, what):
    """Cholesky factor, overwriting ``cov``; a failed or numerically singular factorization raises."""
    message = (f"{what}: the data covariance matrix is not positive definite (duplicate data locations "
               "without a nugget, or a numerically singular gaussian model?)")
    scale = np.sqrt(np.max(np.diag(cov)))
    try:
        factor = scipy.linalg.cho_factor(cov, lower=True, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        raise KrigingError(message)
    # exact duplicates can pass with a pivot at rounding level: catch them (pivot^2 < 1e-14 * C(0))
    if np.min(np.diag(factor[0])) < 1e-7 * scale:
        raise KrigingError(message)
    return factor


def _with_well_effect(cov, data, well_effect):
    """Add the well-effect variance to the covariance of data pairs of one well (in place; see
    :mod:`krigflow.well_effect`)."""
    if not well_effect:
        return cov
    from krigflow.well_effect import add_well_effect

    return add_well_effect(cov, np.asarray(data.well), well_effect)


def dual_weights(variogram, data, *, kind="ordinary", mean=None, masks=None,
                 values=None, well_effect=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Dual kriging weights of every realization.

    Parameters
    ----------
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    data : krigflow.conditioning.ConditioningData
        Conditioning data (n).
    kind : {"ordinary", "simple"}, default "ordinary"
        Kriging type.
    mean : float, optional
        Known mean (simple kriging only).
    masks : array of bool, shape (n, R), optional
        ``masks[i, r]``: datum i is used in realization r (None: all data, R = 1).
    values : array, shape (n, R), optional
        Per-realization data values (e.g. residuals of R unconditional fields) instead of
        ``data.values``; every realization uses all data (``masks`` must be None) and one factorization
        serves them all.
    well_effect : float, default 0
        Variance of a constant offset per well (:mod:`krigflow.well_effect`), added to the covariance of
        data of one well (``data.well``).

    Returns
    -------
    weights : array, shape (n, R)
        Dual weights ``w`` (0 for data left out of a realization).
    beta : array, shape (R,)
        Constant term (the generalized-least-squares mean for ordinary kriging, ``mean`` for simple).

    Raises
    ------
    krigflow.exceptions.KrigingError
        Bad kind/mean/masks, an ordinary-kriging realization without data, or a singular covariance.
    """
    mean = _check_kind(kind, mean)
    per_realization = values
    coords, values = _data_arrays(data)
    values, masks = _values_and_masks(values, per_realization, masks)
    cov = _with_well_effect(_covariance_matrix(variogram, coords, coords), data, well_effect)
    return _solve_dual(cov, values, kind, mean, masks)


def _values_and_masks(values, per_realization, masks):
    """Data values (n,) or per-realization values (n, R) with all-True masks, checked."""
    if per_realization is None:
        return values, _check_masks(masks, values.shape[0])
    per_realization = np.asarray(per_realization, dtype=float)
    if masks is not None:
        raise KrigingError("values (per realization) and masks cannot be combined: every realization uses "
                          "all data")
    if per_realization.ndim != 2 or per_realization.shape[0] != values.shape[0] \
            or not np.all(np.isfinite(per_realization)):
        raise KrigingError(f"values must be a finite array of shape (n_data={values.shape[0]}, R), got "
                          f"{per_realization.shape}")
    return per_realization, np.ones(per_realization.shape, dtype=bool)


def _solve_dual(full_cov, values, kind, mean, masks):
    """Dual weights (n, R) and constants (R,) from the covariance matrix of all n data.

    ``values`` is (n,) (the data) or (n, R) (per-realization values, all data used: one factorization).
    """
    n, n_real = masks.shape
    if values.ndim == 2:
        factor = _cholesky(full_cov.copy(), "per-realization values")
        if kind == "simple":
            return scipy.linalg.cho_solve(factor, values - mean, check_finite=False), np.full(n_real, mean)
        sol = scipy.linalg.cho_solve(factor, np.concatenate([values, np.ones((n, 1))], axis=1),
                                     check_finite=False)
        beta = sol[:, :n_real].sum(axis=0) / sol[:, n_real].sum()
        return sol[:, :n_real] - np.outer(sol[:, n_real], beta), beta
    weights = np.zeros((n, n_real))
    beta = np.zeros(n_real)
    for r in range(n_real):
        used = np.flatnonzero(masks[:, r])
        if used.size == 0:
            if kind == "ordinary":
                raise KrigingError(f"masks: realization {r} uses no data; ordinary kriging needs at least one")
            beta[r] = mean
            continue
        if used.size < n:
            cov = full_cov[np.ix_(used, used)]          # a fresh copy: factorize in place
        else:
            cov = full_cov if n_real == 1 else full_cov.copy()
        factor = _cholesky(cov, f"realization {r}")
        z = values[used]
        if kind == "simple":
            weights[used, r] = scipy.linalg.cho_solve(factor, z - mean, check_finite=False)
            beta[r] = mean
        else:
            sol = scipy.linalg.cho_solve(factor, np.stack([z, np.ones_like(z)], axis=1), check_finite=False)
            beta[r] = sol[:, 0].sum() / sol[:, 1].sum()
            weights[used, r] = sol[:, 0] - beta[r] * sol[:, 1]
    return weights, beta


def krige_points(variogram, data, easting, northing, tvdss, *, kind="ordinary", mean=None,
                 return_weights=False, well_effect=0.0) -> KrigingResult:
    """Krige at arbitrary points with all data (primal form), returning estimates and variances.

    Meant for validation and small problems: it solves the full kriging system for every point.

    Parameters
    ----------
    variogram : krigflow.variogram.model.Variogram
        Covariance model.
    data : krigflow.conditioning.ConditioningData
        Conditioning data (n).
    easting, northing, tvdss : array, shape (m,)
        Target points (m).
    kind : {"ordinary", "simple"}, default "ordinary"
        Kriging type.
    mean : float, optional
        Known mean (simple kriging only).
    return_weights : bool, default False
        Also return the (m, n) weights and the Lagrange multipliers.
    well_effect : float, default 0
        Variance sigma_w**2 of a constant offset per well (:mod:`krigflow.well_effect`): added to the
        covariance of data of one well, not to data-target covariances, and to the target variance (a
        target is what a new well would read).

    Returns
    -------
    KrigingResult
        ``estimate`` and ``variance`` (m,); ``variance = sill + sigma_w**2 - w'c0 - mu`` (``mu = 0`` for
        simple kriging).

    Examples
    --------
    >>> from krigflow.variogram import Variogram
    >>> from krigflow.conditioning import ConditioningData
    >>> d = ConditioningData(np.array([0.0, 100.0]), np.zeros(2), np.zeros(2), np.array([1.0, 3.0]),
    ...                      np.zeros(2, int), np.zeros((2, 3), int), ("w",))
    >>> res = krige_points(Variogram("spherical", 1.0, 200.0, 10.0), d, [0.0, 50.0], [0.0, 0.0], [0.0, 0.0])
    >>> res.estimate.round(6).tolist(), round(float(res.variance[0]), 12)
    ([1.0, 2.0], 0.0)
    """
    mean = _check_kind(kind, mean)
    coords, values = _data_arrays(data)
    n = values.shape[0]
    targets = np.stack([np.asarray(c, dtype=float).ravel() for c in (easting, northing, tvdss)], axis=1)
    c0 = _covariance_matrix(variogram, coords, targets)          # (n, m)
    cov = _with_well_effect(_covariance_matrix(variogram, coords, coords), data, well_effect)
    if kind == "simple":
        lam = scipy.linalg.cho_solve(_cholesky(cov, "krige_points"), c0, check_finite=False)
        mu = np.zeros(targets.shape[0])
        estimate = mean + lam.T @ (values - mean)
    else:
        system = np.zeros((n + 1, n + 1))
        system[:n, :n] = cov
        system[:n, n] = system[n, :n] = 1.0
        rhs = np.vstack([c0, np.ones((1, targets.shape[0]))])
        sol = scipy.linalg.solve(system, rhs, assume_a="sym", check_finite=False)
        lam, mu = sol[:n], sol[n]
        estimate = lam.T @ values
    variance = variogram.sill + float(well_effect) - np.einsum("ij,ij->j", lam, c0) - mu
    if return_weights:
        return KrigingResult(estimate, variance, lam.T.copy(), mu)
    return KrigingResult(estimate, variance)
