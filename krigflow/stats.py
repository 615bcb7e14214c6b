"""Per-cell streaming statistics over realizations, mergeable across processes.

A run produces many realizations of a 3-D grid. Keeping them all would cost
``R`` grids of memory; instead every worker folds its batches into a
:class:`RunningStats` (five arrays of the grid shape: count, mean, M2, min,
max) and the partial results are merged with the pairwise formula of Chan,
Golub & LeVeque (1979)::

    n    = n_a + n_b
    d    = mean_b - mean_a
    mean = mean_a + d * n_b / n
    M2   = M2_a + M2_b + d**2 * n_a * n_b / n

Each batch's own count, mean and M2 are computed directly with numpy (two
passes over the batch, which is more accurate than a per-realization Welford
loop) and then merged into the accumulator.

Conventions
-----------
- A NaN in a realization means "no value in that cell for that realization":
  it is not counted for that cell.
- Cells with ``count == 0`` have ``mean``, ``min`` and ``max`` equal to NaN and
  ``m2`` equal to 0.
- :meth:`RunningStats.std` and :meth:`RunningStats.variance` default to the
  *sample* statistic (``ddof=1``, divide by ``count - 1``).
- Merging is exact up to rounding; merge order changes only the last bits.
  Merging in a fixed order (e.g. by realization range) gives identical results
  whatever the process mapping.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .exceptions import KrigflowError

logger = logging.getLogger(__name__)

#: Keys of :meth:`RunningStats.to_dict`, in order.
FIELDS = ("count", "mean", "m2", "min", "max")


@dataclass(eq=False)
class RunningStats:
    """Streaming per-cell count, mean, M2 (sum of squared deviations), min and max.

    Memory is five arrays of the grid shape, whatever the number of
    realizations folded in.

    Parameters
    ----------
    count : int64 array, shape (*shape)
        Number of valid (non-NaN) values seen in each cell.
    mean : float64 array, shape (*shape)
        Mean of the values seen (NaN where ``count == 0``).
    m2 : float64 array, shape (*shape)
        Sum of squared deviations from the mean (0 where ``count == 0``).
    min, max : float64 array, shape (*shape)
        Smallest and largest value seen (NaN where ``count == 0``).

    Examples
    --------
    >>> import numpy as np
    >>> stats = RunningStats.empty((2, 3))
    >>> stats.update(np.arange(12.0).reshape(2, 2, 3))
    >>> stats.count.tolist()
    [[2, 2, 2], [2, 2, 2]]
    >>> stats.mean.tolist()
    [[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
    >>> float(stats.std()[0, 0])  # sample std of [0, 6]
    4.242640687119285
    """

    count: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    min: np.ndarray
    max: np.ndarray

    def __post_init__(self):
        self.count = np.asarray(self.count, dtype=np.int64)
        for name in FIELDS[1:]:
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        for name in FIELDS[1:]:
            value = getattr(self, name)
            if value.shape != self.count.shape:
                raise KrigflowError(
                    f"RunningStats: array '{name}' has shape {value.shape}, expected the shape of "
                    f"'count' {self.count.shape}"
                )
        if np.any(self.count < 0):
            raise KrigflowError("RunningStats: 'count' must be non-negative")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def empty(cls, shape) -> RunningStats:
        """Return statistics of no realizations for a grid of the given shape.

        Parameters
        ----------
        shape : int or tuple of int
            Grid shape, e.g. ``(nx, ny, nz)``.

        Returns
        -------
        RunningStats
            ``count`` and ``m2`` zero, ``mean``, ``min`` and ``max`` NaN.

        Raises
        ------
        KrigflowError
            If ``shape`` has a negative entry or is not a tuple of integers.

        Examples
        --------
        >>> RunningStats.empty((2, 2)).count.tolist()
        [[0, 0], [0, 0]]
        """
        shape = _check_shape(shape)
        nan = np.full(shape, np.nan)
        return cls(
            count=np.zeros(shape, dtype=np.int64),
            mean=nan.copy(),
            m2=np.zeros(shape),
            min=nan.copy(),
            max=nan,
        )

    @classmethod
    def from_batch(cls, batch) -> RunningStats:
        """Return the statistics of one batch of realizations.

        Parameters
        ----------
        batch : array, shape (R, *shape)
            ``R`` realizations of the grid; NaN values are not counted.

        Returns
        -------
        RunningStats
            Statistics over the first axis of ``batch``.

        Raises
        ------
        KrigflowError
            If ``batch`` has fewer than one dimension.

        Examples
        --------
        >>> import numpy as np
        >>> s = RunningStats.from_batch(np.array([[1.0, np.nan], [3.0, 5.0]]))
        >>> s.count.tolist(), s.mean.tolist()
        ([2, 1], [2.0, 5.0])
        """
        batch = np.asarray(batch, dtype=np.float64)
        if batch.ndim < 1:
            raise KrigflowError(
                "RunningStats: a batch must have shape (R, *grid_shape), got a scalar"
            )
        valid = ~np.isnan(batch)
        if batch.shape[0] > 0 and valid.all():
            # Common case without NaN: no masked copies of the batch.
            count = np.full(batch.shape[1:], batch.shape[0], dtype=np.int64)
            mean = batch.mean(axis=0)
            deviation = batch - mean
            m2 = np.einsum("i...,i...->...", deviation, deviation)
            return cls(count=count, mean=mean, m2=np.asarray(m2, dtype=np.float64),
                       min=batch.min(axis=0), max=batch.max(axis=0))
        count = valid.sum(axis=0, dtype=np.int64)
        total = np.where(valid, batch, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count  # NaN where count == 0
        # Second pass about the batch mean: more accurate than sum of squares.
        deviation = np.where(valid, batch - mean, 0.0)
        m2 = np.einsum("i...,i...->...", deviation, deviation)
        has = count > 0
        vmin = np.where(has, np.where(valid, batch, np.inf).min(axis=0, initial=np.inf), np.nan)
        vmax = np.where(has, np.where(valid, batch, -np.inf).max(axis=0, initial=-np.inf), np.nan)
        return cls(count=count, mean=mean, m2=np.asarray(m2, dtype=np.float64), min=vmin, max=vmax)

    @classmethod
    def from_dict(cls, data) -> RunningStats:
        """Rebuild statistics from the plain arrays of :meth:`to_dict`.

        Parameters
        ----------
        data : mapping
            Must hold the keys ``count``, ``mean``, ``m2``, ``min`` and ``max``
            (e.g. a dict received from another process, or an ``np.load``
            result); extra keys are ignored.

        Returns
        -------
        RunningStats
            A new object holding copies of the arrays.

        Raises
        ------
        KrigflowError
            If a key is missing or the arrays differ in shape.

        Examples
        --------
        >>> s = RunningStats.empty((3,))
        >>> RunningStats.from_dict(s.to_dict()).count.shape
        (3,)
        """
        missing = [key for key in FIELDS if key not in data]
        if missing:
            raise KrigflowError(
                f"RunningStats.from_dict: missing key(s) {missing}; expected keys {list(FIELDS)}"
            )
        return cls(**{key: np.array(data[key], copy=True) for key in FIELDS})

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape of the statistics arrays."""
        return self.count.shape

    # ------------------------------------------------------------------ combining
    def update(self, batch) -> None:
        """Fold a batch of realizations into these statistics, in place.

        Parameters
        ----------
        batch : array, shape (R, *shape)
            ``R`` realizations of the grid. NaN values are not counted for
            their cell.

        Raises
        ------
        KrigflowError
            If the trailing dimensions of ``batch`` are not the grid shape.
        """
        batch = np.asarray(batch)
        if batch.ndim != len(self.shape) + 1 or batch.shape[1:] != self.shape:
            raise KrigflowError(
                f"RunningStats.update: batch has shape {batch.shape}, expected (R, *{self.shape}) "
                f"= (R, {', '.join(str(n) for n in self.shape)})"
            )
        merged = self.merge(RunningStats.from_batch(batch))
        for name in FIELDS:
            setattr(self, name, getattr(merged, name))

    def merge(self, other: RunningStats) -> RunningStats:
        """Return the statistics of the union of both sets of realizations.

        Uses the pairwise formula of Chan et al. (1979). Neither operand is
        modified.

        Parameters
        ----------
        other : RunningStats
            Statistics of the same grid shape.

        Returns
        -------
        RunningStats
            New statistics.

        Raises
        ------
        KrigflowError
            If ``other`` is not a RunningStats of the same shape.

        Examples
        --------
        >>> import numpy as np
        >>> a = RunningStats.from_batch(np.array([[1.0], [2.0]]))
        >>> b = RunningStats.from_batch(np.array([[3.0], [4.0]]))
        >>> a.merge(b).mean.tolist(), a.merge(b).m2.tolist()
        ([2.5], [5.0])
        """
        if not isinstance(other, RunningStats):
            raise KrigflowError(
                f"RunningStats.merge: expected a RunningStats, got {type(other).__name__}"
            )
        if other.shape != self.shape:
            raise KrigflowError(
                f"RunningStats.merge: shapes differ: {self.shape} and {other.shape}"
            )
        n_a, n_b = self.count, other.count
        n = n_a + n_b
        only_a = n_b == 0
        only_b = n_a == 0
        both = ~(only_a | only_b)
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = other.mean - self.mean
            weight_b = n_b / n
            mean = np.where(both, self.mean + delta * weight_b, np.where(only_a, self.mean, other.mean))
            m2 = np.where(
                both,
                self.m2 + other.m2 + delta * delta * (n_a * weight_b),
                np.where(only_a, self.m2, other.m2),
            )
        return RunningStats(
            count=n,
            mean=mean,
            m2=m2,
            min=np.fmin(self.min, other.min),
            max=np.fmax(self.max, other.max),
        )

    # ------------------------------------------------------------------ results
    def variance(self, ddof: int = 1) -> np.ndarray:
        """Return the per-cell variance ``m2 / (count - ddof)``.

        Parameters
        ----------
        ddof : int, default 1
            Delta degrees of freedom: 1 for the sample (unbiased) variance, 0
            for the population variance.

        Returns
        -------
        float64 array, shape (*shape)
            NaN where ``count <= ddof``.
        """
        if ddof < 0:
            raise KrigflowError(f"RunningStats.variance: ddof must be >= 0, got {ddof}")
        denominator = self.count - ddof
        with np.errstate(invalid="ignore", divide="ignore"):
            var = self.m2 / denominator
        return np.where(denominator > 0, var, np.nan)

    def std(self, ddof: int = 1) -> np.ndarray:
        """Return the per-cell standard deviation ``sqrt(m2 / (count - ddof))``.

        Parameters
        ----------
        ddof : int, default 1
            Delta degrees of freedom: 1 (default) for the sample standard
            deviation, as ``numpy.std(..., ddof=1)``; 0 for the population one.

        Returns
        -------
        float64 array, shape (*shape)
            NaN where ``count <= ddof``.

        Examples
        --------
        >>> import numpy as np
        >>> RunningStats.from_batch(np.array([[1.0, 1.0], [3.0, np.nan]])).std().tolist()
        [1.4142135623730951, nan]
        """
        return np.sqrt(self.variance(ddof=ddof))

    def to_dict(self) -> dict[str, np.ndarray]:
        """Return the statistics as a dict of plain arrays (copies).

        Suitable for pickling between processes or ``np.savez``; the inverse
        is :meth:`from_dict`.

        Returns
        -------
        dict
            Keys ``count``, ``mean``, ``m2``, ``min``, ``max``.
        """
        return {name: getattr(self, name).copy() for name in FIELDS}


def _check_shape(shape) -> tuple[int, ...]:
    """Return ``shape`` as a tuple of non-negative ints or raise KrigflowError."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = list(shape)
        result = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise KrigflowError(f"RunningStats: shape must be a tuple of ints, got {shape!r}") from None
    if any(n < 0 for n in result) or any(int(n) != n for n in shape):
        raise KrigflowError(f"RunningStats: shape must be non-negative integers, got {shape!r}")
    return result
