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

Histograms, quantiles and exceedance probabilities
--------------------------------------------------
Quantiles cannot be merged from a few numbers, so when a
:class:`HistogramSpec` is given the accumulator also keeps integer counts,
which merge by addition (exactly, in any order):

- a **pooled histogram** of every value of every realization (``hist_counts``
  over ``hist_edges``, plus ``hist_outside`` = values below / above the edges);
  its cost is one ``bincount`` per realization;
- optionally **per-cell histograms** ``cell_hist``, shape ``(B + 2, *shape)``:
  bin 0 counts values below ``edges[0]``, bin ``j`` (1..B) values in
  ``[edges[j-1], edges[j])``, bin ``B + 1`` values ``>= edges[-1]``. Memory is
  ``(B + 2) * cells`` bytes for up to 255 realizations (``uint8`` counts), twice that up to 65 535
  (``uint16``), four times above (``uint32``);
- per-cell **exceedance counts** ``exceed``, shape ``(K, *shape)``: the number
  of values ``> cutoffs[k]``, exact (not from the bins).

:meth:`RunningStats.quantile` interpolates linearly inside the bin where the
cumulative count crosses ``q * count``, that bin being narrowed to the cell's
``[min, max]``. **Accuracy**: the result and the sample quantile
``numpy.quantile(values, q, method="inverted_cdf")`` lie in the same bin, so
they differ by at most one bin width (``(edges[-1] - edges[0]) / B`` for
uniform bins), and by at most ``edges[0] - min`` (``max - edges[-1]``) when the
quantile falls below (above) the edges. Other sample-quantile definitions
(numpy's default ``"linear"``) differ from ``"inverted_cdf"`` by at most the gap
between neighbouring order statistics, which shrinks like ``1 / count``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import KrigflowError

logger = logging.getLogger(__name__)

__all__ = ["RunningStats", "HistogramSpec", "FIELDS", "HISTOGRAM_FIELDS", "quantile_name", "cutoff_name",
           "uniform_edges"]

#: Bound on the temporaries of :meth:`RunningStats.from_batch` and :meth:`RunningStats.merge_in_place` (bytes).
CHUNK_BYTES = 64 * 2**20
#: Keys of :meth:`RunningStats.to_dict`, in order.
FIELDS = ("count", "mean", "m2", "min", "max")
#: Optional keys of :meth:`RunningStats.to_dict` (present when histograms are kept).
HISTOGRAM_FIELDS = ("hist_edges", "hist_counts", "hist_outside", "cutoffs", "exceed", "cell_hist")


@dataclass(frozen=True)
class HistogramSpec:
    """What histograms a :class:`RunningStats` keeps; identical in every worker of a run.

    Parameters
    ----------
    edges : array, shape (B + 1,)
        Increasing bin edges (property units), shared by the pooled and the per-cell histograms.
        Derive them once from the problem (e.g. from the data range), never per worker.
    cutoffs : tuple of float, default ()
        Values ``c`` for which the number of realizations with value ``> c`` is counted per cell.
    cell_histograms : bool, default True
        Keep per-cell histograms (needed for quantiles; ``(B + 2) * cells`` counts).
    max_count : int, default 65535
        Largest number of realizations one accumulator will see: ``uint8`` per-cell counts up to 255
        (one byte per bin and cell), ``uint16`` up to 65 535, ``uint32`` above. Merging refuses counts
        that would overflow.

    Examples
    --------
    >>> spec = HistogramSpec(uniform_edges(0.0, 10.0, 5), cutoffs=(2.5,))
    >>> spec.edges.tolist(), spec.count_dtype
    ([0.0, 2.0, 4.0, 6.0, 8.0, 10.0], dtype('uint16'))
    """

    edges: np.ndarray
    cutoffs: tuple = ()
    cell_histograms: bool = True
    max_count: int = 65535

    def __post_init__(self):
        edges = np.asarray(self.edges, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
            raise KrigflowError(
                f"HistogramSpec: edges must be at least 2 finite increasing numbers, got {self.edges!r}"
            )
        object.__setattr__(self, "edges", edges)
        try:
            cutoffs = tuple(float(c) for c in self.cutoffs)
        except (TypeError, ValueError):
            raise KrigflowError(f"HistogramSpec: cutoffs must be numbers, got {self.cutoffs!r}") from None
        if not all(np.isfinite(cutoffs)):
            raise KrigflowError(f"HistogramSpec: cutoffs must be finite, got {self.cutoffs!r}")
        object.__setattr__(self, "cutoffs", cutoffs)
        if int(self.max_count) < 1:
            raise KrigflowError(f"HistogramSpec: max_count must be >= 1, got {self.max_count!r}")

    @property
    def count_dtype(self) -> np.dtype:
        """dtype of the per-cell counts: the smallest of ``uint8`` (up to 255 realizations), ``uint16``
        (65 535) and ``uint32`` that holds ``max_count``."""
        for dtype in (np.uint8, np.uint16):
            if int(self.max_count) <= np.iinfo(dtype).max:
                return np.dtype(dtype)
        return np.dtype(np.uint32)

    def cell_bytes(self) -> int:
        """Bytes per grid cell of the per-cell histograms and exceedance counts."""
        per = (self.edges.size + 1) if self.cell_histograms else 0
        return (per + len(self.cutoffs)) * self.count_dtype.itemsize


def uniform_edges(low, high, bins) -> np.ndarray:
    """Return ``bins + 1`` equally spaced edges from ``low`` to ``high``.

    Examples
    --------
    >>> uniform_edges(0, 1, 4).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    low, high, bins = float(low), float(high), int(bins)
    if not (np.isfinite(low) and np.isfinite(high) and high > low and bins >= 1):
        raise KrigflowError(f"uniform_edges: need finite low < high and bins >= 1, got {low}, {high}, {bins}")
    return np.linspace(low, high, bins + 1)


def quantile_name(q) -> str:
    """Name of the output array of quantile ``q`` (percent): ``p10``, ``p50``, ``p2.5``.

    Examples
    --------
    >>> quantile_name(10), quantile_name(2.5), quantile_name(50.0)
    ('p10', 'p2.5', 'p50')
    """
    return f"p{float(q):g}"


def cutoff_name(cutoff) -> str:
    """Name of the output array of the probability of exceeding ``cutoff``: ``prob_gt_100``.

    Examples
    --------
    >>> cutoff_name(100.0), cutoff_name(62.5), cutoff_name(-1)
    ('prob_gt_100', 'prob_gt_62.5', 'prob_gt_-1')
    """
    return f"prob_gt_{float(cutoff):g}"


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
                raise KrigflowError(
                    f"RunningStats: array '{name}' has shape {value.shape}, expected the shape of "
                    f"'count' {self.count.shape}"
                )
        if np.any(self.count < 0):
            raise KrigflowError("RunningStats: 'count' must be non-negative")
        self._check_histograms()

    def _check_histograms(self):
        """Validate the optional histogram arrays (all of them or none, consistent shapes)."""
        if self.hist_edges is None:
            extra = [n for n in HISTOGRAM_FIELDS[1:] if getattr(self, n) is not None]
            if extra:
                raise KrigflowError(f"RunningStats: {extra} given without 'hist_edges'")
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
            raise KrigflowError("RunningStats: " + "; ".join(problems))

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
        KrigflowError
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
            raise KrigflowError(
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
        KrigflowError
            If the trailing dimensions of ``batch`` are not the grid shape.
        """
        batch = np.asarray(batch)
        if batch.ndim != len(self.shape) + 1 or batch.shape[1:] != self.shape:
            raise KrigflowError(
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
        KrigflowError
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
            raise KrigflowError(
                f"RunningStats.merge: expected a RunningStats, got {type(other).__name__}"
            )
        if other.shape != self.shape:
            raise KrigflowError(
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
        KrigflowError
            As :meth:`merge`; ``self`` is unchanged when the operands do not match.
        """
        if not isinstance(other, RunningStats):
            raise KrigflowError(
                f"RunningStats.merge_in_place: expected a RunningStats, got {type(other).__name__}"
            )
        if other.shape != self.shape:
            raise KrigflowError(
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
            merged = _merged_moments({k: v[part] for k, v in mine.items()}, {k: v[part] for k, v in theirs.items()})
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
        KrigflowError
            Without per-cell histograms, or for ``q`` outside [0, 1].

        Examples
        --------
        >>> import numpy as np
        >>> values = np.arange(100.0).reshape(100, 1)
        >>> s = RunningStats.from_batch(values, HistogramSpec(uniform_edges(0, 100, 10)))
        >>> s.quantile([0.0, 0.5, 1.0])[:, 0].tolist()
        [0.0, 50.0, 99.0]
        """
        if self.cell_hist is None:
            raise KrigflowError("RunningStats.quantile: no per-cell histograms were kept "
                                "(give a HistogramSpec with cell_histograms=True)")
        qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
        if qs.ndim != 1 or np.any(~np.isfinite(qs)) or np.any(qs < 0) or np.any(qs > 1):
            raise KrigflowError(f"RunningStats.quantile: q must be in [0, 1], got {q!r}")
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
            raise KrigflowError("RunningStats.exceedance: no cutoffs were given (no HistogramSpec)")
        with np.errstate(invalid="ignore", divide="ignore"):
            prob = self.exceed / self.count
        return np.where(self.count > 0, prob, np.nan)

    def bin_width(self) -> float:
        """Largest bin width of the histograms: the stated accuracy of :meth:`quantile`."""
        if not self.has_histograms:
            raise KrigflowError("RunningStats.bin_width: no histograms were kept")
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


def _batch_moments(batch) -> dict:
    """count, mean, M2 (two passes about the batch mean), min and max over the first axis (R, m)."""
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


def _merged_moments(a, b) -> dict:
    """Chan et al. merge of two sets of (count, mean, m2, min, max) arrays (any shape, same shape)."""
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


def _empty_histograms(shape, spec) -> dict:
    """Zero histogram arrays of ``spec`` for a grid of ``shape`` (empty dict without spec)."""
    if spec is None:
        return {}
    n_bins = spec.edges.size - 1
    return {
        "hist_edges": spec.edges.copy(),
        "hist_counts": np.zeros(n_bins, dtype=np.int64),
        "hist_outside": np.zeros(2, dtype=np.int64),
        "cutoffs": np.asarray(spec.cutoffs, dtype=np.float64),
        "exceed": np.zeros((len(spec.cutoffs), *shape), dtype=spec.count_dtype),
        "cell_hist": (np.zeros((n_bins + 2, *shape), dtype=spec.count_dtype)
                      if spec.cell_histograms else None),
    }


def _batch_histograms(batch, spec) -> dict:
    """Histogram and exceedance counts of a batch (R, *shape), one realization at a time.

    Per realization: the bin of every cell (``searchsorted``), one fancy-indexed increment of the
    per-cell counts (each cell appears once, so no ``np.add.at`` is needed), a ``bincount`` for the
    pooled histogram and one comparison per cutoff. Temporaries are one grid of int64.
    """
    shape = batch.shape[1:]
    if batch.shape[0] > int(spec.max_count):
        raise KrigflowError(f"RunningStats: a batch of {batch.shape[0]} realizations exceeds the "
                            f"HistogramSpec max_count {spec.max_count}")
    out = _empty_histograms(shape, spec)
    n_bins = spec.edges.size - 1
    pooled = np.zeros(n_bins + 2, dtype=np.int64)
    cell_hist = None if out["cell_hist"] is None else out["cell_hist"].reshape(n_bins + 2, -1)
    exceed = out["exceed"].reshape(len(spec.cutoffs), int(np.prod(shape, dtype=np.int64)))
    for values in batch.reshape(batch.shape[0], -1):
        valid = ~np.isnan(values)
        all_valid = bool(valid.all())
        bins = np.searchsorted(spec.edges, values, side="right")   # 0: below, B + 1: >= last edge
        if all_valid:
            if cell_hist is not None:
                cell_hist[bins, np.arange(values.size)] += 1
            pooled += np.bincount(bins, minlength=n_bins + 2)
        else:
            cells = np.flatnonzero(valid)
            if cell_hist is not None:
                cell_hist[bins[cells], cells] += 1
            pooled += np.bincount(bins[cells], minlength=n_bins + 2)
        for k, cutoff in enumerate(spec.cutoffs):
            exceed[k] += values > cutoff          # NaN > c is False: not counted
    out["hist_counts"] = pooled[1:-1].copy()
    out["hist_outside"] = pooled[[0, -1]].copy()
    return out


def _merge_histograms(a, b) -> dict:
    """Sum of the histogram counts of ``a`` and ``b`` (see :meth:`RunningStats.merge`)."""
    if not a.has_histograms and not b.has_histograms:
        return {}
    for x, y in ((a, b), (b, a)):
        if not y.has_histograms:
            if np.any(y.count):
                raise KrigflowError("RunningStats.merge: one operand has histograms and the other, "
                                    "which holds realizations, has none")
            return {name: None if getattr(x, name) is None else getattr(x, name).copy()
                    for name in HISTOGRAM_FIELDS}
    if not np.array_equal(a.hist_edges, b.hist_edges):
        raise KrigflowError("RunningStats.merge: histogram edges differ (they must be derived once per "
                            "run, identically in every worker)")
    if not np.array_equal(a.cutoffs, b.cutoffs):
        raise KrigflowError(f"RunningStats.merge: cutoffs differ: {a.cutoffs.tolist()} and "
                            f"{b.cutoffs.tolist()}")
    if (a.cell_hist is None) != (b.cell_hist is None):
        raise KrigflowError("RunningStats.merge: only one operand has per-cell histograms")
    dtype = np.promote_types(a.exceed.dtype, b.exceed.dtype)
    return {
        "hist_edges": a.hist_edges.copy(),
        "hist_counts": a.hist_counts + b.hist_counts,
        "hist_outside": a.hist_outside + b.hist_outside,
        "cutoffs": a.cutoffs.copy(),
        "exceed": _add_counts(a.exceed, b.exceed, dtype),
        "cell_hist": None if a.cell_hist is None else _add_counts(a.cell_hist, b.cell_hist, dtype),
    }


def _add_counts(x, y, dtype):
    """Add two count arrays in ``dtype``, refusing to wrap around."""
    total = x.astype(dtype) + y.astype(dtype)
    if total.size and (np.any(total < x) or np.any(total < y)):
        raise KrigflowError(f"RunningStats.merge: per-cell counts overflow {dtype}; give a HistogramSpec "
                            "with max_count >= the number of realizations")
    return total
