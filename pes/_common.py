"""What the PEs share: their error records.

A PE never lets an exception escape (dispel4py 2.9.1's ``multi`` mapping hangs when one does): it turns
the exception into a :class:`krigflow.run.RunError` and sends it downstream, where the next PEs forward it
and skip their work, until the :class:`~pes.stats_accumulator.StatsAccumulator` reports it.
"""

from __future__ import annotations

from krigflow.run import RunError, hold_output


def error_of(pe, exc, context=None) -> RunError:
    """The error record of ``exc`` (exception or message) raised in PE ``pe`` (its name and rank, if set)."""
    return RunError.of(pe.name, exc, context=context, rank=getattr(pe, "rank", None))


def hold(pe, state, errors):
    """``state`` with the run's output folder held by this process from now on (:func:`krigflow.run.hold_output`).

    If another run took the folder over, the error is added to ``errors`` and ``state`` is returned as it is.
    """
    try:
        return hold_output(state)
    except Exception as exc:  # noqa: BLE001 - reported downstream
        errors.append(error_of(pe, exc))
        return state
