"""Result files that other programs open: NetCDF (xarray, Panoply), VTK ImageData (ParaView), Eclipse GRDECL.

Every writer takes the arrays of a run's final statistics (what :func:`krigflow.run.core.finalize` returns and
``stats.npz`` holds) and writes **every 3-D statistic present**, whatever its name (``mean``, ``std``,
``count``, ``min``, ``max``, and any added later such as ``p10`` or ``prob_gt_80``): a 3-D statistic is any
array of shape ``(nx, ny, nz) == (easting.size, northing.size, tvdss.size)``. Other arrays (e.g. a pooled
histogram ``hist_counts``/``hist_edges``) go into the NetCDF file only, each with its own dimensions.

Files (in the output folder, each written atomically: temporary file, then rename):

===========  ==============  ===============================================================================
format       file            layout
===========  ==============  ===============================================================================
``netcdf``   ``stats.nc``    NetCDF-4, CF-1.8: coordinates ``easting``, ``northing`` (m) and ``tvdss`` (m,
                             positive down); variables dimensioned ``(tvdss, northing, easting)`` (the CF
                             Z, Y, X order: select by name, not position); CRS and run configuration as
                             attributes.
``vti``      ``stats.vti``   VTK XML ImageData, one Float64 cell array per statistic; x = easting,
                             y = northing, z = **elevation = -tvdss** (so up is up in ParaView).
``grdecl``   ``stats.grdecl``  Eclipse corner-point grid (SPECGRID, COORD, ZCORN, ACTNUM) plus one keyword
                             per statistic; I = easting, J = northing, K = tvdss increasing downward.
===========  ==============  ===============================================================================

``stats.npz`` itself is written by :func:`krigflow.io.atomic.write_outputs` and is always there.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from datetime import UTC, datetime

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io.atomic import atomic_path

logger = logging.getLogger(__name__)

__all__ = [
    "FILENAMES",
    "FORMATS",
    "GRDECL_NODATA",
    "grdecl_keyword",
    "grid_geometry",
    "load_results",
    "read_wells",
    "statistic_arrays",
    "well_traces",
    "write_formats",
    "write_grdecl",
    "write_netcdf",
    "write_run_files",
    "write_vti",
    "write_wells",
]

#: Formats :func:`write_formats` can write (``stats.npz`` is always written by the run).
FORMATS = ("netcdf", "vti", "grdecl")
#: File name of each format in the output folder.
FILENAMES = {"netcdf": "stats.nc", "vti": "stats.vti", "grdecl": "stats.grdecl"}
#: Value written in GRDECL property keywords where a statistic is NaN (GRDECL has no NaN).
GRDECL_NODATA = -999.0
#: File holding the wells (trajectories, names) and conditioning data, for figures.
WELLS_FILE = "wells.npz"

_COORDS = ("easting", "northing", "tvdss")
_GRDECL_RESERVED = {"SPECGRID", "COORD", "ZCORN", "ACTNUM", "GRIDUNIT", "MAPAXES", "COORDSYS", "GRID"}


# --- reading what a run wrote ----------------------------------------------------------------------------


def statistic_arrays(arrays) -> dict:
    """Return the 3-D statistic arrays among ``arrays``, in their order.

    Parameters
    ----------
    arrays : mapping of str to array
        Arrays of a run (``stats.npz``): the cell-centre vectors ``easting``, ``northing``, ``tvdss`` and
        the statistics.

    Returns
    -------
    dict of str to array, each of shape (nx, ny, nz)

    Raises
    ------
    KrigflowError
        If a coordinate vector is missing.

    Examples
    --------
    >>> a = {"easting": np.arange(2.0), "northing": np.arange(3.0), "tvdss": np.arange(4.0),
    ...      "mean": np.zeros((2, 3, 4)), "p10": np.zeros((2, 3, 4)), "hist_edges": np.arange(5.0)}
    >>> list(statistic_arrays(a))
    ['mean', 'p10']
    """
    missing = [c for c in _COORDS if c not in arrays]
    if missing:
        raise KrigflowError(f"statistics: missing coordinate vector(s) {', '.join(missing)}")
    shape = tuple(np.asarray(arrays[c]).size for c in _COORDS)
    return {
        name: np.asarray(value)
        for name, value in arrays.items()
        if name not in _COORDS and np.shape(value) == shape
    }


def grid_geometry(arrays, spacing=None) -> dict:
    """Cell geometry from the cell-centre vectors.

    Parameters
    ----------
    arrays : mapping of str to array
        With ``easting``, ``northing``, ``tvdss`` (regularly spaced cell centres).
    spacing : sequence of 3 float, optional
        Cell size; needed only along an axis with a single cell (e.g. from ``summary.json``).

    Returns
    -------
    dict
        ``shape`` (nx, ny, nz), ``spacing`` (dx, dy, dz) and ``lower`` (the outer cell edges at the
        minimum of each axis: easting, northing, tvdss).

    Raises
    ------
    KrigflowError
        If a vector is not regularly increasing, or an axis has one cell and no ``spacing`` is given.

    Examples
    --------
    >>> g = grid_geometry({"easting": np.array([5.0, 15.0]), "northing": np.array([1.0, 3.0, 5.0]),
    ...                    "tvdss": np.array([1001.0])}, spacing=(10, 2, 2))
    >>> g["shape"], g["spacing"], g["lower"]
    ((2, 3, 1), (10.0, 2.0, 2.0), (0.0, 0.0, 1000.0))
    """
    shape, step, lower = [], [], []
    for axis, name in enumerate(_COORDS):
        centres = np.asarray(arrays[name], dtype=float).ravel()
        if centres.size == 0:
            raise KrigflowError(f"statistics: coordinate vector {name} is empty")
        if centres.size > 1:
            d = np.diff(centres)
            if not (np.all(d > 0) and np.allclose(d, d[0], rtol=1e-6)):
                raise KrigflowError(f"statistics: {name} cell centres are not regularly increasing")
            dx = float(d[0])
        elif spacing is not None:
            dx = float(spacing[axis])
        else:
            raise KrigflowError(f"statistics: {name} has one cell; its spacing is needed (summary.json)")
        shape.append(centres.size)
        step.append(dx)
        lower.append(float(centres[0] - 0.5 * dx))
    return {"shape": tuple(shape), "spacing": tuple(step), "lower": tuple(lower)}


def load_results(output_dir) -> tuple:
    """Read ``stats.npz`` (and ``summary.json`` if there) from a run's output folder.

    Parameters
    ----------
    output_dir : str
        Output folder of a run.

    Returns
    -------
    arrays : dict of str to array
    summary : dict or None

    Raises
    ------
    KrigflowError
        If the folder or its ``stats.npz`` is missing or unreadable.
    """
    path = os.path.join(output_dir, "stats.npz")
    if not os.path.isdir(output_dir):
        raise KrigflowError(f"{output_dir}: no such output directory")
    if not os.path.isfile(path):
        raise KrigflowError(f"{output_dir}: no stats.npz (is this the output directory of a finished run?)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as exc:
        raise KrigflowError(f"{path}: cannot be read ({exc})") from exc
    summary = None
    summary_path = os.path.join(output_dir, "summary.json")
    if os.path.isfile(summary_path):
        try:
            with open(summary_path, encoding="utf-8") as fh:
                summary = json.load(fh)
        except (OSError, ValueError) as exc:
            logger.warning("%s: cannot be read (%s); writing without the run's metadata", summary_path, exc)
    return arrays, summary


def property_name_unit(summary) -> tuple:
    """Return ``(property, unit)`` of a run from its summary (``("property", "")`` if unknown)."""
    if not summary:
        return "property", ""
    prop = (summary.get("config") or {}).get("property") or "property"
    units = [w.get("unit") for w in summary.get("wells") or [] if w.get("unit")]
    unit = max(set(units), key=units.count) if units else ""
    return prop, unit


def _summary_spacing(summary):
    return ((summary or {}).get("grid") or {}).get("spacing")


# --- atomic writing -------------------------------------------------------------------------------------------


def _atomic(path, write):
    """Call ``write(tmp_path)``, then publish the file atomically as ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        write(tmp)
    return path


