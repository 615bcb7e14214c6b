"""A variogram fit that survives real well data: vertical structure alone, horizontal range constrained.

A free weighted least-squares fit of every parameter at once (:func:`krigflow.variogram.fit_variogram`)
fails on real wells in two ways. The horizontal variogram rests on as many independent pairs as there
are pairs of wells (8 wells: 28), so its range is not estimated: on the Poseidon wells it came out between
10 and 65 km for wells 2.7-23 km apart, and kriging copied the nearest well. And with a depth trend the
vertical variogram never levels off, so the vertical range runs to the fitter's bound. The practice
(DOMAIN.md) this module implements:

1. **Vertical structure alone**: nugget and vertical range fitted to the vertical variogram (thousands of
   pairs along the wells) with the **sill fixed**: the residual variance minus the well-effect variance
   (pairs of one well do not see the well's offset), or the configured ``sill``.
2. **Horizontal range constrained**: with fewer than ``min_well_pairs`` pairs of wells the horizontal
   variogram cannot say, and ``range_h`` is set to the cap: ``range_h_max`` if given, else the **well
   spacing** (the median distance from a well to its nearest neighbour). With so few pairs a longer range
   is not supported by the data and only makes kriging copy the nearest well with too small a variance.
   With ``min_well_pairs`` pairs or more, the range is fitted (nugget, sill and model kept from step 1)
   between a lower bound and ``range_h_max`` if given, else the **largest horizontal lag with enough
   pairs** (never below the spacing): pairs of wells two or three spacings apart then do inform the
   correlation at those distances (on a layered synthetic field with 10 wells, capping at the spacing
   made the kriged mean worse than inverse-distance weighting; see validation/defaults_synthetic.py).
3. Any configured value (``nugget``, ``sill``, ``range_v``, ``range_h``, one ``model``) is used as given.
4. A parameter that ends on a bound of its search interval was not estimated: a
   :class:`VariogramBoundWarning` says so, and :attr:`ConstrainedFit.at_bound` lists it.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from krigflow.exceptions import KrigflowError
from krigflow.variogram.model import MODELS, Variogram

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MIN_WELL_PAIRS",
    "ConstrainedFit",
    "VariogramBoundWarning",
    "count_well_pairs",
    "fit_constrained",
    "vertical_plateau",
    "well_spacing",
]

#: Fewer pairs of wells than this: the horizontal range is not fitted but set to the cap.
DEFAULT_MIN_WELL_PAIRS = 45


class VariogramBoundWarning(UserWarning):
    """A fitted variogram parameter sits on a bound of its search interval: it was not estimated."""


@dataclass(frozen=True)
class ConstrainedFit:
    """Result of :func:`fit_constrained`.

    Parameters
    ----------
    variogram : krigflow.variogram.Variogram
        The model of the residual ``e`` (sill = residual variance - well-effect variance).
    variance : float
        Residual variance (the total sill: variogram sill + well effect).
    well_effect : float
        Well-effect variance used to set the sill.
    fits : dict of str to Variogram
        The vertical fit of every candidate family.
    errors : dict of str to float
        Weighted residual of every candidate's vertical fit (relative to the variance squared).
    how : dict of str to str
        How each parameter was set: ``"fitted"``, ``"fixed"`` (configured), ``"capped"`` (set to the cap),
        ``"sill = variance - well effect"``...
    bounds : dict of str to list
        Search interval of every fitted parameter.
    at_bound : tuple of str
        Fitted parameters that ended on a bound.
    range_h_cap : float
        The cap of the horizontal range (m).
    spacing : float
        Well spacing (m): median distance to the nearest other well.
    well_pairs : int
        Pairs of wells.
    experimental : tuple of ExperimentalVariogram
        The (vertical, horizontal) experimental variograms.
    """

    variogram: Variogram
    variance: float
    well_effect: float = 0.0
    fits: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    how: dict = field(default_factory=dict)
    bounds: dict = field(default_factory=dict)
    at_bound: tuple = ()
    range_h_cap: float = float("nan")
    spacing: float = float("nan")
    well_pairs: int = 0
    experimental: tuple = ()

    def describe(self) -> dict:
        """JSON-ready record (``summary.json``): chosen model, how each parameter was set, bounds, pairs."""
        v = self.variogram

        def params(m):
            return {"model": m.model, "sill": m.sill, "nugget": m.nugget, "range_h": m.range_h,
                    "range_v": m.range_v, **({"nu": m.nu} if m.model == "matern" else {})}
        return {"chosen": params(v), "variance": self.variance, "well_effect": self.well_effect,
                "how": dict(self.how), "bounds": {k: list(b) for k, b in self.bounds.items()},
                "at_bound": list(self.at_bound), "range_h_cap": self.range_h_cap, "well_spacing": self.spacing,
                "well_pairs": self.well_pairs,
                "candidates": {m: dict(params(f), error=self.errors.get(m)) for m, f in self.fits.items()},
                "experimental": [ev.as_dict() for ev in self.experimental]}


def well_spacing(easting, northing, well) -> tuple[float, int]:
    """Median distance from each well to its nearest other well, and the number of well pairs.

    Wells are located at the mean position of their data (deviated wells: the mean of the path).

    Parameters
    ----------
    easting, northing : array, shape (n,)
        Data positions (m).
    well : array, shape (n,)
        Well label of each datum.

    Returns
    -------
    spacing : float
        Median nearest-neighbour distance (m); NaN with one well.
    pairs : int
        ``n_wells * (n_wells - 1) / 2``.

    Examples
    --------
    >>> well_spacing([0.0, 0.0, 1000.0, 5000.0], [0.0, 0.0, 0.0, 0.0], [0, 0, 1, 2])
    (1000.0, 3)
    """
    e, n = np.asarray(easting, float), np.asarray(northing, float)
    well = np.asarray(well)
    labels = np.unique(well)
    xy = np.array([[e[well == k].mean(), n[well == k].mean()] for k in labels])
    if labels.size < 2:
        return float("nan"), 0
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    return float(np.median(d.min(axis=1))), int(labels.size * (labels.size - 1) // 2)


def vertical_plateau(vertical, min_pairs=30) -> float:
    """Level of the vertical variogram at long lags: the pair-weighted mean of the bins past half the largest lag.

    Pairs of one well do not see the well's offset, so this plateau is the within-well variance; the
    residual variance minus it is a first estimate of the well effect, and the plateau is the sill with
    which the vertical structure is first fitted before the well effect is estimated.

    Examples
    --------
    >>> from krigflow.variogram.experimental import ExperimentalVariogram
    >>> h = np.arange(5.0, 400.0, 10.0)
    >>> ev = ExperimentalVariogram("vertical", h, np.minimum(h / 100.0, 0.5), np.full(h.size, 100), "matheron", 10.0)
    >>> vertical_plateau(ev)
    0.5
    """
    h, g, n = _usable(vertical, min_pairs)
    if h.size == 0:
        raise KrigflowError(f"no vertical lag bin with >= {min_pairs} pairs")
    far = h >= 0.5 * h.max()
    return float(np.sum(g[far] * n[far]) / np.sum(n[far]))


def count_well_pairs(well) -> int:
    """Number of pairs of distinct wells.

    Examples
    --------
    >>> count_well_pairs([0, 0, 1, 2, 3])
    6
    """
    k = np.unique(np.asarray(well)).size
    return int(k * (k - 1) // 2)


def _gamma(model, h, nugget, sill, range_, nu):
    unit = Variogram(model, sill=1.0, range_h=1.0, range_v=1.0, nu=nu)
    return nugget + (sill - nugget) * (1.0 - unit.correlation_of_lag(np.asarray(h, float) / range_))


def _on_bound(value, low, high, rel=1e-3):
    span = max(high - low, 1e-300)
    return value <= low + rel * span or value >= high - rel * span


def _lsq(residuals, start, lower, upper):
    best = None
    for s in start:
        s = np.clip(s, np.asarray(lower) + 1e-9 * (np.asarray(upper) - np.asarray(lower)),
                    np.asarray(upper) - 1e-9 * (np.asarray(upper) - np.asarray(lower)))
        res = optimize.least_squares(residuals, s, bounds=(lower, upper), x_scale="jac")
        if best is None or res.cost < best.cost:
            best = res
    return best


def _usable(ev, min_pairs):
    use = ev.pairs >= min_pairs
    return ev.lags[use], ev.gamma[use], ev.pairs[use]


def fit_constrained(vertical, horizontal, *, variance, spacing, well_pairs, candidates=("spherical",
                    "exponential", "gaussian"), well_effect=0.0, sill=None, nugget=None, range_v=None,
                    range_h=None, range_h_max=None, nu=1.5, min_pairs=30,
                    min_well_pairs=DEFAULT_MIN_WELL_PAIRS) -> ConstrainedFit:
    """Fit the variogram of residuals with the vertical structure alone and the horizontal range capped.

    Parameters
    ----------
    vertical, horizontal : krigflow.variogram.ExperimentalVariogram
        Experimental variograms of the residuals (``horizontal`` may be None: no pairs between wells).
    variance : float
        Residual variance (the total sill).
    spacing : float
        Well spacing (m), from :func:`well_spacing`: the default cap of the horizontal range.
    well_pairs : int
        Number of pairs of wells.
    candidates : sequence of str
        Model families tried on the vertical variogram (one given: that model).
    well_effect : float, default 0
        Well-effect variance: the variogram's sill is ``variance - well_effect``.
    sill, nugget, range_v, range_h : float, optional
        Fixed values (configured); ``sill`` is the variogram's total sill (well effect excluded).
    range_h_max : float, optional
        Cap of the horizontal range (m); default ``spacing`` with fewer than ``min_well_pairs`` pairs of
        wells, else the largest usable horizontal lag (at least ``spacing``).
    nu : float, default 1.5
        Matérn smoothness.
    min_pairs : int, default 30
        Lag bins with fewer pairs are left out.
    min_well_pairs : int, default 45
        With fewer pairs of wells the horizontal range is set to the cap, not fitted.

    Returns
    -------
    ConstrainedFit

    Warns
    -----
    VariogramBoundWarning
        For every fitted parameter that ends on a bound.

    Raises
    ------
    KrigflowError
        Unknown candidate, no vertical lag bin with ``min_pairs`` pairs, a well effect not smaller than
        the variance, or no cap (one well and no ``range_h``/``range_h_max``).

    Examples
    --------
    >>> from krigflow.variogram.experimental import ExperimentalVariogram
    >>> h = np.arange(5.0, 200.0, 10.0)
    >>> g = 10.0 * (1 - np.exp(-3 * h / 50.0))
    >>> ev = ExperimentalVariogram("vertical", h, g, np.full(h.size, 500), "matheron", 10.0)
    >>> fit = fit_constrained(ev, None, variance=10.0, spacing=3000.0, well_pairs=21,
    ...                       candidates=("exponential",))
    >>> v = fit.variogram
    >>> round(v.range_v, 1), round(v.sill, 6), v.range_h, fit.how["range_h"]
    (50.0, 10.0, 3000.0, 'capped: 21 well pairs < 45')
    """
    for model in candidates:
        if model not in MODELS:
            raise KrigflowError(f"variogram candidates must be among {MODELS}, got {model!r}")
    if not len(candidates):
        raise KrigflowError("variogram candidates: give at least one model family")
    variance = float(variance)
    how, bounds, at_bound = {}, {}, []
    if sill is None:
        if not well_effect < variance:
            raise KrigflowError(f"well-effect variance ({well_effect:.4g}) must be below the residual variance "
                                f"({variance:.4g})")
        sill_e = variance - float(well_effect)
        how["sill"] = "residual variance - well effect" if well_effect else "residual variance"
    else:
        sill_e = float(sill)
        how["sill"] = "fixed"
    hv, gv, nv = _usable(vertical, min_pairs)
    if hv.size == 0:
        raise KrigflowError(f"cannot fit the variogram: no vertical lag bin with >= {min_pairs} pairs "
                            "(too few samples along the wells)")
    wv = np.sqrt(nv / nv.sum())
    # ---- vertical: nugget and range_v, sill fixed
    low_v, high_v = 0.5 * float(hv.min()), 5.0 * float(hv.max())
    fits, errors, raw = {}, {}, {}
    for model in candidates:
        free = []
        if nugget is None:
            free.append(("nugget", 0.0, 0.95 * sill_e))
        if range_v is None:
            free.append(("range_v", low_v, high_v))
        fixed = {"nugget": nugget, "range_v": range_v}

        def unpack(theta, model=model, free=free, fixed=fixed):
            p = dict(fixed)
            p.update({name: float(x) for (name, _, _), x in zip(free, theta)})
            return p

        def residuals(theta, model=model, unpack=unpack):
            p = unpack(theta)
            return wv * (_gamma(model, hv, p["nugget"], sill_e, p["range_v"], nu) - gv) / sill_e
        if free:
            lower = [b[1] for b in free]
            upper = [b[2] for b in free]
            starts = [[{"nugget": f * sill_e, "range_v": r}[name] for name, _, _ in free]
                      for f in (0.05, 0.3) for r in (0.1 * hv.max(), 0.4 * hv.max(), hv.max())]
            res = _lsq(residuals, starts, lower, upper)
            p, cost = unpack(res.x), float(2.0 * res.cost)
        else:
            p, cost = dict(fixed), float(np.sum(residuals([]) ** 2))
        raw[model] = (p, free)
        errors[model] = cost
        fits[model] = Variogram(model, sill=sill_e, range_h=1.0, range_v=p["range_v"], nugget=p["nugget"], nu=nu)
    chosen = min(errors, key=errors.get)
    p, free = raw[chosen]
    for name, lo, hi in free:
        bounds[name] = [lo, hi]
        how[name] = "fitted (vertical variogram)"
        if _on_bound(p[name], lo, hi) and not (name == "nugget" and p[name] <= lo + 1e-3 * (hi - lo)):
            at_bound.append(name)
    for name in ("nugget", "range_v"):
        how.setdefault(name, "fixed")
    # ---- horizontal: capped range
    cap = float(range_h_max) if range_h_max is not None else float(spacing)
    if range_h is not None:
        rh = float(range_h)
        how["range_h"] = "fixed"
    elif not (np.isfinite(cap) and cap > 0):
        raise KrigflowError("cannot set the horizontal range: one well only; give variogram.range_h or "
                            "variogram.range_h_max")
    elif well_pairs < min_well_pairs or horizontal is None or _usable(horizontal, min_pairs)[0].size < 3:
        rh = cap
        why = (f"{well_pairs} well pairs < {min_well_pairs}" if well_pairs < min_well_pairs
               else "fewer than 3 horizontal lag bins")
        how["range_h"] = f"capped: {why}"
    else:
        hh, gh, nh = _usable(horizontal, min_pairs)
        wh = np.sqrt(nh / nh.sum())
        if range_h_max is None:              # enough pairs: the data reach as far as their largest lag
            cap = max(cap, float(hh.max()))
        low_h = 0.5 * float(hh.min())
        if low_h >= cap:
            low_h = 0.1 * cap

        def res_h(theta):
            return wh * (_gamma(chosen, hh, p["nugget"], sill_e, theta[0], nu) - gh) / sill_e
        fit_h = _lsq(res_h, [[f * cap] for f in (0.2, 0.5, 0.9)], [low_h], [cap])
        rh = float(fit_h.x[0])
        bounds["range_h"] = [low_h, cap]
        how["range_h"] = (f"fitted (horizontal variogram), {well_pairs} well pairs, at most {cap:.4g} m ("
                          + ("range_h_max)" if range_h_max is not None else "largest usable lag)"))
        if _on_bound(rh, low_h, cap):
            at_bound.append("range_h")
    for name in at_bound:
        lo, hi = bounds[name]
        value = rh if name == "range_h" else p[name]
        warnings.warn(f"variogram {name} = {value:.4g} sits on a bound of its search interval [{lo:.4g}, "
                      f"{hi:.4g}]: the data do not determine it (give variogram.{name} or "
                      f"{'range_h_max' if name == 'range_h' else 'another model'})", VariogramBoundWarning,
                      stacklevel=2)
    variogram = Variogram(chosen, sill=sill_e, range_h=rh, range_v=p["range_v"], nugget=p["nugget"], nu=nu)
    fits = {m: Variogram(m, sill=f.sill, range_h=rh, range_v=f.range_v, nugget=f.nugget, nu=nu)
            for m, f in fits.items()}
    logger.info("variogram (constrained): %s; how: %s", variogram, how)
    return ConstrainedFit(variogram, variance, float(well_effect), fits, errors, how, bounds, tuple(at_bound),
                          cap, float(spacing), int(well_pairs),
                          tuple(ev for ev in (vertical, horizontal) if ev is not None))
