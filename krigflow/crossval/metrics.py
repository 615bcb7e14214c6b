"""Cross-validation scores of a model against held-out truth: pure functions of arrays.

Conventions: ``truth`` and ``estimate`` are 1-D arrays over held-out cells; a predictive distribution is
given either by realizations (shape ``(R, m)``) or by a Gaussian mean and standard deviation. Both are
reduced to the **PIT** value ``u`` of each cell, the predictive CDF at the truth (:func:`pit_values`,
:func:`gaussian_pit`), from which the coverage of the symmetric p-intervals follows: the truth is inside
the central p-interval iff ``|u - 0.5| <= p / 2``. Deutsch's accuracy plot is that coverage ``xi(p)``
against ``p`` and his goodness statistic (Deutsch 1997) is

    G = 1 - (1/K) sum_k w_k |xi(p_k) - p_k|,    w_k = 1 if xi(p_k) >= p_k else 2,

so that an overconfident model (intervals too narrow) costs twice as much as a too cautious one.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from krigflow.exceptions import KrigflowError

__all__ = [
    "DEFAULT_PS",
    "accuracy_points",
    "bias",
    "gaussian_pit",
    "goodness",
    "interval_coverage",
    "offset_share",
    "pit_histogram",
    "pit_values",
    "rmse",
]

#: Probabilities of the accuracy plot.
DEFAULT_PS = tuple(np.round(np.arange(0.1, 0.91, 0.1), 10))


def _pair(truth, estimate):
    t = np.asarray(truth, dtype=float).ravel()
    e = np.asarray(estimate, dtype=float).ravel()
    if t.shape != e.shape:
        raise KrigflowError(f"truth and estimate must have one length, got {t.size} and {e.size}")
    if t.size == 0:
        raise KrigflowError("no held-out value to score")
    return t, e


def rmse(truth, estimate) -> float:
    """Root-mean-square error.

    Examples
    --------
    >>> rmse([0.0, 0.0], [3.0, 4.0]) == float(np.sqrt(12.5))
    True
    """
    t, e = _pair(truth, estimate)
    return float(np.sqrt(np.mean((e - t) ** 2)))


def bias(truth, estimate) -> float:
    """Mean error ``mean(estimate - truth)`` (positive: the model reads high).

    Examples
    --------
    >>> bias([1.0, 2.0], [2.0, 4.0])
    1.5
    """
    t, e = _pair(truth, estimate)
    return float(np.mean(e - t))


def interval_coverage(truth, low, high) -> float:
    """Fraction of the truth inside ``[low, high]``.

    Examples
    --------
    >>> interval_coverage([0.0, 1.0, 5.0], [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0])
    0.6666666666666666
    """
    t = np.asarray(truth, dtype=float).ravel()
    return float(np.mean((t >= np.ravel(low)) & (t <= np.ravel(high))))


def pit_values(truth, realizations) -> np.ndarray:
    """PIT value of each cell from realizations: the fraction of realizations below the truth (ties half).

    Parameters
    ----------
    truth : array, shape (m,)
    realizations : array, shape (R, m)

    Returns
    -------
    array, shape (m,)
        In [0, 1].

    Examples
    --------
    >>> pit_values([1.5, 0.0, 2.0], [[1.0, 1.0, 2.0], [2.0, 2.0, 2.0]]).tolist()
    [0.5, 0.0, 0.5]
    """
    t = np.asarray(truth, dtype=float).ravel()
    real = np.asarray(realizations, dtype=float)
    if real.ndim != 2 or real.shape[1] != t.size:
        raise KrigflowError(f"realizations must have shape (R, {t.size}), got {real.shape}")
    below = np.sum(real < t, axis=0)
    equal = np.sum(real == t, axis=0)
    return (below + 0.5 * equal) / real.shape[0]


def gaussian_pit(truth, mean, sd) -> np.ndarray:
    """PIT value of each cell for a Gaussian prediction ``N(mean, sd**2)``.

    Examples
    --------
    >>> gaussian_pit([0.0, 1.0], [0.0, 0.0], [1.0, 1.0]).round(4).tolist()
    [0.5, 0.8413]
    """
    t, m = _pair(truth, mean)
    s = np.maximum(np.asarray(sd, dtype=float).ravel(), 1e-300)
    return 0.5 * special.erfc(-(t - m) / (s * np.sqrt(2.0)))


def accuracy_points(pit, ps=DEFAULT_PS) -> np.ndarray:
    """Coverage ``xi(p)`` of the symmetric p-intervals, from PIT values (Deutsch's accuracy plot).

    Parameters
    ----------
    pit : array, shape (m,)
        PIT values (:func:`pit_values`, :func:`gaussian_pit`).
    ps : sequence of float, default 0.1 ... 0.9
        Interval probabilities.

    Returns
    -------
    array, shape (len(ps),)

    Examples
    --------
    >>> accuracy_points([0.5, 0.05, 0.3, 0.95], [0.5, 0.8]).tolist()
    [0.5, 0.5]
    """
    u = np.asarray(pit, dtype=float).ravel()
    dist = np.abs(u - 0.5)
    return np.array([float(np.mean(dist <= p / 2.0 + 1e-12)) for p in ps])


def goodness(xi, ps=DEFAULT_PS) -> float:
    """Deutsch's goodness statistic G (1 is perfect; overconfidence weighs twice).

    Examples
    --------
    >>> goodness([0.1, 0.5], [0.1, 0.5])
    1.0
    >>> round(goodness([0.3, 0.4], [0.2, 0.5]), 6)
    0.85
    """
    xi = np.asarray(xi, dtype=float)
    ps = np.asarray(ps, dtype=float)
    if xi.shape != ps.shape:
        raise KrigflowError(f"xi and ps must have one length, got {xi.size} and {ps.size}")
    w = np.where(xi >= ps, 1.0, 2.0)
    return float(1.0 - np.mean(w * np.abs(xi - ps)))


def pit_histogram(pit, bins=10) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of PIT values on ``bins`` equal bins of [0, 1]: flat when calibrated, U when too narrow.

    Returns
    -------
    counts : int array, shape (bins,)
    edges : array, shape (bins + 1,)

    Examples
    --------
    >>> pit_histogram([0.05, 0.5, 0.95, 1.0], bins=2)[0].tolist()
    [1, 3]
    """
    counts, edges = np.histogram(np.clip(np.asarray(pit, dtype=float), 0.0, 1.0), bins=int(bins), range=(0.0, 1.0))
    return counts, edges


def offset_share(truth, estimate, well) -> float:
    """Share of the squared error that is a constant offset per well.

    ``sum_k n_k * mean_k(error)**2 / sum(error**2)``: 1 when the error is constant within every well,
    0 when every well's errors average to zero.

    Examples
    --------
    >>> offset_share([0.0, 0.0, 0.0, 0.0], [1.0, 1.0, -1.0, 3.0], [0, 0, 1, 1])
    0.3333333333333333
    """
    t, e = _pair(truth, estimate)
    well = np.asarray(well).ravel()
    err = e - t
    total = float(np.sum(err ** 2))
    if total == 0.0:
        return 0.0
    labels, inverse, counts = np.unique(well, return_inverse=True, return_counts=True)
    means = np.bincount(inverse, weights=err, minlength=labels.size) / counts
    return float(np.sum(counts * means ** 2) / total)
