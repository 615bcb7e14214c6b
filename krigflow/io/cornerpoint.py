"""Corner-point outputs of a run, through xtgeo: EGRID and ROFF for any run, every format for a zoned run.

A zoned run (``zones:`` in the config) keeps its corner-point geometry in ``stats.npz`` (the ``cp_*`` arrays of
:meth:`krigflow.zones.StratigraphicGrid.to_arrays`); its formats are written by
:func:`krigflow.zones.write_cornerpoint_formats`:

===========  =========================================  ==============================================
format       files                                      layout
===========  =========================================  ==============================================
``netcdf``   ``stats.nc``                               CF, 3-D auxiliary coordinates easting/northing/tvdss
``vti``      ``stats.vts``                              VTK StructuredGrid (corner points), z = -tvdss
``grdecl``   ``stats.grdecl``                           COORD/ZCORN/ACTNUM + ZONE + statistics (xtgeo)
``egrid``    ``stats.EGRID`` + ``stats_props.grdecl``   Eclipse binary grid; properties beside (xtgeo)
``roff``     ``stats.roff`` + ``stats_<NAME>.roff``     RMS binary grid and one file per property (xtgeo)
===========  =========================================  ==============================================

A box run writes ``egrid`` and ``roff`` as a corner-point grid with flat layers
(:func:`krigflow.zones.box_stratigraphic_grid`).
"""

from __future__ import annotations

import logging
import os

from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.io.results import (
    grid_geometry,
    property_name_unit,
    statistic_arrays,
    summary_spacing,
    tool_attrs,
)
from krigflow.zones import StratigraphicGrid, box_stratigraphic_grid, write_cornerpoint_formats

logger = logging.getLogger(__name__)

__all__ = [
    "CORNERPOINT_ONLY",
    "cornerpoint_grid",
    "is_zoned",
    "write_cornerpoint_outputs",
    "write_egrid",
    "write_roff",
]

#: Formats written only as corner-point grids through xtgeo (not part of ``all``: xtgeo is optional).
CORNERPOINT_ONLY = ("egrid", "roff")


def is_zoned(arrays) -> bool:
    """True if ``arrays`` (``stats.npz`` content) hold a corner-point geometry (a zoned run)."""
    return "cp_interfaces" in arrays


def cornerpoint_grid(arrays, summary=None) -> StratigraphicGrid:
    """The corner-point grid of a run: its zones' grid, or its box as flat layers."""
    if is_zoned(arrays):
        return StratigraphicGrid.from_arrays(arrays)
    geom = grid_geometry(arrays, summary_spacing(summary))
    bounds = [v for lo, n, d in zip(geom["lower"], geom["shape"], geom["spacing"]) for v in (lo, lo + n * d)]
    return box_stratigraphic_grid(Grid.from_bounds(bounds, geom["spacing"]))


def write_cornerpoint_outputs(output_dir, arrays, formats, *, summary=None) -> list:
    """Write ``formats`` (canonical names) of a run on its corner-point grid; returns the files written.

    Raises
    ------
    KrigflowError
        If a file cannot be written or xtgeo is missing (the message names the folder).
    """
    prop, unit = property_name_unit(summary)
    try:
        return write_cornerpoint_formats(output_dir, cornerpoint_grid(arrays, summary), statistic_arrays(arrays),
                                         list(formats), units=unit,
                                         attrs={"property": prop, "property_unit": unit,
                                                "title": f"krigflow stochastic kriging statistics of {prop}",
                                                **tool_attrs(summary)})
    except KrigflowError:
        raise
    except ImportError as exc:
        raise KrigflowError(f"corner-point formats {list(formats)} need xtgeo (pip install xtgeo): {exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise KrigflowError(f"writing the corner-point outputs {list(formats)} in {output_dir} failed: {exc} "
                            f"({type(exc).__name__})") from exc


def write_egrid(path, arrays, *, summary=None) -> str:
    """Write ``stats.EGRID`` (and ``stats_props.grdecl``) into the folder of ``path``; return the grid file."""
    return write_cornerpoint_outputs(os.path.dirname(path) or ".", arrays, ["egrid"], summary=summary)[0]


def write_roff(path, arrays, *, summary=None) -> str:
    """Write ``stats.roff`` (and one ``stats_<NAME>.roff`` per property) into the folder of ``path``."""
    return write_cornerpoint_outputs(os.path.dirname(path) or ".", arrays, ["roff"], summary=summary)[0]
