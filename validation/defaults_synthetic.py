"""Defaults-only runs on a layered synthetic truth with zones and trends (issue 11, done-when #2).

Done-when: "On synthetic data with zones and trends that the project generates itself, a defaults-only run
covers the truth with its P10-P90 in 75-85 % of the cells far from wells, and its mean beats IDW."

For each seed:

* the truth is :func:`krigflow.zones.synthetic.make_layered_truth` (three zones between folded, dipping
  horizons of laterally varying thickness, zone means 45 / 95 / 60 with trends inside the zones, a
  residual field correlated along the layers; 2 000 x 2 000 m lattice of 50 m cells), seeded by the seed;
* ``--wells`` vertical wells (jittered pattern seeded by the seed) are sampled every 0.5 m and written as
  LAS 2.0 files plus a ``well_headers.csv``, exactly as a user would receive them;
* the run configuration holds the data keys and the grid only (``las``, ``well_headers``, ``property``,
  ``grid``: 50 x 50 x ``--dz`` m over the lattice and the zones' depth span) plus ``realizations`` and
  ``seed``: trend, variogram, well effect and method are the defaults (a "flat" run: no zones; the
  zoned workflow has its own check, validation/zones_synthetic.py);
* the run is :func:`krigflow.run.run_local` (no files written); the truth is read at the box cells' centres.

Scored on the box cells inside the zones (cells above the top horizon or below the base hold the constant
shoulder value of the synthetic logs) that are **far from the wells**: horizontal distance to the nearest
well larger than half the well spacing (median distance from a well to its nearest neighbour: 400-550 m
with 10 wells, so "far" is 200-275 m and more):

* coverage of the truth by [P10, P90] (target 0.75-0.85);
* RMSE of the ensemble mean against the truth, and of IDW as ``krigflow validate`` defines it (power 2, the
  well logs upscaled to the grid, vertical distances x100, no trend); the mean must beat IDW.

``--tool-offset X`` logs every second well as 'ECGR' reading X lower than the truth (the others 'GR'); the
truth is what GR reads, and the run is scored as is and with ``tool_offsets: none`` ("no tools"). IDW then
uses the logs as recorded.

Usage::

    python validation/defaults_synthetic.py [--seeds 1 2 3] [--wells 10] [--realizations 50] [--tool-offset 20]
                                            [--json validation/defaults_synthetic.json]

validation/defaults_synthetic.json: ``--seeds 1 2 3 4 5 6 7 8`` (30-50 s per seed on a loaded 2-core machine);
validation/tool_offsets_synthetic.json: ``--seeds 1 2 3 4 --tool-offset 20``.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import tempfile
import time

import numpy as np

from krigflow.conditioning import upscale
from krigflow.crossval import idw
from krigflow.run import run_local, validate_config
from krigflow.zones import Lattice, write_tops
from krigflow.zones.synthetic import default_well_positions, make_layered_truth, sample_wells, truth_tops

logger = logging.getLogger("defaults_synthetic")

ORIGIN = (500000.0, 7000000.0)
KB = 25.0
NULL = -999.25


def las_text(well, mnemonic="GR", shift=0.0) -> str:
    """LAS 2.0 text of one synthetic vertical well (DEPT = MD in m, GR in gAPI, head X/Y and EKB); the curve is
    named ``mnemonic`` and reads ``shift`` off the truth (a tool that reads differently)."""
    import lasio

    las = lasio.LASFile()
    las.well["WELL"].value = well.name
    las.well["NULL"].value = NULL
    las.well.append(lasio.HeaderItem("X", unit="m", value=round(float(well.easting[0]), 2), descr="Easting"))
    las.well.append(lasio.HeaderItem("Y", unit="m", value=round(float(well.northing[0]), 2), descr="Northing"))
    las.well.append(lasio.HeaderItem("EKB", unit="m", value=KB, descr="Datum elevation"))
    las.append_curve("DEPT", np.round(well.md, 2), unit="m", descr="Measured depth")
    las.append_curve(mnemonic, np.round(well.values + shift, 3), unit="gAPI", descr="Gamma ray (synthetic)")
    buffer = io.StringIO()
    las.write(buffer, version=2.0, wrap=False, fmt="%.3f", column_fmt={0: "%.2f"})
    return buffer.getvalue()


def make_case(folder, seed, *, n_wells=10, shape=(40, 40), spacing=(50.0, 50.0), layers=(10, 12, 8),
              tool_offset=0.0):
    """Write the synthetic wells of one seed into ``folder`` as LAS files, headers and MD tops.

    With ``tool_offset`` every second well is logged with 'ECGR' reading ``tool_offset`` lower than the truth
    (the others with 'GR', reading the truth): the truth is what the GR tool reads.

    Returns
    -------
    dict
        ``truth`` (LayeredTruth), ``wells`` (the sampled Well objects), ``las``, ``well_headers``, ``tops``
        (paths) and ``zbounds`` (TVDSS span of the zones, rounded outwards to 20 m).
    """
    lattice = Lattice(ORIGIN, spacing, shape)
    truth = make_layered_truth(lattice, layers=layers, seed=seed)
    positions = np.round(default_well_positions(lattice, n_wells, seed=seed), 2)
    wells = sample_wells(truth, positions, kb=KB, names=[f"SY-{k + 1:02d}" for k in range(n_wells)])
    os.makedirs(os.path.join(folder, "las"), exist_ok=True)
    shifts = [-float(tool_offset) if k % 2 else 0.0 for k in range(len(wells))]
    for w, shift in zip(wells, shifts):
        with open(os.path.join(folder, "las", f"{w.name}.las"), "w", encoding="utf-8") as fh:
            fh.write(las_text(w, "ECGR" if shift else "GR", shift))
    rows = ["Name,X,Y,DFE"] + [f"{w.name},{w.easting[0]:.2f},{w.northing[0]:.2f},{KB:.2f}" for w in wells]
    headers = os.path.join(folder, "well_headers.csv")
    with open(headers, "w", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    tops = truth_tops(truth, wells)
    tops = type(tops)(tops.well, tops.surface, np.round(tops.md, 2), tops.tvdss)
    tops_path = str(write_tops(os.path.join(folder, "tops.csv"), tops))
    surf = truth.sgrid.surfaces
    zbounds = (20.0 * np.floor(surf[0].min() / 20.0), 20.0 * np.ceil(surf[-1].max() / 20.0))
    return {"truth": truth, "wells": wells, "las": os.path.join(folder, "las", "*.las"), "well_headers": headers,
            "tops": tops_path, "zbounds": zbounds, "lattice": lattice, "shifts": shifts}


def defaults_config(case, folder, *, dz=4.0, realizations=50, seed=1, cell=50.0) -> dict:
    """The run configuration: data keys + grid only (plus realizations, seed, no output files)."""
    e0, e1, n0, n1 = case["lattice"].bounds
    cfg = {"las": case["las"], "well_headers": case["well_headers"], "property": "GR",
           "grid": {"spacing": [cell, cell, dz], "bounds": [e0, e1, n0, n1, *case["zbounds"]]},
           "realizations": realizations, "seed": seed, "output": os.path.join(folder, "out"),
           "outputs": {"formats": [], "figures": False}}
    return validate_config(cfg, base_dir=folder)


def well_spacing(wells) -> float:
    """Median horizontal distance from a well to its nearest neighbour (m)."""
    heads = np.array([[w.easting[0], w.northing[0]] for w in wells])
    d = np.hypot(*(heads[:, None, :] - heads[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    return float(np.median(d.min(axis=1)))


def box_scores(case, box_grid, arrays, far_factor=0.5) -> dict:
    """Coverage and RMSE (mean and IDW) on the box grid's cells inside the zones, far and everywhere."""
    truth, wells = case["truth"], case["wells"]
    ce, cn, cz = (c.ravel() for c in np.meshgrid(box_grid.easting, box_grid.northing, box_grid.tvdss,
                                                  indexing="ij"))
    inside = truth.sgrid.locate(ce, cn, cz)["inside"]
    values = truth.value_at(ce, cn, cz)
    heads = np.array([[w.easting[0], w.northing[0]] for w in wells])
    dist = np.sqrt(((np.stack([ce, cn], 1)[:, None, :] - heads[None]) ** 2).sum(-1)).min(1)
    spacing = well_spacing(wells)
    far = inside & (dist > far_factor * spacing)
    e = np.concatenate([w.easting for w in wells])
    n = np.concatenate([w.northing for w in wells])
    z = np.concatenate([w.tvdss for w in wells])
    v = np.concatenate([w.values + s for w, s in zip(wells, case["shifts"])])     # the logs as recorded
    data = upscale(box_grid, e, n, z, v, np.concatenate([np.full(w.md.size, i) for i, w in enumerate(wells)]))
    est_idw = idw(np.stack([data.easting, data.northing, data.tvdss], 1), data.values, np.stack([ce, cn, cz], 1))
    mean, p10, p90 = (np.asarray(arrays[k], dtype=float).ravel() for k in ("mean", "p10", "p90"))
    covered = (values >= p10) & (values <= p90)
    out = {"well_spacing_m": spacing, "far_m": far_factor * spacing, "cells_in_zones": int(inside.sum()),
           "cells_far": int(far.sum())}
    for label, sel in (("far", far), ("zones", inside)):
        out[f"coverage_{label}"] = float(covered[sel].mean())
        out[f"rmse_{label}"] = float(np.sqrt(np.mean((mean - values)[sel] ** 2)))
        out[f"rmse_idw_{label}"] = float(np.sqrt(np.mean((est_idw - values)[sel] ** 2)))
        out[f"width_{label}"] = float(np.mean((p90 - p10)[sel]))
    return out


