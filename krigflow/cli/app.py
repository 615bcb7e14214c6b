"""Command-line interface: ``krigflow <command> ...``.

Each subcommand has a ``_add_<command>_parser(subparsers)`` function that sets
up its options and a ``_cmd_<command>(args) -> int`` function that runs it.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from pathlib import Path

from krigflow.distributed import add_run_parser
from krigflow.exceptions import KrigflowError
from krigflow.run import add_combine_parser
from krigflow.variogram import add_variogram_parser
from krigflow.wells import inspect_well, read_well_sources

logger = logging.getLogger(__name__)


def _add_well_source_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by the commands that read wells (the same as in the run config)."""
    parser.add_argument("--well-headers", metavar="CSV", help="well-header table (Name/Well, X/Easting, "
                        "Y/Northing, KB/DFE/EKB columns detected)")
    parser.add_argument("--surveys", metavar="GLOB", action="append", default=[],
                        help="deviation survey files, directories or glob patterns (repeatable)")
    parser.add_argument("--name-map", metavar="LAS_NAME=TABLE_NAME", action="append", default=[],
                        help="explicit well-name pair (repeatable)")
    parser.add_argument("--property", default="GR", help="property to model, via curve aliases (default GR)")
    parser.add_argument("--curve", default=None, metavar="MNEMONIC",
                        help="use this curve mnemonic in every file instead of the aliases")
    parser.add_argument("--crs", default=None, metavar="EPSG:xxxx",
                        help="projected CRS to convert latitude/longitude to (needs pyproj)")


