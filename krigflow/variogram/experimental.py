"""Experimental variograms from well samples (vertical: along each well; horizontal: between wells).

Wells sample the subsurface densely along their paths and sparsely between them, so krigflow computes two
experimental variograms from the (raw, un-upscaled) log samples:

* **vertical** — pairs of samples of the *same* well, lag ``|Δtvdss|`` (dense: thousands of pairs per bin);
* **horizontal** — pairs of samples of *different* wells with ``|Δtvdss| <= dz_tol``, lag the horizontal
  distance; optionally only pairs whose azimuth is within ``angle_tol`` of a direction.

Lag bins are ``[i * lag, (i + 1) * lag)`` up to ``max_lag``; each bin reports the mean lag of its pairs, the
number of pairs and the estimate:

* ``"matheron"``: ``gamma = sum(d**2) / (2 N)``;
* ``"cressie"`` (robust, Cressie & Hawkins 1980): ``gamma = (mean(|d|**0.5))**4 / (0.457 + 0.494 / N) / 2``,
  much less sensitive to outlying values (spikes in logs).

Models are fitted to them by :mod:`krigflow.variogram.fit`.

The support of the samples (points, 0.15–0.5 m) is smaller than a grid cell; krigflow treats cells as
points, and so uses the point-support model for cell values (no change-of-support correction).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from krigflow._validate import check_choice
from krigflow.exceptions import VariogramError
from krigflow.variogram.model import Variogram

logger = logging.getLogger(__name__)

__all__ = [
    "ESTIMATORS",
    "ExperimentalVariogram",
    "horizontal_variogram",
    "plot_variograms",
    "vertical_variogram",
]

#: Experimental-variogram estimators.
ESTIMATORS = ("matheron", "cressie")


@dataclass(frozen=True)
class ExperimentalVariogram:
    """An experimental variogram: one entry per non-empty lag bin.

    Parameters
    ----------
    direction : {"vertical", "horizontal"}
        Which range the bins inform.
    lags : array, shape (k,)
        Mean lag of the pairs of each bin (m).
    gamma : array, shape (k,)
        Semivariance estimate of each bin.
    pairs : int array, shape (k,)
        Number of pairs of each bin.
    estimator : {"matheron", "cressie"}
        How ``gamma`` was estimated.
    lag : float
        Bin width (m).
    """

    direction: str
    lags: np.ndarray
    gamma: np.ndarray
    pairs: np.ndarray
    estimator: str
    lag: float

    def as_dict(self) -> dict:
        """JSON-ready copy."""
        return {"direction": self.direction, "estimator": self.estimator, "lag": self.lag,
                "lags": self.lags.tolist(), "gamma": self.gamma.tolist(), "pairs": self.pairs.tolist()}


def _check_estimator(estimator):
    check_choice(estimator, "variogram estimator", ESTIMATORS, error=VariogramError)


def _check_lags(lag, max_lag, what):
    lag, max_lag = float(lag), float(max_lag)
    if not (np.isfinite(lag) and lag > 0 and np.isfinite(max_lag) and max_lag >= lag):
        raise VariogramError(f"{what} variogram: need 0 < lag <= max_lag, got lag={lag:g}, max_lag={max_lag:g}")
    return lag, max_lag


class _Bins:
    """Accumulates pair statistics per lag bin."""

    def __init__(self, lag, max_lag):
        self.lag, self.max_lag = lag, max_lag
        n = int(np.ceil(max_lag / lag))
        self.count = np.zeros(n, dtype=np.int64)
        self.sum_lag = np.zeros(n)
        self.sum_sq = np.zeros(n)
        self.sum_root = np.zeros(n)

    def add(self, h, d):
        keep = h < self.max_lag
        h, d = h[keep], d[keep]
        if h.size == 0:
            return
        idx = np.minimum((h / self.lag).astype(np.int64), self.count.size - 1)
        n = self.count.size
        self.count += np.bincount(idx, minlength=n)
        self.sum_lag += np.bincount(idx, weights=h, minlength=n)
        self.sum_sq += np.bincount(idx, weights=d * d, minlength=n)
        self.sum_root += np.bincount(idx, weights=np.sqrt(np.abs(d)), minlength=n)

    def result(self, direction, estimator):
        has = self.count > 0
        n = self.count[has]
        if estimator == "matheron":
            gamma = self.sum_sq[has] / (2.0 * n)
        else:
            gamma = (self.sum_root[has] / n) ** 4 / (0.457 + 0.494 / n) / 2.0
        return ExperimentalVariogram(direction, self.sum_lag[has] / n, gamma, n, estimator, self.lag)


def vertical_variogram(tvdss, values, well, *, lag, max_lag, estimator="matheron") -> ExperimentalVariogram:
    """Experimental variogram along the wells: pairs of samples of one well, lag ``|Δtvdss|``.

    Parameters
    ----------
    tvdss, values : array, shape (n,)
        Sample depths (m) and values (NaN samples are ignored).
    well : array, shape (n,)
        Well label of each sample.
    lag, max_lag : float
        Bin width and largest lag (m).
    estimator : {"matheron", "cressie"}, default "matheron"

    Returns
    -------
    ExperimentalVariogram

    Examples
    --------
    >>> t = np.arange(0.0, 100.0, 0.5)
    >>> ev = vertical_variogram(t, np.sin(t / 5.0), np.zeros(t.size), lag=2.0, max_lag=20.0)
    >>> ev.gamma.size, bool(np.all(np.diff(ev.gamma[:4]) > 0))
    (10, True)
    """
    _check_estimator(estimator)
    lag, max_lag = _check_lags(lag, max_lag, "vertical")
    tvdss, values, well = (np.asarray(a) for a in (tvdss, values, well))
    bins = _Bins(lag, max_lag)
    ok = np.isfinite(values) & np.isfinite(tvdss)
    for label in np.unique(well[ok]):
        sel = ok & (well == label)
        order = np.argsort(tvdss[sel], kind="stable")
        t, v = tvdss[sel][order], values[sel][order]
        for k in range(1, t.size):
            dt = t[k:] - t[:-k]
            bins.add(dt, v[k:] - v[:-k])
            if dt.min() >= max_lag:          # sorted: every later offset is longer still
                break
    return bins.result("vertical", estimator)


def horizontal_variogram(easting, northing, tvdss, values, well, *, lag, max_lag, dz_tol, azimuth=None,
                         angle_tol=90.0, estimator="matheron") -> ExperimentalVariogram:
    """Experimental variogram between wells: pairs of samples of different wells at similar depth.

    Parameters
    ----------
    easting, northing, tvdss, values : array, shape (n,)
        Sample positions (m) and values (NaN samples are ignored).
    well : array, shape (n,)
        Well label of each sample (pairs within one well are not used).
    lag, max_lag : float
        Bin width and largest horizontal lag (m).
    dz_tol : float
        Largest ``|Δtvdss|`` of a pair (m).
    azimuth : float, optional
        Direction (degrees clockwise from north) of a directional variogram; None: omnidirectional.
    angle_tol : float, default 90
        Half-angle of the direction cone (degrees); 90 or more is omnidirectional.
    estimator : {"matheron", "cressie"}, default "matheron"

    Returns
    -------
    ExperimentalVariogram
    """
    _check_estimator(estimator)
    lag, max_lag = _check_lags(lag, max_lag, "horizontal")
    arrays = [np.asarray(a, dtype=float) for a in (easting, northing, tvdss, values)]
    well = np.asarray(well)
    ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    order = np.argsort(arrays[2][ok], kind="stable")
    e, n, t, v = (a[ok][order] for a in arrays)
    w = well[ok][order]
    directional = azimuth is not None and angle_tol < 90.0
    if directional:
        theta = np.deg2rad(azimuth)
        axis = np.array([np.sin(theta), np.cos(theta)])
        cos_tol = np.cos(np.deg2rad(angle_tol))
    bins = _Bins(lag, max_lag)
    for k in range(1, t.size):
        dt = t[k:] - t[:-k]
        if dt.min() > dz_tol:
            break
        pick = (dt <= dz_tol) & (w[k:] != w[:-k])
        if not np.any(pick):
            continue
        de = (e[k:] - e[:-k])[pick]
        dn = (n[k:] - n[:-k])[pick]
        h = np.hypot(de, dn)
        if directional:
            with np.errstate(invalid="ignore", divide="ignore"):
                cos = np.abs(de * axis[0] + dn * axis[1]) / h
            keep = cos >= cos_tol
            h, de = h[keep], de[keep]
            bins.add(h, (v[k:] - v[:-k])[pick][keep])
        else:
            bins.add(h, (v[k:] - v[:-k])[pick])
    return bins.result("horizontal", estimator)



def plot_variograms(fit, path, *, configured=None, title=None) -> str:
    """Write a PNG of the experimental variograms and the fitted curves (matplotlib, Agg backend).

    Parameters
    ----------
    fit : VariogramFit
        From :func:`variogram_from_samples` / :func:`fit_variogram`.
    path : str
        PNG file to write.
    configured : krigflow.variogram.model.Variogram, optional
        A model given in the config, drawn for comparison.
    title : str, optional
        Figure title.

    Returns
    -------
    str
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for ax, ev in zip(axes, fit.experimental):
        size = 10 + 60 * ev.pairs / ev.pairs.max()
        ax.scatter(ev.lags, ev.gamma, s=size, color="k", alpha=0.7, label=f"experimental ({ev.estimator})")
        h = np.linspace(0, ev.lags.max() * 1.05, 200)[1:]
        for model, v in fit.fits.items():
            d = (0.0, h, 0.0) if ev.direction == "horizontal" else (0.0, 0.0, h)
            best = model == fit.variogram.model
            ax.plot(h, v.semivariance(*d), lw=2.2 if best else 1.0, ls="-" if best else "--",
                    label=f"{model}{' (chosen)' if best else ''}: range "
                          f"{v.range_h if ev.direction == 'horizontal' else v.range_v:.4g} m")
        if configured is not None:
            d = (0.0, h, 0.0) if ev.direction == "horizontal" else (0.0, 0.0, h)
            ax.plot(h, configured.semivariance(*d), color="grey", ls=":", lw=1.5, label="configured model")
        ax.axhline(fit.variance, color="grey", lw=0.5)
        ax.set_xlabel(f"{ev.direction} lag (m)")
        ax.set_ylabel("semivariance")
        ax.set_title(f"{ev.direction}: {int(ev.pairs.sum())} pairs")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def variogram_command(config_path, *, output=None, as_json=False, out=None) -> int:
    """``krigflow variogram CONFIG``: fit the variogram of a run's wells, print it and plot it.

    The wells, grid and ``variogram`` options of the config are used as a run would (``variogram: auto``
    is assumed whatever the config says; a configured model is drawn for comparison). With
    ``method: conditional`` and ``transform: normal_score`` the fit is in normal-score space, as the
    run's.

    Returns
    -------
    int
        Exit status (0).
    """
    import copy
    import json
    import sys

    from krigflow.run import build_problem, load_config, load_inputs
    from krigflow.variogram.fit import VariogramFit

    out = out or sys.stdout
    config = load_config(config_path)
    configured = None
    vg = config["variogram"]
    auto = copy.deepcopy(config)
    if vg["model"] != "auto":
        configured = Variogram(**{k: vg[k] for k in ("model", "sill", "nugget", "range_h", "range_v", "range_h2",
                                                       "azimuth", "nu")})
        auto["variogram"] = dict(vg, model="auto", sill=None, range_h=None, range_v=None, range_h2=None)
    problem = build_problem(load_inputs(config), auto)
    record = problem.variogram_fit
    fit = VariogramFit.from_record(record)
    if record["space"] == "normal_score" and configured is not None:
        configured = Variogram(configured.model, 1.0, configured.range_h, configured.range_v,
                               nugget=configured.nugget / configured.sill, nu=configured.nu)
    if output is None:
        output = "variogram.png"
    plot_variograms(fit, output, configured=configured,
                    title=f"{config['property']} variogram ({record['space'].replace('_', ' ')} space)")
    if as_json:
        out.write(json.dumps(dict(record, png=output)) + "\n")
        return 0
    v = fit.variogram
    out.write(f"variogram fitted to {len(problem.data.well_names)} wells ({record['space'].replace('_', ' ')} "
              f"space; sample variance {fit.variance:.4g}):\n")
    out.write(f"  {'model':12s} {'sill':>10s} {'nugget':>10s} {'range_h':>10s} {'range_v':>10s} {'error':>10s}\n")
    for model, f in fit.fits.items():
        mark = "  <- chosen" if model == v.model else ""
        out.write(f"  {model:12s} {f.sill:10.4g} {f.nugget:10.4g} {f.range_h:10.4g} {f.range_v:10.4g} "
                  f"{fit.errors[model]:10.3g}{mark}\n")
    for ev in fit.experimental:
        out.write(f"  {ev.direction}: {ev.lags.size} lag bins, {int(ev.pairs.sum())} pairs\n")
    out.write(f"variogram: {{model: {v.model}, sill: {v.sill:.4g}, nugget: {v.nugget:.4g}, range_h: {v.range_h:.4g}, "
              f"range_v: {v.range_v:.4g}}}\n")
    out.write(f"wrote {output}\n")
    return 0


def add_variogram_parser(subparsers) -> None:
    """Set up ``krigflow variogram`` (called by :func:`krigflow.cli.app.build_parser`)."""
    import argparse

    p = subparsers.add_parser(
        "variogram", help="fit a variogram to the wells of a run config; print it and plot it (PNG)",
        description="Experimental variograms of the wells of CONFIG (vertical: along each well; horizontal: "
        "between wells at similar depth), weighted least-squares fits of the candidate models (the config's "
        "variogram options), the chosen model as a config line, and a PNG of points and curves.",
        epilog="example:\n  krigflow variogram data/demo/run.yaml --output demo_variogram.png",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", metavar="CONFIG", help="run configuration (YAML or JSON)")
    p.add_argument("--output", "-o", metavar="PNG", help="figure to write (default variogram.png)")
    p.add_argument("--json", action="store_true", help="print the fit record as one JSON object")
    p.set_defaults(func=_run_variogram_command)


def _run_variogram_command(args) -> int:
    """CLI entry of ``krigflow variogram`` (lasio's per-file notes are not shown unless -v)."""
    if not getattr(args, "verbose", 0):
        logging.getLogger("lasio").setLevel(logging.ERROR)
    return variogram_command(args.config, output=args.output, as_json=args.json)
