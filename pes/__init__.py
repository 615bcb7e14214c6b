"""dispel4py processing elements (PEs) of krigflow: thin wrappers of the run steps of :mod:`krigflow.run`.

``LogReader`` (root: request → RunState, Wells; :func:`krigflow.run.read_config`, ``open_output``,
``load_wells``) → ``GridPlacer`` (single: wells → WorkOrder + Tasks; :func:`krigflow.run.plan_work`) →
``SampleKriger`` (N instances: Tasks → one Partial each; :class:`krigflow.run.Worker`) →
``StatsAccumulator`` (single: Partials → results and status record; :func:`krigflow.run.end_run`). The
messages are the dataclasses of :mod:`krigflow.run.messages`; errors travel downstream as
:class:`krigflow.run.RunError` records (see :mod:`pes._common`).
"""

from .grid_placer import GridPlacer
from .log_reader import LogReader
from .sample_kriger import SampleKriger
from .stats_accumulator import StatsAccumulator

__all__ = ["LogReader", "GridPlacer", "SampleKriger", "StatsAccumulator"]