# --- NetCDF ---------------------------------------------------------------------------------------------------


def _describe(name, prop, unit):
    """(long_name, units) of a statistic, by its name."""
    if name == "count":
        return "number of realizations with a value", "1"
    m = re.fullmatch(r"p(\d+(?:\.\d+)?)", name)
    if m:
        return f"{m.group(1)}th percentile of {prop} over realizations", unit
    m = re.fullmatch(r"prob_(gt|lt|ge|le)_(.+)", name)
    if m:
        op = {"gt": ">", "lt": "<", "ge": ">=", "le": "<="}[m.group(1)]
        return f"probability that {prop} {op} {m.group(2)}", "1"
    known = {
        "mean": f"mean of {prop} over realizations",
        "std": f"standard deviation of {prop} over realizations (ddof=1)",
        "min": f"minimum of {prop} over realizations",
        "max": f"maximum of {prop} over realizations",
        "variance": f"variance of {prop} over realizations",
    }
    if name in known:
        return known[name], (f"({unit})2" if name == "variance" and unit else unit)
    return f"{name} of {prop}", unit


def write_netcdf(path, arrays, *, summary=None) -> str:
    """Write the statistics to a CF-1.8 NetCDF-4 file (via xarray and netCDF4).

    Parameters
    ----------
    path : str
        File to write (replaced atomically).
    arrays : mapping of str to array
        ``stats.npz`` content: the coordinate vectors and statistics. 3-D statistics become variables on
        ``(tvdss, northing, easting)``; other arrays get dimensions ``<name>_0, <name>_1, ...``.
    summary : dict, optional
        The run summary (``summary.json``): property name and unit, CRS and the run configuration
        (``krigflow_config`` attribute, JSON) are taken from it.

    Returns
    -------
    str
        ``path``.
    """
    import xarray as xr  # optional heavy import: only when writing NetCDF

    prop, unit = property_name_unit(summary)
    config = (summary or {}).get("config") or {}
    crs = config.get("crs")
    coords = {
        "easting": (
            "easting",
            np.asarray(arrays["easting"], dtype=float),
            {
                "units": "m",
                "standard_name": "projection_x_coordinate",
                "long_name": "easting of cell centre",
                "axis": "X",
            },
        ),
        "northing": (
            "northing",
            np.asarray(arrays["northing"], dtype=float),
            {
                "units": "m",
                "standard_name": "projection_y_coordinate",
                "long_name": "northing of cell centre",
                "axis": "Y",
            },
        ),
        "tvdss": (
            "tvdss",
            np.asarray(arrays["tvdss"], dtype=float),
            {
                "units": "m",
                "standard_name": "depth",
                "positive": "down",
                "axis": "Z",
                "long_name": "true vertical depth below mean sea level of cell centre",
            },
        ),
    }
    stats = statistic_arrays(arrays)
    variables, encoding = {}, {}
    grid_mapping = _cf_crs(crs)
    for name, value in stats.items():
        long_name, units = _describe(name, prop, unit)
        attrs = {"long_name": long_name, "units": units}
        if grid_mapping is not None:
            attrs["grid_mapping"] = "crs"
        variables[name] = (("tvdss", "northing", "easting"), np.transpose(value, (2, 1, 0)), attrs)
        encoding[name] = {"zlib": True, "complevel": 4}
    for name, value in arrays.items():
        if name in _COORDS or name in stats:
            continue
        value = np.asarray(value)
        if value.dtype.kind not in "biuf":
            continue  # text etc. are not statistics
        dims = tuple(f"{name}_{i}" for i in range(value.ndim))
        variables[name] = (dims, value, {"long_name": name.replace("_", " ")})
    if grid_mapping is not None:
        variables["crs"] = ((), np.int32(0), grid_mapping)
    attrs = {
        "Conventions": "CF-1.8",
        "title": f"krigflow stochastic kriging statistics of {prop}",
        "source": f"krigflow {((summary or {}).get('versions') or {}).get('krigflow') or ''}".strip(),
        "history": f"{datetime.now(UTC).isoformat(timespec='seconds')} written by krigflow",
        "crs": crs or "unknown (no crs in the run configuration; coordinates are projected metres)",
        "property": prop,
        "property_unit": unit,
        "tvdss_convention": "metres below mean sea level, positive down",
    }
    if summary:
        attrs["krigflow_config"] = json.dumps(config, default=str)
        attrs["variogram"] = json.dumps(config.get("variogram"), default=str)
        attrs["realizations"] = int(summary.get("realizations_done") or 0)
        if config.get("seed") is not None:
            attrs["seed"] = int(config["seed"])
    for c in _COORDS:
        encoding[c] = {"_FillValue": None}
    ds = xr.Dataset(variables, coords=coords, attrs=attrs)

    def write(tmp):
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)

    _atomic(path, write)
    logger.info("wrote %s (%d statistics)", path, len(stats))
    return path


