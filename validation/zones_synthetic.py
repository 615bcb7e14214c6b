"""Zoned modelling on a layered synthetic truth against IDW in TVDSS (issue 12's acceptance numbers).

The truth (:mod:`krigflow.zones.synthetic`): three zones between undulating horizons (2 000 x 2 000 m,
cells of 50 m, 10 + 12 + 8 proportional layers), zone means 45 / 95 / 60 with trends inside the zones and
a residual field correlated along the layers (700 m horizontally). Ten vertical wells are sampled every
0.5 m; one stops in the middle zone. Tops are the true horizon depths at the wells, given in MD.

The zoned workflow sees only the wells and the tops: surfaces from the tops (kriged depth and isochores,
tied to the tops), the same layering, a linear trend per zone, a variogram fitted per zone to the residual
samples in simbox coordinates, conditional simulation of normal scores (``--realizations``) per zone.
The reference is IDW (power 2) in TVDSS of the samples upscaled to a TVDSS box of 50 x 50 x 2 m cells, with
distances scaled by a horizontal:vertical ratio of 100 (a 5 m vertical range against 500 m horizontally).

Reported, over the active cells of the estimated grid, against the truth at their centres:

* RMSE of the zoned ensemble mean and of IDW, in all cells and in cells farther than ``--away`` m
  (horizontally) from every well; the gain ``1 - rmse_zoned / rmse_idw`` (target >= 15 %);
* coverage of the truth by [P10, P90] far from the wells (target 75-85 %);
* misfit of each estimated horizon at the well tops (target <= 3 m) and its RMSE against the true horizon.

Usage::

    python validation/zones_synthetic.py [--realizations 60] [--away 150] [--json results.json]
    python validation/zones_synthetic.py --matrix validation/zones_synthetic.json   # {10, 20} wells x
        {tops, seismic} with the defaults, plus fixed horizons and true horizons (the diagnosis)
"""
from __future__ import annotations

import argparse
import json
import logging
import time

import numpy as np

from krigflow.conditioning import upscale
from krigflow.grid import Grid
from krigflow.zones import (
    ZoneSpec,
    build_stratigraphic_grid,
    place_tops,
    surface_from_tops,
    surface_uncertainty,
    truncate_crossings,
)
from krigflow.zones.model import build_zone_problems, zoned_realizations
from krigflow.zones.synthetic import default_well_positions, make_layered_truth, sample_wells, truth_tops


def idw(train_xyz, train_v, target_xyz, ratio=100.0, power=2.0, chunk=4000):
    """Inverse-distance weighting in TVDSS with the vertical axis stretched by ``ratio``."""
    scale = np.array([1.0, 1.0, ratio])
    a_all, b = target_xyz * scale, train_xyz * scale
    out = np.empty(a_all.shape[0])
    for start in range(0, a_all.shape[0], chunk):
        a = a_all[start:start + chunk]
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        w = 1.0 / np.maximum(d2, 1e-12) ** (power / 2)
        out[start:start + chunk] = (w @ train_v) / w.sum(axis=1)
    return out


def build_surfaces(lattice, tops, names):
    """Estimated horizons from placed tops: kriged depth of the first, isochores below, truncated."""
    surfaces = []
    for k, name in enumerate(names):
        sel = tops.select(surface=name)
        surfaces.append(surface_from_tops(lattice, sel.easting, sel.northing, sel.tvdss,
                                          above=surfaces[-1] if surfaces else None))
    return truncate_crossings(np.stack(surfaces), names)


