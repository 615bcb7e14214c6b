"""Idle MPI ranks that sleep instead of spinning.

Open MPI implements a blocking ``MPI_Recv`` (and the barrier inside ``MPI_Finalize``) as a busy poll
(yielding when oversubscribed). Under ``dispel4py mpi`` every rank that waits -- the LogReader and
GridPlacer ranks once their work is sent, the StatsAccumulator while the krigers compute, a kriger
waiting for its problem -- therefore takes a core from the ranks that compute: ``top`` showed a waiting
StatsAccumulator rank at 81 % CPU beside a 1-worker run (benchmarks/README.md).

:func:`install` makes waiting cheap for the rest of the process:

* dispel4py's module-level communicator is wrapped (:class:`SleepingComm`) so that ``recv`` first polls
  ``Iprobe`` and sleeps ``interval`` seconds between polls (latency: at most ``interval`` per message,
  against messages that take milliseconds to seconds to compute);
* an exit hook enters a non-blocking barrier (``Ibarrier``) and sleeps between ``Test`` calls, so a rank
  that finished early waits for the others at almost no CPU before ``MPI_Finalize`` (whose own barrier
  then returns at once).

Nothing changes when dispel4py's MPI mapping is not loaded (simple and multi mappings).
"""
from __future__ import annotations

import atexit
import logging
import sys
import time

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_INTERVAL", "SleepingComm", "install", "sleeping_barrier"]

#: Seconds between two polls of a waiting rank.
DEFAULT_INTERVAL = 2e-3


class SleepingComm:
    """An MPI communicator whose ``recv`` sleeps between ``Iprobe`` polls; everything else is delegated.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm
        The communicator to wrap.
    interval : float, default :data:`DEFAULT_INTERVAL`
        Seconds slept between polls.

    Examples
    --------
    >>> class Fake:
    ...     polls = 0
    ...     def Iprobe(self, source=-1, tag=-1):
    ...         self.polls += 1
    ...         return self.polls >= 3
    ...     def recv(self, buf=None, source=-1, tag=-1, status=None):
    ...         return "message"
    >>> comm = SleepingComm(Fake(), interval=0.0)
    >>> comm.recv(), comm.polls
    ('message', 3)
    """

    def __init__(self, comm, interval=DEFAULT_INTERVAL):
        self._comm, self._interval = comm, float(interval)

    def recv(self, buf=None, source=-1, tag=-1, status=None):
        """Receive like ``comm.recv``, polling with ``Iprobe`` and sleeping until a message is there."""
        while not self._comm.Iprobe(source=source, tag=tag):
            time.sleep(self._interval)
        return self._comm.recv(buf, source=source, tag=tag, status=status)

    def __getattr__(self, name):
        return getattr(self._comm, name)


def sleeping_barrier(comm, interval=DEFAULT_INTERVAL) -> None:
    """Wait for every rank of ``comm`` (``Ibarrier`` + ``Test``), sleeping ``interval`` between tests."""
    request = comm.Ibarrier()
    while not request.Test():
        time.sleep(interval)


def install(interval=DEFAULT_INTERVAL) -> bool:
    """Make the waiting of this MPI rank sleep (see the module docstring); return True if installed.

    Safe to call several times and in any mapping: it acts only in a process started as ``dispel4py mpi``
    (dispel4py loads the graph module before its MPI mapping, so the mapping module is imported here --
    dispel4py then reuses it) or when ``dispel4py.new.mpi_process`` is already loaded; otherwise it does
    nothing and returns False.
    """
    mpi_process = sys.modules.get("dispel4py.new.mpi_process")
    if mpi_process is None and _launched_as_mpi(sys.argv):
        from dispel4py.new import mpi_process
    if mpi_process is None:
        return False
    if isinstance(mpi_process.comm, SleepingComm):
        return True
    raw = mpi_process.comm
    mpi_process.comm = SleepingComm(raw, interval)
    atexit.register(_barrier_at_exit, raw, interval)    # runs before mpi4py's finalize (registered earlier)
    logger.debug("MPI rank %s: sleeping receive and exit barrier installed", raw.Get_rank())
    return True


def _launched_as_mpi(argv) -> bool:
    """True for ``dispel4py mpi ...`` (the console script, or ``-m dispel4py.new.processor``).

    Examples
    --------
    >>> _launched_as_mpi(["/venv/bin/dispel4py", "mpi", "g.py", "-n", "4"]), _launched_as_mpi(["x", "multi"])
    (True, False)
    """
    return len(argv) > 1 and argv[1] == "mpi" and ("dispel4py" in argv[0] or "processor" in argv[0])


def _barrier_at_exit(comm, interval):
    try:
        sleeping_barrier(comm, interval)
    except Exception:
        logger.debug("sleeping exit barrier failed", exc_info=True)
