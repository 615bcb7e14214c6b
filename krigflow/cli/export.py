"""``krigflow export``: write a finished run's ``stats.npz`` as NetCDF, VTK ImageData or Eclipse GRDECL."""

from __future__ import annotations

import sys

from krigflow.io import FORMAT_ALIASES, FORMAT_CHOICES, FORMATS, load_results, write_formats

__all__ = ["add_export_parser", "run_export"]


def add_export_parser(subparsers) -> None:
    """Set up ``krigflow export``."""
    p = subparsers.add_parser(
        "export",
        help="write a run's stats.npz as NetCDF, VTK ImageData or Eclipse GRDECL",
        description="Convert the stats.npz of a finished run (and the metadata of its summary.json) into other "
        "formats, in the same folder: stats.nc (NetCDF-4, CF; xarray, Panoply), stats.vti (ParaView), "
        "stats.grdecl (ResInsight, Petrel). Every 3-D statistic in stats.npz is written.",
    )
    p.add_argument("output_dir", metavar="OUTPUT_DIR", help="output directory of a run (holds stats.npz)")
    aliases = ", ".join(f"{a} = {f}" for a, f in FORMAT_ALIASES.items())
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        metavar="FORMAT",
        choices=FORMAT_CHOICES,
        help=f"{', '.join(FORMATS)} or all ({aliases}); repeatable (default netcdf)",
    )
    p.set_defaults(func=run_export)


def run_export(args) -> int:
    """Run ``krigflow export``: print the files written; return the exit status."""
    arrays, summary = load_results(args.output_dir)
    for path in write_formats(args.output_dir, arrays, args.formats or ["netcdf"], summary=summary):
        sys.stdout.write(f"{path}\n")
    return 0
