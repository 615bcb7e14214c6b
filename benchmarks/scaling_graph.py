"""Benchmark-only graph: the stochastic-kriging graph, instrumented for ``bench_scaling.py``.

Same PEs and connections as ``graphs/stochastic_kriging.py``, with two additions driven by environment
variables (both optional, so without them this graph behaves exactly like the real one):

* ``KRIGFLOW_BENCH_THREADS=T``: each SampleKriger krigs with ``T`` BLAS/FFT threads instead of
  ``max(1, cores // N)`` (used for the "1 worker x 1 thread" baseline);
* ``KRIGFLOW_BENCH_MPI_SLEEP=1``: under ``dispel4py mpi``, a process waiting for a message polls
  (``Iprobe`` every millisecond, sleeping in between) instead of blocking in ``MPI_Recv``, which Open MPI
  implements as a busy (yielding) poll that takes a core from the krigers when ranks outnumber cores;
* ``KRIGFLOW_BENCH_BYTES=DIR``: every PE appends, to ``DIR/<pid>.jsonl``, the pickled size of each message it
  writes (``{"pe", "port", "bytes"}``), i.e. the bytes moved between processes (a message on an ``all``
  edge is moved once per destination: the benchmark multiplies).
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time

from dispel4py.workflow_graph import WorkflowGraph

from graphs.stochastic_kriging import build_graph as _build_graph
from graphs.stochastic_kriging import processes_from_argv
from krigflow.run import blas_threads
from pes import GridPlacer, LogReader, SampleKriger, StatsAccumulator


def _record(pe, port, data):
    folder = os.environ.get("KRIGFLOW_BENCH_BYTES")
    if folder:
        size = len(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        with open(os.path.join(folder, f"{os.getpid()}.jsonl"), "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"pe": pe.name, "port": port, "bytes": size}) + "\n")


class _Measured:
    """Mixin: record the pickled size of every message written."""

    def write(self, name, data):
        _record(self, name, data)
        return super().write(name, data)


class LogReader(_Measured, LogReader):  # same names, so status records and errors read the same
    pass


class GridPlacer(_Measured, GridPlacer):
    pass


class SampleKriger(_Measured, SampleKriger):
    def compute(self, problem, indices):
        threads = os.environ.get("KRIGFLOW_BENCH_THREADS")
        if not threads:
            return super().compute(problem, indices)
        with blas_threads(int(threads)):  # nested inside the PE's own limit: this one wins
            return super().compute(problem, indices)


class SleepingComm:
    """An MPI communicator whose ``recv`` sleeps between ``Iprobe`` polls (everything else delegated)."""

    def __init__(self, comm, interval=1e-3):
        self._comm, self._interval = comm, interval

    def recv(self, buf=None, source=-1, tag=-1, status=None):
        while not self._comm.Iprobe(source=source, tag=tag):
            time.sleep(self._interval)
        return self._comm.recv(buf, source=source, tag=tag, status=status)

    def __getattr__(self, name):
        return getattr(self._comm, name)


def _sleeping_mpi_receive():
    mpi_process = sys.modules.get("dispel4py.new.mpi_process")
    if mpi_process is not None and not isinstance(mpi_process.comm, SleepingComm):
        mpi_process.comm = SleepingComm(mpi_process.comm)


if os.environ.get("KRIGFLOW_BENCH_MPI_SLEEP") == "1":
    _sleeping_mpi_receive()


def build_graph(n_processes=1) -> WorkflowGraph:
    """The graph of ``graphs/stochastic_kriging.py`` with the instrumented PEs."""
    return _build_graph(n_processes, reader=LogReader, placer=GridPlacer, kriger=SampleKriger)


graph = build_graph(processes_from_argv())
