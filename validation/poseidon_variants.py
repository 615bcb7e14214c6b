"""Leave-one-well-out on the Poseidon gamma ray: which trend / variogram / well-effect variant is honest?

The research behind issue 11. For each of the 8 Poseidon wells: fit everything on the other 7 wells
(upscaled to the issue's grid, 1000 x 1000 x 20 m over 398-437 km E, 8465-8501 km N, 1000-4600 m TVDSS) and
predict the held-out well's upscaled log. Every variant is scored on the same held-out cells:

* RMSE of the estimate (kriging estimate, or ensemble mean of the realizations), bias;
* coverage of the 80 % interval (Gaussian ``estimate +- 1.2816 sd`` for kriging, [P10, P90] of the
  realizations for simulation), Deutsch's goodness G, and the share of squared error that is a per-well offset;
* baselines: IDW (power 2, vertical x100, no trend), trend + IDW, training mean.

Variants (``VARIANTS``) combine: the trend (none / moving average of a window / polynomial), the variogram
(the old free ``auto`` fit of property values, or :func:`krigflow.variogram.constrained.fit_constrained` of
residuals with the horizontal range capped), the well effect (0 / estimated), the kriging kind, and
simulation (conditioning by kriging with a normal-score transform of the residuals, one offset per well
per realization).

Usage::

    python validation/poseidon_variants.py [--variants base,ma300,...] [--realizations 50] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import time
import warnings

import numpy as np

from krigflow.conditioning import upscale
from krigflow.crossval import (
    accuracy_points,
    bias,
    gaussian_pit,
    goodness,
    idw,
    offset_share,
    pit_values,
    rmse,
    training_mean,
    trend_idw,
)
from krigflow.grid import Grid
from krigflow.realizations import NormalScore, unconditional_fields
from krigflow.trend import fit_trend
from krigflow.variogram import (
    default_lags,
    horizontal_variogram,
    variogram_from_samples,
    vertical_variogram,
)
from krigflow.variogram.constrained import fit_constrained, vertical_plateau, well_spacing
from krigflow.well_effect import estimate_well_effect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOUNDS = [398000.0, 437000.0, 8465000.0, 8501000.0, 1000.0, 4600.0]
SPACING = [1000.0, 1000.0, 20.0]
Z80 = 1.2815515655446004
CACHE = "/tmp/krigflow_poseidon_samples.npz"

#: name -> options (see :func:`predict_fold`)
VARIANTS = {
    "base": dict(trend="none", vg="auto", kind="ordinary", well_effect=0),
    "base_trend_ma300": dict(trend=("moving_average", 300), vg="auto", kind="simple", well_effect=0),
    "ma300_cap": dict(trend=("moving_average", 300), vg="constrained", kind="simple", well_effect=0),
    "ma300_cap_we": dict(trend=("moving_average", 300), vg="constrained", kind="simple", well_effect="auto"),
    "ma200_cap_we": dict(trend=("moving_average", 200), vg="constrained", kind="simple", well_effect="auto"),
    "ma400_cap_we": dict(trend=("moving_average", 400), vg="constrained", kind="simple", well_effect="auto"),
    "poly3_cap_we": dict(trend=("polynomial", 3), vg="constrained", kind="simple", well_effect="auto"),
    "ma300_cap_we_ok": dict(trend=("moving_average", 300), vg="constrained", kind="ordinary", well_effect="auto"),
    "ma300_cap_we_sim": dict(trend=("moving_average", 300), vg="constrained", kind="simple", well_effect="auto",
                             sim=True),
    "ma400_cap_we_sim": dict(trend=("moving_average", 400), vg="constrained", kind="simple", well_effect="auto",
                             sim=True),
    "ma200_cap_we_sim": dict(trend=("moving_average", 200), vg="constrained", kind="simple", well_effect="auto",
                             sim=True),
    "ma300_cap_sim": dict(trend=("moving_average", 300), vg="constrained", kind="simple", well_effect=0,
                          sim=True),
}


def load_samples(data_dir):
    """Valid log samples of the 8 wells inside the model box: dict name -> (e, n, t, v), cached."""
    if os.path.exists(CACHE):
        z = np.load(CACHE, allow_pickle=False)
        names = [str(s) for s in z["names"]]
        return {nm: tuple(z[f"{i}_{k}"] for k in "entv") for i, nm in enumerate(names)}
    from krigflow.run import load_inputs, validate_config
    cfg = validate_config({
        "las": os.path.join(data_dir, "las", "*.LAS"), "well_headers": os.path.join(data_dir, "Well_Headers.csv"),
        "surveys": os.path.join(data_dir, "deviation", "*.dev"), "property": "GR",
        "grid": {"spacing": SPACING, "bounds": BOUNDS},
        "variogram": {"model": "auto"}, "outputs": {"formats": [], "figures": False}})
    out = {}
    for w in sorted(load_inputs(cfg), key=lambda w: w.name):
        arrays = [np.asarray(a, dtype=float) for a in (w.easting, w.northing, w.tvdss, w.values)]
        ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
        b = BOUNDS
        ok &= (arrays[0] >= b[0]) & (arrays[0] <= b[1]) & (arrays[1] >= b[2]) & (arrays[1] <= b[3]) \
            & (arrays[2] >= b[4]) & (arrays[2] <= b[5])
        out[w.name] = tuple(a[ok] for a in arrays)
    np.savez(CACHE, names=np.array(list(out)), **{f"{i}_{k}": out[nm][j] for i, nm in enumerate(out)
                                                   for j, k in enumerate("entv")})
    return out


def stack(samples, names):
    parts = [samples[n] for n in names]
    e, n, t, v = (np.concatenate([p[i] for p in parts]) for i in range(4))
    w = np.concatenate([np.full(p[0].size, i, dtype=np.int64) for i, p in enumerate(parts)])
    return e, n, t, v, w


def dense_kriging(variogram, coords, well, targets, sigma_w2, kind):
    """Weights (n, m) and variance (m,) of kriging with a well effect (targets in a new well)."""
    from krigflow.well_effect import krige_points_well_effect
    _, var, lam = krige_points_well_effect(variogram, coords, well, np.zeros(coords.shape[0]), targets, sigma_w2,
                                           kind=kind)
    return lam, var


def fit_variogram_variant(opts, e, n, t, r, w, data, spacing_info):
    """The residual variogram (and the well effect) of a variant, on the training samples."""
    info = {}
    if opts["vg"] == "auto":
        fit = variogram_from_samples(e, n, t, r, w, spacing=SPACING)
        v = fit.variogram
        return v, 0.0, {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h,
                        "range_v": v.range_v}
    lags = default_lags(e, n, t, SPACING, well=w)
    vert = vertical_variogram(t, r, w, lag=lags["lag_v"], max_lag=lags["max_lag_v"])
    horiz = horizontal_variogram(e, n, t, r, w, lag=lags["lag_h"], max_lag=lags["max_lag_h"], dz_tol=lags["dz_tol"])
    spacing, pairs = spacing_info
    cap = opts.get("cap", 1.0) * spacing
    variance = float(np.var(data["values"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_constrained(vert, horiz, variance=variance, spacing=spacing, well_pairs=pairs, range_h_max=cap)
    sigma_w2 = 0.0
    if opts["well_effect"] == "auto":
        first = fit.variogram
        if opts.get("plateau", True):   # first pass with the sill at the within-well plateau
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                first = fit_constrained(vert, horiz, variance=variance, spacing=spacing, well_pairs=pairs,
                                        range_h_max=cap, sill=min(vertical_plateau(vert), variance)).variogram
        est = estimate_well_effect(data["values"], data["well"], first, data["easting"], data["northing"],
                                   data["tvdss"])
        sigma_w2 = min(opts.get("we_scale", 1.0) * est["variance"], 0.9 * variance)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_constrained(vert, horiz, variance=variance, spacing=spacing, well_pairs=pairs,
                                  range_h_max=cap, well_effect=sigma_w2)
    elif opts["well_effect"]:
        sigma_w2 = float(opts["well_effect"])
    v = fit.variogram
    info = {"model": v.model, "sill": v.sill, "nugget": v.nugget, "range_h": v.range_h, "range_v": v.range_v,
            "well_effect": sigma_w2, "at_bound": list(fit.at_bound)}
    return v, sigma_w2, info


def predict_fold(opts, samples, held, grid, realizations, seed=1):
    names = [nm for nm in samples if nm != held]
    e, n, t, v, w = stack(samples, names)
    d0 = upscale(grid, e, n, t, v, w, well_names=tuple(names))
    he, hn, ht, hv = samples[held]
    truth = upscale(grid, he, hn, ht, hv, np.zeros(hv.size, dtype=np.int64), well_names=(held,))
    log = bool(opts.get("log"))
    fwd = (lambda x: np.log(np.maximum(x, 1.0))) if log else (lambda x: x)
    back = np.exp if log else (lambda x: x)
    d = d0._replace(values=fwd(d0.values)) if hasattr(d0, "_replace") else type(d0)(
        d0.easting, d0.northing, d0.tvdss, fwd(d0.values), d0.well, d0.cells, d0.well_names)
    v = fwd(v)
    kind, arg = (opts["trend"], None) if isinstance(opts["trend"], str) else opts["trend"]
    trend = fit_trend(d.tvdss, d.values, d.well, kind=kind, window=arg if kind == "moving_average" else None,
                      degree=arg if kind == "polynomial" else 2)
    res_data = trend.remove(d.tvdss, d.values)
    res_samples = trend.remove(t, v)
    scale_t = np.ones(truth.n)
    if opts.get("std"):   # trend in variance: residuals divided by a moving standard deviation
        sq = fit_trend(d.tvdss, res_data ** 2, d.well, kind="moving_average", window=opts.get("std_window", 400))
        res_data = res_data / np.sqrt(sq.evaluate(d.tvdss))
        res_samples = res_samples / np.sqrt(sq.evaluate(t))
        scale_t = np.sqrt(sq.evaluate(truth.tvdss))
    data = {"easting": d.easting, "northing": d.northing, "tvdss": d.tvdss, "values": res_data, "well": d.well}
    spacing_info = well_spacing(d.easting, d.northing, d.well)
    coords = np.stack([d.easting, d.northing, d.tvdss], 1)
    targets = np.stack([truth.easting, truth.northing, truth.tvdss], 1)
    trend_t = trend.evaluate(truth.tvdss)
    out = {"truth": truth.values, "idw": idw(coords, d0.values, targets),
           "trend_idw": back(trend_idw(coords, d.values, targets, trend)),
           "mean": training_mean(d0.values, truth.n), "trend": back(trend_t)}
    if not opts.get("sim"):
        v_, s2, info = fit_variogram_variant(opts, e, n, t, res_samples, w, data, spacing_info)
        lam, var = dense_kriging(v_, coords, d.well, targets, s2, opts["kind"])
        if opts["kind"] == "simple":
            est = lam.T @ res_data
        else:
            est = lam.T @ res_data
        sd = np.sqrt(var)
        if log:   # lognormal: mean exp(m + s2/2); PIT in log space
            out["estimate"] = np.exp(trend_t + est + 0.5 * var)
            out["pit"] = gaussian_pit(np.log(np.maximum(truth.values, 1.0)), trend_t + est, sd)
        else:
            out["estimate"] = trend_t + scale_t * est
            sd = sd * scale_t
            out["pit"] = gaussian_pit(truth.values, out["estimate"], sd)
        out["sd"] = sd
        return out, info
    # conditional simulation of normal scores of the residuals
    if opts.get("ns", True):
        ns = NormalScore.fit(res_data)
        y = ns.transform(res_data)
        y_samples = NormalScore.fit(res_samples, tails="extrapolate").transform(res_samples)
    else:   # Gaussian simulation of the residuals themselves
        class _Identity:
            def back_transform(self, x):
                return x
        ns, y, y_samples = _Identity(), res_data, res_samples
    data_y = dict(data, values=y)
    v_, s2, info = fit_variogram_variant(opts, e, n, t, y_samples, w, data_y, spacing_info)
    lam, _ = dense_kriging(v_, coords, d.well, targets, s2, "simple")
    n_wells = len(names)
    sims = np.empty((realizations, truth.n))
    for start in range(0, realizations, 10):
        idx = np.arange(start, min(start + 10, realizations))
        fields = unconditional_fields(grid, v_, seed, idx)
        for j, r in enumerate(idx):
            f = fields[j]
            rng = np.random.default_rng([seed, int(r), 7])
            off = np.sqrt(s2) * rng.standard_normal(n_wells + 1)
            u_data = f[d.cells[:, 0], d.cells[:, 1], d.cells[:, 2]] + off[d.well]
            u_t = f[truth.cells[:, 0], truth.cells[:, 1], truth.cells[:, 2]] + off[-1]
            sims[r] = back(scale_t * ns.back_transform(u_t + lam.T @ (y - u_data)) + trend_t)
    out["realizations"] = sims
    out["estimate"] = sims.mean(axis=0)
    out["pit"] = pit_values(truth.values, sims)
    return out, info


def score(truth, est, pit, well):
    xi = accuracy_points(pit)
    return {"rmse": rmse(truth, est), "bias": bias(truth, est), "coverage_80": float(xi[7]),
            "goodness": goodness(xi), "offset_share": offset_share(truth, est, well)}


def run_variant(name, opts, samples, grid, realizations):
    start = time.perf_counter()
    pooled = {k: [] for k in ("truth", "estimate", "pit", "idw", "trend_idw", "mean", "trend", "well")}
    rows = []
    for i, held in enumerate(samples):
        out, info = predict_fold(opts, samples, held, grid, realizations)
        row = {"well": held, "cells": int(out["truth"].size),
               **score(out["truth"], out["estimate"], out["pit"], np.zeros(out["truth"].size)),
               "rmse_idw": rmse(out["truth"], out["idw"]), "variogram": info}
        rows.append(row)
        for k in pooled:
            pooled[k].append(np.full(out["truth"].size, i) if k == "well" else out[k])
    p = {k: np.concatenate(v) for k, v in pooled.items()}
    summary = {"cells": int(p["truth"].size), **score(p["truth"], p["estimate"], p["pit"], p["well"]),
               "rmse_idw": rmse(p["truth"], p["idw"]), "rmse_trend_idw": rmse(p["truth"], p["trend_idw"]),
               "rmse_mean": rmse(p["truth"], p["mean"]), "rmse_trend": rmse(p["truth"], p["trend"]), "seconds": round(time.perf_counter() - start, 1)}
    summary["ratio_idw"] = summary["rmse"] / summary["rmse_idw"]
    print(f"{name:22s} RMSE {summary['rmse']:6.2f} (x{summary['ratio_idw']:.2f} IDW {summary['rmse_idw']:.2f}; "
          f"trend+IDW {summary['rmse_trend_idw']:.2f}; mean {summary['rmse_mean']:.2f}) cov80 "
          f"{summary['coverage_80']:.3f} trend {summary['rmse_trend']:.2f} G {summary['goodness']:.3f} bias {summary['bias']:+.2f} "
          f"offset {summary['offset_share']:.2f} ({summary['seconds']:.0f} s)", flush=True)
    return {"options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}, "pooled": summary,
            "wells": rows}


def parse_variant(name):
    """``base`` or ``base:key=value,key=value`` (values are JSON, or strings)."""
    base, _, extra = name.partition(":")
    opts = dict(VARIANTS[base])
    for item in filter(None, extra.split(",")):
        key, _, value = item.partition("=")
        try:
            opts[key] = json.loads(value)
        except json.JSONDecodeError:
            opts[key] = value
        if key == "trend" and isinstance(opts[key], list):
            opts[key] = tuple(opts[key])
    return opts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/work/shared/data/poseidon")
    parser.add_argument("--variants", default=";".join(VARIANTS), help="names separated by ;")
    parser.add_argument("--realizations", type=int, default=50)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("lasio").setLevel(logging.ERROR)
    samples = load_samples(os.path.abspath(args.data))
    grid = Grid.from_bounds(BOUNDS, SPACING)
    results = {}
    for name in args.variants.split(";"):
        results[name] = run_variant(name, parse_variant(name), samples, grid, args.realizations)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"grid": {"bounds": BOUNDS, "spacing": SPACING}, "realizations": args.realizations,
                       "variants": results}, fh, indent=2)
    return results


if __name__ == "__main__":
    main()
