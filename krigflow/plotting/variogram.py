"""Variogram figures: experimental points against one or more models, horizontally and vertically.

One plotter, :func:`plot_variogram`, draws one direction on one axes; :func:`write_variogram_figure` puts
the horizontal and the vertical panel side by side in a PNG. Both take either the record of a
``variogram: auto`` fit (candidates, chosen model, sample variance, experimental variograms) or a model
with experimental points (``variogram.json``).
"""

from __future__ import annotations

import numpy as np

from krigflow.plotting._axes import axes_or_new, new_figure, save_figure
from krigflow.variogram import Variogram, VariogramFit

__all__ = ["plot_variogram", "variogram_from_keys", "write_variogram_figure"]

#: Directions of the panels.
DIRECTIONS = ("horizontal", "vertical")
_KEYS = ("model", "sill", "nugget", "range_h", "range_v", "range_h2", "azimuth", "nu")


def variogram_from_keys(keys) -> Variogram:
    """A :class:`~krigflow.variogram.Variogram` from configuration keys (``None`` values left out).

    Examples
    --------
    >>> variogram_from_keys({"model": "spherical", "sill": 2.0, "range_h": 100.0, "range_v": 5.0,
    ...                      "range_h2": None}).range_h
    100.0
    """
    if isinstance(keys, Variogram):
        return keys
    return Variogram(**{k: keys[k] for k in _KEYS if keys.get(k) is not None})


def _is_vertical(direction) -> bool:
    return "vert" in str(direction).lower()


def _experimental_points(experimental, direction):
    """(label, lags, gamma, pairs or None, estimator) of the experimental variograms of ``direction``."""
    out = []
    for e in experimental or ():
        if isinstance(e, dict):
            name, lags, gamma = e.get("direction", ""), e.get("lags", e.get("lag", [])), e.get("gamma", [])
            pairs, estimator = e.get("pairs"), e.get("estimator")
        else:  # krigflow.variogram.ExperimentalVariogram
            name, lags, gamma, pairs, estimator = e.direction, e.lags, e.gamma, e.pairs, e.estimator
        if _is_vertical(name) != _is_vertical(direction):
            continue
        pairs = None if pairs is None else np.asarray(pairs, dtype=float)
        out.append((str(name), np.asarray(lags, dtype=float), np.asarray(gamma, dtype=float), pairs, estimator))
    return out


def _lag_vectors(variogram, h, direction, minor=False):
    """Lag components (d_easting, d_northing, d_tvdss) of lengths ``h`` along an axis of ``variogram``."""
    if _is_vertical(direction):
        return 0 * h, 0 * h, h
    az = np.deg2rad(variogram.azimuth)
    e, n = (np.cos(az), -np.sin(az)) if minor else (np.sin(az), np.cos(az))
    return h * e, h * n, 0 * h


