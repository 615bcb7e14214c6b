"""Test-only graph: the stochastic-kriging graph whose SampleKrigers record which block they compute.

Each chunk appends ``<PE id> <block's first easting cell centre> <block's easting cells>`` to
``$BLOCK_PROBE_DIR/<pid>.txt``, so a test can check that every block was computed by one kriger (process) only.
The numbers are those of the normal graph.
"""

import os

from graphs.stochastic_kriging import build_graph, processes_from_argv
from pes import SampleKriger


class SampleKriger(SampleKriger):  # same name as the real PE
    """A SampleKriger that records the block of each chunk it computes."""

    def compute(self, problem, indices):
        folder = os.environ.get("BLOCK_PROBE_DIR")
        if folder:
            with open(os.path.join(folder, f"{os.getpid()}.txt"), "a") as fh:
                fh.write(f"{self.id} {problem.grid.origin[0]:.3f} {problem.grid.shape[0]} {len(indices)}\n")
        return super().compute(problem, indices)


graph = build_graph(processes_from_argv(), kriger=SampleKriger)
