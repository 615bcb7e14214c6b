"""Statistics as an :class:`xarray.Dataset`: the one place where arrays become labelled, CF-described data.

:func:`to_dataset` turns the arrays of a run's statistics (what ``stats.npz`` holds, or a run's
``arrays`` in Python) into a Dataset with CF-1.8 attributes: coordinates ``easting``, ``northing`` (m)
and ``tvdss`` (m, positive down); every 3-D statistic a variable on ``(tvdss, northing, easting)`` (the
CF Z, Y, X order: select by name, not by position); other numeric arrays (e.g. a pooled histogram) with
their own dimensions; the CRS, property and run configuration as attributes. :func:`open_results` reads
an output folder into the same Dataset; :func:`krigflow.io.write_netcdf` writes it to a file;
:func:`dataset_arrays` goes back to plain arrays.

xarray is imported inside the functions: the numerical core does not need it.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io.cornerpoint import is_zoned
from krigflow.io.results import COORDINATES, load_results, property_name_unit, statistic_arrays, tool_attrs
from krigflow.zones import StratigraphicGrid, cornerpoint_dataset

logger = logging.getLogger(__name__)

__all__ = ["COORDINATE_ATTRS", "dataset_arrays", "open_results", "to_dataset"]

#: CF attributes of the coordinate variables.
COORDINATE_ATTRS = {
    "easting": {
        "units": "m",
        "standard_name": "projection_x_coordinate",
        "long_name": "easting of cell centre",
        "axis": "X",
    },
    "northing": {
        "units": "m",
        "standard_name": "projection_y_coordinate",
        "long_name": "northing of cell centre",
        "axis": "Y",
    },
    "tvdss": {
        "units": "m",
        "standard_name": "depth",
        "positive": "down",
        "axis": "Z",
        "long_name": "true vertical depth below mean sea level of cell centre",
    },
}
#: Dimension order of a 3-D statistic in a Dataset (CF: Z, Y, X).
DATASET_DIMS = ("tvdss", "northing", "easting")


def _coordinate_vectors(arrays, grid):
    """The cell-centre vectors, from ``grid`` when given, else from ``arrays``."""
    if grid is not None:
        return {name: np.asarray(getattr(grid, name), dtype=float) for name in COORDINATES}
    missing = [c for c in COORDINATES if c not in arrays]
    if missing:
        raise KrigflowError(
            f"statistics: missing coordinate vector(s) {', '.join(missing)}; pass the grid (to_dataset(arrays, grid))"
        )
    return {name: np.asarray(arrays[name], dtype=float) for name in COORDINATES}


def to_dataset(arrays, grid=None, *, summary=None):
    """Turn a run's statistics into an :class:`xarray.Dataset` with CF-1.8 metadata.

    Parameters
    ----------
    arrays : mapping of str to array
        The statistics (``stats.npz`` content, or ``run_local(...)["arrays"]``): every array of shape
        ``(nx, ny, nz)`` indexed ``[easting, northing, tvdss]`` becomes a variable on
        ``(tvdss, northing, easting)``; other numeric arrays get dimensions ``<name>_0, <name>_1, ...``.
    grid : krigflow.grid.Grid, optional
        The grid (its ``easting``, ``northing``, ``tvdss`` cell centres). Default: the vectors of the same
        names in ``arrays``.
    summary : dict, optional
        The run summary (``summary.json``): property name and unit, CRS, seed, realizations and the run
        configuration (``krigflow_config`` attribute, JSON) are taken from it.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    KrigflowError
        If the coordinate vectors are missing (and no grid is given) or a statistic does not fit the grid.

    Examples
    --------
    >>> arrays = {"mean": np.arange(24.0).reshape(2, 3, 4), "easting": [5.0, 15.0],
    ...           "northing": [1.0, 3.0, 5.0], "tvdss": [1001.0, 1003.0, 1005.0, 1007.0]}
    >>> ds = to_dataset(arrays)
    >>> ds["mean"].dims, float(ds["mean"].sel(easting=15.0, northing=3.0, tvdss=1001.0))
    (('tvdss', 'northing', 'easting'), 16.0)
    >>> ds["tvdss"].attrs["positive"]
    'down'
    """
    import xarray as xr  # optional heavy import: only when a Dataset is asked for

    if grid is None and is_zoned(arrays):   # corner-point statistics: (k, j, i) with 3-D coordinates
        return _zoned_dataset(arrays, summary)
    vectors = _coordinate_vectors(arrays, grid)
    shape = tuple(v.size for v in vectors.values())
    with_coords = dict(arrays)
    with_coords.update(vectors)
    stats = statistic_arrays(with_coords)
    odd = [
        name for name, value in arrays.items()
        if name not in COORDINATES and np.ndim(value) == 3 and name not in stats
    ]
    if odd:
        found = ", ".join(f"{name} {np.shape(arrays[name])}" for name in odd)
        raise KrigflowError(
            f"statistics: {found} do not match the grid's shape {shape} (cells along easting, northing, tvdss)"
        )
    prop, unit = property_name_unit(summary)
    config = (summary or {}).get("config") or {}
    crs = config.get("crs")
    grid_mapping = _cf_crs(crs)
    coords = {name: (name, vectors[name], dict(COORDINATE_ATTRS[name])) for name in COORDINATES}
    variables = {}
    for name, value in stats.items():
        long_name, units = _describe(name, prop, unit)
        attrs = {"long_name": long_name, "units": units}
        if grid_mapping is not None:
            attrs["grid_mapping"] = "crs"
        variables[name] = (DATASET_DIMS, np.transpose(np.asarray(value), (2, 1, 0)), attrs)
    for name, value in arrays.items():
        if name in COORDINATES or name in stats:
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
    attrs.update(tool_attrs(summary))
    return xr.Dataset(variables, coords=coords, attrs=attrs)



def _zoned_dataset(arrays, summary):
    """The Dataset of a zoned run: :func:`krigflow.zones.cornerpoint_dataset` with the run's attributes."""
    prop, unit = property_name_unit(summary)
    config = (summary or {}).get("config") or {}
    attrs = {"title": f"krigflow stochastic kriging statistics of {prop}", "property": prop,
             "property_unit": unit, "crs": config.get("crs") or "unknown",
             "history": f"{datetime.now(UTC).isoformat(timespec='seconds')} written by krigflow"}
    if summary:
        attrs["krigflow_config"] = json.dumps(config, default=str)
        attrs["realizations"] = int(summary.get("realizations_done") or 0)
    attrs.update(tool_attrs(summary))
    return cornerpoint_dataset(StratigraphicGrid.from_arrays(arrays), statistic_arrays(arrays), attrs=attrs,
                               units=unit)


