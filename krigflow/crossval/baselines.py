"""Baseline predictors for cross-validation: inverse-distance weighting, trend + IDW, the training mean.

A geostatistical model earns its keep only if it beats these on the same held-out cells.
"""
from __future__ import annotations

import numpy as np

from krigflow.exceptions import KrigflowError

__all__ = ["VERTICAL_STRETCH", "idw", "training_mean", "trend_idw"]

#: Vertical distances are multiplied by this factor in the IDW baselines (layers are far more continuous
#: sideways than across).
VERTICAL_STRETCH = 100.0


def idw(train_coords, train_values, targets, *, power=2.0, vertical_stretch=VERTICAL_STRETCH,
        chunk=2048) -> np.ndarray:
    """Inverse-distance weighting with vertical distances stretched.

    Parameters
    ----------
    train_coords : array, shape (n, 3)
        (easting, northing, tvdss) of the training data (m).
    train_values : array, shape (n,)
    targets : array, shape (m, 3)
        Target positions (m).
    power : float, default 2
        Weights ``1 / d**power``.
    vertical_stretch : float, default 100
        Factor applied to tvdss differences.
    chunk : int, default 2048
        Targets per block (memory).

    Returns
    -------
    array, shape (m,)
        A target at a datum gets that datum's value.

    Examples
    --------
    >>> c = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]])
    >>> idw(c, [1.0, 3.0], np.array([[50.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])).round(4).tolist()
    [2.0, 1.0, 1.6667]
    """
    a = np.asarray(train_coords, dtype=float)
    v = np.asarray(train_values, dtype=float).ravel()
    b = np.asarray(targets, dtype=float)
    if a.ndim != 2 or a.shape[1] != 3 or a.shape[0] != v.size or a.shape[0] == 0:
        raise KrigflowError(f"idw: train_coords must be (n, 3) with n = len(train_values) > 0, got {a.shape}")
    scale = np.array([1.0, 1.0, float(vertical_stretch)])
    a, b = a * scale, np.atleast_2d(b) * scale
    out = np.empty(b.shape[0])
    for s in range(0, b.shape[0], chunk):
        d2 = ((b[s:s + chunk, None, :] - a[None, :, :]) ** 2).sum(axis=2)
        exact = d2 == 0.0
        with np.errstate(divide="ignore"):
            w = 1.0 / d2 ** (power / 2.0)
        hit = exact.any(axis=1)
        w[hit] = exact[hit].astype(float)
        out[s:s + chunk] = (w @ v) / w.sum(axis=1)
    return out


def trend_idw(train_coords, train_values, targets, trend, **kwargs) -> np.ndarray:
    """IDW of the residuals from ``trend`` (a :class:`krigflow.trend.Trend`), plus the trend.

    Examples
    --------
    >>> from krigflow.trend import Trend
    >>> tr = Trend("polynomial", values=np.array([1.0, 0.0]), centre=0.0, scale=1.0, degree=1)
    >>> c = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 10.0]])
    >>> trend_idw(c, [10.0, 110.0], np.array([[100.0, 0.0, 10.0]]), tr).tolist()  # residuals 10, 100
    [110.0]
    """
    a = np.asarray(train_coords, dtype=float)
    b = np.atleast_2d(np.asarray(targets, dtype=float))
    resid = trend.remove(a[:, 2], train_values)
    return trend.restore(b[:, 2], idw(a, resid, b, **kwargs))


def training_mean(train_values, n_targets) -> np.ndarray:
    """The mean of the training data at every target.

    Examples
    --------
    >>> training_mean([1.0, 3.0], 2).tolist()
    [2.0, 2.0]
    """
    return np.full(int(n_targets), float(np.mean(np.asarray(train_values, dtype=float))))
