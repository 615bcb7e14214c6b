"""Realization ranges: ``A:B`` on the command line, compact text of index sets, chunks of work.

Realization ``r`` depends only on ``(seed, r)``, so a run may be split into any chunks (the statistics are
merged in a fixed order at the end).
"""

from __future__ import annotations

import re

import numpy as np

from krigflow.exceptions import KrigflowError

__all__ = ["parse_range", "format_ranges", "chunk_indices"]


def parse_range(text, total=None) -> tuple:
    """Parse ``A:B`` (realizations ``A <= r < B``; ``A:`` and ``:B`` allowed).

    Examples
    --------
    >>> parse_range("0:100"), parse_range("250:", 300), parse_range(":5")
    ((0, 100), (250, 300), (0, 5))
    """
    m = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", str(text))
    if not m or (not m.group(2) and total is None):
        raise KrigflowError(
            f"--realizations: expected A:B (realizations A <= r < B, e.g. 0:100), got {text!r}"
        )
    start = int(m.group(1) or 0)
    stop = int(m.group(2)) if m.group(2) else int(total)
    if stop <= start:
        raise KrigflowError(f"--realizations: empty range {text!r} (need A < B)")
    if total is not None and stop > total:
        raise KrigflowError(
            f"--realizations: range {text!r} goes beyond the {total} realizations of the config "
            "(raise 'realizations' in the config to extend a run)"
        )
    return start, stop


def format_ranges(indices, limit=8) -> str:
    """Compact text of sorted indices, e.g. ``0-3, 7, 9-12``.

    Examples
    --------
    >>> format_ranges([0, 1, 2, 3, 7, 9, 10])
    '0-3, 7, 9-10'
    """
    indices = np.unique(np.asarray(indices, dtype=np.int64))
    if indices.size == 0:
        return "none"
    breaks = np.flatnonzero(np.diff(indices) != 1)
    starts = np.concatenate([[indices[0]], indices[breaks + 1]])
    ends = np.concatenate([indices[breaks], [indices[-1]]])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts.tolist(), ends.tolist())]
    more = f" ... ({len(parts) - limit} more ranges)" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more


def chunk_indices(indices, batch_size) -> list:
    """Split realization indices into consecutive chunks of ``batch_size`` (the last may be shorter).

    Parameters
    ----------
    indices : int or sequence of int
        The realization indices, in the order to compute them; an int ``n`` means ``0 .. n-1``.
    batch_size : int
        Chunk length (>= 1).

    Returns
    -------
    list of list of int

    Examples
    --------
    >>> chunk_indices(5, 2)
    [[0, 1], [2, 3], [4]]
    >>> chunk_indices([0, 1, 2, 5, 6], 2)
    [[0, 1], [2, 5], [6]]
    """
    if isinstance(indices, (int, np.integer)):
        indices = np.arange(int(indices), dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return [indices[i : i + batch_size].tolist() for i in range(0, indices.size, batch_size)]