def open_results(output_dir):
    """Read a run's output folder as an :class:`xarray.Dataset` (statistics, coordinates, attributes).

    Parameters
    ----------
    output_dir : str
        Output folder of a finished run (holds ``stats.npz`` and, normally, ``summary.json``).

    Returns
    -------
    xarray.Dataset
        :func:`to_dataset` of the run's ``stats.npz`` with its summary.

    Raises
    ------
    KrigflowError
        If the folder or its ``stats.npz`` is missing or unreadable.
    """
    arrays, summary = load_results(output_dir)
    return to_dataset(arrays, summary=summary)


def dataset_arrays(dataset) -> dict:
    """Plain arrays of a Dataset made by :func:`to_dataset`, in the ``stats.npz`` layout.

    3-D statistics go back to ``[easting, northing, tvdss]`` order; the coordinate vectors and other
    numeric variables are kept as they are.

    Parameters
    ----------
    dataset : xarray.Dataset

    Returns
    -------
    dict of str to numpy.ndarray

    Examples
    --------
    >>> arrays = {"mean": np.arange(6.0).reshape(1, 2, 3), "easting": [0.0], "northing": [0.0, 1.0],
    ...           "tvdss": [0.0, 1.0, 2.0]}
    >>> back = dataset_arrays(to_dataset(arrays))
    >>> bool(np.array_equal(back["mean"], arrays["mean"])), sorted(back)
    (True, ['easting', 'mean', 'northing', 'tvdss'])
    """
    out = {name: np.asarray(dataset[name].values) for name in COORDINATES}
    for name, var in dataset.data_vars.items():
        if name == "crs":
            continue
        if set(var.dims) == set(DATASET_DIMS):
            out[name] = np.asarray(var.transpose(*DATASET_DIMS[::-1]).values)
        else:
            out[name] = np.asarray(var.values)
    return out


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
