"""Benchmark-only graph: the stochastic-kriging graph whose PEs record their role and process id.

Every PE instance appends ``<pid> <PE name>`` to ``$KRIGFLOW_ROLES_FILE`` when it starts, so a benchmark that
watches a run's processes through ``/proc`` knows which one is a SampleKriger (under ``multi`` they all run
``dispel4py multi ...``). The numbers are those of the normal graph.
"""

import os

from graphs.stochastic_kriging import build_graph, processes_from_argv
from pes import GridPlacer, LogReader, SampleKriger, StatsAccumulator


def _record(pe):
    path = os.environ.get("KRIGFLOW_ROLES_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {type(pe).__name__}\n")


def _recording(cls):
    class Recorded(cls):
        def _preprocess(self):
            _record(self)
            super()._preprocess()

    Recorded.__name__ = Recorded.__qualname__ = cls.__name__   # same PE names as the real graph
    return Recorded


graph = build_graph(processes_from_argv(), kriger=_recording(SampleKriger), reader=_recording(LogReader),
                    placer=_recording(GridPlacer), accumulator=_recording(StatsAccumulator))
