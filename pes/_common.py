"""What the PEs share: their error records.

A PE never lets an exception escape (dispel4py 2.9.1's ``multi`` mapping hangs when one does): it turns
the exception into a :class:`krigflow.run.RunError` and sends it downstream, where the next PEs forward it
and skip their work, until the :class:`~pes.stats_accumulator.StatsAccumulator` reports it.
"""

from __future__ import annotations

from krigflow.run import RunError


def error_of(pe, exc, context=None) -> RunError:
    """The error record of ``exc`` (exception or message) raised in PE ``pe`` (its name and rank, if set)."""
    return RunError.of(pe.name, exc, context=context, rank=getattr(pe, "rank", None))