def _cf_crs(crs):
    """CF grid-mapping attributes of ``crs`` (needs pyproj), or None."""
    if not crs:
        return None
    try:
        import pyproj
    except ImportError:
        logger.info("pyproj not installed: CRS %s written as a global attribute only", crs)
        return None
    try:
        return {k: v for k, v in pyproj.CRS(crs).to_cf().items() if v is not None}
    except Exception as exc:  # noqa: BLE001 - pyproj.exceptions.CRSError and friends
        logger.warning("CRS %r not understood by pyproj (%s): written as a global attribute only", crs, exc)
        return None


# --- VTK ImageData ----------------------------------------------------------------------------------------------


def vti_order(value) -> np.ndarray:
    """Flatten a ``[easting, northing, tvdss]`` array into VTK cell order (x fastest, z = -tvdss upward).

    Examples
    --------
    >>> a = np.arange(8.0).reshape(2, 2, 2)        # a[i, j, k], k = tvdss index (down)
    >>> vti_order(a).tolist()                      # first the deepest layer (k = 1), i fastest
    [1.0, 5.0, 3.0, 7.0, 0.0, 4.0, 2.0, 6.0]
    """
    return np.ascontiguousarray(np.asarray(value, dtype="<f8")[:, :, ::-1].transpose(2, 1, 0)).ravel()