def plot_variogram(
    model=None,
    direction="horizontal",
    *,
    experimental=(),
    candidates=None,
    configured=None,
    variance=None,
    ax=None,
    unit="",
):
    """Draw experimental semivariances and model curves along one direction.

    Parameters
    ----------
    model : krigflow.variogram.Variogram or dict, optional
        The model (the chosen one of a fit): a solid black curve, along the major axis (and the minor axis,
        dashed, when horizontally anisotropic). A dict of configuration keys is accepted.
    direction : {"horizontal", "vertical"}
        Which lags to draw; experimental variograms whose direction contains "vert" are vertical, the
        others horizontal.
    experimental : sequence of ExperimentalVariogram or dict, optional
        Points: ``krigflow.variogram.ExperimentalVariogram`` or dicts ``{"direction", "lag" or "lags",
        "gamma", "pairs" (optional)}``. With pairs, the marker size grows with the number of pairs.
    candidates : dict of str to Variogram, optional
        Every fitted family (a fit's ``fits``): the one of ``model``'s family is drawn thick, the others
        dashed; each labelled with its range.
    configured : krigflow.variogram.Variogram, optional
        A configured model drawn for comparison (grey dotted).
    variance : float, optional
        Sample variance (grey line); default: the sill of ``model``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new pyplot figure).
    unit : str
        Property unit (the axis shows semivariance in unit²).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> v = Variogram("spherical", 2.0, 100.0, 5.0)
    >>> plot_variogram(v, "vertical", ax=ax, experimental=[{"direction": "vertical", "lag": [1, 3],
    ...                "gamma": [0.5, 1.4]}]) is ax
    True
    """
    ax = axes_or_new(ax, (5.5, 4.2))
    vertical = _is_vertical(direction)
    model = variogram_from_keys(model) if model is not None else None
    points = _experimental_points(experimental, direction)
    h_max = 0.0
    models = [m for m in (model, configured, *(candidates or {}).values()) if m is not None]
    for m in models:
        h_max = max(h_max, 1.5 * (m.range_v if vertical else max(m.range_h, m.range_h2 or m.range_h)))
    if points and any(p[1].size for p in points):
        lag_max = max(float(p[1].max()) for p in points if p[1].size)
        h_max = 1.05 * lag_max if candidates else max(h_max, lag_max)
    h = np.linspace(0.0, h_max or 1.0, 200)
    n_pairs = 0
    for name, lags, gamma, pairs, estimator in points:
        label = f"experimental ({estimator or name})"
        if pairs is not None and pairs.size and pairs.max() > 0:
            ax.scatter(lags, gamma, s=10 + 60 * pairs / pairs.max(), color="k", alpha=0.7, label=label)
            n_pairs += int(pairs.sum())
            step = max(1, lags.size // 12)         # the pair count of (at most ~12) lag bins, for the reader
            for x, y, n in list(zip(lags, gamma, pairs))[::step]:
                ax.annotate(f"{int(n)}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center",
                            fontsize=6, color="0.35")
        else:
            ax.plot(lags, gamma, "o", ms=4, label=label)
    if candidates:
        for family, v in candidates.items():
            best = model is not None and family == model.model
            rng = v.range_v if vertical else v.range_h
            ax.plot(
                h[1:], v.semivariance(*_lag_vectors(v, h[1:], direction)), lw=2.2 if best else 1.0,
                ls="-" if best else "--", label=f"{family}{' (chosen)' if best else ''}: range {rng:.4g} m",
            )
    elif model is not None:
        label = f"{model.model} model, " + ("vertical" if vertical else f"major axis (azimuth {model.azimuth:g}°)")
        ax.plot(h, model.semivariance(*_lag_vectors(model, h, direction)), "k-", label=label)
        if not vertical and model.range_h2 is not None and model.range_h2 != model.range_h:
            ax.plot(h, model.semivariance(*_lag_vectors(model, h, direction, minor=True)), "k--",
                    label="model, minor axis")
    if configured is not None:
        ax.plot(h[1:], configured.semivariance(*_lag_vectors(configured, h[1:], direction)), color="grey", ls=":",
                lw=1.5, label="configured model")
    reference = variance if variance is not None else (model.sill if model is not None else None)
    if reference is not None:
        ax.axhline(reference, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(f"{'vertical' if vertical else 'horizontal'} lag (m)")
    ax.set_ylabel("semivariance" + (f" ({unit}²)" if unit else ""))
    if n_pairs:
        ax.set_title(f"{'vertical' if vertical else 'horizontal'}: {n_pairs} pairs", fontsize=10)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    return ax


def write_variogram_figure(
    path, model=None, *, experimental=(), candidates=None, configured=None, variance=None, prop="", unit="",
    title=None, dpi=110,
) -> str:
    """Write a PNG of the horizontal and vertical panels of :func:`plot_variogram`.

    Parameters
    ----------
    path : str
        PNG file to write.
    model : Variogram, dict, VariogramFit or fit record, optional
        The model (or configuration keys); or a :class:`~krigflow.variogram.VariogramFit` or the record of a
        ``variogram: auto`` fit (``summary["variogram_fit"]``), whose chosen model, candidates, sample variance
        and experimental variograms are then drawn.
    experimental, candidates, configured, variance, unit
        As for :func:`plot_variogram`.
    prop : str, optional
        Property name, for the default title.
    title : str, optional
        Figure title (default: the model's sill, nugget and ranges).
    dpi : int, default 110

    Returns
    -------
    str
        ``path``.
    """
    if isinstance(model, dict) and "chosen" in model and "candidates" in model:
        model = VariogramFit.from_record(model)
    if isinstance(model, VariogramFit):
        fit = model
        model, candidates = fit.variogram, dict(fit.fits)
        experimental = experimental or fit.experimental
        variance = fit.variance if variance is None else variance
    fig = new_figure(11.0, 4.2)
    for ax, direction in zip(fig.subplots(1, 2), DIRECTIONS):
        plot_variogram(
            model, direction, experimental=experimental, candidates=candidates, configured=configured,
            variance=variance, ax=ax, unit=unit,
        )
    if title is None and model is not None:
        v = variogram_from_keys(model)
        title = (
            f"{prop + ' ' if prop else ''}variogram: sill {v.sill:g}, nugget {v.nugget:g}, ranges {v.range_h:g}/{v.range_h2 or v.range_h:g} m "
            f"(horizontal), {v.range_v:g} m (vertical)"
        )
    if title:
        fig.suptitle(title, fontsize=10)
    return save_figure(fig, path, dpi)
