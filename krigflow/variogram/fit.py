"""Weighted least-squares fitting of variogram models to experimental variograms.

:func:`fit_variogram` fits one model per candidate family by weighted least squares: a common nugget and
partial sill, a horizontal and a vertical practical range (``krigflow.variogram.model`` conventions). Bin
weights are the number of pairs, normalised so that each direction has total weight 1 (otherwise the dense
vertical variogram would swamp the horizontal one); bins with fewer than ``min_pairs`` pairs are left out.
The family with the smallest weighted residual wins. Horizontal anisotropy (``range_h2``) is not fitted:
with a handful of wells, directional horizontal variograms rarely have enough pairs (compute them with
``azimuth``/``angle_tol`` to check).

:func:`variogram_from_samples` goes from well samples to the fitted model (what ``variogram: auto`` does):
default lags (:func:`default_lags`), the two experimental variograms
(:mod:`krigflow.variogram.experimental`) and :func:`fit_variogram`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from krigflow.exceptions import VariogramError
from krigflow.variogram.experimental import ExperimentalVariogram, horizontal_variogram, vertical_variogram
from krigflow.variogram.model import MODELS, Variogram

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_CANDIDATES", "VariogramFit", "default_lags", "fit_variogram", "variogram_from_samples"]

#: Model families tried by ``variogram: auto`` unless told otherwise.
DEFAULT_CANDIDATES = ("spherical", "exponential", "gaussian")


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
    VariogramError
        Unknown candidate, or a direction without any bin of ``min_pairs`` pairs (e.g. one well only:
        no horizontal pairs).
    """
    for model in candidates:
        if model not in MODELS:
            raise VariogramError(f"variogram candidates must be among {MODELS}, got {model!r}")
    if not candidates:
        raise VariogramError("variogram candidates: give at least one model family")
    parts = []
    for ev in (vertical, horizontal):
        use = ev.pairs >= min_pairs
        if not np.any(use):
            raise VariogramError(f"cannot fit the variogram: no {ev.direction} lag bin with >= {min_pairs} pairs "
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