def write_vti(path, arrays, *, summary=None, encoding="binary") -> str:
    """Write the 3-D statistics as VTK XML ImageData (``.vti``) for ParaView.

    Axes: x = easting, y = northing, z = elevation = -tvdss (m), so that up is up. ``Origin`` is the
    lowest corner (easting_min, northing_min, -tvdss_max), ``Spacing`` the cell size, and each statistic is
    a ``Float64`` cell array (NaN kept: ParaView shows it in its NaN colour) in VTK order: easting
    fastest, then northing, then elevation from the deepest layer up.

    Parameters
    ----------
    path : str
        File to write (replaced atomically).
    arrays : mapping of str to array
        ``stats.npz`` content.
    summary : dict, optional
        Run summary (only the grid spacing, for axes with a single cell).
    encoding : {"binary", "ascii"}
        ``binary``: base64 inline data with a UInt64 byte-count header (compact); ``ascii``: text.

    Returns
    -------
    str
        ``path``.
    """
    if encoding not in ("binary", "ascii"):
        raise KrigflowError(f"vti encoding: expected binary or ascii, got {encoding!r}")
    geom = grid_geometry(arrays, _summary_spacing(summary))
    (nx, ny, nz), (dx, dy, dz), (e0, n0, t0) = geom["shape"], geom["spacing"], geom["lower"]
    stats = statistic_arrays(arrays)
    extent = f"0 {nx} 0 {ny} 0 {nz}"
    origin = f"{e0!r} {n0!r} {-(t0 + nz * dz)!r}"
    lines = [
        '<?xml version="1.0"?>',
        '<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt64">',
        f'  <ImageData WholeExtent="{extent}" Origin="{origin}" Spacing="{dx!r} {dy!r} {dz!r}">',
        f'    <Piece Extent="{extent}">',
        "      <PointData>",
        "      </PointData>",
        f'      <CellData Scalars="{next(iter(stats), "")}">',
    ]
    for name, value in stats.items():
        data = vti_order(value)
        if encoding == "binary":
            raw = np.uint64(data.nbytes).tobytes() + data.tobytes()
            text = base64.b64encode(raw).decode("ascii")
        else:
            text = " ".join(repr(float(v)) if np.isfinite(v) else "nan" for v in data)
        lines.append(
            f'        <DataArray type="Float64" Name="{name}" NumberOfComponents="1" format="{encoding}">'
        )
        lines.append("          " + text)
        lines.append("        </DataArray>")
    lines += ["      </CellData>", "    </Piece>", "  </ImageData>", "</VTKFile>", ""]

    def write(tmp):
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write("\n".join(lines))

    _atomic(path, write)
    logger.info("wrote %s (%d statistics)", path, len(stats))
    return path


