"""``krigflow inspect``: check LAS files (curve, depths, nulls, location, survey) before a run."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from krigflow.consistency import curve_warnings
from krigflow.exceptions import KrigflowError
from krigflow.wells import inspect_well, load_well, match_well_name, read_well_sources
from krigflow.zones import describe_tops, place_tops, read_all_tops

__all__ = ["add_inspect_parser", "run_inspect"]


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


def add_inspect_parser(subparsers) -> None:
    """Set up ``krigflow inspect``."""
    p = subparsers.add_parser("inspect", help="check LAS files: curve, depths, nulls, location, survey",
                              description="One row per LAS file: property curve, depth range and step, "
                              "% null, location and its source, survey source and problems. Exit status 0 "
                              "when every file is usable, 1 otherwise.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="LAS files or directories")
    p.add_argument("--json", action="store_true", help="one JSON object per input file on stdout")
    p.add_argument("--tops", metavar="CSV", action="append", default=[],
                   help="formation tops table(s) (well, surface, MD and/or TVDSS): list the tops found per well "
                        "and flag those out of order (repeatable)")
    p.add_argument("--surfaces", metavar="A,B,C", default=None,
                   help="surface order, top to bottom, for the tops check (default: the tops file's order)")
    _add_well_source_options(p)
    p.set_defaults(func=run_inspect)


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
            f"{rec['null_percent']:.1f}", loc, f"{rec['kb']:g}",
            f"{rec['location_source']} | {rec['survey_source']}", problems]


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
    matched = set()
    names = sources.header_table.names()
    for rec in records:
        if rec["well"]:
            m = match_well_name(rec["well"], names, sources.name_map)
            if m.name:
                matched.add(m.name)
    return [n for n in names if n not in matched]


def _tops_report(args, sources, records) -> tuple:
    """Tops per well (``describe_tops``) and the problems met placing them; (report, problems)."""
    tops = read_all_tops(args.tops)
    wells = [load_well(rec["path"], sources) for rec in records if rec["status"] == "ok"]
    placed, problems = place_tops(tops, wells)
    surfaces = [s.strip() for s in args.surfaces.split(",")] if args.surfaces else None
    return describe_tops(placed, surfaces), problems


def _print_tops(report, problems, out) -> None:
    out.write("\ntops per well (TVDSS m):\n")
    for entry in report:
        picks = ", ".join(f"{t['surface']} {t['tvdss']:g}" if t["tvdss"] is not None else f"{t['surface']} -"
                          for t in entry["tops"])
        out.write(f"  {entry['well']}: {picks}\n")
        for flag in entry["flags"]:
            out.write(f"    - {flag}\n")
    for note in problems:
        out.write(f"  - {note}\n")


def _tool_offsets(args, sources, records) -> str | None:
    """What ``tool_offsets: auto`` would do with these wells (:mod:`krigflow.tool_offsets`), as one line."""
    from krigflow.tool_offsets import describe, estimate_tool_offsets

    try:
        wells = [load_well(rec["path"], sources) for rec in records if rec["status"] == "ok"]
        return describe(estimate_tool_offsets(wells, {"property": args.property, "trend": {"kind": "auto"}}))
    except KrigflowError as exc:
        return f"not estimated ({exc})"


def run_inspect(args) -> int:
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
    consistency = curve_warnings([{"name": r["well"] or os.path.basename(r["path"]), "curve": r["curve"],
                                   "unit": r["unit"]} for r in records if r["status"] == "ok"], args.property)
    offsets = _tool_offsets(args, sources, records) if consistency else None
    tops = problems = None
    if args.tops:
        try:
            tops, problems = _tops_report(args, sources, records)
        except KrigflowError as exc:
            sys.stderr.write(f"krigflow inspect: {exc}\n")
            return 1
    if args.json:
        for rec in records:
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if tops is not None:
            sys.stdout.write(json.dumps({"tops": tops, "problems": problems}, ensure_ascii=False) + "\n")
        for note in consistency:           # stdout holds JSON objects only: notes go to stderr
            sys.stderr.write(f"krigflow inspect: warning: {note}\n")
        if offsets is not None:
            sys.stderr.write(f"krigflow inspect: tool offsets (tool_offsets: auto): {offsets}\n")
    else:
        _print_table(records, sys.stdout)
        for note in sources.warnings:
            sys.stdout.write(f"\nsources: {note}\n")
        for note in consistency:
            sys.stdout.write(f"\nconsistency: {note}\n")
        if offsets is not None:
            sys.stdout.write(f"\ntool offsets (what tool_offsets: auto does in a run): {offsets}\n")
        unmatched = _unmatched_rows(sources, records)
        if unmatched:
            sys.stdout.write(f"\nheader-table wells without a LAS file: {', '.join(unmatched)}\n")
        if tops is not None:
            _print_tops(tops, problems, sys.stdout)
    flagged = tops is not None and any(entry["flags"] for entry in tops)
    return 0 if all(r["status"] == "ok" for r in records) and not flagged else 1