def seismic_surfaces(truth, tops, names, error=8.0):
    """'Seismic' horizons: the truth plus a smooth depth-conversion error, written to and read back from IRAP
    binary files by xtgeo, then tied to the tops."""
    import tempfile

    from krigflow.zones import read_surface, tie_surface, write_surface
    lattice = truth.sgrid.lattice
    ne, nn = lattice.nodes()
    e0, e1, n0, n1 = lattice.bounds
    x, y = (ne - e0) / (e1 - e0), (nn - n0) / (n1 - n0)
    out, priors = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, name in enumerate(names):
            wrong = truth.sgrid.surfaces[k] + error * (0.6 + x - 0.7 * y + 0.3 * np.sin(2 * np.pi * (x + k / 4)))
            path = write_surface(f"{tmp}/{name}.gri", lattice, wrong)
            sel = tops.select(surface=name)
            priors[name] = read_surface(path, lattice)
            out.append(tie_surface(lattice, priors[name], sel.easting, sel.northing, sel.tvdss))
    return (*truncate_crossings(np.stack(out), names), priors)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realizations", type=int, default=60)
    parser.add_argument("--away", type=float, default=150.0)
    parser.add_argument("--wells", type=int, default=10)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--surfaces", choices=("tops", "seismic", "true"), default="tops",
                        help="horizons from the tops only, from 'seismic' files (truth + smooth error) tied to the "
                             "tops, or the true horizons (isolates the property model)")
    parser.add_argument("--variogram", choices=("auto", "true"), default="auto",
                        help="residual variogram per zone: fitted to the wells, or the truth's (normal scores)")
    parser.add_argument("--transform", choices=("auto", "normal_score", "none"), default="auto",
                        help="per-zone transform (default auto: the run's default)")
    parser.add_argument("--trend", default="auto", help="per-zone trend in stratigraphic depth (default auto)")
    parser.add_argument("--surface-uncertainty", choices=("auto", "none"), default="auto",
                        help="draw the horizons per realization (krigflow.zones.structural) or keep them fixed")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()

    truth = make_layered_truth()
    lattice = truth.sgrid.lattice
    wells = sample_wells(truth, default_well_positions(lattice, args.wells), stop_above_base=[3])
    placed, _ = place_tops(truth_tops(truth, wells), wells)
    names = truth.sgrid.surface_names
    priors = None
    if args.surfaces == "true":
        surfaces, crossings = truth.sgrid.surfaces, []
    elif args.surfaces == "seismic":
        surfaces, crossings, priors = seismic_surfaces(truth, placed, names)
    else:
        surfaces, crossings = build_surfaces(lattice, placed, names)
    zones = [ZoneSpec(z.name, z.n_layers) for z in truth.sgrid.zones]
    sgrid = build_stratigraphic_grid(lattice, surfaces, zones, surface_names=names)

    e = np.concatenate([w.easting for w in wells])
    n = np.concatenate([w.northing for w in wells])
    z = np.concatenate([w.tvdss for w in wells])
    v = np.concatenate([w.values for w in wells])
    well = np.concatenate([np.full(w.md.size, i) for i, w in enumerate(wells)])
    method = {"name": "conditional", "transform": args.transform, "tails": "linear"}
    variograms = None
    if args.variogram == "true":
        variograms = [{"model": vg.model, "sill": vg.sill, "range_h": vg.range_h, "range_v": vg.range_v}
                      for vg in truth.variograms]
    problems = build_zone_problems(sgrid, e, n, z, v, well, well_names=[w.name for w in wells], method=method,
                                   variograms=variograms, trends=args.trend)
    structure = None
    if args.surface_uncertainty == "auto" and args.surfaces != "true":
        structure = surface_uncertainty(lattice, sgrid.surfaces, placed, names, priors=priors)
    reals = zoned_realizations(sgrid, problems, method, args.seed, range(args.realizations), structure=structure)
    mean = reals.mean(axis=0)
    p10, p90 = np.percentile(reals, [10, 90], axis=0)

    act = sgrid.actnum()
    ce, cn, cz = (c[act] for c in sgrid.cell_centres())
    target_truth = truth.value_at(ce, cn, cz)
    box = Grid.from_bounds((*lattice.bounds, float(np.floor(z.min())), float(np.floor(z.min())) + 2.0 *
                            np.ceil((z.max() - np.floor(z.min())) / 2.0)), (50.0, 50.0, 2.0))
    box_data = upscale(box, e, n, z, v, well.astype(np.int64))
    est_idw = idw(np.stack([box_data.easting, box_data.northing, box_data.tvdss], 1), box_data.values,
                  np.stack([ce, cn, cz], 1))
    heads = np.array([[w.easting[0], w.northing[0]] for w in wells])
    dist = np.sqrt(((np.stack([ce, cn], 1)[:, None, :] - heads[None]) ** 2).sum(-1)).min(1)
    far = dist > args.away

    def rmse(est, sel):
        return float(np.sqrt(np.mean((est[sel] - target_truth[sel]) ** 2)))
    everywhere = np.ones(ce.size, bool)
    res = {"cells": int(ce.size), "far_cells": int(far.sum()), "realizations": args.realizations,
           "surfaces": args.surfaces, "variogram": args.variogram, "transform": args.transform,
           "wells": args.wells, "surface_uncertainty_mode": args.surface_uncertainty, "trend": args.trend}
    for label, sel in (("all", everywhere), ("far", far)):
        res[f"rmse_zoned_{label}"] = rmse(mean[act], sel)
        res[f"rmse_idw_{label}"] = rmse(est_idw, sel)
        res[f"gain_{label}"] = 1.0 - res[f"rmse_zoned_{label}"] / res[f"rmse_idw_{label}"]
    inside = (target_truth >= p10[act]) & (target_truth <= p90[act])
    res["coverage_p10_p90_far"] = float(inside[far].mean())
    res["coverage_p10_p90_all"] = float(inside.mean())
    misfits, surf_rmse = {}, {}
    for k, name in enumerate(names):
        sel = placed.select(surface=name)
        misfits[name] = float(np.max(np.abs(lattice.bilinear(sgrid.surfaces[k], sel.easting, sel.northing)
                                            - sel.tvdss)))
        surf_rmse[name] = float(np.sqrt(np.mean((sgrid.surfaces[k] - truth.sgrid.surfaces[k]) ** 2)))
    res["max_top_misfit_m"] = misfits
    res["surface_rmse_m"] = surf_rmse
    res["crossings"] = crossings
    res["surface_uncertainty"] = structure.describe() if structure is not None else None
    if structure is not None:   # calibration of the drawn horizons: truth inside their P10-P90 at the nodes
        draws = np.stack([structure.draw(args.seed, r) for r in range(args.realizations)])
        lo, hi = np.percentile(draws, [10, 90], axis=0)
        far_nodes = np.ones(truth.sgrid.surfaces.shape[1:], bool)
        ne, nn = lattice.nodes()
        for h in heads:
            far_nodes &= np.hypot(ne - h[0], nn - h[1]) > args.away
        res["surface_coverage_p10_p90_far"] = {name: float(np.mean(((truth.sgrid.surfaces[k] >= lo[k]) &
                                                                    (truth.sgrid.surfaces[k] <= hi[k]))[far_nodes]))
                                               for k, name in enumerate(names)}
    res["zones"] = [p.describe() for p in problems]
    # error decomposition: cells whose estimated zone differs from the truth's zone at their centre
    true_zone = truth.sgrid.locate(ce, cn, cz)["zone"]
    est_zone = sgrid.locate(ce, cn, cz)["zone"]
    wrong = (true_zone != est_zone) & far
    res["far_cells_in_wrong_zone"] = float(wrong.mean() / max(far.mean(), 1e-12))
    sq = (mean[act] - target_truth) ** 2
    res["far_mse_share_wrong_zone"] = float(sq[wrong].sum() / max(sq[far].sum(), 1e-12))
    res["seconds"] = round(time.perf_counter() - start, 1)
    print(f"cells {res['cells']} (far {res['far_cells']}), {args.realizations} realizations, {res['seconds']} s")
    for label in ("all", "far"):
        print(f"  RMSE {label:>3}: zoned mean {res[f'rmse_zoned_{label}']:.2f}  IDW(TVDSS) "
              f"{res[f'rmse_idw_{label}']:.2f}  gain {100 * res[f'gain_{label}']:.1f} %")
    print(f"  P10-P90 coverage: far {100 * res['coverage_p10_p90_far']:.1f} %, all "
          f"{100 * res['coverage_p10_p90_all']:.1f} %")
    print("  max |surface - top| at wells (m): " + ", ".join(f"{k} {v:.3f}" for k, v in misfits.items()))
    print(f"  far cells in the wrong zone: {100 * res['far_cells_in_wrong_zone']:.1f} %, their share of the far "
          f"squared error: {100 * res['far_mse_share_wrong_zone']:.1f} %")
    if structure is not None:
        print("  surface error model: " + ", ".join("fixed" if d is None else f"std {d['std_m']:.1f} m range "
                                                   f"{d['range_m']:.0f} m" for d in res["surface_uncertainty"]))
        print("  surface P10-P90 coverage far: " + ", ".join(f"{k} {100 * v:.0f} %" for k, v in
                                                          res["surface_coverage_p10_p90_far"].items()))
    print("  surface RMSE vs truth (m): " + ", ".join(f"{k} {v:.2f}" for k, v in surf_rmse.items()))
    for p in res["zones"]:
        vg = p["variogram"]
        print(f"  zone {p['zone']}: {p['data']} data, trend {p['trend']['kind']}, {p['transform']}, {vg['model']} "
              f"sill {vg['sill']:.3g} range_h {vg['range_h']:.0f} (cap {p['range_h_cap'] or float('nan'):.0f}) "
              f"range_v {vg['range_v']:.1f} nugget {vg['nugget']:.2f} well effect {p['well_effect']:.3g}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return res


MATRIX = [(w, s, u) for w in (10, 20) for s, u in (("tops", "auto"), ("seismic", "auto"), ("tops", "none"),
                                                     ("seismic", "none"), ("true", "none"))]


def matrix(path, realizations=60):
    """Run every case of :data:`MATRIX` and write them to ``path`` (``{"command", "runs"}``)."""
    runs = []
    for wells, surfaces, uncertainty in MATRIX:
        runs.append(main(["--wells", str(wells), "--surfaces", surfaces, "--surface-uncertainty", uncertainty,
                          "--realizations", str(realizations)]))
    with open(path, "w") as f:
        json.dump({"command": "python validation/zones_synthetic.py --realizations 60 --wells W --surfaces S "
                              "--surface-uncertainty U", "runs": runs}, f, indent=1)


if __name__ == "__main__":
    import sys
    if "--matrix" in sys.argv:
        matrix(sys.argv[sys.argv.index("--matrix") + 1])
    else:
        main()
