"""Stopping a run from outside: SIGTERM and SIGHUP end ``krigflow run`` the way Ctrl-C does.

``kill -TERM``, ``timeout``, a CI cancel or a batch system's pre-emption signal (Slurm sends SIGTERM),
and a closed terminal (SIGHUP) must not leave dispel4py, mpiexec or MPI ranks running as orphans. While
``krigflow run`` waits for its run, :func:`stop_on_signals` turns these signals into a :class:`Stopped`
exception, so that the caller stops the run's process group, says so, and keeps the partial files (each
written atomically at a checkpoint). :func:`record_stopped` replaces the "running" status record of the
attempt with "failed" and the reason, so that no stale record survives.
"""

from __future__ import annotations

import contextlib
import os
import signal

from krigflow.io import STATUS_FILE, read_status, write_status

__all__ = ["SIGNALS", "Stopped", "record_stopped", "stop_on_signals"]

#: The signals that stop a run (SIGINT is Python's KeyboardInterrupt).
SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """A signal asked this process to stop (a BaseException, like KeyboardInterrupt: not an error).

    Attributes
    ----------
    signum : int
    name : str
        E.g. ``"SIGTERM"``.
    """

    def __init__(self, signum):
        self.signum = int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_status(self) -> int:
        """``128 + signal number``, the shell's convention for a process ended by a signal."""
        return 128 + self.signum


@contextlib.contextmanager
def stop_on_signals(signals=SIGNALS):
    """Within the block, the ``signals`` raise :class:`Stopped` (in the main thread); restored after.

    Examples
    --------
    >>> import os, signal
    >>> try:
    ...     with stop_on_signals():
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         signal.sigtimedwait([], 0.1)  # let the handler run
    ... except Stopped as stop:
    ...     print(stop, stop.exit_status)
    stopped by SIGTERM 143
    """

    def handler(signum, frame):
        raise Stopped(signum)

    previous = {}
    for sig in signals:
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread: leave the signals alone
            break
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def record_stopped(output, run_id, message) -> bool:
    """Replace this attempt's "running" status record in ``output`` with "failed" and ``message``.

    Only the record of run ``run_id`` is replaced (another run's record is never touched); returns whether
    it was.
    """
    path = os.path.join(output, STATUS_FILE)
    status = read_status(path)
    if not isinstance(status, dict) or status.get("status") != "running" or status.get("run_id") != run_id:
        return False
    error = {"pe": "krigflow run", "rank": None, "message": message}
    status.update(status="failed", errors=[error], message=f"krigflow run: {message}", realizations_done=0,
                  state=None, summary={})
    try:
        write_status(path, status)
    except OSError:
        return False
    return True
