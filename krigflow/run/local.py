"""A whole run in this process, without dispel4py: the library's way to run a config.

:func:`run_local` uses the same three steps as the PEs of every dispel4py mapping
(:func:`krigflow.run.prepare`, one :class:`krigflow.run.Worker`, :func:`krigflow.run.finish`), so it gives
the same numbers, checkpoints the same way, and resumes after an interruption: a second call computes
only the realizations that the partial files of the first do not hold.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace

from krigflow.io import PARTIALS_DIR, WELLS_FILE, CheckpointError, check_output, clear_partials
from krigflow.run.finish import finish, record_status, status_record
from krigflow.run.messages import RunError, RunRequest, RunState
from krigflow.run.prepare import prepare_config, release_output, work_chunks, work_order
from krigflow.run.block_worker import BlockWorker

logger = logging.getLogger(__name__)

__all__ = ["run_local"]


def run_local(config, *, overwrite=False, write=True, wells=None, callback=None) -> dict:
    """Run a whole stochastic-kriging job in this process (no dispel4py), resuming an interrupted one.

    With ``write``, the worker checkpoints its statistics to ``OUTPUT/partials/`` every
    ``checkpoint_every`` realizations and when it stops (also on an exception or ``KeyboardInterrupt``);
    calling ``run_local`` again computes only the missing realizations and gives the statistics of an
    uninterrupted run. The partial files are deleted once the results are written.

    Parameters
    ----------
    config : dict
        Validated configuration (:func:`krigflow.run.load_config`).
    overwrite : bool, default False
        Replace existing results in ``config["output"]`` and discard its partial files.
    write : bool, default True
        Write the results (``stats.npz``, ``summary.json``, ``wells.npz``, the configured formats and
        figures); if False only return them: nothing is read or written in the output folder.
    wells : sequence of krigflow.wells.Well, optional
        Use these wells instead of reading ``config["las"]``.
    callback : callable, optional
        Called as ``callback(done, total)`` after each chunk of realizations (``total``: realizations this
        call computes). An exception it raises stops the run; the work done is kept for a resume.

    Returns
    -------
    dict
        ``{"state": "complete", "arrays": <final_arrays() result>, "summary": <summary dict>}``.

    Raises
    ------
    krigflow.io.OutputExistsError
        If the output holds results and ``overwrite`` is False.
    krigflow.exceptions.KrigflowError
        On bad inputs, or partial files of another run (the message says what differs).
    """
    request = RunRequest(config=config.get("config_file") or "", overwrite=overwrite, mapping="local")
    state = RunState(request=request, config=config, started=time.time())
    if write:
        check_output(config["output"], overwrite=overwrite)  # existing results: refused unless overwrite
    state = prepare_config(state, wells=wells, use_output=write)  # takes the output folder (write)
    try:
        result = _run(state, write=write, overwrite=overwrite, callback=callback)
        if write:
            record_status(state, status_record(state, result, [], result["summary"].get("warnings", ())),
                          owned=True)
    except BaseException as exc:
        if write:  # the folder's status record says why (it said "running")
            error = RunError.of("run_local", "interrupted" if isinstance(exc, KeyboardInterrupt) else exc)
            record_status(state, status_record(state, None, [error], state.warnings), owned=True)
        raise
    finally:
        release_output(state)
    return result


def _run(state, *, write, overwrite, callback):
    config = state.config
    tasks = work_chunks(state)
    total = sum(len(t.indices) for t in tasks)
    if state.plan is not None and state.plan.prior:
        logger.info("resuming: %d realizations from earlier partial files, %d to compute",
                    state.plan.covered.size, total)
    order = replace(work_order(state), progress=None)  # no progress files: nobody polls them, callback instead
    worker = BlockWorker(order, name="run_local").start()   # whole grid, or one block at a time
    partials = []
    try:
        for task in tasks:
            partials.extend(worker.run(task))
            if callback is not None:
                callback(worker.done, total)
    except BaseException:
        _close_after_failure(worker)
        raise
    partials.extend(worker.close())
    state = replace(state, timings=dict(state.timings, krige=worker.seconds))
    result = finish(state, partials, write=write, overwrite=overwrite)
    if write:
        _remove_partials(config["output"])
    return result


def _close_after_failure(worker):
    """Save what was computed before the failure; a failing save must not hide the first error."""
    try:
        worker.close()
    except CheckpointError as exc:
        logger.error("%s", exc)


def _remove_partials(output):
    """Delete the partial files, ``partials/wells.npz`` and the lock of a finished run (then the folder)."""
    folder = os.path.join(output, PARTIALS_DIR)
    clear_partials(output)
    for name in (WELLS_FILE, ".lock", ".owner"):
        try:
            os.unlink(os.path.join(folder, name))
        except FileNotFoundError:
            pass
    try:
        os.rmdir(folder)
    except OSError:  # not empty: files that are not ours are left alone
        logger.debug("%s not removed (not empty)", folder)
