"""Planning a run: may it use its output folder, and which realizations are left to compute?

Before any work, :func:`check_resumable` tells whether the output holds results or partial files of the
same config (resume) or of another one (refused, saying what differs); :func:`clear_for_overwrite` deletes
the partial files instead, for ``--overwrite``. Once the problem is built, :func:`plan_run` reads the
partial files under the folder lock, checks their fingerprints and returns a :class:`RunPlan`: the
realizations to compute, and the earlier partials to merge at the end. :func:`coverage` checks at the end
that every wanted realization was computed exactly once.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import (
    PARTIALS_DIR,
    CheckpointError,
    clear_partials,
    read_summary,
    scan_partials,
)
from krigflow.run.blocks import blocks_todo, check_layout, layout_of_config
from krigflow.run.fingerprint import config_fingerprint, fingerprint_differences, make_fingerprint
from krigflow.run.guards import check_output_links, check_quantiles_resume
from krigflow.run.messages import CheckpointInfo
from krigflow.run.overwrite import clear_previous_results
from krigflow.run.ranges import format_ranges

logger = logging.getLogger(__name__)

__all__ = [
    "RunPlan",
    "check_partials",
    "check_resumable",
    "check_writable",
    "clear_for_overwrite",
    "plan_run",
    "save_run_wells",
    "checkpoint_info",
    "coverage",
]


@dataclass
class RunPlan:
    """What a run has to do, given what its output folder already holds.

    Attributes
    ----------
    fingerprint : dict
    prior : list of krigflow.io.SavedPartial
        Partials of earlier attempts (merged with this run's at the end).
    todo : int64 array
        Realizations to compute.
    wanted : int64 array
        Realizations this run is asked for (its range, else all).
    complete : bool
        The output already holds the final results of this fingerprint and every realization.
    blocks : dict or None
        A run split into blocks (:mod:`krigflow.run.blocks`): the realizations each block still needs
        (``todo`` is then their union).
    """

    fingerprint: dict
    prior: list
    todo: np.ndarray
    wanted: np.ndarray
    complete: bool = False
    blocks: dict | None = None

    @property
    def covered(self) -> np.ndarray:
        """Realizations covered by the prior partials."""
        if not self.prior:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([p.indices for p in self.prior]))


def check_partials(partials, expected=None) -> np.ndarray:
    """Check that partials share one fingerprint and cover disjoint realizations.

    Parameters
    ----------
    partials : sequence of krigflow.io.SavedPartial (or objects with ``indices``, ``fingerprint`` and ``path``)
    expected : dict, optional
        The fingerprint they must have (default: that of the first partial).

    Returns
    -------
    int64 array
        The realization indices covered, sorted.

    Raises
    ------
    CheckpointError
        Naming the file and what differs, or the files that cover a realization twice.
    """
    partials = list(partials)
    if not partials:
        return np.zeros(0, dtype=np.int64)
    reference = expected if expected is not None else partials[0].fingerprint
    where = "this run" if expected is not None else os.path.basename(partials[0].path)
    for p in partials:
        diffs = fingerprint_differences(reference, p.fingerprint)
        if diffs:
            raise CheckpointError(
                f"partial file {p.path} was computed with a different setup than {where}: "
                + "; ".join(diffs)
            )
    owner = {}
    for p in sorted(partials, key=lambda q: (int(q.indices[0]) if len(q.indices) else -1, q.path)):
        for r in np.asarray(p.indices).tolist():
            if r in owner:
                both = [q for q in partials if r in set(np.asarray(q.indices).tolist())]
                overlap = np.intersect1d(both[0].indices, both[1].indices)
                raise CheckpointError(
                    f"partial files {both[0].path} and {both[1].path} both cover realizations "
                    f"{format_ranges(overlap)}; refusing to count them twice (were the same runs "
                    "combined twice, or one output folder copied into another?)"
                )
            owner[r] = p
    return np.array(sorted(owner), dtype=np.int64)


def check_resumable(config) -> str:
    """Check, before any work, that a run may use its output folder (nothing is deleted).

    Existing results or partials of the *same* config are resumed (the conditioning data are checked
    later, once the wells are read); results without a fingerprint, or partials/results of another
    config, are refused with the reason.

    Returns
    -------
    str
        ``"fresh"`` or ``"resume"``.

    Raises
    ------
    KrigflowError
        If the output cannot be used (not a folder, not writable, another config, unknown results).
    """
    output = config["output"]
    check_writable(config)
    mine = {"config": config_fingerprint(config)}
    state = "fresh"
    has_results = [n for n in ("stats.npz", "summary.json") if os.path.exists(os.path.join(output, n))]
    if has_results:
        summary = read_summary(output)
        found = (summary or {}).get("fingerprint")
        if not found:
            raise KrigflowError(
                f"output: {output} already holds {', '.join(has_results)} without a run fingerprint "
                "(from an older or interrupted run); refusing to overwrite (use --overwrite, or choose "
                "another output directory)"
            )
        diffs = fingerprint_differences(mine, {"config": found.get("config")})
        if diffs:
            raise KrigflowError(
                f"output: {output} holds results of another configuration ({'; '.join(diffs)}); refusing "
                "to overwrite (use --overwrite, or choose another output directory)"
            )
        state = "resume"
    partials = scan_partials(output)
    for p in partials:
        diffs = fingerprint_differences(mine, {"config": p.fingerprint.get("config")})
        if diffs:
            raise KrigflowError(
                f"output: partial file {p.path} was computed with another configuration "
                f"({'; '.join(diffs)}); refusing to resume (use --overwrite to discard the partials, or "
                "choose another output directory)"
            )
        state = "resume"
    check_quantiles_resume(config, partials)  # quantiles on/off: the partials could not be merged
    return state


def check_writable(config) -> None:
    """Check that a run may write in its output folder, deleting nothing (also with ``--overwrite``).

    The output is a folder (or does not exist yet), the folders a run writes inside it are not symbolic
    links (:func:`krigflow.run.guards.check_output_links`), and a file can be created in ``partials/``.

    Raises
    ------
    KrigflowError
        Naming the output and what is wrong.
    """
    output = config["output"]
    _check_folder(output)
    check_output_links(output)
    _probe_writable(output)


def _probe_writable(output):
    folder = os.path.join(output, PARTIALS_DIR)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise KrigflowError(
            f"output: cannot write in {folder}: {exc.strerror or exc}"
        ) from exc


def clear_for_overwrite(config) -> str:
    """Delete the partial files of a run's output folder (for ``--overwrite``), before any work.

    The earlier run's results go too (:func:`krigflow.run.overwrite.clear_previous_results`: files of formats,
    figures, ``realizations.csv``, ``krigflow realize``'s ``realizations/`` folders), so that no file of the
    folder describes numbers this run did not compute; the folder must be writable. Called only once the
    run holds the folder: a refused overwrite deletes nothing.

    Returns
    -------
    str
        ``"overwrite"``.

    Raises
    ------
    KrigflowError
        If the output is not a folder or cannot be written.
    """
    output = config["output"]
    check_writable(config)
    removed = clear_partials(output)
    if removed:
        logger.info("overwrite: %d partial file(s) deleted in %s", removed, os.path.join(output, PARTIALS_DIR))
    clear_previous_results(output)
    _probe_writable(output)
    return "overwrite"


def _check_folder(output):
    if os.path.exists(output) and not os.path.isdir(output):
        raise KrigflowError(f"output: {output} exists and is not a directory")


def plan_run(config, problem, *, realizations_range=None, overwrite=False) -> RunPlan:
    """Decide what a run computes: skip realizations already in ``OUTPUT/partials``.

    Parameters
    ----------
    config : dict
        Validated configuration.
    problem : krigflow.run.Problem
    realizations_range : (int, int), optional
        Compute only ``A <= r < B``.
    overwrite : bool, default False
        Existing final results are to be replaced: neither compared nor taken as complete (the partials
        were deleted before, by :func:`clear_for_overwrite`).

    Returns
    -------
    RunPlan

    Raises
    ------
    CheckpointError
        If existing partials or results have another fingerprint (the message says what differs), if
        partials overlap, or if another run is writing in the same folder.
    """
    output = config["output"]
    fp = make_fingerprint(config, problem)
    total = int(config["realizations"])
    start, stop = (0, total) if realizations_range is None else realizations_range
    wanted = np.arange(start, min(stop, total), dtype=np.int64)
    folder = os.path.join(output, PARTIALS_DIR)
    prior, layout = [], layout_of_config(config, problem.grid)
    if os.path.isdir(folder):  # the run holds the folder (krigflow.run.lock): nobody else writes there
        prior = scan_partials(folder)
        check_layout(prior, layout, expected=fp)   # blocks: pieces of this run's layout, none twice
        if layout is None:
            check_partials(prior, expected=fp)
    summary = None if overwrite else read_summary(output)
    if summary is not None and os.path.exists(os.path.join(output, "stats.npz")):
        diffs = fingerprint_differences(fp, summary.get("fingerprint") or {})
        if diffs:
            raise CheckpointError(
                f"output: {output} holds results of a different run ({'; '.join(diffs)}); "
                "use --overwrite to replace them, or choose another output directory"
            )
    covered = np.unique(np.concatenate([p.indices for p in prior])) if prior else np.zeros(0, np.int64)
    todo = np.setdiff1d(wanted, covered)
    blocks = None if layout is None else blocks_todo(layout, prior, wanted)
    if blocks is not None:
        todo = np.unique(np.concatenate([wanted[:0], *blocks.values()]))
    # Final results of this fingerprint (checked above) and of every realization: nothing to do, even if
    # the partials were deleted since.
    complete = (
        summary is not None
        and os.path.exists(os.path.join(output, "stats.npz"))
        and int(summary.get("realizations_done", -1)) == total
    )
    return RunPlan(fingerprint=fp, prior=prior, todo=todo, wanted=wanted, complete=complete, blocks=blocks)


def save_run_wells(output, problem) -> str:
    """Keep the wells and conditioning data of a run beside its partials (``partials/wells.npz``).

    A run that computes only a range of realizations writes no final results, so this is where
    :func:`krigflow.run.combine` finds what the figures need.

    Parameters
    ----------
    output : str
        The run's output folder.
    problem : krigflow.run.Problem
        The run's problem.

    Returns
    -------
    str
        The file written.
    """
    from krigflow.io import WELLS_FILE, write_wells

    folder = os.path.join(output, PARTIALS_DIR)
    os.makedirs(folder, exist_ok=True)
    data = problem.property_data() if hasattr(problem, "property_data") else problem.data   # property units
    return write_wells(os.path.join(folder, WELLS_FILE), data, getattr(problem, "traces", None))


def checkpoint_info(config, problem, plan, *, wells=None, run_id=None) -> CheckpointInfo:
    """What a worker needs to write its partial file (sent with the problem).

    Returns
    -------
    CheckpointInfo
        ``meta`` holds the run id, total realizations, grid, and the run information that
        :func:`krigflow.run.combine` puts into ``summary.json``.
    """
    grid = problem.grid
    meta = {
        "run_id": run_id,
        "realizations": int(config["realizations"]),
        "grid": {
            "origin": [float(v) for v in grid.origin],
            "spacing": [float(v) for v in grid.spacing],
            "shape": [int(v) for v in grid.shape],
        },
        "run_info": {
            "config": config,
            "wells": wells or [],
            "n_data": int(problem.data.n),
            "kriging_mean": problem.mean,
        },
    }
    return CheckpointInfo(
        folder=os.path.join(config["output"], PARTIALS_DIR),
        every=int(config["checkpoint_every"]),
        fingerprint=plan.fingerprint,
        meta=meta,
    )


def coverage(plan, partials, total) -> tuple:
    """Check this run's partials against its plan.

    Parameters
    ----------
    plan : RunPlan
    partials : sequence of objects with ``indices``
        This attempt's partials.
    total : int
        Realizations of the config.

    Returns
    -------
    (bool, int64 array)
        Whether every realization ``0 .. total-1`` is now covered, and the covered indices.

    Raises
    ------
    CheckpointError
        If a realization is covered twice, or a wanted realization is missing.
    """
    parts = [np.asarray(p.indices, dtype=np.int64) for p in list(partials) + list(plan.prior)]
    done = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    unique = np.unique(done)
    if unique.size != done.size:
        values, counts = np.unique(done, return_counts=True)
        raise CheckpointError(f"realizations computed twice: {format_ranges(values[counts > 1])}")
    missing = np.setdiff1d(plan.wanted, unique)
    if missing.size:
        raise CheckpointError(
            f"realizations missing at the end of the run: {format_ranges(missing)} "
            f"({missing.size} of {plan.wanted.size})"
        )
    return bool(np.isin(np.arange(total), unique).all()), unique
