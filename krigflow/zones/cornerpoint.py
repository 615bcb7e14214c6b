"""Corner-point grids through xtgeo: COORD/ZCORN following the horizons, ACTNUM, ZONE; GRDECL, EGRID, ROFF.

:func:`to_xtgeo_grid` turns a :class:`~krigflow.zones.stratigraphic.StratigraphicGrid` into an
``xtgeo.Grid`` (vertical pillars at the lattice nodes, no faults: the four ZCORN values around a pillar
node are equal), with the zones as xtgeo subgrids. :func:`write_cornerpoint` writes it with its
properties through xtgeo, the library reservoir-modelling tools are checked against:

* ``grdecl``: one ASCII file with SPECGRID, COORD, ZCORN, ACTNUM, then ZONE and every property;
* ``egrid``: the Eclipse binary grid (geometry and ACTNUM); Eclipse keeps properties in other files, so
  ZONE and the properties go to a sibling ``<stem>_props.grdecl`` (readable with the EGRID by
  ResInsight, OPM and xtgeo);
* ``roff``: the RMS binary grid, plus one ``<stem>_<NAME>.roff`` per property (ZONE included).

Property arrays are ``(ncol, nrow, nk)`` in krigflow order (i along easting, j along northing, k down),
which is xtgeo's order; NaN (inactive or undefined cells) is written as xtgeo's undefined value (masked).
"""
from __future__ import annotations

import logging
import os
import re

import numpy as np

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["CORNERPOINT_FORMATS", "property_keyword", "to_xtgeo_grid", "write_cornerpoint"]

CORNERPOINT_FORMATS = ("grdecl", "egrid", "roff")
_EXTENSIONS = {"grdecl": ".grdecl", "egrid": ".EGRID", "roff": ".roff"}


def property_keyword(name, taken=()) -> str:
    """An Eclipse-safe keyword (upper case, letters/digits/underscore, at most 8 characters, unique).

    Examples
    --------
    >>> property_keyword("p10"), property_keyword("std_dev"), property_keyword("mean", taken={"MEAN"})
    ('P10', 'STD_DEV', 'MEAN1')
    """
    base = re.sub(r"[^A-Z0-9_]", "", str(name).upper())[:8] or "PROP"
    if base[0].isdigit():
        base = ("P" + base)[:8]
    key, n = base, 0
    while key in taken:
        n += 1
        key = base[:8 - len(str(n))] + str(n)
    return key


def to_xtgeo_grid(sgrid, properties=None, *, name="krigflow"):
    """The corner-point grid as an ``xtgeo.Grid``, with a discrete ZONE property and ``properties``.

    Parameters
    ----------
    sgrid : krigflow.zones.stratigraphic.StratigraphicGrid
    properties : mapping of str to array, shape (ncol, nrow, nk), optional
        Continuous properties (NaN = undefined).
    name : str, default "krigflow"

    Returns
    -------
    xtgeo.Grid
        ``ncol, nrow, nlay = sgrid.shape``; subgrids named after the zones; ACTNUM from
        ``sgrid.actnum()``; ``grid.props`` holds ZONE (1-based, codes = zone names) and the properties.
    """
    import xtgeo
    lat = sgrid.lattice
    ncol, nrow, nlay = sgrid.shape
    ne, nn = np.meshgrid(lat.node_easting, lat.node_northing, indexing="ij")
    coords = np.empty((ncol + 1, nrow + 1, 6), dtype=np.float64)
    coords[..., 0], coords[..., 1], coords[..., 2] = ne, nn, sgrid.interfaces[..., 0]
    coords[..., 3], coords[..., 4], coords[..., 5] = ne, nn, sgrid.interfaces[..., -1]
    zcorn = np.repeat(sgrid.interfaces[..., None], 4, axis=-1).astype(np.float32)
    actnum = sgrid.actnum().astype(np.int32)
    subgrids = {spec.name: range(a + 1, b + 1)
                for spec, a, b in zip(sgrid.zones, sgrid.layer_start[:-1], sgrid.layer_start[1:])}
    grid = xtgeo.Grid(coords, zcorn, actnum, subgrids=subgrids, name=name)
    zone = xtgeo.GridProperty(grid, name="ZONE", discrete=True, values=sgrid.zone_property(),
                              codes={q + 1: spec.name for q, spec in enumerate(sgrid.zones)})
    props = [zone]
    taken = {"ZONE"}
    for key, values in (properties or {}).items():
        values = np.asarray(values, dtype=float)
        if values.shape != (ncol, nrow, nlay):
            raise ConfigError(f"property {key!r} has shape {values.shape}, expected the grid shape "
                              f"{(ncol, nrow, nlay)}")
        keyword = property_keyword(key, taken)
        taken.add(keyword)
        masked = np.ma.masked_invalid(values)
        masked = np.ma.masked_where(actnum == 0, masked)
        props.append(xtgeo.GridProperty(grid, name=keyword, discrete=False, values=masked))
    grid.props = props
    return grid


def write_cornerpoint(path, sgrid, properties=None, *, fformat="grdecl") -> list:
    """Write the corner-point grid and its properties with xtgeo (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        Output file (its extension is kept as given).
    sgrid : krigflow.zones.stratigraphic.StratigraphicGrid
    properties : mapping of str to array, shape (ncol, nrow, nk), optional
    fformat : {"grdecl", "egrid", "roff"}, default "grdecl"

    Returns
    -------
    list of str
        The files written (the grid file first).

    Raises
    ------
    ConfigError
        For an unknown format.
    """
    if fformat not in CORNERPOINT_FORMATS:
        raise ConfigError(f"corner-point format must be one of {CORNERPOINT_FORMATS}, got {fformat!r}")
    path = os.fspath(path)
    grid = to_xtgeo_grid(sgrid, properties)
    stem = os.path.splitext(path)[0]
    written = [path]
    if fformat == "grdecl":
        grid.to_file(path, fformat="grdecl")
        for prop in grid.props:
            prop.to_file(path, fformat="grdecl", append=True, name=prop.name)
    elif fformat == "egrid":
        grid.to_file(path, fformat="egrid")
        props_path = stem + "_props.grdecl"
        for n, prop in enumerate(grid.props):
            prop.to_file(props_path, fformat="grdecl", append=n > 0, name=prop.name)
        written.append(props_path)
    else:
        grid.to_file(path, fformat="roff")
        for prop in grid.props:
            prop_path = f"{stem}_{prop.name}.roff"
            prop.to_file(prop_path, fformat="roff", name=prop.name)
            written.append(prop_path)
    logger.info("wrote corner-point grid %s (%s, %d x %d x %d, %d properties)", path, fformat, *sgrid.shape,
                len(grid.props))
    return written
