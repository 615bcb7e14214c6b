"""Experimental variograms from well samples (vertical: along each well; horizontal: between wells).

Wells sample the subsurface densely along their paths and sparsely between them, so krigflow computes two
experimental variograms from the (raw, un-upscaled) log samples:

* **vertical** — pairs of samples of the *same* well, lag ``|Δtvdss|`` (dense: thousands of pairs per bin);
* **horizontal** — pairs of samples of *different* wells with ``|Δtvdss| <= dz_tol``, lag the horizontal
  distance; optionally only pairs whose azimuth is within ``angle_tol`` of a direction.

Lag bins are ``[i * lag, (i + 1) * lag)`` up to ``max_lag``; each bin reports the mean lag of its pairs, the
number of pairs and the estimate:

* ``"matheron"``: ``gamma = sum(d**2) / (2 N)``;
* ``"cressie"`` (robust, Cressie & Hawkins 1980): ``gamma = (mean(|d|**0.5))**4 / (0.457 + 0.494 / N) / 2``,
  much less sensitive to outlying values (spikes in logs).

Models are fitted to them by :mod:`krigflow.variogram.fit`.

The support of the samples (points, 0.15–0.5 m) is smaller than a grid cell; krigflow treats cells as
points, and so uses the point-support model for cell values (no change-of-support correction).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow._validate import check_choice
from krigflow.exceptions import VariogramError

logger = logging.getLogger(__name__)

__all__ = [
    "ESTIMATORS",
    "ExperimentalVariogram",
    "horizontal_variogram",
    "vertical_variogram",
]

#: Experimental-variogram estimators.
ESTIMATORS = ("matheron", "cressie")


@dataclass(frozen=True)
class ExperimentalVariogram:
    """An experimental variogram: one entry per non-empty lag bin.

    Parameters
    ----------
    direction : {"vertical", "horizontal"}
        Which range the bins inform.
    lags : array, shape (k,)
        Mean lag of the pairs of each bin (m).
    gamma : array, shape (k,)
        Semivariance estimate of each bin.
    pairs : int array, shape (k,)
        Number of pairs of each bin.
    estimator : {"matheron", "cressie"}
        How ``gamma`` was estimated.
    lag : float
        Bin width (m).
    """

    direction: str
    lags: np.ndarray
    gamma: np.ndarray
    pairs: np.ndarray
    estimator: str
    lag: float

    def as_dict(self) -> dict:
        """JSON-ready copy."""
        return {"direction": self.direction, "estimator": self.estimator, "lag": self.lag,
                "lags": self.lags.tolist(), "gamma": self.gamma.tolist(), "pairs": self.pairs.tolist()}


def _check_estimator(estimator):
    check_choice(estimator, "variogram estimator", ESTIMATORS, error=VariogramError)


def _check_lags(lag, max_lag, what):
    lag, max_lag = float(lag), float(max_lag)
    if not (np.isfinite(lag) and lag > 0 and np.isfinite(max_lag) and max_lag >= lag):
        raise VariogramError(f"{what} variogram: need 0 < lag <= max_lag, got lag={lag:g}, max_lag={max_lag:g}")
    return lag, max_lag


class _Bins:
    """Accumulates pair statistics per lag bin."""

    def __init__(self, lag, max_lag):
        self.lag, self.max_lag = lag, max_lag
        n = int(np.ceil(max_lag / lag))
        self.count = np.zeros(n, dtype=np.int64)
        self.sum_lag = np.zeros(n)
        self.sum_sq = np.zeros(n)
        self.sum_root = np.zeros(n)

    def add(self, h, d):
        keep = h < self.max_lag
        h, d = h[keep], d[keep]
        if h.size == 0:
            return
        idx = np.minimum((h / self.lag).astype(np.int64), self.count.size - 1)
        n = self.count.size
        self.count += np.bincount(idx, minlength=n)
        self.sum_lag += np.bincount(idx, weights=h, minlength=n)
        self.sum_sq += np.bincount(idx, weights=d * d, minlength=n)
        self.sum_root += np.bincount(idx, weights=np.sqrt(np.abs(d)), minlength=n)

    def result(self, direction, estimator):
        has = self.count > 0
        n = self.count[has]
        if estimator == "matheron":
            gamma = self.sum_sq[has] / (2.0 * n)
        else:
            gamma = (self.sum_root[has] / n) ** 4 / (0.457 + 0.494 / n) / 2.0
        return ExperimentalVariogram(direction, self.sum_lag[has] / n, gamma, n, estimator, self.lag)


def vertical_variogram(tvdss, values, well, *, lag, max_lag, estimator="matheron") -> ExperimentalVariogram:
    """Experimental variogram along the wells: pairs of samples of one well, lag ``|Δtvdss|``.

    Parameters
    ----------
    tvdss, values : array, shape (n,)
        Sample depths (m) and values (NaN samples are ignored).
    well : array, shape (n,)
        Well label of each sample.
    lag, max_lag : float
        Bin width and largest lag (m).
    estimator : {"matheron", "cressie"}, default "matheron"

    Returns
    -------
    ExperimentalVariogram

    Examples
    --------
    >>> t = np.arange(0.0, 100.0, 0.5)
    >>> ev = vertical_variogram(t, np.sin(t / 5.0), np.zeros(t.size), lag=2.0, max_lag=20.0)
    >>> ev.gamma.size, bool(np.all(np.diff(ev.gamma[:4]) > 0))
    (10, True)
    """
    _check_estimator(estimator)
    lag, max_lag = _check_lags(lag, max_lag, "vertical")
    tvdss, values, well = (np.asarray(a) for a in (tvdss, values, well))
    bins = _Bins(lag, max_lag)
    ok = np.isfinite(values) & np.isfinite(tvdss)
    for label in np.unique(well[ok]):
        sel = ok & (well == label)
        order = np.argsort(tvdss[sel], kind="stable")
        t, v = tvdss[sel][order], values[sel][order]
        for k in range(1, t.size):
            dt = t[k:] - t[:-k]
            bins.add(dt, v[k:] - v[:-k])
            if dt.min() >= max_lag:          # sorted: every later offset is longer still
                break
    return bins.result("vertical", estimator)


def horizontal_variogram(easting, northing, tvdss, values, well, *, lag, max_lag, dz_tol, azimuth=None,
                         angle_tol=90.0, estimator="matheron") -> ExperimentalVariogram:
    """Experimental variogram between wells: pairs of samples of different wells at similar depth.

    Parameters
    ----------
    easting, northing, tvdss, values : array, shape (n,)
        Sample positions (m) and values (NaN samples are ignored).
    well : array, shape (n,)
        Well label of each sample (pairs within one well are not used).
    lag, max_lag : float
        Bin width and largest horizontal lag (m).
    dz_tol : float
        Largest ``|Δtvdss|`` of a pair (m).
    azimuth : float, optional
        Direction (degrees clockwise from north) of a directional variogram; None: omnidirectional.
    angle_tol : float, default 90
        Half-angle of the direction cone (degrees); 90 or more is omnidirectional.
    estimator : {"matheron", "cressie"}, default "matheron"

    Returns
    -------
    ExperimentalVariogram
    """
    _check_estimator(estimator)
    lag, max_lag = _check_lags(lag, max_lag, "horizontal")
    arrays = [np.asarray(a, dtype=float) for a in (easting, northing, tvdss, values)]
    well = np.asarray(well)
    ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    order = np.argsort(arrays[2][ok], kind="stable")
    e, n, t, v = (a[ok][order] for a in arrays)
    w = well[ok][order]
    directional = azimuth is not None and angle_tol < 90.0
    if directional:
        theta = np.deg2rad(azimuth)
        axis = np.array([np.sin(theta), np.cos(theta)])
        cos_tol = np.cos(np.deg2rad(angle_tol))
    bins = _Bins(lag, max_lag)
    for k in range(1, t.size):
        dt = t[k:] - t[:-k]
        if dt.min() > dz_tol:
            break
        pick = (dt <= dz_tol) & (w[k:] != w[:-k])
        if not np.any(pick):
            continue
        de = (e[k:] - e[:-k])[pick]
        dn = (n[k:] - n[:-k])[pick]
        h = np.hypot(de, dn)
        if directional:
            with np.errstate(invalid="ignore", divide="ignore"):
                cos = np.abs(de * axis[0] + dn * axis[1]) / h
            keep = cos >= cos_tol
            h, de = h[keep], de[keep]
            bins.add(h, (v[k:] - v[:-k])[pick][keep])
        else:
            bins.add(h, (v[k:] - v[:-k])[pick])
    return bins.result("horizontal", estimator)