# --- Eclipse GRDECL -----------------------------------------------------------------------------------------------


def grdecl_keyword(name, taken=()) -> str:
    """Eclipse keyword (at most 8 characters, upper case) for a statistic name.

    ``prob_gt_``/``prob_lt_`` become ``PGT``/``PLT``; other characters than A-Z, 0-9 and _ are dropped;
    names still longer than 8 characters lose their underscores, then are cut to 8; a name that is a
    grid keyword or already ``taken`` gets a numeric suffix.

    Examples
    --------
    >>> grdecl_keyword("mean"), grdecl_keyword("p10"), grdecl_keyword("prob_gt_80")
    ('MEAN', 'P10', 'PGT_80')
    >>> grdecl_keyword("prob_gt_80.5"), grdecl_keyword("hist_counts_long"), grdecl_keyword("mean", {"MEAN"})
    ('PGT_805', 'HISTCOUN', 'MEAN1')
    """
    key = name.upper().replace("PROB_GT_", "PGT_").replace("PROB_LT_", "PLT_")
    key = re.sub(r"[^A-Z0-9_]", "", key) or "STAT"
    if len(key) > 8:
        key = key.replace("_", "")[:8]
    base, n = key, 0
    while key in _GRDECL_RESERVED or key in taken:
        n += 1
        suffix = str(n)
        key = base[: 8 - len(suffix)] + suffix
    return key


def _grdecl_values(values, fmt, per_line=6):
    """Keyword body: values with Eclipse repeat counts (``n*value``), a few per line, ending with ``/``."""
    tokens = []
    values = np.asarray(values).ravel()
    if values.size:
        change = np.flatnonzero(values[1:] != values[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [values.size]])
        for s, e in zip(starts, ends):
            text = fmt % values[s]
            tokens.append(text if e - s == 1 else f"{e - s}*{text}")
    lines = [" ".join(tokens[i : i + per_line]) for i in range(0, len(tokens), per_line)]
    return "\n".join(lines + ["/"])


def write_grdecl(path, arrays, *, summary=None) -> str:
    """Write an Eclipse corner-point grid with one property keyword per statistic (ResInsight, Petrel).

    Layout (Eclipse conventions): ``SPECGRID nx ny nz 1 F``; ``COORD``: ``(nx+1)(ny+1)`` vertical pillars
    (top x y z, bottom x y z), I (easting) fastest, then J (northing); ``ZCORN``: 8 depths per cell in the
    Eclipse order (``2nx`` along I fastest, then ``2ny`` along J, then ``2nz`` along K: top face then bottom
    face of each layer); K increases downward; x = easting, y = northing, z = TVDSS (m, positive down),
    absolute map coordinates (no MAPAXES). ``ACTNUM`` is 0 for cells no realization reached (``count``
    0, or a NaN ``mean`` when there is no ``count``). Property values run I fastest, then J, then K; NaN
    is written as :data:`GRDECL_NODATA` (-999). Keyword names: :func:`grdecl_keyword`.

    Parameters
    ----------
    path : str
        File to write (replaced atomically).
    arrays : mapping of str to array
        ``stats.npz`` content.
    summary : dict, optional
        Run summary (grid spacing for single-cell axes, property name for the header comment).

    Returns
    -------
    str
        ``path``.
    """
    geom = grid_geometry(arrays, _summary_spacing(summary))
    (nx, ny, nz), (dx, dy, dz), (e0, n0, t0) = geom["shape"], geom["spacing"], geom["lower"]
    stats = statistic_arrays(arrays)
    prop, unit = property_name_unit(summary)
    x = e0 + dx * np.arange(nx + 1)
    y = n0 + dy * np.arange(ny + 1)
    z = t0 + dz * np.arange(nz + 1)
    px, py = np.meshgrid(x, y, indexing="xy")  # (ny+1, nx+1): I fastest when raveled
    coord = np.stack(
        [px.ravel(), py.ravel(), np.full(px.size, z[0]), px.ravel(), py.ravel(), np.full(px.size, z[-1])],
        axis=1,
    )
    layer_depth = np.repeat(np.stack([z[:-1], z[1:]], axis=1).ravel(), 4 * nx * ny)  # (2nz) layers of 4nxny
    if "count" in stats:
        active = np.asarray(stats["count"]) > 0
    elif "mean" in stats:
        active = np.isfinite(stats["mean"])
    else:
        active = np.ones((nx, ny, nz), dtype=bool)

    def eclipse(value):  # [i, j, k] -> I fastest
        return np.asarray(value).transpose(2, 1, 0).ravel()

    parts = [
        "-- krigflow stochastic kriging statistics (Eclipse GRDECL, corner point)",
        f"-- property {prop} ({unit or 'unit unknown'}); I = easting, J = northing, K = TVDSS down (m)",
        f"-- NaN written as {GRDECL_NODATA:g}; ACTNUM 0 where no realization has a value",
    ]
    keywords = {}
    for name in stats:
        keywords[name] = grdecl_keyword(name, set(keywords.values()))
        parts.append(f"--   {keywords[name]:<8} = {name}")
    parts += [
        "",
        "GRIDUNIT\n'METRES  ' '  ' /",
        "",
        f"SPECGRID\n{nx} {ny} {nz} 1 F /",
        "",
        "COORD\n" + _grdecl_values(coord, "%.10g"),
        "",
        "ZCORN\n" + _grdecl_values(layer_depth, "%.10g"),
        "",
        "ACTNUM\n" + _grdecl_values(eclipse(active).astype(np.int64), "%d", per_line=12),
    ]
    for name, value in stats.items():
        data = eclipse(np.asarray(value, dtype=float))
        data = np.where(np.isfinite(data), data, GRDECL_NODATA)
        parts += ["", f"{keywords[name]}\n" + _grdecl_values(data, "%.8g")]
    parts.append("")

    def write(tmp):
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write("\n".join(parts))

    _atomic(path, write)
    logger.info("wrote %s (%d statistics)", path, len(stats))
    return path


