"""Depth trends: fit a trend in TVDSS to upscaled well data, remove it, and add it back.

Real logs change with depth (compaction, lithology): ``z(x) = m(tvdss) + r(x)``. krigflow estimates the trend
``m`` from the upscaled training data, models the residual ``r`` (variography, normal-score transform,
kriging, simulation) and adds ``m`` back to every estimate, realization and quantile.

Kinds
-----
``"none"``
    ``m = 0``: the residual is the data (the run models the data themselves).
``"moving_average"``
    ``m(t)`` is a moving average of width ``window`` (m) in TVDSS, tabulated at knots every ``step`` m
    and interpolated linearly between them (constant beyond the first and last knot). **Robust to uneven
    well coverage**: at each knot every well with data inside the window gives *its own* mean there, and the
    trend is the mean of those well means, so a well logged over a short interval, or densely, weighs no
    more than any other well at that depth.
``"polynomial"``
    A polynomial of ``degree`` d in TVDSS, fitted by least squares with every well given the same total
    weight (each datum weighs ``1 / n_data_of_its_well``).
``"auto"`` (see :func:`choose_trend`)
    A moving average when the data have a depth trend, else none; the choice and its reason are
    recorded in :meth:`Trend.describe`.

Restoration is exact by construction: :meth:`Trend.restore` adds back the very values :meth:`Trend.remove`
subtracted, so ``restore(t, remove(t, z)) == z`` to the last bit or two of floating point.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from krigflow.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["TREND_KINDS", "Trend", "choose_trend", "default_window", "fit_trend", "trend_options", "well_means"]

#: Trend kinds accepted by :func:`fit_trend` (``"auto"`` is resolved by :func:`choose_trend`).
TREND_KINDS = ("auto", "none", "moving_average", "polynomial")


@dataclass(frozen=True)
class Trend:
    """A trend in TVDSS (see the module docstring).

    Parameters
    ----------
    kind : {"none", "moving_average", "polynomial"}
        Trend family.
    knots : array, shape (k,)
        ``moving_average``: TVDSS of the knots (m, increasing); else empty.
    values : array, shape (k,)
        ``moving_average``: the trend at the knots; ``polynomial``: the coefficients in the scaled depth
        ``u = (tvdss - centre) / scale``, highest degree first (``numpy.polyval`` order); else empty.
    centre, scale : float
        Depth scaling of the polynomial (m).
    window : float or None
        Moving-average window (m).
    degree : int or None
        Polynomial degree.
    reason : str
        Why this trend (``auto``) or "configured".

    Examples
    --------
    >>> t = Trend("polynomial", values=np.array([2.0, 1.0]), centre=0.0, scale=1.0, degree=1)
    >>> t.evaluate([0.0, 1.0]).tolist()
    [1.0, 3.0]
    >>> Trend("none").evaluate([5.0]).tolist()
    [0.0]
    """

    kind: str
    knots: np.ndarray = field(default_factory=lambda: np.zeros(0))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    centre: float = 0.0
    scale: float = 1.0
    window: float | None = None
    degree: int | None = None
    reason: str = "configured"

    def __post_init__(self):
        if self.kind not in TREND_KINDS[1:]:
            raise ConfigError(f"trend kind must be one of {TREND_KINDS[1:]}, got {self.kind!r}")
        object.__setattr__(self, "knots", np.asarray(self.knots, dtype=float))
        object.__setattr__(self, "values", np.asarray(self.values, dtype=float))
        if self.kind == "moving_average" and (self.knots.size == 0 or self.knots.shape != self.values.shape):
            raise ConfigError("moving-average trend: knots and values must be non-empty and of one length")

    def evaluate(self, tvdss) -> np.ndarray:
        """The trend at depths ``tvdss`` (any shape; m).

        Parameters
        ----------
        tvdss : array_like
            Depths below sea level (m).

        Returns
        -------
        array
            ``m(tvdss)``, the shape of ``tvdss``.
        """
        t = np.asarray(tvdss, dtype=float)
        if self.kind == "none":
            return np.zeros(t.shape)
        if self.kind == "moving_average":
            return np.interp(t, self.knots, self.values)
        return np.polyval(self.values, (t - self.centre) / self.scale)

    def remove(self, tvdss, values) -> np.ndarray:
        """Residuals ``values - m(tvdss)``.

        Examples
        --------
        >>> tr = Trend("moving_average", knots=[0.0, 10.0], values=[1.0, 2.0])
        >>> tr.remove([0.0, 5.0], [1.0, 1.0]).tolist()
        [0.0, -0.5]
        """
        return np.asarray(values, dtype=float) - self.evaluate(tvdss)

    def restore(self, tvdss, residuals) -> np.ndarray:
        """Values ``residuals + m(tvdss)``; ``residuals`` may have extra leading axes (realizations).

        Parameters
        ----------
        tvdss : array_like, shape (..., nz) or broadcastable to ``residuals``
            Depths (m).
        residuals : array_like
            Residuals (e.g. realizations of shape (R, nx, ny, nz) with ``tvdss`` of shape (nz,)).

        Returns
        -------
        array
            The broadcast shape.

        Examples
        --------
        >>> tr = Trend("moving_average", knots=[0.0, 10.0], values=[1.0, 2.0])
        >>> z = np.array([3.0, -1.0])
        >>> bool(np.all(tr.restore([2.0, 7.0], tr.remove([2.0, 7.0], z)) == z))
        True
        """
        return np.asarray(residuals, dtype=float) + self.evaluate(tvdss)

    def describe(self) -> dict:
        """JSON-ready record (for ``summary.json``)."""
        out = {"kind": self.kind, "reason": self.reason}
        if self.kind == "moving_average":
            out.update(window=self.window, knots=self.knots.tolist(), values=self.values.tolist())
        elif self.kind == "polynomial":
            out.update(degree=self.degree, centre=self.centre, scale=self.scale, coefficients=self.values.tolist())
        return out

    @classmethod
    def from_record(cls, record) -> Trend:
        """Rebuild a trend from :meth:`describe`'s record."""
        kind = record["kind"]
        if kind == "moving_average":
            return cls(kind, knots=record["knots"], values=record["values"], window=record.get("window"),
                       reason=record.get("reason", "configured"))
        if kind == "polynomial":
            return cls(kind, values=record["coefficients"], centre=record["centre"], scale=record["scale"],
                       degree=record.get("degree"), reason=record.get("reason", "configured"))
        return cls("none", reason=record.get("reason", "configured"))


