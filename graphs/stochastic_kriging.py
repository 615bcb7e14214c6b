"""Stochastic kriging as a dispel4py graph: LogReader → GridPlacer → SampleKriger ×N → StatsAccumulator.

Run it with any mapping (the input item names the run config; without one, the bundled demo
``data/demo/run.yaml`` runs)::

    dispel4py simple graphs/stochastic_kriging.py -d '{"LogReader": [{"config": "run.yaml"}]}'
    dispel4py multi graphs/stochastic_kriging.py -n 4 -d '{"LogReader": [{"config": "run.yaml"}]}'
    mpiexec -n 4 dispel4py mpi graphs/stochastic_kriging.py -n 4 -d '{"LogReader": [{"config": "run.yaml"}]}'

or, simpler, ``krigflow run run.yaml --mapping multi -n 4``.

Process count: LogReader, GridPlacer and StatsAccumulator take one process each; the other ``n - 3``
processes krig (``-n`` must be at least 4 for multi and mpi). dispel4py 2.9.1 gives a graph no way to
learn ``-n``, and sizes PEs from their ``numprocesses`` (a ``numprocesses=1`` PE is scaled to
``int((n-1)/3)`` instances, and ``Σ numprocesses > n`` falls back to a broken partitioned mode), so the
module-level ``graph`` reads ``-n``/``--num``/``--num_processes`` from ``sys.argv`` when it is loaded by the
``dispel4py`` command (read only; 1 kriger otherwise). Use :func:`build_graph` to build the graph for a
known process count.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dispel4py.workflow_graph import WorkflowGraph

from krigflow.distributed import die_with_parent_if_asked
from krigflow.distributed.mpi_idle import install as _sleep_when_idle
from pes import GridPlacer, LogReader, SampleKriger, StatsAccumulator

logger = logging.getLogger(__name__)

# under ``dispel4py mpi`` (every rank imports this module): waiting ranks sleep instead of spinning a core
_sleep_when_idle()

#: Processes taken by the PEs other than the SampleKrigers.
OTHER_PROCESSES = 3
#: Config run when the LogReader gets no input item: the bundled demo.
DEMO_CONFIG = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "demo", "run.yaml"
)


def build_graph(
    n_processes=1,
    *,
    kriger=SampleKriger,
    reader=LogReader,
    placer=GridPlacer,
    accumulator=StatsAccumulator,
    default_config=DEMO_CONFIG,
) -> WorkflowGraph:
    """Build the stochastic-kriging graph for a mapping with ``n_processes`` processes.

    Parameters
    ----------
    n_processes : int, default 1
        The mapping's process count (``-n``); ``max(1, n_processes - 3)`` SampleKrigers.
    kriger, reader, placer, accumulator : type
        The PE classes (default :class:`~pes.SampleKriger`, :class:`~pes.LogReader`,
        :class:`~pes.GridPlacer`, :class:`~pes.StatsAccumulator`); tests and benchmarks pass subclasses
        that fail on purpose or measure what they send.
    default_config : str
        Config of a run whose LogReader gets no input item.

    Returns
    -------
    dispel4py.workflow_graph.WorkflowGraph

    Examples
    --------
    >>> g = build_graph(6)
    >>> sorted(pe.name for pe in (n.get_contained_object() for n in g.graph.nodes()))
    ['GridPlacer', 'LogReader', 'SampleKriger', 'StatsAccumulator']
    """
    reading = reader(default_config=default_config)
    placing = placer()
    krigers = kriger()
    krigers.numprocesses = max(1, int(n_processes) - OTHER_PROCESSES)
    placing.krigers = krigers.numprocesses   # block b's tasks go to kriger b mod krigers (group-by route)
    accumulating = accumulator()
    graph = WorkflowGraph()
    graph.connect(reading, "output", placing, "input")
    graph.connect(placing, "problem", krigers, "problem")
    graph.connect(placing, "tasks", krigers, "tasks")
    graph.connect(placing, "block_tasks", krigers, "block_tasks")
    graph.connect(placing, "run", accumulating, "run")
    graph.connect(krigers, "output", accumulating, "partial")
    return graph


def processes_from_argv(argv=None) -> int:
    """Return the ``-n``/``--num``/``--num_processes`` value of a ``dispel4py`` command line (else 1).

    Only a command line of the ``dispel4py`` script is read; ``sys.argv`` is never modified.

    Examples
    --------
    >>> processes_from_argv(["/usr/bin/dispel4py", "multi", "g.py", "-n", "6", "-d", "{}"])
    6
    >>> processes_from_argv(["/usr/bin/dispel4py", "mpi", "g.py", "--num_processes=5"])
    5
    >>> processes_from_argv(["pytest", "-n", "4"])
    1
    """
    argv = sys.argv if argv is None else argv
    if not argv or os.path.basename(argv[0]) != "dispel4py":
        return 1
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("-n", "--num", "--num_processes", dest="n", type=int, default=1)
    try:
        known, _ = parser.parse_known_args(argv[1:])
    except SystemExit:  # a malformed -n: let dispel4py itself complain
        return 1
    return max(1, known.n)


def show_progress(argv=None) -> bool:
    """Under the ``dispel4py`` command, send the krigers' progress lines (logger ``krigflow.run.progress``) to stderr.

    dispel4py 2.9.1 sets the root logger to ERROR, which would hide them. Only a command line of the
    ``dispel4py`` script is affected (not an import, nor tests); returns whether a handler was added.
    """
    argv = sys.argv if argv is None else argv
    progress = logging.getLogger("krigflow.run.progress")
    if not argv or os.path.basename(argv[0]) != "dispel4py" or progress.handlers:
        return False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s[%(process)d]: %(message)s", "%H:%M:%S"))
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False
    return True


show_progress()
die_with_parent_if_asked()  # under krigflow run: an MPI rank dies with its launcher, even one killed by SIGKILL
graph = build_graph(processes_from_argv())
