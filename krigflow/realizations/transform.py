"""Normal-score transform and back-transform, with explicit tail rules.

Gaussian simulation needs Gaussian data; gamma ray, porosity and density rarely are. The normal-score
transform maps each datum to the standard normal quantile of its (weighted) rank; simulation happens in
that space (mean 0, unit variance) and every simulated value is mapped back through the same table.

Conventions (GSLIB ``nscore``/``backtr``)
-----------------------------------------
* Table: the distinct data values ``z_1 < ... < z_m``; value ``z_i`` gets the cumulative probability
  ``p_i`` at the middle of its (weighted) probability mass, ``p_i = (W_{<i} + w_i / 2) / W`` (``W`` the
  total weight; ties share one entry), and the score ``y_i = Phi^-1(p_i)``. With equal weights the
  scores of ``n`` distinct data are ``Phi^-1((i - 1/2) / n)``.
* Between table entries, both directions interpolate linearly (``z`` against ``y``).
* Beyond the table (``y < y_1`` or ``y > y_m``), the ``tails`` rule:

  ``"linear"`` (default, GSLIB ``ltail = utail = 1``)
      linear in the cumulative probability between the extreme datum and a bound: below,
      ``z = zmin + (z_1 - zmin) * Phi(y) / p_1``; above, ``z = z_m + (zmax - z_m) * (Phi(y) - p_m) /
      (1 - p_m)``. Back-transformed values stay in ``[zmin, zmax]``.
  ``"clip"``
      the extreme datum (no value beyond the data).
  ``"extrapolate"``
      linear extrapolation of the two extreme table entries (unbounded; for properties without
      physical bounds).

  ``zmin``/``zmax`` default to the data range widened by 10 % on each side.
* Declustering: pass ``weights`` (e.g. cell-declustering weights) to :meth:`NormalScore.fit`; krigflow's
  workflow uses equal weights.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import special

from krigflow._validate import check_choice
from krigflow.exceptions import TransformError

logger = logging.getLogger(__name__)

__all__ = ["TAILS", "TRANSFORMS", "NormalScore"]

#: Transforms of the conditional method (``method.transform``): normal scores, or none.
#: (``log10``, a transform of the property applied before the trend, is added by the run configuration:
#: :mod:`krigflow.run.log_space`.)
TRANSFORMS = ("normal_score", "none")
#: Accepted tail rules.
TAILS = ("linear", "clip", "extrapolate")

#: Fraction of the data range added on each side for the default tail bounds.
DEFAULT_TAIL_MARGIN = 0.1


def _norm_cdf(y):
    return special.ndtr(y)


def _norm_ppf(p):
    return special.ndtri(p)


@dataclass(frozen=True)
class NormalScore:
    """A fitted normal-score transform table.

    Build it with :meth:`fit`. Picklable and small (two arrays of the distinct data values).

    Parameters
    ----------
    values : array, shape (m,)
        Distinct data values, increasing.
    probabilities : array, shape (m,)
        Cumulative probability of each value (middle of its probability mass), increasing in (0, 1).
    tails : {"linear", "clip", "extrapolate"}
        Rule beyond the table (see the module docstring).
    zmin, zmax : float
        Bounds of the ``"linear"`` tails (``zmin <= values[0]``, ``zmax >= values[-1]``).

    Examples
    --------
    >>> ns = NormalScore.fit([3.0, 1.0, 2.0, 10.0])
    >>> ns.scores.round(3).tolist()
    [-1.15, -0.319, 0.319, 1.15]
    >>> ns.back_transform(ns.transform([1.0, 2.5, 10.0])).tolist()
    [1.0, 2.5, 10.0]
    """

    values: np.ndarray
    probabilities: np.ndarray
    tails: str = "linear"
    zmin: float = -np.inf
    zmax: float = np.inf

    def __post_init__(self):
        values = np.asarray(self.values, dtype=np.float64)
        probs = np.asarray(self.probabilities, dtype=np.float64)
        if values.ndim != 1 or values.size < 1 or values.shape != probs.shape:
            raise TransformError("NormalScore: values and probabilities must be 1-D arrays of one length >= 1")
        if np.any(np.diff(values) <= 0) or np.any(np.diff(probs) <= 0) or probs[0] <= 0 or probs[-1] >= 1:
            raise TransformError("NormalScore: values and probabilities must increase, probabilities in (0, 1)")
        check_choice(self.tails, "tails", TAILS, error=TransformError, prefix="NormalScore: ")
        zmin, zmax = float(self.zmin), float(self.zmax)
        if self.tails == "linear" and not (np.isfinite(zmin) and np.isfinite(zmax)):
            raise TransformError("NormalScore: 'linear' tails need finite zmin and zmax")
        if zmin > values[0] or zmax < values[-1]:
            raise TransformError(f"NormalScore: zmin ({zmin:g}) and zmax ({zmax:g}) must bracket the data "
                                f"[{values[0]:g}, {values[-1]:g}]")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "probabilities", probs)
        object.__setattr__(self, "zmin", zmin)
        object.__setattr__(self, "zmax", zmax)

    # ------------------------------------------------------------------ construction
    @classmethod
    def fit(cls, data, weights=None, *, tails="linear", zmin=None, zmax=None) -> NormalScore:
        """Build the transform table of ``data``.

        Parameters
        ----------
        data : array_like, shape (n,)
            Data values (finite).
        weights : array_like, shape (n,), optional
            Declustering weights (> 0); equal weights by default.
        tails : {"linear", "clip", "extrapolate"}, default "linear"
            Rule beyond the data.
        zmin, zmax : float, optional
            Bounds of the linear tails; default: the data range widened by 10 % on each side (by 1 if
            all data are equal).

        Returns
        -------
        NormalScore

        Raises
        ------
        TransformError
            No data, non-finite data or weights, weights <= 0, or bounds inside the data range.
        """
        data = np.asarray(data, dtype=np.float64).ravel()
        if data.size == 0 or not np.all(np.isfinite(data)):
            raise TransformError(f"NormalScore.fit: need at least one datum, all finite (got {data.size})")
        if weights is None:
            weights = np.ones_like(data)
        weights = np.asarray(weights, dtype=np.float64).ravel()
        if weights.shape != data.shape or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise TransformError("NormalScore.fit: weights must be finite, > 0, one per datum")
        values, inverse = np.unique(data, return_inverse=True)
        mass = np.bincount(inverse, weights=weights, minlength=values.size)
        total = mass.sum()
        probabilities = (np.cumsum(mass) - 0.5 * mass) / total
        spread = values[-1] - values[0]
        margin = DEFAULT_TAIL_MARGIN * spread if spread > 0 else 1.0
        zmin = values[0] - margin if zmin is None else float(zmin)
        zmax = values[-1] + margin if zmax is None else float(zmax)
        return cls(values, probabilities, tails=tails, zmin=zmin, zmax=zmax)

    @property
    def scores(self) -> np.ndarray:
        """array, shape (m,): normal score of each table value."""
        return _norm_ppf(self.probabilities)

    # ------------------------------------------------------------------ mapping
    def transform(self, z) -> np.ndarray:
        """Map property values to normal scores (inverse of :meth:`back_transform` inside its range).

        Parameters
        ----------
        z : array_like
            Property values (any shape; NaN stays NaN).

        Returns
        -------
        float64 array, same shape
            Normal scores. Values beyond the data follow the tail rule (``"clip"`` maps them to the
            extreme scores); with ``"linear"`` tails, values beyond ``zmin``/``zmax`` get the score of
            the bound (about ``-inf``/``+inf`` is avoided by clipping the probability to
            ``[1e-12, 1 - 1e-12]``).
        """
        z = np.asarray(z, dtype=np.float64)
        y = np.interp(z, self.values, self.scores)
        v, p, s = self.values, self.probabilities, self.scores
        low, high = z < v[0], z > v[-1]
        if self.tails == "linear":
            with np.errstate(invalid="ignore", divide="ignore"):
                p_low = p[0] * (z - self.zmin) / (v[0] - self.zmin) if v[0] > self.zmin else np.zeros_like(z)
                p_high = p[-1] + (1 - p[-1]) * (z - v[-1]) / (self.zmax - v[-1]) if self.zmax > v[-1] \
                    else np.ones_like(z)
            y = np.where(low, _norm_ppf(np.clip(p_low, 1e-12, p[0])), y)
            y = np.where(high, _norm_ppf(np.clip(p_high, p[-1], 1 - 1e-12)), y)
        elif self.tails == "extrapolate" and v.size > 1:
            y = np.where(low, s[0] + (z - v[0]) * (s[1] - s[0]) / (v[1] - v[0]), y)
            y = np.where(high, s[-1] + (z - v[-1]) * (s[-1] - s[-2]) / (v[-1] - v[-2]), y)
        return np.where(np.isnan(z), np.nan, y)

    def back_transform(self, y, out=None) -> np.ndarray:
        """Map normal scores back to property values.

        Parameters
        ----------
        y : array_like
            Normal scores (any shape; NaN stays NaN).
        out : float64 array, optional
            Array to write the result into (may be ``y`` itself, to save memory).

        Returns
        -------
        float64 array, same shape
            Property values: linear interpolation in the table, tails by the tail rule.
        """
        y = np.asarray(y, dtype=np.float64)
        v, p, s = self.values, self.probabilities, self.scores
        low, high = y < s[0], y > s[-1]
        z = np.array(np.interp(y, s, v), dtype=np.float64)   # clip tails: the extreme data
        if self.tails == "linear":
            if np.any(low):
                z[low] = self.zmin + (v[0] - self.zmin) * _norm_cdf(y[low]) / p[0]
            if np.any(high):
                z[high] = v[-1] + (self.zmax - v[-1]) * (_norm_cdf(y[high]) - p[-1]) / (1 - p[-1])
        elif self.tails == "extrapolate" and v.size > 1:
            if np.any(low):
                z[low] = v[0] + (y[low] - s[0]) * (v[1] - v[0]) / (s[1] - s[0])
            if np.any(high):
                z[high] = v[-1] + (y[high] - s[-1]) * (v[-1] - v[-2]) / (s[-1] - s[-2])
        if out is None:
            return z
        out[...] = z
        return out

    def value_range(self, y_limit=5.0) -> tuple[float, float]:
        """Range of back-transformed values for scores in ``[-y_limit, y_limit]`` (and the data).

        With ``"linear"`` tails this is ``(zmin, zmax)``; with ``"clip"`` the data range.
        """
        if self.tails == "linear":
            return self.zmin, self.zmax
        ends = self.back_transform(np.array([-float(y_limit), float(y_limit)]))
        return float(min(ends[0], self.values[0])), float(max(ends[1], self.values[-1]))

    def describe(self) -> dict:
        """JSON-ready summary: number of table entries, data range, tails and bounds."""
        return {"n_values": int(self.values.size), "data_min": float(self.values[0]),
                "data_max": float(self.values[-1]), "tails": self.tails, "zmin": self.zmin, "zmax": self.zmax}
