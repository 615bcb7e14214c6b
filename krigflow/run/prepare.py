"""The start of a run, for every way of running it: config, output folder, wells, problem, plan.

:func:`prepare` does it all in one call and returns a :class:`krigflow.run.RunState`; the dispel4py PEs
call its steps one at a time, because the wells travel from the LogReader to the GridPlacer:

1. :func:`read_config` — the validated config of the request;
2. :func:`open_output` — the requested range is within the config; the output folder is taken for this
   run (:func:`take_output`: one run at a time, see :mod:`krigflow.run.lock`; status "running"), then
   it may be used (:func:`krigflow.run.check_resumable`), or its partial files are deleted
   (``overwrite``, :func:`krigflow.run.clear_for_overwrite`) — never before the folder is taken;
3. :func:`load_wells` — read and place every well;
4. :func:`plan_work` — build the problem, fingerprint it, read the partial files of earlier attempts
   under the folder lock (:func:`krigflow.run.plan_run`), and say where workers checkpoint and report
   progress.

Then :func:`work_order` is what every worker receives and :func:`work_chunks` the chunks of realizations to
hand out. Each step adds the warnings it logged to ``RunState.warnings`` (:mod:`krigflow.run.warning_log`).
A process that receives the state from another one calls :func:`hold_output` before it works in the
output folder.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import replace

from krigflow.exceptions import KrigflowError
from krigflow.io import STATUS_FILE, write_status
from krigflow.run.blocks import block_tasks, layout_of_config
from krigflow.run.config import load_config
from krigflow.run.guards import check_memory
from krigflow.run.memory import run_embedding
from krigflow.run.lock import acquire, join
from krigflow.run.messages import ProgressInfo, RunRequest, RunState, Task, WorkOrder
from krigflow.run.plan import (
    check_resumable,
    check_writable,
    checkpoint_info,
    clear_for_overwrite,
    plan_run,
    save_run_wells,
)
from krigflow.run.problem import build_problem, describe_wells, load_inputs
from krigflow.run.progress import progress_folder
from krigflow.run.ranges import chunk_indices, parse_range
from krigflow.run.warning_log import collect_warnings, merge_warnings

logger = logging.getLogger(__name__)

__all__ = ["prepare", "prepare_config", "read_config", "open_output", "load_wells", "plan_work", "work_order",
           "work_chunks", "take_output", "hold_output", "release_output", "mark_running"]


def read_config(state) -> RunState:
    """Read and validate the config named by ``state.request`` (``state.config`` is set).

    Raises
    ------
    krigflow.exceptions.ConfigError
        If the file cannot be read or the config is invalid.
    """
    return replace(state, config=load_config(state.request.config))


def open_output(state) -> RunState:
    """Check the requested range and the output folder before any work; ``overwrite`` deletes partials.

    Returns
    -------
    krigflow.run.RunState
        With ``resume``: ``"fresh"``, ``"resume"`` or ``"overwrite"``.

    Raises
    ------
    krigflow.exceptions.KrigflowError
        If the range goes beyond the config's realizations, or the output cannot be used (not a folder,
        not writable, results or partials of another config: the message says what differs).
    """
    config, request = state.config, state.request
    if request.realizations is not None:  # within the config's realizations
        parse_range("{}:{}".format(*request.realizations), config["realizations"])
    check_writable(config)  # before the lock file is created in it
    state = take_output(state)  # nothing is read, deleted or written in the folder before this
    try:
        with collect_warnings() as found:
            resume = clear_for_overwrite(config) if request.overwrite else check_resumable(config)
    except BaseException:
        release_output(state)
        raise
    return replace(state, resume=resume, warnings=merge_warnings(state.warnings, found))


def take_output(state) -> RunState:
    """Take the run's output folder (:func:`krigflow.run.lock.acquire`) and mark its status "running".

    The run id is the request's (``krigflow run`` took the folder under it before launching) or a new one.

    Returns
    -------
    krigflow.run.RunState
        With ``run_id`` and ``lock`` (held by this process).

    Raises
    ------
    krigflow.run.lock.RunLockError
        If another run is live in the folder (nothing was changed).
    """
    run_id = state.run_id or (state.request.run_id if state.request is not None else None) or uuid.uuid4().hex
    lock = acquire(state.config["output"], run_id)
    state = replace(state, run_id=run_id, lock=lock)
    try:
        mark_running(state)
    except BaseException:
        lock.release()
        raise
    return state


def hold_output(state) -> RunState:
    """The state with its output folder's lock held by this process (:func:`krigflow.run.lock.join`).

    A state that arrived from another process (dispel4py ``multi``/``mpi``) carries no lock: this process
    joins the run's lock, which also checks that no other run took the folder over meanwhile. A state
    whose run never took its folder is returned as it is.

    Raises
    ------
    krigflow.run.lock.RunLockError
        If another run took the folder over.
    """
    if state is None or state.run_id is None or state.config is None:
        return state
    if state.lock is not None and state.lock.held:
        return state
    return replace(state, lock=join(state.config["output"], state.run_id))


def release_output(state) -> None:
    """Release the output folder's lock held by this process (if any)."""
    if state is not None and state.lock is not None:
        state.lock.release()


def mark_running(state) -> None:
    """Write the status record "running" of this attempt into ``<output>/status.json``.

    So that the record of an earlier attempt (an "ok") never outlives a new attempt that fails or is
    killed: the end of the run replaces it with "ok" or "failed".
    """
    status = {
        "status": "running",
        "run_id": state.run_id,
        "output": state.config["output"],
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": state.started,
        "errors": [],
        "message": "running",
        "warnings": list(state.warnings),
    }
    path = os.path.join(state.config["output"], STATUS_FILE)
    try:
        write_status(path, status)
    except OSError as exc:
        raise KrigflowError(f"output: cannot write the status record {path}: {exc.strerror or exc}") from exc