def _add_inspect_parser(subparsers) -> None:
    """Set up ``krigflow inspect``."""
    p = subparsers.add_parser("inspect", help="check LAS files: curve, depths, nulls, location, survey",
                              description="One row per LAS file: property curve, depth range and step, "
                              "% null, location and its source, survey source and problems. Exit status 0 "
                              "when every file is usable, 1 otherwise.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="LAS files or directories")
    p.add_argument("--json", action="store_true", help="one JSON object per input file on stdout")
    _add_well_source_options(p)
    p.set_defaults(func=_cmd_inspect)


def _las_paths(paths) -> list[str]:
    """Expand directories into the LAS files they hold (``*.las``, any case)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(str(f) for f in p.iterdir() if f.suffix.lower() == ".las"))
        else:
            out.append(str(p))
    return out


def _format_row(rec: dict) -> list[str]:
    """Table cells of one inspect record."""
    if rec["status"] != "ok" and rec["curve"] is None:
        return [Path(rec["path"]).name, rec["well"] or "-", "-", "-", "-", "-", "-", "-", "-", "ERROR"]
    depth = f"{rec['md_min']:.1f}-{rec['md_max']:.1f}" if rec["md_min"] is not None else "-"
    step = f"{rec['md_step']:g}" if rec["md_step"] is not None else "-"
    loc = f"{rec['easting']:.1f}, {rec['northing']:.1f}"
    problems = "ERROR" if rec["status"] != "ok" else (f"{len(rec['warnings'])} warning(s)"
                                                      if rec["warnings"] else "")
    return [Path(rec["path"]).name, rec["well"], f"{rec['curve']} ({rec['unit']})", depth, step,
            f"{rec['null_percent']:.1f}", loc, f"{rec['kb']:g}", f"{rec['location_source']} | "
            f"{rec['survey_source']}", problems]


def _print_table(records, out) -> None:
    """Aligned text table plus the list of problems under it."""
    header = ["file", "well", "curve", "MD range (m)", "step", "% null", "head E, N", "KB",
              "location | survey source", "problems"]
    rows = [header] + [_format_row(r) for r in records]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    for row in rows:
        out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
    for rec in records:
        msgs = ([f"error: {rec['error']}"] if rec["error"] else []) + rec["warnings"]
        if msgs:
            out.write(f"\n{Path(rec['path']).name}:\n")
            for m in msgs:
                out.write(f"  - {m}\n")


def _unmatched_rows(sources, records) -> list[str]:
    """Header-table wells that no inspected LAS file matched."""
    if sources.header_table is None:
        return []
    from krigflow.wells import match_well_name

    matched = set()
    names = sources.header_table.names()
    for rec in records:
        if rec["well"]:
            m = match_well_name(rec["well"], names, sources.name_map)
            if m.name:
                matched.add(m.name)
    return [n for n in names if n not in matched]


def _cmd_inspect(args) -> int:
    """Run ``krigflow inspect``."""
    try:
        sources = read_well_sources(property=args.property, well_headers=args.well_headers,
                                    surveys=args.surveys or None, name_map=args.name_map, crs=args.crs,
                                    curve=args.curve)
    except KrigflowError as exc:
        sys.stderr.write(f"krigflow inspect: {exc}\n")
        return 1
    records = [inspect_well(p, sources) for p in _las_paths(args.paths)]
    if not records:
        sys.stderr.write("krigflow inspect: no LAS file found\n")
        return 1
    if args.json:
        for rec in records:
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    else:
        _print_table(records, sys.stdout)
        for note in sources.warnings:
            sys.stdout.write(f"\nsources: {note}\n")
        unmatched = _unmatched_rows(sources, records)
        if unmatched:
            sys.stdout.write(f"\nheader-table wells without a LAS file: {', '.join(unmatched)}\n")
    return 0 if all(r["status"] == "ok" for r in records) else 1


def _add_export_parser(subparsers) -> None:
    """Set up ``krigflow export``."""
    p = subparsers.add_parser("export", help="write a run's stats.npz as NetCDF, VTK ImageData or Eclipse GRDECL",
                              description="Convert the stats.npz of a finished run (and the metadata of its "
                              "summary.json) into other formats, in the same folder: stats.nc (NetCDF-4, CF; "
                              "xarray, Panoply), stats.vti (ParaView), stats.grdecl (ResInsight, Petrel). Every "
                              "3-D statistic in stats.npz is written.")
    p.add_argument("output_dir", metavar="OUTPUT_DIR", help="output directory of a run (holds stats.npz)")
    p.add_argument("--format", dest="formats", action="append", metavar="FORMAT",
                   choices=("netcdf", "vti", "grdecl", "all"),
                   help="netcdf, vti, grdecl or all; repeatable (default netcdf)")
    p.set_defaults(func=_cmd_export)


def _cmd_export(args) -> int:
    """Run ``krigflow export``."""
    from krigflow.io import load_results, write_formats

    arrays, summary = load_results(args.output_dir)
    for path in write_formats(args.output_dir, arrays, args.formats or ["netcdf"], summary=summary):
        sys.stdout.write(f"{path}\n")
    return 0


def _numbers(text):
    """Comma-separated numbers (argparse type)."""
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _names(text):
    """Comma-separated names (argparse type)."""
    return [v.strip() for v in text.split(",") if v.strip()]


def _add_plot_parser(subparsers) -> None:
    """Set up ``krigflow plot``."""
    p = subparsers.add_parser("plot", help="draw a run's figures (maps, section, histogram, variogram) as PNG",
                              description="Write PNG figures of a finished run into OUTPUT_DIR/figures/: "
                              "map slices of mean, std and (when present) P10/P50/P90 with the wells, a "
                              "vertical section through wells, a histogram of data against realizations, "
                              "and the variogram when one was fitted. Defaults come from the run's "
                              "'outputs' configuration.")
    p.add_argument("output_dir", metavar="OUTPUT_DIR", help="output directory of a run (holds stats.npz)")
    p.add_argument("--slices", type=_numbers, metavar="TVDSS,...",
                   help="TVDSS depths (m) of the map slices (default: 25, 50 and 75 %% of the depth range)")
    p.add_argument("--section-wells", type=_names, metavar="WELL,...",
                   help="wells the section passes through, in order (default: along the wells' main trend)")
    p.add_argument("--statistics", type=_names, metavar="STAT,...",
                   help="statistics to map (default: mean, std, p10, p50, p90 when present)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNG files (default 110)")
    p.set_defaults(func=_cmd_plot)


def _cmd_plot(args) -> int:
    """Run ``krigflow plot``."""
    from krigflow.io import load_results
    from krigflow.plotting import plot_results

    arrays, summary = load_results(args.output_dir)
    outputs = ((summary or {}).get("config") or {}).get("outputs") or {}
    written = plot_results(args.output_dir, arrays=arrays, summary=summary,
                           slices=args.slices or outputs.get("slices"),
                           section_wells=args.section_wells or outputs.get("section_wells"),
                           statistics=args.statistics, dpi=args.dpi)
    for path in written:
        sys.stdout.write(f"{path}\n")
    return 0


#: One example per subcommand, shown at the end of its --help.
EXAMPLES = {
    "run": "krigflow run data/demo/run.yaml --mapping multi -n 4 --overwrite",
    "inspect": "krigflow inspect las/ --well-headers Well_Headers.csv --surveys 'deviation/*.dev'",
    "export": "krigflow export output/demo --format vti --format grdecl",
    "plot": "krigflow plot output/demo --slices 1050,1150 --section-wells KF-01,KF-04,KF-05",
    "combine": "krigflow combine run_0_50 run_50_100 -o merged",
}


def _finish_subcommands(subparsers) -> None:
    """Give every subcommand -q/--quiet, -v/--verbose and its example in --help."""
    for name, sub in subparsers.choices.items():
        sub.formatter_class = argparse.RawDescriptionHelpFormatter  # keeps the example's line breaks
        if sub.description and "\n" not in sub.description:
            sub.description = textwrap.fill(sub.description, 100)
        if name in EXAMPLES and not sub.epilog:
            sub.epilog = f"example:\n  {EXAMPLES[name]}"
        options = {o for action in sub._actions for o in action.option_strings}
        if "--quiet" not in options:
            sub.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                             help="only errors on stderr (no progress, no warnings)")
        if "--verbose" not in options:
            sub.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                             help="more log messages on stderr (-vv: debug), and tracebacks on errors")


def build_parser() -> argparse.ArgumentParser:
    """The ``krigflow`` argument parser with all subcommands.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(prog="krigflow", description="Well logs to 3-D property models.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log messages on stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    _add_inspect_parser(subparsers)
    add_run_parser(subparsers)
    add_combine_parser(subparsers)
    _add_export_parser(subparsers)
    _add_plot_parser(subparsers)
    add_variogram_parser(subparsers)
    _finish_subcommands(subparsers)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``krigflow`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    if args.quiet:
        level = logging.ERROR
    else:
        level = logging.WARNING if args.verbose == 0 else (logging.INFO if args.verbose == 1 else logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not args.quiet:  # progress lines (krigflow run, not on a terminal) are INFO records
        logging.getLogger("krigflow.run.progress").setLevel(min(level, logging.INFO))
    if args.verbose == 0 and args.command == "inspect":
        # lasio and the name matcher report through records that inspect already shows.
        logging.getLogger("lasio").setLevel(logging.ERROR)
        logging.getLogger("krigflow").setLevel(logging.ERROR)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        sys.stderr.write(f"krigflow {args.command}: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - one clear line; the traceback with --verbose
        message = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, KrigflowError):
            message = f"{message} ({type(exc).__name__})"
        if args.verbose:
            import traceback

            traceback.print_exc(file=sys.stderr)
        hint = "" if args.verbose or isinstance(exc, KrigflowError) else "; use --verbose for the traceback"
        sys.stderr.write(f"krigflow {args.command}: error: {message}{hint}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
