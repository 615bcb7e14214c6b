"""``krigflow combine``: merge the partial results of independent runs into the outputs of one run.

Runs of one config split with ``krigflow run CONFIG --realizations A:B`` (e.g. the tasks of a Slurm job
array, each with its own output folder) leave partial files in ``<output>/partials/``.
:func:`combine` reads them all as data (``numpy.load(..., allow_pickle=False)``), checks that they share
one fingerprint (the message says what differs), refuses realizations covered twice, reports missing
ones, merges the statistics in a fixed order (by realization, :func:`krigflow.run.merge_partials`) and writes ``stats.npz``,
``summary.json`` and ``realizations.csv`` exactly as a single run of all the realizations would (equal within
rounding, ≤ 1e-10).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.grid import Grid
from krigflow.io import PARTIALS_DIR, WELLS_FILE, CheckpointError, atomic_path, read_summary, scan_partials
from krigflow.run.blocks import join_blocks, summaries_of
from krigflow.run.config import DEFAULTS
from krigflow.run.fingerprint import fingerprint_differences
from krigflow.run.finish import exact_arrays, final_arrays, versions, write_results
from krigflow.run.plan import check_partials
from krigflow.run.problem import build_problem, exact_quantiles, load_inputs
from krigflow.run.ranges import format_ranges
from krigflow.stats import summary_record
from krigflow.zones import build_zoned_grid

logger = logging.getLogger(__name__)

__all__ = ["combine", "add_combine_parser", "combine_command"]


def _zoned_geometry(config) -> dict:
    """The ``cp_*`` arrays of a zoned run, rebuilt from its config (wells, tops, surfaces: deterministic)."""
    wells = sorted(load_inputs(config), key=lambda w: (w.path, w.name))
    sgrid, _, _ = build_zoned_grid(wells, config["zones"], config["grid"])
    return sgrid.to_arrays()


def _exact_arrays(config) -> dict:
    """``p<q>``/``prob_gt_<c>`` of a conditional run whose quantiles are exact (no per-cell histograms in its
    partials): recomputed from its problem, rebuilt from the config (wells, trend, variogram: deterministic)."""
    if not exact_quantiles(config) or not (config.get("quantiles") or config.get("cutoffs")):
        return {}
    return exact_arrays(build_problem(load_inputs(config), config), config.get("cutoffs") or ())


def combine(folders, output, *, allow_missing=False, realizations=None, overwrite=False) -> dict:
    """Merge the partial files found in ``folders`` and write the run outputs into ``output``.

    Parameters
    ----------
    folders : sequence of str
        Run output folders (their ``partials/`` subfolder is read) or ``partials`` folders.
    output : str
        Folder for ``stats.npz`` and ``summary.json`` (created if needed).
    allow_missing : bool, default False
        Write the outputs even if some realizations are missing (the summary lists them).
    realizations : int, optional
        Number of realizations of the complete run (default: the ``realizations`` recorded in the
        partials, the largest if they differ).
    overwrite : bool, default False
        Replace results in ``output`` that have another fingerprint (results with the same
        fingerprint are always replaced).

    Returns
    -------
    dict
        ``{"arrays", "summary", "missing"}`` (missing: int64 array).

    Raises
    ------
    CheckpointError
        If no partial is found, fingerprints differ, realizations overlap, or realizations are missing
        (without ``allow_missing``).
    """
    started = time.perf_counter()
    folders = [os.path.abspath(os.fspath(f)) for f in folders]
    for folder in folders:
        if not os.path.isdir(folder):
            raise CheckpointError(f"{folder} is not a folder")
    partials = scan_partials(folders)
    if not partials:
        raise CheckpointError(f"no partial files (partials/part-*.npz) in {', '.join(folders)}")
    partials = join_blocks(partials)  # pieces of blocks: checked, then assembled into whole-grid statistics
    covered = check_partials(partials)
    first = partials[0]
    for p in partials[1:]:
        if p.meta.get("grid") != first.meta.get("grid"):
            raise CheckpointError(f"partial files {first.path} and {p.path} have different grids")
    total = int(realizations or max(int(p.meta.get("realizations", 0)) for p in partials))
    if covered.size and covered[-1] >= total:
        raise CheckpointError(
            f"the partials cover realizations up to {covered[-1]}, beyond the {total} "
            "realizations of the run (give --realizations N)"
        )
    missing = np.setdiff1d(np.arange(total), covered)
    if missing.size and not allow_missing:
        raise CheckpointError(
            f"{missing.size} of {total} realizations missing: {format_ranges(missing)} "
            "(run them with 'krigflow run CONFIG --realizations A:B', or use --allow-missing)"
        )
    g = first.meta["grid"]
    grid = Grid(origin=tuple(g["origin"]), spacing=tuple(g["spacing"]), shape=tuple(g["shape"]))
    existing = _existing_fingerprint(output)
    if existing is not None and not overwrite:
        diffs = fingerprint_differences(first.fingerprint, existing)
        if diffs:
            raise CheckpointError(
                f"{output} holds results of a different run ({'; '.join(diffs)}); use "
                "--overwrite or another output folder"
            )
    info = first.meta.get("run_info", {})
    quantiles = (info.get("config") or {}).get("quantiles") or DEFAULTS["quantiles"]
    arrays = final_arrays(partials, grid, None if allow_missing else total, quantiles=quantiles)
    config = dict(info.get("config") or {}, output=os.path.abspath(output))
    if config.get("zones") is not None:   # rebuild the corner-point grid from the run's wells and tops
        arrays.update(_zoned_geometry(config))
    arrays.update(_exact_arrays(config))
    summary = {
        "status": "ok",
        "mapping": "combine",
        "config": config,
        "wells": info.get("wells", []),
        "grid": {
            "shape": list(grid.shape),
            "bounds": [float(b) for b in grid.bounds],
            "spacing": [float(s) for s in grid.spacing],
        },
        "n_data": info.get("n_data"),
        "kriging_mean": info.get("kriging_mean"),
        "realizations_done": int(covered.size),
        "workers": len(partials),
        "timings": {
            "krige_sum": round(sum(p.seconds for p in partials), 6),
            "combine": round(time.perf_counter() - started, 6),
        },
        "versions": versions(),
        "fingerprint": first.fingerprint,
        "combined_from": folders,
        **({"quantiles_from": "exact" if exact_quantiles(config) else "realizations"}
           if (config.get("method") or {}).get("name") == "conditional" else {}),
        "missing": format_ranges(missing) if missing.size else None,
    }
    table = summaries_of(partials)   # none for a run in blocks
    if table is not None:
        summary["realization_summaries"] = summary_record(table)
    _copy_wells(folders, output)  # wells.npz, which write_results cannot make without the problem
    write_results(config, arrays, summary, overwrite=True, summaries=table)
    return {"arrays": arrays, "summary": summary, "missing": missing}


def _copy_wells(folders, output):
    """Copy the first ``wells.npz`` of the combined runs (final, or beside their partials) into ``output``."""
    target = os.path.join(output, WELLS_FILE)
    for folder in folders:
        for source in (os.path.join(folder, WELLS_FILE), os.path.join(folder, PARTIALS_DIR, WELLS_FILE)):
            if os.path.isfile(source) and os.path.abspath(source) != os.path.abspath(target):
                os.makedirs(output, exist_ok=True)
                with atomic_path(target) as tmp:
                    shutil.copyfile(source, tmp)
                return target
    logger.warning("combine: no %s in %s: figures will have no wells", WELLS_FILE, ", ".join(folders))
    return None


def _existing_fingerprint(output):
    if not os.path.exists(os.path.join(output, "stats.npz")) and not os.path.exists(
        os.path.join(output, "summary.json")
    ):
        return None
    summary = read_summary(output)
    found = summary.get("fingerprint") if summary else None
    return found if isinstance(found, dict) else {"config": None, "data": None, "numerics": None}


def add_combine_parser(subparsers) -> None:
    """Add the ``combine`` subcommand to a ``krigflow`` argument parser."""
    p = subparsers.add_parser(
        "combine",
        help="merge the partial results of independent runs (e.g. a job array) into one result",
        description="Merge the partial files (DIR/partials/part-*.npz) of runs of one config, checking "
        "fingerprints and realization ranges, and write stats.npz and summary.json as a single run "
        "would. Exit status: 0 on success, 1 if the partials are refused (different fingerprints, "
        "overlapping or missing realizations: the message says which).",
    )
    p.add_argument("folders", nargs="+", metavar="DIR", help="run output folders (or partials folders)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="folder for the merged results")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="write the results even if realizations are missing (they are listed in summary.json)",
    )
    p.add_argument(
        "--realizations",
        type=int,
        default=None,
        metavar="N",
        help="realizations of the complete run (default: as recorded in the partials)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace results of another run in OUT"
    )
    p.set_defaults(func=combine_command)


def combine_command(args) -> int:
    """Run ``krigflow combine`` with parsed arguments; return the exit status."""
    try:
        result = combine(
            args.folders,
            args.output,
            allow_missing=args.allow_missing,
            realizations=args.realizations,
            overwrite=args.overwrite,
        )
    except (KrigflowError, OSError) as exc:
        sys.stderr.write(f"krigflow combine: error: {' '.join(str(exc).split())}\n")
        return 1
    summary = result["summary"]
    note = f"; missing: {summary['missing']}" if summary["missing"] else ""
    sys.stdout.write(
        f"krigflow combine: ok: {summary['realizations_done']} realizations from "
        f"{summary['workers']} partial file(s); results in {os.path.abspath(args.output)}{note}\n"
    )
    return 0