def run_case(seed, *, n_wells=10, dz=4.0, realizations=50, far_factor=0.5, shape=(40, 40), cell=50.0,
             tool_offset=0.0) -> dict:
    """Write the case of ``seed``, run the defaults, score; returns ``{"flat": row}`` (and, with a
    ``tool_offset``, ``{"no tools": row}``: the defaults with ``tool_offsets: none``)."""
    from krigflow.grid import Grid

    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        case = make_case(folder, seed, n_wells=n_wells, shape=shape, tool_offset=tool_offset)
        cfg = defaults_config(case, folder, dz=dz, realizations=realizations, seed=seed, cell=cell)
        variants = {"flat": cfg}
        if tool_offset:
            variants["no tools"] = dict(cfg, tool_offsets="none")
        for name, config in variants.items():
            start = time.perf_counter()
            out = run_local(config, write=False)
            summary = out["summary"]
            g = config["grid"]
            box = Grid.from_bounds(g["bounds"], g["spacing"])
            row = box_scores(case, box, out["arrays"], far_factor)
            tools = (summary.get("residual_model") or {}).get("tool_offsets") or {}
            row.update(seconds=round(time.perf_counter() - start, 1), trend=summary.get("trend"),
                       variogram=summary.get("variogram_used"),
                       well_effect=(summary.get("residual_model") or {}).get("well_effect"),
                       tool_shifts=tools.get("shifts"))
            rows[name] = row
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--wells", type=int, default=10)
    parser.add_argument("--realizations", type=int, default=50)
    parser.add_argument("--dz", type=float, default=4.0, help="vertical cell size (m)")
    parser.add_argument("--far", type=float, default=0.5, help="far = farther than this x the well spacing")
    parser.add_argument("--tool-offset", type=float, default=0.0,
                        help="every second well logged as ECGR reading this much lower than the truth (gAPI)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    results = []
    print(f"{'seed':>4s} {'run':8s} {'far cells':>9s} {'cov far':>8s} {'RMSE far':>9s} {'IDW far':>8s} "
          f"{'cov zones':>9s} {'RMSE zones':>10s} {'IDW zones':>9s} {'width far':>9s} {'s':>5s}")
    for seed in args.seeds:
        rows = run_case(seed, n_wells=args.wells, dz=args.dz, realizations=args.realizations,
                        far_factor=args.far, tool_offset=args.tool_offset)
        for name, r in rows.items():
            print(f"{seed:4d} {name:8s} {r['cells_far']:9d} {r['coverage_far']:8.3f} {r['rmse_far']:9.2f} "
                  f"{r['rmse_idw_far']:8.2f} {r['coverage_zones']:9.3f} {r['rmse_zones']:10.2f} "
                  f"{r['rmse_idw_zones']:9.2f} {r['width_far']:9.1f} {r['seconds']:5.0f}", flush=True)
            results.append(dict(r, seed=seed, run=name))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"wells": args.wells, "realizations": args.realizations, "dz": args.dz, "far": args.far,
                       "tool_offset": args.tool_offset, "results": results}, fh, indent=1, default=str)
    return results


if __name__ == "__main__":
    main()
