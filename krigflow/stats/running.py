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

Quantiles and exceedance probabilities come from integer histogram counts kept beside the moments when a
:class:`krigflow.stats.histogram.HistogramSpec` is given (see :mod:`krigflow.stats.histogram`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import StatsError
from krigflow.stats.histogram import (
    HISTOGRAM_FIELDS,
    HistogramSpec,
    _batch_histograms,
    _empty_histograms,
    _merge_histograms,
    cutoff_name,
    quantile_name,
)
from krigflow.stats.moments import batch_moments as _batch_moments
from krigflow.stats.moments import merged_moments as _merged_moments

logger = logging.getLogger(__name__)

__all__ = ["FIELDS", "RunningStats"]

#: Bound on the temporaries of :meth:`RunningStats.from_batch` and :meth:`RunningStats.merge_in_place`
#: (bytes).
CHUNK_BYTES = 64 * 2**20
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
    hist_edges: np.ndarray | None = None
    hist_counts: np.ndarray | None = None
    hist_outside: np.ndarray | None = None
    cutoffs: np.ndarray | None = None
    exceed: np.ndarray | None = None
    cell_hist: np.ndarray | None = None

    def __post_init__(self):
        self.count = np.asarray(self.count, dtype=np.int64)
        for name in FIELDS[1:]:
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        for name in FIELDS[1:]:
            value = getattr(self, name)
            if value.shape != self.count.shape:
                raise StatsError(
                    f"RunningStats: array '{name}' has shape {value.shape}, expected the shape of "
                    f"'count' {self.count.shape}"
                )
        if np.any(self.count < 0):
            raise StatsError("RunningStats: 'count' must be non-negative")
        self._check_histograms()

    def _check_histograms(self):
        """Validate the optional histogram arrays (all of them or none, consistent shapes)."""
        if self.hist_edges is None:
            extra = [n for n in HISTOGRAM_FIELDS[1:] if getattr(self, n) is not None]
            if extra:
                raise StatsError(f"RunningStats: {extra} given without 'hist_edges'")
            return
        self.hist_edges = np.asarray(self.hist_edges, dtype=np.float64)
        n_bins = self.hist_edges.size - 1
        self.hist_counts = np.asarray(self.hist_counts if self.hist_counts is not None
                                      else np.zeros(n_bins), dtype=np.int64)
        self.hist_outside = np.asarray(self.hist_outside if self.hist_outside is not None
                                       else np.zeros(2), dtype=np.int64)
        self.cutoffs = np.asarray(self.cutoffs if self.cutoffs is not None else [], dtype=np.float64)
        if self.exceed is None:
            self.exceed = np.zeros((self.cutoffs.size, *self.shape), dtype=np.uint32)
        self.exceed = np.asarray(self.exceed)
        problems = []
        if self.hist_edges.ndim != 1 or n_bins < 1:
            problems.append(f"'hist_edges' must be 1-D with >= 2 edges, got shape {self.hist_edges.shape}")
        if self.hist_counts.shape != (n_bins,):
            problems.append(f"'hist_counts' has shape {self.hist_counts.shape}, expected ({n_bins},)")
        if self.hist_outside.shape != (2,):
            problems.append(f"'hist_outside' has shape {self.hist_outside.shape}, expected (2,)")
        if self.cutoffs.ndim != 1 or self.exceed.shape != (self.cutoffs.size, *self.shape):
            problems.append(f"'exceed' has shape {self.exceed.shape}, expected "
                            f"({self.cutoffs.size}, *{self.shape})")
        if self.cell_hist is not None:
            self.cell_hist = np.asarray(self.cell_hist)
            if self.cell_hist.shape != (n_bins + 2, *self.shape):
                problems.append(f"'cell_hist' has shape {self.cell_hist.shape}, expected "
                                f"({n_bins + 2}, *{self.shape})")
        if problems:
            raise StatsError("RunningStats: " + "; ".join(problems))

    @property
    def has_histograms(self) -> bool:
        """bool: whether histogram counts are kept (a :class:`HistogramSpec` was given)."""
        return self.hist_edges is not None

    # ------------------------------------------------------------------ constructors
    @classmethod
    def empty(cls, shape, spec=None) -> RunningStats:
        """Return statistics of no realizations for a grid of the given shape.

        Parameters
        ----------
        shape : int or tuple of int
            Grid shape, e.g. ``(nx, ny, nz)``.
        spec : HistogramSpec, optional
            Also keep (zero) histogram counts as described by ``spec``.

        Returns
        -------
        RunningStats
            ``count`` and ``m2`` zero, ``mean``, ``min`` and ``max`` NaN.

        Raises
        ------
        StatsError
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
            **_empty_histograms(shape, spec),
        )

    @classmethod
    def from_batch(cls, batch, spec=None) -> RunningStats:
        """Return the statistics of one batch of realizations.

        Parameters
        ----------
        batch : array, shape (R, *shape)
            ``R`` realizations of the grid; NaN values are not counted.
        spec : HistogramSpec, optional
            Also count the values into the histograms described by ``spec``.

        Returns
        -------
        RunningStats
            Statistics over the first axis of ``batch``.

        Raises
        ------
        StatsError
            If ``batch`` has fewer than one dimension.

        Examples
        --------
        >>> import numpy as np
        >>> s = RunningStats.from_batch(np.array([[1.0, np.nan], [3.0, 5.0]]))
        >>> s.count.tolist(), s.mean.tolist()
        ([2, 1], [2.0, 5.0])
        """
        batch = np.asarray(batch)
        if batch.ndim < 1:
            raise StatsError(
                "RunningStats: a batch must have shape (R, *grid_shape), got a scalar"
            )
        if batch.dtype != np.float32:
            batch = np.asarray(batch, dtype=np.float64)
        histograms = {} if spec is None else _batch_histograms(batch, spec)
        shape = batch.shape[1:]
        size = int(np.prod(shape, dtype=np.int64))
        flat = batch.reshape(batch.shape[0], size)
        out = {"count": np.empty(size, dtype=np.int64), "mean": np.empty(size), "m2": np.empty(size),
               "min": np.empty(size), "max": np.empty(size)}
        # cells in chunks: float64 copies of at most CHUNK_BYTES; every statistic is a reduction over the
        # first axis, so the result is the same as on the whole batch at once
        step = max(1, int(CHUNK_BYTES // max(1, 8 * 3 * flat.shape[0])))
        for start in range(0, size, step):
            part = slice(start, min(size, start + step))
            for key, value in _batch_moments(np.asarray(flat[:, part], dtype=np.float64)).items():
                out[key][part] = value
        return cls(**{key: value.reshape(shape) for key, value in out.items()}, **histograms)

    @classmethod
    def from_dict(cls, data) -> RunningStats:
        """Rebuild statistics from the plain arrays of :meth:`to_dict`.

        Parameters
        ----------
        data : mapping
            Must hold the keys ``count``, ``mean``, ``m2``, ``min`` and ``max``
            (e.g. a dict received from another process, or an ``np.load``
            result), and the histogram keys (:data:`HISTOGRAM_FIELDS`) if the
            statistics kept histograms; other keys are ignored.

        Returns
        -------
        RunningStats
            A new object holding copies of the arrays.

        Raises
        ------
        StatsError
            If a key is missing or the arrays differ in shape.

        Examples
        --------
        >>> s = RunningStats.empty((3,))
        >>> RunningStats.from_dict(s.to_dict()).count.shape
        (3,)
        """
        missing = [key for key in FIELDS if key not in data]
        if missing:
            raise StatsError(
                f"RunningStats.from_dict: missing key(s) {missing}; expected keys {list(FIELDS)}"
            )
        optional = {key: np.array(data[key], copy=True) for key in HISTOGRAM_FIELDS if key in data}
        return cls(**{key: np.array(data[key], copy=True) for key in FIELDS}, **optional)

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
        StatsError
            If the trailing dimensions of ``batch`` are not the grid shape.
        """
        batch = np.asarray(batch)
        if batch.ndim != len(self.shape) + 1 or batch.shape[1:] != self.shape:
            raise StatsError(
                f"RunningStats.update: batch has shape {batch.shape}, expected (R, *{self.shape}) "
                f"= (R, {', '.join(str(n) for n in self.shape)})"
            )
        self.merge_in_place(RunningStats.from_batch(batch, self.spec()))

    def merge(self, other: RunningStats) -> RunningStats:
        """Return the statistics of the union of both sets of realizations.

        Uses the pairwise formula of Chan et al. (1979); histogram and
        exceedance counts are added. Neither operand is modified. Statistics
        without histograms and without any realization (``RunningStats.empty(shape)``)
        merge with statistics that have histograms.

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
        StatsError
            If ``other`` is not a RunningStats of the same shape, or their
            histograms differ (edges, cutoffs, per-cell or not).

        Examples
        --------
        >>> import numpy as np
        >>> a = RunningStats.from_batch(np.array([[1.0], [2.0]]))
        >>> b = RunningStats.from_batch(np.array([[3.0], [4.0]]))
        >>> a.merge(b).mean.tolist(), a.merge(b).m2.tolist()
        ([2.5], [5.0])
        """
        if not isinstance(other, RunningStats):
            raise StatsError(
                f"RunningStats.merge: expected a RunningStats, got {type(other).__name__}"
            )
        if other.shape != self.shape:
            raise StatsError(
                f"RunningStats.merge: shapes differ: {self.shape} and {other.shape}"
            )
        histograms = _merge_histograms(self, other)
        merged = _merged_moments({k: getattr(self, k) for k in FIELDS}, {k: getattr(other, k) for k in FIELDS})
        return RunningStats(**merged, **histograms)

    def merge_in_place(self, other: RunningStats) -> RunningStats:
        """Fold ``other`` into these statistics without a second copy of them; return ``self``.

        Same numbers as :meth:`merge` (the same formula, cell by cell), computed in chunks of cells so
        that the temporaries stay below ``CHUNK_BYTES``: the memory a worker needs to fold a batch into its
        accumulator is the accumulator plus the batch's statistics, not three sets.

        Raises
        ------
        StatsError
            As :meth:`merge`; ``self`` is unchanged when the operands do not match.
        """
        if not isinstance(other, RunningStats):
            raise StatsError(
                f"RunningStats.merge_in_place: expected a RunningStats, got {type(other).__name__}"
            )
        if other.shape != self.shape:
            raise StatsError(
                f"RunningStats.merge_in_place: shapes differ: {self.shape} and {other.shape}"
            )
        histograms = _merge_histograms(self, other)          # checks, counts added (small or per cell)
        mine = {k: getattr(self, k).reshape(-1) for k in FIELDS}
        theirs = {k: getattr(other, k).reshape(-1) for k in FIELDS}
        if mine["count"].dtype != np.int64:
            mine["count"] = mine["count"].astype(np.int64)
        step = max(1, int(CHUNK_BYTES // 64))
        for start in range(0, mine["count"].size, step):
            part = slice(start, start + step)
            merged = _merged_moments({k: v[part] for k, v in mine.items()},
                                     {k: v[part] for k, v in theirs.items()})
            for key, value in merged.items():
                mine[key][part] = value
        for key in FIELDS:
            setattr(self, key, mine[key].reshape(self.shape))
        for name, value in histograms.items():
            setattr(self, name, value)
        return self

    def spec(self) -> HistogramSpec | None:
        """The :class:`HistogramSpec` of the kept histograms (None without histograms)."""
        if not self.has_histograms:
            return None
        return HistogramSpec(self.hist_edges, tuple(self.cutoffs.tolist()), self.cell_hist is not None,
                             max_count=np.iinfo(self.exceed.dtype).max)

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
            raise StatsError(f"RunningStats.variance: ddof must be >= 0, got {ddof}")
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
            Keys ``count``, ``mean``, ``m2``, ``min``, ``max``, and with
            histograms also ``hist_edges``, ``hist_counts``, ``hist_outside``,
            ``cutoffs``, ``exceed`` and (per-cell histograms) ``cell_hist``.
            Plain numeric arrays: ``np.load(..., allow_pickle=False)`` reads them.
        """
        names = FIELDS + tuple(n for n in HISTOGRAM_FIELDS if getattr(self, n) is not None)
        return {name: getattr(self, name).copy() for name in names}

    def quantile(self, q) -> np.ndarray:
        """Per-cell quantiles estimated from the per-cell histograms.

        Parameters
        ----------
        q : float or sequence of float
            Probabilities in [0, 1].

        Returns
        -------
        float64 array, shape (*shape) or (len(q), *shape)
            Linear interpolation inside the bin where the cumulative count
            crosses ``q * count``, the bin narrowed to the cell's ``[min, max]``
            (``q = 0`` gives ``min``, ``q = 1`` gives ``max``). NaN where
            ``count == 0``. Within one bin width of ``numpy.quantile(...,
            method="inverted_cdf")`` (see the module docstring).

        Raises
        ------
        StatsError
            Without per-cell histograms, or for ``q`` outside [0, 1].

        Examples
        --------
        >>> import numpy as np
        >>> from krigflow.stats.histogram import uniform_edges
        >>> values = np.arange(100.0).reshape(100, 1)
        >>> s = RunningStats.from_batch(values, HistogramSpec(uniform_edges(0, 100, 10)))
        >>> s.quantile([0.0, 0.5, 1.0])[:, 0].tolist()
        [0.0, 50.0, 99.0]
        """
        if self.cell_hist is None:
            raise StatsError("RunningStats.quantile: no per-cell histograms were kept "
                                "(give a HistogramSpec with cell_histograms=True)")
        qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
        if qs.ndim != 1 or np.any(~np.isfinite(qs)) or np.any(qs < 0) or np.any(qs > 1):
            raise StatsError(f"RunningStats.quantile: q must be in [0, 1], got {q!r}")
        n_bins = self.hist_edges.size - 1
        hist = self.cell_hist.reshape(n_bins + 2, -1)
        count = self.count.ravel()
        vmin, vmax = self.min.ravel(), self.max.ravel()
        lower = np.concatenate([[-np.inf], self.hist_edges])      # bin j covers [lower[j], upper[j])
        upper = np.concatenate([self.hist_edges, [np.inf]])
        out = np.empty((qs.size, count.size))
        for i, p in enumerate(qs):
            target = p * count
            below = np.zeros(count.size, dtype=np.int64)          # cumulative count before bin j
            est = np.where(count > 0, vmax, np.nan)
            found = (count == 0) | (p == 0.0)
            for j in range(n_bins + 2):
                c = hist[j].astype(np.int64)
                cross = ~found & (below + c >= target) & (c > 0)
                if np.any(cross):
                    lo = np.maximum(lower[j], vmin[cross])
                    hi = np.minimum(upper[j], vmax[cross])
                    frac = (target[cross] - below[cross]) / c[cross]
                    est[cross] = lo + np.clip(frac, 0.0, 1.0) * (hi - lo)
                    found |= cross
                below += c
            if p == 0.0:
                est = np.where(count > 0, vmin, np.nan)
            out[i] = est
        out = out.reshape(qs.size, *self.shape)
        return out[0] if np.ndim(q) == 0 else out

    def exceedance(self) -> np.ndarray:
        """Per-cell probability of exceeding each cutoff: ``exceed / count``.

        Returns
        -------
        float64 array, shape (K, *shape)
            Fraction of the realizations with a value ``> cutoffs[k]`` (exact counts, not from the
            bins); NaN where ``count == 0``.
        """
        if not self.has_histograms:
            raise StatsError("RunningStats.exceedance: no cutoffs were given (no HistogramSpec)")
        with np.errstate(invalid="ignore", divide="ignore"):
            prob = self.exceed / self.count
        return np.where(self.count > 0, prob, np.nan)

    def bin_width(self) -> float:
        """Largest bin width of the histograms: the stated accuracy of :meth:`quantile`."""
        if not self.has_histograms:
            raise StatsError("RunningStats.bin_width: no histograms were kept")
        return float(np.max(np.diff(self.hist_edges)))

    def output_arrays(self, quantiles=()) -> dict[str, np.ndarray]:
        """Arrays for ``stats.npz`` beyond mean/std: quantiles, exceedance, pooled histogram.

        Parameters
        ----------
        quantiles : sequence of float, default ()
            Quantiles in percent (``[10, 50, 90]`` gives ``p10``, ``p50``, ``p90``).

        Returns
        -------
        dict
            ``p<q>`` (float64, grid shape) for each quantile, ``prob_gt_<cutoff>`` for each cutoff,
            ``hist_edges`` (B + 1,), ``hist_counts`` (B,) int64 pooled over all realizations and cells,
            ``hist_outside`` (2,) values below/above the edges. Empty without histograms.
        """
        if not self.has_histograms:
            return {}
        out = {}
        qs = [float(q) for q in quantiles]
        if qs:
            for q, values in zip(qs, self.quantile(np.asarray(qs) / 100.0)):
                out[quantile_name(q)] = values
        for cutoff, prob in zip(self.cutoffs, self.exceedance()):
            out[cutoff_name(cutoff)] = prob
        out["hist_edges"] = self.hist_edges.copy()
        out["hist_counts"] = self.hist_counts.copy()
        out["hist_outside"] = self.hist_outside.copy()
        return out


def _check_shape(shape) -> tuple[int, ...]:
    """Return ``shape`` as a tuple of non-negative ints or raise StatsError."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = list(shape)
        result = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise StatsError(f"RunningStats: shape must be a tuple of ints, got {shape!r}") from None
    if any(n < 0 for n in result) or any(int(n) != n for n in shape):
        raise StatsError(f"RunningStats: shape must be non-negative integers, got {shape!r}")
    return result
