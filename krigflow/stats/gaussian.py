"""Exact per-cell quantiles and exceedance probabilities of the ``conditional`` method (multi-Gaussian).

Under the multi-Gaussian model, the conditional distribution of a cell's normal score ``Y(x)`` given the
data is Gaussian with the **simple-kriging** mean ``m(x)`` and variance ``s(x)^2`` (Journel & Huijbregts
1978; Chilès & Delfiner 2012, section 7.3). The property is ``Z(x) = t(x) + phi(Y(x))`` with ``phi`` the
normal-score back-transform (non-decreasing, the identity without a transform) and ``t`` an optional trend
(e.g. the depth trend of :mod:`krigflow.trend`), so

* quantile ``p``:        ``z_p(x) = t(x) + phi(m(x) + s(x) * Phi^-1(p))``;
* exceedance of ``c``:   ``P(Z(x) > c) = Phi((m(x) - y*(c - t(x))) / s(x))`` with
  ``y*(u) = sup {y : phi(y) <= u}`` (``-inf`` below the transform's range, ``+inf`` at or above it).

With a well effect sigma_w**2 (:mod:`krigflow.well_effect`) the simulation draws one offset per data well and
one for the new well the grid stands for: ``m`` and ``s`` are then the simple-kriging mean and standard deviation
with sigma_w**2 in the data covariance of pairs of one well and in the variance of every cell
(:func:`sk_variance`), exactly what the realizations sample.

Both are exact (no histogram bins, no Monte Carlo error) and need two numbers per cell (``m``, ``s``):
:class:`GaussianQuantiles` holds them for a box of cells, like an accumulator that covers a spatial block
instead of a range of realizations; :meth:`GaussianQuantiles.split` cuts it into blocks and
:meth:`GaussianQuantiles.combine` puts disjoint blocks back together. Conditional realizations
(conditioning by kriging, :func:`krigflow.realizations.conditional_realizations`) sample exactly these
distributions, so their per-cell quantiles converge to these values: a free check of the simulator.

The simple-kriging moments come from :mod:`krigflow.stats.kriging_moments` (exact with all data, or per block
with the nearest ``max_data``; re-exported here).

Conventions: ``std`` is the simple-kriging standard deviation (0 at the data cells: kriging is exact there,
nugget or not); cells outside the covered box are not represented.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
from scipy import special

from krigflow.exceptions import StatsError
from krigflow.stats.kriging_moments import (
    _box_of,
    block_slices,
    default_max_data,
    sk_moments,
    sk_variance,
)

logger = logging.getLogger(__name__)

__all__ = [
    "GaussianQuantiles",
    "block_slices",
    "conditional_gaussian",
    "default_max_data",
    "exact_outputs",
    "score_threshold",
    "sk_moments",
    "sk_variance",
]


@dataclass(eq=False)
class GaussianQuantiles:
    """Per-cell Gaussian conditional distributions (normal-score space) over a box of cells.

    Parameters
    ----------
    mean : float64 array, shape (bx, by, bz)
        Simple-kriging mean of the simulated variable (normal scores with a transform).
    std : float64 array, shape (bx, by, bz)
        Simple-kriging standard deviation (>= 0).
    transform : krigflow.realizations.NormalScore, optional
        Back-transform to property units (None: the simulated variable is the property).
    trend : float64 array, shape (bx, by, bz) or broadcastable to it, optional
        Added to every value after the back-transform (None: no trend). A depth trend is best given as
        shape ``(1, 1, bz)``: 8 bytes per layer instead of per cell.
    offset : tuple of 3 int, default (0, 0, 0)
        Index of the box's first cell in the full grid.

    Examples
    --------
    >>> import numpy as np
    >>> g = GaussianQuantiles(np.zeros((2, 1, 1)), np.array([[[1.0]], [[0.0]]]))
    >>> g.quantile(0.5).ravel().tolist(), g.quantile(0.8413447460685429).ravel().round(6).tolist()
    ([0.0, 0.0], [1.0, 0.0])
    >>> g.exceedance(-1.0).ravel().round(4).tolist()
    [0.8413, 1.0]
    """

    mean: np.ndarray
    std: np.ndarray
    transform: object = None
    trend: np.ndarray | None = None
    offset: tuple = (0, 0, 0)

    def __post_init__(self):
        self.mean = np.asarray(self.mean, dtype=np.float64)
        self.std = np.asarray(self.std, dtype=np.float64)
        if self.mean.ndim != 3 or self.std.shape != self.mean.shape:
            raise StatsError(f"GaussianQuantiles: mean and std must be 3-D arrays of one shape, got "
                                f"{self.mean.shape} and {self.std.shape}")
        if np.any(self.std < 0):
            raise StatsError("GaussianQuantiles: std must be >= 0")
        if self.trend is not None:
            self.trend = np.asarray(self.trend, dtype=np.float64)
            if self.trend.ndim != 3 or any(t not in (1, n) for t, n in zip(self.trend.shape, self.mean.shape)):
                raise StatsError(f"GaussianQuantiles: trend shape {self.trend.shape} does not broadcast to "
                                    f"the box shape {self.mean.shape}")
        offset = tuple(int(o) for o in self.offset)
        if len(offset) != 3 or min(offset) < 0:
            raise StatsError(f"GaussianQuantiles: offset must be three integers >= 0, got {self.offset!r}")
        self.offset = offset

    # ------------------------------------------------------------------ geometry
    @property
    def shape(self) -> tuple:
        """tuple of 3 int: shape of the box."""
        return self.mean.shape

    @property
    def box(self) -> tuple:
        """tuple of 3 slices: where the box sits in the full grid."""
        return tuple(slice(o, o + n) for o, n in zip(self.offset, self.shape))

    @property
    def nbytes(self) -> int:
        """int: bytes held (16 per cell, plus the trend's)."""
        return self.mean.nbytes + self.std.nbytes + (0 if self.trend is None else self.trend.nbytes)

    def split(self, block_shape) -> list:
        """Cut the box into blocks of at most ``block_shape`` cells (views, in C order of the blocks).

        Examples
        --------
        >>> import numpy as np
        >>> g = GaussianQuantiles(np.zeros((5, 2, 2)), np.ones((5, 2, 2)))
        >>> [(p.offset, p.shape) for p in g.split((3, 2, 2))]
        [((0, 0, 0), (3, 2, 2)), ((3, 0, 0), (2, 2, 2))]
        """
        parts = []
        for box in block_slices(self.shape, block_shape):
            parts.append(GaussianQuantiles(
                self.mean[box], self.std[box], self.transform,
                None if self.trend is None else self.trend[_broadcast_box(self.trend, box)],
                tuple(o + s.start for o, s in zip(self.offset, box))))
        return parts

    @classmethod
    def combine(cls, parts, shape=None) -> GaussianQuantiles:
        """Put disjoint blocks back into one box (the bounding box of the parts, or ``shape`` from 0).

        Raises
        ------
        StatsError
            No parts, overlapping parts, parts that leave a cell of the box uncovered, or parts with
            different transforms or with and without a trend.
        """
        parts = list(parts)
        if not parts:
            raise StatsError("GaussianQuantiles.combine: no parts")
        start = (0, 0, 0) if shape is not None else tuple(min(p.offset[a] for p in parts) for a in range(3))
        stop = tuple(shape) if shape is not None else tuple(max(p.offset[a] + p.shape[a] for p in parts)
                                                            for a in range(3))
        size = tuple(b - a for a, b in zip(start, stop))
        with_trend = {p.trend is not None for p in parts}
        if len(with_trend) > 1 or any(p.transform != parts[0].transform for p in parts):
            raise StatsError("GaussianQuantiles.combine: parts differ in transform or trend")
        mean, std = np.empty(size), np.empty(size)
        trend = np.empty(size) if True in with_trend else None
        covered = np.zeros(size, dtype=np.uint8)
        for p in parts:
            box = tuple(slice(o - s, o - s + n) for o, s, n in zip(p.offset, start, p.shape))
            if any(b.start < 0 or b.stop > n for b, n in zip(box, size)):
                raise StatsError(f"GaussianQuantiles.combine: part at {p.offset} {p.shape} outside the "
                                    f"box {start}..{stop}")
            covered[box] += 1
            mean[box], std[box] = p.mean, p.std
            if trend is not None:
                trend[box] = p.trend
        if covered.max() > 1:
            raise StatsError("GaussianQuantiles.combine: parts overlap")
        if covered.min() < 1:
            raise StatsError(f"GaussianQuantiles.combine: {int(np.sum(covered == 0))} cell(s) of the box "
                                "are not covered by any part")
        return cls(mean, std, parts[0].transform, trend, start)

    # ------------------------------------------------------------------ distributions
    def quantile(self, p, out=None) -> np.ndarray:
        """Per-cell quantile of probability ``p`` (in (0, 1)), property units.

        Parameters
        ----------
        p : float
            Probability, ``0 < p < 1``.
        out : float64 array of the box shape, optional
            Where to write the result.

        Returns
        -------
        float64 array, shape of the box
        """
        p = float(p)
        if not 0.0 < p < 1.0:
            raise StatsError(f"GaussianQuantiles.quantile: p must be in (0, 1), got {p!r}")
        out = np.multiply(self.std, special.ndtri(p), out=out)
        out += self.mean
        inside = getattr(self.transform, "trend_inside", False)
        if self.trend is not None and inside:             # log10: 10 ** (trend + m + s z)
            out += self.trend
        if self.transform is not None:
            self.transform.back_transform(out, out=out)
        if self.trend is not None and not inside:         # normal scores: trend + phi(m + s z)
            out += self.trend
        return out

    def exceedance(self, cutoff, out=None) -> np.ndarray:
        """Per-cell probability that the property exceeds ``cutoff`` (strictly).

        Returns
        -------
        float64 array, shape of the box
            ``Phi((mean - y*) / std)``; at cells with ``std == 0`` it is 1 if the value exceeds the cutoff
            and 0 otherwise.
        """
        cutoff = float(cutoff)
        if not np.isfinite(cutoff):
            raise StatsError(f"GaussianQuantiles.exceedance: cutoff must be finite, got {cutoff!r}")
        if self.trend is None:
            threshold = np.full(self.shape, score_threshold(self.transform, cutoff))
            np.subtract(self.mean, threshold, out=threshold)      # > 0: the mean exceeds
        elif getattr(self.transform, "trend_inside", False):      # log10: P(trend + Y > log10 c)
            threshold = np.subtract(self.mean, score_threshold(self.transform, cutoff) - self.trend)
        else:                                                     # the trend may be one value per layer
            threshold = np.subtract(self.mean, score_threshold(self.transform, cutoff - self.trend))
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(threshold, self.std, out=threshold)
        np.nan_to_num(threshold, copy=False, nan=-np.inf)          # 0 / 0: equal, not exceeding
        return special.ndtr(threshold, out=out)

    def output_arrays(self, quantiles=(), cutoffs=()) -> dict:
        """``p<q>`` (``q`` in percent) and ``prob_gt_<cutoff>`` arrays, named as the histogram outputs.

        Examples
        --------
        >>> import numpy as np
        >>> g = GaussianQuantiles(np.zeros((1, 1, 2)), np.ones((1, 1, 2)))
        >>> sorted(g.output_arrays([10, 90], [0.0]))
        ['p10', 'p90', 'prob_gt_0']
        """
        from krigflow.stats.running import cutoff_name, quantile_name

        out = {quantile_name(q): self.quantile(float(q) / 100.0) for q in quantiles}
        out.update({cutoff_name(c): self.exceedance(c) for c in cutoffs})
        return out


def _broadcast_box(array, box):
    """``box`` for an array broadcast along its length-1 axes (those axes are taken whole)."""
    return tuple(slice(None) if n == 1 else b for n, b in zip(array.shape, box))


def score_threshold(transform, value) -> np.ndarray:
    """Largest normal score whose back-transform is ``<= value``: ``sup {y : phi(y) <= value}``.

    ``-inf`` when every back-transformed value exceeds ``value`` (below the lower tail bound: ``zmin``
    for linear tails, the smallest datum for clipped tails), ``+inf`` when none does (``value`` at or
    above ``zmax`` / the largest datum). Without a transform ``phi`` is the identity; with a
    :class:`krigflow.realizations.LogTransform` it is ``log10(value)`` (``-inf`` for ``value <= 0``).

    Examples
    --------
    >>> from krigflow.realizations import NormalScore
    >>> ns = NormalScore.fit([1.0, 2.0, 3.0, 4.0], tails="clip")
    >>> score_threshold(ns, [0.5, 1.0, 2.5, 4.0]).round(4).tolist()
    [-inf, -1.1503, 0.0, inf]
    """
    value = np.asarray(value, dtype=np.float64)
    if transform is None:
        return value.copy()
    y = np.asarray(transform.transform(value), dtype=np.float64)
    if not hasattr(transform, "tails"):    # a log transform: unbounded above, every value > 0 exceeds c <= 0
        return np.where(value > 0, y, -np.inf)
    v = transform.values
    if transform.tails == "linear":
        low, high = value <= transform.zmin, value >= transform.zmax
    elif transform.tails == "clip":
        low, high = value < v[0], value >= v[-1]
    else:                               # extrapolate: unbounded and strictly increasing (one value: a step)
        low = high = np.zeros(value.shape, dtype=bool)
        if v.size == 1:
            low, high = value < v[0], value >= v[0]
    y = np.where(low, -np.inf, y)
    return np.where(high, np.inf, y)

def conditional_gaussian(grid, variogram, data, *, transform=None, mean=0.0, trend=None, box=None,
                         max_data=None, method="auto", threads=1, well_effect=0.0, values=None) -> GaussianQuantiles:
    """Exact per-cell conditional distributions of the ``conditional`` method over a box of the grid.

    Parameters
    ----------
    grid : krigflow.grid.Grid
    variogram : krigflow.variogram.Variogram
        Covariance of the simulated variable (of the normal scores, sill 1, with a transform).
    data : krigflow.grid.ConditioningData
        Conditioning data in property units (minus the trend at the data, if a trend is used).
    transform : krigflow.realizations.NormalScore, optional
        Normal-score transform (as given to ``conditional_realizations``).
    mean : float, default 0
        Simple-kriging mean of the simulated variable.
    trend : float64 array, shape of the grid or broadcastable to it (e.g. ``(1, 1, nz)``), optional
        Trend added back after the back-transform.
    box, max_data, method, threads, well_effect
        As :func:`sk_moments` (``well_effect``: sigma_w**2 in the units of ``variogram``).
    values : array, shape (n,), optional
        The data as the simulated variable (default ``transform.transform(data.values)``): a log10 run's
        data are log10 residuals already, and ``transform`` (its ``LogTransform``) only maps quantiles back,
        after the trend (``trend_inside``).

    Returns
    -------
    GaussianQuantiles
    """
    box = _box_of(grid, box)
    if values is not None:
        values = np.asarray(values, dtype=np.float64)
    else:
        values = np.asarray(data.values, dtype=np.float64)
        if transform is not None:
            values = transform.transform(values)
    m, s = sk_moments(grid, variogram, data, values=values, mean=mean, box=box, max_data=max_data,
                      method=method, threads=threads, well_effect=well_effect)
    part_trend = None
    if trend is not None:
        trend = np.asarray(trend, dtype=np.float64)
        part_trend = trend[_broadcast_box(trend, box)]
    return GaussianQuantiles(m, s, transform, part_trend, tuple(b.start for b in box))

def exact_outputs(grid, variogram, data, *, transform=None, mean=0.0, quantiles=(), cutoffs=(), max_data="auto",
                  dtype=np.float64, method="auto", threads=None, trend=None, well_effect=0.0, values=None) -> dict:
    """Output arrays ``p<q>`` and ``prob_gt_<cutoff>`` of the ``conditional`` method from the exact shortcut.

    Parameters
    ----------
    grid, variogram, data, transform, mean, trend, well_effect, values
        As :func:`conditional_gaussian`: the run's residual data, transform, depth trend (``(1, 1, nz)``),
        well-effect variance and (log10 runs) the simulated values.
    quantiles : sequence of float
        Quantiles in percent.
    cutoffs : sequence of float
        Cutoffs (property units).
    max_data : "auto", None or int
        ``"auto"``: :func:`default_max_data`.
    dtype : numpy dtype, default float64
        dtype of the returned arrays (float32 halves the output memory at field scale).
    threads : int, optional
        Threads of the neighbourhood variance (default: the cores this process may use; at the end of a
        run the krigers are done).

    Returns
    -------
    dict of str to array
        Named as :meth:`krigflow.stats.RunningStats.output_arrays` names them.
    """
    if max_data == "auto":
        max_data = default_max_data(grid.n_cells, np.asarray(data.values).shape[0])
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    g = conditional_gaussian(grid, variogram, data, transform=transform, mean=mean, max_data=max_data,
                             method=method, threads=threads, trend=trend, well_effect=well_effect,
                             values=values)
    from krigflow.stats.running import cutoff_name, quantile_name

    out = {}                        # one float64 temporary at a time
    for q in quantiles:
        out[quantile_name(q)] = g.quantile(float(q) / 100.0).astype(dtype, copy=False)
    for c in cutoffs:
        out[cutoff_name(c)] = g.exceedance(c).astype(dtype, copy=False)
    return out
