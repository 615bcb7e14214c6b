"""Parent-death signal: a worker process dies when the process that started it dies (Linux).

``krigflow run`` starts dispel4py (or ``mpiexec``) in a process group of its own and stops that group on
Ctrl-C, SIGTERM and SIGHUP. Nothing can run when ``krigflow run`` itself is killed with SIGKILL (or
crashes), so the processes below it ask the kernel, with ``prctl(PR_SET_PDEATHSIG)``, for a signal when
their parent dies: the dispel4py main process and ``mpiexec`` get SIGTERM (``mpiexec`` then stops its
ranks), dispel4py's forked workers and MPI ranks get SIGKILL. Partial files are written atomically, so a
worker killed at any moment leaves the files of its last checkpoint.

On other systems (no ``prctl``) every function here does nothing and returns False.

Usage as a launcher prefix (the setting survives ``execve``)::

    python -m krigflow.distributed.parent_death TERM mpiexec -n 4 dispel4py mpi ...
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

__all__ = ["DEATHSIG_ENV", "PARENT_ENV", "die_with_parent_if_asked", "main", "set_parent_death_signal"]

#: ``prctl`` option number of PR_SET_PDEATHSIG (linux/prctl.h).
PR_SET_PDEATHSIG = 1
#: Environment variable holding the pid of the process whose death must stop a worker (set by
#: ``krigflow run``; MPI ranks and supervised workers read it).
PARENT_ENV = "KRIGFLOW_PARENT_PID"
#: Environment variable set (to ``1``) by ``krigflow run`` for every process of the run: MPI ranks, which
#: import the graph module, then ask for SIGKILL when their parent (the MPI launcher's daemon) dies.
DEATHSIG_ENV = "KRIGFLOW_DIE_WITH_PARENT"


def set_parent_death_signal(sig=signal.SIGKILL, parent=None) -> bool:
    """Ask for signal ``sig`` when this process's parent dies; die now if it is already gone.

    Parameters
    ----------
    sig : signal.Signals, default SIGKILL
    parent : int, optional
        The pid the parent should have. If the parent is already another process (the expected one died
        before the request took effect, and this process was re-parented), ``sig`` is sent at once.

    Returns
    -------
    bool
        True if the request was made (Linux), False where ``prctl`` is unavailable.

    Examples
    --------
    >>> import signal
    >>> set_parent_death_signal(0) in (True, False)   # 0 clears the request
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if sig and parent is not None and os.getppid() != int(parent):
        os.kill(os.getpid(), int(sig))
    return True


def die_with_parent_if_asked(environ=None) -> bool:
    """SIGKILL this process when its parent dies, if :data:`DEATHSIG_ENV` is set (by ``krigflow run``).

    Called when a graph module is imported, i.e. in dispel4py's main process and in every MPI rank; a
    direct ``dispel4py`` run (variable unset) is not affected. Returns whether the request was made.
    """
    environ = os.environ if environ is None else environ
    if environ.get(DEATHSIG_ENV) != "1":
        return False
    return set_parent_death_signal(signal.SIGKILL)


def main(argv=None) -> int:
    """``python -m krigflow.distributed.parent_death SIGNAL COMMAND...``: exec COMMAND with the request made.

    SIGNAL is a name without ``SIG`` (``TERM``, ``KILL``). The expected parent is the pid in the
    environment variable :data:`PARENT_ENV` (set by the launcher before it starts this process, so that a
    parent that died while this module was being imported is noticed), else this process's parent.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        sys.stderr.write("usage: python -m krigflow.distributed.parent_death SIGNAL COMMAND [ARGS...]\n")
        return 2
    sig = getattr(signal, "SIG" + argv[0].upper().removeprefix("SIG"))
    parent = os.environ.pop(PARENT_ENV, "")  # for this process only, not for what COMMAND starts
    set_parent_death_signal(sig, parent=int(parent) if parent.isdigit() else os.getppid())
    try:
        os.execvp(argv[1], argv[1:])
    except OSError as exc:
        sys.stderr.write(f"cannot start {argv[1]}: {exc.strerror or exc}\n")
        return 127
    return 0  # pragma: no cover - execvp does not return


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
