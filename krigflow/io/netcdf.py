"""NetCDF-4 (CF-1.8) file of a run's statistics, for xarray, Panoply and GIS tools.

The Dataset itself is built by :func:`krigflow.io.dataset.to_dataset`; this module only writes it.
"""

from __future__ import annotations

import logging

from krigflow.io.atomic import write_atomically
from krigflow.io.dataset import DATASET_DIMS, to_dataset
from krigflow.io.results import COORDINATES

logger = logging.getLogger(__name__)

__all__ = ["write_netcdf"]


def write_netcdf(path, arrays, *, summary=None, grid=None) -> str:
    """Write the statistics to a CF-1.8 NetCDF-4 file (via xarray and netCDF4).

    Parameters
    ----------
    path : str
        File to write (replaced atomically).
    arrays : mapping of str to array
        ``stats.npz`` content: the coordinate vectors and statistics (:func:`krigflow.io.to_dataset`).
    summary : dict, optional
        The run summary (``summary.json``): property name and unit, CRS and the run configuration
        (``krigflow_config`` attribute, JSON) are taken from it.
    grid : krigflow.grid.Grid, optional
        The grid, when ``arrays`` has no coordinate vectors.

    Returns
    -------
    str
        ``path``.

    Examples
    --------
    >>> import os, tempfile, numpy as np, xarray as xr
    >>> arrays = {"mean": np.ones((2, 1, 3)), "easting": [0.5, 1.5], "northing": [0.5], "tvdss": [1.0, 2.0, 3.0]}
    >>> path = write_netcdf(os.path.join(tempfile.mkdtemp(), "s.nc"), arrays)
    >>> with xr.open_dataset(path) as ds:
    ...     ds["mean"].shape
    (3, 1, 2)
    """
    ds = to_dataset(arrays, grid, summary=summary)
    encoding = {
        name: {"zlib": True, "complevel": 4} for name, var in ds.data_vars.items() if var.dims == DATASET_DIMS
    }
    for c in COORDINATES:
        encoding[c] = {"_FillValue": None}

    def write(tmp):
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)

    write_atomically(path, write)
    logger.info("wrote %s (%d statistics)", path, len(encoding) - len(COORDINATES))
    return path
