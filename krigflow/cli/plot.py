"""``krigflow plot``: draw a finished run's figures (maps, section, histogram, variogram) as PNG files."""

from __future__ import annotations

import argparse
import sys

from krigflow.io import load_results
from krigflow.plotting import plot_results

__all__ = ["add_plot_parser", "comma_names", "comma_numbers", "run_plot"]


def comma_numbers(text) -> list:
    """Comma-separated numbers (argparse type).

    Examples
    --------
    >>> comma_numbers("1050, 1150.5")
    [1050.0, 1150.5]
    """
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def comma_names(text) -> list:
    """Comma-separated names (argparse type).

    Examples
    --------
    >>> comma_names("KF-01, KF-04,")
    ['KF-01', 'KF-04']
    """
    return [v.strip() for v in text.split(",") if v.strip()]


def add_plot_parser(subparsers) -> None:
    """Set up ``krigflow plot``."""
    p = subparsers.add_parser(
        "plot",
        help="draw a run's figures (maps, section, histogram, variogram) as PNG",
        description="Write PNG figures of a finished run into OUTPUT_DIR/figures/: map slices of mean, std and "
        "(when present) P10/P50/P90 with the wells, a vertical section through wells, a histogram of data against "
        "realizations, and the variogram when one was fitted. Defaults come from the run's 'outputs' "
        "configuration.",
    )
    p.add_argument("output_dir", metavar="OUTPUT_DIR", help="output directory of a run (holds stats.npz)")
    p.add_argument("--slices", type=comma_numbers, metavar="TVDSS,...",
                   help="TVDSS depths (m) of the map slices (default: 25, 50 and 75 %% of the depth range)")
    p.add_argument("--section-wells", type=comma_names, metavar="WELL,...",
                   help="wells the section passes through, in order (default: along the wells' main trend)")
    p.add_argument("--statistics", type=comma_names, metavar="STAT,...",
                   help="statistics to map (default: mean, std, p10, p50, p90 when present)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNG files (default 110)")
    p.set_defaults(func=run_plot)


def run_plot(args) -> int:
    """Run ``krigflow plot``: print the files written; return the exit status."""
    arrays, summary = load_results(args.output_dir)
    outputs = ((summary or {}).get("config") or {}).get("outputs") or {}
    written = plot_results(
        args.output_dir,
        arrays=arrays,
        summary=summary,
        slices=args.slices or outputs.get("slices"),
        section_wells=args.section_wells or outputs.get("section_wells"),
        statistics=args.statistics,
        dpi=args.dpi,
    )
    for path in written:
        sys.stdout.write(f"{path}\n")
    return 0
