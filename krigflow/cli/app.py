"""Command-line interface: ``krigflow <command> ...``.

Each subcommand lives in its own module with an ``add_<command>_parser(subparsers)`` function that sets up
its options and a ``run_<command>(args) -> int`` function that runs it: :mod:`~krigflow.cli.inspect`,
:mod:`~krigflow.cli.export`, :mod:`~krigflow.cli.plot`, :mod:`~krigflow.cli.variogram`,
:mod:`~krigflow.cli.validate`; ``run`` and
``combine`` come from :mod:`krigflow.distributed` and :mod:`krigflow.run`. This module builds the parser and
turns any error into one line on stderr (:func:`krigflow.exceptions.describe_error`).
"""
from __future__ import annotations

import argparse
import logging
import sys
import textwrap

from krigflow.cli.export import add_export_parser
from krigflow.cli.inspect import add_inspect_parser
from krigflow.cli.plot import add_plot_parser
from krigflow.cli.rank import add_rank_parser
from krigflow.cli.realize import add_realize_parser
from krigflow.cli.validate import add_validate_parser
from krigflow.cli.variogram import add_variogram_parser
from krigflow.distributed import add_run_parser
from krigflow.exceptions import KrigflowError, describe_error
from krigflow.run import add_combine_parser

logger = logging.getLogger(__name__)


#: One example per subcommand, shown at the end of its --help.
EXAMPLES = {
    "run": "krigflow run data/demo/run.yaml --mapping multi -n 4 --overwrite",
    "inspect": "krigflow inspect las/ --well-headers Well_Headers.csv --surveys 'deviation/*.dev'",
    "export": "krigflow export output/demo --format vti --format grdecl",
    "plot": "krigflow plot output/demo --slices 1050,1150 --section-wells KF-01,KF-04,KF-05",
    "combine": "krigflow combine run_0_50 run_50_100 -o merged",
    "variogram": "krigflow variogram data/demo/run.yaml --output demo_variogram.png",
    "rank": "krigflow rank output/demo --by volume --pick 10,50,90",
    "realize": "krigflow realize data/demo/run.yaml --from-rank output/demo --by volume --format grdecl,vtk",
    "validate": "krigflow validate examples/poseidon.yaml --mapping multi -n 4 --json",
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
    add_inspect_parser(subparsers)
    add_run_parser(subparsers)
    add_combine_parser(subparsers)
    add_export_parser(subparsers)
    add_plot_parser(subparsers)
    add_variogram_parser(subparsers)
    add_rank_parser(subparsers)
    add_realize_parser(subparsers)
    add_validate_parser(subparsers)
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
        if args.verbose:
            import traceback

            traceback.print_exc(file=sys.stderr)
        hint = "" if args.verbose or isinstance(exc, KrigflowError) else "; use --verbose for the traceback"
        sys.stderr.write(f"krigflow {args.command}: error: {describe_error(exc)}{hint}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
