"""``dispel4py multi`` with a watchdog on its worker processes (started by ``krigflow run --mapping multi``).

dispel4py 2.9.1's ``multi`` mapping forks one process per PE instance and then joins them one after the
other. When a worker dies (killed by a signal, the OOM killer, or a PE that raises), the downstream PEs
wait forever for its terminate message, so the run hangs. Only the parent (the dispel4py main process)
can see how a worker ended, so this module runs dispel4py's own ``main()`` in that process with two
changes to :class:`multiprocessing.Process`, nothing else:

* ``start`` records every worker;
* ``run`` (in each forked worker) first asks for SIGKILL when this process dies
  (:func:`krigflow.distributed.parent_death.set_parent_death_signal`), so that no worker outlives it;
* ``join`` (without timeout) waits in slices of :data:`POLL` seconds and between slices checks every
  worker's exit status (``exitcode``, a non-blocking ``waitpid``). A worker killed by a signal, or one
  that exited with an error status while the run was still going :data:`GRACE` seconds later, stops the
  run: a fault record (JSON: ``process``, ``pid``, ``cause``) is written to the file named by the
  environment variable :data:`FAULT_ENV`, one line goes to stderr, and the whole process group is
  killed (this process leads it: ``krigflow run`` starts it in a new session).

``krigflow run`` reads the fault record and reports the dead process; the partial files written so far
are kept, and running the same command again resumes.

Usage (what ``krigflow run`` does)::

    python -m krigflow.distributed.supervise /path/to/dispel4py multi GRAPH -n N -f INPUT.json

This module is the only place outside ``pes/`` and ``graphs/`` that imports dispel4py, and only in
:func:`main`, i.e. in the launched process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import time

from krigflow.distributed.parent_death import PARENT_ENV, set_parent_death_signal

__all__ = ["main", "install", "FAULT_ENV", "POLL", "GRACE"]

#: Environment variable naming the file the fault record is written to.
FAULT_ENV = "KRIGFLOW_FAULT_FILE"
#: Seconds between checks of the workers.
POLL = 0.2
#: Seconds a worker that exited with an error status is given before the run is declared hung.
GRACE = 5.0


def _pe_name(process) -> str:
    """The PE instance a dispel4py worker runs (read before ``start``, which drops the arguments)."""
    wrapper = (getattr(process, "_args", None) or (None,))[0]
    pe = getattr(wrapper, "pe", None)
    name = getattr(pe, "id", None)
    rank = getattr(wrapper, "rank", None) if hasattr(wrapper, "rank") else getattr(pe, "rank", None)
    return f"{name} (rank {rank})" if name and rank is not None else (name or process.name)


def _fault(process, cause) -> None:
    name = getattr(process, "_krigflow_pe", process.name)
    record = {"process": f"{name}, pid {process.pid}", "pid": process.pid, "cause": cause}
    sys.stderr.write(f"krigflow supervise: worker {record['process']} {cause}; stopping the run\n")
    sys.stderr.flush()
    path = os.environ.get(FAULT_ENV)
    if path:
        try:
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(record, fh)
        except OSError:
            pass
    if os.getpgrp() == os.getpid():  # we lead the run's process group: stop all of it
        os.killpg(os.getpgrp(), signal.SIGKILL)
    for other in multiprocessing.active_children():
        other.kill()
    os._exit(70)


def install() -> None:
    """Patch :class:`multiprocessing.Process` ``start``/``join``/``run`` in this process (see the module doc)."""
    tracked, failed_since = [], {}
    start, join, run = multiprocessing.Process.start, multiprocessing.Process.join, multiprocessing.Process.run
    supervisor = os.getpid()

    def run_until_supervisor_dies(self):  # in the forked worker
        set_parent_death_signal(signal.SIGKILL, parent=supervisor)
        return run(self)

    def watched_start(self):
        self._krigflow_pe = _pe_name(self)
        start(self)
        tracked.append(self)

    def check():
        now = time.monotonic()
        for p in tracked:
            code = p.exitcode  # non-blocking
            if code is None or code == 0:
                continue
            if code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = str(-code)
                _fault(p, f"was killed by signal {name}")
            first = failed_since.setdefault(p.pid, now)
            if now - first > GRACE:
                _fault(p, f"exited with status {code} and the run did not end")

    def watched_join(self, timeout=None):
        if timeout is not None:
            return join(self, timeout)
        while True:
            check()
            join(self, POLL)
            if self.exitcode is not None:
                check()
                return None

    multiprocessing.Process.start = watched_start
    multiprocessing.Process.join = watched_join
    multiprocessing.Process.run = run_until_supervisor_dies


def main(argv=None) -> int:
    """Run ``dispel4py`` (``argv[0]`` is the dispel4py script, the rest its arguments) under the watchdog."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        sys.stderr.write("usage: python -m krigflow.distributed.supervise DISPEL4PY_SCRIPT multi GRAPH -n N ...\n")
        return 2
    parent = os.environ.pop(PARENT_ENV, "")  # krigflow run: this process dies with it, even by SIGKILL
    if parent.isdigit():
        set_parent_death_signal(signal.SIGTERM, parent=int(parent))
    install()
    from dispel4py.new.processor import main as dispel4py_main

    sys.argv = argv  # argv[0] names the dispel4py script: graph modules read -n from such a command line
    dispel4py_main()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