# --- all formats ----------------------------------------------------------------------------------------------------


_WRITERS = {"netcdf": write_netcdf, "vti": write_vti, "grdecl": write_grdecl}


def write_formats(output_dir, arrays, formats, *, summary=None) -> list:
    """Write ``arrays`` in each of ``formats`` into ``output_dir``.

    Parameters
    ----------
    output_dir : str
        Output folder (created if needed).
    arrays : mapping of str to array
        ``stats.npz`` content.
    formats : sequence of str
        Names from :data:`FORMATS` (``"all"`` means every one).
    summary : dict, optional
        Run summary (metadata).

    Returns
    -------
    list of str
        Paths written (:data:`FILENAMES`).

    Raises
    ------
    KrigflowError
        On an unknown format, or if a file cannot be written (the message names it).
    """
    formats = list(FORMATS) if "all" in formats else list(dict.fromkeys(formats))
    for fmt in formats:
        if fmt not in _WRITERS:
            raise KrigflowError(f"format: expected one of {', '.join(FORMATS)} or all, got {fmt!r}")
    written = []
    for fmt in formats:
        path = os.path.join(output_dir, FILENAMES[fmt])
        try:
            written.append(_WRITERS[fmt](path, arrays, summary=summary))
        except KrigflowError:
            raise
        except (OSError, ImportError, ValueError, RuntimeError) as exc:
            raise KrigflowError(f"writing {path} failed: {exc} ({type(exc).__name__})") from exc
    return written


# --- wells for figures ------------------------------------------------------------------------------------------


def well_traces(wells, max_points=400) -> dict:
    """Decimated trajectories of wells, sorted like :func:`krigflow.run.core.build_problem` sorts them.

    Parameters
    ----------
    wells : sequence of krigflow.wells.well.Well
    max_points : int, default 400
        At most this many points per well (evenly spaced samples, first and last kept).

    Returns
    -------
    dict
        ``names`` (tuple of str), ``easting``, ``northing``, ``tvdss`` (all points of all wells,
        concatenated) and ``well`` (index into ``names`` of each point).
    """
    wells = sorted(wells, key=lambda w: (w.path, w.name))
    e, n, t, idx = [], [], [], []
    for i, w in enumerate(wells):
        pts = np.stack([np.asarray(a, dtype=float) for a in (w.easting, w.northing, w.tvdss)], axis=1)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts) > max_points:
            pts = pts[np.unique(np.linspace(0, len(pts) - 1, max_points).round().astype(int))]
        e.append(pts[:, 0]), n.append(pts[:, 1]), t.append(pts[:, 2]), idx.append(np.full(len(pts), i))
    cat = lambda parts, dtype=float: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
    return {
        "names": tuple(w.name for w in wells),
        "easting": cat(e),
        "northing": cat(n),
        "tvdss": cat(t),
        "well": cat(idx, np.int64),
    }


