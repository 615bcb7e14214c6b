"""dispel4py processing elements (PEs) of krigflow: thin adapters over :mod:`krigflow.run.core`.

``LogReader`` (root: config → wells) → ``GridPlacer`` (single: wells → problem + chunks of realization
indices) → ``SampleKriger`` (N instances: chunks → one partial each) → ``StatsAccumulator`` (single: partials
→ ``stats.npz``, ``summary.json``, status record). Errors travel downstream as records
``{"error": {"pe", "message"}}``; see :mod:`pes._common`.
"""

from .grid_placer import GridPlacer
from .log_reader import LogReader
from .sample_kriger import SampleKriger
from .stats_accumulator import StatsAccumulator

__all__ = ["LogReader", "GridPlacer", "SampleKriger", "StatsAccumulator"]
