"""Leave-one-well-out on the Poseidon gamma ray with a tool-family effect (issue 11, RMSE target research).

About 45 % of the squared error of the best variants (validation/poseidon_variants.py) is a constant offset
per held-out well, and it follows the logging tool. This script tries one model for it:

    z(x) = m(tvdss) + f[family(well)] + w[well] + e(x)

with ``m`` the moving-average depth trend (300 m), ``e`` the residual field (constrained variogram: vertical
alone, horizontal range capped at the well spacing), ``w`` the per-well offset (variance ``sigma_w**2``) and
``f`` a **tool-family offset** shared by every well logged with the same mnemonic (ECGR, GR, GRARC, GRD),
variance ``sigma_f**2``. The family of a well is read from its LAS file only (its metadata): the held-out
well's log values are never used. Simple kriging of the residuals with the covariance

    C_e(x, y) + sigma_w**2 [same well] + sigma_f**2 [same family]

between data, ``C_e + sigma_f**2 [same family]`` between a datum and the held-out well's cells, and the
variance ``sill + sigma_w**2 + sigma_f**2`` there: the held-out well's family offset is predicted from the
training wells of its family (shrunk towards 0 as kriging does), and is unknown (full variance) when no
training well shares its mnemonic. Gaussian 80 % interval ``estimate +- 1.2816 sd``.

Variance components, on the training wells only: ``sigma_b**2 = sigma_w**2 + sigma_f**2`` is the well
effect of the constrained fit (spread of the wells' mean residuals minus what the within-well variogram
explains: :func:`krigflow.well_effect.estimate_well_effect`); it is split by the spread of the well means
*within* families (pooled over the families with two or more training wells): ``sigma_w**2 = clip(S_within**2
- explained, 0, sigma_b**2)``, ``sigma_f**2 = sigma_b**2 - sigma_w**2``. (``--split family`` puts all of
``sigma_b**2`` in the family term, ``--split well`` none: the row-4 model of poseidon_variants.)

Usage::

    python validation/poseidon_tool_family.py [--split auto|family|well] [--window 300] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import numpy as np
import scipy.linalg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from poseidon_variants import (
    BOUNDS,
    SPACING,
    VARIANTS,
    fit_variogram_variant,
    load_samples,
    score,
    stack,
)

from krigflow.conditioning import upscale
from krigflow.crossval import gaussian_pit, idw, rmse
from krigflow.grid import Grid
from krigflow.trend import fit_trend
from krigflow.variogram.constrained import well_spacing
from krigflow.well_effect import mean_variance_within


def well_families(data_dir) -> dict:
    """Mnemonic of the property curve each well was read from (its LAS file): name -> mnemonic."""
    from krigflow.run import load_inputs, validate_config
    cfg = validate_config({
        "las": os.path.join(data_dir, "las", "*.LAS"), "well_headers": os.path.join(data_dir, "Well_Headers.csv"),
        "surveys": os.path.join(data_dir, "deviation", "*.dev"), "property": "GR",
        "grid": {"spacing": SPACING, "bounds": BOUNDS}, "outputs": {"formats": [], "figures": False}})
    return {w.name: str(w.curve).upper() for w in load_inputs(cfg)}


def split_components(res, well, family_of_well, variogram, e, n, t, total, how="auto"):
    """Split the between-well variance ``total`` into (sigma_w**2, sigma_f**2) from the spread within families."""
    if how == "family":
        return 0.0, total
    if how == "well":
        return total, 0.0
    labels = np.unique(well)
    means = {k: res[well == k].mean() for k in labels}
    explained = np.mean([mean_variance_within(variogram, e[well == k], n[well == k], t[well == k])
                         for k in labels])
    ss, dof = 0.0, 0
    for fam in {family_of_well[k] for k in labels}:
        m = np.array([means[k] for k in labels if family_of_well[k] == fam])
        if m.size >= 2:
            ss += float(np.sum((m - m.mean()) ** 2))
            dof += m.size - 1
    if dof == 0:            # no family with two wells: nothing says how much is family
        return total, 0.0
    sw2 = float(np.clip(ss / dof - explained, 0.0, total))
    return sw2, total - sw2


def krige_family(variogram, coords, well, fam, targets, fam_target, sw2, sf2, values):
    """Simple kriging with the well and family effects; returns estimate, variance (targets in a new well)."""
    def cov(a, b):
        d = a[:, None, :] - b[None, :, :]
        return variogram.covariance(d[..., 0], d[..., 1], d[..., 2])
    c = cov(coords, coords)
    c += sw2 * (well[:, None] == well[None, :]) + sf2 * (fam[:, None] == fam[None, :])
    c0 = cov(coords, targets) + sf2 * (fam == fam_target)[:, None]
    lam = scipy.linalg.cho_solve(scipy.linalg.cho_factor(c, lower=True), c0)
    var = variogram.sill + sw2 + sf2 - np.einsum("ij,ij->j", lam, c0)
    return lam.T @ values, np.maximum(var, 0.0)


def predict(samples, families, held, grid, split, window=300.0):
    opts = dict(VARIANTS["ma300_cap_we"])
    names = [nm for nm in samples if nm != held]
    e, n, t, v, w = stack(samples, names)
    d = upscale(grid, e, n, t, v, w, well_names=tuple(names))
    he, hn, ht, hv = samples[held]
    truth = upscale(grid, he, hn, ht, hv, np.zeros(hv.size, dtype=np.int64), well_names=(held,))
    trend = fit_trend(d.tvdss, d.values, d.well, kind="moving_average", window=window)
    res = trend.remove(d.tvdss, d.values)
    data = {"easting": d.easting, "northing": d.northing, "tvdss": d.tvdss, "values": res, "well": d.well}
    vg, sb2, info = fit_variogram_variant(opts, e, n, t, trend.remove(t, v), w, data,
                                          well_spacing(d.easting, d.northing, d.well))
    fam_names = sorted(set(families.values()))
    fam_of_label = {i: families[nm] for i, nm in enumerate(names)}
    sw2, sf2 = split_components(res, d.well, fam_of_label, vg, d.easting, d.northing, d.tvdss, sb2, split)
    fam = np.array([fam_names.index(fam_of_label[k]) for k in d.well])
    coords = np.stack([d.easting, d.northing, d.tvdss], 1)
    targets = np.stack([truth.easting, truth.northing, truth.tvdss], 1)
    est, var = krige_family(vg, coords, np.asarray(d.well), fam, targets, fam_names.index(families[held]), sw2, sf2,
                            res)
    estimate = trend.evaluate(truth.tvdss) + est
    sd = np.sqrt(var)
    return {"truth": truth.values, "estimate": estimate, "pit": gaussian_pit(truth.values, estimate, sd),
            "idw": idw(coords, d.values, targets)}, {"sigma_b2": sb2, "sigma_w2": sw2, "sigma_f2": sf2,
                                                      "family": families[held],
                                                      "family_in_training": families[held] in fam_of_label.values(),
                                                      **info}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/work/shared/data/poseidon")
    parser.add_argument("--split", choices=("auto", "family", "well"), default="auto")
    parser.add_argument("--window", type=float, default=300.0, help="moving-average window of the trend (m)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("lasio").setLevel(logging.ERROR)
    data = os.path.abspath(args.data)
    samples = load_samples(data)
    families = well_families(data)
    grid = Grid.from_bounds(BOUNDS, SPACING)
    pooled = {k: [] for k in ("truth", "estimate", "pit", "idw", "well")}
    rows = []
    for i, held in enumerate(samples):
        out, info = predict(samples, families, held, grid, args.split, args.window)
        row = {"well": held, "cells": int(out["truth"].size),
               **score(out["truth"], out["estimate"], out["pit"], np.zeros(out["truth"].size)),
               "rmse_idw": rmse(out["truth"], out["idw"]), **info}
        rows.append(row)
        print(f"  {held:18s} {families[held]:6s} in training: {info['family_in_training']!s:5s} RMSE "
              f"{row['rmse']:6.2f} (IDW {row['rmse_idw']:6.2f}) bias {row['bias']:+6.2f} cov80 {row['coverage_80']:.2f}"
              f"  sigma_w2 {info['sigma_w2']:7.1f} sigma_f2 {info['sigma_f2']:7.1f}", flush=True)
        for k, parts in pooled.items():
            parts.append(np.full(out["truth"].size, i) if k == "well" else out[k])
    p = {k: np.concatenate(v) for k, v in pooled.items()}
    summary = {"cells": int(p["truth"].size), **score(p["truth"], p["estimate"], p["pit"], p["well"]),
               "rmse_idw": rmse(p["truth"], p["idw"])}
    summary["ratio_idw"] = summary["rmse"] / summary["rmse_idw"]
    print(f"tool family ({args.split}, MA {args.window:g}): RMSE {summary['rmse']:.2f} (x{summary['ratio_idw']:.3f} IDW "
          f"{summary['rmse_idw']:.2f}) cov80 {summary['coverage_80']:.3f} G {summary['goodness']:.3f} bias "
          f"{summary['bias']:+.2f} offset share {summary['offset_share']:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"split": args.split, "window": args.window, "families": families, "pooled": summary, "wells": rows}, fh, indent=1,
                      default=float)
    return summary


if __name__ == "__main__":
    main()
