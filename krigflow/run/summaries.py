"""Per-realization summaries in a run: computed with each chunk, carried by the partials, merged at the end.

Each chunk of realizations is computed once (:func:`compute_chunk`) and folded both into the per-cell
statistics and into a :class:`krigflow.stats.SummaryTable` (one row per realization). The table travels
with the statistics: in the worker's :class:`krigflow.run.Partial` and in its partial file, so that
workers, resumed attempts and ``--realizations`` ranges combined by ``krigflow combine`` all end with the
same ``realizations.csv`` as a single run (:func:`merge_summaries`, :func:`write_summaries`).
"""
from __future__ import annotations

import logging
import os

import numpy as np

from krigflow.stats import REALIZATIONS_FILE, RunningStats, SummaryTable, summary_record

logger = logging.getLogger(__name__)

__all__ = ["compute_chunk", "merge_summaries", "write_summaries"]


def compute_chunk(problem, indices, cache=None) -> tuple:
    """Compute a chunk of realizations: their per-cell statistics and their summaries.

    Parameters
    ----------
    problem : krigflow.run.Problem
        With ``summary`` (a :class:`krigflow.stats.SummarySpec`, or None for no summaries).
    indices : sequence of int, shape (R,)
    cache : dict, optional
        The calling worker's cache, kept between chunks (:func:`krigflow.run.realize.realization_values`).

    Returns
    -------
    stats : krigflow.stats.RunningStats
    table : krigflow.stats.SummaryTable or None
    """
    from krigflow.run.realize import realization_fields

    indices = np.asarray(indices, dtype=np.int64)
    batch = realization_fields(problem, indices, cache=cache)
    stats = RunningStats.from_batch(batch, problem.histogram)
    spec = getattr(problem, "summary", None)
    table = None if spec is None else SummaryTable.from_batch(indices, batch, spec)
    return stats, table


def merge_summaries(partials):
    """Merge the summary tables of partials (in memory or read from files), or None if one has none.

    Parameters
    ----------
    partials : sequence
        Objects with ``indices`` and ``summaries`` (a :class:`SummaryTable` or None).

    Returns
    -------
    SummaryTable or None
        Rows sorted by realization. None (with a warning) when a partial carries no summaries, e.g. a
        partial file written before realizations.csv existed: the statistics are still complete.

    Raises
    ------
    krigflow.exceptions.KrigflowError
        Tables of different columns, or a realization twice.
    """
    partials = [p for p in partials if len(p.indices)]
    tables = [getattr(p, "summaries", None) for p in partials]
    if not tables:
        return None
    if any(t is None for t in tables):
        logger.warning("%d of %d partial(s) carry no per-realization summaries: no %s",
                       sum(t is None for t in tables), len(tables), REALIZATIONS_FILE)
        return None
    return tables[0].merge(*tables[1:])


def write_summaries(output, table, summary) -> str | None:
    """Write ``realizations.csv`` into ``output`` and add its record to ``summary`` (in place).

    Parameters
    ----------
    output : str
        Output folder.
    table : SummaryTable or None
        Nothing is written for None.
    summary : dict
        The run's summary: gets ``realization_summaries`` (file, columns, P10/P50/P90 of every column).

    Returns
    -------
    str or None
        The path written.
    """
    if table is None:
        return None
    summary["realization_summaries"] = summary_record(table)
    os.makedirs(output, exist_ok=True)
    return table.write_csv(os.path.join(output, REALIZATIONS_FILE))