def _check_arrays(tvdss, values, well):
    t = np.asarray(tvdss, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    w = np.zeros(t.size, dtype=np.int64) if well is None else np.asarray(well).ravel()
    if not (t.size == v.size == w.size):
        raise ConfigError(f"trend: tvdss, values and well must have one length, got {t.size}, {v.size}, {w.size}")
    ok = np.isfinite(t) & np.isfinite(v)
    if not np.any(ok):
        raise ConfigError("trend: no finite datum to fit a trend to")
    return t[ok], v[ok], w[ok]


def well_means(values, well) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean value and number of data of each well.

    Parameters
    ----------
    values : array, shape (n,)
    well : array, shape (n,)
        Well label of each datum.

    Returns
    -------
    labels, means, counts : arrays, shape (n_wells,)

    Examples
    --------
    >>> labels, means, counts = well_means([1.0, 3.0, 10.0], [0, 0, 1])
    >>> means.tolist(), counts.tolist()
    ([2.0, 10.0], [2, 1])
    """
    labels, inverse, counts = np.unique(np.asarray(well), return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=np.asarray(values, dtype=float), minlength=labels.size)
    return labels, sums / counts, counts


def default_window(tvdss, spacing_z=None) -> float:
    """Default moving-average window (m): a tenth of the data's depth extent, between 5 cells and 400 m.

    The window must be long against the vertical correlation (else the trend follows the layers and
    leaves no residual to model) and short against the extent (else it misses the trend's curvature).
    On the Poseidon wells (3600 m of GR) this gives 360 m; windows of 200-400 m gave the best
    cross-validation there.

    Examples
    --------
    >>> default_window([1000.0, 4600.0], 20.0)
    360.0
    >>> default_window([1000.0, 1200.0], 5.0)
    25.0
    """
    t = np.asarray(tvdss, dtype=float)
    extent = float(np.nanmax(t) - np.nanmin(t))
    low = 5.0 * float(spacing_z) if spacing_z else 0.0
    return float(max(min(0.1 * extent, 400.0), low, 1e-9))


def _moving_average(t, v, w, window, step):
    """Knots and per-well-first moving average of the data."""
    half = 0.5 * window
    step = float(step) if step else window / 10.0
    knots = np.arange(t.min(), t.max() + 0.5 * step, step)
    if knots[-1] < t.max():
        knots = np.append(knots, t.max())
    labels = np.unique(w)
    sums = np.zeros((labels.size, knots.size))
    counts = np.zeros((labels.size, knots.size))
    for i, label in enumerate(labels):
        sel = w == label
        tw, vw = t[sel], v[sel]
        order = np.argsort(tw, kind="stable")
        tw, vw = tw[order], vw[order]
        csum = np.concatenate([[0.0], np.cumsum(vw)])
        lo = np.searchsorted(tw, knots - half, side="left")
        hi = np.searchsorted(tw, knots + half, side="right")
        sums[i] = csum[hi] - csum[lo]
        counts[i] = hi - lo
    has = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        per_well = np.where(has, sums / np.where(has, counts, 1.0), 0.0)
    n_wells = has.sum(axis=0)
    values = np.where(n_wells > 0, per_well.sum(axis=0) / np.maximum(n_wells, 1), np.nan)
    good = np.isfinite(values)
    values = np.interp(knots, knots[good], values[good])   # gaps wider than the window: interpolate
    return knots, values


def _polynomial(t, v, w, degree):
    """Least-squares polynomial with equal total weight per well; coefficients in scaled depth."""
    degree = int(degree)
    _, inverse, counts = np.unique(w, return_inverse=True, return_counts=True)
    weight = 1.0 / counts[inverse]
    centre = 0.5 * (t.min() + t.max())
    scale = max(0.5 * (t.max() - t.min()), 1e-9)
    u = (t - centre) / scale
    if np.unique(t).size <= degree:
        raise ConfigError(f"polynomial trend of degree {degree} needs more than {degree} distinct depths, "
                          f"got {np.unique(t).size}")
    coef = np.polyfit(u, v, degree, w=np.sqrt(weight))
    return coef, centre, scale


def fit_trend(tvdss, values, well=None, *, kind="moving_average", window=None, degree=2, step=None,
              spacing_z=None, reason="configured") -> Trend:
    """Fit a trend in TVDSS to (upscaled) well data.

    Parameters
    ----------
    tvdss, values : array, shape (n,)
        Depth (m) and value of each datum (non-finite data are ignored).
    well : array, shape (n,), optional
        Well label of each datum (one well if None).
    kind : {"none", "moving_average", "polynomial", "auto"}, default "moving_average"
        Trend family; ``"auto"`` calls :func:`choose_trend`.
    window : float, optional
        Moving-average width (m); default :func:`default_window`.
    degree : int, default 2
        Polynomial degree.
    step : float, optional
        Distance between the moving average's knots (m); default ``window / 10``.
    spacing_z : float, optional
        Cell height (m), for the default window.
    reason : str, default "configured"
        Recorded in :meth:`Trend.describe`.

    Returns
    -------
    Trend

    Raises
    ------
    krigflow.exceptions.ConfigError
        Unknown kind, a window <= 0, a negative degree, or no finite datum.

    Examples
    --------
    A pure linear trend is recovered exactly by a degree-1 polynomial:

    >>> t = np.linspace(1000.0, 2000.0, 11)
    >>> tr = fit_trend(t, 0.05 * t + 3.0, kind="polynomial", degree=1)
    >>> bool(np.allclose(tr.remove(t, 0.05 * t + 3.0), 0.0, atol=1e-9))
    True
    >>> ma = fit_trend(t, np.full(11, 7.0), np.repeat([0, 1], [5, 6]), kind="moving_average", window=300.0)
    >>> ma.evaluate([0.0, 1500.0, 9000.0]).tolist()
    [7.0, 7.0, 7.0]
    """
    if kind not in TREND_KINDS:
        raise ConfigError(f"trend.kind must be one of {TREND_KINDS}, got {kind!r}")
    if kind == "auto":
        return choose_trend(tvdss, values, well, window=window, spacing_z=spacing_z)
    if kind == "none":
        return Trend("none", reason=reason)
    t, v, w = _check_arrays(tvdss, values, well)
    if kind == "moving_average":
        window = default_window(t, spacing_z) if window is None else float(window)
        if not (np.isfinite(window) and window > 0):
            raise ConfigError(f"trend.window must be a length > 0 (m), got {window!r}")
        knots, vals = _moving_average(t, v, w, window, step)
        return Trend("moving_average", knots=knots, values=vals, window=window, reason=reason)
    if int(degree) != degree or degree < 0:
        raise ConfigError(f"trend.degree must be an integer >= 0, got {degree!r}")
    coef, centre, scale = _polynomial(t, v, w, degree)
    return Trend("polynomial", values=coef, centre=centre, scale=scale, degree=int(degree), reason=reason)


def _within_well_variance(t, v, w, far):
    """Half the mean squared difference of data pairs of one well at least ``far`` m apart in depth."""
    total, count = 0.0, 0
    for label in np.unique(w):
        sel = w == label
        tw, vw = t[sel], v[sel]
        dt = np.abs(tw[:, None] - tw[None, :])
        pick = dt >= far
        if np.any(pick):
            d = vw[:, None] - vw[None, :]
            total += float(np.sum(d[pick] ** 2))
            count += int(pick.sum())
    return 0.5 * total / count if count else float("nan")


def choose_trend(tvdss, values, well=None, *, window=None, spacing_z=None, min_explained=0.1) -> Trend:
    """``trend: auto``: a moving-average trend when the data have a depth trend, else none.

    The test is the one a geostatistician makes by eye: without a trend the vertical variogram levels off
    at the variance. With a depth trend it keeps rising, and pairs of one well far apart in depth (more
    than a third of the depth extent) differ much more than two random data: their semivariance exceeds
    the data variance. A moving-average trend (``window``, default :func:`default_window`) is used when
    that semivariance exceeds 1.2 x the variance *and* the trend explains at least ``min_explained`` of
    the variance. Layered data whose depth profile is not monotone (a shale at the same depths in every
    well between two sands) fail the first test (far pairs differ no more than random pairs) yet share a
    depth profile: the moving average is also used when it explains at least ``2 / n_wells`` of the
    variance (and at least ``2 * min_explained``). The moving average averages each depth over the
    wells; with no depth-coherent signal, ``n`` independent wells leave about ``1 / n`` of the variance
    in it by chance. Otherwise no trend. The reason is recorded in :attr:`Trend.reason`.

    Parameters
    ----------
    tvdss, values, well, window, spacing_z
        As in :func:`fit_trend`.
    min_explained : float, default 0.1
        Smallest share of the variance the trend must explain.

    Returns
    -------
    Trend

    Examples
    --------
    >>> t = np.tile(np.arange(1000.0, 3000.0, 20.0), 3)
    >>> w = np.repeat([0, 1, 2], 100)
    >>> noise = np.random.default_rng(0).normal(0.0, 1.0, t.size)
    >>> choose_trend(t, 0.01 * t + noise, w).kind
    'moving_average'
    >>> choose_trend(t, noise, w).kind
    'none'
    """
    t, v, w = _check_arrays(tvdss, values, well)
    variance = float(np.var(v))
    extent = float(t.max() - t.min())
    if not variance > 0 or not extent > 0:
        return Trend("none", reason="constant data or a single depth: no trend")
    far = _within_well_variance(t, v, w, extent / 3.0)
    trend = fit_trend(t, v, w, kind="moving_average", window=window, spacing_z=spacing_z)
    explained = 1.0 - float(np.var(trend.remove(t, v))) / variance
    ratio = far / variance if np.isfinite(far) else 0.0
    summary = (f"semivariance of same-well pairs > {extent / 3.0:.0f} m apart = {ratio:.2f} x variance; "
               f"a {trend.window:g} m moving average explains {explained:.0%} of the variance")
    n_wells = int(np.unique(w).size)
    layered = explained >= max(2.0 * min_explained, 2.0 / n_wells)
    if (ratio > 1.2 and explained >= min_explained) or layered:
        why = "depth trend" if ratio > 1.2 and explained >= min_explained else \
            f"depth profile shared by the wells (>= 2 / {n_wells} wells explained)"
        logger.info("trend: auto chose a moving average (%s)", summary)
        return Trend("moving_average", knots=trend.knots, values=trend.values, window=trend.window,
                     reason=f"auto: {why} (" + summary + ")")
    logger.info("trend: auto chose none (%s)", summary)
    return Trend("none", reason="auto: no depth trend (" + summary + ")")


def _option_number(value, name, *, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ConfigError(f"{name}: expected a finite number, got {value!r}")
    if integer and int(value) != value:
        raise ConfigError(f"{name}: expected an integer, got {value!r}")
    return int(value) if integer else float(value)


def trend_options(value) -> dict:
    """Validate the ``trend`` section of a run configuration.

    Parameters
    ----------
    value : None, str or dict
        None (default ``auto``), a kind name, or ``{kind, window, degree}``.

    Returns
    -------
    dict
        ``{"kind", "window", "degree"}`` (``degree`` 2 for a polynomial unless given).

    Raises
    ------
    krigflow.exceptions.ConfigError
        Naming the key: unknown key or kind, a window <= 0, a degree outside 0-10, an option of another kind.

    Examples
    --------
    >>> trend_options(None)
    {'kind': 'auto', 'window': None, 'degree': None}
    >>> trend_options({"kind": "moving_average", "window": 300})
    {'kind': 'moving_average', 'window': 300.0, 'degree': None}
    """
    if value is None:
        value = "auto"
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict):
        raise ConfigError(f"trend: expected a kind name or a mapping, got {value!r}")
    for key in value:
        if key not in ("kind", "window", "degree"):
            raise ConfigError(f"trend.{key}: unknown key (expected kind, window, degree)")
    kind = value.get("kind", "auto")
    if kind not in TREND_KINDS:
        raise ConfigError(f"trend.kind: expected one of {', '.join(TREND_KINDS)}, got {kind!r}")
    window, degree = value.get("window"), value.get("degree")
    if window is not None:
        if kind not in ("moving_average", "auto"):
            raise ConfigError("trend.window: only used with kind 'moving_average' (or 'auto')")
        window = _option_number(window, "trend.window")
        if window <= 0:
            raise ConfigError(f"trend.window: expected a number > 0, got {window:g}")
    if degree is not None:
        if kind != "polynomial":
            raise ConfigError("trend.degree: only used with kind 'polynomial'")
        degree = _option_number(degree, "trend.degree", integer=True)
        if not 0 <= degree <= 10:
            raise ConfigError(f"trend.degree: expected an integer in 0-10, got {degree}")
    if kind == "polynomial" and degree is None:
        degree = 2
    return {"kind": kind, "window": window, "degree": degree}
