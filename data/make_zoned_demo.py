"""Build the layered (zoned) demo data set (``data/zoned_demo/``) from the synthetic layered truth.

Run ``python data/make_zoned_demo.py`` (``--out DIR`` to write elsewhere); the output is deterministic.

The truth is :func:`krigflow.zones.synthetic.make_layered_truth` on a 2 000 m x 2 000 m lattice of 50 m
cells placed at (500 000, 7 000 000): three zones (A, B, C; 10, 12 and 8 proportional layers) between
four folded, dipping horizons, gamma-ray means 45 / 95 / 60 gAPI with trends inside the zones and residuals
correlated along the layers. Ten vertical wells sample it every 0.5 m MD (datum 25 m above sea level); well
ZD-04 stops in zone B, so it has no Top_C or Base_C top.

Files written:

* ``las/ZD-01.las`` ... ``ZD-10.las``: LAS 2.0 (DEPT in m, GR in gAPI), well-head X/Y and EKB in the header;
* ``well_headers.csv``: ``Name,X,Y,DFE``;
* ``tops.csv``: ``well,surface,md`` (the true horizon depths at the wells, in MD);
* ``top_a.gri``, ``top_c.gri``, ``base_c.gri``: IRAP binary "seismic" horizons (the truth plus a smooth
  depth-conversion error of a few metres), to be tied to the tops; Top_B is interpolated from the tops;
* ``truth.npz``: the truth on its corner-point grid (``values`` (ncol, nrow, nk), ``surfaces``, ``interfaces``,
  lattice ``origin``/``spacing``);
* ``run.yaml``: a zoned run configuration.
"""
from __future__ import annotations

import argparse
import io
import logging
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without install

from krigflow.zones import Lattice, write_surface, write_tops
from krigflow.zones.synthetic import (
    default_well_positions,
    make_layered_truth,
    sample_wells,
    truth_tops,
)

logger = logging.getLogger("make_zoned_demo")

ORIGIN = (500000.0, 7000000.0)
SPACING = (50.0, 50.0)
SHAPE = (40, 40)
LAYERS = (10, 12, 8)
KB = 25.0
N_WELLS = 10
STOPS_EARLY = 3            # index of the well that stops in zone B (ZD-04)
NULL = -999.25

RUN_YAML = """\
# krigflow zoned demo: a layered synthetic gamma-ray truth sampled along 10 wells (see data/make_zoned_demo.py).
# Relative paths resolve against this file's folder.
las: "las/*.las"
well_headers: "well_headers.csv"
property: "GR"
grid:
  spacing: [50.0, 50.0]
  bounds: [500000.0, 502000.0, 7000000.0, 7002000.0]
zones:
  tops: "tops.csv"
  surfaces: [Top_A, Top_B, Top_C, Base_C]
  layers: [10, 12, 8]
  layering: proportional
  files: {Top_A: "top_a.gri", Top_C: "top_c.gri", Base_C: "base_c.gri"}
  trend: linear
  variogram: auto
variogram:
  model: "auto"
method:
  name: "conditional"
realizations: 50
seed: 42
output: "../../output/zoned_demo"
"""


def las_text(well) -> str:
    """LAS 2.0 text of one synthetic well."""
    import lasio

    las = lasio.LASFile()
    las.well["WELL"].value = well.name
    las.well["COMP"].value = "krigflow zoned demo (synthetic)"
    las.well["SRVC"].value = "make_zoned_demo.py"
    las.well["NULL"].value = NULL
    las.well.append(lasio.HeaderItem("X", unit="m", value=round(float(well.easting[0]), 2), descr="Surface easting"))
    las.well.append(lasio.HeaderItem("Y", unit="m", value=round(float(well.northing[0]), 2),
                                     descr="Surface northing"))
    las.well.append(lasio.HeaderItem("EKB", unit="m", value=KB, descr="Datum elevation"))
    las.append_curve("DEPT", np.round(well.md, 2), unit="m", descr="Measured depth")
    las.append_curve("GR", np.round(well.values, 3), unit="gAPI", descr="Gamma ray (synthetic truth)")
    buffer = io.StringIO()
    las.write(buffer, version=2.0, wrap=False, STEP=0.5, fmt="%.3f", column_fmt={0: "%.2f"})
    return buffer.getvalue()


def build(out: Path) -> list:
    """Write every file of the zoned demo into ``out``; return the paths."""
    lattice = Lattice(ORIGIN, SPACING, SHAPE)
    truth = make_layered_truth(lattice, layers=LAYERS)
    positions = np.round(default_well_positions(lattice, N_WELLS), 2)
    wells = sample_wells(truth, positions, kb=KB, stop_above_base=[STOPS_EARLY],
                         names=[f"ZD-{k + 1:02d}" for k in range(N_WELLS)])
    (out / "las").mkdir(parents=True, exist_ok=True)
    written = []
    for w in wells:
        path = out / "las" / f"{w.name}.las"
        path.write_text(las_text(w), encoding="utf-8")
        written.append(path)
    headers = ["Name,X,Y,DFE"] + [f"{w.name},{w.easting[0]:.2f},{w.northing[0]:.2f},{KB:.2f}" for w in wells]
    (out / "well_headers.csv").write_text("\n".join(headers) + "\n", encoding="utf-8")
    tops = truth_tops(truth, wells)
    tops = type(tops)(tops.well, tops.surface, np.round(tops.md, 2), tops.tvdss)
    written.append(write_tops(out / "tops.csv", tops))
    ne, nn = lattice.nodes()
    x = (ne - ORIGIN[0]) / (SHAPE[0] * SPACING[0])
    y = (nn - ORIGIN[1]) / (SHAPE[1] * SPACING[1])
    for k, (name, file) in enumerate(((0, "top_a.gri"), (2, "top_c.gri"), (3, "base_c.gri"))):
        error = 5.0 + 5.0 * x - 3.0 * y + 2.0 * np.sin(2 * np.pi * (x + 0.3 * y + 0.25 * k))
        written.append(write_surface(out / file, lattice, truth.sgrid.surfaces[name] + error,
                                     name=truth.sgrid.surface_names[name]))
    np.savez_compressed(out / "truth.npz", values=truth.values, surfaces=truth.sgrid.surfaces,
                        interfaces=truth.sgrid.interfaces, origin=np.array(ORIGIN), spacing=np.array(SPACING),
                        layers=np.array(LAYERS), means=np.array(truth.means), trends=np.array(truth.trends))
    (out / "run.yaml").write_text(RUN_YAML, encoding="utf-8")
    written += [out / "well_headers.csv", out / "truth.npz", out / "run.yaml"]
    return [str(p) for p in written]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "zoned_demo"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in build(Path(args.out)):
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