def load_wells(state) -> tuple:
    """Read and place the wells of the run; return ``(state, wells)`` (``timings["load_inputs"]`` set)."""
    allow = state.request is not None and state.request.allow_unmatched_headers
    with collect_warnings() as found:
        wells = load_inputs(state.config, allow_unmatched_headers=allow)
    return replace(state, timings=dict(state.timings, load_inputs=time.time() - state.started),
                   warnings=merge_warnings(state.warnings, found)), wells


def plan_work(state, wells, *, use_output=True) -> RunState:
    """Build the problem and decide what this attempt computes.

    Parameters
    ----------
    state : krigflow.run.RunState
        With ``config``.
    wells : sequence of krigflow.wells.Well
    use_output : bool, default True
        Plan against the output folder: skip the realizations its partial files hold (refused if their
        fingerprint differs, or if another run writes there), keep ``partials/wells.npz`` for
        ``krigflow combine``, checkpoint, report progress. False: compute every realization, nothing is
        read or written in the output (``plan``, ``checkpoint`` and ``progress`` stay None).

    Returns
    -------
    krigflow.run.RunState
        With ``problem``, ``wells`` and, with ``use_output``, ``plan``, ``checkpoint``, ``progress``.

    Raises
    ------
    krigflow.exceptions.KrigflowError
        On bad data (no wells, no datum in the grid), or :class:`krigflow.io.CheckpointError` if the
        partials cannot be resumed.
    """
    start = time.time()
    config, request = state.config, state.request
    if use_output:
        state = hold_output(state)  # from another process: join the run's lock (taken over: refused)
    with collect_warnings() as found:
        problem = build_problem(wells, config)
        check_memory(problem.grid.shape, config, n_data=problem.data.n,  # before any worker allocates
                     embedding=run_embedding(problem.grid, problem.variogram)
                     if problem.zones is None and problem.variogram is not None else None)
        state = replace(state, problem=problem, wells=describe_wells(wells, problem.data))
        if use_output:
            plan = plan_run(config, problem, realizations_range=request.realizations,
                            overwrite=request.overwrite)
            save_run_wells(config["output"], problem)  # for krigflow combine's figures
            # progress files of the workers (krigflow run shows them): realizations of this attempt
            progress = ProgressInfo(folder=progress_folder(config["output"]),
                                    run_id=request.run_id or state.run_id or uuid.uuid4().hex,
                                    total=sum(map(len, plan.blocks.values())) if plan.blocks else len(plan.todo))
            checkpoint = checkpoint_info(config, problem, plan, wells=state.wells, run_id=state.run_id)
            state = replace(state, plan=plan, progress=progress, checkpoint=checkpoint)
    return replace(state, timings=dict(state.timings, build_problem=time.time() - start),
                   warnings=merge_warnings(state.warnings, found))


def work_order(state) -> WorkOrder:
    """What every worker receives once: the problem, where to checkpoint and to report progress."""
    return WorkOrder(problem=state.problem, checkpoint=state.checkpoint, progress=state.progress)


def work_chunks(state, *, krigers=1) -> list:
    """The chunks of ``batch_size`` realizations this attempt computes, as :class:`krigflow.run.Task`.

    A run split into blocks (``blocks`` in the config, :mod:`krigflow.run.blocks`) has tasks of one block
    each, block after block, routed to kriger ``b mod krigers`` (:func:`krigflow.run.blocks.route_key`).
    """
    problem = state.problem
    todo = problem.realizations if state.plan is None else state.plan.todo
    layout = layout_of_config(state.config, problem.grid) if state.config is not None else None
    if layout is not None:
        todo = state.plan.blocks if state.plan is not None else {b.index: todo for b in layout}
        return block_tasks(layout, todo, problem.batch_size, krigers=krigers)
    return [Task(indices=tuple(chunk)) for chunk in chunk_indices(todo, problem.batch_size)]


def prepare(request, *, wells=None, use_output=True) -> RunState:
    """Start a run: config, output folder, wells, problem and plan (every step above, in order).

    Parameters
    ----------
    request : krigflow.run.RunRequest or str
        What to run (a config path is a request with the defaults).
    wells : sequence of krigflow.wells.Well, optional
        Use these wells instead of reading the config's LAS files.
    use_output : bool, default True
        See :func:`plan_work`; False also skips the checks of the output folder.

    Returns
    -------
    krigflow.run.RunState
        With ``use_output``, its ``lock`` holds the output folder for this run: release it with
        :func:`release_output` (:func:`krigflow.run.end_run` does) when the run ends.

    Raises
    ------
    krigflow.exceptions.KrigflowError
        From any step (the folder is released).
    """
    if isinstance(request, str):
        request = RunRequest.from_item(request)
    state = read_config(RunState(request=request, started=time.time()))
    return prepare_config(state, wells=wells, use_output=use_output)


def prepare_config(state, *, wells=None, use_output=True) -> RunState:
    """:func:`prepare` for a state whose ``config`` is already set (e.g. a config dict given in Python)."""
    if use_output:
        state = open_output(state)
    try:
        if wells is None:
            state, wells = load_wells(state)
        else:
            wells = list(wells)
            state = replace(state, timings=dict(state.timings, load_inputs=time.time() - state.started))
        return plan_work(state, wells, use_output=use_output)
    except BaseException:
        release_output(state)  # the folder is free again for the next attempt
        raise
