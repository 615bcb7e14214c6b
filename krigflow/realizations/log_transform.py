"""Logarithmic transform for positive, skewed properties (permeability), beside the normal score.

Permeability spans decades and is close to log-normal: geomodellers simulate ``log10(k)`` with a Gaussian
method and take ``10 ** y`` back. :class:`LogTransform` has the interface of
:class:`krigflow.realizations.transform.NormalScore` (``fit``, ``transform``, ``back_transform``,
``value_range``, ``describe``), so the conditional method uses either (``method: {transform: log10}``).

Conventions
-----------
* ``transform(z) = log_b(z)`` and ``back_transform(y) = b ** y`` with ``b = base`` (10 by default);
  exact inverses of each other for ``z > 0``.
* The variogram of the run is then the variogram of ``log_b`` of the property (given, or fitted to the
  log values with ``variogram: auto``), and the simulation mean is the mean of the log data.
* Data must be strictly positive: :meth:`LogTransform.fit` refuses zeros and negative values, naming how
  many there are and the smallest one (clip or shift them knowingly before modelling).
* Back-transformed realizations are log-normal around the data: their median, not their mean, follows
  ``b ** (kriged log)``; the per-cell statistics of the run are computed on back-transformed values.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow.exceptions import TransformError

logger = logging.getLogger(__name__)

__all__ = ["LogTransform", "fit_transform"]


@dataclass(frozen=True)
class LogTransform:
    """A logarithmic transform fitted to (strictly positive) data.

    Build it with :meth:`fit`. Picklable and tiny (a few floats).

    Parameters
    ----------
    base : float, default 10
        Logarithm base (> 1).
    log_mean, log_std : float
        Mean and standard deviation of ``log_base`` of the data (the simulation mean, and the scale of
        :meth:`value_range`).
    data_min, data_max : float
        Range of the data (> 0).
    n_values : int
        Number of data.

    Examples
    --------
    >>> t = LogTransform.fit([1.0, 10.0, 100.0, 1000.0])
    >>> t.transform([1.0, 10.0, 1000.0]).tolist()
    [0.0, 1.0, 3.0]
    >>> t.back_transform(t.transform([0.5, 250.0])).round(12).tolist()
    [0.5, 250.0]
    >>> t.log_mean
    1.5
    """

    #: a trend (in log units) is added before the back-transform: ``10 ** (trend + y)`` (see
    #: :class:`krigflow.stats.gaussian.GaussianQuantiles`); a normal-score trend is added after it.
    trend_inside = True

    base: float = 10.0
    log_mean: float = 0.0
    log_std: float = 1.0
    data_min: float = 1.0
    data_max: float = 1.0
    n_values: int = 1

    def __post_init__(self):
        base = float(self.base)
        if not (np.isfinite(base) and base > 1.0):
            raise TransformError(f"LogTransform: base must be a finite number > 1, got {self.base!r}")
        object.__setattr__(self, "base", base)
        for name in ("log_mean", "log_std", "data_min", "data_max"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "n_values", int(self.n_values))

    @classmethod
    def fit(cls, data, *, base=10.0) -> LogTransform:
        """Fit the transform to data (their log mean and spread).

        Parameters
        ----------
        data : array_like, shape (n,)
            Data values, finite and > 0.
        base : float, default 10
            Logarithm base.

        Returns
        -------
        LogTransform

        Raises
        ------
        TransformError
            No data, non-finite data, or data <= 0 (the message gives their number and the smallest).
        """
        cls(base=base)  # checks the base before any logarithm
        data = np.asarray(data, dtype=np.float64).ravel()
        if data.size == 0 or not np.all(np.isfinite(data)):
            raise TransformError(f"log transform: need at least one datum, all finite (got {data.size})")
        bad = data <= 0
        if np.any(bad):
            raise TransformError(f"log transform: {int(bad.sum())} of {data.size} data are <= 0 (smallest "
                                f"{data.min():g}); a logarithm needs positive values")
        logs = np.log(data) / np.log(float(base))
        return cls(base=base, log_mean=float(np.mean(logs)), log_std=float(np.std(logs)),
                   data_min=float(data.min()), data_max=float(data.max()), n_values=data.size)

    def transform(self, z) -> np.ndarray:
        """Map property values to ``log_base(z)`` (NaN stays NaN; ``z <= 0`` gives NaN, -inf at 0).

        Parameters
        ----------
        z : array_like
            Property values (any shape).

        Returns
        -------
        float64 array, same shape
        """
        z = np.asarray(z, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.base == 10.0:
                return np.log10(z)
            return np.log(z) / np.log(self.base)

    def back_transform(self, y, out=None) -> np.ndarray:
        """Map log values back to property values, ``base ** y``.

        Parameters
        ----------
        y : array_like
            Log values (any shape; NaN stays NaN).
        out : float64 array, optional
            Array to write the result into (may be ``y`` itself, to save memory).

        Returns
        -------
        float64 array, same shape
        """
        y = np.asarray(y, dtype=np.float64)
        if out is None:
            return np.power(self.base, y)
        np.power(self.base, y, out=out)
        return out

    def value_range(self, y_limit=5.0, std=None) -> tuple[float, float]:
        """Range of back-transformed values within ``y_limit`` standard deviations of the log mean (and the data).

        Parameters
        ----------
        y_limit : float, default 5
            Number of standard deviations.
        std : float, optional
            Standard deviation of the simulated log values (e.g. the square root of the variogram sill);
            default the spread of the log data.

        Returns
        -------
        tuple of float
            ``(low, high)``, both > 0.
        """
        std = self.log_std if std is None else float(std)
        low = self.base ** (self.log_mean - float(y_limit) * std)
        high = self.base ** (self.log_mean + float(y_limit) * std)
        return float(min(low, self.data_min)), float(max(high, self.data_max))

    def describe(self) -> dict:
        """JSON-ready summary: kind, base, data range and log mean and spread."""
        return {"kind": f"log{self.base:g}", "base": self.base, "n_values": self.n_values,
                "data_min": self.data_min, "data_max": self.data_max, "log_mean": self.log_mean,
                "log_std": self.log_std}


def fit_transform(method, values):
    """The transform of a ``conditional`` run, fitted to its conditioning data (None without one).

    Parameters
    ----------
    method : dict
        Validated ``method`` section (``transform``: ``normal_score``, ``log10`` or ``none``; ``tails``,
        ``zmin``, ``zmax`` for the normal score).
    values : array_like, shape (n,)
        Conditioning data (property units).

    Returns
    -------
    NormalScore, LogTransform or None

    Examples
    --------
    >>> fit_transform({"name": "conditional", "transform": "log10"}, [1.0, 100.0]).log_mean
    1.0
    >>> fit_transform({"name": "subsample"}, [1.0]) is None
    True
    """
    from krigflow.realizations.transform import NormalScore

    if method.get("name") != "conditional":
        return None
    kind = method.get("transform", "none")
    if kind == "normal_score":
        return NormalScore.fit(values, tails=method.get("tails", "linear"), zmin=method.get("zmin"),
                               zmax=method.get("zmax"))
    if kind == "log10":
        return LogTransform.fit(values, base=10.0)
    return None
