"""The residual model of a run: trend, transform, variogram and well effect, fitted to the wells.

``z(x) = m(tvdss) + r(x)`` with ``r = w_well + e``: this module fits, in order,

1. the trend ``m`` (:mod:`krigflow.trend`) to the upscaled data, and removes it from data and samples;
2. the normal-score transform of the residuals (``method: conditional`` with ``transform: normal_score``);
3. the variogram of ``e`` (the residuals or their normal scores): the configured model, or with
   ``variogram: auto`` the constrained fit of :func:`krigflow.variogram.constrained.fit_constrained`
   (vertical structure alone, horizontal range capped at the well spacing, sill = residual variance (or
   the vertical plateau when larger) minus the well effect);
4. the well-effect variance ``sigma_w**2`` (:mod:`krigflow.well_effect`): configured, 0, or estimated
   (``auto``) from the spread of the wells' mean residuals, iterated once with the variogram fit.

Everything a run then does works on residuals and adds the trend back at the end.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.trend import Trend, fit_trend
from krigflow.variogram import Variogram, horizontal_variogram, vertical_variogram
from krigflow.variogram.constrained import (
    VariogramBoundWarning,
    fit_constrained,
    vertical_plateau,
    well_spacing,
)
from krigflow.well_effect import estimate_well_effect

logger = logging.getLogger(__name__)

__all__ = ["ResidualModel", "fit_residual_model", "residual_problem"]


@dataclass(frozen=True)
class ResidualModel:
    """What :func:`fit_residual_model` found.

    Parameters
    ----------
    trend : krigflow.trend.Trend
        The trend (kind ``"none"`` when no trend is removed).
    residuals : array, shape (n,)
        Data minus trend, property units.
    transform : krigflow.realizations.NormalScore or None
        Normal-score transform of the residuals.
    variogram : krigflow.variogram.Variogram
        Variogram of ``e`` (of the normal scores when ``transform`` is set).
    well_effect : float
        ``sigma_w**2``, in the variogram's units.
    record : dict
        JSON-ready account for ``summary.json``: ``trend``, ``well_effect``, ``variogram_fit`` (None for a
        configured model), ``space``, ``well_mean_residuals``, ``warnings``.
    """

    trend: Trend
    residuals: np.ndarray
    transform: object
    variogram: Variogram
    well_effect: float
    record: dict


def _trend_options(trend):
    if trend is None:
        return {"kind": "none"}
    if isinstance(trend, str):
        return {"kind": trend}
    return dict(trend)


def _lags(e, n, t, well, spacing, vg):
    from krigflow.variogram import default_lags
    return default_lags(e, n, t, spacing, lag_h=vg.get("lag_h"), lag_v=vg.get("lag_v"),
                        max_lag_h=vg.get("max_lag_h"), max_lag_v=vg.get("max_lag_v"), well=well)


def fit_residual_model(data, samples, *, spacing, trend="auto", variogram=None, transform=None) -> ResidualModel:
    """Fit trend, transform, variogram and well effect of a run (see the module docstring).

    Parameters
    ----------
    data : krigflow.grid.ConditioningData
        Upscaled data (property units).
    samples : tuple of 5 arrays
        Log samples inside the grid: ``(easting, northing, tvdss, values, well)`` (for the variograms).
    spacing : tuple of 3 float
        Grid cell size (m).
    trend : str or dict, default "auto"
        ``"none"``, ``"auto"`` or ``{"kind": ..., "window": ..., "degree": ...}``.
    variogram : dict
        Validated ``variogram`` section: ``model`` ("auto" or a family) and its keys, plus ``well_effect``
        ("auto" or a number), ``range_h_max``, ``candidates``, ``estimator``, lag settings.
    transform : dict, optional
        The ``method`` section of a ``conditional`` run: ``transform`` ("normal_score", "none", or "auto":
        "none" when a trend is removed, else "normal_score"), ``tails``, ``zmin``, ``zmax`` (bounds of the
        residual when a trend is removed). None: no transform (``subsample``).

    Returns
    -------
    ResidualModel

    Raises
    ------
    KrigflowError
        Too few data to fit what is asked for.
    """
    from krigflow.realizations import NormalScore

    vg = dict(variogram or {"model": "auto"})
    opts = _trend_options(trend)
    tr = fit_trend(data.tvdss, data.values, data.well, kind=opts.get("kind", "auto"), window=opts.get("window"),
                   degree=2 if opts.get("degree") is None else opts["degree"], spacing_z=spacing[2])
    residuals = tr.remove(data.tvdss, data.values)
    e, n, t, v, w = (np.asarray(a) for a in samples)
    r_samples = tr.remove(t, v)
    ns = None
    space_data, space_samples, space = residuals, r_samples, "property"
    mode = None if transform is None else transform.get("transform", "normal_score")
    if mode == "auto":
        mode = "none" if tr.kind != "none" else "normal_score"
    if mode == "normal_score":
        ns = NormalScore.fit(residuals, tails=transform.get("tails", "linear"), zmin=transform.get("zmin"),
                             zmax=transform.get("zmax"))
        space_data = ns.transform(residuals)
        space_samples = NormalScore.fit(r_samples, tails="extrapolate").transform(r_samples)
        space = "normal_score"
    variance = 1.0 if ns is not None else float(np.var(space_data))
    we_cfg = vg.get("well_effect")
    if we_cfg is None:
        we_cfg = "auto" if vg.get("model", "auto") == "auto" else 0.0
    if we_cfg != "auto":                   # a configured variance is in property units
        we_cfg = float(we_cfg)
        if ns is not None and we_cfg:
            we_cfg = min(we_cfg / (float(np.var(residuals)) or 1.0), 0.9)
    record = {"trend": tr.describe(), "space": space, "transform": mode, "warnings": []}
    coords = (data.easting, data.northing, data.tvdss)
    if vg.get("model", "auto") != "auto":
        keys = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu")
        model = Variogram(**{k: vg[k] for k in keys if vg.get(k) is not None})
        sigma2 = 0.0
        if ns is not None:                 # the configured model, standardized to the normal scores
            model = Variogram(model.model, 1.0, model.range_h, model.range_v, nugget=model.nugget / model.sill,
                              range_h2=model.range_h2, azimuth=model.azimuth, nu=model.nu)
        if we_cfg == "auto":
            est = estimate_well_effect(space_data, data.well, model, *coords)
            sigma2 = min(est["variance"], 0.9 * model.sill)
            record["well_effect"] = dict(est, used=sigma2, how="auto")
        else:
            sigma2 = we_cfg
            record["well_effect"] = {"used": sigma2, "how": "configured"}
        if ns is not None and sigma2:
            model = Variogram(model.model, 1.0 - sigma2, model.range_h, model.range_v,
                              nugget=model.nugget * (1.0 - sigma2), range_h2=model.range_h2,
                              azimuth=model.azimuth, nu=model.nu)
        record["variogram_fit"] = None
        record["well_mean_residuals"] = _well_means(residuals, data)
        return ResidualModel(tr, residuals, ns, model, sigma2, record)
    lags = _lags(e, n, t, w, spacing, vg)
    estimator = vg.get("estimator", "matheron")
    vert = vertical_variogram(t, space_samples, w, lag=lags["lag_v"], max_lag=lags["max_lag_v"], estimator=estimator)
    horiz = horizontal_variogram(e, n, t, space_samples, w, lag=lags["lag_h"], max_lag=lags["max_lag_h"],
                                 dz_tol=lags["dz_tol"], estimator=estimator)
    if ns is None:
        # pairs of one well see the within-well variance: when their plateau exceeds the pooled variance of
        # the data (wells close against the correlation range are alike), the pooled variance underestimates
        # the sill, and the plateau is the better total
        plateau = vertical_plateau(vert)
        if plateau > variance:
            record["warnings"].append(f"the vertical variogram levels off at {plateau:.4g}, above the variance of "
                                      f"the data ({variance:.4g}): the sill is the plateau")
            variance = plateau
    spacing_m, pairs = well_spacing(data.easting, data.northing, data.well)
    fixed = {k: vg.get(k) for k in ("nugget", "range_v", "range_h", "sill")}
    if vg.get("fit_nugget", True):
        fixed["nugget"] = None
    elif fixed["nugget"] is None:
        fixed["nugget"] = 0.0
    if ns is not None:                     # configured sill and nugget are in property units
        scale = float(np.var(residuals)) or 1.0
        fixed = {k: (x / scale if k in ("sill", "nugget") and x is not None else x) for k, x in fixed.items()}
    common = dict(variance=variance, spacing=spacing_m, well_pairs=pairs,
                  candidates=tuple(vg.get("candidates") or ("spherical", "exponential", "gaussian")),
                  range_h_max=vg.get("range_h_max"), nu=vg.get("nu", 1.5), **fixed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", VariogramBoundWarning)
        fit = fit_constrained(vert, horiz, **common)
        sigma2 = 0.0
        if we_cfg == "auto":
            est = estimate_well_effect(space_data, data.well, fit.variogram, *coords)
            sigma2 = min(est["variance"], 0.9 * variance)
            record["well_effect"] = dict(est, used=sigma2, how="auto")
        else:
            sigma2 = float(we_cfg)
            record["well_effect"] = {"used": sigma2, "how": "configured"}
        if sigma2 and fixed["sill"] is None:
            caught.clear()
            fit = fit_constrained(vert, horiz, well_effect=sigma2, **common)
    for warning in caught:
        if issubclass(warning.category, VariogramBoundWarning):
            logger.warning("%s", warning.message)
            record["warnings"].append(str(warning.message))
    if fit.variogram.sill + sigma2 <= 0:
        raise KrigflowError("variogram: the residual variance is zero; nothing to model")
    record["variogram_fit"] = _fit_record(fit, space)
    record["well_mean_residuals"] = _well_means(residuals, data)
    logger.info("residual model: trend %s, variogram %s, well effect %.4g (%s space)", tr.kind, fit.variogram,
                sigma2, space)
    return ResidualModel(tr, residuals, ns, fit.variogram, sigma2, record)


def _fit_record(fit, space):
    """The fit as ``summary["variogram_fit"]`` records it (readable by ``VariogramFit.from_record``)."""
    rec = fit.describe()
    rec["experimental"] = [{"direction": ev.direction, "lag": ev.lags.tolist(), "gamma": ev.gamma.tolist(),
                            "pairs": ev.pairs.tolist(), "estimator": ev.estimator} for ev in fit.experimental]
    rec["model"] = dict(rec["chosen"])
    rec["space"] = space
    rec["method"] = "constrained"
    return rec


def _well_means(residuals, data):
    """Mean residual of each well, by name (property units)."""
    out = {}
    for k in np.unique(data.well):
        name = data.well_names[int(k)] if int(k) < len(data.well_names) else str(int(k))
        out[name] = float(np.mean(residuals[data.well == k]))
    return out


def residual_problem(config, grid, data, samples) -> dict:
    """The residual part of a run's problem: what :func:`krigflow.run.build_problem` stores.

    Fits :func:`fit_residual_model` with the config's ``trend``, ``variogram`` and (``conditional``)
    ``method`` options, and returns the data as residuals, the kriging kind and mean of the method, and the
    range of values the realizations can take (for the histogram bins).

    Parameters
    ----------
    config : dict
        Validated configuration.
    grid : krigflow.grid.Grid
    data : krigflow.conditioning.ConditioningData
        Upscaled data, property units.
    samples : tuple of 5 arrays
        ``(easting, northing, tvdss, values, well)`` of the log samples inside the grid.

    Returns
    -------
    dict
        ``data`` (values = residuals), ``variogram``, ``transform``, ``kind``, ``mean``, ``trend``,
        ``well_effect``, ``variogram_fit`` (record or None), ``record`` (:attr:`ResidualModel.record`),
        ``value_range`` (low, high) in property units.
    """
    import dataclasses

    method = config["method"]
    conditional = method["name"] == "conditional"
    model = fit_residual_model(data, samples, spacing=grid.spacing, trend=config.get("trend", "auto"),
                               variogram=config["variogram"], transform=method if conditional else None)
    residual_data = dataclasses.replace(data, values=np.asarray(model.residuals, dtype=float))
    kind, mean = config["kriging"]["kind"], config["kriging"]["mean"]
    if conditional:
        kind = "simple"          # conditioning by kriging: simple kriging of the residuals
        mean = 0.0 if model.transform is not None else (mean if mean is not None
                                                         else float(np.mean(model.residuals)))
    elif kind == "simple" and mean is None:
        mean = float(np.mean(model.residuals))
    t = model.trend.evaluate(grid.tvdss)
    t_low, t_high = float(np.min(t)), float(np.max(t))
    raw_low, raw_high = float(np.min(data.values)), float(np.max(data.values))
    r_low, r_high = float(np.min(model.residuals)), float(np.max(model.residuals))
    if conditional and model.transform is not None:
        low, high = model.transform.value_range(5.0)
    elif conditional:
        half = 5.0 * np.sqrt(model.variogram.sill + model.well_effect)
        low, high = mean - half, mean + half
    else:
        pad = 0.05 * (r_high - r_low)
        low, high = r_low - pad, r_high + pad
    low, high = min(low + t_low, raw_low), max(high + t_high, raw_high)
    if not conditional:
        pad = 0.05 * (raw_high - raw_low)
        low, high = min(low, raw_low - pad), max(high, raw_high + pad)
    return {"data": residual_data, "variogram": model.variogram, "transform": model.transform, "kind": kind,
            "mean": mean, "trend": model.trend, "well_effect": float(model.well_effect),
            "variogram_fit": model.record.get("variogram_fit"), "record": model.record,
            "value_range": (float(low), float(high))}
