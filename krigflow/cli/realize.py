"""``krigflow realize``: regenerate chosen realizations of a run and write them for simulators and viewers.

Layout (what ensemble tools such as ERT/FMU expect): ``DIR/realization-<r>/<property>.<ext>``, one folder
per realization, with ``.grdecl`` (Eclipse, OPM Flow, ResInsight, Petrel), ``.nc`` (NetCDF-4, xarray)
and ``.vti`` (VTK ImageData, ParaView). The run's fingerprint (``summary.json``) is checked first: a
configuration (or input data) that changed since the run is refused, since it would not reproduce the
realizations the statistics were made of.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from krigflow.exceptions import KrigflowError
import numpy as np

from krigflow.io import FILENAMES, FORMAT_ALIASES, WRITERS

logger = logging.getLogger(__name__)

__all__ = ["add_realize_parser", "realize_command", "write_realization", "parse_formats", "REALIZE_FORMATS"]

#: Formats of ``realize`` (those of ``krigflow export``) and their file extensions.
REALIZE_FORMATS = {name: os.path.splitext(FILENAMES[name])[1][1:] for name in WRITERS}
_AXES = ("easting", "northing", "tvdss")


def parse_formats(text) -> list:
    """Comma-separated formats, aliases resolved (argparse type).

    Examples
    --------
    >>> parse_formats("grdecl,vtk"), parse_formats("netcdf, grdecl, vti")
    (['grdecl', 'vti'], ['netcdf', 'grdecl', 'vti'])
    """
    out = []
    for name in (v.strip().lower() for v in str(text).split(",")):
        if not name:
            continue
        name = FORMAT_ALIASES.get(name, name)
        if name not in REALIZE_FORMATS:
            raise argparse.ArgumentTypeError(f"format must be among {', '.join(REALIZE_FORMATS)} (or "
                                             f"{', '.join(FORMAT_ALIASES)}), got {name!r}")
        out.append(name)
    if not out:
        raise argparse.ArgumentTypeError("no format given")
    return list(dict.fromkeys(out))


def _write_cornerpoint(path, fmt, sgrid, name, values):
    """One realization on a corner-point grid through xtgeo / the zones writers (zoned runs, EGRID, ROFF)."""
    from krigflow.zones import write_cornerpoint, write_cornerpoint_netcdf, write_vts

    stats = {name: values}
    if fmt == "netcdf":
        return [write_cornerpoint_netcdf(path, sgrid, stats)]
    if fmt == "vti":
        return [write_vts(os.path.splitext(path)[0] + ".vts", sgrid, stats)]
    return write_cornerpoint(path, sgrid, stats, fformat=fmt)


def write_realization(folder, da, formats, *, summary=None, overwrite=False, sgrid=None) -> list:
    """Write one realization (``xarray.DataArray`` from :func:`krigflow.run.realize.realization`).

    Parameters
    ----------
    folder : str
        Root folder; files go to ``folder/realization-<r>/<property>.<ext>``.
    da : xarray.DataArray
        Dims (easting, northing, tvdss), ``attrs["realization"]``, named after the property.
    formats : sequence of str
        Keys of :data:`REALIZE_FORMATS`.
    summary : dict, optional
        The run's summary (metadata for the files: CRS, units).
    overwrite : bool, default False
        Replace existing files.
    sgrid : krigflow.zones.StratigraphicGrid, optional
        The corner-point grid of a zoned run: every format is then written on it (VTK as ``.vts``).
        EGRID and ROFF are always written on a corner-point grid (the box's flat layers without one),
        through xtgeo, with their property files beside the grid file.

    Returns
    -------
    list of str
        Paths written.

    Raises
    ------
    KrigflowError
        A file exists and ``overwrite`` is False (naming it), or writing fails.
    """
    name = str(da.name or "property")
    r = int(da.attrs["realization"])
    target = os.path.join(folder, f"realization-{r}")
    paths = [os.path.join(target, f"{name}.{REALIZE_FORMATS[f]}") for f in formats]
    existing = [p for p in paths if os.path.exists(p) or os.path.exists(os.path.splitext(p)[0] + ".vts")]
    if existing and not overwrite:
        raise KrigflowError(f"{existing[0]} exists; use --overwrite to replace it")
    os.makedirs(target, exist_ok=True)
    arrays = {axis: da[axis].values for axis in ("easting", "northing", "tvdss")}
    arrays[name] = da.values
    meta = dict(summary or {})
    meta["config"] = dict(meta.get("config") or {}, property=name)
    if not meta.get("wells"):
        meta["wells"] = [{"unit": da.attrs.get("units", "")}]
    written = []
    for fmt, path in zip(formats, paths):
        try:
            if sgrid is not None or fmt in ("egrid", "roff"):
                if sgrid is None:
                    from krigflow.grid import Grid
                    from krigflow.zones import box_stratigraphic_grid

                    step = [float(np.diff(da[a].values[:2])[0]) if da[a].size > 1 else 1.0 for a in _AXES]
                    bounds = [v for a, d in zip(_AXES, step)
                              for v in (float(da[a].values[0]) - d / 2, float(da[a].values[-1]) + d / 2)]
                    box = box_stratigraphic_grid(Grid.from_bounds(bounds, step))
                    written += _write_cornerpoint(path, fmt, box, name, da.values)
                else:
                    written += _write_cornerpoint(path, fmt, sgrid, name, da.values)
                continue
            written.append(WRITERS[fmt](path, arrays, summary=meta))
        except KrigflowError:
            raise
        except (OSError, ImportError, ValueError, RuntimeError) as exc:
            raise KrigflowError(f"writing {path} failed: {exc} ({type(exc).__name__})") from exc
    return written


def add_realize_parser(subparsers) -> None:
    """Set up ``krigflow realize``."""
    p = subparsers.add_parser("realize", help="regenerate chosen realizations of a run and write them",
                              description="Recompute realizations of a finished run exactly (realization r "
                              "depends only on the seed and r) and write each to DIR/realization-<r>/"
                              "<property>.<ext>. The run's fingerprint is checked: a configuration or input "
                              "data changed since the run are refused.")
    p.add_argument("config", metavar="CONFIG", help="the run's configuration file (YAML or JSON)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--realizations", metavar="SEL",
                       help="indices and ranges: 3,17,42 or A:B (B excluded) or a mix")
    which.add_argument("--from-rank", metavar="OUTPUT_DIR",
                       help="take the realizations krigflow rank picks in this run folder (with --by)")
    p.add_argument("--by", metavar="COLUMN", help="summary column for --from-rank (e.g. volume, mean)")
    p.add_argument("--pick", metavar="P,...", default="10,50,90", help="percentiles for --from-rank (default "
                   "10,50,90)")
    p.add_argument("--format", dest="formats", type=parse_formats, default=["grdecl"], metavar="FMT,...",
                   help="grdecl, egrid, roff, netcdf, vtk (= vti); comma-separated (default grdecl)")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="root folder of the realization-<r> folders (default: <run output>/realizations)")
    p.add_argument("--run", metavar="OUTPUT_DIR",
                   help="the finished run to check against (default: --from-rank folder, else the config's "
                   "output)")
    p.add_argument("--no-check", action="store_true",
                   help="do not require a finished run (no fingerprint check)")
    p.add_argument("--overwrite", action="store_true", help="replace existing realization files")
    p.set_defaults(func=realize_command)


def _selection(args, total):
    from krigflow.cli.rank import parse_picks, rank_run
    from krigflow.run import parse_realizations

    if args.realizations is not None:
        return parse_realizations(args.realizations, total)
    if not args.by:
        raise KrigflowError("--from-rank needs --by COLUMN (e.g. --by volume)")
    try:
        picks = parse_picks(args.pick)
    except argparse.ArgumentTypeError as exc:
        raise KrigflowError(f"--pick: {exc}") from None
    chosen = rank_run(args.from_rank, args.by, picks)
    for c in chosen:
        logger.info("P%g of %s: realization %d (%g)", c["pick"], args.by, c["realization"], c["value"])
    return list(dict.fromkeys(c["realization"] for c in chosen))


def realize_command(args) -> int:
    """Run ``krigflow realize``."""
    from krigflow.run import load_config, open_realizations, realization_of

    config = load_config(args.config)
    indices = _selection(args, int(config["realizations"]))
    run_dir = args.run or args.from_rank or config["output"]
    if args.no_check:
        run_dir = None
    elif not os.path.isfile(os.path.join(run_dir, "summary.json")):
        raise KrigflowError(f"{run_dir}: no finished run to check the configuration against (summary.json); "
                            "give --run OUTPUT_DIR, or --no-check")
    summary = None
    if run_dir is not None:
        with open(os.path.join(run_dir, "summary.json"), encoding="utf-8") as fh:
            summary = json.load(fh)
    folder = args.output or os.path.join(config["output"], "realizations")
    bad = [r for r in indices if r >= int(config["realizations"])]
    if bad:
        raise KrigflowError(f"realization(s) {bad[:10]} not in the run (it has realizations 0.."
                            f"{int(config['realizations']) - 1})")
    config, problem, unit = open_realizations(config, run_dir=run_dir)
    sgrid = problem.zones.sgrid if getattr(problem, "zones", None) is not None else None
    for r in indices:
        da = realization_of(problem, r, name=config["property"], unit=unit)
        for path in write_realization(folder, da, args.formats, summary=summary, overwrite=args.overwrite,
                                      sgrid=sgrid):
            sys.stdout.write(f"{path}\n")
    return 0
