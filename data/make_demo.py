"""Build the synthetic krigflow demo data set (``data/demo/``) from a known truth field.

Run ``python data/make_demo.py`` (from anywhere) to regenerate every file of
``data/demo/``; ``--out DIR`` writes elsewhere. The output is deterministic:
re-running produces byte-identical files.

What it does:

1. draws a stationary Gaussian "truth" gamma-ray field (mean 75 gAPI, standard
   deviation 20 gAPI, exponential covariance with practical ranges 600 m /
   400 m horizontally, major axis at azimuth 30°, 15 m vertically) on a fine
   lattice (20 m x 20 m x 1 m nodes) covering the 2000 m x 2000 m x 200 m box,
   with :func:`krigflow.realizations.fft.gaussian_field`;
2. samples it by trilinear interpolation every 0.5 m MD along eight wells
   (five vertical, three build-and-hold deviated wells positioned with
   :mod:`krigflow.wells.survey` minimum curvature), without noise;
3. writes LAS 2.0 files, a well-header table, survey station files, the truth
   at the 50 x 50 x 40 model-grid cell centres, and the run configuration
   (YAML and JSON).

See ``data/README.md`` for the file layout.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import math
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without install

from krigflow.wells import survey_from_stations, vertical_survey  # noqa: E402
from krigflow.realizations import gaussian_field  # noqa: E402
from krigflow.variogram import Variogram  # noqa: E402

logger = logging.getLogger("make_demo")

#: Random seed of the truth field.
SEED = 20240611
#: Model box ``(easting_min, easting_max, northing_min, northing_max, tvdss_min, tvdss_max)``, metres.
BOUNDS = (500000.0, 502000.0, 7000000.0, 7002000.0, 1000.0, 1200.0)
#: Model-grid cell size ``(dx, dy, dz)``: 50 x 50 x 40 cells over the box.
MODEL_SPACING = (40.0, 40.0, 5.0)
#: Fine-lattice node spacing; every model cell centre is a fine node.
FINE_SPACING = (20.0, 20.0, 1.0)
#: Truth property: mean and standard deviation (gAPI).
MEAN = 75.0
STD = 20.0
#: Gamma-ray cutoff of sand (gAPI): the demo's ``cutoffs`` and ``volume`` (sand volume per realization).
SAND_CUTOFF = 60.0
#: Truth covariance (the run configuration gives the same model).
VARIOGRAM = {"model": "exponential", "sill": STD**2, "nugget": 0.0, "range_h": 600.0, "range_h2": 400.0,
             "azimuth": 30.0, "range_v": 15.0}
#: LAS sampling interval along MD (m), missing-value token and value format.
MD_STEP = 0.5
NULL = -999.25
VALUE_DECIMALS = 4
#: Survey station interval (m MD) and the depth surveyed below the box bottom (m TVD).
STATION_STEP = 30.0
TD_MARGIN = 10.0


@dataclass(frozen=True)
class WellDesign:
    """One demo well: head location, datum and trajectory.

    Parameters
    ----------
    name : str
        Well name (LAS ``WELL`` item, header-table ``Name``, survey ``# WELL NAME``).
    easting, northing : float
        Well-head location (m).
    dfe : float
        Drill-floor elevation above mean sea level (m): MD 0.
    kop : float or None
        Kick-off point (m MD); None for a vertical well.
    build : float
        Build rate (degrees per 30 m).
    hold : float
        Hold inclination (degrees).
    azimuth : float
        Azimuth of the deviated section (degrees from grid north).
    las_location : bool
        Whether the LAS ``~Well`` section carries the location and datum.
    null_tvdss : tuple of float or None
        TVDSS interval written as NULL in the LAS (a "bad hole" gap).
    """

    name: str
    easting: float
    northing: float
    dfe: float
    kop: float | None = None
    build: float = 0.0
    hold: float = 0.0
    azimuth: float = 0.0
    las_location: bool = True
    null_tvdss: tuple[float, float] | None = None

    @property
    def deviated(self) -> bool:
        """True for a build-and-hold well (it has a survey file)."""
        return self.kop is not None


# Vertical wells stand on model cell-centre columns (easting 500020 + 40 i, northing 7000020 + 40 j) and have
# datums on the 0.5 m grid, so some of their samples fall exactly on model cell centres.
WELLS = (
    WellDesign("KF-01", 500300.0, 7000380.0, 27.5),
    WellDesign("KF-02", 501540.0, 7000500.0, 25.0),
    WellDesign("KF-03", 500900.0, 7001020.0, 29.5, las_location=False, null_tvdss=(1100.0, 1104.0)),
    WellDesign("KF-04", 500420.0, 7001660.0, 26.0),
    WellDesign("KF-05", 501700.0, 7001620.0, 28.5, las_location=False),
    WellDesign("KF-06", 500150.0, 7000900.0, 27.3, kop=600.0, build=3.0, hold=40.0, azimuth=65.0),
    WellDesign("KF-07", 501850.0, 7001850.0, 25.8, kop=500.0, build=2.5, hold=35.0, azimuth=250.0),
    WellDesign("KF-08", 501300.0, 7000150.0, 29.1, kop=450.0, build=3.0, hold=50.0, azimuth=330.0,
               las_location=False),
)


# --------------------------------------------------------------------------- grids and truth
def centres(low, high, step) -> np.ndarray:
    """Cell-centre coordinates of cells of size ``step`` between the edges ``low`` and ``high``."""
    n = int(round((high - low) / step))
    return low + step * (np.arange(n) + 0.5)


def fine_axes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node coordinates of the fine lattice.

    Horizontally the nodes run from edge to edge of the box; vertically they
    are offset by half a metre (999.5 ... 1200.5) so that the model cell
    centres (1002.5, 1007.5, ...) are nodes and the box top and bottom are
    inside the lattice.
    """
    e0, e1, n0, n1, z0, z1 = BOUNDS
    de, dn, dz = FINE_SPACING
    easting = e0 + de * np.arange(int(round((e1 - e0) / de)) + 1)
    northing = n0 + dn * np.arange(int(round((n1 - n0) / dn)) + 1)
    tvdss = (z0 - dz / 2) + dz * np.arange(int(round((z1 - z0) / dz)) + 2)
    return easting, northing, tvdss


def truth_fine() -> np.ndarray:
    """The truth field (gAPI) on the fine lattice, shape (101, 101, 202)."""
    axes = fine_axes()
    shape = tuple(a.size for a in axes)
    variogram = Variogram(**VARIOGRAM)
    field = gaussian_field(shape, FINE_SPACING, variogram.covariance, np.random.default_rng(SEED))[0]
    return MEAN + field


def interpolate(fine, easting, northing, tvdss) -> np.ndarray:
    """Trilinear interpolation of the fine-lattice field at points inside it."""
    axes = fine_axes()
    points = (easting, northing, tvdss)
    index, weight = [], []
    for axis, p in zip(axes, points):
        t = (np.asarray(p, dtype=float) - axis[0]) / (axis[1] - axis[0])
        if np.any(t < -1e-9) or np.any(t > axis.size - 1 + 1e-9):
            raise ValueError("sample outside the fine lattice")
        i = np.clip(np.floor(t).astype(int), 0, axis.size - 2)
        index.append(i)
        weight.append(np.clip(t - i, 0.0, 1.0))
    (i, j, k), (u, v, w) = index, weight
    value = np.zeros_like(u)
    for di, wi in ((0, 1 - u), (1, u)):
        for dj, wj in ((0, 1 - v), (1, v)):
            for dk, wk in ((0, 1 - w), (1, w)):
                value += wi * wj * wk * fine[i + di, j + dj, k + dk]
    return value


def truth_model(fine) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The truth at the model-grid cell centres (which are fine nodes) and the centre vectors."""
    e0, e1, n0, n1, z0, z1 = BOUNDS
    easting = centres(e0, e1, MODEL_SPACING[0])
    northing = centres(n0, n1, MODEL_SPACING[1])
    tvdss = centres(z0, z1, MODEL_SPACING[2])
    fe, fn, fz = fine_axes()
    ie = np.searchsorted(fe, easting)
    in_ = np.searchsorted(fn, northing)
    iz = np.searchsorted(fz, tvdss)
    assert np.allclose(fe[ie], easting) and np.allclose(fn[in_], northing) and np.allclose(fz[iz], tvdss)
    return fine[np.ix_(ie, in_, iz)], easting, northing, tvdss


def model_cells(easting, northing, tvdss) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model-grid cell indices ``(i, j, k)`` of points inside the box."""
    return tuple(
        np.clip(np.floor((np.asarray(p) - low) / step).astype(int), 0, int(round((high - low) / step)) - 1)
        for p, low, high, step in zip((easting, northing, tvdss), BOUNDS[::2], BOUNDS[1::2], MODEL_SPACING)
    )


# --------------------------------------------------------------------------- wells
def survey_stations(well: WellDesign) -> np.ndarray:
    """Survey stations (MD, INCL, AZIM) of a build-and-hold well, rounded to 0.01 as written.

    Stations every 30 m MD plus the kick-off point, the end of build and total
    depth (10 m TVD below the box bottom).
    """
    radius = STATION_STEP / math.radians(well.build)
    md_eob = well.kop + well.hold * STATION_STEP / well.build
    tvd_eob = well.kop + radius * math.sin(math.radians(well.hold))
    tvd_td = BOUNDS[5] + TD_MARGIN + well.dfe
    md_td = math.ceil(md_eob + (tvd_td - tvd_eob) / math.cos(math.radians(well.hold)))
    md = np.union1d(np.arange(0.0, md_td, STATION_STEP), [well.kop, md_eob, md_td])
    incl = np.clip((md - well.kop) * well.build / STATION_STEP, 0.0, well.hold)
    azim = np.full(md.shape, well.azimuth)
    return np.round(np.column_stack([md, incl, azim]), 2)


def sample_positions(well: WellDesign):
    """MD, easting, northing and TVDSS of every 0.5 m MD sample inside the box."""
    if well.deviated:
        stations = survey_stations(well)
        survey = survey_from_stations(stations[:, 0], stations[:, 1], stations[:, 2], well_name=well.name)
        md_max = stations[-1, 0]
    else:
        survey = vertical_survey()
        md_max = BOUNDS[5] + TD_MARGIN + well.dfe
    md = MD_STEP * np.arange(int(md_max / MD_STEP) + 1)
    d_easting, d_northing, tvd = survey.position(md)
    tvdss = tvd - well.dfe
    inside = (tvdss >= BOUNDS[4]) & (tvdss <= BOUNDS[5])
    easting, northing = well.easting + d_easting[inside], well.northing + d_northing[inside]
    if not (np.all((easting > BOUNDS[0]) & (easting < BOUNDS[1]))
            and np.all((northing > BOUNDS[2]) & (northing < BOUNDS[3]))):
        raise ValueError(f"well {well.name} leaves the model box")
    return md[inside], easting, northing, tvdss[inside]


def well_values(well: WellDesign, fine):
    """Sample positions and GR values (rounded as written, NaN in the null interval) of a well."""
    md, easting, northing, tvdss = sample_positions(well)
    values = np.round(interpolate(fine, easting, northing, tvdss), VALUE_DECIMALS)
    if well.null_tvdss is not None:
        top, base = well.null_tvdss
        values[(tvdss >= top) & (tvdss < base)] = np.nan
    return md, easting, northing, tvdss, values


# --------------------------------------------------------------------------- writers
def las_text(well: WellDesign, md, values) -> str:
    """LAS 2.0 text of one well (DEPT in m, GR in gAPI)."""
    import lasio

    las = lasio.LASFile()
    las.well["WELL"].value = well.name
    las.well["COMP"].value = "krigflow demo (synthetic)"
    las.well["FLD"].value = "KRIGFLOW DEMO"
    las.well["SRVC"].value = "make_demo.py"
    las.well["DATE"].value = "2024-06-11"
    las.well["NULL"].value = NULL
    if well.las_location:
        las.well.append(lasio.HeaderItem("X", unit="m", value=well.easting, descr="Surface easting"))
        las.well.append(lasio.HeaderItem("Y", unit="m", value=well.northing, descr="Surface northing"))
        las.well.append(lasio.HeaderItem("EKB", unit="m", value=well.dfe, descr="Datum elevation (DFE)"))
    las.append_curve("DEPT", md, unit="m", descr="Measured depth")
    las.append_curve("GR", values, unit="gAPI", descr="Gamma ray (synthetic truth)")
    buffer = io.StringIO()
    las.write(buffer, version=2.0, wrap=False, STEP=MD_STEP, fmt=f"%.{VALUE_DECIMALS}f",
              column_fmt={0: "%.2f"})
    return buffer.getvalue()


def survey_text(well: WellDesign) -> str:
    """Survey station CSV text: ``# WELL NAME`` line, ``MD,INCL,AZIM`` header, stations."""
    lines = [f"# WELL NAME: {well.name}", "MD,INCL,AZIM"]
    lines += [f"{md:.2f},{incl:.2f},{azim:.2f}" for md, incl, azim in survey_stations(well)]
    return "\n".join(lines) + "\n"


def headers_text(wells) -> str:
    """Well-header table CSV text (``Name,X,Y,DFE``)."""
    lines = ["Name,X,Y,DFE"] + [f"{w.name},{w.easting:.2f},{w.northing:.2f},{w.dfe:.2f}" for w in wells]
    return "\n".join(lines) + "\n"


def config() -> dict:
    """The demo run configuration (paths relative to the config file's folder): the data keys and the grid,
    every modelling choice left to the defaults (trend, variogram and well effect ``auto``, ``conditional``
    simulation); a cutoff and a volume give realizations.csv a sand volume to rank the realizations by
    (sand = GR below 60 gAPI, net rock volume of 40 x 40 x 5 m cells)."""
    return {
        "las": "las/*.las",
        "well_headers": "well_headers.csv",
        "surveys": "surveys/*.csv",
        "property": "GR",
        "grid": {"spacing": list(MODEL_SPACING), "bounds": list(BOUNDS)},
        "realizations": 50,
        "seed": 42,
        "cutoffs": [SAND_CUTOFF],
        "volume": {"cutoff": SAND_CUTOFF, "side": "below"},
        "output": "../../output/demo",
    }


def config_yaml(cfg) -> str:
    """YAML text of the run configuration (flow-style lists, key order kept)."""
    def scalar(value):
        return json.dumps(value)

    lines = ["# krigflow demo run: synthetic gamma-ray truth sampled along 8 wells (see data/README.md).",
             "# Relative paths resolve against this file's folder. Only the data and the grid are given: the",
             "# trend, variogram, well effect and method are the defaults (see the README's Run configuration).",
             "# cutoffs and volume: P(GR > 60) maps and a sand volume (GR < 60) per realization in",
             "# realizations.csv, to rank the realizations by (krigflow rank OUTPUT --by volume)."]
    for key, value in cfg.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            for sub, item in value.items():
                if isinstance(item, list):
                    text = "[" + ", ".join(scalar(v) for v in item) + "]"
                else:
                    text = scalar(item)
                lines.append(f"  {sub}: {text}")
        else:
            lines.append(f"{key}: {scalar(value)}")
    return "\n".join(lines) + "\n"


def npz_bytes(arrays) -> bytes:
    """An ``.npz`` archive (deflated) with fixed timestamps, so its bytes are reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def _write(path: Path, content) -> None:
    """Write text (LF line endings, UTF-8) or bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    logger.info("wrote %s (%d bytes)", path, path.stat().st_size)


def build_files(fine=None) -> dict[str, bytes | str]:
    """Every demo file as ``{relative path: content}``.

    Parameters
    ----------
    fine : array, optional
        The fine-lattice truth (default: :func:`truth_fine`).
    """
    if fine is None:
        fine = truth_fine()
    files = {}
    owner = {}
    for well in WELLS:
        md, easting, northing, tvdss, values = well_values(well, fine)
        for cell in set(zip(*model_cells(easting, northing, tvdss))):
            if owner.setdefault(cell, well.name) != well.name:
                raise ValueError(f"wells {owner[cell]} and {well.name} share model cell {cell}")
        files[f"las/{well.name}.las"] = las_text(well, md, values)
        if well.deviated:
            files[f"surveys/{well.name}.csv"] = survey_text(well)
    files["well_headers.csv"] = headers_text(WELLS)
    truth, easting, northing, tvdss = truth_model(fine)
    files["truth.npz"] = npz_bytes({"truth": truth, "easting": easting, "northing": northing,
                                    "tvdss": tvdss})
    cfg = config()
    files["run.yaml"] = config_yaml(cfg)
    files["run.json"] = json.dumps(cfg, indent=2) + "\n"
    return files


def main(argv=None) -> int:
    """Command-line entry point: write the demo files to ``--out`` (default ``data/demo``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "demo"),
                        help="output folder (default: data/demo next to this script)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = Path(args.out)
    for relative, content in build_files().items():
        _write(out / relative, content)
    return 0


if __name__ == "__main__":
    sys.exit(main())
