"""Test-only graph: the stochastic-kriging graph whose SampleKrigers fail at realization FAIL_AT.

Used by tests/test_graph.py (through the ``dispel4py`` CLI and ``krigflow run --graph``) to check that a PE
failing in the middle of a run ends every mapping with a non-zero status and the error, without hanging.
"""

from graphs.stochastic_kriging import build_graph, processes_from_argv
from pes import SampleKriger

#: The realization whose computation raises.
FAIL_AT = 5


class SampleKriger(SampleKriger):  # same name, so the error names the SampleKriger PE
    """A SampleKriger that raises when its chunk holds realization FAIL_AT."""

    def compute(self, problem, indices):
        if FAIL_AT in indices:
            raise RuntimeError(f"injected failure at realization {FAIL_AT}")
        return super().compute(problem, indices)


graph = build_graph(processes_from_argv(), kriger=SampleKriger)
