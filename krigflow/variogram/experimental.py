"""Experimental variograms from well samples and weighted least-squares model fitting.

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

:func:`fit_variogram` fits one model per candidate family by weighted least squares: a common nugget and
partial sill, a horizontal and a vertical practical range (``krigflow.variogram.model`` conventions). Bin
weights are the number of pairs, normalised so that each direction has total weight 1 (otherwise the dense
vertical variogram would swamp the horizontal one); bins with fewer than ``min_pairs`` pairs are left out.
The family with the smallest weighted residual wins. Horizontal anisotropy (``range_h2``) is not fitted:
with a handful of wells, directional horizontal variograms rarely have enough pairs (compute them with
``azimuth``/``angle_tol`` to check).

The support of the samples (points, 0.15–0.5 m) is smaller than a grid cell; krigflow treats cells as
points, and so uses the point-support model for cell values (no change-of-support correction).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from krigflow.exceptions import KrigflowError
from krigflow.variogram.model import MODELS, Variogram

logger = logging.getLogger(__name__)

__all__ = ["ExperimentalVariogram", "VariogramFit", "ESTIMATORS", "vertical_variogram", "horizontal_variogram",
           "fit_variogram", "variogram_from_samples"]

#: Experimental-variogram estimators.
ESTIMATORS = ("matheron", "cressie")
#: Model families tried by ``variogram: auto`` unless told otherwise.
DEFAULT_CANDIDATES = ("spherical", "exponential", "gaussian")


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


@dataclass(frozen=True)
class VariogramFit:
    """Result of :func:`fit_variogram`.

    Parameters
    ----------
    variogram : krigflow.variogram.model.Variogram
        The best model (smallest weighted residual).
    fits : dict of str to Variogram
        The fitted model of every candidate family.
    errors : dict of str to float
        Weighted residual sum of squares of every candidate, relative to the sample variance squared.
    variance : float
        Variance of the samples used (the natural scale of the sill).
    experimental : tuple of ExperimentalVariogram
        The experimental variograms that were fitted.
    """

    variogram: Variogram
    fits: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    variance: float = float("nan")
    experimental: tuple = ()

    @classmethod
    def from_record(cls, record) -> VariogramFit:
        """Rebuild a fit from the JSON record of a run (``summary["variogram_fit"]``)."""
        fits = {m: Variogram(m, c["sill"], c["range_h"], c["range_v"], nugget=c["nugget"], nu=c.get("nu", 1.5))
                for m, c in record["candidates"].items()}
        errors = {m: c["error"] for m, c in record["candidates"].items()}
        experimental = tuple(
            ExperimentalVariogram(e["direction"], np.asarray(e["lag"], float), np.asarray(e["gamma"], float),
                                  np.asarray(e["pairs"], np.int64), e.get("estimator", "matheron"), float("nan"))
            for e in record["experimental"])
        return cls(fits[record["chosen"]["model"]], fits, errors, record["variance"], experimental)

    def describe(self) -> dict:
        """JSON-ready summary: the chosen model and every candidate with its error."""
        def params(v):
            return {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h,
                    "range_v": v.range_v, **({"nu": v.nu} if v.model == "matern" else {})}
        return {"chosen": params(self.variogram), "variance": self.variance,
                "candidates": {m: dict(params(v), error=self.errors[m]) for m, v in self.fits.items()}}


def _check_estimator(estimator):
    if estimator not in ESTIMATORS:
        raise KrigflowError(f"variogram estimator must be one of {ESTIMATORS}, got {estimator!r}")


def _check_lags(lag, max_lag, what):
    lag, max_lag = float(lag), float(max_lag)
    if not (np.isfinite(lag) and lag > 0 and np.isfinite(max_lag) and max_lag >= lag):
        raise KrigflowError(f"{what} variogram: need 0 < lag <= max_lag, got lag={lag:g}, max_lag={max_lag:g}")
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


def _model_gamma(model, h, nugget, psill, range_, nu):
    """Semivariance of a unit-range model family at lags ``h`` (> 0) for the given parameters."""
    unit = Variogram(model, sill=1.0, range_h=1.0, range_v=1.0, nu=nu)
    return nugget + psill * (1.0 - unit.correlation_of_lag(np.asarray(h) / range_))


def fit_variogram(vertical, horizontal, *, candidates=DEFAULT_CANDIDATES, fit_nugget=True, nugget=0.0,
                  nu=1.5, variance=None, min_pairs=30, sill=None) -> VariogramFit:
    """Fit nugget, sill and horizontal/vertical practical ranges to experimental variograms.

    Parameters
    ----------
    vertical, horizontal : ExperimentalVariogram
        From :func:`vertical_variogram` and :func:`horizontal_variogram`.
    candidates : sequence of str, default ("spherical", "exponential", "gaussian")
        Model families to fit (any of ``krigflow.variogram.model.MODELS``).
    fit_nugget : bool, default True
        Fit the nugget (else it is fixed at ``nugget``).
    nugget : float, default 0
        The fixed nugget when ``fit_nugget`` is False.
    nu : float, default 1.5
        Matérn smoothness (fixed).
    variance : float, optional
        Sample variance (scale of the sill and of the reported errors); default: the largest gamma.
    min_pairs : int, default 30
        Bins with fewer pairs are left out of the fit.
    sill : float, optional
        Fix the total sill (nugget included) instead of fitting it: 1 for normal scores, whose variance is
        1 by construction (a variogram still rising at the largest lag, e.g. from a depth trend, would
        otherwise give a sill below 1 and too narrow simulated intervals).

    Returns
    -------
    VariogramFit

    Raises
    ------
    KrigflowError
        Unknown candidate, or a direction without any bin of ``min_pairs`` pairs (e.g. one well only:
        no horizontal pairs).
    """
    for model in candidates:
        if model not in MODELS:
            raise KrigflowError(f"variogram candidates must be among {MODELS}, got {model!r}")
    if not candidates:
        raise KrigflowError("variogram candidates: give at least one model family")
    parts = []
    for ev in (vertical, horizontal):
        use = ev.pairs >= min_pairs
        if not np.any(use):
            raise KrigflowError(f"cannot fit the variogram: no {ev.direction} lag bin with >= {min_pairs} pairs "
                                f"({'one well only, or wells farther apart than max_lag_h?' if ev.direction == 'horizontal' else 'too few samples along the wells'})")
        weights = ev.pairs[use] / ev.pairs[use].sum()
        parts.append((ev.lags[use], ev.gamma[use], np.sqrt(weights)))
    (hv, gv, wv), (hh, gh, wh) = parts
    if variance is None:
        variance = float(max(gv.max(), gh.max()))
    variance = float(variance)
    fits, errors = {}, {}
    for model in candidates:
        def residuals(theta, model=model):
            nug = theta[0] if fit_nugget else nugget
            psill, range_h, range_v = theta[1:]
            if sill is not None:
                psill = sill - nug
            return np.concatenate([wv * (_model_gamma(model, hv, nug, psill, range_v, nu) - gv),
                                   wh * (_model_gamma(model, hh, nug, psill, range_h, nu) - gh)]) / variance
        lower = [0.0, 1e-6 * variance, 0.5 * hh.min(), 0.5 * hv.min()]
        upper = [2.0 * variance, 4.0 * variance, 5.0 * hh.max(), 5.0 * hv.max()]
        if sill is not None:
            upper[0] = 0.99 * sill
        best = None
        for frac_h in (0.2, 0.5, 1.0):            # multi-start: the ranges are the ill-posed parameters
            for frac_v in (0.1, 0.3, 0.8):
                start = [0.05 * variance if fit_nugget else nugget, variance,
                         np.clip(frac_h * hh.max(), lower[2] * 1.01, upper[2] * 0.99),
                         np.clip(frac_v * hv.max(), lower[3] * 1.01, upper[3] * 0.99)]
                start[0] = min(max(start[0], 0.0), upper[0])
                res = optimize.least_squares(residuals, start, bounds=(lower, upper), x_scale="jac")
                if best is None or res.cost < best.cost:
                    best = res
        nug = float(best.x[0]) if fit_nugget else float(nugget)
        psill, range_h, range_v = (float(x) for x in best.x[1:])
        if sill is not None:
            psill = float(sill) - nug
        fits[model] = Variogram(model, sill=nug + psill, range_h=range_h, range_v=range_v, nugget=nug, nu=nu)
        errors[model] = float(2.0 * best.cost)
    chosen = min(errors, key=errors.get)
    logger.info("variogram fit: %s (errors %s)", fits[chosen], errors)
    return VariogramFit(fits[chosen], fits, errors, variance, (vertical, horizontal))


def default_lags(easting, northing, tvdss, spacing, *, lag_h=None, lag_v=None, max_lag_h=None,
                 max_lag_v=None, well=None, dz_tol=None) -> dict:
    """Lag settings from the samples and the grid when not given.

    * ``lag_v``: half the cell height; ``max_lag_v``: 40 vertical lags, at most half the vertical extent of
      the samples;
    * ``max_lag_h``: half the largest horizontal distance between samples; ``lag_h``: a tenth of it;
    * ``dz_tol`` (horizontal pairs): half the median depth step between consecutive samples of a well,
      so that every sample finds a partner in a neighbouring well while the vertical part of a pair's lag
      stays small (a larger tolerance adds vertical variability to the horizontal variogram: an apparent
      nugget and shorter range).
    """
    e, n, t = (np.asarray(a, dtype=float) for a in (easting, northing, tvdss))
    dz = float(spacing[2])
    lag_v = 0.5 * dz if lag_v is None else float(lag_v)
    if max_lag_v is None:
        max_lag_v = min(40 * lag_v, max(0.5 * float(np.ptp(t)), lag_v))
    if max_lag_h is None:
        corners = np.array([[e.min(), n.min()], [e.max(), n.max()], [e.min(), n.max()], [e.max(), n.min()]])
        extent = max(np.hypot(*(corners[0] - corners[1])), np.hypot(*(corners[2] - corners[3])))
        max_lag_h = max(0.5 * extent, 1.0)
    lag_h = max_lag_h / 10.0 if lag_h is None else float(lag_h)
    if dz_tol is None:
        steps = []
        labels = np.zeros(t.size) if well is None else np.asarray(well)
        for label in np.unique(labels):
            ts = np.sort(t[labels == label])
            if ts.size > 1:
                steps.append(np.diff(ts))
        step = np.median(np.concatenate(steps)) if steps else dz
        dz_tol = 0.5 * float(step) if step > 0 else 0.5 * dz
    return {"lag_h": float(lag_h), "lag_v": float(lag_v), "max_lag_h": float(max_lag_h),
            "max_lag_v": float(max_lag_v), "dz_tol": float(dz_tol)}


def variogram_from_samples(easting, northing, tvdss, values, well, *, spacing, candidates=DEFAULT_CANDIDATES,
                           estimator="matheron", fit_nugget=True, nugget=0.0, nu=1.5, lag_h=None, lag_v=None,
                           max_lag_h=None, max_lag_v=None, dz_tol=None, min_pairs=30, sill=None) -> VariogramFit:
    """Experimental variograms of well samples and the fitted model (what ``variogram: auto`` does).

    Parameters
    ----------
    easting, northing, tvdss, values : array, shape (n,)
        Log samples (m; values already normal-score transformed when simulating normal scores).
    well : array, shape (n,)
        Well label of each sample.
    spacing : tuple of 3 float
        Grid cell size (sets the default lags, see :func:`default_lags`).
    candidates, estimator, fit_nugget, nugget, nu, min_pairs, sill
        As in :func:`fit_variogram` and :func:`vertical_variogram`.
    lag_h, lag_v, max_lag_h, max_lag_v, dz_tol : float, optional
        Lag settings (m); defaults from :func:`default_lags`.

    Returns
    -------
    VariogramFit
    """
    lags = default_lags(easting, northing, tvdss, spacing, lag_h=lag_h, lag_v=lag_v, max_lag_h=max_lag_h,
                        max_lag_v=max_lag_v, well=well, dz_tol=dz_tol)
    values = np.asarray(values, dtype=float)
    vert = vertical_variogram(tvdss, values, well, lag=lags["lag_v"], max_lag=lags["max_lag_v"],
                              estimator=estimator)
    horiz = horizontal_variogram(easting, northing, tvdss, values, well, lag=lags["lag_h"],
                                 max_lag=lags["max_lag_h"], dz_tol=lags["dz_tol"], estimator=estimator)
    return fit_variogram(vert, horiz, candidates=candidates, fit_nugget=fit_nugget, nugget=nugget, nu=nu,
                         variance=float(np.nanvar(values)), min_pairs=min_pairs, sill=sill)
