"""One run at a time per output folder: the run lock.

A run owns its output folder from before it deletes or plans anything until its status record is written.
The lock is an advisory ``flock`` on ``OUTPUT/partials/.lock`` plus an *owner record*
``OUTPUT/partials/.owner`` (JSON: ``run_id``, ``pid``, ``host``, ``started``):

* :func:`acquire` (the start of a run: ``krigflow run`` before launching, the run's preparation in the
  graph) takes the lock *exclusively*, which proves that no process of another run holds it, writes the
  owner record, then keeps a *shared* lock. If the lock is held and the owner record names the same run
  (``krigflow run`` acquired it for the graph it launched), it joins instead.
* :func:`join` (every later process of the run: planning, krigers, the end) takes a shared lock and checks
  that the owner record names its run.

Every process of a run holds a shared lock while it works, so another run's :func:`acquire` fails
(:class:`RunLockError`, naming the live run) for as long as any of them lives; a process killed with
SIGKILL releases its lock with its last file descriptor, so a dead run never blocks a new one. Between two
processes of a direct dispel4py run (no ``krigflow run`` holding the lock throughout) another run may
take the folder over; the processes of the first run then find another owner and fail, before they write
anything.

Examples
--------
>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> mine = acquire(out, "run-a")
>>> acquire(out, "run-b")
Traceback (most recent call last):
...
krigflow.run.lock.RunLockError: another run is live in ...
>>> helper = join(out, "run-a"); helper.release(); mine.release()
>>> acquire(out, "run-b").release()
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time

from krigflow.exceptions import KrigflowError
from krigflow.io import atomic_write

__all__ = ["LOCK_FILE", "OWNER_FILE", "RunLock", "RunLockError", "acquire", "if_free", "join", "read_owner"]

#: Folder (inside the output folder), lock file and owner record.
LOCK_FOLDER = "partials"
LOCK_FILE = ".lock"
OWNER_FILE = ".owner"


class RunLockError(KrigflowError):
    """Another run holds the output folder (or took it over)."""


class RunLock:
    """A held run lock (shared); :meth:`release` it, or let the process end.

    Attributes
    ----------
    output : str
    run_id : str
    """

    def __init__(self, output, run_id, handle):
        self.output, self.run_id, self._handle = output, run_id, handle

    @property
    def held(self) -> bool:
        """Whether the lock is still held by this object."""
        return self._handle is not None

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def __getstate__(self):  # a lock is never sent to another process
        raise TypeError("a RunLock cannot be pickled: each process takes its own (krigflow.run.lock.join)")


def _paths(output):
    folder = os.path.join(output, LOCK_FOLDER)
    return folder, os.path.join(folder, LOCK_FILE), os.path.join(folder, OWNER_FILE)


def _open(output):
    folder, lock_path, _ = _paths(output)
    try:
        os.makedirs(folder, exist_ok=True)
        return open(lock_path, "a")  # held by the RunLock
    except OSError as exc:
        raise KrigflowError(f"output: cannot lock {lock_path}: {exc.strerror or exc}") from exc


def read_owner(output) -> dict | None:
    """The owner record of an output folder (the last run that acquired it), or None."""
    try:
        with open(_paths(output)[2], encoding="utf-8") as fh:
            owner = json.load(fh)
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


def _describe(owner) -> str:
    if not owner:
        return "a run of an unknown id"
    started = owner.get("started")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)) if isinstance(started, (int, float)) else "?"
    return f"run {owner.get('run_id')} (pid {owner.get('pid')} on {owner.get('host')}, started {when})"


def _busy(output, owner) -> RunLockError:
    return RunLockError(
        f"another run is live in {output}: {_describe(owner)}; nothing was changed. Wait for it to end "
        "or stop it, then run again (a killed run does not hold the folder)"
    )


def _write_owner(output, run_id):
    record = {"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    atomic_write(_paths(output)[2], (json.dumps(record) + "\n").encode("utf-8"))


def acquire(output, run_id) -> RunLock:
    """Take an output folder for run ``run_id`` (see the module doc); return the held lock.

    Raises
    ------
    RunLockError
        If a process of another run holds the folder (the message names that run).
    KrigflowError
        If the lock file cannot be created.
    """
    fh = _open(output)
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        owner = read_owner(output)
        if owner and owner.get("run_id") == run_id:
            return join(output, run_id)  # krigflow run took it for us
        raise _busy(output, owner) from None
    try:
        _write_owner(output, run_id)
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)  # not atomic: check the owner again
    except BlockingIOError:
        fh.close()
        raise _busy(output, read_owner(output)) from None
    except OSError as exc:
        fh.close()
        raise KrigflowError(f"output: cannot write the owner record in {output}: {exc.strerror or exc}") from exc
    return _checked(output, run_id, fh)


def if_free(output):
    """An exclusive lock on an output folder if no run holds it (released by the caller), else None.

    For a run that failed before it could take its folder (e.g. an invalid config): it may still record its
    failure in the folder's status record, unless another run is live there.
    """
    lock_path = _paths(output)[1]
    if not os.path.isfile(lock_path):
        return open(os.devnull)  # no run ever locked this folder
    try:
        fh = open(lock_path, "a")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    return fh


def join(output, run_id) -> RunLock:
    """Hold the lock of an output folder for another process of run ``run_id``.

    Raises
    ------
    RunLockError
        If another run holds or took over the folder.
    """
    fh = _open(output)
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:  # another run is acquiring it right now
        fh.close()
        raise _taken(output, run_id) from None
    return _checked(output, run_id, fh)


def _checked(output, run_id, fh) -> RunLock:
    owner = read_owner(output)
    if not owner or owner.get("run_id") != run_id:
        fh.close()
        raise _taken(output, run_id)
    return RunLock(output, run_id, fh)


def _taken(output, run_id) -> RunLockError:
    return RunLockError(
        f"another run took over {output} while run {run_id} was starting: {_describe(read_owner(output))}; "
        "this run stopped without writing anything"
    )