def write_wells(path, data=None, traces=None) -> str:
    """Write the wells and conditioning data a figure needs to ``wells.npz``.

    Parameters
    ----------
    path : str
        File to write (atomically).
    data : krigflow.grid.ConditioningData, optional
        Conditioning data of the run.
    traces : dict, optional
        :func:`well_traces` of the run's wells.

    Returns
    -------
    str
        ``path``. Keys: ``names`` (str), ``trace_easting``, ``trace_northing``, ``trace_tvdss``,
        ``trace_well``, ``data_easting``, ``data_northing``, ``data_tvdss``, ``data_value``, ``data_well``
        (well indices into ``names``).
    """
    names = tuple((traces or {}).get("names") or (data.well_names if data is not None else ()))
    out = {"names": np.asarray(names, dtype=str)}
    for key in ("easting", "northing", "tvdss", "well"):
        out[f"trace_{key}"] = np.asarray((traces or {}).get(key, np.zeros(0)))
    if data is not None:
        out.update(
            data_easting=np.asarray(data.easting, dtype=float),
            data_northing=np.asarray(data.northing, dtype=float),
            data_tvdss=np.asarray(data.tvdss, dtype=float),
            data_value=np.asarray(data.values, dtype=float),
            data_well=np.asarray(data.well, dtype=np.int64),
        )

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **out)

    return _atomic(path, write)


def read_wells(output_dir):
    """Read ``wells.npz`` of a run (None if the run did not write one)."""
    path = os.path.join(output_dir, WELLS_FILE)
    if not os.path.isfile(path):
        return None
    with np.load(path, allow_pickle=False) as npz:
        wells = {k: npz[k] for k in npz.files}
    wells["names"] = [str(n) for n in wells["names"]]
    return wells


def write_run_files(config, arrays, summary, *, problem=None, traces=None) -> list:
    """Write what a run adds to ``stats.npz``/``summary.json``: ``wells.npz`` and the configured formats.

    Called by :func:`krigflow.run.core.complete_run` before ``stats.npz``/``summary.json`` are written,
    so that a run whose files cannot all be written fails without results.

    Parameters
    ----------
    config : dict
        Validated configuration (``output``, ``outputs.formats``).
    arrays : dict
        Final statistics.
    summary : dict
        Run summary.
    problem : krigflow.run.core.Problem, optional
        For the conditioning data.
    traces : dict, optional
        :func:`well_traces` of the wells.

    Returns
    -------
    list of str
        Paths written.
    """
    output_dir = config["output"]
    outputs = config.get("outputs") or {}
    if traces is None and problem is not None:
        traces = getattr(problem, "traces", None)
    written = [write_wells(os.path.join(output_dir, WELLS_FILE), problem.data if problem else None, traces)]
    written += write_formats(output_dir, arrays, outputs.get("formats", ["netcdf"]), summary=summary)
    return written


def write_run_figures(config, arrays, summary) -> list:
    """Write the figures of a run if ``outputs.figures`` is on; never raises (a failure is logged).

    Returns
    -------
    list of str
        PNG files written (empty when disabled or on failure).
    """
    outputs = config.get("outputs") or {}
    if not outputs.get("figures", True):
        return []
    try:
        from krigflow.plotting import plot_results

        return plot_results(
            config["output"],
            arrays=arrays,
            summary=summary,
            slices=outputs.get("slices"),
            section_wells=outputs.get("section_wells"),
        )
    except Exception as exc:  # noqa: BLE001 - figures must not lose a finished run
        logger.error(
            "figures not written (%s: %s); the results are complete: make them with `krigflow plot %s`",
            type(exc).__name__,
            exc,
            config["output"],
        )
        return []
