"""``krigflow rank``: the realizations of a run closest to percentiles of a per-realization summary.

Reads ``OUTPUT_DIR/realizations.csv`` (one row per realization: mean, fractions above cutoffs, volume...)
and prints, for each pick (default 10, 50, 90), the percentile of the chosen column across realizations
and the realization whose value is closest to it: the P10/P50/P90 realizations to hand to a simulator
with ``krigflow realize CONFIG --from-rank OUTPUT_DIR --by <column>``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from krigflow.exceptions import KrigflowError
from krigflow.stats import PICKS, REALIZATIONS_FILE, SummaryTable

logger = logging.getLogger(__name__)

__all__ = ["add_rank_parser", "rank_command", "parse_picks", "rank_run"]


def parse_picks(text) -> list:
    """Comma-separated percentiles within 0-100 (argparse type).

    Examples
    --------
    >>> parse_picks("10,50,90"), parse_picks("5, 95")
    ([10.0, 50.0, 90.0], [5.0, 95.0])
    """
    try:
        picks = [float(v) for v in str(text).split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated percentiles, got {text!r}") from None
    if not picks or any(not 0.0 <= p <= 100.0 for p in picks):
        raise argparse.ArgumentTypeError(f"expected percentiles within 0-100, got {text!r}")
    return picks


def rank_run(output_dir, by, picks=PICKS) -> list:
    """The realizations of a finished run closest to percentiles of one summary column.

    Parameters
    ----------
    output_dir : str
        Output folder of a run (holds ``realizations.csv``).
    by : str
        Summary column (``mean``, ``mean_<zone>``, ``frac_gt_<cutoff>``, ``volume``).
    picks : sequence of float, default (10, 50, 90)
        Percentiles.

    Returns
    -------
    list of dict
        As :meth:`krigflow.stats.summaries.SummaryTable.closest`, plus ``column`` and ``n_realizations``.

    Raises
    ------
    KrigflowError
        No ``realizations.csv``, or an unknown column (the message lists the columns).
    """
    if not os.path.isdir(output_dir):
        raise KrigflowError(f"{output_dir}: no such output directory")
    table = SummaryTable.read_csv(os.path.join(output_dir, REALIZATIONS_FILE))
    return [dict(p, column=by, n_realizations=len(table)) for p in table.closest(by, picks)]


def add_rank_parser(subparsers) -> None:
    """Set up ``krigflow rank``."""
    p = subparsers.add_parser("rank", help="realizations closest to the P10/P50/P90 of a summary column",
                              description="Read OUTPUT_DIR/realizations.csv (per-realization summaries of a "
                              "finished run) and print, for each percentile picked, its value across the "
                              "realizations and the realization closest to it (ties: the smaller index). "
                              "Percentiles are numpy's (P10 = 10 % of realizations below); SPE-PRMS calls "
                              "that one P90.")
    p.add_argument("output_dir", metavar="OUTPUT_DIR", help="output directory of a run (holds realizations.csv)")
    p.add_argument("--by", metavar="COLUMN",
                   help="summary column: mean, mean_<zone>, frac_gt_<cutoff>, volume (without it: the "
                   "percentiles of every column)")
    p.add_argument("--pick", type=parse_picks, default=list(PICKS), metavar="P,...",
                   help="percentiles to pick (default 10,50,90)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON object per pick on stdout")
    out.add_argument("--indices", action="store_true",
                     help="only the realization indices, comma-separated (for realize --realizations)")
    p.set_defaults(func=rank_command)


def _print_table(rows) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")


def _overview(args) -> int:
    """``krigflow rank OUTPUT_DIR`` without --by: the picked percentiles of every column."""
    if not os.path.isdir(args.output_dir):
        raise KrigflowError(f"{args.output_dir}: no such output directory")
    table = SummaryTable.read_csv(os.path.join(args.output_dir, REALIZATIONS_FILE))
    pct = table.percentiles(args.pick)
    if args.json:
        sys.stdout.write(json.dumps({"realizations": len(table), "percentiles": pct}) + "\n")
        return 0
    keys = [f"p{p:g}" for p in args.pick]
    _print_table([("column", *(k.upper() for k in keys))]
                 + [(name, *(f"{pct[name][k]:.6g}" if pct[name][k] is not None else "-" for k in keys))
                    for name in table.columns])
    sys.stdout.write(f"({len(table)} realizations; rank them with --by COLUMN)\n")
    return 0


def rank_command(args) -> int:
    """Run ``krigflow rank``."""
    if args.by is None:
        if args.indices:
            raise KrigflowError("--indices needs --by COLUMN")
        return _overview(args)
    picks = rank_run(args.output_dir, args.by, args.pick)
    if args.json:
        for p in picks:
            sys.stdout.write(json.dumps(p) + "\n")
    elif args.indices:
        sys.stdout.write(",".join(str(p["realization"]) for p in picks) + "\n")
    else:
        _print_table([("pick", f"{args.by} percentile", "realization", args.by)]
                     + [(f"P{p['pick']:g}", f"{p['target']:.6g}", str(p["realization"]), f"{p['value']:.6g}")
                        for p in picks])
        sys.stdout.write(f"({picks[0]['n_realizations']} realizations)\n")
    return 0
