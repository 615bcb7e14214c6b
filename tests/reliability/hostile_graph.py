"""Test-only graph: the stochastic-kriging graph with slow SampleKrigers (same numbers as the normal graph).

``HOSTILE_START_DELAY`` (seconds, default 0): a kriger sleeps when its first message arrives, before it
takes the problem (a slow kriger start: the moment another run can slip in). ``HOSTILE_SLEEP`` (seconds,
default 0.5): sleep before each chunk of realizations, so that a run lasts long enough to be disturbed.
"""

import os
import time

from graphs.stochastic_kriging import build_graph, processes_from_argv
from pes import SampleKriger

START_DELAY = float(os.environ.get("HOSTILE_START_DELAY", "0"))
SLEEP = float(os.environ.get("HOSTILE_SLEEP", "0.5"))


class SampleKriger(SampleKriger):  # same name as the real PE
    """A SampleKriger that starts late and sleeps before each chunk."""

    def process(self, inputs):
        if not getattr(self, "started_", False):
            self.started_ = True
            time.sleep(START_DELAY)
        return super().process(inputs)

    def compute(self, problem, indices):
        time.sleep(SLEEP)
        return super().compute(problem, indices)


graph = build_graph(processes_from_argv(), kriger=SampleKriger)
