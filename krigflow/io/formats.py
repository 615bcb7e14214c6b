"""The result formats besides ``stats.npz``: their names, file names and writers (a registry, not if-chains).

===========  ===============  ============================================================================
format       file             layout
===========  ===============  ============================================================================
``netcdf``   ``stats.nc``     NetCDF-4, CF-1.8 (:func:`krigflow.io.netcdf.write_netcdf`)
``vti``      ``stats.vti``    VTK XML ImageData, z = elevation = -tvdss (:func:`krigflow.io.vtk.write_vti`);
                              ``vtk`` is accepted as another name for it
``grdecl``   ``stats.grdecl`` Eclipse corner-point grid (:func:`krigflow.io.grdecl.write_grdecl`)
``egrid``    ``stats.EGRID``  Eclipse binary grid + ``stats_props.grdecl``, through xtgeo
                              (:func:`krigflow.io.cornerpoint.write_egrid`); not part of ``all``
``roff``     ``stats.roff``   RMS ROFF grid + ``stats_<NAME>.roff``, through xtgeo
                              (:func:`krigflow.io.cornerpoint.write_roff`); not part of ``all``
===========  ===============  ============================================================================

A zoned run (``zones:`` in the config) writes every format on its corner-point grid
(:mod:`krigflow.io.cornerpoint`): ``stats.nc`` with 3-D coordinates, ``stats.vts`` (a StructuredGrid in place
of ``stats.vti``), and ``stats.grdecl`` with COORD/ZCORN following the horizons and a ZONE property.

Every writer takes the arrays of a run's final statistics (``stats.npz``) and writes **every 3-D
statistic present**, whatever its name (``mean``, ``std``, ``count``, ``p10``, ``prob_gt_80``, ...).
The configuration (``outputs.formats``) and the command line take their allowed values from here.
"""

from __future__ import annotations

import os

from krigflow.exceptions import KrigflowError
from krigflow.io.cornerpoint import (
    CORNERPOINT_ONLY,
    is_zoned,
    write_cornerpoint_outputs,
    write_egrid,
    write_roff,
)
from krigflow.io.grdecl import write_grdecl
from krigflow.io.netcdf import write_netcdf
from krigflow.io.vtk import write_vti
from krigflow.io.wells_file import WELLS_FILE, write_wells

__all__ = [
    "FILENAMES",
    "FORMATS",
    "FORMAT_ALIASES",
    "FORMAT_CHOICES",
    "WRITERS",
    "canonical_formats",
    "write_formats",
    "write_run_files",
]

#: Writer of each format: ``writer(path, arrays, *, summary=None) -> path``.
WRITERS = {"netcdf": write_netcdf, "vti": write_vti, "grdecl": write_grdecl, "egrid": write_egrid,
           "roff": write_roff}
#: Formats :func:`write_formats` can write (``stats.npz`` is always written by the run).
FORMATS = tuple(WRITERS)
#: Other names accepted for a format (``vtk`` is what most users call a ``.vti`` file).
FORMAT_ALIASES = {"vtk": "vti"}
#: Every value accepted in ``outputs.formats`` and ``krigflow export --format``.
FORMAT_CHOICES = (*FORMATS, *FORMAT_ALIASES, "all")
#: File name of each format in the output folder.
FILENAMES = {"netcdf": "stats.nc", "vti": "stats.vti", "grdecl": "stats.grdecl", "egrid": "stats.EGRID",
             "roff": "stats.roff"}


def canonical_formats(formats) -> list:
    """Format names with aliases resolved, ``"all"`` expanded and duplicates removed (first order kept).

    Parameters
    ----------
    formats : sequence of str
        Names from :data:`FORMAT_CHOICES`.

    Returns
    -------
    list of str
        Names from :data:`FORMATS`.

    Raises
    ------
    KrigflowError
        On an unknown name (the message lists the allowed ones).

    Examples
    --------
    >>> canonical_formats(["vtk", "netcdf", "vti"])
    ['vti', 'netcdf']
    >>> canonical_formats(["all"])
    ['netcdf', 'vti', 'grdecl']
    """
    for fmt in formats:
        if fmt not in FORMAT_CHOICES:
            aliases = ", ".join(f"{a} = {f}" for a, f in FORMAT_ALIASES.items())
            raise KrigflowError(
                f"format: expected one of {', '.join(FORMATS)} or all, got {fmt!r} (also accepted: {aliases})"
            )
    if "all" in formats:   # every format that needs no optional library, plus any xtgeo format named
        formats = [f for f in FORMATS if f not in CORNERPOINT_ONLY] + [f for f in formats if f in CORNERPOINT_ONLY]
    return list(dict.fromkeys(FORMAT_ALIASES.get(fmt, fmt) for fmt in formats))


def write_formats(output_dir, arrays, formats, *, summary=None) -> list:
    """Write ``arrays`` in each of ``formats`` into ``output_dir``.

    Parameters
    ----------
    output_dir : str
        Output folder (created if needed).
    arrays : mapping of str to array
        ``stats.npz`` content.
    formats : sequence of str
        Names from :data:`FORMAT_CHOICES` (``"all"`` means every one).
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
    if is_zoned(arrays):
        return write_cornerpoint_outputs(output_dir, arrays, canonical_formats(formats), summary=summary)
    written = []
    for fmt in canonical_formats(formats):
        path = os.path.join(output_dir, FILENAMES[fmt])
        try:
            written.append(WRITERS[fmt](path, arrays, summary=summary))
        except KrigflowError:
            raise
        except (OSError, ImportError, ValueError, RuntimeError) as exc:
            raise KrigflowError(f"writing {path} failed: {exc} ({type(exc).__name__})") from exc
    return written


def write_run_files(config, arrays, summary, *, problem=None, traces=None) -> list:
    """Write what a run adds to ``stats.npz``/``summary.json``: ``wells.npz`` and the configured formats.

    Called by the run's finish before ``stats.npz``/``summary.json`` are written,
    so that a run whose files cannot all be written fails without results.

    Parameters
    ----------
    config : dict
        Validated configuration (``output``, ``outputs.formats``).
    arrays : dict
        Final statistics.
    summary : dict
        Run summary.
    problem : krigflow.run.problem.Problem, optional
        For the conditioning data.
    traces : dict, optional
        :func:`krigflow.io.wells_file.well_traces` of the wells.

    Returns
    -------
    list of str
        Paths written.
    """
    output_dir = config["output"]
    outputs = config.get("outputs") or {}
    if traces is None and problem is not None:
        traces = getattr(problem, "traces", None)
    data = None if problem is None else (problem.property_data() if hasattr(problem, "property_data") else problem.data)
    written = [write_wells(os.path.join(output_dir, WELLS_FILE), data, traces)]
    written += write_formats(output_dir, arrays, outputs.get("formats", ["netcdf"]), summary=summary)
    return written
