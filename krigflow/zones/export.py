"""NetCDF and VTK views of a corner-point grid: 3-D auxiliary coordinates and a VTK StructuredGrid.

* :func:`cornerpoint_dataset` / :func:`write_cornerpoint_netcdf`: an ``xarray.Dataset`` on the index
  dimensions ``(k, j, i)`` (CF order Z, Y, X) whose statistics carry the CF ``coordinates`` attribute
  ``"tvdss northing easting"``: the 3-D cell-centre coordinates (mean of the 8 corners), plus ``zone``
  (per layer), ``actnum`` and the horizons (``surface_depth`` on the pillar nodes).
* :func:`write_vts`: VTK XML StructuredGrid (``.vts``) whose points are the pillar nodes at every layer
  interface (x = easting, y = northing, z = elevation = -tvdss, so that up is up in ParaView) and whose cell
  arrays are the statistics, ZONE and ACTNUM, in VTK order (i fastest, then j, then k).
"""
from __future__ import annotations

import base64
import logging
import os

import numpy as np

logger = logging.getLogger(__name__)

__all__ = [
    "CORNERPOINT_FILES",
    "cornerpoint_dataset",
    "vts_order",
    "write_cornerpoint_formats",
    "write_cornerpoint_netcdf",
    "write_vts",
]

#: File written for each output format of a zoned run (``outputs.formats``); ``vti`` is written as a
#: StructuredGrid (``.vts``) because an ImageData cannot hold corner-point cells.
CORNERPOINT_FILES = {"netcdf": "stats.nc", "vti": "stats.vts", "vts": "stats.vts", "grdecl": "stats.grdecl",
                     "egrid": "stats.EGRID", "roff": "stats.roff"}


def _cf_order(value):
    """``[i, j, k]`` array -> ``[k, j, i]`` (CF: Z, Y, X)."""
    return np.transpose(np.asarray(value), (2, 1, 0))


def cornerpoint_dataset(sgrid, stats, *, attrs=None, units=""):
    """The statistics on the corner-point grid as an ``xarray.Dataset`` with 3-D auxiliary coordinates.

    Parameters
    ----------
    sgrid : krigflow.zones.StratigraphicGrid
    stats : mapping of str to array, shape (ncol, nrow, nk)
        Cell statistics (NaN for inactive cells).
    attrs : dict, optional
        Global attributes.
    units : str, optional
        Units of the statistics.

    Returns
    -------
    xarray.Dataset
        Dimensions ``k, j, i`` (cells), ``surface``, ``j_node, i_node``; coordinates ``easting``,
        ``northing``, ``tvdss`` (k, j, i) and ``zone`` (k); variables: the statistics, ``actnum``,
        ``surface_depth``.
    """
    import xarray as xr
    e, n, z = sgrid.cell_centres()
    ncol, nrow, nk = sgrid.shape
    coords = {
        "i": ("i", np.arange(ncol), {"long_name": "cell index along easting (0-based)"}),
        "j": ("j", np.arange(nrow), {"long_name": "cell index along northing (0-based)"}),
        "k": ("k", np.arange(nk), {"long_name": "layer index, downwards (0-based)"}),
        "easting": (("k", "j", "i"), _cf_order(e), {"units": "m", "standard_name": "projection_x_coordinate",
                                                     "long_name": "easting of cell centre"}),
        "northing": (("k", "j", "i"), _cf_order(n), {"units": "m", "standard_name": "projection_y_coordinate",
                                                      "long_name": "northing of cell centre"}),
        "tvdss": (("k", "j", "i"), _cf_order(z), {"units": "m", "standard_name": "depth", "positive": "down",
                                                   "long_name": "true vertical depth below mean sea level of cell "
                                                                "centre (mean of its 8 corners)"}),
        "zone": ("k", sgrid.zone_of_layer + 1, {"long_name": "zone number (1-based) of each layer",
                                                "flag_values": np.arange(1, sgrid.n_zones + 1, dtype=np.int32),
                                                "flag_meanings": " ".join(z.replace(" ", "_") for z in sgrid.zone_names)}),
        "surface": ("surface", list(sgrid.surface_names)),
        "easting_node": ("i_node", sgrid.lattice.node_easting, {"units": "m", "long_name": "pillar easting"}),
        "northing_node": ("j_node", sgrid.lattice.node_northing, {"units": "m", "long_name": "pillar northing"}),
    }
    variables = {
        "actnum": (("k", "j", "i"), _cf_order(sgrid.actnum().astype(np.int8)),
                   {"long_name": "active cell (1) or pinched out (0)", "coordinates": "tvdss northing easting"}),
        "surface_depth": (("surface", "j_node", "i_node"), np.transpose(sgrid.surfaces, (0, 2, 1)),
                          {"units": "m", "long_name": "horizon depth (TVDSS) at the pillars", "positive": "down"}),
    }
    for name, value in stats.items():
        variables[name] = (("k", "j", "i"), _cf_order(np.asarray(value, dtype=float)),
                           {"long_name": name.replace("_", " "), "units": units,
                            "coordinates": "tvdss northing easting"})
    base = {"Conventions": "CF-1.8", "grid": "corner-point (vertical pillars), layers following the horizons",
            "zones": ", ".join(sgrid.zone_names), "tvdss_convention": "metres below mean sea level, positive down"}
    base.update(attrs or {})
    return xr.Dataset(variables, coords=coords, attrs=base)


