"""Test-only graph: the stochastic-kriging graph whose SampleKrigers sleep before each chunk.

Used by tests/test_resume.py to kill runs part-way (the sleep leaves time to do it). The numbers are
those of the normal graph, so a run started with this graph can be resumed with the normal one.
``SLOW_GRAPH_SLEEP`` (seconds per chunk, default 0.4) sets the delay.
"""

import os
import time

from graphs.stochastic_kriging import build_graph, processes_from_argv
from pes import SampleKriger

#: Seconds slept before each chunk of realizations.
SLEEP = float(os.environ.get("SLOW_GRAPH_SLEEP", "0.4"))


class SampleKriger(SampleKriger):  # same name as the real PE
    """A SampleKriger that sleeps before each chunk."""

    def compute(self, problem, indices):
        time.sleep(SLEEP)
        return super().compute(problem, indices)


graph = build_graph(processes_from_argv(), kriger=SampleKriger)
