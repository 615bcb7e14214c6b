"""Test-only graph: the stochastic-kriging graph with slow SampleKrigers (same numbers as the normal graph).

``HOSTILE_START_DELAY`` (seconds, default 0): a kriger sleeps when its first message arrives, before it
takes the problem (a slow kriger start: the moment another run can slip in). ``HOSTILE_SLEEP`` (seconds,
default 0.5): sleep before each chunk of realizations, so that a run lasts long enough to be disturbed.

Gates (the test decides how long a run lasts, instead of guessing with sleeps): while the file named by
``HOSTILE_START_GATE`` exists, a kriger waits when its first message arrives; while the file named by
``HOSTILE_GATE`` exists, a kriger waits before each chunk but its first. Each wait first creates
``<gate>.reached-<pid>`` (so a test can see that a kriger is waiting) and gives up after ``HOSTILE_GATE_MAX``
seconds (default 150), so that a forgotten gate cannot hang a run for ever.
"""

import os
import time

from graphs.stochastic_kriging import build_graph, processes_from_argv
from pes import SampleKriger

START_DELAY = float(os.environ.get("HOSTILE_START_DELAY", "0"))
SLEEP = float(os.environ.get("HOSTILE_SLEEP", "0.5"))
START_GATE = os.environ.get("HOSTILE_START_GATE", "")
GATE = os.environ.get("HOSTILE_GATE", "")
GATE_MAX = float(os.environ.get("HOSTILE_GATE_MAX", "150"))


def wait_at(gate):
    """Wait while the file ``gate`` exists (at most GATE_MAX seconds); mark that this process got there."""
    if not gate or not os.path.exists(gate):
        return
    with open(f"{gate}.reached-{os.getpid()}", "w"):
        pass
    end = time.monotonic() + GATE_MAX
    while os.path.exists(gate) and time.monotonic() < end:
        time.sleep(0.05)


class SampleKriger(SampleKriger):  # same name as the real PE
    """A SampleKriger that starts late and sleeps (or waits at a gate) before each chunk."""

    def process(self, inputs):
        if not getattr(self, "started_", False):
            self.started_ = True
            wait_at(START_GATE)
            time.sleep(START_DELAY)
        return super().process(inputs)

    def compute(self, problem, indices):
        if getattr(self, "chunks_", 0):
            wait_at(GATE)
        self.chunks_ = getattr(self, "chunks_", 0) + 1
        time.sleep(SLEEP)
        return super().compute(problem, indices)


graph = build_graph(processes_from_argv(), kriger=SampleKriger)