def write_cornerpoint_netcdf(path, sgrid, stats, *, attrs=None, units="") -> str:
    """Write :func:`cornerpoint_dataset` as NetCDF-4 (compressed statistics).

    Examples
    --------
    >>> import tempfile, xarray as xr
    >>> from krigflow.zones import Lattice, ZoneSpec, build_stratigraphic_grid
    >>> g = build_stratigraphic_grid(Lattice((0.0, 0.0), (10.0, 10.0), (2, 1)),
    ...                              np.array([np.zeros((3, 2)), np.full((3, 2), 4.0)]), [ZoneSpec("A", 2)])
    >>> p = write_cornerpoint_netcdf(tempfile.mkdtemp() + "/s.nc", g, {"mean": np.ones(g.shape)})
    >>> ds = xr.open_dataset(p)
    >>> ds["mean"].dims, ds["tvdss"].values[:, 0, 0].tolist()
    (('k', 'j', 'i'), [1.0, 3.0])
    >>> ds.close()
    """
    ds = cornerpoint_dataset(sgrid, stats, attrs=attrs, units=units)
    encoding = {name: {"zlib": True, "complevel": 4} for name in stats}
    for c in ("i", "j", "k", "easting", "northing", "tvdss", "easting_node", "northing_node"):
        encoding[c] = {"_FillValue": None}
    path = os.fspath(path)
    ds.to_netcdf(path, engine="netcdf4", format="NETCDF4", encoding=encoding)
    logger.info("wrote %s (%d statistics on a %s corner-point grid)", path, len(stats), sgrid.shape)
    return path


def vts_order(value) -> np.ndarray:
    """Flatten an ``[i, j, k]`` array into VTK order (i fastest, then j, then k).

    Examples
    --------
    >>> vts_order(np.arange(8.0).reshape(2, 2, 2)).tolist()
    [0.0, 4.0, 2.0, 6.0, 1.0, 5.0, 3.0, 7.0]
    """
    return np.ascontiguousarray(np.asarray(value).transpose(2, 1, 0)).ravel()


def _data_array(name, data, vtk_type, components=1):
    raw = np.uint64(data.nbytes).tobytes() + data.tobytes()
    return [f'        <DataArray type="{vtk_type}" Name="{name}" NumberOfComponents="{components}" format="binary">',
            "          " + base64.b64encode(raw).decode("ascii"), "        </DataArray>"]


def write_vts(path, sgrid, stats) -> str:
    """Write the corner-point grid and its statistics as a VTK XML StructuredGrid (``.vts``).

    Parameters
    ----------
    path : str or path-like
    sgrid : krigflow.zones.StratigraphicGrid
    stats : mapping of str to array, shape (ncol, nrow, nk)

    Returns
    -------
    str
    """
    ncol, nrow, nk = sgrid.shape
    ne, nn = np.meshgrid(sgrid.lattice.node_easting, sgrid.lattice.node_northing, indexing="ij")
    points = np.stack([np.broadcast_to(ne[..., None], sgrid.interfaces.shape),
                       np.broadcast_to(nn[..., None], sgrid.interfaces.shape), -sgrid.interfaces], axis=-1)
    points = np.ascontiguousarray(points.transpose(2, 1, 0, 3)).reshape(-1, 3).astype("<f8")
    extent = f"0 {ncol} 0 {nrow} 0 {nk}"
    first = next(iter(stats), "ZONE")
    lines = ['<?xml version="1.0"?>',
             '<VTKFile type="StructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt64">',
             f'  <StructuredGrid WholeExtent="{extent}">', f'    <Piece Extent="{extent}">',
             "      <Points>"]
    lines += _data_array("Points", points.ravel(), "Float64", 3)
    lines += ["      </Points>", f'      <CellData Scalars="{first}">']
    for name, value in stats.items():
        lines += _data_array(name, vts_order(np.asarray(value, dtype="<f8")), "Float64")
    lines += _data_array("ZONE", vts_order(sgrid.zone_property().astype("<i4")), "Int32")
    lines += _data_array("ACTNUM", vts_order(sgrid.actnum().astype("<i4")), "Int32")
    lines += ["      </CellData>", "    </Piece>", "  </StructuredGrid>", "</VTKFile>", ""]
    path = os.fspath(path)
    with open(path, "w", encoding="ascii") as fh:
        fh.write("\n".join(lines))
    logger.info("wrote %s (%d statistics, structured grid %d x %d x %d)", path, len(stats), ncol, nrow, nk)
    return path


def write_cornerpoint_formats(folder, sgrid, stats, formats, *, attrs=None, units="") -> list:
    """Write the statistics of a zoned run in the requested formats (see :data:`CORNERPOINT_FILES`).

    Parameters
    ----------
    folder : str
        Output folder.
    sgrid : krigflow.zones.StratigraphicGrid
    stats : mapping of str to array, shape (ncol, nrow, nk)
    formats : sequence of str
        Among ``netcdf``, ``vti``/``vts``, ``grdecl``, ``egrid``, ``roff``.
    attrs : dict, optional
        Global NetCDF attributes.
    units : str, optional

    Returns
    -------
    list of str
        Every file written (EGRID and ROFF write property files beside the grid).
    """
    from krigflow.exceptions import ConfigError
    from krigflow.zones.cornerpoint import write_cornerpoint

    unknown = [f for f in formats if f not in CORNERPOINT_FILES]
    if unknown:
        raise ConfigError(f"output format(s) {unknown} unknown for a zoned run; use {sorted(CORNERPOINT_FILES)}")
    written = []
    for fmt in dict.fromkeys("vts" if f == "vti" else f for f in formats):
        path = os.path.join(os.fspath(folder), CORNERPOINT_FILES[fmt])
        if fmt == "netcdf":
            written.append(write_cornerpoint_netcdf(path, sgrid, stats, attrs=attrs, units=units))
        elif fmt == "vts":
            written.append(write_vts(path, sgrid, stats))
        else:
            written += write_cornerpoint(path, sgrid, stats, fformat=fmt)
    return written
