"""Per-cell moments of a batch of realizations and their pairwise merge (Chan, Golub & LeVeque 1979).

The arithmetic behind :class:`krigflow.stats.RunningStats`, on plain arrays: :func:`batch_moments` reduces
a batch ``(R, m)`` over its first axis (two passes about the batch mean; NaN not counted), and
:func:`merged_moments` combines two sets of moments cell by cell. Both work on any slice of cells, so the
accumulator can process a grid in chunks of bounded memory with the same numbers.
"""
from __future__ import annotations

import numpy as np

__all__ = ["batch_moments", "merged_moments"]


def batch_moments(batch) -> dict:
    """count, mean, M2 (two passes about the batch mean), min and max over the first axis (R, m).

    Examples
    --------
    >>> import numpy as np
    >>> m = batch_moments(np.array([[1.0, np.nan], [3.0, 5.0]]))
    >>> m["count"].tolist(), m["mean"].tolist(), m["m2"].tolist()
    ([2, 1], [2.0, 5.0], [2.0, 0.0])
    """
    valid = ~np.isnan(batch)
    if batch.shape[0] > 0 and valid.all():
        # Common case without NaN: no masked copies of the batch.
        mean = batch.mean(axis=0)
        deviation = batch - mean
        return {"count": np.full(batch.shape[1:], batch.shape[0], dtype=np.int64), "mean": mean,
                "m2": np.einsum("i...,i...->...", deviation, deviation), "min": batch.min(axis=0),
                "max": batch.max(axis=0)}
    count = valid.sum(axis=0, dtype=np.int64)
    total = np.where(valid, batch, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count  # NaN where count == 0
    # Second pass about the batch mean: more accurate than sum of squares.
    deviation = np.where(valid, batch - mean, 0.0)
    has = count > 0
    return {"count": count, "mean": mean, "m2": np.einsum("i...,i...->...", deviation, deviation),
            "min": np.where(has, np.where(valid, batch, np.inf).min(axis=0, initial=np.inf), np.nan),
            "max": np.where(has, np.where(valid, batch, -np.inf).max(axis=0, initial=-np.inf), np.nan)}


def merged_moments(a, b) -> dict:
    """Chan et al. merge of two sets of (count, mean, m2, min, max) arrays (any shape, same shape).

    Examples
    --------
    >>> import numpy as np
    >>> a = batch_moments(np.array([[1.0], [2.0]]))
    >>> b = batch_moments(np.array([[3.0], [4.0]]))
    >>> merged_moments(a, b)["mean"].tolist(), merged_moments(a, b)["m2"].tolist()
    ([2.5], [5.0])
    """
    n_a, n_b = a["count"], b["count"]
    n = n_a + n_b
    only_a = n_b == 0
    only_b = n_a == 0
    both = ~(only_a | only_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = b["mean"] - a["mean"]
        weight_b = n_b / n
        mean = np.where(both, a["mean"] + delta * weight_b, np.where(only_a, a["mean"], b["mean"]))
        m2 = np.where(both, a["m2"] + b["m2"] + delta * delta * (n_a * weight_b),
                      np.where(only_a, a["m2"], b["m2"]))
    return {"count": n, "mean": mean, "m2": m2, "min": np.fmin(a["min"], b["min"]),
            "max": np.fmax(a["max"], b["max"])}
